import type { INestApplication, LoggerService } from '@nestjs/common';
import request from 'supertest';
import { type LedgerConfig, loadConfig } from '@ledger/config';
import { type OpenedStores, PgSqlClient, PgliteSqlClient, PostgresEventStore } from '@ledger/event-store';
import { buildApp } from '../../apps/api/src/bootstrap';
import { type Clock } from '@ledger/application';
import type { AppOptions } from '../../apps/api/src/app.module';
import { freshPgliteDataDir, uniqueSchema } from './stores';
import { testEnv } from './test-env';
import { quoteIdent } from '@ledger/event-store';

export type StoreKind = 'pglite' | 'postgres';

/** Store kinds the e2e suites run on: PGlite always, PostgreSQL when configured. */
export const storeKinds: StoreKind[] = testEnv.postgresUrl ? ['pglite', 'postgres'] : ['pglite'];
/**
 * The one store kind of suites whose subject is above the stores: the HTTP layer in front of the
 * commands (request validation, headers, body limits) and the files rendered from the read models
 * (claim and finance reports). Both stores share the code behind them, and the suites that record
 * and read (the claim cycle among them) run on both. PostgreSQL when configured, as in production.
 */
export const oneStoreKinds: StoreKind[] = [testEnv.postgresUrl ? 'postgres' : 'pglite'];

export interface TestApp {
  app: INestApplication;
  stores: OpenedStores;
  config: LedgerConfig;
  /** Bearer tokens of the users signed in so far, by username (`admin.root` and `pm.test` always). */
  tokens: Map<string, string>;
  /** Stops the app and releases its stores, keeping the data (for a CLI run on the same directory); `close` still cleans up. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** The bootstrap admin every test app starts with, and the programme manager most suites act as. */
export const TEST_ADMIN = { username: 'admin.root', password: 'correct-horse-battery' };
export const TEST_PM = { username: 'pm.test', password: 'a-long-password-0' };
/** A fixed master key for test apps (PostgreSQL needs one; embedded mode would make a key file). */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * The real Nest app on a real store: a fresh embedded directory, or a PostgreSQL schema of its
 * own. Listens on an ephemeral port so tests speak real HTTP.
 */
export async function startTestApp(
  kind: StoreKind,
  env: Record<string, string> = {},
  options: {
    clock?: Clock;
    logger?: LoggerService;
    postgresUrl?: string;
    schema?: string;
    /** An embedded directory of the caller's (kept on close). */ dataDir?: string;
    log?: AppOptions['log'];
    /** How long a stop waits for answers still in flight (buildApp's default otherwise). */
    shutdownGraceMs?: number;
  } = {},
): Promise<TestApp> {
  const postgresUrl = options.postgresUrl ?? testEnv.postgresUrl;
  const dir = kind !== 'pglite' ? null : options.dataDir ? { dataDir: options.dataDir, remove: () => undefined } : freshPgliteDataDir();
  const schema = options.schema ?? uniqueSchema('e2e');
  const loaded = loadConfig({
    LEDGER_DEMO: 'off',
    LEDGER_BOOTSTRAP_ADMIN: `${TEST_ADMIN.username}:${TEST_ADMIN.password}`,
    LEDGER_MASTER_KEY: TEST_MASTER_KEY,
    // The OpenAPI document is read by the role-matrix and OpenAPI suites on both stores.
    LEDGER_API_DOCS: 'on',
    // Suites sign many users in from one address; the throttle's own tests set it back.
    LEDGER_SIGN_IN_ATTEMPTS_PER_MINUTE: '10000',
    // bcrypt at its lowest cost: suites register and sign in hundreds of throwaway users, and
    // the sign-in timing suite sets the production cost back.
    LEDGER_PASSWORD_HASH_COST: '4',
    ...(dir ? { LEDGER_DATA_DIR: dir.dataDir } : { LEDGER_POSTGRES_URL: postgresUrl }),
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const config = loaded.config;
  const sql = dir ? await PgliteSqlClient.open(dir.dataDir) : new PgSqlClient({ connectionString: postgresUrl, max: 20 });
  const eventStore = await PostgresEventStore.open(sql, { schema: dir ? 'ledger' : schema });
  const stores: OpenedStores = {
    eventStore,
    sql,
    description: dir ? { kind: 'embedded', where: dir.dataDir } : { kind: 'postgres', where: schema },
    // Each PostgreSQL test app has its own event schema, so it needs its own read-model schema too.
    readModelSchema: dir ? 'read' : `${schema}_read`,
    schema: dir ? 'ledger' : schema,
  };
  const { app } = await buildApp(config, { stores, logger: options.logger ?? false, clock: options.clock, log: options.log, shutdownGraceMs: options.shutdownGraceMs });
  await app.listen(0, '127.0.0.1');
  const tokens = new Map<string, string>();
  let stopped = false;
  if (config.bootstrapAdmin?.username === TEST_ADMIN.username) {
    const server = app.getHttpServer();
    const signIn = async (username: string, password: string) => (await request(server).post('/api/auth/token').send({ username, password }).expect(200)).body.accessToken as string;
    tokens.set(TEST_ADMIN.username, await signIn(TEST_ADMIN.username, TEST_ADMIN.password));
    await request(server)
      .post('/api/users')
      .set('Authorization', `Bearer ${tokens.get(TEST_ADMIN.username)}`)
      .send({ ...TEST_PM, role: 'programme-manager' })
      // 409 on a directory a test app has run on before (test/support/demo-borough.ts).
      .expect((res) => expect([201, 409]).toContain(res.status));
    tokens.set(TEST_PM.username, await signIn(TEST_PM.username, TEST_PM.password));
  }
  return {
    app,
    stores,
    config,
    tokens,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
    async close() {
      if (!stopped) await app.close();
      stopped = true;
      if (dir) dir.remove();
      else {
        const admin = new PgSqlClient({ connectionString: postgresUrl, max: 1 });
        await admin.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
        await admin.query(`drop schema if exists ${quoteIdent(`${schema}_read`)} cascade`);
        await admin.query(`drop schema if exists ${quoteIdent(`${schema}_reporting`)} cascade`);
        await admin.close();
      }
    },
  };
}
