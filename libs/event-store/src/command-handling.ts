import type { Decider, DomainEvent, Rejection } from '@ledger/domain';
import { eventIdFor } from './event-ids';
import { type AppendResult, type EventMetadata, type EventStore, EventStoreUsageError, type ExpectedVersion, type JsonObject, type NewEvent, type RecordedEvent } from './event-store.port';

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
  /**
   * For a command sent with an Idempotency-Key: a digest of who sent it and what they sent
   * (`requestDigest`). Kept in the events' metadata; a retry with the same key but another digest
   * (another user, another body) is `reused`, never answered with the first command's events.
   */
  requestHash?: string;
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
  | { kind: 'conflict'; expected: number; actual: number }
  /** The command id (an Idempotency-Key) was used before by another user or with another body: nothing recorded, nothing told. */
  | { kind: 'reused' };

/** An event a command recorded: enough to answer the request. */
export interface CommandEvent {
  eventId: string;
  type: string;
  version: number;
  data: JsonObject;
}

const SCHEMA_VERSION = 1;

/** Whether recorded events of a command were sent by someone else or with another body than this retry. */
function reusedBy(envelope: CommandEnvelope, earlier: readonly RecordedEvent[]): boolean {
  const recorded = earlier[0]?.metadata.requestHash;
  // Events recorded before keys were bound carry no digest: answered as before.
  return envelope.requestHash !== undefined && typeof recorded === 'string' && recorded !== envelope.requestHash;
}

/** A command's decided events as the store records them: ids derived from the command id, the envelope in their metadata. */
export function newEventsOf(envelope: CommandEnvelope, events: readonly DomainEvent[]): NewEvent[] {
  return events.map((event, i) => ({
    type: event.type,
    data: event.data as JsonObject,
    metadata: {
      eventId: eventIdFor(envelope.commandId, i),
      commandId: envelope.commandId,
      correlationId: envelope.correlationId,
      causationId: envelope.commandId,
      actor: envelope.actor,
      recordedAt: envelope.recordedAt,
      schemaVersion: SCHEMA_VERSION,
      ...(envelope.legalBasis !== undefined ? { legalBasis: envelope.legalBasis } : {}),
      ...(envelope.requestHash !== undefined ? { requestHash: envelope.requestHash } : {}),
    },
  }));
}

/** The expected version of an append decided on a stream read at `version` (0: the stream must not exist). */
export function expectedVersionOf(version: number): ExpectedVersion {
  return version === 0 ? 'no_stream' : version;
}

function toCommandEvent(event: RecordedEvent): CommandEvent {
  return { eventId: event.metadata.eventId, type: event.type, version: event.version, data: event.data };
}

export interface StreamStateCacheOptions {
  /** How many streams are remembered; the least recently used is dropped beyond it. */
  maxStreams?: number;
  /** How long a state folded from a whole read is trusted, in milliseconds. */
  ttlMs?: number;
  /** The clock the lifetime is measured by (tests). */
  now?: () => number;
}

interface CachedStream<S> {
  version: number;
  state: S;
  /** Every event id in the stream up to `version`: a retried command is recognised by its first id. */
  eventIds: ReadonlySet<string>;
  /** When the whole stream was last read; the entry expires `ttlMs` after it, however often it is used. */
  readAt: number;
}

/**
 * The folded states of the streams a command handler used lately, with the state after each
 * command's own append, so that a command decides on the state it remembers and appends with its
 * version as expected version, reading nothing first (`decideOnStream`): what other writers and
 * processes appended since is a version conflict, and only then is the tail after the remembered
 * state read (one short read, the events after it folded). `loadStream` always reads that tail. A
 * stream whose version went backwards (a restored database) is read whole again.
 *
 * The states hold opened personal data. An entry lives at most `ttlMs` after the whole stream
 * was read (default 60 s, the key vault's own cache time), so an erasure by another process is
 * honoured within that, as it is for keys; an erasure in this process calls `forget` at once.
 * States are never mutated (deciders' `evolve` returns a new state), so concurrent commands on
 * one stream may share one.
 */
export class StreamStateCache<S> {
  private readonly entries = new Map<string, CachedStream<S>>();
  private readonly maxStreams: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: StreamStateCacheOptions = {}) {
    this.maxStreams = Math.max(1, options.maxStreams ?? 1_000);
    this.ttlMs = options.ttlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The stream's remembered state, if any and still fresh (and marks it recently used). */
  get(streamId: string): CachedStream<S> | undefined {
    const entry = this.entries.get(streamId);
    if (!entry) return undefined;
    this.entries.delete(streamId);
    if (this.now() - entry.readAt >= this.ttlMs) return undefined;
    this.entries.set(streamId, entry);
    return entry;
  }

  /**
   * The state after a command's own append at `from` (its expected version, so nothing came
   * between): remembered in place of the entry at `from`, keeping that entry's lifetime. Nothing
   * is remembered when the entry is gone (forgotten, expired, evicted) or has moved on.
   */
  advance(streamId: string, from: number, entry: { version: number; state: S; eventIds: ReadonlySet<string> }): void {
    const current = this.entries.get(streamId);
    if (!current || current.version !== from || this.now() - current.readAt >= this.ttlMs) return;
    this.entries.set(streamId, { ...entry, readAt: current.readAt });
  }

  /** Remembers a state; an older version than the one remembered is ignored (commands finish out of order). */
  remember(streamId: string, entry: { version: number; state: S; eventIds: ReadonlySet<string> }, readAt = this.now()): void {
    const current = this.entries.get(streamId);
    if (current && current.version > entry.version) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, { ...entry, readAt });
    // From the least recently used end: beyond maxStreams, and any expired state met before a
    // fresh one (issue 15.3: an expired state used to stay, opened personal data and all, until
    // maxStreams others pushed it out).
    const now = this.now();
    for (const [id, held] of this.entries) {
      if (this.entries.size <= this.maxStreams && now - held.readAt < this.ttlMs) break;
      this.entries.delete(id);
    }
  }

  /** Whether a state of the stream is held at all, fresh or not (let go by `get`, `forget`, eviction, or once expired when another is remembered). */
  holds(streamId: string): boolean {
    return this.entries.has(streamId);
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }
}

/** A stream's state as read: its version, its folded state, and every event id in it. */
export interface LoadedStream<S> {
  version: number;
  state: S;
  eventIds: ReadonlySet<string>;
}

/**
 * The stream's state: from the cache and the events after it when remembered (one short read),
 * else from the whole stream (one read). Every stored event goes through the decider's `decode`.
 */
export async function loadStream<E extends DomainEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<never, E, S, never>, 'initialState' | 'evolve' | 'decode' | 'fold'>,
  cache?: StreamStateCache<S>,
): Promise<LoadedStream<S>> {
  const cached = cache?.get(streamId);
  if (cache && cached) {
    const tail = await store.readStream(streamId, { afterVersion: cached.version });
    if (tail.version >= cached.version && (tail.events.length === 0 || tail.events[0]?.version === cached.version + 1)) {
      if (tail.events.length === 0) return cached;
      let state = cached.state;
      const eventIds = new Set(cached.eventIds);
      for (const event of tail.events) {
        state = decider.evolve(state, decider.decode(event), event.metadata.eventId);
        eventIds.add(event.metadata.eventId);
      }
      const loaded = { version: tail.version, state, eventIds };
      cache.remember(streamId, loaded, cached.readAt);
      return loaded;
    }
    // Not the stream that was remembered (its version went back): read it whole.
    cache.forget(streamId);
  }
  const stream = await store.readStream(streamId);
  let state: S;
  if (decider.fold) state = decider.fold(stream.events.map((event) => ({ event: decider.decode(event), eventId: event.metadata.eventId })));
  else {
    state = decider.initialState();
    for (const event of stream.events) state = decider.evolve(state, decider.decode(event), event.metadata.eventId);
  }
  const loaded = { version: stream.version, state, eventIds: new Set(stream.events.map((e) => e.metadata.eventId)) };
  if (cache && stream.version > 0) cache.remember(streamId, loaded);
  return loaded;
}

export interface CommandOptions<S> {
  /**
   * Folded states of streams used lately: a remembered state is decided on and appended to at its
   * version without a read (a conflict reads the tail after it); otherwise the tail is read, not
   * the whole stream. The state after the command's append is remembered.
   */
  cache?: StreamStateCache<S>;
  /**
   * The stream as the caller has just read it (with `loadStream`): decided on at the first
   * attempt without reading it again. A concurrent append is still caught by the expected version.
   */
  loaded?: LoadedStream<S>;
}

/** A command's outcome, and the stream's state after it (null when nothing was decided on: a replay, a conflict, a reused key). */
export interface CommandResult<S> {
  outcome: CommandOutcome<Rejection>;
  state: S | null;
}

/**
 * Load → decide → append, for one stream. A retried command (same command id, from the
 * `Idempotency-Key`) finds its events already in the stream and is answered as the first time
 * without deciding again. Without `expectedVersion`, a concurrent writer's append makes this
 * re-read and decide again (a few times); with it, a stale version is a conflict. With a `cache`,
 * the stream's state is folded from the remembered state and the events after it.
 */
export async function handleCommand<C, E extends DomainEvent, S, X>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S, X>,
  command: C,
  context: X,
  envelope: CommandEnvelope,
  options: CommandOptions<S> = {},
): Promise<CommandOutcome<Rejection>> {
  return (await decideOnStream(store, streamId, decider, command, context, envelope, options)).outcome;
}

/** `handleCommand`, also answering the stream's state after the command (for a handler that decides on another stream next). */
export async function decideOnStream<C, E extends DomainEvent, S, X>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S, X>,
  command: C,
  context: X,
  envelope: CommandEnvelope,
  options: CommandOptions<S> = {},
): Promise<CommandResult<S>> {
  const firstId = eventIdFor(envelope.commandId, 0);
  // Issue 22.3: a remembered state is decided on without reading the stream's tail first (one
  // round trip, the append). Its version is the append's expected version, so anything appended
  // since (by anyone) is a conflict and the tail is read then. Only a command the state would
  // append for is answered that way: one it refuses, or for which it decides nothing, or whose
  // If-Match it does not match, is decided again on the stream as read, and so is one whose
  // events turn out already recorded (a retry recorded after the remembered state).
  let unchecked: LoadedStream<S> | undefined = options.loaded === undefined ? options.cache?.get(streamId) : undefined;
  const attempts = unchecked ? 6 : 5;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const optimistic = unchecked !== undefined;
    const stream = unchecked ?? (attempt === 0 && options.loaded ? options.loaded : await loadStream(store, streamId, decider, options.cache));
    unchecked = undefined;
    if (stream.eventIds.has(firstId)) {
      // A retry: answered from the stream as recorded the first time.
      const whole = await store.readStream(streamId);
      const earlier = whole.events.filter((e) => e.metadata.commandId === envelope.commandId);
      if (earlier.some((e) => e.metadata.eventId === firstId)) {
        if (reusedBy(envelope, earlier)) return { outcome: { kind: 'reused' }, state: null };
        return { outcome: { kind: 'recorded', events: earlier.map(toCommandEvent), version: earlier.at(-1)?.version ?? stream.version, replayed: true }, state: null };
      }
    }
    if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== stream.version) {
      if (optimistic) continue;
      return { outcome: { kind: 'conflict', expected: envelope.expectedVersion, actual: stream.version }, state: null };
    }
    const decision = decider.decide(command, stream.state, context);
    if (!decision.ok) {
      if (optimistic) continue;
      return { outcome: { kind: 'rejected', rejection: decision.rejection, version: stream.version }, state: stream.state };
    }
    if (decision.events.length === 0) {
      if (optimistic) continue;
      return { outcome: { kind: 'recorded', events: [], version: stream.version, replayed: false }, state: stream.state };
    }

    let result: AppendResult;
    try {
      result = await store.append(streamId, newEventsOf(envelope, decision.events), { expectedVersion: expectedVersionOf(stream.version) });
    } catch (error) {
      // Decided on a remembered state, a retry recorded since may have had other events (the
      // store refuses ids recorded for other events): decided again on the stream as read, where
      // the retry is found and answered as the first time.
      if (optimistic && error instanceof EventStoreUsageError) continue;
      throw error;
    }
    if (result.kind === 'appended') {
      // Recorded since the remembered state: answered from the stream, as read, not from this decision.
      if (result.idempotent && optimistic) continue;
      if (result.idempotent && envelope.requestHash !== undefined) {
        // A concurrent request with the same key got there first: answer only if it was this one.
        const earlier = (await store.readStream(streamId)).events.filter((e) => e.metadata.commandId === envelope.commandId);
        if (reusedBy(envelope, earlier)) return { outcome: { kind: 'reused' }, state: null };
      }
      const first = result.nextExpectedVersion - decision.events.length + 1;
      const events = decision.events.map((event, i) => ({ eventId: eventIdFor(envelope.commandId, i), type: event.type, version: first + i, data: event.data as JsonObject }));
      let after: S | null = null;
      if (!result.idempotent) {
        let state = stream.state;
        const eventIds = new Set(stream.eventIds);
        decision.events.forEach((event, i) => {
          state = decider.evolve(state, event, eventIdFor(envelope.commandId, i));
          eventIds.add(eventIdFor(envelope.commandId, i));
        });
        after = state;
        // Appended at the version decided on: the stream is now exactly this state, so the next
        // command on it needs no read at all.
        options.cache?.advance(streamId, stream.version, { version: result.nextExpectedVersion, state, eventIds });
      }
      return { outcome: { kind: 'recorded', events, version: result.nextExpectedVersion, replayed: result.idempotent }, state: after };
    }
    if (envelope.expectedVersion !== undefined) return { outcome: { kind: 'conflict', expected: envelope.expectedVersion, actual: result.actual }, state: null };
    // Someone else appended between our read and our append: decide again on the new state.
  }
  const current = await store.readStream(streamId, { limit: 0 });
  return { outcome: { kind: 'conflict', expected: envelope.expectedVersion ?? current.version, actual: current.version }, state: null };
}
