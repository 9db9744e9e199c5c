import type { INestApplication } from '@nestjs/common';
import { type LedgerConfig, loadConfig } from '@ledger/config';
import { type OpenedStores, PgSqlClient, PgliteSqlClient, PostgresEventStore } from '@ledger/event-store';
import { buildApp } from '../../apps/api/src/bootstrap';
import type { Clock } from '../../apps/api/src/http/recording';
import { freshPgliteDataDir, uniqueSchema } from './stores';
import { testEnv } from './test-env';
import { quoteIdent } from '@ledger/event-store';

export type StoreKind = 'pglite' | 'postgres';

/** Store kinds the e2e suites run on: PGlite always, PostgreSQL when configured. */
export const storeKinds: StoreKind[] = testEnv.postgresUrl ? ['pglite', 'postgres'] : ['pglite'];

export interface TestApp {
  app: INestApplication;
  stores: OpenedStores;
  config: LedgerConfig;
  close(): Promise<void>;
}

/**
 * The real Nest app on a real store: a fresh embedded directory, or a PostgreSQL schema of its
 * own. Listens on an ephemeral port so tests speak real HTTP.
 */
export async function startTestApp(kind: StoreKind, env: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<TestApp> {
  const dir = kind === 'pglite' ? freshPgliteDataDir() : null;
  const schema = uniqueSchema('e2e');
  const loaded = loadConfig({
    LEDGER_DEMO: 'off',
    ...(dir ? { LEDGER_DATA_DIR: dir.dataDir } : { LEDGER_POSTGRES_URL: testEnv.postgresUrl }),
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const config = loaded.config;
  const sql = dir ? await PgliteSqlClient.open(dir.dataDir) : new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 20 });
  const eventStore = await PostgresEventStore.open(sql, { schema: dir ? 'ledger' : schema });
  const stores: OpenedStores = {
    eventStore,
    sql,
    description: dir ? { kind: 'embedded', where: dir.dataDir } : { kind: 'postgres', where: schema },
    // Each PostgreSQL test app has its own event schema, so it needs its own read-model schema too.
    readModelSchema: dir ? 'read' : `${schema}_read`,
  };
  const { app } = await buildApp(config, { stores, logger: false, clock: options.clock });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    stores,
    config,
    async close() {
      await app.close();
      if (dir) dir.remove();
      else {
        const admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
        await admin.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
        await admin.query(`drop schema if exists ${quoteIdent(`${schema}_read`)} cascade`);
        await admin.close();
      }
    },
  };
}
