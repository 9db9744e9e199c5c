import { type ExecutionContext, Injectable, type PipeTransform, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import type { Recording } from '@ledger/application';
import { RecordingFactory } from './recording';

/**
 * The request's headers made a recording by `RecordingFactory` (with its 400s for a bad
 * Idempotency-Key, If-Match, X-Legal-Basis or X-Correlation-Id). A bad header is reported after
 * the route's other parameters are checked, as when the handler built the recording first thing:
 * a request with a bad body and a bad header is told about its body. (Nest resolves a handler's
 * parameters together and answers the first refusal; the others' checks take only microtasks.)
 */
@Injectable()
export class RecordingPipe implements PipeTransform<Request, Recording | Promise<Recording>> {
  constructor(private readonly recordings: RecordingFactory) {}

  transform(request: Request): Recording | Promise<Recording> {
    try {
      return this.recordings.from(request);
    } catch (error) {
      return new Promise((_, reject) => setImmediate(() => reject(error)));
    }
  }
}

const RequestParam = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request>());

/** The command envelope of the request (`Recording`): `@Recorded() recording: Recording`. */
export function Recorded(): ParameterDecorator {
  return RequestParam(undefined, RecordingPipe);
}
