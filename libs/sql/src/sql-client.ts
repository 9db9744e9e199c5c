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
  /**
   * Throws a StoreFaultError while the client knows of a fault that makes it unfit to serve
   * (a full disk, damaged data): readiness asks it after `select 1` answers.
   */
  assertHealthy?(): void;
}

export interface SqlTx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Loads `text` into `target` (a table and its column list, quoted as needed) with COPY, in
   * COPY's text format: one row a line, columns separated by tabs, each field made by `copyField`.
   * Given pieces, a server is sent each as it is made, so it loads one while the next is built.
   */
  copyFrom(target: string, text: string | Iterable<string>): Promise<void>;
}

/** A value as one field of COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyField(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c] ?? c) : value;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A statement that always returns a row (an aggregate, `returning` of a row written) returned none. */
export class MissingRowError extends Error {
  override readonly name = 'MissingRowError';
}

/** The first row of a statement that always returns one; `what` names the statement in the error if it did not. */
export function oneRow<T>(rows: readonly T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new MissingRowError(`${what}: the statement returned no row`);
  return row;
}
