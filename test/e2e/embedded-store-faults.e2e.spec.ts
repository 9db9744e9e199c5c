import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig, type LedgerConfig } from '@ledger/config';
import { PgliteSqlClient, PostgresEventStore } from '@ledger/event-store';
import { buildApp } from '../../apps/api/src/bootstrap';
import { startTestApp, TEST_ADMIN, TEST_MASTER_KEY, TEST_PM, type TestApp } from '../support/app';
import { freshPgliteDataDir } from '../support/stores';
import { describeWhen, testEnv } from '../support/test-env';
import { atIndex, must } from '@ledger/domain';

/** A family; `children` more members make its first event longer. */
const family = (n: number, children = 1) => ({
  reference: `FAULT-${n}`,
  identifiedOn: '2016-01-10',
  members: [
    { relationship: 'parent', givenName: `Parent${n}`, familyName: `Fault${n}`, dateOfBirth: '1984-03-07' },
    ...Array.from({ length: children }, (_, c) => ({ relationship: 'child', givenName: `Child${n}-${c}-${'x'.repeat(80)}`, familyName: `Fault${n}`, dateOfBirth: '2008-02-02' })),
  ],
});

function configFor(dataDir: string, env: Record<string, string> = {}): LedgerConfig {
  const loaded = loadConfig({ LEDGER_DATA_DIR: dataDir, LEDGER_DEMO: 'off', LEDGER_MASTER_KEY: TEST_MASTER_KEY, ...env });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.config;
}

// Issue 15.5: a damaged embedded store answered ready. A page of the events table is overwritten
// in a stopped copy of a real data directory (PGlite keeps data checksums, so the page no longer
// verifies); the service must refuse to start saying what to do, and a read that meets the damage
// in a service already running must be a 503 with that advice, not a bare 500.
describe('a corrupted embedded store', () => {
  const dir = freshPgliteDataDir();
  let damagedFamily = '';

  beforeAll(async () => {
    const t = await startTestApp('pglite', {}, { dataDir: dir.dataDir });
    const pm = t.tokens.get(TEST_PM.username);
    const ids: string[] = [];
    // Long enough names that the families' events fill several pages of the events table.
    for (let n = 0; n < 40; n += 1) {
      const res = await request(t.app.getHttpServer()).post('/api/families').set('Authorization', `Bearer ${pm}`).send(family(n, 6)).expect(201);
      ids.push(res.body.familyId as string);
    }
    const { path } = must((await t.stores.sql.query<{ path: string }>(`select pg_relation_filepath('ledger.events') as path`))[0], 'the events file');
    // A full page in the middle of the families' events (not the last page, which has room left).
    const pages = await t.stores.sql.query<{ block: number; stream_id: string }>(
      `select (ctid::text::point)[0]::int as block, stream_id from ledger.events where stream_id like 'family-%' order by global_position`,
    );
    const blocks = [...new Set(pages.map((p) => p.block))];
    const block = atIndex(blocks, Math.floor(blocks.length / 2), 'block');
    damagedFamily = pages.find((p) => p.block === block)!.stream_id.slice('family-'.length);
    expect(ids).toContain(damagedFamily);
    await t.stop();
    const fd = openSync(join(dir.dataDir, 'pgdata', path), 'r+');
    writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, block * 8192 + 4096);
    closeSync(fd);
  });
  afterAll(() => dir.remove());

  it('refuses to start, saying the store is damaged and what to do', async () => {
    const outcome = await buildApp(configFor(dir.dataDir), { logger: false }).then(
      async ({ app }) => {
        await app.close();
        return new Error('it started: no refusal');
      },
      (error: unknown) => error as Error,
    );
    expect(outcome.message).toMatch(/damaged/);
    expect(outcome.message).toMatch(/restore the data directory from a backup/i);
  });

  it('answers a read that meets the damage with 503 and the advice, and reports not ready', async () => {
    // As a service already running when the damage happened would: stores opened without the start check.
    const sql = await PgliteSqlClient.open(dir.dataDir);
    const eventStore = await PostgresEventStore.open(sql, { schema: 'ledger' });
    const stores = { eventStore, sql, schema: 'ledger', readModelSchema: 'read', description: { kind: 'embedded' as const, where: dir.dataDir } };
    const { app } = await buildApp(configFor(dir.dataDir, { LEDGER_PROJECTIONS: 'external' }), { stores, logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const server = app.getHttpServer();
      const pm = (await request(server).post('/api/auth/token').send(TEST_PM).expect(200)).body.accessToken as string;
      const read = await request(server).get(`/api/families/${damagedFamily}`).set('Authorization', `Bearer ${pm}`);
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ statusCode: 503, reason: 'StoreCorrupted' });
      expect(read.body.message).toMatch(/damaged.*restore the data directory from a backup/is);
      const ready = await request(server).get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ statusCode: 503, reason: 'StoreCorrupted' });
    } finally {
      await app.close();
    }
  });
});

/** Whether this process may mount a small tmpfs (root, as in CI): the full disk needs a small filesystem. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'ledger-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

// Issue 15.4: on a full disk the embedded store spun at 100% CPU inside PGlite with no error and
// /health timing out. Here the store lives on a tmpfs of its own, filled by an ordinary file until
// the filesystem refuses another byte: a command must fail at once with a clear 507, lists keep
// being served, readiness says why it is not ready, and all is well again once space returns.
describeWhen(testEnv.pgliteTemplate !== undefined && canMountTmpfs(), 'mounting a tmpfs needs root (CI runs as root)')('the embedded store on a full disk', () => {
  const mount = mkdtempSync(join(tmpdir(), 'ledger-full-disk-'));
  const dataDir = join(mount, 'data');
  const filler = join(mount, 'filler');
  let t: TestApp;

  beforeAll(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mount]);
    cpSync(testEnv.pgliteTemplate!, join(dataDir, 'pgdata'), { recursive: true });
    t = await startTestApp('pglite', {}, { dataDir });
  });
  afterAll(async () => {
    await t?.close();
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  function fillTheDisk(): void {
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(1 << 20, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      // The last few bytes too: not one block left.
      try {
        for (;;) writeSync(fd, chunk, 0, 512);
      } catch {
        // full
      }
    } finally {
      closeSync(fd);
    }
  }

  it('refuses a command with 507, keeps serving lists, reports not ready, and recovers when space returns', async () => {
    const server = t.app.getHttpServer();
    const pm = `Bearer ${t.tokens.get(TEST_PM.username)}`;
    const admin = `Bearer ${t.tokens.get(TEST_ADMIN.username)}`;
    await request(server).post('/api/families').set('Authorization', pm).send(family(1)).expect(201);
    await request(server).get('/health/ready').expect(200);

    fillTheDisk();
    // Free space is read every 250 ms: wait until the service has seen the disk full (a loaded
    // machine may take longer than one reading to run the check).
    for (const deadline = Date.now() + 15_000; (await request(server).get('/health/ready')).status === 200 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const refused = await request(server).post('/api/families').set('Authorization', pm).send(family(2));
    expect(refused.status).toBe(507);
    expect(refused.body).toMatchObject({ statusCode: 507, reason: 'InsufficientStorage' });
    expect(refused.body.message).toMatch(/disk.*(full|free)/i);
    expect(Date.now() - started).toBeLessThan(10_000);

    await request(server).get('/health').expect(200);
    const ready = await request(server).get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ statusCode: 503, reason: 'InsufficientStorage' });
    const list = await request(server).get('/api/families').set('Authorization', pm).expect(200);
    expect(list.body.families.map((f: { reference: string }) => f.reference)).toContain('FAULT-1');
    await request(server).get('/api/users').set('Authorization', admin).expect(200);

    rmSync(filler);
    // Free space is read every 250 ms: recording resumes once the service has seen it return.
    for (const deadline = Date.now() + 15_000; (await request(server).get('/health/ready')).status !== 200 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
    await request(server).post('/api/families').set('Authorization', pm).send(family(3)).expect(201);
    await request(server).get('/health/ready').expect(200);
    const after = await request(server).get('/api/families').set('Authorization', pm).expect(200);
    expect(after.body.families.map((f: { reference: string }) => f.reference)).toEqual(expect.arrayContaining(['FAULT-1', 'FAULT-3']));
    expect(after.body.families.map((f: { reference: string }) => f.reference)).not.toContain('FAULT-2');
  }, 120_000);
});
