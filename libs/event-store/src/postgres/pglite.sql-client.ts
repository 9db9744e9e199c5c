import { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    const lock = takeDirectoryLock(dir);
    let db: PGlite | undefined;
    try {
      db = new PGlite(join(dir, 'pgdata'));
      await db.waitReady;
      // Before anything is written: still ours, not moved aside by a racing opener.
      lock.confirm();
      return new PgliteSqlClient(db, () => lock.release());
    } catch (error) {
      await db?.close().catch(() => undefined);
      lock.release();
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

/** The lock on an embedded data directory, held by this process. */
export interface DirectoryLock {
  /**
   * Throws DataDirectoryLockedError unless `ledger.lock` is still the file this process linked
   * into place. Called once the database is open: a racer that moved our fresh lock aside while
   * taking over a stale one (see `takeDirectoryLock`) is found out here, before any write.
   */
  confirm(): void;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

/**
 * Takes `<dir>/ledger.lock` holding this process's pid (issue 15.2). The pid is written to a
 * temporary file first and the file is hard-linked into place: `link` fails if the name exists,
 * so the lock appears whole, pid included, or not at all (an empty lock file could be read as
 * stale and deleted by a racer). A lock left by a process that no longer runs (a crash, a
 * kill -9) is taken over by rename-and-verify: it is renamed to a name of our own, and only if
 * the file we moved is the very one judged stale (same inode) is it deleted; a fresh lock moved
 * by mistake is linked back. A lock held by a live process is refused.
 */
export function takeDirectoryLock(dir: string): DirectoryLock {
  const lockPath = join(dir, 'ledger.lock');
  const own = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(own, String(process.pid), { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      try {
        linkSync(own, lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readLock(lockPath);
        if (holder === null) continue; // let go of meanwhile: try again
        if (holder.pid === process.pid) throw new DataDirectoryLockedError(`the embedded data directory ${dir} is already open in this process`);
        if (holder.pid > 0 && isAlive(holder.pid)) {
          throw new DataDirectoryLockedError(
            `the embedded data directory ${dir} is in use by process ${holder.pid}; stop it, or set LEDGER_DATA_DIR to another directory`,
          );
        }
        removeIfStill(lockPath, holder.ino, `${own}.stale`);
        continue;
      }
      const ino = statSync(own).ino;
      let released = false;
      return {
        confirm() {
          if (released || statSafe(lockPath)?.ino !== ino) {
            throw new DataDirectoryLockedError(`the lock on the embedded data directory ${dir} was taken by another process while this one was opening it; stop the other process and start again`);
          }
        },
        release() {
          if (released) return;
          released = true;
          // Only our own lock: never one another process holds.
          removeIfStill(lockPath, ino, `${own}.release`);
        },
      };
    }
    throw new DataDirectoryLockedError(`could not take the lock on ${dir}: other processes kept taking and letting go of it`);
  } finally {
    // The lock (if taken) is the other name of this file: removing this name leaves it.
    rmSync(own, { force: true });
  }
}

/** The pid in a lock file and its inode; null if there is no such file (or it is being replaced). */
function readLock(path: string): { pid: number; ino: number } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    // From one open file: the pid and the inode it was read from belong together.
    const pid = Number(readFileSync(fd, 'utf8').trim());
    return { pid: Number.isInteger(pid) ? pid : 0, ino: fstatSync(fd).ino };
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes `path` only if it is still the file with inode `ino`: renames it to `aside` (atomic),
 * then deletes it if it is the one meant, or links it back if another process's lock was moved
 * (that process finds out at `confirm` should a third one have taken the name meanwhile).
 */
function removeIfStill(path: string, ino: number, aside: string): void {
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (statSync(aside).ino === ino) return;
    try {
      linkSync(aside, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } finally {
    rmSync(aside, { force: true });
  }
}

function statSafe(path: string): { ino: number } | null {
  try {
    return statSync(path);
  } catch {
    return null;
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
