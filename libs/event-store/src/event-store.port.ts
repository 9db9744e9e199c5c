/**
 * The EventStore port: the only way the ledger records and reads facts.
 *
 * Streams are named `<category>-<id>` (`family-…`, `claim-…`, `programme-…`, `outcomePlan-…`);
 * the category is the text before the first dash, as in EventStoreDB.
 *
 * Versions: a stream's version is the number of events in it, so the first event of a stream is
 * version 1 and an empty (absent) stream has version 0. (EventStoreDB counts revisions from 0; its
 * adapter maps revision r to version r + 1.)
 *
 * Positions: the global log is ordered by a two-part position `{ commit, prepare }`, compared
 * commit-first. On PostgreSQL `commit` is the appending transaction's id and `prepare` the row's
 * sequence number; on EventStoreDB they are its own commit/prepare positions. A reader hands the
 * last position it processed back as its checkpoint, and the store never returns an event at or
 * before it, nor skips one after it: order and checkpoint use the same key.
 */
export interface EventStore {
  /**
   * Appends events to one stream atomically if the stream is at `expectedVersion`.
   * A version conflict is returned as a value, never thrown. Event ids are given by the caller
   * (derive them from the command id with `eventIdsFor`): when every id is already recorded in
   * that stream, nothing is written and the first result is returned with `idempotent: true`.
   * @throws EventStoreUnavailableError when the store cannot be reached.
   */
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;

  /**
   * Appends many streams' events in bulk (imports). All or nothing: a conflict in any stream
   * records nothing and returns every conflict. Items whose events are all already recorded are
   * skipped as retries.
   */
  appendMany(items: readonly BulkAppendItem[]): Promise<BulkAppendResult>;

  /**
   * Appends to a few streams in one transaction, all or nothing (issue 22.3: an attachment and
   * the place of the allocation it takes), in one round trip where the store can: each item as
   * `append` would (its expected version; its events a retry, `idempotent`, when all their ids are
   * recorded in that stream). A conflict in any item records nothing and returns every conflict;
   * otherwise every item's result is returned, in the order given. Absent where the store cannot
   * write several streams in one transaction (EventStoreDB): callers append stream by stream.
   * @throws EventStoreUsageError for ids recorded for other events, as `append`.
   */
  appendAtomically?(items: readonly BulkAppendItem[]): Promise<AtomicAppendResult>;

  /** Reads a stream in version order; an absent stream reads as empty with version 0. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StreamRead>;

  /**
   * Reads many whole streams at once (imports decide on thousands of families), each as
   * `readStream` reads it, in the order asked; where absent, callers read them one by one.
   */
  readStreams?(streamIds: readonly string[]): Promise<StreamRead[]>;

  /**
   * Reads the global log after `after` (exclusive; absent = from the start), at most `limit`
   * events, in log order. Never returns an event whose transaction could still be followed by an
   * earlier-positioned one, so a reader that resumes from the last position it saw misses nothing.
   */
  readAll(options?: ReadAllOptions): Promise<AllRead>;

  /**
   * Delivers the global log from a checkpoint in batches, then follows the live tail.
   * The handler's promise is awaited before the next batch (back-pressure); if it rejects, the
   * subscription stops and `done` rejects with that error.
   */
  subscribe(options: SubscribeOptions): Subscription;

  /**
   * The position of the last committed event of each category (absent: none), whether or not
   * `readAll` shows it yet: an event committed while an older transaction is still open is
   * committed but not yet readable. A reader that must see what was committed before it began
   * (a settled read of a read model) waits until it has read up to these positions. Where
   * `readAll` shows every committed event at once (EventStoreDB), this is absent.
   */
  committedHeads?(categories: readonly string[]): Promise<Map<string, LogPosition>>;

  /** How many events the log holds (optionally of some categories), where the store can count cheaply. */
  countEvents?(filter?: LogFilter): Promise<number>;

  /**
   * The log as a table that `sql` can query, when the store keeps it in that same database
   * (PostgreSQL and PGlite, given their own client); otherwise absent or `null`. Projections then
   * apply batches with `insert … select` from the log instead of moving every event through Node.
   */
  logInDatabase?(sql: unknown): LogInDatabase | null;

  /** Cheap reachability check for readiness probes; throws EventStoreUnavailableError. */
  ping(): Promise<void>;

  /** Releases connections and listeners. */
  close(): Promise<void>;
}

/** A range of the log, `(after, upTo]`, of one category, as SQL over the store's own table. */
export interface LogInDatabase {
  /**
   * The end of the next at most `limit` events of these categories after `after` (exclusive),
   * stopping, like `readAll`, before any transaction that could still be followed by an
   * earlier-positioned one; `null` when there is none.
   */
  nextRange(after: LogPosition | null, limit: number, categories: readonly string[]): Promise<{ upTo: LogPosition; events: number } | null>;
  /**
   * A subquery (use it as `from (…) e`) of the events of one category in `(after, upTo]`,
   * optionally of some types only, with columns `stream_id`, `stream_key` (the stream id after
   * its category's dash), `version`, `event_id`, `type`, `data`, `metadata`, `recorded_at`
   * (the metadata's recording instant), `transaction_id`, `global_position`. Values are inlined
   * as checked literals, so the text needs no parameters.
   */
  events(range: { after: LogPosition | null; upTo: LogPosition }, category: string, types?: readonly string[]): string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who did it, on whose behalf, and when it was recorded (an instant, set at the edge). */
export interface EventMetadata {
  eventId: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: { userId: string; role: string; organisation?: string };
  recordedAt: string;
  schemaVersion: number;
  [key: string]: JsonValue | undefined | EventMetadata['actor'];
}

export interface NewEvent {
  /** Stable type string, equal to the TypeScript type name (e.g. `FamilyAttached`). */
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  /** Position of the event in its stream, 1-based. */
  version: number;
  position: LogPosition;
}

/** A position in the global log; compare with `comparePositions`. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

/**
 * `'any'`: append whatever the version; `'no_stream'`: the stream must not exist;
 * `'stream_exists'`: it must exist; a number: the stream must be at exactly that version.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
}

export type AppendResult = AppendSuccess | VersionConflict;

export interface AppendSuccess {
  kind: 'appended';
  streamId: string;
  /** The stream's version after the append: pass it as the next `expectedVersion`. */
  nextExpectedVersion: number;
  /** Position of the last event appended. */
  position: LogPosition;
  eventIds: string[];
  /** True when the events were already recorded by an earlier try of the same command. */
  idempotent: boolean;
}

export interface VersionConflict {
  kind: 'conflict';
  streamId: string;
  expected: ExpectedVersion;
  /** The stream's actual version (0 when it does not exist). */
  actual: number;
}

export interface BulkAppendItem {
  streamId: string;
  events: readonly NewEvent[];
  expectedVersion?: ExpectedVersion;
}

export type BulkAppendResult = { kind: 'appended'; appendedEvents: number; skippedRetries: number; position: LogPosition | null } | { kind: 'conflict'; conflicts: VersionConflict[] };

/** `appendAtomically`'s answer: every item's result (in the order given), or the conflicts (nothing recorded). */
export type AtomicAppendResult = { kind: 'appended'; results: AppendSuccess[] } | { kind: 'conflict'; conflicts: VersionConflict[] };

export interface ReadStreamOptions {
  /** Read events with version strictly greater than this (default 0: from the start). */
  afterVersion?: number;
  limit?: number;
}

export interface StreamRead {
  streamId: string;
  /** The stream's current version (0 when absent). */
  version: number;
  events: RecordedEvent[];
}

export interface LogFilter {
  /** Only streams of these categories (`family`, `claim`, …). */
  categories?: readonly string[];
  /**
   * A hint: the reader wants only events of these types. A store may return others too (the
   * EventStoreDB adapter does), so the reader must still skip what it does not handle; PostgreSQL
   * leaves the others in the database.
   */
  types?: readonly string[];
}

export interface ReadAllOptions {
  after?: LogPosition | null;
  limit?: number;
  filter?: LogFilter;
}

export interface AllRead {
  events: RecordedEvent[];
  /**
   * Where to resume: the last position read, or (with a filter) the last position scanned.
   * Equals `after` when there was nothing new.
   */
  next: LogPosition | null;
  /** True when the read stopped at the safe end of the log (no more events visible now). */
  endOfLog: boolean;
}

export interface SubscribeOptions {
  from?: LogPosition | null;
  batchSize?: number;
  filter?: LogFilter;
  /** Called with each batch in log order; `next` is the checkpoint to store after it. */
  handler: (events: RecordedEvent[], next: LogPosition) => Promise<void>;
  /** Called once the subscription has delivered everything visible (it keeps following). */
  onCaughtUp?: (position: LogPosition | null) => void;
}

export interface Subscription {
  /** Stops following; resolves when the current batch (if any) has been handled. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves after `stop()`, rejects on a handler or store error. */
  readonly done: Promise<void>;
}

// The store's faults (unreachable, disk full, damaged) are raised by the SQL clients too, so they
// live in @ledger/sql; the port hands them on under the names every caller knows.
export { EventStoreUnavailableError, StoreFaultError } from '@ledger/sql';

/** Thrown for a request the store refuses as malformed (a programming error, not user input). */
export class EventStoreUsageError extends Error {
  override readonly name = 'EventStoreUsageError';
}

export const START: LogPosition | null = null;

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** The latest of some positions (absent ones skipped); null when there is none. */
export function latestPosition(positions: Iterable<LogPosition | null | undefined>): LogPosition | null {
  let latest: LogPosition | null = null;
  for (const position of positions) if (position && (!latest || comparePositions(position, latest) > 0)) latest = position;
  return latest;
}

/** `commit/prepare`, the form checkpoints are stored and passed in. */
export function formatPosition(p: LogPosition): string {
  return `${p.commit}/${p.prepare}`;
}

export function parsePosition(raw: string): LogPosition {
  const [, commit, prepare] = /^(\d+)\/(\d+)$/.exec(raw) ?? [];
  if (commit === undefined || prepare === undefined) throw new EventStoreUsageError(`not a log position: "${raw}"`);
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
}

/** The category of a stream: the text before the first dash. */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}
