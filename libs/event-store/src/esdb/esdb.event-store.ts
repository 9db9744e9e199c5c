import {
  ANY,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  type Position,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  type AllRead,
  type AppendOptions,
  type AppendResult,
  type BulkAppendItem,
  type BulkAppendResult,
  comparePositions,
  type EventMetadata,
  type EventStore,
  EventStoreUnavailableError,
  EventStoreUsageError,
  type ExpectedVersion,
  type JsonObject,
  type LogFilter,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamRead,
  type SubscribeOptions,
  type Subscription,
  type VersionConflict,
} from '../event-store.port';
import { followLog } from '../subscription';

export interface EsdbEventStoreOptions {
  /** Poll interval of live subscriptions if the server's push subscription drops (ms). */
  pollIntervalMs?: number;
  /** How long a catch-up read waits for more events from a server that never says "caught up" (ms). */
  quietMs?: number;
}

/**
 * The event store on EventStoreDB / KurrentDB through `@eventstore/db-client` (the only module
 * allowed to import it). Streams map one to one; categories are stream-name prefixes (`family-`);
 * `$all` reads use a server-side stream-name filter that also leaves out system streams.
 *
 * Differences from PostgreSQL, made explicit here:
 * - EventStoreDB revisions start at 0: revision r is our version r + 1.
 * - There are no cross-stream transactions, so `appendMany` is atomic per stream only.
 * - "Unavailable" (gRPC code 14, `UnavailableError`) becomes EventStoreUnavailableError.
 */
export class EsdbEventStore implements EventStore {
  private closed = false;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbEventStoreOptions,
  ) {}

  static connect(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString`${connectionString}`, options);
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new EventStoreUsageError('append needs at least one event');
    const expected = options.expectedVersion ?? 'any';
    const eventIds = events.map((e) => e.metadata.eventId);
    const earlier = await this.findRecorded(streamId, eventIds, expected);
    if (earlier) return earlier;
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ id: e.metadata.eventId, type: e.type, data: e.data, metadata: e.metadata })),
        { expectedRevision: toRevision(expected) },
      );
      return {
        kind: 'appended',
        streamId,
        nextExpectedVersion: Number(result.nextExpectedRevision) + 1,
        position: result.position ?? { commit: 0n, prepare: 0n },
        eventIds,
        idempotent: false,
      };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const retried = await this.findRecorded(streamId, eventIds, expected);
        if (retried) return retried;
        const current = error.actualVersion;
        return { kind: 'conflict', streamId, expected, actual: current === NO_STREAM || typeof current !== 'bigint' ? 0 : Number(current) + 1 };
      }
      throw mapEsdbError(error);
    }
  }

  /** EventStoreDB has no cross-stream transaction: each stream is appended atomically on its own. */
  async appendMany(items: readonly BulkAppendItem[]): Promise<BulkAppendResult> {
    const conflicts: VersionConflict[] = [];
    let appendedEvents = 0;
    let skippedRetries = 0;
    let position: { commit: bigint; prepare: bigint } | null = null;
    for (const item of items) {
      const result = await this.append(item.streamId, item.events, { expectedVersion: item.expectedVersion ?? 'any' });
      if (result.kind === 'conflict') conflicts.push(result);
      else if (result.idempotent) skippedRetries += 1;
      else {
        appendedEvents += item.events.length;
        position = result.position;
      }
    }
    if (conflicts.length > 0) return { kind: 'conflict', conflicts };
    return { kind: 'appended', appendedEvents, skippedRetries, position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StreamRead> {
    const after = options.afterVersion ?? 0;
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: after > 0 ? BigInt(after) : START,
        direction: FORWARDS,
        ...(options.limit !== undefined ? { maxCount: options.limit } : {}),
      })) {
        if (resolved.event) events.push(toRecorded(resolved as AllStreamResolvedEvent));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { streamId, version: 0, events: [] };
      throw mapEsdbError(error);
    }
    return { streamId, version: await this.currentVersion(streamId, events), events };
  }

  /**
   * Reads `$all` after a position with the server-side stream-name filter. Client 6.2's `readAll`
   * takes no filter, so this reads through a catch-up subscription (which does, and which starts
   * after `fromPosition`, exclusive) and ends it at `limit` events or when the server says it has
   * caught up.
   */
  async readAll(options: ReadAllOptions = {}): Promise<AllRead> {
    const after = options.after ?? null;
    const limit = Math.max(1, Math.min(options.limit ?? 1_000, 100_000));
    const events: RecordedEvent[] = [];
    const subscription = this.client.subscribeToAll({ fromPosition: after ?? START, filter: toFilter(options.filter) });
    let caughtUp = false;
    try {
      await new Promise<void>((resolve, reject) => {
        let quiet: NodeJS.Timeout | undefined;
        const finish = (): void => {
          clearTimeout(quiet);
          resolve();
        };
        // Servers older than 23.10 send no "caught up": treat a quiet second as the end.
        const arm = (): void => {
          clearTimeout(quiet);
          quiet = setTimeout(() => {
            caughtUp = true;
            finish();
          }, this.options.quietMs ?? 1_000);
        };
        arm();
        subscription.on('data', (resolved: AllStreamResolvedEvent) => {
          if (!resolved.event) return;
          const event = toRecorded(resolved);
          if (after && comparePositions(event.position, after) <= 0) return;
          if (events.length < limit) events.push(event);
          if (events.length >= limit) finish();
          else arm();
        });
        subscription.on('caughtUp', () => {
          caughtUp = true;
          finish();
        });
        subscription.on('error', (error: unknown) => {
          clearTimeout(quiet);
          reject(mapEsdbError(error));
        });
      });
    } finally {
      await subscription.unsubscribe().catch(() => undefined);
    }
    return { events, next: events.at(-1)?.position ?? after, endOfLog: caughtUp && events.length < limit };
  }

  subscribe(options: SubscribeOptions): Subscription {
    const waiters = new Set<() => void>();
    const wake = (): void => {
      for (const w of [...waiters]) w();
    };
    // The server pushes new events from the end of $all; we use that only as a wake-up and read
    // in batches with readAll, so catch-up, batching and checkpoints behave as on PostgreSQL.
    const push = this.client.subscribeToAll({ fromPosition: END, filter: toFilter(options.filter) });
    push.on('data', wake);
    push.on('error', () => undefined);
    const subscription = followLog(this, options, {
      waitForMore: () =>
        new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, this.options.pollIntervalMs ?? 1_000);
          waiters.add(done);
        }),
      isClosed: () => this.closed,
      interrupt: wake,
    });
    return {
      done: subscription.done,
      async stop() {
        await subscription.stop();
        await push.unsubscribe().catch(() => undefined);
      },
    };
  }

  async ping(): Promise<void> {
    try {
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) break;
    } catch (error) {
      throw mapEsdbError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  /**
   * Looks for this append's event ids where a retry would have put them, so a retried command
   * answers `idempotent: true` instead of appending twice or reporting a conflict.
   */
  private async findRecorded(streamId: string, eventIds: string[], expected: ExpectedVersion): Promise<AppendResult | null> {
    const wanted = new Set(eventIds);
    const found: RecordedEvent[] = [];
    try {
      const reader =
        typeof expected === 'number'
          ? this.client.readStream(streamId, { fromRevision: expected > 0 ? BigInt(expected) : START, direction: FORWARDS, maxCount: eventIds.length })
          : this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: Math.max(100, eventIds.length) });
      for await (const resolved of reader) {
        if (resolved.event && wanted.has(resolved.event.id)) found.push(toRecorded(resolved as AllStreamResolvedEvent));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw mapEsdbError(error);
    }
    if (found.length === 0) return null;
    if (found.length !== eventIds.length) throw new EventStoreUsageError('event ids of this append are already recorded for other events (command id reused?)');
    found.sort((a, b) => a.version - b.version);
    const last = found[found.length - 1];
    if (!last) return null;
    return { kind: 'appended', streamId, nextExpectedVersion: last.version, position: last.position, eventIds, idempotent: true };
  }

  private async currentVersion(streamId: string, read: RecordedEvent[]): Promise<number> {
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
        if (resolved.event) return Number(resolved.event.revision) + 1;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 0;
      throw mapEsdbError(error);
    }
    return read.at(-1)?.version ?? 0;
  }
}

function toRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream' || expected === 0) return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected - 1);
}

/** Our streams only: the categories asked for, or every non-system stream. */
function toFilter(filter: LogFilter | undefined) {
  if (filter?.categories && filter.categories.length > 0) {
    return streamNameFilter({ prefixes: filter.categories.map((c) => `${c}-`) });
  }
  return streamNameFilter({ regex: '^[^$]' });
}

function toRecorded(resolved: AllStreamResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (!event) throw new EventStoreUsageError('link without its event');
  const position: Position = event.position ?? { commit: resolved.commitPosition ?? 0n, prepare: resolved.commitPosition ?? 0n };
  return {
    streamId: event.streamId,
    version: Number(event.revision) + 1,
    type: event.type,
    data: (event.isJson ? event.data : {}) as JsonObject,
    metadata: (event.metadata ?? {}) as EventMetadata,
    position,
  };
}

/** gRPC code 14 (UNAVAILABLE) on appends, UnavailableError on reads: both mean "store unavailable". */
export function mapEsdbError(error: unknown): unknown {
  if (error instanceof EventStoreUnavailableError) return error;
  const code = (error as { code?: number } | null)?.code;
  if (error instanceof UnavailableError || code === 14) {
    return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return error;
}
