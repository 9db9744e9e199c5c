import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from '../http/http';
import { type Actor, accessPurposeOf } from '@ledger/application';
import { routeOf } from './access';
import { actorOf } from './actor';

/** Who reads personal data, through which route, and why: what the access log records of a read. */
export class Reader {
  constructor(
    readonly actor: Actor,
    readonly route: string,
    private readonly request: Request,
  ) {}

  /**
   * The request's X-Access-Purpose (400 if not one of the code list), else the actor's role's
   * purpose. Read when the handler logs a read, not before: a request that is refused first, or
   * serves nothing to log, is not told about its purpose.
   */
  purpose(): string {
    return accessPurposeOf(this.request, this.actor.role);
  }
}

/** The reader of the request, for the access log: `@ReadBy() reader: Reader`. */
export const ReadBy = createParamDecorator((_: unknown, context: ExecutionContext): Reader => {
  const request = context.switchToHttp().getRequest<Request>();
  return new Reader(actorOf(request), routeOf(request), request);
});
