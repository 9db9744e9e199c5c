import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventStoreUsageError } from '@ledger/event-store';
import { applyMigrations, type Migration, quoteIdent, type SqlClient } from '@ledger/sql';
import { KeyCache } from './key-cache';
import { searchTokensTable } from './search-tokens-table';

/** Bytes of a person's data key and of the master key (AES-256). */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** How many unwrapped keys one process keeps; the oldest are dropped first. */
const CACHE_ENTRIES = 50_000;
/**
 * How long a cached key is trusted before the vault asks the database again, so an erasure made
 * by another instance stops this one from sealing or opening within a minute.
 */
const CACHE_TTL_MS = 60_000;

export interface KeyVaultOptions {
  /** Schema holding `person_keys` (the event store's schema). */
  schema: string;
  /** 32 bytes wrapping every person key (LEDGER_MASTER_KEY, or the embedded store's key file). */
  masterKey: Buffer;
}

/** A person's data key, or the fact that it was destroyed. */
export type PersonKey = Buffer | 'erased';

export type PersonKeyStatus = 'active' | 'erased' | 'unknown';

/**
 * The stored person keys were wrapped under another master key: LEDGER_MASTER_KEY (or the
 * embedded store's `master.key`) is not the one they were created with. Nothing can be read or
 * written safely, so this is fatal rather than a per-person "erased".
 */
export class MasterKeyMismatchError extends Error {
  override readonly name = 'MasterKeyMismatchError';
}

/** The master key is missing or malformed (LEDGER_MASTER_KEY, or the embedded store's key file). */
export class InvalidMasterKeyError extends Error {
  override readonly name = 'InvalidMasterKeyError';
}

interface KeyRow {
  person_id: string;
  /** Hex of iv|ciphertext|tag; null once erased. Hex rather than bytea so pg and PGlite agree. */
  wrapped_key: string | null;
}

/**
 * Per-person data keys for crypto-shredding (ARCHITECTURE.md "Privacy", DOMAIN.md 6). Each
 * person's personal fields are encrypted with their own random key; the key is stored wrapped
 * (AES-256-GCM under the master key, the person id as associated data, so a wrapped key cannot be
 * moved to another person) in `<schema>.person_keys`. Erasing a person nulls the wrapped key:
 * every copy of their sealed data, in the log and in any backup of it, becomes unreadable, while
 * the events themselves stay. An erased person keeps a tombstone row so no key is ever made for
 * them again.
 */
export class KeyVault {
  private readonly table: string;
  private readonly cache = new KeyCache({ maxEntries: CACHE_ENTRIES, ttlMs: CACHE_TTL_MS });

  private constructor(
    private readonly sql: SqlClient,
    private readonly schema: string,
    private readonly masterKey: Buffer,
  ) {
    this.table = `${quoteIdent(schema)}.person_keys`;
  }

  /**
   * Opens the vault, creating its table if absent, and checks that a stored key unwraps under
   * `masterKey` so a wrong key stops the service at start rather than on some later read.
   * @throws MasterKeyMismatchError when the stored keys were wrapped under another master key.
   */
  static async open(sql: SqlClient, options: KeyVaultOptions): Promise<KeyVault> {
    if (!/^[a-z_][a-z0-9_]{0,40}$/.test(options.schema)) throw new EventStoreUsageError(`invalid schema name "${options.schema}"`);
    if (!Buffer.isBuffer(options.masterKey) || options.masterKey.length !== KEY_BYTES) {
      throw new InvalidMasterKeyError(`the master key must be ${KEY_BYTES} bytes (LEDGER_MASTER_KEY)`);
    }
    const vault = new KeyVault(sql, options.schema, Buffer.from(options.masterKey));
    await vault.createTable();
    await vault.checkMasterKey();
    return vault;
  }

  /**
   * The keys of `personIds`: a Buffer for an active person, `'erased'` for an erased one. With
   * `create`, a person without a key gets one (two processes creating at once end up with the
   * same key: the first insert wins and both read it back); without, such a person is left out of
   * the map. Asks the database once for everything not freshly cached.
   */
  async keysFor(personIds: Iterable<string>, options: { create: boolean }): Promise<Map<string, PersonKey>> {
    const keys = new Map<string, PersonKey>();
    const missing: string[] = [];
    const now = Date.now();
    for (const personId of new Set(personIds)) {
      assertPersonId(personId);
      // Erasure is final, so an erased entry never needs checking again.
      const cached = this.cache.get(personId, now);
      if (cached !== undefined) keys.set(personId, cached);
      else missing.push(personId);
    }
    if (missing.length === 0) return keys;

    let rows = await this.select(missing);
    if (options.create) {
      const found = new Set(rows.map((r) => r.person_id));
      const absent = missing.filter((id) => !found.has(id));
      if (absent.length > 0) {
        await this.sql.query(
          `insert into ${this.table} (person_id, wrapped_key)
           select p, decode(k, 'hex') from unnest($1::text[], $2::text[]) as u(p, k)
           on conflict (person_id) do nothing`,
          [absent, absent.map((id) => this.wrap(id, randomBytes(KEY_BYTES)).toString('hex'))],
        );
        // Read back rather than trust our own keys: a concurrent creator may have won the insert.
        rows = [...rows, ...(await this.select(absent))];
      }
    }
    for (const row of rows) {
      const key: PersonKey = row.wrapped_key === null ? 'erased' : this.unwrap(row.person_id, Buffer.from(row.wrapped_key, 'hex'));
      this.remember(row.person_id, key);
      keys.set(row.person_id, key);
    }
    return keys;
  }

  /**
   * Destroys a person's key (recording when and why), or, for a person who has none yet, leaves a
   * tombstone so none can be created. Idempotent: a second erasure answers `'already-erased'` and
   * keeps the first one's date and reason.
   */
  async erase(personId: string, reason: string): Promise<'erased' | 'already-erased'> {
    assertPersonId(personId);
    // The person's search tokens (issue 20.1) go with their key, in the same transaction: once
    // erased, search no longer finds them (a retried erasure deletes any left behind).
    const rows = await this.sql.transaction(async (tx) => {
      await tx.query(`delete from ${searchTokensTable(this.schema)} where person_id = $1`, [personId]);
      return tx.query<{ person_id: string }>(
        `insert into ${this.table} as k (person_id, wrapped_key, erased_at, erasure_reason) values ($1, null, now(), $2)
         on conflict (person_id) do update set wrapped_key = null, erased_at = now(), erasure_reason = excluded.erasure_reason
         where k.erased_at is null
         returning k.person_id`,
        [personId, reason],
      );
    });
    this.remember(personId, 'erased');
    return rows.length > 0 ? 'erased' : 'already-erased';
  }

  /** `'unknown'`: no key has been made for this person (nothing of theirs has been sealed). */
  async status(personId: string): Promise<PersonKeyStatus> {
    assertPersonId(personId);
    const [row] = await this.sql.query<{ erased: boolean }>(`select erased_at is not null as erased from ${this.table} where person_id = $1`, [personId]);
    if (!row) return 'unknown';
    return row.erased ? 'erased' : 'active';
  }

  private async select(personIds: string[]): Promise<KeyRow[]> {
    return this.sql.query<KeyRow>(`select person_id, encode(wrapped_key, 'hex') as wrapped_key from ${this.table} where person_id = any($1::text[])`, [personIds]);
  }

  /** Expired keys are let go as new ones arrive (issue 15.3: before, every key stayed until 50,000 were held, however long unused). */
  private remember(personId: string, key: PersonKey): void {
    this.cache.remember(personId, key, Date.now());
  }

  private async createTable(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      // Serialises processes starting together.
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-person-keys:${this.schema}`]);
      await tx.query(`create schema if not exists ${quoteIdent(this.schema)}`);
      await applyMigrations(tx, this.schema, 'privacy_migrations', personKeyMigrations(this.table, searchTokensTable(this.schema)));
    });
  }

  private async checkMasterKey(): Promise<void> {
    const [row] = await this.sql.query<KeyRow>(`select person_id, encode(wrapped_key, 'hex') as wrapped_key from ${this.table} where wrapped_key is not null limit 1`);
    if (row?.wrapped_key) this.unwrap(row.person_id, Buffer.from(row.wrapped_key, 'hex'));
  }

  private wrap(personId: string, key: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(Buffer.from(personId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]);
  }

  private unwrap(personId: string, wrapped: Buffer): Buffer {
    try {
      if (wrapped.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw new Error(`wrapped key of ${wrapped.length} bytes`);
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey, wrapped.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(personId, 'utf8'));
      decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
      // The key gets memory of its own. Buffer.concat would slice it from Node's shared 8 KB
      // pool, and a cached 32-byte slice keeps its whole slab alive: with the HTTP traffic
      // between two keys, a slab per person held in the cache (issue 15.3).
      const key = Buffer.allocUnsafeSlow(KEY_BYTES);
      const opened = decipher.update(wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES)).copy(key, 0);
      if (opened + decipher.final().copy(key, opened) !== KEY_BYTES) throw new Error('unwrapped key of the wrong length');
      return key;
    } catch (error) {
      throw new MasterKeyMismatchError(
        `the person keys in ${this.schema}.person_keys do not unwrap under this master key: LEDGER_MASTER_KEY (or master.key in the embedded data directory) is not the key they were created with`,
        { cause: error },
      );
    }
  }
}

function assertPersonId(personId: string): void {
  if (typeof personId !== 'string' || personId.length === 0 || personId.length > 200) {
    throw new EventStoreUsageError(`invalid person id "${String(personId)}"`);
  }
}

/**
 * The person keys' table, as migrations of the privacy layer (`<schema>.privacy_migrations`).
 * The first adopts a table made before there was a runner (`if not exists`); later ones add steps.
 */
export function personKeyMigrations(table: string, searchTokens: string): Migration[] {
  return [
    {
      id: 1,
      name: 'person keys',
      statements: [
        `create table if not exists ${table} (
           person_id text primary key,
           wrapped_key bytea,
           created_at timestamptz not null default now(),
           erased_at timestamptz,
           erasure_reason text
         )`,
      ],
    },
    {
      id: 2,
      name: 'person search tokens',
      // The blind index of people's names, dates of birth and postcodes (HMACs only; BlindIndex,
      // issue 20.1). A store that made it before the runner knew it keeps it.
      statements: [
        `create table if not exists ${searchTokens} (
           token text not null,
           person_id text not null,
           family_id text not null,
           primary key (token, person_id)
         )`,
        `create index if not exists person_search_tokens_person on ${searchTokens} (person_id)`,
      ],
    },
  ];
}
