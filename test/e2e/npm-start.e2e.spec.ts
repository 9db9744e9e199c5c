import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freshPgliteDataDir } from '../support/stores';

const root = join(__dirname, '..', '..');

/**
 * What `npm start` does on a machine with no database: the compiled api on the embedded store in
 * an empty directory. The 30 s bound is the promise, used here as the wait's deadline.
 */
describe('starting the service on an empty machine', () => {
  let proc: ChildProcess | undefined;
  const dir = freshPgliteDataDir();

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
  });
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((resolve) => proc?.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    dir.remove();
  });

  it('serves /health, /api/docs and the web app from an empty data directory within 30 s', async () => {
    const empty = join(dir.dataDir, 'empty');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PORT: String(port), LEDGER_DATA_DIR: empty };
    const started = Date.now();
    proc = spawn(process.execPath, [join(root, 'dist/apps/api/src/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    let health: Response | undefined;
    while (Date.now() - started < 30_000) {
      health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (health?.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect({ healthy: health?.ok ?? false, output: health?.ok ? '' : output }).toEqual({ healthy: true, output: '' });
    const docs = await fetch(`http://127.0.0.1:${port}/api/docs`);
    expect(docs.status).toBe(200);
    // The web app at /, and index.html for its page paths; API paths stay the API's.
    for (const path of ['/', '/dashboard', '/sign-in']) {
      const page = await fetch(`http://127.0.0.1:${port}${path}`);
      expect({ path, status: page.status, type: page.headers.get('content-type') }).toEqual({ path, status: 200, type: 'text/html; charset=utf-8' });
      const html = await page.text();
      expect(html).toContain('<div id="root"></div>');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect((await fetch(`http://127.0.0.1:${port}${script}`)).status).toBe(200);
    }
    const unknown = await fetch(`http://127.0.0.1:${port}/api/nothing-here`, { headers: { Accept: 'text/html' } });
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([404, 'application/json; charset=utf-8']);
    // A second process on the same directory gets a clear error rather than corrupting it.
    const second = spawn(process.execPath, [join(root, 'dist/apps/api/src/main.js')], { env: { ...env, PORT: String(port + 1) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let secondOutput = '';
    second.stderr?.on('data', (c: Buffer) => (secondOutput += c.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(1);
    expect(secondOutput).toMatch(/data directory .* is in use by process \d+/);
  });
});
