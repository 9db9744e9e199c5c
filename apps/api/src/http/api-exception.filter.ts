import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
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
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (response.headersSent) return;
    // An error is JSON even on a route that answers CSV, XLSX or PDF (its @Header is already set).
    response.removeHeader('Content-Disposition');
    response.status(body.statusCode).type('application/json').json(body);
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
    // body-parser's errors (malformed JSON, too large, bad charset) carry an HTTP status.
    const status = (exception as { status?: unknown; type?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (exception as { type?: string }).type;
      const message = type === 'entity.parse.failed' ? 'the request body is not valid JSON' : type === 'entity.too.large' ? 'the request body is too large' : 'the request body could not be read';
      return { statusCode: status, error: errorName(status), message };
    }
    // Name and driver code only: a database error's message can quote the values it was given.
    const name = exception instanceof Error ? exception.name : typeof exception;
    const code = (exception as { code?: unknown } | null)?.code;
    this.logger.error(`unexpected ${name}${typeof code === 'string' ? ` (code ${code})` : ''}`);
    return { statusCode: 500, error: errorName(500), message: 'an unexpected error occurred' };
  }
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
