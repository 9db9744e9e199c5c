import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { Response } from './http';
import { type Observable, map } from 'rxjs';

/** A handler's answer with the version of the stream it read or wrote: the body is sent as it is, the version goes in `ETag`. */
export class Versioned<T> {
  constructor(
    readonly body: T,
    readonly version: number,
    /** Where a created resource now lives (`Location`), for a command that made one. */
    readonly location?: string,
  ) {}
}

/** The answer `body`, sent with `ETag: "<version>"` (and `Location` when given) by a handler marked `@ETag()`. */
export function versioned<T>(body: T, version: number, headers: { location?: string } = {}): Versioned<T> {
  return new Versioned(body, version, headers.location);
}

/**
 * Sets `ETag: "<version>"` on a successful answer of a handler marked `@ETag()` and sends the body
 * the handler gave (unchanged: some bodies carry `version`, some do not). The version is the one
 * `If-Match` takes back (API.md "Conventions"). A refusal carries no ETag.
 */
@Injectable()
export class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((answer: unknown) => {
        if (!(answer instanceof Versioned)) throw new Error(`${context.getClass().name}.${context.getHandler().name} is marked @ETag() but did not answer versioned(body, version)`);
        const res = context.switchToHttp().getResponse<Response>();
        res.header('ETag', `"${answer.version}"`);
        if (answer.location !== undefined) res.header('Location', answer.location);
        return answer.body;
      }),
    );
  }
}

/** The handler answers `versioned(body, version)`: the body is sent with `ETag: "<version>"`. */
export function ETag(): MethodDecorator {
  return UseInterceptors(ETagInterceptor);
}
