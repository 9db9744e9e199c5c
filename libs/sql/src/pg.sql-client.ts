import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EventStoreUnavailableError } from './errors';
import type { SqlClient, SqlTx } from './sql-client';

/** SQL client on a PostgreSQL server through a `pg` pool. */
export class PgSqlClient implements SqlClient {
  readonly embedded = false;
  private readonly pool: Pool;
  private readonly listeners = new Set<PgListener>();

  constructor(config: PoolConfig) {
    this.pool = new Pool({ connectionTimeoutMillis: 5_000, ...config });
    // An idle client losing its server must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
    // Nor any other: the pool hands a client over synchronously, and a server's FATAL message
    // (57P01 when a backend is terminated) can follow the last reply in the same packet, before
    // whoever checked the client out has had a turn to listen. Such a client is no longer
    // queryable: its next query fails (store unavailable) and it is then destroyed.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    try {
      const result = await this.pool.query(sql, params);
      return result.rows as T[];
    } catch (error) {
      throw mapPgError(error);
    }
  }

  async transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw mapPgError(error);
    }
    // A checked-out client has no pool listener: a server that goes away (a restart, a killed
    // backend: 57P01, ECONNRESET) emits 'error' on it, which with no listener ends the process.
    // The failure also rejects the query in flight; the client is then destroyed, not reused.
    let broken: unknown = null;
    const onError = (error: unknown): void => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      await client.query('begin');
      const tx: SqlTx = {
        query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
        copyFrom: async (target: string, text: string | Iterable<string>) => {
          const pieces = typeof text === 'string' ? [text] : text;
          await pipeline(Readable.from(pieces, { objectMode: false }), client.query(copyFrom(`copy ${target} from stdin`)));
        },
      };
      const result = await work(tx);
      await client.query('commit');
      return result;
    } catch (error) {
      if (broken === null) {
        try {
          await client.query('rollback');
        } catch (rollbackError) {
          broken = rollbackError;
        }
      }
      throw mapPgError(error);
    } finally {
      client.removeListener('error', onError);
      client.release(broken !== null);
    }
  }

  /**
   * LISTENs on a connection of its own, kept for as long as the listener lives: when the server
   * drops it (a restart, a terminated backend), it is destroyed and a new one LISTENs again, with
   * a backoff, and `onNotify` is called once it does (events may have been appended meanwhile).
   */
  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    const listener = new PgListener(this.pool, channel, onNotify);
    await listener.start();
    this.listeners.add(listener);
    return async () => {
      if (!this.listeners.delete(listener)) return;
      await listener.stop();
    };
  }

  async close(): Promise<void> {
    for (const listener of this.listeners) await listener.stop(true);
    this.listeners.clear();
    await this.pool.end();
  }
}

/** One LISTEN that outlives the connections it runs on (see `PgSqlClient.listen`). */
class PgListener {
  private client: PoolClient | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly onNotify: () => void,
  ) {}

  /** The first LISTEN: fails (store unavailable) if the server cannot be reached now. */
  start(): Promise<void> {
    return this.connect();
  }

  async stop(discard = false): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (discard) {
      client.release(true);
      return;
    }
    try {
      await client.query(`unlisten ${quoteIdent(this.channel)}`);
      client.release();
    } catch {
      client.release(true);
    }
  }

  private async connect(): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw mapPgError(error);
    }
    let lost = false;
    const onLost = (): void => {
      // Only the connection in use: one already given back (stop) ends with an 'end' event too.
      if (lost || this.client !== client) return;
      lost = true;
      this.client = null;
      client.release(true);
      if (!this.stopped) this.reconnectAfter(RELISTEN_FIRST_MS);
    };
    // Never unhandled: a dead connection emits 'error' (and then 'end') on the client.
    client.on('error', () => undefined);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onNotify();
    });
    try {
      await client.query(`listen ${quoteIdent(this.channel)}`);
    } catch (error) {
      lost = true;
      client.release(true);
      throw mapPgError(error);
    }
    if (this.stopped) {
      lost = true;
      client.release(true);
      return;
    }
    client.on('error', onLost);
    client.on('end', onLost);
    this.client = client;
  }

  private reconnectAfter(ms: number): void {
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.stopped) return;
      this.connect().then(
        () => {
          if (!this.stopped) this.onNotify();
        },
        () => {
          if (!this.stopped) this.reconnectAfter(Math.min(ms * 2, RELISTEN_MAX_MS));
        },
      );
    }, ms);
    // The retry alone must not keep a process alive that is otherwise done.
    this.retry.unref();
  }
}

/** The first and the longest wait before a lost LISTEN connection is made again (ms). */
const RELISTEN_FIRST_MS = 100;
const RELISTEN_MAX_MS = 1_000;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);

/** Connection-level failures become EventStoreUnavailableError (HTTP 503); SQL errors pass through. */
export function mapPgError(error: unknown): unknown {
  if (error instanceof EventStoreUnavailableError) return error;
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(message)
  ) {
    return new EventStoreUnavailableError(`PostgreSQL is unavailable: ${message}`, { cause: error });
  }
  return error;
}
