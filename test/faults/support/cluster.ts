import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:net';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the fault suite's own (initdb and pg_ctl from the machine's PostgreSQL
 * binaries, /usr/lib/postgresql/<version>/bin), on a port of its own, so the suite can restart
 * it and kill its postmaster without touching anyone else's server. initdb refuses to run as root:
 * as root (CI), the binaries run as the `postgres` OS user, in a temporary directory it owns.
 */
export interface ClusterHandle {
  bin: string;
  dir: string;
  dataDir: string;
  port: number;
  /** Run the binaries as this OS user (when the suite runs as root). */
  runAs: string | null;
}

/** The newest PostgreSQL binaries on the machine, or null. */
export function postgresBinaries(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0] ?? '', 'bin') : null;
}

/** Why the fault suite cannot run here, or null when it can. */
export function clusterUnavailableReason(): string | null {
  if (!postgresBinaries()) return 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin';
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser';
  return null;
}

export class PrivateCluster {
  constructor(readonly handle: ClusterHandle) {}

  /** initdb in a fresh temporary directory and start the server on a free port. */
  static async create(): Promise<PrivateCluster> {
    const bin = postgresBinaries();
    if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin');
    const dir = mkdtempSync(join(tmpdir(), 'ledger-faults-pg-'));
    const runAs = process.getuid?.() === 0 ? 'postgres' : null;
    if (runAs) {
      const { stdout } = await run('id', ['-u', runAs]);
      const { stdout: gid } = await run('id', ['-g', runAs]);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const cluster = new PrivateCluster({ bin, dir, dataDir: join(dir, 'data'), port: await freePort(), runAs });
    await cluster.exec('initdb', ['-D', cluster.handle.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  /** A connection string for a database of this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.handle.port}/${database}`;
  }

  /**
   * Starts the server and waits until it accepts connections. After a killed postmaster its
   * backends take a moment to notice and exit, and the server refuses to start while they hold
   * its shared memory: it is tried again for a few seconds.
   */
  async start(): Promise<void> {
    const options = [
      `-p ${this.handle.port}`,
      `-k ${this.handle.dir}`,
      '-c listen_addresses=127.0.0.1',
      // Durability against a power cut is not what this suite tests: a killed process keeps
      // everything the kernel has been given, and fsync only slows the shared build machine.
      '-c fsync=off',
      '-c max_connections=200',
    ].join(' ');
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await this.exec('pg_ctl', ['-D', this.handle.dataDir, '-l', join(this.handle.dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${this.log().slice(-2_000)}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  }

  /** `pg_ctl restart -m fast`: every connection is dropped, the server is back when this resolves. */
  async restart(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.handle.dataDir, '-w', '-m', 'fast', 'stop']);
    await this.start();
  }

  /** kill -9 of the postmaster (its backends exit when they notice); resolves once it is gone. */
  async killPostmaster(): Promise<void> {
    const pid = Number(readFileSync(join(this.handle.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i += 1) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.handle.dataDir, '-w', '-m', 'immediate', 'stop']).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.handle.dir, { recursive: true, force: true });
  }

  /** A client program of the same version (pg_dump, pg_restore, psql) run as the suite's user. */
  async client(program: string, args: string[]): Promise<string> {
    const { stdout } = await run(join(this.handle.bin, program), args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  log(): string {
    try {
      return readFileSync(join(this.handle.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  private async exec(program: string, args: string[]): Promise<void> {
    const path = join(this.handle.bin, program);
    const [file, argv] = this.handle.runAs ? ['runuser', ['-u', this.handle.runAs, '--', path, ...args]] : [path, args];
    // cwd: a directory the postgres user may enter (runuser keeps the caller's).
    await run(file, argv, { cwd: this.handle.dir, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' } });
  }
}

/** The cluster the fault suite's global setup started (its handle is passed to the test files in the environment). */
export function suiteCluster(): PrivateCluster {
  const raw = process.env.LEDGER_FAULTS_CLUSTER;
  if (!raw) throw new Error('LEDGER_FAULTS_CLUSTER is not set: run the fault suite with `npm run test:faults`');
  return new PrivateCluster(JSON.parse(raw) as ClusterHandle);
}

/** A free TCP port (this module is loaded by jest's global setup, which has no path aliases: no imports of the libs). */
function freePort(): Promise<number> {
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
