import type { LogPosition, RecordedEvent } from '@ledger/event-store';
import type { SqlTx } from '@ledger/sql';

/**
 * A projection: a fold of the global log into read-model tables. The runner gives it batches in
 * log order inside the transaction that also moves its checkpoint, so a crash at any point
 * replays harmlessly (exactly-once effect on at-least-once reading).
 *
 * Versioned: its tables are named `<table>_v<version>`. Bumping `version` makes the runner build
 * the new tables from position zero while the old version keeps serving, then switch.
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  /** Stream categories it reads (others are skipped by the runner). */
  readonly categories: readonly string[];
  /**
   * Optional: the event types it handles, passed to the store as a hint so the others need not
   * be read (its `apply` must still ignore any other type it is given).
   */
  readonly types?: readonly string[];
  /** Base names of its tables (the runner drops, renames and switches exactly these). */
  readonly tables: readonly string[];
  /**
   * Creates its tables and their indexes if they do not exist (use `tableExists`); `table('x')`
   * is the versioned, schema-qualified name. Index names are left to PostgreSQL. With `part` (an
   * index into `applyInDatabase`), only the tables that part writes: a rebuild in SQL makes each
   * lane's tables in the lane's first transaction, so every table must belong to one part.
   */
  createTables(tx: SqlTx, table: TableNamer, options?: { deferIndexes?: boolean; part?: number }): Promise<void>;
  /** Applies one batch of events, in log order. */
  apply(tx: SqlTx, events: readonly RecordedEvent[], table: TableNamer): Promise<void>;
  /**
   * Optional: applies a range of the log in SQL, reading the store's own table (`log.events(…)`),
   * when the log and the read models share a database. Parts, each writing tables of its own:
   * following the log, the runner runs them in order in the checkpoint's transaction; in a
   * rebuild, each part is a lane of its own (own connection, ranges in log order), so they load
   * side by side. Together they must leave exactly what `apply` would leave for the same events
   * (the runner's tests compare the two). A projection with parts takes `part` in `createTables`
   * and `createDeferredIndexes`.
   */
  readonly applyInDatabase?: readonly InDatabasePart[];
  /**
   * Optional, for rebuilds: indexes `createTables` leaves off when asked to defer them (loading a
   * fresh copy is faster without them), created here once the copy is loaded. With `part` (an
   * index into `applyInDatabase`), only the indexes of that part's tables: a rebuild in SQL adds
   * them in the part's last transaction, so the lanes build their indexes side by side.
   */
  createDeferredIndexes?(tx: SqlTx, table: TableNamer, part?: number): Promise<void>;
  /**
   * Optional, for rebuilds in SQL: work done once for the whole log instead of range by range
   * (the ranges then come with `rebuild: true`). Called in each part's last transaction, after its
   * last range and before its deferred indexes, with the position the rebuild read up to; not
   * called for an empty log.
   */
  finishRebuild?(tx: SqlTx, table: TableNamer, upTo: LogPosition, part?: number): Promise<void>;
}

export type InDatabasePart = (tx: SqlTx, log: LogBatch, table: TableNamer) => Promise<void>;

/** One batch of the log as SQL: `events('family', ['FamilyAttached'])` is a subquery (`from (…) e`). */
export interface LogBatch {
  events(category: string, types?: readonly string[]): string;
  /** A range of a rebuild into fresh tables: what `finishRebuild` does once at the end may be left out. */
  readonly rebuild?: boolean;
}

/** `family_summary` → `"read"."family_summary_v1"` for the version being written or served. */
export type TableNamer = (base: string) => string;

/** Whether a schema-qualified table exists (for create-once DDL). */
export async function tableExists(tx: SqlTx, qualified: string): Promise<boolean> {
  const [row] = await tx.query<{ found: string | null }>(`select to_regclass($1)::text as found`, [qualified]);
  return row?.found !== null && row?.found !== undefined;
}
