import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { startTestApp, type StoreKind, type TestApp } from './app';
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

/** The demo borough (seed 7, `LEDGER_DEMO=on`) on the embedded store at a fixed date, as the browser suites use it. */
export function startDemoBorough(options: DemoBoroughOptions): Promise<TestApp> {
  const env = {
    LEDGER_DEMO_FAMILIES: options.families,
    LEDGER_DEMO_SEED: '7',
    LEDGER_DEMO: 'on',
    ...(options.users ? { LEDGER_DEMO_USERS: 'on' } : {}),
    ...options.env,
  };
  return startSeededTestApp('pglite', env, { clock: { now: () => new Date(`${options.today}T10:00:00Z`) } });
}

/** What the seeder's output depends on: the settings it reads and the clock's date. */
const SEEDING_SETTINGS = ['LEDGER_DEMO', 'LEDGER_DEMO_FAMILIES', 'LEDGER_DEMO_SEED', 'LEDGER_DEMO_USERS'];

/**
 * `startTestApp` followed by the demo seeder, as many suites begin. Seeding 40 families through
 * the commands takes tens of seconds, so on the embedded store the first suite of a run to ask for
 * a borough seeds it, stops the app and keeps a copy of its data directory (per run, so the copy is
 * always made by this run's code); later suites asking for the same borough (the seeder's
 * settings and the clock's date) start the real app on a copy of their own. Settings outside
 * SEEDING_SETTINGS must not change what the seeder records. PostgreSQL apps always seed.
 */
export async function startSeededTestApp(kind: StoreKind, env: Record<string, string>, options: Parameters<typeof startTestApp>[2] = {}): Promise<TestApp> {
  const cacheRoot = testEnv.seededCache;
  if (kind !== 'pglite' || !cacheRoot || options.dataDir) {
    const t = await startTestApp(kind, env, options);
    await t.app.get(DemoSeeder).seedIfEmpty();
    return t;
  }
  const today = (options.clock?.now() ?? new Date()).toISOString().slice(0, 10);
  const key = createHash('sha256')
    .update(JSON.stringify([today, ...SEEDING_SETTINGS.map((name) => env[name] ?? null)]))
    .digest('hex')
    .slice(0, 16);
  const cached = join(cacheRoot, key);
  const hit = existsSync(cached);
  const dir = hit ? copyOf(cached) : freshPgliteDataDir();
  if (!hit) {
    const seeding = await startTestApp('pglite', env, { ...options, dataDir: dir.dataDir });
    await seeding.app.get(DemoSeeder).seedIfEmpty();
    await seeding.stop();
    keep(dir.dataDir, cached);
  }
  const t = await startTestApp('pglite', env, { ...options, dataDir: dir.dataDir });
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
