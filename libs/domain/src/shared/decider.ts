import type { Decision, DomainEvent } from './decision';

/**
 * An event as a store hands it back: its type, its plain-data payload and the metadata the edge
 * wrote. The store's own `RecordedEvent` is one (the domain names only what it reads).
 */
export interface StoredEvent {
  type: string;
  data: unknown;
  metadata: { eventId: string; recordedAt: string };
}

/**
 * The one shape of every stream's rules (ARCHITECTURE.md "Deciders"): the state a stream starts
 * from, how one event changes it, and what a command records on it. `decode` is the one step from
 * a stored event to the stream's event type: upcasters of older event shapes go there, and every
 * reader of the stream folds through it. `fold` is a faster way to fold a whole history, when a
 * stream has one (a family's); it gives the state `evolve` gives event by event.
 *
 * `X` is what the edge tells the decider about the moment of recording (dates, actor, the state
 * of other streams it needs); a decider without one takes `undefined`.
 */
export interface Decider<C, E extends DomainEvent, S, X = undefined> {
  initialState: () => S;
  evolve: (state: S, event: E, eventId: string) => S;
  decide: (command: C, state: S, context: X) => Decision<E>;
  decode: (stored: StoredEvent) => E;
  fold?: (history: Iterable<{ event: E; eventId: string }>) => S;
}

/** The state a stream's stored events fold to, through the decider's own decode (and `fold`, when it has one). */
export function foldStored<E extends DomainEvent, S>(decider: Pick<Decider<never, E, S, never>, 'initialState' | 'evolve' | 'decode' | 'fold'>, events: readonly StoredEvent[]): S {
  if (decider.fold) return decider.fold(events.map((e) => ({ event: decider.decode(e), eventId: e.metadata.eventId })));
  let state = decider.initialState();
  for (const e of events) state = decider.evolve(state, decider.decode(e), e.metadata.eventId);
  return state;
}

/** A stored event read as the stream's own type, for streams whose events have had one shape only (no upcaster yet). */
export function plainEvent<E extends DomainEvent>(stored: Pick<StoredEvent, 'type' | 'data'>): E {
  return { type: stored.type, data: stored.data } as E;
}
