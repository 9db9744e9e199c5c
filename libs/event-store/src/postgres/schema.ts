import { quoteIdent } from './pg.sql-client';
import type { SqlClient } from './sql-client';

/**
 * The event store's tables, as ordered migrations. Applied under an advisory lock so several
 * processes starting together migrate once. A migration is never edited after release: add one.
 */
export function eventStoreMigrations(schema: string): { id: number; name: string; sql: string }[] {
  const s = quoteIdent(schema);
  return [
    {
      id: 1,
      name: 'events and streams',
      sql: `
        create table ${s}.streams (
          stream_id text primary key,
          category text not null,
          version bigint not null check (version >= 0)
        );
        -- global_position orders events inside one transaction; transaction_id orders transactions.
        -- Readers order and checkpoint by (transaction_id, global_position) and never pass a
        -- transaction still in flight, so out-of-order commits never make a reader skip an event.
        create table ${s}.events (
          global_position bigint generated always as identity primary key,
          transaction_id xid8 not null default pg_current_xact_id(),
          stream_id text not null,
          version bigint not null check (version >= 1),
          event_id uuid not null,
          category text not null,
          type text not null,
          data jsonb not null,
          metadata jsonb not null,
          recorded_at timestamptz not null default now()
        );
        create unique index events_stream_version on ${s}.events (stream_id, version);
        create unique index events_event_id on ${s}.events (event_id);
        create index events_log_order on ${s}.events (transaction_id, global_position);
        create index events_category_log_order on ${s}.events (category, transaction_id, global_position);
      `,
    },
  ];
}

export async function migrateEventStore(client: SqlClient, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await client.transaction(async (tx) => {
    // One lock id per schema so parallel test schemas do not wait for each other.
    await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-event-store:${schema}`]);
    await tx.query(`create schema if not exists ${s}`);
    await tx.query(
      `create table if not exists ${s}.event_store_migrations (id int primary key, name text not null, applied_at timestamptz not null default now())`,
    );
    const applied = new Set(
      (await tx.query<{ id: number }>(`select id from ${s}.event_store_migrations`)).map((r) => Number(r.id)),
    );
    for (const migration of eventStoreMigrations(schema)) {
      if (applied.has(migration.id)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query(`insert into ${s}.event_store_migrations (id, name) values ($1, $2)`, [migration.id, migration.name]);
    }
  });
}

/** Splits a migration on semicolons at line ends (our migrations hold no procedural bodies). */
function splitStatements(sql: string): string[] {
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
