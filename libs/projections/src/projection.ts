import type { RecordedEvent, SqlTx } from '@ledger/event-store';

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
  /** Base names of its tables (the runner drops, renames and switches exactly these). */
  readonly tables: readonly string[];
  /**
   * Creates its tables and their indexes if they do not exist (use `tableExists`); `table('x')`
   * is the versioned, schema-qualified name. Index names are left to PostgreSQL.
   */
  createTables(tx: SqlTx, table: TableNamer): Promise<void>;
  /** Applies one batch of events, in log order. */
  apply(tx: SqlTx, events: readonly RecordedEvent[], table: TableNamer): Promise<void>;
}

/** `family_summary` → `"read"."family_summary_v1"` for the version being written or served. */
export type TableNamer = (base: string) => string;

/** Whether a schema-qualified table exists (for create-once DDL). */
export async function tableExists(tx: SqlTx, qualified: string): Promise<boolean> {
  const [row] = await tx.query<{ found: string | null }>(`select to_regclass($1)::text as found`, [qualified]);
  return row?.found !== null && row?.found !== undefined;
}
