import type { Decision, DomainEvent, Rejection } from './decision';
import type { Decider } from './decider';

/**
 * The test language for deciders (STYLE.md "A decider spec"): given the events already recorded,
 * when a command is decided, then these events are recorded, or the command is refused by a named
 * rule, or nothing needs recording.
 *
 * Only specs import this file. It uses Jest's `expect`, so it must never be imported by code that
 * runs outside a test.
 */
export type SpecDecider<C, E extends DomainEvent, S, X> = Pick<Decider<C, E, S, X>, 'initialState' | 'evolve' | 'decide'>;

/** A given event with the id it was recorded under, for scenarios that name it (a correction). */
export interface RecordedEvent<E> {
  eventId: string;
  event: E;
}

export interface GivenHistory<C, E extends DomainEvent, S, X> {
  /** The state the given events fold to. */
  state: S;
  when: (command: C, context?: X) => Outcome<E>;
}

export interface Outcome<E> {
  then: (...events: E[]) => void;
  thenRejected: (reason: string, kind?: Rejection['kind']) => void;
  thenNothing: () => void;
}

/**
 * `deciderSpec(decider, context)`: the context (recording date, actor, programme) is what the edge
 * would pass; `when(command, context)` may override it for one scenario. Given plain events are
 * recorded under ids `e1, e2, ...` by their position; a `{ eventId, event }` pair keeps its own id.
 */
export function deciderSpec<C, E extends DomainEvent, S, X = undefined>(decider: SpecDecider<C, E, S, X>, ...defaultContext: X extends undefined ? [] : [X]) {
  const given = (...history: (E | RecordedEvent<E>)[]): GivenHistory<C, E, S, X> => {
    const state = history.reduce((current, item, index) => {
      const { eventId, event } = isRecorded(item) ? item : { eventId: `e${index + 1}`, event: item };
      return decider.evolve(current, event, eventId);
    }, decider.initialState());
    return {
      state,
      when: (command, context = defaultContext[0] as X) => outcomeOf(decider.decide(command, state, context)),
    };
  };
  return { given };
}

function outcomeOf<E>(decision: Decision<E>): Outcome<E> {
  // Compared as one value so a failing scenario shows what was decided instead.
  const seen = decision.ok ? { accepted: decision.events } : { rejected: decision.rejection.reason, kind: decision.rejection.kind, message: decision.rejection.message };
  return {
    then: (...events) => expect(seen).toEqual({ accepted: events }),
    thenNothing: () => expect(seen).toEqual({ accepted: [] }),
    thenRejected: (reason, kind) => expect(seen).toEqual({ rejected: reason, kind: kind ?? expect.any(String), message: expect.any(String) }),
  };
}

function isRecorded<E>(item: E | RecordedEvent<E>): item is RecordedEvent<E> {
  return typeof item === 'object' && item !== null && 'eventId' in item && 'event' in item;
}
