import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PgSqlClient, PgliteSqlClient, PostgresEventStore, quoteIdent } from '@ledger/event-store';
import { collectAll } from '../contract/event-store.contract';
import { freshPgliteDataDir, uniqueSchema } from '../support/stores';
import { describeWhen, testEnv } from '../support/test-env';

const root = join(__dirname, '..', '..');
const child = join(__dirname, 'append-until-killed.cjs');

beforeAll(() => {
  // The child runs the compiled store, as the deployed service does.
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
});

describe('killing the process during a stream of appends: embedded PGlite', () => {
  it('keeps every acknowledged event across three kill -9 and restart cycles', async () => {
    const dir = freshPgliteDataDir();
    try {
      const acknowledged: string[] = [];
      for (const killAfter of [150, 400, 250]) {
        acknowledged.push(...(await appendUntilKilled(['pglite', dir.dataDir], killAfter)));
      }
      // Reopening takes over the dead process's lock and finds the directory intact.
      const client = await PgliteSqlClient.open(dir.dataDir);
      const store = await PostgresEventStore.open(client);
      const recorded = new Set((await collectAll(store, 5_000)).map((e) => e.metadata.eventId));
      await store.close();
      expect(acknowledged.length).toBeGreaterThan(800);
      expect(acknowledged.filter((id) => !recorded.has(id))).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});

describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('killing the process during a stream of appends: PostgreSQL', () => {
  it('keeps every acknowledged event after kill -9', async () => {
    const url = testEnv.postgresUrl ?? '';
    const schema = uniqueSchema('crash');
    try {
      const acknowledged = await appendUntilKilled(['postgres', url, schema], 400);
      const store = await PostgresEventStore.open(new PgSqlClient({ connectionString: url }), { schema });
      const recorded = new Set((await collectAll(store, 5_000)).map((e) => e.metadata.eventId));
      await store.close();
      expect(acknowledged.filter((id) => !recorded.has(id))).toEqual([]);
    } finally {
      const admin = new PgSqlClient({ connectionString: url, max: 1 });
      await admin.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
      await admin.close();
    }
  });
});

/** Starts the child, waits for `killAfter` acknowledged appends, kills it with SIGKILL mid-stream. */
function appendUntilKilled(args: string[], killAfter: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: string[] = [];
    let appends = 0;
    let buffer = '';
    let stderr = '';
    let killed = false;
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready' || line === '') continue;
        acknowledged.push(...line.split(','));
        appends += 1;
      }
      if (!killed && appends >= killAfter) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`the appending process ended by itself: ${stderr}`));
    });
  });
}
