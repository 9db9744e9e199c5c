import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { type Request, rawOf } from '../http/http';
import { ANONYMOUS, type Actor } from '@ledger/application';

const ACTOR = Symbol('actor');

/** The actor of a request (set by ActorMiddleware, on the Node request under Fastify's). */
export function actorOf(req: Request | IncomingMessage): Actor {
  return (rawOf(req) as unknown as { [ACTOR]?: Actor })[ACTOR] ?? ANONYMOUS;
}

export function setActor(req: Request | IncomingMessage, actor: Actor): void {
  (rawOf(req) as unknown as { [ACTOR]?: Actor })[ACTOR] = actor;
}

/** Who is acting (set by ActorMiddleware; anonymous when nobody signed in): `@CurrentActor() actor: Actor`. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => actorOf(context.switchToHttp().getRequest<Request>()));
