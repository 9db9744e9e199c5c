import { eventIdsFor } from './event-ids';
import type { EventMetadata, EventStore, JsonObject, RecordedEvent } from './event-store.port';

/** Who recorded a command and when: set at the edge, carried in every event's metadata. */
export interface CommandEnvelope {
  commandId: string;
  correlationId: string;
  actor: EventMetadata['actor'];
  /** The instant of recording (ISO 8601), from the edge's clock. */
  recordedAt: string;
  /** The version the caller last saw (`If-Match`); absent: decide on whatever is current. */
  expectedVersion?: number;
  /** The legal basis a request recorded for sharing without consent (DOMAIN.md 6), kept in metadata. */
  legalBasis?: string;
}

export interface Decider<S, E extends { type: string; data: unknown }, R> {
  initial: () => S;
  evolve: (state: S, event: E, eventId: string) => S;
  /** The state a whole stream folds to, when the decider has a faster way than `evolve` event by event. */
  fold?: (history: { event: E; eventId: string }[]) => S;
  decide: (state: S) => { ok: true; events: E[] } | { ok: false; rejection: R };
}

export type CommandOutcome<R> =
  | {
      kind: 'recorded';
      /** The command's events as stored (on a replay, those recorded the first time). */
      events: CommandEvent[];
      /** The stream's version after the command (on a replay, right after the first try). */
      version: number;
      /** True when this was a retry of a command already recorded: nothing new was written. */
      replayed: boolean;
    }
  | { kind: 'rejected'; rejection: R; version: number }
  | { kind: 'conflict'; expected: number; actual: number };

/** An event a command recorded: enough to answer the request. */
export interface CommandEvent {
  eventId: string;
  type: string;
  version: number;
  data: JsonObject;
}

const SCHEMA_VERSION = 1;

function toCommandEvent(event: RecordedEvent): CommandEvent {
  return { eventId: event.metadata.eventId, type: event.type, version: event.version, data: event.data };
}

/**
 * Load → decide → append, for one stream. A retried command (same command id, from the
 * `Idempotency-Key`) finds its events already in the stream and is answered as the first time
 * without deciding again. Without `expectedVersion`, a concurrent writer's append makes this
 * re-read and decide again (a few times); with it, a stale version is a conflict.
 */
export async function handleCommand<S, E extends { type: string; data: unknown }, R>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, E, R>,
  envelope: CommandEnvelope,
): Promise<CommandOutcome<R>> {
  const [firstId] = eventIdsFor(envelope.commandId, 1);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stream = await store.readStream(streamId);
    const earlier = stream.events.filter((e) => e.metadata.commandId === envelope.commandId);
    if (earlier.some((e) => e.metadata.eventId === firstId)) {
      return { kind: 'recorded', events: earlier.map(toCommandEvent), version: earlier[earlier.length - 1].version, replayed: true };
    }
    if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== stream.version) {
      return { kind: 'conflict', expected: envelope.expectedVersion, actual: stream.version };
    }
    let state: S;
    if (decider.fold) state = decider.fold(stream.events.map((event) => ({ event: { type: event.type, data: event.data } as E, eventId: event.metadata.eventId })));
    else {
      state = decider.initial();
      for (const event of stream.events) state = decider.evolve(state, { type: event.type, data: event.data } as E, event.metadata.eventId);
    }
    const decision = decider.decide(state);
    if (!decision.ok) return { kind: 'rejected', rejection: decision.rejection, version: stream.version };
    if (decision.events.length === 0) return { kind: 'recorded', events: [], version: stream.version, replayed: false };

    const ids = eventIdsFor(envelope.commandId, decision.events.length);
    const result = await store.append(
      streamId,
      decision.events.map((event, i) => ({
        type: event.type,
        data: event.data as JsonObject,
        metadata: {
          eventId: ids[i],
          commandId: envelope.commandId,
          correlationId: envelope.correlationId,
          causationId: envelope.commandId,
          actor: envelope.actor,
          recordedAt: envelope.recordedAt,
          schemaVersion: SCHEMA_VERSION,
          ...(envelope.legalBasis !== undefined ? { legalBasis: envelope.legalBasis } : {}),
        },
      })),
      { expectedVersion: stream.version === 0 ? 'no_stream' : stream.version },
    );
    if (result.kind === 'appended') {
      const first = result.nextExpectedVersion - decision.events.length + 1;
      const events = decision.events.map((event, i) => ({ eventId: ids[i], type: event.type, version: first + i, data: event.data as JsonObject }));
      return { kind: 'recorded', events, version: result.nextExpectedVersion, replayed: result.idempotent };
    }
    if (envelope.expectedVersion !== undefined) return { kind: 'conflict', expected: envelope.expectedVersion, actual: result.actual };
    // Someone else appended between our read and our append: decide again on the new state.
  }
  const current = await store.readStream(streamId, { limit: 0 });
  return { kind: 'conflict', expected: envelope.expectedVersion ?? current.version, actual: current.version };
}
