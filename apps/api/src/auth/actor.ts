import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { ANONYMOUS, type Actor } from '@ledger/application';

const ACTOR = Symbol('actor');

/** The actor of a request (set by ActorMiddleware). */
export function actorOf(req: Request): Actor {
  return (req as unknown as { [ACTOR]?: Actor })[ACTOR] ?? ANONYMOUS;
}

export function setActor(req: Request, actor: Actor): void {
  (req as unknown as { [ACTOR]?: Actor })[ACTOR] = actor;
}

/** Who is acting (set by ActorMiddleware; anonymous when nobody signed in): `@CurrentActor() actor: Actor`. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => actorOf(context.switchToHttp().getRequest<Request>()));
