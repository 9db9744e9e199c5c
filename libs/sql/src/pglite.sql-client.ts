import { PGlite, type Transaction } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventStoreUnavailableError, StoreFaultError } from './errors';
import type { SqlClient, SqlTx } from './sql-client';

/**
 * Free space below which the embedded store stops writing (issue 15.4). PGlite meeting ENOSPC
 * while it makes a new 16 MiB WAL segment never returns: it spins at 100% CPU inside WebAssembly
 * and the whole process stops answering. So it is never let near a full disk: below this,
 * every statement runs in a read-only transaction (PostgreSQL itself refuses any write, even one
 * inside a function) and a write is refused with a 507 that says why. Three WAL segments and room
 * for the data of a large import.
 */
export const EMBEDDED_MIN_FREE_BYTES = 64 * 2 ** 20;

/** How long a free-space reading is trusted: statfs is cheap, but not free on every statement. */
const FREE_SPACE_TTL_MS = 250;

/** SQLSTATE class XX: data_corrupted (XX001) and index_corrupted (XX002). */
const CORRUPTION_CODES = new Set(['XX001', 'XX002']);

/** What to do about a damaged embedded store, said everywhere the damage is reported. */
export function corruptionAdvice(dir: string): string {
  return (
    `stop the service and restore the data directory from a backup (a copy of ${dir} taken while the service was stopped, ` +
    'its master.key kept apart: infra/README.md); or move the directory aside and start on an empty one. ' +
    'Do not keep writing to it: PostgreSQL data that fails its checksums cannot be trusted'
  );
}

/**
 * SQL client on embedded PGlite (PostgreSQL compiled to WebAssembly, in this process).
 * One connection: transactions queue behind each other. PGlite does not fsync, so the embedded
 * store is for trying the ledger and for development; production uses PostgreSQL or EventStoreDB.
 */
export class PgliteSqlClient implements SqlClient {
  readonly embedded = true;
  private closed = false;
  /** The first damage met by a statement: kept until restart, so readiness keeps saying so. */
  private corruption: StoreFaultError | null = null;
  private freeSpace: { bytes: number; at: number } | null = null;

  private constructor(
    readonly db: PGlite,
    private readonly releaseLock: () => void,
    /** The data directory; null in memory. */
    readonly dataDir: string | null,
    private readonly minFreeBytes: number,
  ) {}

  /**
   * Opens (creating if needed) the database in `dataDir`, or in memory when `dataDir` is
   * `memory://`. A lock file refuses a second process with a clear error instead of letting two
   * WebAssembly Postgres instances corrupt one directory. A disk already too full to write to
   * safely is refused at once (PGlite could hang on it while starting).
   */
  static async open(dataDir: string, options: { minFreeBytes?: number } = {}): Promise<PgliteSqlClient> {
    const minFreeBytes = options.minFreeBytes ?? EMBEDDED_MIN_FREE_BYTES;
    if (dataDir === 'memory://') {
      const db = new PGlite();
      await db.waitReady;
      return new PgliteSqlClient(db, () => undefined, null, minFreeBytes);
    }
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    const free = freeBytes(dir);
    if (free < minFreeBytes) throw diskFull(dir, free, minFreeBytes, 'the embedded store was not started');
    const lock = takeDirectoryLock(dir);
    let db: PGlite | undefined;
    try {
      db = new PGlite(join(dir, 'pgdata'));
      await db.waitReady;
      // Before anything is written: still ours, not moved aside by a racing opener.
      lock.confirm();
      return new PgliteSqlClient(db, () => lock.release(), dir, minFreeBytes);
    } catch (error) {
      await db?.close().catch(() => undefined);
      lock.release();
      if (isCorruption(error)) throw corrupted(dir, error);
      throw error;
    }
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    this.assertOpen();
    if (this.lowOnSpace()) return this.readOnly((tx) => tx.query<T>(sql, params));
    try {
      return (await this.db.query<T>(sql, params)).rows;
    } catch (error) {
      throw this.fault(error);
    }
  }

  async transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
    this.assertOpen();
    if (this.lowOnSpace()) return this.readOnly(work);
    try {
      return await this.db.transaction(async (tx) => work(wrapTx(tx)));
    } catch (error) {
      throw this.fault(error);
    }
  }

  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const unlisten = await this.db.listen(channel, () => onNotify());
    return async () => {
      if (!this.closed) await unlisten();
    };
  }

  assertHealthy(): void {
    if (this.corruption) throw this.corruption;
    if (this.dataDir && this.lowOnSpace()) throw diskFull(this.dataDir, this.freeSpace?.bytes ?? 0, this.minFreeBytes, 'commands are refused; reads are served');
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

  /** Below the free-space floor: statements run read-only until space returns (read afresh every 250 ms). */
  private lowOnSpace(): boolean {
    if (!this.dataDir) return false;
    const now = Date.now();
    if (!this.freeSpace || now - this.freeSpace.at >= FREE_SPACE_TTL_MS) this.freeSpace = { bytes: freeBytes(this.dataDir), at: now };
    return this.freeSpace.bytes < this.minFreeBytes;
  }

  /** `work` in a transaction PostgreSQL keeps read-only: a write in it is the disk-full refusal. */
  private async readOnly<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query('set transaction read only');
        return work(wrapTx(tx));
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === '25006') {
        throw diskFull(this.dataDir ?? 'memory', this.freeSpace?.bytes ?? 0, this.minFreeBytes, 'nothing was recorded', error);
      }
      throw this.fault(error);
    }
  }

  /** A statement's error, as it leaves the client: damage becomes a StoreFaultError (and is remembered). */
  private fault(error: unknown): unknown {
    if (!isCorruption(error)) return error;
    this.corruption ??= corrupted(this.dataDir ?? 'memory', error);
    return this.corruption;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('the embedded store has been closed');
  }
}

function wrapTx(tx: Transaction): SqlTx {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows,
    copyFrom: async (target: string, text: string | Iterable<string>) => {
      // In-process: nothing to overlap with, so the pieces go as one blob.
      await tx.query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob(typeof text === 'string' ? [text] : [...text]) });
    },
  };
}

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

function diskFull(dir: string, free: number, needed: number, consequence: string, cause?: unknown): StoreFaultError {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return new StoreFaultError(
    'InsufficientStorage',
    507,
    `the disk of the embedded store is nearly full: ${mib(free)} free where ${dir} is, at least ${mib(needed)} needed to record safely; ${consequence}. ` +
      'Free some space there (or move LEDGER_DATA_DIR to a larger disk): recording resumes by itself once there is room',
    { cause },
  );
}

function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPTION_CODES.has(code);
}

function corrupted(dir: string, error: unknown): StoreFaultError {
  // PostgreSQL's own words ("invalid page in block 3 of relation base/5/16386") name no data.
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreFaultError('StoreCorrupted', 503, `the embedded store in ${dir} is damaged (${detail}): ${corruptionAdvice(dir)}`, { cause: error });
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
          throw new DataDirectoryLockedError(`the embedded data directory ${dir} is in use by process ${holder.pid}; stop it, or set LEDGER_DATA_DIR to another directory`);
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
