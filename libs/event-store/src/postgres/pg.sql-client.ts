import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { EventStoreUnavailableError } from '../event-store.port';
import type { SqlClient, SqlTx } from './sql-client';

/** SQL client on a PostgreSQL server through a `pg` pool. */
export class PgSqlClient implements SqlClient {
  readonly embedded = false;
  private readonly pool: Pool;
  private readonly listeners = new Set<PoolClient>();

  constructor(config: PoolConfig) {
    this.pool = new Pool({ connectionTimeoutMillis: 5_000, ...config });
    // An idle client losing its server must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
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
    let broken = false;
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
      try {
        await client.query('rollback');
      } catch {
        broken = true;
      }
      throw mapPgError(error);
    } finally {
      client.release(broken);
    }
  }

  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw mapPgError(error);
    }
    this.listeners.add(client);
    client.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    client.on('error', () => undefined);
    await client.query(`listen ${quoteIdent(channel)}`);
    return async () => {
      if (!this.listeners.delete(client)) return;
      try {
        await client.query(`unlisten ${quoteIdent(channel)}`);
        client.release();
      } catch {
        client.release(true);
      }
    };
  }

  async close(): Promise<void> {
    for (const client of this.listeners) client.release(true);
    this.listeners.clear();
    await this.pool.end();
  }
}

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
