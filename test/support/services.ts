import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PgSqlClient, quoteIdent } from '@ledger/event-store';
import { testEnv } from './test-env';

// The compiled service as it is deployed (dist/), run as child processes, and private databases
// on the test server for them: for tests that kill processes or take their database away.

export const repoRoot = join(__dirname, '..', '..');

/** Compiles apps/ and libs/ to dist/ (the spawned processes run the compiled code). */
export function buildDist(): void {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'ignore' });
}

/** A TCP port free at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  readonly proc: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output contains `text`; rejects if the process exits first or after `ms`. */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  /** Resolves with the exit code or signal once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
}

/** Starts `node dist/apps/<app>/src/main.js` with only PATH and `env` in its environment. */
export function startService(app: 'api' | 'projector' | 'cli', env: Record<string, string>, args: string[] = []): ServiceProcess {
  const proc = spawn(process.execPath, [join(repoRoot, 'dist', 'apps', app, 'src', 'main.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let running = true;
  const watchers = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    for (const watcher of [...watchers]) watcher();
  };
  proc.stdout?.on('data', append);
  proc.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      running = false;
      for (const watcher of [...watchers]) watcher();
      resolve({ code, signal });
    }),
  );
  return {
    proc,
    exited,
    output: () => out,
    isRunning: () => running,
    waitFor(text, ms = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${app}: no "${String(text)}" within ${ms} ms; output:\n${out.slice(-3_000)}`)), ms);
        const check = (): void => {
          if (typeof text === 'string' ? out.includes(text) : text.test(out)) finish();
          else if (!running) finish(new Error(`${app} exited before "${String(text)}"; output:\n${out.slice(-3_000)}`));
        };
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          watchers.delete(check);
          if (error) reject(error);
          else resolve();
        };
        watchers.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (running) proc.kill(signal);
      return exited;
    },
  };
}

/** The api as a child process on a free port: resolves once it listens. */
export async function startApiProcess(env: Record<string, string>): Promise<ServiceProcess & { baseUrl: string }> {
  const port = await freePort();
  const service = startService('api', { ...env, PORT: String(port) });
  try {
    await service.waitFor('listening on http://localhost', 60_000);
  } catch (error) {
    await service.kill();
    throw error;
  }
  return Object.assign(service, { baseUrl: `http://127.0.0.1:${port}` });
}

/** A database of its own on the test server (dropped with `drop`), and its URL. */
export async function privateDatabase(prefix: string, serverUrl = testEnv.postgresUrl): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('no PostgreSQL server configured');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  const admin = new PgSqlClient({ connectionString: serverUrl, max: 1 });
  try {
    await admin.query(`create database ${quoteIdent(name)}`);
  } finally {
    await admin.close();
  }
  return {
    name,
    url,
    async drop() {
      const again = new PgSqlClient({ connectionString: serverUrl, max: 1 });
      try {
        await again.query(`drop database if exists ${quoteIdent(name)} with (force)`);
      } finally {
        await again.close();
      }
    },
  };
}

/** `url` with `application_name` set, so a test can find (and terminate) exactly this service's connections. */
export function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
