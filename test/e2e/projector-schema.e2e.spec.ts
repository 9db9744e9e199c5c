import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PgSqlClient } from '@ledger/event-store';
import { startTestApp, type TestApp } from '../support/app';
import { api, configureProgramme, identifiedFamily } from '../support/families-fixture';
import { buildDist, privateDatabase, repoRoot, type ServiceProcess, sleep, startService } from '../support/services';
import { describeWhen, testEnv } from '../support/test-env';

/**
 * Issue 14.2: with LEDGER_POSTGRES_SCHEMA=x and LEDGER_PROJECTIONS=external, the projector and
 * `cli rebuild` must write the read models the api reads (`x_read.*`), not `read.*`.
 */
describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('the external projector on an event store schema of its own', () => {
  let db: Awaited<ReturnType<typeof privateDatabase>>;
  let t: TestApp;
  let projector: ServiceProcess | undefined;

  beforeAll(async () => {
    buildDist();
    // A database of its own: a projector writing to the wrong schema must not touch anyone else's `read`.
    db = await privateDatabase('ledger_schema');
    t = await startTestApp('postgres', { LEDGER_PROJECTIONS: 'external' }, { postgresUrl: db.url });
  }, 120_000);
  afterAll(async () => {
    await projector?.kill('SIGTERM');
    await t?.close();
    await db?.drop();
  });

  it('fills <schema>_read, which the api reads, and `cli rebuild` rebuilds the same tables', async () => {
    const schema = t.stores.schema ?? '';
    const env = { LEDGER_POSTGRES_URL: db.url, LEDGER_POSTGRES_SCHEMA: schema, LEDGER_DEMO: 'off' };
    projector = startService('projector', env);
    await projector.waitFor('following the log');

    await configureProgramme(t);
    const family = await identifiedFamily(t);
    const deadline = Date.now() + 10_000;
    let listed: string[] = [];
    while (Date.now() < deadline) {
      const res = await api(t).get('/api/families').expect(200);
      listed = (res.body.families as { familyId: string }[]).map((f) => f.familyId);
      if (listed.includes(family.familyId)) break;
      await sleep(200);
    }
    expect(listed).toContain(family.familyId);

    const rebuild = spawnSync(process.execPath, [join(repoRoot, 'dist/apps/cli/src/main.js'), 'rebuild'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(rebuild.stderr.split('\n').filter((line) => /failed/.test(line))).toEqual([]);
    expect(rebuild.status).toBe(0);
    const status = spawnSync(process.execPath, [join(repoRoot, 'dist/apps/cli/src/main.js'), 'projections'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(status.stdout).toMatch(/family-read-models v1 live at \d+\/\d+/);

    const sql = new PgSqlClient({ connectionString: db.url, max: 1 });
    try {
      const schemas = await sql.query<{ schema_name: string }>(`select schema_name from information_schema.schemata where schema_name in ('read', $1) order by 1`, [`${schema}_read`]);
      expect(schemas.map((s) => s.schema_name)).toEqual([`${schema}_read`]);
    } finally {
      await sql.close();
    }
    // The rebuilt tables still serve the family.
    const after = await api(t).get('/api/families').expect(200);
    expect((after.body.families as { familyId: string }[]).map((f) => f.familyId)).toContain(family.familyId);
  }, 60_000);
});
