import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PgSqlClient, PgliteSqlClient, PostgresEventStore, type PostgresEventStoreOptions, quoteIdent } from '@ledger/event-store';
import { testEnv } from './test-env';

/** A fresh embedded data directory, copied from the run's initialised template. */
export function freshPgliteDataDir(): { dataDir: string; remove: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'ledger-test-'));
  if (testEnv.pgliteTemplate) cpSync(testEnv.pgliteTemplate, join(base, 'pgdata'), { recursive: true });
  return { dataDir: base, remove: () => rmSync(base, { recursive: true, force: true }) };
}

export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Opens a PostgreSQL event store in a schema of its own; `drop` removes the schema. */
export async function openPostgresStore(options: PostgresEventStoreOptions & { poolSize?: number } = {}): Promise<{ store: PostgresEventStore; drop: () => Promise<void> }> {
  if (!testEnv.postgresUrl) throw new Error('LEDGER_TEST_POSTGRES_URL is not set');
  const schema = options.schema ?? uniqueSchema();
  const client = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: options.poolSize ?? 20 });
  const store = await PostgresEventStore.open(client, { ...options, schema });
  return {
    store,
    drop: async () => {
      await store.close();
      const admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
      await admin.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
      await admin.close();
    },
  };
}

/** Opens an embedded event store in a fresh data directory. */
export async function openPgliteStore(options: PostgresEventStoreOptions = {}): Promise<{ store: PostgresEventStore; drop: () => Promise<void> }> {
  const dir = freshPgliteDataDir();
  const client = await PgliteSqlClient.open(dir.dataDir);
  const store = await PostgresEventStore.open(client, options);
  return {
    store,
    drop: async () => {
      await store.close();
      dir.remove();
    },
  };
}
