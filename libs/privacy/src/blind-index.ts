import { createHmac, hkdfSync } from 'node:crypto';
import { searchTokensTable } from './search-tokens-table';
import type { SqlClient } from '@ledger/sql';
import { type EventStore, formatPosition } from '@ledger/event-store';
import { ERASED } from './personal-data-cipher';
import { type SearchField, foldName, searchTokensOf, tokensOfNameToken } from './search-tokens';

export { searchTokensTable };

/** Where a person's searchable values sit in events: per event type, the record and its fields. */
export interface SearchableDeclaration {
  at: 'members[]' | 'member';
  subject: string;
  fields: Readonly<Record<string, SearchField>>;
}

export type SearchableDeclarations = Readonly<Record<string, SearchableDeclaration | undefined>>;

/**
 * The blind index key: derived from the master key by HKDF under a label of its own, so it is a key
 * apart from every person's data key and from the key wrapping them (issue 20.1).
 */
export function blindIndexKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'ledger person search tokens v1', 32));
}

/** What a search asks for; every field given must hold for the same person. */
export interface PersonSearch {
  name?: string;
  dateOfBirth?: string;
  postcode?: string;
}

export interface PersonMatch {
  personId: string;
  familyId: string;
  /** How closely the name matched: query name tokens matched exactly (the rest by sound or one typo). */
  exactNameTokens: number;
}

/**
 * A keyed blind index of people's names, dates of birth and postcodes (issue 20.1): names are sealed
 * at rest, so search never opens anyone's data; it compares HMACs of normalised tokens (see
 * `search-tokens.ts`). The table holds only HMACs and ids; erasing a person deletes their rows with
 * their key (`KeyVault.erase`), so search no longer finds them.
 */
export class BlindIndex {
  private readonly table: string;

  constructor(
    private readonly sql: SqlClient,
    schema: string,
    private readonly key: Buffer,
    private readonly declarations: SearchableDeclarations,
  ) {
    this.table = searchTokensTable(schema);
  }

  private hash(token: string): string {
    return createHmac('sha256', this.key).update(token, 'utf8').digest('hex').slice(0, 32);
  }

  /**
   * Indexes the searchable values of events just recorded (plaintext, before sealing) on a family's
   * stream. Idempotent: a retried command adds nothing new.
   */
  async index(streamId: string, events: readonly { type: string; data: Record<string, unknown> }[]): Promise<void> {
    await this.indexMany([{ streamId, events }]);
  }

  /**
   * `index` for many streams' events at once (a bulk import, the backfill): one statement for
   * them all rather than one per family (issue 22: the backfill of 400,000 families, one
   * statement per member's event, held the api's start for about 25 minutes).
   */
  async indexMany(items: readonly { streamId: string; events: readonly { type: string; data: Record<string, unknown> }[] }[]): Promise<void> {
    const rows = new Map<string, [string, string, string]>();
    for (const { streamId, events } of items) {
      if (!streamId.startsWith('family-')) continue;
      const familyId = streamId.slice('family-'.length);
      for (const event of events) {
        const declaration = this.declarations[event.type];
        if (!declaration) continue;
        const records =
          declaration.at === 'members[]' ? ((event.data.members ?? []) as Record<string, unknown>[]) : [event.data.member as Record<string, unknown> | undefined].filter((r) => r !== undefined);
        for (const record of records) {
          const personId = record[declaration.subject];
          if (typeof personId !== 'string') continue;
          for (const [field, kind] of Object.entries(declaration.fields)) {
            const value = record[field];
            // An erased person's values read back as the placeholder: nothing of theirs to index.
            if (typeof value !== 'string' || value === ERASED) continue;
            for (const token of searchTokensOf(kind, value)) {
              const hash = this.hash(token);
              rows.set(`${hash}\n${personId}`, [hash, personId, familyId]);
            }
          }
        }
      }
    }
    if (rows.size === 0) return;
    const list = [...rows.values()];
    await this.sql.query(
      `insert into ${this.table} (token, person_id, family_id)
       select * from unnest($1::text[], $2::text[], $3::text[])
       on conflict do nothing`,
      [list.map((r) => r[0]), list.map((r) => r[1]), list.map((r) => r[2])],
    );
  }

  /**
   * Indexes every member already recorded when the index is empty (a store recorded before the
   * index existed), reading the members' events through `opened` (the store that opens sealed
   * fields; erased people open as the placeholder and are left out). Returns the events indexed.
   */
  async backfillIfEmpty(opened: EventStore): Promise<number> {
    const [any] = await this.sql.query(`select 1 from ${this.table} limit 1`);
    if (any) return 0;
    const types = Object.keys(this.declarations);
    let indexed = 0;
    for (let after: Awaited<ReturnType<EventStore['readAll']>>['next'] = null; ;) {
      const read = await opened.readAll({ after, limit: 1_000, filter: { categories: ['family'], types } });
      // A page of events in one statement.
      const page = read.events.filter((event) => this.declarations[event.type] !== undefined);
      await this.indexMany(page.map((event) => ({ streamId: event.streamId, events: [{ type: event.type, data: event.data as Record<string, unknown> }] })));
      indexed += page.length;
      const moved = read.next !== null && (after === null || formatPosition(read.next) !== formatPosition(after));
      after = read.next;
      if (read.endOfLog || !moved) break;
    }
    return indexed;
  }

  /**
   * The people matching every field given: a name's every token must match one of theirs exactly,
   * by sound or within one typo; a date of birth and a postcode exactly. Erased people are not in
   * the index, so they never match.
   */
  async search(query: PersonSearch): Promise<PersonMatch[]> {
    // Each criterion: the hashes any of which satisfies it, and whether it is an exact name token.
    const criteria: { hashes: Map<string, boolean> }[] = [];
    if (query.name !== undefined) {
      // Each word of the query must match (the stored side also holds hyphenated parts joined).
      for (const token of foldName(query.name)
        .split(' ')
        .filter((t) => t.length > 0)) {
        criteria.push({ hashes: new Map(tokensOfNameToken(token).map((t) => [this.hash(t), t.startsWith('n:')])) });
      }
    }
    if (query.dateOfBirth !== undefined) criteria.push({ hashes: new Map(searchTokensOf('dateOfBirth', query.dateOfBirth).map((t) => [this.hash(t), false])) });
    if (query.postcode !== undefined) criteria.push({ hashes: new Map(searchTokensOf('postcode', query.postcode).map((t) => [this.hash(t), false])) });
    if (criteria.length === 0 || criteria.some((c) => c.hashes.size === 0)) return [];
    const all = [...new Set(criteria.flatMap((c) => [...c.hashes.keys()]))];
    const rows = await this.sql.query<{ token: string; person_id: string; family_id: string }>(`select token, person_id, family_id from ${this.table} where token = any($1::text[])`, [all]);
    const byPerson = new Map<string, { familyId: string; tokens: Set<string> }>();
    for (const row of rows) {
      const entry = byPerson.get(row.person_id) ?? { familyId: row.family_id, tokens: new Set<string>() };
      entry.tokens.add(row.token);
      byPerson.set(row.person_id, entry);
    }
    const matches: PersonMatch[] = [];
    for (const [personId, { familyId, tokens }] of byPerson) {
      let exact = 0;
      let all = true;
      for (const c of criteria) {
        const hit = [...c.hashes.entries()].filter(([h]) => tokens.has(h));
        if (hit.length === 0) {
          all = false;
          break;
        }
        if (hit.some(([, isExact]) => isExact)) exact += 1;
      }
      if (all) matches.push({ personId, familyId, exactNameTokens: exact });
    }
    return matches.sort((a, b) => b.exactNameTokens - a.exactNameTokens || (a.personId < b.personId ? -1 : 1));
  }
}
