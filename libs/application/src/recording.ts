import { type CommandEnvelope, uuidV5 } from '@ledger/event-store';

/** The application's clock: the only place the api and the cli read the time. Tests provide a fixed one. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

/** The namespace of ids derived from a command id (and of command ids derived from an Idempotency-Key). */
export const COMMAND_NAMESPACE = '0f7c4d2e-9a61-4f0b-b8f3-2d5e7a9c1b44';
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in England at an instant. */
export function londonToday(now: Date): string {
  return londonDate.format(now);
}

export interface Recording {
  envelope: CommandEnvelope;
  /** The calendar day (Europe/London) of recording: business dates after it are refused. */
  recordedOn: string;
  /** Whether the caller sent an Idempotency-Key (ids derived from the request are then stable). */
  keyed: boolean;
}

/** Derives a stable id (a family's, a member's, a concern's) from the command id. */
export function derivedId(commandId: string, what: string): string {
  return uuidV5(`${what}\n${commandId}`, COMMAND_NAMESPACE);
}
