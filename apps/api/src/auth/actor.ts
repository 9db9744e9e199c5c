import type { Request } from 'express';
import { ANONYMOUS, type Actor } from '@ledger/application';

// Actor lives in @ledger/application: import it from there. Re-exported here only for the imports
// controller (changed on another branch at the time of issue 14); delete this line with its last use.
export { type Actor } from '@ledger/application';

const ACTOR = Symbol('actor');

/** The actor of a request (set by ActorMiddleware). */
export function actorOf(req: Request): Actor {
  return (req as unknown as { [ACTOR]?: Actor })[ACTOR] ?? ANONYMOUS;
}

export function setActor(req: Request, actor: Actor): void {
  (req as unknown as { [ACTOR]?: Actor })[ACTOR] = actor;
}
