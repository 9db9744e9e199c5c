import { quoteIdent } from './pg.sql-client';
import type { SqlTx } from './sql-client';

/** One step of a layer's schema. Never edited after release: a change is a new migration. */
export interface Migration {
  id: number;
  name: string;
  /** Statements separated by semicolons at line ends (no procedural bodies): or give `statements`. */
  sql?: string;
  statements?: string[];
}

/**
 * The migration runner every layer uses (event store, projections, person keys): applies, in the
 * caller's transaction, the migrations of `migrations` not yet recorded in `<schema>.<ledger>`,
 * and records each. The caller holds an advisory lock for the schema (processes starting together
 * then migrate once) and creates the schema if it may be absent.
 */
export async function applyMigrations(tx: SqlTx, schema: string, ledger: string, migrations: readonly Migration[]): Promise<void> {
  const table = `${quoteIdent(schema)}.${quoteIdent(ledger)}`;
  await tx.query(`create table if not exists ${table} (id int primary key, name text not null, applied_at timestamptz not null default now())`);
  const applied = new Set((await tx.query<{ id: number }>(`select id from ${table}`)).map((r) => Number(r.id)));
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    for (const statement of migration.statements ?? splitStatements(migration.sql ?? '')) await tx.query(statement);
    await tx.query(`insert into ${table} (id, name) values ($1, $2)`, [migration.id, migration.name]);
  }
}

/** Splits a migration on semicolons at line ends (our migrations hold no procedural bodies). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((part) =>
      part
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((part) => part.length > 0);
}
