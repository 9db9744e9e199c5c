import { type ExecutionContext, Injectable, type PipeTransform, createParamDecorator } from '@nestjs/common';
import type { Request } from './http';
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

/** The recording of the request, made when the handler calls it (with `RecordingFactory`'s 400s then). */
export type RecordingOnDemand = () => Recording;

@Injectable()
export class RecordingOnDemandPipe implements PipeTransform<Request, RecordingOnDemand> {
  constructor(private readonly recordings: RecordingFactory) {}

  transform(request: Request): RecordingOnDemand {
    return () => this.recordings.from(request);
  }
}

/**
 * The recording of the request, made when the handler asks for it: `@RecordedOnDemand() recordingOf:
 * RecordingOnDemand`, then `recordingOf()`. For a handler that answers some requests before it reads
 * the command headers (an unknown id's 404, a role's 403, a repeat answered as it was), which
 * `@Recorded()` would refuse first for a bad header.
 */
export function RecordedOnDemand(): ParameterDecorator {
  return RequestParam(undefined, RecordingOnDemandPipe);
}
