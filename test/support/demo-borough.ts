import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { startTestApp, type TestApp } from './app';
import { freshPgliteDataDir } from './stores';
import { testEnv } from './test-env';

export interface DemoBoroughOptions {
  /** The business date the app's clock stands at (10:00 UTC). */
  today: string;
  /** `LEDGER_DEMO_FAMILIES`. */
  families: string;
  /** The demo borough's users (one per role and partner kind), as `LEDGER_DEMO_USERS=on`. */
  users?: boolean;
  /** More configuration; it must not change what the seeder records (it is not part of the cache key). */
  env?: Record<string, string>;
}

/**
 * The real api on the embedded store with the demo borough (seed 7) recorded, as the browser and
 * dashboard suites need it. Seeding 30 families through the commands takes tens of seconds, so the
 * first suite of a run to ask for a borough seeds it, stops the app and keeps a copy of the data
 * directory (per run: the copy is made by this run's code); later suites start on a copy of it.
 * Every suite still gets a directory of its own, and the app is the real one either way.
 */
export async function startDemoBorough(options: DemoBoroughOptions): Promise<TestApp> {
  const env = {
    LEDGER_DEMO_FAMILIES: options.families,
    LEDGER_DEMO_SEED: '7',
    LEDGER_DEMO: 'on',
    ...(options.users ? { LEDGER_DEMO_USERS: 'on' } : {}),
    ...options.env,
  };
  const clock = { now: () => new Date(`${options.today}T10:00:00Z`) };
  const cacheRoot = testEnv.seededCache;
  const key = `${options.today}-families-${options.families}-seed-7${options.users ? '-users' : ''}`;
  const cached = cacheRoot ? join(cacheRoot, key) : null;

  const dir = cached && existsSync(cached) ? copyOf(cached) : freshPgliteDataDir();
  if (!(cached && existsSync(cached))) {
    const seeding = await startTestApp('pglite', env, { clock, dataDir: dir.dataDir });
    await seeding.app.get(DemoSeeder).seedIfEmpty();
    await seeding.stop();
    if (cached) keep(dir.dataDir, cached);
  }
  const t = await startTestApp('pglite', env, { clock, dataDir: dir.dataDir });
  return {
    ...t,
    async close() {
      await t.close();
      dir.remove();
    },
  };
}

function copyOf(cached: string): { dataDir: string; remove: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'ledger-test-'));
  cpSync(cached, base, { recursive: true });
  return { dataDir: base, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Copies a stopped app's directory into the run's cache; two suites seeding at once both keep theirs, the first rename wins. */
function keep(dataDir: string, cached: string): void {
  const staging = `${cached}.${process.pid}`;
  mkdirSync(staging, { recursive: true });
  cpSync(dataDir, staging, { recursive: true });
  try {
    renameSync(staging, cached);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}
