import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PgSqlClient, PostgresEventStore, type SqlClient, quoteIdent } from '@ledger/event-store';
import { FamilyReadModelsProjection, ledgerProjections, ProjectionRunner } from '@ledger/projections';
import { describeWhen, testEnv } from '../support/test-env';
import { syntheticEventBatches } from '../support/synthetic-events';

const root = join(__dirname, '..', '..');
const projector = join(root, 'dist/apps/projector/src/main.js');

/**
 * Kills the projector (SIGKILL) at random points while it catches up on more than 100,000
 * events, restarts it each time, and checks that the read models it ends with equal a clean
 * rebuild: rows and checkpoint commit together, so no crash loses or repeats a batch.
 */
describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('killing the projector during a catch-up: PostgreSQL', () => {
  const database = `ledger_crash_${randomBytes(4).toString('hex')}`;
  const base = new URL(testEnv.postgresUrl ?? 'postgres://x');
  const url = Object.assign(new URL(base.toString()), { pathname: `/${database}` }).toString();
  let admin: PgSqlClient;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
    await admin.query(`create database ${quoteIdent(database)}`);
  });
  afterAll(async () => {
    await admin.query(`drop database if exists ${quoteIdent(database)} with (force)`);
    await admin.close();
  });

  it('ends with read models equal to a clean rebuild after kills at random points', async () => {
    const sql = new PgSqlClient({ connectionString: url, max: 4 });
    const store = await PostgresEventStore.open(sql);
    let total = 0;
    for (const batch of syntheticEventBatches({ families: 2_100, seed: 42, familiesPerBatch: 150 })) {
      const result = await store.appendMany(batch);
      if (result.kind !== 'appended') throw new Error('fixture conflict');
      total += result.appendedEvents;
    }
    expect(total).toBeGreaterThanOrEqual(100_000);

    const env = { PATH: process.env.PATH, LEDGER_POSTGRES_URL: url, LEDGER_DEMO: 'off' };
    let kills = 0;
    for (const afterMs of [700, 1_500, 400, 2_500, 1_000].map((ms) => ms + Math.floor(Math.random() * 500))) {
      const proc = spawn(process.execPath, [projector], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      await new Promise((r) => setTimeout(r, afterMs));
      if (proc.exitCode === null) {
        proc.kill('SIGKILL');
        kills += 1;
      }
      await exited;
    }
    await runUntilCaughtUp(env);
    expect(kills).toBeGreaterThan(0);

    const clean = new ProjectionRunner(store, sql, ledgerProjections(), { schema: 'clean', batchSize: 5_000 });
    await clean.catchUp();
    const served = new ProjectionRunner(store, sql, ledgerProjections());
    expect(await fingerprint(sql, served)).toEqual(await fingerprint(sql, clean));
    await store.close();
  }, 300_000);
});

async function runUntilCaughtUp(env: NodeJS.ProcessEnv): Promise<void> {
  const proc: ChildProcess = spawn(process.execPath, [projector], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('caught up')) resolve();
    });
    proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    proc.once('exit', (code) => reject(new Error(`projector exited (${code}) before catching up: ${output.slice(-2000)}`)));
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
}

/** Row counts and an order-independent digest of every read-model table. */
async function fingerprint(sql: SqlClient, runner: ProjectionRunner): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const base of new FamilyReadModelsProjection().tables) {
    const table = await runner.liveTable('family-read-models', base);
    const [row] = await sql.query<{ n: string; digest: string | null }>(`select count(*)::text as n, md5(string_agg(md5(t::text), '' order by md5(t::text))) as digest from ${table} t`);
    out[base] = `${row?.n}:${row?.digest}`;
  }
  return out;
}
