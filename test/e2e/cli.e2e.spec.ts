import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PgliteSqlClient, PostgresEventStore } from '@ledger/event-store';
import { freshPgliteDataDir } from '../support/stores';
import { syntheticEventBatches } from '../support/synthetic-events';

const root = join(__dirname, '..', '..');

describe('the cli on an embedded store', () => {
  const dir = freshPgliteDataDir();
  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    const store = await PostgresEventStore.open(await PgliteSqlClient.open(dir.dataDir));
    for (const batch of syntheticEventBatches({ families: 60, seed: 3 })) await store.appendMany(batch);
    await store.close();
  });
  afterAll(() => dir.remove());

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), ...args], { env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dir.dataDir }, encoding: 'utf8' });

  it('rebuilds the read models, printing progress and events/s', () => {
    const run = cli('rebuild');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/rebuilt family-read-models: \d+ events in [\d.]+ s \(\d+ events\/s\)/);
    expect(run.stderr).toMatch(/events\/s/);
    const status = cli('projections');
    expect(status.stdout).toMatch(/family-read-models v1 live at \d+\/\d+/);
  });

  it('says what the store holds', () => {
    const run = cli('status');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/streams family: 60/);
  });

  it('refuses an unknown command with its usage', () => {
    const run = cli('frobnicate');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
