import {
  categoryOf,
  comparePositions,
  latestPosition,
  type EventStore,
  EventStoreUnavailableError,
  formatPosition,
  type LogInDatabase,
  type LogPosition,
  parsePosition,
  type Subscription,
} from '@ledger/event-store';
import type { InDatabasePart, Projection, TableNamer } from './projection';
import { createReportingViews } from './reporting-views';
import { applyMigrations, type Migration, quoteIdent, type SqlClient, type SqlTx } from '@ledger/sql';

export interface ProjectionStatus {
  name: string;
  version: number;
  liveVersion: number | null;
  position: string | null;
  state: 'building' | 'live';
}

/** Where a projection's live version has got to, as stored (so another process's progress shows too). */
export interface ProjectionCheckpoint {
  name: string;
  version: number;
  position: LogPosition | null;
  /** When the checkpoint last moved (the database's clock). */
  updatedAt: Date;
}

/** How far a projection's live version is behind the log (issue 14.7, 19.3). */
export interface ProjectionLag extends ProjectionCheckpoint {
  /** Events of its categories after its checkpoint, counted up to `LAG_COUNT_LIMIT`. */
  behindEvents: number;
  /** When the oldest event it has not applied was recorded; null when it is caught up. */
  oldestPendingAt: Date | null;
}

/** Lag counts stop here: past it, a projection is simply "far behind" (the count is a bounded scan). */
export const LAG_COUNT_LIMIT = 100_000;

export interface RunnerOptions {
  /** Schema of the read models (default `read`). */
  schema?: string;
  batchSize?: number;
  /**
   * Apply in SQL where both the store and the projection can (the log is a table of the read
   * models' database and the projection has `applyInDatabase`); default true. Batches are then
   * `inDatabaseBatchSize` events (default 50,000): no event passes through this process.
   */
  inDatabase?: boolean;
  inDatabaseBatchSize?: number;
  /**
   * Schema of the BI reporting views (docs/bi.md), recreated whenever tables are made or swapped;
   * absent: no views.
   */
  reportingSchema?: string;
  /** Called when following the log failed and will be tried again after `retryInMs` (logs). */
  onRetry?: (error: unknown, retryInMs: number) => void;
  /** Called after each committed batch (progress bars, metrics). */
  onBatch?: (info: { projection: string; events: number; position: LogPosition }) => void;
}

/**
 * Runs projections over the global log: reads the events after each projection's checkpoint in
 * batches, applies them, and writes rows and checkpoint in one transaction. The checkpoint moves
 * with an optimistic check (`where position = <old>`), so two runners on one database never apply
 * a batch twice: the loser's transaction is rolled back and it re-reads.
 */
export class ProjectionRunner {
  private readonly schema: string;
  private readonly s: string;
  private readonly positions = new Map<string, LogPosition | null>();
  private chain: Promise<unknown> = Promise.resolve();
  /** The whole catch-up queued behind the running one, not yet started (callers share it). */
  private queuedWhole: Promise<number> | null = null;
  private following: { stop(): Promise<void> } | null = null;
  private prepared = false;
  private readonly batchListeners: NonNullable<RunnerOptions['onBatch']>[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly sql: SqlClient,
    private readonly projections: readonly Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    this.schema = options.schema ?? 'read';
    this.s = quoteIdent(this.schema);
  }

  /** Also calls `listener` after each committed batch (metrics), besides the `onBatch` option. */
  addBatchListener(listener: NonNullable<RunnerOptions['onBatch']>): void {
    this.batchListeners.push(listener);
  }

  /** The table name a query should read: the live version's. */
  async liveTable(projectionName: string, base: string): Promise<string> {
    await this.prepare();
    const [row] = await this.sql.query<{ live_version: number | null }>(`select live_version from ${this.s}.projection_versions where name = $1`, [projectionName]);
    const projection = this.projections.find((p) => p.name === projectionName);
    const version = row?.live_version ?? projection?.version ?? 1;
    return this.namer(version)(base);
  }

  /** Creates the bookkeeping tables and each projection's tables for its current version. */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    await this.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-projections:${this.schema}`]);
      await tx.query(`create schema if not exists ${this.s}`);
      await applyMigrations(tx, this.schema, 'projection_migrations', projectionRunnerMigrations(this.s));
      for (const p of this.projections) {
        await p.createTables(tx, this.namer(p.version));
        await tx.query(`insert into ${this.s}.projection_checkpoints (name, version, position) values ($1, $2, null) on conflict do nothing`, [p.name, p.version]);
        // The first version of a projection serves at once; a later one only after it has caught up.
        await tx.query(`insert into ${this.s}.projection_versions (name, live_version) values ($1, $2) on conflict do nothing`, [p.name, p.version]);
      }
    });
    for (const p of this.projections) this.positions.set(p.name, await this.storedPosition(p));
    this.prepared = true;
    await this.refreshReportingViews();
  }

  /**
   * (Re)creates the reporting views over each projection's live tables, if this runner has a
   * reporting schema. Also for callers: a rebuild by another process (`cli rebuild`) drops the
   * views with the old tables.
   */
  async refreshReportingViews(): Promise<void> {
    const schema = this.options.reportingSchema;
    if (schema === undefined) return;
    const live = await this.sql.query<{ name: string; live_version: number }>(`select name, live_version from ${this.s}.projection_versions`);
    // The views read only these two projections; another set of projections gets no views.
    if (!['family-read-models', 'ledger'].every((name) => this.projections.some((p) => p.name === name))) return;
    await this.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-projections:${this.schema}`]);
      await createReportingViews(tx, schema, this.schema, (name) => this.namer(Number(live.find((l) => l.name === name)?.live_version ?? 1)));
    });
  }

  /** Processes everything visible in the log now (for the named projections only, if given), then resolves. Safe to call at any time. */
  catchUp(only?: readonly string[]): Promise<number> {
    // A whole catch-up that is queued and not yet started will read everything visible when it
    // starts, which includes whatever this caller wrote: share it rather than queue another. In
    // inline mode every read asks for one, so concurrent reads no longer wait for one each.
    if (!only && this.queuedWhole) return this.queuedWhole;
    const run = this.chain.then(() => {
      if (!only) this.queuedWhole = null;
      return this.pump(only);
    });
    if (!only) this.queuedWhole = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * A read's settle: catches up (the named projections only, if given) at least to every event of
   * their categories that had committed when it was called, so a client reads its own writes. On
   * PostgreSQL `readAll` holds back an event committed while an older transaction (anywhere in
   * the cluster) is still open; the settle waits for that transaction, briefly, reading again,
   * for at most `maxWaitMs`, then answers from what it has.
   */
  async settle(only?: readonly string[], maxWaitMs = SETTLE_MAX_WAIT_MS): Promise<void> {
    const projections = only ? this.projections.filter((p) => only.includes(p.name)) : this.projections;
    const heads = this.store.committedHeads ? await this.store.committedHeads([...new Set(projections.flatMap((p) => p.categories))]) : null;
    const behind = (known: Map<string, LogPosition>): string[] =>
      projections
        .filter((p) => {
          const target = latestPosition(p.categories.map((category) => known.get(category)));
          const at = this.positions.get(p.name);
          return target !== null && (!at || comparePositions(at, target) < 0);
        })
        .map((p) => p.name);
    // Issue 22.6: a read whose projections have applied everything committed answers at once,
    // rather than queue behind catch-ups (another projection's, or the writes of other requests).
    if (heads) {
      await this.prepare();
      if (behind(heads).length === 0) return;
    }
    await this.catchUp(only);
    if (!heads || heads.size === 0) return;
    const deadline = Date.now() + maxWaitMs;
    for (let lagging = behind(heads), delay = 2; lagging.length > 0 && Date.now() < deadline; delay = Math.min(delay * 2, 50), lagging = behind(heads)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      await this.catchUp(lagging);
    }
  }

  /**
   * Follows the log: catches up, then processes new events as they are appended. A failure while
   * following (the database went away, a broken connection) does not stop it: it tries again with
   * a backoff (0.1 s doubling to 1 s, so it resumes within a second of the database's return),
   * reporting each failure to `onRetry`. Batches are idempotent, so a retry repeats nothing.
   */
  async start(): Promise<void> {
    await this.prepare();
    // Where following starts: taken before the catch-up (see `furthest`).
    const from = this.furthest();
    // The first catch-up waits out an outage too (it can take minutes on a long log).
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        await this.catchUp();
        break;
      } catch (error) {
        if (!(error instanceof EventStoreUnavailableError)) throw error;
        this.options.onRetry?.(error, delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.following = this.follow(from);
  }

  /**
   * The furthest checkpoint, as a place to follow the log from once the catch-up that starts
   * after this call has finished. Taken before that catch-up, never after: every event up to a
   * checkpoint had committed when a read reached it, so the catch-up gives each projection all of
   * them; an event committed later has a later position, and following delivers it. Taken after,
   * it could pass an event one projection's catch-up had not yet seen (appended while the
   * projections before it caught up) and that projection would never be woken for it.
   */
  private furthest(): LogPosition | null {
    return latestPosition(this.positions.values());
  }

  async stop(): Promise<void> {
    await this.following?.stop();
    this.following = null;
    await this.chain;
  }

  private follow(caughtUpFrom: LogPosition | null): { stop(): Promise<void> } {
    let stopped = false;
    let subscription: Subscription | null = null;
    let interrupt: () => void = () => undefined;
    const pause = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const loop = (async () => {
      let delay = 0;
      let from = caughtUpFrom;
      while (!stopped) {
        try {
          if (delay > 0) {
            await pause(delay);
            if (stopped) return;
            from = this.furthest();
            await this.catchUp();
          }
          // The subscription is only a wake-up: each delivery makes the runner catch up from its own
          // checkpoints. It starts where the furthest projection had got to before the last whole
          // catch-up (`furthest`), so it re-reads only what arrived during that catch-up.
          subscription = this.store.subscribe({
            from,
            batchSize: 1_000,
            // Only the projections that read a category of the events delivered and have not yet
            // passed them: the others have nothing new (every event after `from` is delivered),
            // and a catch-up of each of them on every event (a sign-in, a claim) would hold back
            // the ones that have.
            handler: async (events, next) => {
              const categories = new Set(events.map((e) => categoryOf(e.streamId)));
              const touched = this.projections
                .filter((p) => p.categories.some((c) => categories.has(c)))
                .filter((p) => {
                  const at = this.positions.get(p.name);
                  return !at || comparePositions(at, next) < 0;
                })
                .map((p) => p.name);
              if (touched.length > 0) await this.catchUp(touched);
              delay = 0;
            },
          });
          // Resolves when stopped or the store is closed; rejects when a read or a batch fails.
          await subscription.done;
          return;
        } catch (error) {
          if (stopped) return;
          delay = Math.min(Math.max(delay * 2, RETRY_FIRST_MS), RETRY_MAX_MS);
          this.options.onRetry?.(error, delay);
        }
      }
    })();
    return {
      async stop() {
        stopped = true;
        interrupt();
        await subscription?.stop();
        await loop;
      },
    };
  }

  async status(): Promise<ProjectionStatus[]> {
    await this.prepare();
    const rows = await this.sql.query<{ name: string; version: number; position: string | null; live_version: number | null }>(
      `select c.name, c.version, c.position, v.live_version from ${this.s}.projection_checkpoints c left join ${this.s}.projection_versions v on v.name = c.name order by c.name, c.version`,
    );
    return rows.map((r) => ({
      name: r.name,
      version: Number(r.version),
      liveVersion: r.live_version === null ? null : Number(r.live_version),
      position: r.position,
      state: Number(r.live_version) === Number(r.version) ? 'live' : 'building',
    }));
  }

  /**
   * Each projection's live checkpoint, read from the checkpoint table: it shows progress made by
   * any runner on this database (the api inline, or `apps/projector` in another process).
   */
  async checkpoints(): Promise<ProjectionCheckpoint[]> {
    await this.prepare();
    const rows = await this.sql.query<{ name: string; version: number; position: string | null; updated_at: Date | string }>(
      `select c.name, c.version, c.position, c.updated_at from ${this.s}.projection_checkpoints c
         join ${this.s}.projection_versions v on v.name = c.name and v.live_version = c.version order by c.name`,
    );
    return rows
      .filter((r) => this.projections.some((p) => p.name === r.name))
      .map((r) => ({ name: r.name, version: Number(r.version), position: r.position ? parsePosition(r.position) : null, updatedAt: new Date(r.updated_at) }));
  }

  /**
   * How far each projection's live version is behind the log: the events of its categories after
   * its checkpoint (a bounded count, in SQL where the log is a table of this database) and when
   * the oldest of them was recorded.
   */
  async lag(checkpoints?: readonly ProjectionCheckpoint[]): Promise<ProjectionLag[]> {
    const current = checkpoints ?? (await this.checkpoints());
    const log = this.store.logInDatabase?.(this.sql) ?? null;
    const lags: ProjectionLag[] = [];
    for (const checkpoint of current) {
      const projection = this.projections.find((p) => p.name === checkpoint.name);
      if (!projection) continue;
      const filter = { categories: projection.categories };
      const behindEvents = log
        ? ((await log.nextRange(checkpoint.position, LAG_COUNT_LIMIT, projection.categories))?.events ?? 0)
        : (await this.store.readAll({ after: checkpoint.position, limit: 1_000, filter })).events.length;
      let oldestPendingAt: Date | null = null;
      if (behindEvents > 0) {
        const [first] = (await this.store.readAll({ after: checkpoint.position, limit: 1, filter })).events;
        oldestPendingAt = first ? new Date(first.metadata.recordedAt) : null;
      }
      lags.push({ ...checkpoint, behindEvents, oldestPendingAt });
    }
    return lags;
  }

  /**
   * Rebuilds a projection from position zero into fresh tables of its current version, while
   * queries keep reading the tables they read now; switches when caught up.
   */
  async rebuild(projectionName: string, onProgress?: (events: number) => void): Promise<number> {
    await this.prepare();
    const projection = this.projections.find((p) => p.name === projectionName);
    if (!projection) throw new Error(`no projection named ${projectionName}; known: ${this.projections.map((p) => p.name).join(', ')}`);
    const buildVersion = projection.version;
    // Build into a scratch copy (version + 1000) so the live tables serve meanwhile.
    const scratchVersion = buildVersion + 1000;
    const table = this.namer(scratchVersion);
    const log = this.logInDatabase(projection);
    const parts = log ? projection.applyInDatabase : undefined;
    // In SQL, the log's first range is found (another connection) while old scratch tables go.
    const first = log && parts ? log.nextRange(null, this.inDatabaseBatchSize(), projection.categories) : null;
    first?.catch(() => undefined); // awaited by the load; here only so a failure below leaves it handled
    await this.sql.transaction(async (tx) => {
      await this.dropTables(tx, projection, scratchVersion);
      // In SQL each lane makes its own tables, in its first transaction.
      if (!first) await projection.createTables(tx, table, { deferIndexes: true });
    });
    let loaded: { position: LogPosition | null; events: number };
    if (log && parts && first) {
      loaded = await this.loadInDatabase(projection, log, parts, table, first, onProgress);
    } else {
      loaded = await this.loadThroughStore(projection, table, onProgress);
      if (projection.createDeferredIndexes) await this.sql.transaction((tx) => projection.createDeferredIndexes?.(tx, table) ?? Promise.resolve());
    }
    const position = loaded.position;
    const total = loaded.events;
    // As after a catch-up: a small copy is planned well enough without (and autovacuum analyses it soon).
    if (total >= ANALYZE_AFTER_EVENTS) await this.analyze(projection, table);
    // Switch: the scratch tables replace the live ones, with the checkpoint where the build ended.
    await this.chain;
    await this.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-projections:${this.schema}`]);
      // Anything appended since the build's last read is applied by the next catch-up.
      await this.dropTables(tx, projection, buildVersion);
      for (const base of projection.tables) {
        await tx.query(`alter table ${table(base)} rename to ${quoteIdent(`${base}_v${buildVersion}`)}`);
      }
      await tx.query(`update ${this.s}.projection_checkpoints set position = $3, updated_at = now() where name = $1 and version = $2`, [
        projection.name,
        buildVersion,
        position ? formatPosition(position) : null,
      ]);
    });
    this.positions.set(projection.name, position);
    await this.refreshReportingViews();
    // Only the rebuilt projection: the others' work is not the rebuild's (they catch up as they follow).
    await this.catchUp([projection.name]);
    return total;
  }

  /** A rebuild's load through the store (any backend): pages of `batchSize`, the next read while this one applies. */
  private async loadThroughStore(projection: Projection, table: TableNamer, onProgress?: (events: number) => void): Promise<{ position: LogPosition | null; events: number }> {
    let position: LogPosition | null = null;
    let total = 0;
    const readAfter = (after: LogPosition | null) => this.readBatch(projection, after, this.options.batchSize ?? 2_000, false);
    // Reading the next page overlaps applying this one (on PostgreSQL they use two connections):
    // one page ahead at most, so memory stays at two pages whatever the length of the log.
    let pending = readAfter(null);
    for (;;) {
      const read = await pending;
      if (!read.endOfLog) pending = readAfter(read.next);
      if (read.events > 0) {
        await this.sql.transaction((tx) => read.apply(tx, table));
        total += read.events;
        onProgress?.(total);
      }
      position = read.next;
      if (read.endOfLog) break;
    }
    return { position, events: total };
  }

  /**
   * A rebuild's load in SQL: the log is cut into ranges (positions only, found ahead of use), and
   * each of the projection's parts is a lane that applies every range in log order in
   * transactions of its own; the lanes run side by side on their own connections. Each lane makes
   * its tables in its first transaction and adds their deferred indexes in its last (on a small
   * log, one and the same). Nothing passes through this process but positions, so memory does not
   * grow with the log.
   */
  private async loadInDatabase(
    projection: Projection,
    log: LogInDatabase,
    parts: readonly InDatabasePart[],
    table: TableNamer,
    first: Promise<{ upTo: LogPosition; events: number } | null>,
    onProgress?: (events: number) => void,
  ): Promise<{ position: LogPosition | null; events: number }> {
    const size = this.inDatabaseBatchSize();
    type Range = { after: LogPosition | null; upTo: LogPosition; events: number; last: boolean };
    const ranges: Promise<Range | null>[] = [];
    const rangeAt = (k: number): Promise<Range | null> => {
      ranges[k] ??= (k === 0 ? Promise.resolve<Range | null>(null) : rangeAt(k - 1)).then(async (previous) => {
        if (k > 0 && (!previous || previous.last)) return null;
        const after = previous?.upTo ?? null;
        const next = await (k === 0 ? first : log.nextRange(after, size, projection.categories));
        return next ? { after, upTo: next.upTo, events: next.events, last: next.events < size } : null;
      });
      return ranges[k];
    };
    let position: LogPosition | null = null;
    let total = 0;
    // A lane that fails stops the others before their next range (they would otherwise go on
    // writing into scratch tables a retried rebuild recreates); the first error is rethrown.
    let failed = false;
    const lanes = await Promise.allSettled(
      parts.map(async (part, lane) => {
        let upTo: LogPosition | null = null;
        for (let k = 0; !failed; k += 1) {
          // The first range is awaited inside the lane's first transaction: its tables are made
          // while the range is still being found.
          const ahead = k === 0 ? null : await rangeAt(k);
          if (failed) return;
          const step = await this.sql
            .transaction(async (tx) => {
              // Scratch tables until the switch, whose own commit waits for the log to be on disk
              // (this transaction's with it): a crash before it loses nothing a retried rebuild needs.
              await tx.query(`set local synchronous_commit = off`);
              if (k === 0) await projection.createTables(tx, table, { deferIndexes: true, part: lane });
              // Null only at the start of an empty log (the lane then only makes its tables), or
              // after a last range that was exactly full.
              const range = k === 0 ? await rangeAt(0) : ahead;
              if (failed) return null;
              const last = !range || range.last;
              // Look one range ahead, so the next position is known when this range is applied.
              if (!last) void rangeAt(k + 1).catch(() => undefined);
              if (range) {
                await part(tx, { events: (category, types) => log.events(range, category, types), rebuild: true }, table);
                upTo = range.upTo;
              }
              if (last) {
                if (upTo) await projection.finishRebuild?.(tx, table, upTo, lane);
                await projection.createDeferredIndexes?.(tx, table, lane);
              }
              return { range, last };
            })
            .catch((error: unknown) => {
              failed = true;
              throw error;
            });
          if (!step) return;
          if (step.range && lane === 0) {
            position = step.range.upTo;
            total += step.range.events;
            onProgress?.(total);
          }
          if (step.last) return;
        }
      }),
    );
    const failure = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
    if (failure) throw failure.reason;
    return { position, events: total };
  }

  private inDatabaseBatchSize(): number {
    return this.options.inDatabaseBatchSize ?? 50_000;
  }

  /**
   * The next batch of a projection's events after `after`: in SQL over the store's table when
   * both allow it, otherwise read through the store (any backend) and applied event by event.
   */
  private readBatch(projection: Projection, after: LogPosition | null, limit: number, inDatabase = true): Promise<Batch> {
    const log = inDatabase ? this.logInDatabase(projection) : null;
    const parts = projection.applyInDatabase;
    if (log && parts) {
      const size = this.inDatabaseBatchSize();
      return log.nextRange(after, size, projection.categories).then((range) => ({
        events: range?.events ?? 0,
        next: range?.upTo ?? after,
        endOfLog: !range || range.events < size,
        apply: async (tx, table) => {
          if (!range) return;
          const batch = { events: (category: string, types?: readonly string[]) => log.events({ after, upTo: range.upTo }, category, types) };
          for (const part of parts) await part(tx, batch, table);
        },
      }));
    }
    return this.store.readAll({ after, limit, filter: { categories: projection.categories, ...(projection.types ? { types: projection.types } : {}) } }).then((read) => ({
      events: read.events.length,
      next: read.next,
      endOfLog: read.endOfLog,
      apply: (tx, table) => projection.apply(tx, read.events, table),
    }));
  }

  private logInDatabase(projection: Projection): LogInDatabase | null {
    if (this.options.inDatabase === false || !projection.applyInDatabase) return null;
    return this.store.logInDatabase?.(this.sql) ?? null;
  }

  private async pump(only?: readonly string[]): Promise<number> {
    await this.prepare();
    let applied = 0;
    for (const projection of this.projections) {
      if (only && !only.includes(projection.name)) continue;
      const appliedBefore = applied;
      for (;;) {
        const from = this.positions.get(projection.name) ?? null;
        const read = await this.readBatch(projection, from, this.options.batchSize ?? 1_000);
        // A filtered read may also have scanned past events the projection does not read: the
        // checkpoint moves there too (an empty batch), so later reads do not scan them again.
        if (read.next && (read.events > 0 || !from || comparePositions(read.next, from) > 0)) {
          const next = read.next;
          const moved = await this.sql
            .transaction(async (tx) => {
              await read.apply(tx, this.namer(projection.version));
              const rows = await tx.query(
                `update ${this.s}.projection_checkpoints set position = $3, updated_at = now() where name = $1 and version = $2 and position is not distinct from $4 returning name`,
                [projection.name, projection.version, formatPosition(next), from ? formatPosition(from) : null],
              );
              if (rows.length === 0) throw new CheckpointMoved();
              return true;
            })
            .catch(async (error: unknown) => {
              if (!(error instanceof CheckpointMoved)) throw error;
              // Another runner applied this batch first: continue from where it got to.
              this.positions.set(projection.name, await this.storedPosition(projection));
              return false;
            });
          if (moved) {
            this.positions.set(projection.name, next);
            applied += read.events;
            const info = { projection: projection.name, events: read.events, position: next };
            this.options.onBatch?.(info);
            for (const listener of this.batchListeners) listener(info);
          }
        }
        if (read.endOfLog) break;
        // Embedded PGlite does no I/O: yield between batches so HTTP requests are served during a catch-up.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (applied - appliedBefore >= ANALYZE_AFTER_EVENTS) await this.analyze(projection, this.namer(projection.version));
      await this.switchWhenCaughtUp(projection);
    }
    return applied;
  }

  /** A new version that has caught up replaces the old one for queries; the old tables go. */
  private async switchWhenCaughtUp(projection: Projection): Promise<void> {
    const [row] = await this.sql.query<{ live_version: number }>(`select live_version from ${this.s}.projection_versions where name = $1`, [projection.name]);
    const live = Number(row?.live_version ?? projection.version);
    if (live === projection.version) return;
    await this.sql.transaction(async (tx) => {
      await tx.query(`update ${this.s}.projection_versions set live_version = $2 where name = $1`, [projection.name, projection.version]);
      await this.dropTables(tx, projection, live);
      await tx.query(`delete from ${this.s}.projection_checkpoints where name = $1 and version = $2`, [projection.name, live]);
    });
    await this.refreshReportingViews();
  }

  /**
   * Refreshes the planner's statistics of a projection's tables after a large load. Without them
   * the queries were planned for empty tables: after a national-scale catch-up, reading a
   * page of 1,000 families became a parallel scan of the whole table until
   * autovacuum got round to it; analysed, it is an index scan.
   */
  private async analyze(projection: Projection, table: TableNamer): Promise<void> {
    for (const base of projection.tables) await this.sql.query(`analyze ${table(base)}`);
  }

  private async dropTables(tx: SqlTx, projection: Projection, version: number): Promise<void> {
    for (const base of projection.tables) await tx.query(`drop table if exists ${this.namer(version)(base)} cascade`);
  }

  private async storedPosition(projection: Projection): Promise<LogPosition | null> {
    const [row] = await this.sql.query<{ position: string | null }>(`select position from ${this.s}.projection_checkpoints where name = $1 and version = $2`, [projection.name, projection.version]);
    return row?.position ? parsePosition(row.position) : null;
  }

  private namer(version: number): TableNamer {
    return (base: string) => `${this.s}.${quoteIdent(`${base}_v${version}`)}`;
  }
}

class CheckpointMoved extends Error {}

/** The first and the longest wait before following the log again after a failure (ms). */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1_000;
/** How long a settled read waits for older transactions to finish before answering from what is readable. */
const SETTLE_MAX_WAIT_MS = 5_000;

/** A catch-up or a rebuild that applied at least this many events to a projection analyses its tables. */
const ANALYZE_AFTER_EVENTS = 100_000;

/** A batch read from the log, ready to apply inside the runner's transaction. */
interface Batch {
  events: number;
  next: LogPosition | null;
  endOfLog: boolean;
  apply(tx: SqlTx, table: TableNamer): Promise<void>;
}

/**
 * The runner's bookkeeping tables and the reporting results, as migrations
 * (`<schema>.projection_migrations`). The first adopts tables made before there was a runner (`if not exists`). A projection's own tables are
 * versioned by the projection (a new version builds new tables from position zero).
 */
function projectionRunnerMigrations(s: string): Migration[] {
  return [
    {
      id: 1,
      name: 'checkpoints and live versions',
      statements: [
        `create table if not exists ${s}.projection_checkpoints (
          name text not null, version int not null, position text, updated_at timestamptz not null default now(),
          primary key (name, version))`,
        `create table if not exists ${s}.projection_versions (name text primary key, live_version int not null)`,
      ],
    },
    {
      id: 2,
      name: 'reporting results',
      // The month-end results behind the BI view `reporting.results` (reporting-results.ts): not a
      // projection's table (the api refreshes it from the read models). A store that made it at
      // start, before it was a migration, keeps it.
      statements: [
        `create table if not exists ${s}.reporting_results (
          family_id uuid not null, as_of date not null, sustained_progress boolean not null, continuous_employment boolean not null, plan_version int not null,
          primary key (family_id, as_of))`,
      ],
    },
  ];
}
