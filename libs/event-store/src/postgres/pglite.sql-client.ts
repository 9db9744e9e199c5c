import { PGlite } from '@electric-sql/pglite';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventStoreUnavailableError } from '../event-store.port';
import type { SqlClient, SqlTx } from './sql-client';

/**
 * SQL client on embedded PGlite (PostgreSQL compiled to WebAssembly, in this process).
 * One connection: transactions queue behind each other. PGlite does not fsync, so the embedded
 * store is for trying the ledger and for development; production uses PostgreSQL or EventStoreDB.
 */
export class PgliteSqlClient implements SqlClient {
  readonly embedded = true;
  private closed = false;

  private constructor(
    readonly db: PGlite,
    private readonly releaseLock: () => void,
  ) {}

  /**
   * Opens (creating if needed) the database in `dataDir`, or in memory when `dataDir` is
   * `memory://`. A lock file refuses a second process with a clear error instead of letting two
   * WebAssembly Postgres instances corrupt one directory.
   */
  static async open(dataDir: string): Promise<PgliteSqlClient> {
    if (dataDir === 'memory://') {
      const db = new PGlite();
      await db.waitReady;
      return new PgliteSqlClient(db, () => undefined);
    }
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    const releaseLock = takeDirectoryLock(dir);
    try {
      const db = new PGlite(join(dir, 'pgdata'));
      await db.waitReady;
      return new PgliteSqlClient(db, releaseLock);
    } catch (error) {
      releaseLock();
      throw error;
    }
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    this.assertOpen();
    const result = await this.db.query<T>(sql, params);
    return result.rows;
  }

  async transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.db.transaction(async (tx) =>
      work({
        query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows,
        copyFrom: async (target: string, text: string | Iterable<string>) => {
          // In-process: nothing to overlap with, so the pieces go as one blob.
          await tx.query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob(typeof text === 'string' ? [text] : [...text]) });
        },
      }),
    );
  }

  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const unlisten = await this.db.listen(channel, () => onNotify());
    return async () => {
      if (!this.closed) await unlisten();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.db.close();
    } finally {
      this.releaseLock();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('the embedded store has been closed');
  }
}

/** Thrown when another live process holds the data directory. */
export class DataDirectoryLockedError extends Error {
  override readonly name = 'DataDirectoryLockedError';
}

/**
 * Takes `<dir>/ledger.lock` holding this process's pid. A lock left by a process that no longer
 * runs (a crash, a kill -9) is taken over; one held by a live process is refused.
 */
export function takeDirectoryLock(dir: string): () => void {
  const lockPath = join(dir, 'ledger.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSafe(lockPath));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new DataDirectoryLockedError(
          `the embedded data directory ${dir} is in use by process ${holder}; stop it, or set LEDGER_DATA_DIR to another directory`,
        );
      }
      if (holder === process.pid) {
        throw new DataDirectoryLockedError(`the embedded data directory ${dir} is already open in this process`);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirectoryLockedError(`could not take the lock on ${dir}`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
