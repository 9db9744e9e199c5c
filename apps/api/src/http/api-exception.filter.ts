import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Response } from './http';
import { EventStoreUnavailableError, StoreFaultError } from '@ledger/event-store';
import { type ApiErrorBody, errorName } from '@ledger/application';
import { PersonErasedError } from '@ledger/privacy';

/**
 * Every error leaves in the API's shape `{ statusCode, error, message, reason?, details? }`.
 * A store that cannot be reached is a 503; anything unexpected is a 500 logged by its name and
 * message only (logs never carry request bodies or event data).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    // A reply of Fastify's, or Node's own response where a Nest middleware failed (the bearer
    // token's check runs through @fastify/middie, before Fastify's reply exists for it).
    const response = host.switchToHttp().getResponse<Response | ServerResponse>();
    const body = this.toBody(exception);
    const raw = 'raw' in response ? response.raw : response;
    if (raw.headersSent || ('sent' in response && response.sent)) return;
    // An error is JSON even on a route that answers CSV, XLSX or PDF (its @Header is already set).
    raw.removeHeader('Content-Disposition');
    if ('raw' in response) {
      response.removeHeader('Content-Disposition');
      response.status(body.statusCode).type('application/json; charset=utf-8').send(body);
      return;
    }
    raw.statusCode = body.statusCode;
    raw.setHeader('Content-Type', 'application/json; charset=utf-8');
    raw.end(JSON.stringify(body));
  }

  private toBody(exception: unknown): ApiErrorBody {
    const fault = storeFault(exception);
    if (fault) {
      // A full disk (507) or a damaged embedded store (503): the store's own words say what to do.
      return { statusCode: fault.status, error: errorName(fault.status), message: fault.message, reason: fault.reason };
    }
    if (exception instanceof EventStoreUnavailableError || causedByUnavailable(exception)) {
      return { statusCode: 503, error: errorName(503), message: 'the event store is unavailable; try again shortly', reason: 'StoreUnavailable' };
    }
    if (exception instanceof PersonErasedError) {
      return { statusCode: 422, error: errorName(422), message: "this person's personal data was erased: nothing personal can be recorded for them again", reason: 'PersonErased' };
    }
    // A body Fastify could not take (malformed JSON, too large, a content type it does not read),
    // as Nest hands it over (an HttpException caused by it) or as it is.
    const unread = bodyError(exception instanceof HttpException ? (exception.cause ?? exception) : exception);
    if (unread) return unread;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      if (typeof raw === 'object' && raw !== null && 'statusCode' in raw && 'error' in raw && typeof (raw as ApiErrorBody).message === 'string') {
        return raw as ApiErrorBody;
      }
      const message =
        typeof raw === 'string'
          ? raw
          : Array.isArray((raw as { message?: unknown }).message)
            ? (raw as { message: string[] }).message.join('; ')
            : String((raw as { message?: unknown }).message ?? exception.message);
      return { statusCode: status, error: errorName(status), message };
    }
    // Any other client error Fastify raises carries its HTTP status.
    const status = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return { statusCode: status, error: errorName(status), message: 'the request could not be read' };
    // Name and driver code only: a database error's message can quote the values it was given.
    const name = exception instanceof Error ? exception.name : typeof exception;
    const code = (exception as { code?: unknown } | null)?.code;
    this.logger.error(`unexpected ${name}${typeof code === 'string' ? ` (code ${code})` : ''}`);
    return { statusCode: 500, error: errorName(500), message: 'an unexpected error occurred' };
  }
}

const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'the request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'the request body is empty but its Content-Type is application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'the request body’s Content-Type is not one this route takes (application/json)',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'the request body is not as long as its Content-Length says',
  FST_ERR_CTP_INVALID_TYPE: 'the request’s Content-Type is not valid',
};

/** The API's answer to a body Fastify could not read, by Fastify's error code. */
function bodyError(error: unknown): ApiErrorBody | null {
  const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return null;
  const message = typeof code === 'string' ? BODY_ERRORS[code] : error instanceof SyntaxError ? BODY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY : undefined;
  return message === undefined ? null : { statusCode, error: errorName(statusCode), message };
}

function causedByUnavailable(exception: unknown): boolean {
  let cause = (exception as { cause?: unknown } | null)?.cause;
  for (let depth = 0; cause && depth < 5; depth += 1) {
    if (cause instanceof EventStoreUnavailableError) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** The StoreFaultError an error is or was caused by, if any. */
export function storeFault(exception: unknown): StoreFaultError | null {
  let error = exception;
  for (let depth = 0; error && depth < 6; depth += 1) {
    if (error instanceof StoreFaultError) return error;
    error = (error as { cause?: unknown }).cause;
  }
  return null;
}
