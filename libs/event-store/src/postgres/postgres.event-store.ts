import {
  type AllRead,
  type AppendOptions,
  type AppendResult,
  type AppendSuccess,
  type AtomicAppendResult,
  type BulkAppendItem,
  type BulkAppendResult,
  categoryOf,
  comparePositions,
  latestPosition,
  type EventStore,
  EventStoreUnavailableError,
  EventStoreUsageError,
  type ExpectedVersion,
  type LogInDatabase,
  type LogPosition,
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
import { quoteIdent } from '@ledger/sql';
import { migrateEventStore } from './schema';
import { copyField, oneRow, type SqlClient } from '@ledger/sql';

export interface PostgresEventStoreOptions {
  /** Schema holding the store's tables (default `ledger`). */
  schema?: string;
  /** Fallback poll interval of live subscriptions when no NOTIFY arrives (ms). */
  pollIntervalMs?: number;
  /**
   * Called inside an append's transaction just before it commits. Used by the contract suite to
   * make transactions commit out of order; never set in production.
   */
  beforeCommit?: (streamId: string) => Promise<void>;
  /** Create or migrate the tables on open (default true). Off for a process that must not change the schema. */
  migrate?: boolean;
  /**
   * Group commit (default on): appends that arrive while others are being written (or in the
   * same tick) share one transaction and one commit, each with its own expected-version check and
   * its own answer (see `append`). `false` writes every append in a transaction of its own.
   */
  groupCommit?: boolean | GroupCommitLimits;
}

export interface GroupCommitLimits {
  /** Most appends in one group (default 64: within PostgreSQL's cache of a transaction's subtransactions). */
  maxAppends?: number;
  /** Most groups being written at once, each on a connection of its own (default 2). */
  maxInFlight?: number;
}

/** Default limits of group commit (see `GroupCommitLimits`). */
const GROUP_MAX_APPENDS = 64;
const GROUP_MAX_IN_FLIGHT = 2;
/** Tries of one append whose stream was created, or whose ids were taken, by a concurrent transaction. */
const APPEND_ATTEMPTS = 6;

interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  version: string | number;
  event_id: string;
  type: string;
  data: RecordedEvent['data'];
  metadata: RecordedEvent['metadata'];
}

// Columns are cast to text so pg and PGlite return the same shapes; ORDER BY must therefore name
// the table's columns (e.x), never these aliases, or positions would sort as text.
/** Rows per COPY in a bulk append. */
const COPY_CHUNK = 10_000;
/** Rows per piece of a COPY's text, sent as soon as it is made. */
const COPY_PIECE = 500;

const EVENT_COLUMNS = `e.global_position::text as global_position, e.transaction_id::text as transaction_id, e.stream_id, e.version::text as version, e.event_id::text as event_id, e.type, e.data, e.metadata`;

/** Largest number of rows one bulk INSERT carries. */

/**
 * The event store on PostgreSQL, through `pg` (a server) or PGlite (embedded): the same SQL.
 * See `event-store.port.ts` for the contract.
 */
export class PostgresEventStore implements EventStore {
  private readonly s: string;
  private readonly channel: string;
  private readonly waiters = new Set<() => void>();
  private unlisten: (() => Promise<void>) | null = null;
  private announcing: Promise<void> | null = null;
  private announceAgain = false;
  private listening: Promise<void> | null = null;
  private closed = false;
  /** Appends waiting for a group (group commit), in arrival order. */
  private readonly waiting: PendingAppend[] = [];
  private groupsInFlight = 0;
  private pumpScheduled = false;
  private readonly group: Required<GroupCommitLimits> | null;

  private constructor(
    private readonly client: SqlClient,
    private readonly schema: string,
    private readonly options: PostgresEventStoreOptions,
  ) {
    this.s = quoteIdent(schema);
    this.channel = `ledger_events_${schema}`.slice(0, 63);
    const group = options.groupCommit ?? true;
    this.group =
      group === false
        ? null
        : {
            maxAppends: Math.max(1, Math.min(group === true ? GROUP_MAX_APPENDS : (group.maxAppends ?? GROUP_MAX_APPENDS), GROUP_MAX_APPENDS)),
            maxInFlight: Math.max(1, group === true ? GROUP_MAX_IN_FLIGHT : (group.maxInFlight ?? GROUP_MAX_IN_FLIGHT)),
          };
  }

  /** Opens the store on a client, creating or migrating its tables. */
  static async open(client: SqlClient, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const schema = options.schema ?? 'ledger';
    if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) throw new EventStoreUsageError(`invalid schema name "${schema}"`);
    if (options.migrate !== false) await migrateEventStore(client, schema);
    return new PostgresEventStore(client, schema, options);
  }

  get sqlClient(): SqlClient {
    return this.client;
  }

  /**
   * Appends `events` to one stream. With group commit, appends that are waiting (others are being
   * written, or they arrived in the same tick) are written together: one statement, one
   * transaction, one commit (`append_events_group`, migration 4). Each keeps its own
   * expected-version check and answer; an error rolls back its own savepoint only. They run in
   * order, so appends to one stream in a group see each other. If the group's statement or commit
   * fails, every append of the group gets that error and none is recorded (a retry with the same
   * event ids is idempotent as ever). Nothing waits to make a group: an append with none
   * waiting beside it is written at once, alone, as before.
   */
  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    assertStreamId(streamId);
    if (events.length === 0) throw new EventStoreUsageError('append needs at least one event');
    const expected = options.expectedVersion ?? 'any';
    const eventIds = events.map((e) => e.metadata.eventId);
    assertEventIds(eventIds);
    if (!this.group) return this.appendAlone(streamId, events, expected, eventIds);
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.push({ streamId, events, expected, eventIds, attempt: 0, resolve, reject });
      this.schedulePump();
    });
  }

  /**
   * Starts groups from the waiting appends, after the current tick's synchronous code (so appends
   * made together, e.g. in one `Promise.all`, form one group): no timer, no added wait.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || !this.group || this.groupsInFlight >= this.group.maxInFlight) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const limits = this.group;
    if (!limits) return;
    while (this.groupsInFlight < limits.maxInFlight && this.waiting.length > 0) {
      const members = this.waiting.splice(0, limits.maxAppends);
      this.groupsInFlight += 1;
      void this.writeGroup(members)
        // A fault answering the group (none is known) must still answer every append.
        .catch((error: unknown) => {
          for (const member of members) member.reject(error);
        })
        .finally(() => {
          this.groupsInFlight -= 1;
          this.pump();
        });
    }
  }

  /** Writes one group and answers each of its appends. */
  private async writeGroup(members: PendingAppend[]): Promise<void> {
    const [only] = members;
    if (only && members.length === 1) {
      // Alone: the single append_events call, exactly as without group commit.
      await this.appendAlone(only.streamId, only.events, only.expected, only.eventIds, only.attempt).then(only.resolve, only.reject);
      return;
    }
    // Streams locked in stream order (a stable sort keeps one stream's appends in arrival order),
    // as appendMany does, so two groups in flight never wait for each other in a cycle.
    const ordered = [...members].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
    const params = [
      ordered.map((m) => m.streamId),
      ordered.map((m) => categoryOf(m.streamId)),
      ordered.map((m) => String(m.expected)),
      ordered.map((m) => m.events.length),
      ordered.flatMap((m) => m.eventIds),
      ordered.flatMap((m) => m.events.map((e) => e.type)),
      ordered.flatMap((m) => m.events.map((e) => JSON.stringify(e.data))),
      ordered.flatMap((m) => m.events.map((e) => JSON.stringify(e.metadata))),
    ];
    const text = `select r_outcome as outcome, r_version::text as version, r_transaction_id as transaction_id, r_global_position as global_position,
        r_actual::text as actual, r_code as code, r_message as message
      from ${this.s}.append_events_group($1::text[], $2::text[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::text[], $8::text[])`;
    const hook = this.options.beforeCommit;
    let rows: GroupRow[];
    try {
      rows = hook
        ? await this.client.transaction(async (tx) => {
            const written = await tx.query<GroupRow>(text, params);
            for (const [i, row] of written.entries()) {
              const member = ordered[i];
              if (member && row.outcome === 'appended') await hook(member.streamId);
            }
            return written;
          })
        : await this.client.query<GroupRow>(text, params);
    } catch (error) {
      // The statement or the commit failed: nothing of the group was recorded.
      for (const member of ordered) member.reject(error);
      return;
    }
    let appended = false;
    for (const [i, member] of ordered.entries()) {
      const row = rows[i];
      if (!row?.outcome) {
        member.reject(new Error('append_events_group returned nothing for an append'));
      } else if (row.outcome === 'error') {
        const code = row.code ?? '';
        if (code === 'LD001') member.reject(new EventStoreUsageError(row.message ?? 'event ids already recorded for other events'));
        else if ((code === 'LD002' || code === '23505' || code === '40P01') && member.attempt + 1 < APPEND_ATTEMPTS) {
          // Its stream was created, or its ids taken, by a concurrent transaction: again, in a later group.
          this.waiting.push({ ...member, attempt: member.attempt + 1 });
        } else member.reject(new AppendError(row.message ?? 'the append failed', code));
      } else if (row.outcome === 'conflict') {
        member.resolve(conflict(member.streamId, member.expected, Number(row.actual)));
      } else {
        if (row.outcome === 'appended') appended = true;
        member.resolve(appendedResult(member.streamId, member.eventIds, row));
      }
    }
    if (appended) this.announce();
  }

  /** One append in a transaction of its own: one call of append_events (migration 2). */
  private async appendAlone(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion, eventIds: string[], firstAttempt = 0): Promise<AppendResult> {
    // One call of the store's append_events function (migration 2): one round trip and an
    // autocommit, where a client-side transaction took seven. The contract suite's commit hook
    // needs a transaction to hold open, so with it the call runs inside one.
    const params = [
      streamId,
      categoryOf(streamId),
      String(expected),
      eventIds,
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
      null, // no NOTIFY inside the append's transaction (migration 3): announce() sends it after
    ];
    const text = `select outcome, version::text as version, transaction_id, global_position, actual::text as actual
      from ${this.s}.append_events($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8)`;
    const hook = this.options.beforeCommit;
    for (let attempt = firstAttempt; ; attempt += 1) {
      try {
        const [row] = hook
          ? await this.client.transaction(async (tx) => {
              const rows = await tx.query<AppendRow>(text, params);
              if (rows[0]?.outcome === 'appended') await hook(streamId);
              return rows;
            })
          : await this.client.query<AppendRow>(text, params);
        if (!row) throw new Error('append_events returned nothing');
        if (row.outcome === 'conflict') return conflict(streamId, expected, Number(row.actual));
        const result = appendedResult(streamId, eventIds, row);
        if (!result.idempotent) this.announce();
        return result;
      } catch (error) {
        const code = (error as { code?: string } | null)?.code;
        if (code === 'LD001') throw new EventStoreUsageError(error instanceof Error ? error.message : String(error));
        if ((code === 'LD002' || isUniqueViolation(error)) && attempt + 1 < APPEND_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * One call of append_events_atomic (migration 5): one statement, so one round trip and one
   * commit. Streams are appended in stream order, as groups and `appendMany` lock them, so
   * transactions locking several streams never wait for each other in a cycle.
   */
  async appendAtomically(items: readonly BulkAppendItem[]): Promise<AtomicAppendResult> {
    if (items.length === 0) return { kind: 'appended', results: [] };
    const seen = new Set<string>();
    for (const item of items) {
      assertStreamId(item.streamId);
      if (item.events.length === 0) throw new EventStoreUsageError(`atomic append item for ${item.streamId} has no events`);
      if (seen.has(item.streamId)) throw new EventStoreUsageError(`atomic append names ${item.streamId} twice`);
      seen.add(item.streamId);
      assertEventIds(item.events.map((e) => e.metadata.eventId));
    }
    const ordered = items.map((item, index) => ({ item, index })).sort((a, b) => (a.item.streamId < b.item.streamId ? -1 : a.item.streamId > b.item.streamId ? 1 : 0));
    const params = [
      ordered.map(({ item }) => item.streamId),
      ordered.map(({ item }) => categoryOf(item.streamId)),
      ordered.map(({ item }) => String(item.expectedVersion ?? 'any')),
      ordered.map(({ item }) => item.events.length),
      ordered.flatMap(({ item }) => item.events.map((e) => e.metadata.eventId)),
      ordered.flatMap(({ item }) => item.events.map((e) => e.type)),
      ordered.flatMap(({ item }) => item.events.map((e) => JSON.stringify(e.data))),
      ordered.flatMap(({ item }) => item.events.map((e) => JSON.stringify(e.metadata))),
    ];
    const text = `select r_outcome as outcome, r_version::text as version, r_transaction_id as transaction_id, r_global_position as global_position, r_actual::text as actual
      from ${this.s}.append_events_atomic($1::text[], $2::text[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[])`;
    const hook = this.options.beforeCommit;
    for (let attempt = 0; ; attempt += 1) {
      let rows: AppendRow[];
      try {
        rows = hook
          ? await this.client.transaction(async (tx) => {
              const written = await tx.query<AppendRow>(text, params);
              for (const [i, row] of written.entries()) {
                const entry = ordered[i];
                if (entry && row.outcome === 'appended' && !written.some((r) => r.outcome === 'conflict')) await hook(entry.item.streamId);
              }
              return written;
            })
          : await this.client.query<AppendRow>(text, params);
      } catch (error) {
        const code = (error as { code?: string } | null)?.code;
        if (code === 'LD001') throw new EventStoreUsageError(error instanceof Error ? error.message : String(error));
        // A stream created, or ids taken, by a concurrent transaction: the whole call again.
        if ((code === 'LD002' || isUniqueViolation(error)) && attempt + 1 < APPEND_ATTEMPTS) continue;
        throw error;
      }
      if (rows.length !== ordered.length) throw new Error('append_events_atomic returned another number of rows than appends');
      const conflicts: VersionConflict[] = [];
      const results: AppendSuccess[] = new Array<AppendSuccess>(items.length);
      for (const [i, { item, index }] of ordered.entries()) {
        const row = rows[i] as AppendRow;
        const expected = item.expectedVersion ?? 'any';
        if (row.outcome === 'conflict') conflicts.push(conflict(item.streamId, expected, Number(row.actual)));
        else
          results[index] = appendedResult(
            item.streamId,
            item.events.map((e) => e.metadata.eventId),
            row,
          );
      }
      if (conflicts.length > 0) return { kind: 'conflict', conflicts };
      if (results.some((r) => !r.idempotent)) this.announce();
      return { kind: 'appended', results };
    }
  }

  async appendMany(items: readonly BulkAppendItem[]): Promise<BulkAppendResult> {
    if (items.length === 0) return { kind: 'appended', appendedEvents: 0, skippedRetries: 0, position: null };
    const seen = new Set<string>();
    for (const item of items) {
      assertStreamId(item.streamId);
      if (item.events.length === 0) throw new EventStoreUsageError(`bulk item for ${item.streamId} has no events`);
      if (seen.has(item.streamId)) throw new EventStoreUsageError(`bulk append names ${item.streamId} twice`);
      seen.add(item.streamId);
      assertEventIds(item.events.map((e) => e.metadata.eventId));
    }

    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await this.client.transaction(async (tx): Promise<BulkAppendResult> => {
          const allIds = items.flatMap((item) => item.events.map((e) => e.metadata.eventId));
          const recorded = new Set((await tx.query<{ event_id: string }>(`select event_id::text as event_id from ${this.s}.events where event_id = any($1::uuid[])`, [allIds])).map((r) => r.event_id));
          const pending: BulkAppendItem[] = [];
          let skippedRetries = 0;
          for (const item of items) {
            const found = item.events.filter((e) => recorded.has(e.metadata.eventId)).length;
            if (found === item.events.length) skippedRetries += 1;
            else if (found > 0) throw new EventStoreUsageError(`some but not all events for ${item.streamId} are already recorded`);
            else pending.push(item);
          }
          if (pending.length === 0) return { kind: 'appended', appendedEvents: 0, skippedRetries, position: null };

          const streamIds = pending.map((i) => i.streamId);
          const versions = new Map(
            (
              await tx.query<{ stream_id: string; version: string }>(
                `select stream_id, version::text as version from ${this.s}.streams where stream_id = any($1::text[]) order by stream_id for update`,
                [streamIds],
              )
            ).map((r) => [r.stream_id, Number(r.version)]),
          );
          const conflicts: VersionConflict[] = [];
          for (const item of pending) {
            const actual = versions.get(item.streamId) ?? 0;
            const expected = item.expectedVersion ?? 'any';
            if (!versionMatches(expected, actual)) conflicts.push(conflict(item.streamId, expected, actual));
          }
          if (conflicts.length > 0) return { kind: 'conflict', conflicts };

          const fresh = pending.filter((i) => !versions.has(i.streamId));
          if (fresh.length > 0) {
            const created = await tx.query(
              `insert into ${this.s}.streams (stream_id, category, version)
               select * from unnest($1::text[], $2::text[], $3::bigint[]) on conflict (stream_id) do nothing returning stream_id`,
              [fresh.map((i) => i.streamId), fresh.map((i) => categoryOf(i.streamId)), fresh.map((i) => i.events.length)],
            );
            if (created.length !== fresh.length) throw new RetryAppend();
          }
          const existing = pending.filter((i) => versions.has(i.streamId));
          if (existing.length > 0) {
            await tx.query(`update ${this.s}.streams s set version = u.version from unnest($1::text[], $2::bigint[]) as u(stream_id, version) where s.stream_id = u.stream_id`, [
              existing.map((i) => i.streamId),
              existing.map((i) => (versions.get(i.streamId) ?? 0) + i.events.length),
            ]);
          }

          const rows = pending.flatMap((item) => {
            const base = versions.get(item.streamId) ?? 0;
            return item.events.map((event, i) => ({ streamId: item.streamId, version: base + i + 1, event }));
          });
          // COPY, not insert: the same rows, constraints, defaults and indexes, at a higher rate
          // (the events arrive as one text stream; no array parameters to escape and parse).
          // In statements of COPY_CHUNK rows, so a very large call never builds one huge string,
          // each sent in pieces made as they go: PostgreSQL loads one piece while Node serialises
          // the next (the JSON text, made before the COPY began, was a large share of a bulk append's time).
          for (let i = 0; i < rows.length; i += COPY_CHUNK) {
            await tx.copyFrom(`${this.s}.events (stream_id, category, version, event_id, type, data, metadata)`, copyPieces(rows.slice(i, i + COPY_CHUNK)));
          }
          // Every pending item has events (one with none counts as a retry above), so rows has a last.
          const lastRow = rows[rows.length - 1];
          if (!lastRow) throw new EventStoreUsageError('a bulk append with pending streams made no rows');
          const [last] = await tx.query<{ transaction_id: string; global_position: string }>(
            `select transaction_id::text as transaction_id, global_position::text as global_position from ${this.s}.events where event_id = $1`,
            [lastRow.event.metadata.eventId],
          );
          return {
            kind: 'appended',
            appendedEvents: rows.length,
            skippedRetries,
            position: last ? { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) } : null,
          };
        });
        if (result.kind === 'appended' && result.appendedEvents > 0) this.announce();
        return result;
      } catch (error) {
        if ((error instanceof RetryAppend || isUniqueViolation(error)) && attempt < 5) continue;
        throw error;
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StreamRead> {
    assertStreamId(streamId);
    const after = options.afterVersion ?? 0;
    const limit = options.limit ?? null;
    // One statement, so one round trip and one snapshot: the stream's version and its events
    // after `after` (no row: no stream; one row with no event: nothing after `after`).
    const rows = await this.client.query<Partial<EventRow> & { stream_version: string }>(
      `select s.version::text as stream_version, e.* from ${this.s}.streams s
         left join lateral (select ${EVENT_COLUMNS}, e.version as version_order from ${this.s}.events e where e.stream_id = s.stream_id and e.version > $2 order by e.version limit $3) e on true
        where s.stream_id = $1 order by e.version_order`,
      [streamId, after, limit],
    );
    const [first] = rows;
    if (!first) return { streamId, version: 0, events: [] };
    const events = first.event_id == null ? [] : rows.map((row) => toRecorded(row as EventRow));
    return { streamId, version: Number(first.stream_version), events };
  }

  async readStreams(streamIds: readonly string[]): Promise<StreamRead[]> {
    for (const id of streamIds) assertStreamId(id);
    if (streamIds.length === 0) return [];
    // One statement for all of them (one snapshot): each stream's version and events. Without JIT:
    // right after a bulk append, before statistics are refreshed, the planner took each stream for
    // far more events than it had, passed jit_above_cost and compiled the statement every call
    // (compiling took longer than the read itself), the import's largest read.
    const rows = await this.client.transaction(async (tx) => {
      await tx.query(`select set_config('jit', 'off', true)`);
      return tx.query<Partial<EventRow> & { stream_version: string; wanted: string }>(
        `select s.stream_id as wanted, s.version::text as stream_version, e.* from ${this.s}.streams s
           left join lateral (select ${EVENT_COLUMNS}, e.version as version_order from ${this.s}.events e where e.stream_id = s.stream_id order by e.version) e on true
          where s.stream_id = any($1::text[]) order by s.stream_id, e.version_order`,
        [[...streamIds]],
      );
    });
    const reads = new Map<string, StreamRead>();
    for (const row of rows) {
      let read = reads.get(row.wanted);
      if (!read) reads.set(row.wanted, (read = { streamId: row.wanted, version: Number(row.stream_version), events: [] }));
      if (row.event_id != null) read.events.push(toRecorded(row as EventRow));
    }
    return streamIds.map((streamId) => reads.get(streamId) ?? { streamId, version: 0, events: [] });
  }

  async readAll(options: ReadAllOptions = {}): Promise<AllRead> {
    const after = options.after ?? null;
    const limit = Math.max(1, Math.min(options.limit ?? 1_000, 100_000));
    const categories = options.filter?.categories;
    const types = options.filter?.types && options.filter.types.length > 0 ? options.filter.types : null;
    const params: unknown[] = [after ? after.commit.toString() : '0', after ? after.prepare.toString() : '0', limit];
    // With types, the snapshot's xmin is read once and bound ($5), so the page and the probe of
    // how far it scanned (below) see the same finished transactions.
    if (types) params.push(types, null);
    const typeFilter = types ? ` and e.type = any($4::text[])` : '';
    const visible = types ? `$5::text::xid8` : `pg_snapshot_xmin(pg_current_snapshot())`;
    // Only transactions older than every transaction still running are visible: a transaction
    // that started earlier but commits later would otherwise be passed and its events skipped.
    const scanned = `(e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) and e.transaction_id < ${visible}`;
    const window = `${scanned}${typeFilter}`;
    // With categories, one ordered index range scan per category (category, log order), merged:
    // `category = any(...)` cannot use that index in log order and would sort every matching event
    // of the log on each page, far slower than the merged scans.
    const text =
      categories && categories.length > 0
        ? `select e.* from (${categories
            .map((category) => {
              params.push(category);
              return `(select ${EVENT_COLUMNS}, e.transaction_id as tx_order, e.global_position as gp_order from ${this.s}.events e
                 where e.category = $${params.length}::text and ${window}
                 order by e.category, e.transaction_id, e.global_position limit $3)`;
            })
            .join(' union all ')}) e order by e.tx_order, e.gp_order limit $3`
        : `select ${EVENT_COLUMNS} from ${this.s}.events e where ${window} order by e.transaction_id, e.global_position limit $3`;
    // Filtered reads (projections) name the plan: the planner cannot estimate the log window (a
    // row comparison and the snapshot's xmin) and, with statistics not yet refreshed after a bulk
    // import, expected far more matching rows than there were, then bitmap-scanned and sorted the
    // whole log on every page. The indexes already give log order, so those plans are
    // ruled out for this read. (The unfiltered read keeps one statement: its index matches the
    // order exactly and no other plan has been seen; the transaction would slow it.)
    let scannedTo: LogPosition | null = null;
    const rows =
      (categories && categories.length > 0) || types
        ? await this.client.transaction(async (tx) => {
            await tx.query(`select set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true), set_config('jit', 'off', true)`);
            if (types) params[4] = oneRow(await tx.query<{ xmin: string }>(`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`), 'snapshot xmin').xmin;
            const page = await tx.query<EventRow>(text, params);
            if (types && page.length < limit) {
              // At the end of a type-filtered read, resume after everything scanned, not after the
              // last event returned: otherwise every later read rescans the skipped events.
              // Its own parameters: $1, $2 the start, $3 the bound xmin, $4… the categories.
              const bound = `(e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) and e.transaction_id < $3::text::xid8`;
              const last =
                categories && categories.length > 0
                  ? `select e.transaction_id, e.global_position from (${categories
                      .map(
                        (_, i) => `(select e.transaction_id, e.global_position from ${this.s}.events e where e.category = $${4 + i}::text and ${bound}
                           order by e.category desc, e.transaction_id desc, e.global_position desc limit 1)`,
                      )
                      .join(' union all ')}) e`
                  : `select e.transaction_id, e.global_position from ${this.s}.events e where ${bound}`;
              const [end] = await tx.query<{ transaction_id: string; global_position: string }>(
                `select l.transaction_id::text as transaction_id, l.global_position::text as global_position from (${last}) l
                  order by l.transaction_id desc, l.global_position desc limit 1`,
                [params[0], params[1], params[4], ...(categories ?? [])],
              );
              if (end) scannedTo = { commit: BigInt(end.transaction_id), prepare: BigInt(end.global_position) };
            }
            return page;
          })
        : await this.client.query<EventRow>(text, params);
    const events = rows.map(toRecorded);
    const lastRead = events.at(-1)?.position ?? after;
    const next = latestPosition([scannedTo, lastRead]);
    return { events, next, endOfLog: events.length < limit };
  }

  subscribe(options: SubscribeOptions): Subscription {
    const poll = this.options.pollIntervalMs ?? 1_000;
    let backoff = 0;
    return followLog(this, options, {
      // An event that committed while an older transaction (anywhere in the cluster) was open is
      // not readable until that transaction ends, and its end sends no NOTIFY: while such an event
      // waits, read again soon (10 ms, doubling up to the poll interval) rather than at the next
      // poll or append.
      waitForMore: async (position) => {
        const hidden = await this.committedAfter(position, options.filter?.categories).catch(() => false);
        backoff = hidden ? Math.min(backoff > 0 ? backoff * 2 : 10, poll) : 0;
        await this.waitForMore(hidden ? backoff : poll);
      },
      isClosed: () => this.closed,
      interrupt: () => this.wake(),
    });
  }

  async committedHeads(categories: readonly string[]): Promise<Map<string, LogPosition>> {
    const heads = new Map<string, LogPosition>();
    if (categories.length === 0) return heads;
    // One backward index probe per category (category, log order); no visibility guard: this is
    // what has committed, which `readAll` shows once older transactions have finished.
    const rows = await this.client.query<{ category: string; transaction_id: string; global_position: string }>(
      categories
        .map(
          (_, i) => `(select e.category, e.transaction_id::text as transaction_id, e.global_position::text as global_position from ${this.s}.events e
             where e.category = $${i + 1}::text order by e.category desc, e.transaction_id desc, e.global_position desc limit 1)`,
        )
        .join(' union all '),
      [...categories],
    );
    for (const row of rows) heads.set(row.category, { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) });
    return heads;
  }

  async countEvents(filter?: { categories?: readonly string[] }): Promise<number> {
    const categories = filter?.categories && filter.categories.length > 0 ? filter.categories : null;
    const [row] = await this.client.query<{ n: string }>(`select count(*)::text as n from ${this.s}.events e where $1::text[] is null or e.category = any($1::text[])`, [categories]);
    return Number(row?.n ?? 0);
  }

  logInDatabase(sql: unknown): LogInDatabase | null {
    return sql === this.client ? new PostgresLogTable(this.client, this.s) : null;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new EventStoreUnavailableError('the event store has been closed');
    await this.client.query('select 1');
    this.client.assertHealthy?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    await this.announcing;
    if (this.unlisten) await this.unlisten().catch(() => undefined);
    await this.client.close();
  }

  /** Whether an event after `position` (of the categories, if given) has committed, readable yet or not. */
  private async committedAfter(position: LogPosition | null, categories?: readonly string[]): Promise<boolean> {
    if (categories && categories.length > 0) {
      const head = latestPosition((await this.committedHeads(categories)).values());
      return head !== null && (!position || comparePositions(head, position) > 0);
    }
    const rows = await this.client.query(`select 1 from ${this.s}.events e where (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) limit 1`, [
      (position?.commit ?? 0n).toString(),
      (position?.prepare ?? 0n).toString(),
    ]);
    return rows.length > 0;
  }

  /** Resolves on a NOTIFY from any process, a local append, close, or after `ms`. */
  private async waitForMore(ms: number): Promise<void> {
    if (this.closed) return;
    await this.ensureListening().catch(() => undefined);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /**
   * LISTENs once per store (the client keeps the LISTEN across lost connections). A first LISTEN
   * that fails (the server is down) is tried again by the next wait, not kept as a failure for ever.
   */
  private ensureListening(): Promise<void> {
    this.listening ??= this.client
      .listen(this.channel, () => this.wake())
      .then(
        (stop) => {
          if (this.closed) return stop();
          this.unlisten = stop;
        },
        (error: unknown) => {
          this.listening = null;
          throw error;
        },
      );
    return this.listening;
  }

  /**
   * Tells this store's waiting readers at once, and other processes' with a NOTIFY sent after the
   * commit. One NOTIFY is in flight at a time; appends committed meanwhile are announced by one
   * more, so the last commit is always followed by a NOTIFY. (Inside the transaction a NOTIFY would
   * serialise all appends' commits: see migration 3.) Readers also poll, so a NOTIFY lost to a
   * crash delays them by at most the poll interval.
   */
  private announce(): void {
    this.wake();
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = (async () => {
      do {
        this.announceAgain = false;
        await this.client.query(`select pg_notify($1, '')`, [this.channel]).catch(() => undefined);
      } while (this.announceAgain && !this.closed);
    })().finally(() => {
      this.announcing = null;
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The events table read in SQL by projections sharing the store's database (see the port). */
class PostgresLogTable implements LogInDatabase {
  constructor(
    private readonly client: SqlClient,
    private readonly s: string,
  ) {}

  async nextRange(after: LogPosition | null, limit: number, categories: readonly string[]): Promise<{ upTo: LogPosition; events: number } | null> {
    if (categories.length === 0) throw new EventStoreUsageError('nextRange needs at least one category');
    const n = Math.max(1, Math.floor(limit));
    const window = `(e.transaction_id, e.global_position) > (${xid8(after?.commit ?? 0n)}, ${int8(after?.prepare ?? 0n)}) and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;
    // The same merged index range scans as readAll, positions only; the plan is pinned for the
    // same reason (see readAll).
    const rows = await this.client.transaction(async (tx) => {
      // No JIT: disabling sorts inflates the estimated cost past jit_above_cost, and compiling
      // took longer than the range's query itself.
      await tx.query(`select set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true), set_config('jit', 'off', true)`);
      return tx.query<{ n: string; transaction_id: string; global_position: string }>(
        `select p.n::text as n, p.transaction_id::text as transaction_id, p.global_position::text as global_position
           from (select count(*) over () as n, m.transaction_id, m.global_position
                   from (select e.transaction_id, e.global_position from (${categories
                     .map(
                       (category) => `(select e.transaction_id, e.global_position from ${this.s}.events e
                          where e.category = ${literal(category)} and ${window} order by e.category, e.transaction_id, e.global_position limit ${n})`,
                     )
                     .join(' union all ')}) e order by e.transaction_id, e.global_position limit ${n}) m) p
          order by p.transaction_id desc, p.global_position desc limit 1`,
      );
    });
    const [row] = rows;
    return row ? { upTo: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) }, events: Number(row.n) } : null;
  }

  events(range: { after: LogPosition | null; upTo: LogPosition }, category: string, types?: readonly string[]): string {
    const after = range.after ?? { commit: 0n, prepare: 0n };
    const typeFilter = types && types.length > 0 ? ` and e.type in (${types.map(literal).join(', ')})` : '';
    return `select e.stream_id, substr(e.stream_id, strpos(e.stream_id, '-') + 1) as stream_key, e.version, e.event_id, e.type, e.data, e.metadata,
        (e.metadata->>'recordedAt')::timestamptz as recorded_at, e.transaction_id, e.global_position
      from ${this.s}.events e
      where e.category = ${literal(category)}
        and e.transaction_id between ${xid8(after.commit)} and ${xid8(range.upTo.commit)}
        and (e.transaction_id, e.global_position) > (${xid8(after.commit)}, ${int8(after.prepare)})
        and (e.transaction_id, e.global_position) <= (${xid8(range.upTo.commit)}, ${int8(range.upTo.prepare)})${typeFilter}`;
  }
}

/** A checked SQL literal for a category or event type (letters and digits only). */
function literal(word: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{0,80}$/.test(word)) throw new EventStoreUsageError(`"${word}" is not a category or event type`);
  return `'${word}'`;
}

function xid8(value: bigint): string {
  return `'${int8(value)}'::xid8`;
}

function int8(value: bigint): string {
  if (typeof value !== 'bigint' || value < 0n) throw new EventStoreUsageError('a log position must be a non-negative bigint');
  return value.toString();
}

class RetryAppend extends Error {}

/** An append of a group that failed in its own savepoint: the database's message and SQLSTATE. */
export class AppendError extends Error {
  override readonly name = 'AppendError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedVersion;
  eventIds: string[];
  /** Tries already made (a stream created or ids taken by a concurrent transaction). */
  attempt: number;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

interface GroupRow extends Omit<AppendRow, 'outcome'> {
  outcome: AppendRow['outcome'] | 'error';
  code: string | null;
  message: string | null;
}

function appendedResult(streamId: string, eventIds: string[], row: Omit<AppendRow, 'outcome'> & { outcome: string }): AppendSuccess {
  return {
    kind: 'appended',
    streamId,
    nextExpectedVersion: Number(row.version),
    position: { commit: BigInt(row.transaction_id ?? '0'), prepare: BigInt(row.global_position ?? '0') },
    eventIds,
    idempotent: row.outcome === 'idempotent',
  };
}

interface AppendRow {
  outcome: 'appended' | 'idempotent' | 'conflict';
  version: string | null;
  transaction_id: string | null;
  global_position: string | null;
  actual: string | null;
}

/**
 * Bulk rows as COPY text (stream, category, version, event id, type, data, metadata), in pieces
 * of COPY_PIECE rows, each made when it is asked for.
 */
function* copyPieces(rows: { streamId: string; version: number; event: NewEvent }[]): Generator<string> {
  for (let i = 0; i < rows.length; i += COPY_PIECE) {
    let text = '';
    for (const { streamId, version, event } of rows.slice(i, i + COPY_PIECE)) {
      text += `${copyField(streamId)}\t${copyField(categoryOf(streamId))}\t${version}\t${copyField(event.metadata.eventId)}\t${copyField(event.type)}\t${copyField(
        JSON.stringify(event.data),
      )}\t${copyField(JSON.stringify(event.metadata))}\n`;
    }
    yield text;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

function versionMatches(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 0;
  if (expected === 'stream_exists') return actual > 0;
  return expected === actual;
}

function conflict(streamId: string, expected: ExpectedVersion, actual: number): VersionConflict {
  return { kind: 'conflict', streamId, expected, actual };
}

function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 200) {
    throw new EventStoreUsageError(`invalid stream id "${String(streamId)}"`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertEventIds(ids: string[]): void {
  if (new Set(ids).size !== ids.length) throw new EventStoreUsageError('event ids within one append must differ');
  for (const id of ids) if (!UUID.test(id)) throw new EventStoreUsageError(`event id "${id}" is not a UUID`);
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    version: Number(row.version),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
  };
}
