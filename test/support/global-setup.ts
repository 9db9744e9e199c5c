import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/**
 * Once per test run: builds (or reuses) an initialised PGlite data directory that tests copy
 * instead of paying initdb's seconds each, and checks PostgreSQL when it is configured.
 */
export default async function globalSetup(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const version = JSON.parse(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version as string;
  const cacheDir = join(root, 'node_modules', '.cache', 'ledger-test');
  const template = join(cacheDir, `pglite-${version}-template`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    mkdirSync(cacheDir, { recursive: true });
    const building = `${template}.${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    const db = new PGlite(building);
    await db.waitReady;
    await db.close();
    rmSync(template, { recursive: true, force: true });
    renameSync(building, template);
  }
  process.env.LEDGER_TEST_PGLITE_TEMPLATE = template;

  // Seeded demo boroughs are kept per run (the seeder's code may have changed since the last one);
  // runs more than a day old leave theirs behind only if they were killed, so those are removed.
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('seeded-')) continue;
    const started = Number(name.split('-')[1]);
    if (!(Date.now() - started < 86_400_000)) rmSync(join(cacheDir, name), { recursive: true, force: true });
  }
  process.env.LEDGER_TEST_SEEDED_CACHE = join(cacheDir, `seeded-${Date.now()}-${process.pid}`);

  const url = process.env.LEDGER_TEST_POSTGRES_URL;
  const ci = process.env.CI === 'true' || process.env.CI === '1';
  if (url) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('select 1');
    } catch (error) {
      const message = `LEDGER_TEST_POSTGRES_URL is set but PostgreSQL does not answer: ${(error as Error).message}`;
      if (ci) throw new Error(`${message} (CI=true: an unreachable database fails the run)`);
      console.warn(`\n${message}; PostgreSQL suites will be skipped.`);
      delete process.env.LEDGER_TEST_POSTGRES_URL;
    } finally {
      await client.end().catch(() => undefined);
    }
  } else if (ci) {
    console.warn('\nCI=true but LEDGER_TEST_POSTGRES_URL is not set: PostgreSQL suites are skipped.');
  }
}
