/**
 * The little of a PostgreSQL connection the event store needs, so the same SQL runs on `pg`
 * (a server) and on PGlite (embedded). Values come back as the drivers give them; the store casts
 * bigints to text in SQL so both drivers agree.
 */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** LISTENs on a channel; returns a function that stops listening. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** `true` for a single in-process connection (PGlite): concurrent transactions queue. */
  readonly embedded: boolean;
}

export interface SqlTx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}
