import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quoteIdent } from '@ledger/sql';
import type { SqlClient } from '@ledger/sql';
import { InvalidMasterKeyError, KEY_BYTES } from './key-vault';

const HOW_TO_MAKE_ONE = 'generate one with `openssl rand -base64 32`';

/**
 * The master key wrapping every person's data key: LEDGER_MASTER_KEY (base64 or 64 hex
 * characters of 32 bytes); or, on the embedded store, a key file `master.key` generated once in
 * the data directory (readable by this user only). PostgreSQL has no such fallback: a key made
 * per process would leave every other process, and the next start, unable to read personal data,
 * and a key file beside the service would not travel with the database.
 * Error messages never echo the key.
 */
export function resolveMasterKey(options: {
  masterKey?: string;
  dataDir: string;
  embedded: boolean;
  /**
   * The embedded store already holds events or person keys (see `storeHoldsData`): a missing
   * key file is then refused, never replaced, since a new key would unwrap none of the old ones.
   */
  storeHoldsData?: boolean;
}): Buffer {
  if (options.masterKey !== undefined && options.masterKey.trim() !== '') {
    return decodeMasterKey(options.masterKey.trim(), 'LEDGER_MASTER_KEY');
  }
  if (!options.embedded) {
    throw new InvalidMasterKeyError(`LEDGER_MASTER_KEY is required with PostgreSQL: it encrypts every person's data key; ${HOW_TO_MAKE_ONE}`);
  }
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'master.key');
  if (options.storeHoldsData && !existsSync(file)) {
    throw new InvalidMasterKeyError(
      `the key file is missing: ${file}. The embedded store in ${dir} already holds data sealed under the master key that was in that file, ` +
        'and a new key could open none of it, so none was made. Restore master.key from where you keep it apart from the backups ' +
        '(or set LEDGER_MASTER_KEY to that key) and start again; infra/README.md describes backing up the key.',
    );
  }
  try {
    // 'wx': never overwrite an existing key, which would make all personal data unreadable.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeMasterKey(readFileSync(file, 'utf8').trim(), file);
}

/** Decodes 64 hex characters or base64 (standard or URL-safe) of exactly 32 bytes. */
function decodeMasterKey(raw: string, source: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(raw)) {
    const key = Buffer.from(raw, /[-_]/.test(raw) ? 'base64url' : 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new InvalidMasterKeyError(`${source} must be ${KEY_BYTES} bytes, as base64 (44 characters) or hex (64 characters); ${HOW_TO_MAKE_ONE}`);
}

/**
 * Whether the store in `schema` already holds anything a master key matters for: a person key
 * (wrapped under it) or any event (a store in use, whose key file must not be replaced even if
 * nothing personal has been sealed yet). A fresh store, tables not yet made, holds nothing.
 */
export async function storeHoldsData(sql: SqlClient, schema: string): Promise<boolean> {
  for (const table of ['events', 'person_keys']) {
    const name = `${quoteIdent(schema)}.${table}`;
    // Asked first: a query naming a table that does not exist fails at parse time.
    const [found] = await sql.query<{ present: boolean }>(`select to_regclass($1) is not null as present`, [name]);
    if (!found?.present) continue;
    const [row] = await sql.query<{ holds: boolean }>(`select exists (select 1 from ${name}) as holds`);
    if (row?.holds) return true;
  }
  return false;
}
