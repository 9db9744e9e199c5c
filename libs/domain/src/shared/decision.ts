/**
 * A decider's answer: the events to record, or a named rule that refused the command.
 * Rejections are values, mapped once to HTTP at the edge (422 with `reason`, or 404 / 409 for
 * the few that mean "no such thing" or "already there").
 */
export type Decision<E> = { ok: true; events: E[] } | { ok: false; rejection: Rejection };

export interface Rejection {
  /** The rule's name, e.g. `FewerThanTwoHeadlineProblems`. */
  reason: string;
  /** A sentence for the person who sent the command. */
  message: string;
  /** How the edge answers: a broken business rule, an unknown thing, or a duplicate. */
  kind: 'rule' | 'not-found' | 'duplicate';
}

export function accept<E>(...events: E[]): Decision<E> {
  return { ok: true, events };
}

export function reject<E>(reason: string, message: string, kind: Rejection['kind'] = 'rule'): Decision<E> {
  return { ok: false, rejection: { reason, message, kind } };
}

/** Every fact's event in the store: its type and plain-data payload (metadata is added at the edge). */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

/** What the edge tells a decider about the moment of recording: a business date, never a clock read. */
export interface RecordingContext {
  /** The calendar date (Europe/London) on which the command is being recorded. */
  recordedOn: string;
  /** Who is recording it (user id). */
  actorId: string;
}
