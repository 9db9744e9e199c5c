import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventStoreUsageError, type JsonObject } from '@ledger/event-store';
import type { KeyVault, PersonKey } from './key-vault';

/**
 * Where one person's personal values sit in an event's data, and which they are: the event store's
 * own copy of the shape the domain declares (`familyPersonalData` in @ledger/domain), so this
 * library needs nothing from the domain. `at`: `''` the data itself, `'members[]'` each element of
 * `data.members`, `'member'` the object `data.member`; `subject` names the field there holding the
 * person's id; `fields` are the values encrypted under that person's key.
 */
export interface PersonalFieldsDeclaration {
  at: '' | 'members[]' | 'member';
  subject: string;
  fields: readonly string[];
  /**
   * When the record names no person in `subject`: the field holding the family id whose family
   * key seals the values instead (DOMAIN.md 6: free text about a household, such as an override's
   * reason, is sealed with the family's key; erasing its last member destroys that key).
   */
  orFamily?: string;
}

/** The vault's key id for a family's own key (member ids are UUIDs, so they never collide). */
export function familyKeyId(familyId: string): string {
  return `family:${familyId}`;
}

/** Declarations by event type; types without an entry carry no personal values. */
export type PersonalDataDeclarations = Readonly<Record<string, readonly PersonalFieldsDeclaration[] | undefined>>;

/** What a read shows in place of each personal value of an erased person. */
export const ERASED = '[erased]';

/**
 * A person's sealed values as stored: `fields` (in clear, so an erased person's record still says
 * which values it had) and `box`, base64 of iv(12) | AES-256-GCM ciphertext of the JSON of those
 * values | tag(16), with the person id as associated data (a box moved to another person does not open).
 */
export interface SealedFields {
  v: 1;
  fields: string[];
  box: string;
}

/** The field holding a record's sealed values. */
export const SEALED = '$sealed';

/**
 * The pseudo event type under which the store seals an event's free-text metadata (the legal
 * basis typed in `X-Legal-Basis`, DOMAIN.md 6): a record `{ familyId, legalBasis }` sealed with
 * the family's key, like the family's other free text.
 */
export const METADATA_RECORD = '$metadata';
const METADATA_DECLARATION: readonly PersonalFieldsDeclaration[] = [{ at: '', subject: '$person', orFamily: 'familyId', fields: ['legalBasis'] }];

/** Personal data cannot be recorded for a person who has been erased. */
export class PersonErasedError extends Error {
  override readonly name = 'PersonErasedError';
  constructor(readonly personId: string) {
    super(`person ${personId} has been erased: no personal data can be recorded for them`);
  }
}

/** A sealed record that is malformed or fails authentication under its person's live key. */
export class UnreadableSealedDataError extends Error {
  override readonly name = 'UnreadableSealedDataError';
}

/** An event's data as the cipher sees it: JSON from the store, or a read model's row. */
type Fields = Readonly<Record<string, unknown>>;

interface EventData<D extends Fields = Fields> {
  type: string;
  data: D;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals the declared personal fields of events per person before they are stored, and opens them
 * when read (ARCHITECTURE.md "Privacy"). Everything else in an event (ids, dates, counts, amounts)
 * stays in clear, so totals and claims survive an erasure; an erased person's values read as
 * `ERASED`. Each call asks the vault once for the keys of the whole batch.
 */
export class PersonalDataCipher {
  private readonly declarations: PersonalDataDeclarations;

  constructor(
    private readonly vault: Pick<KeyVault, 'keysFor'>,
    declarations: PersonalDataDeclarations,
  ) {
    this.declarations = { ...declarations, [METADATA_RECORD]: METADATA_DECLARATION };
  }

  /**
   * The events' data with each declared record's present personal fields replaced by `$sealed`.
   * Creates keys for people seen for the first time. Never mutates its input. A record without a
   * person id (an ASB incident attributed to the household, not to a member) has nobody whose key
   * could seal it, and nobody whose erasure would cover it: it is stored as given.
   * @throws PersonErasedError when a record would be sealed for an erased person.
   */
  async seal(events: readonly EventData<JsonObject>[]): Promise<JsonObject[]> {
    const subjects = new Set<string>();
    for (const event of events) {
      this.visit(event, (record, declaration) => {
        const personId = subjectOf(record, declaration);
        if (personId !== null && presentFields(record, declaration).length > 0) subjects.add(personId);
        return record;
      });
    }
    if (subjects.size === 0) return events.map((e) => e.data);
    const keys = await this.vault.keysFor(subjects, { create: true });

    return events.map((event) =>
      this.visit<JsonObject>(event, (record, declaration) => {
        const present = presentFields(record, declaration);
        const personId = subjectOf(record, declaration);
        if (present.length === 0 || personId === null) return record;
        if (SEALED in record) throw new EventStoreUsageError(`${event.type}: a record holds both sealed and plaintext personal fields`);
        const key = keys.get(personId);
        if (key === undefined || key === 'erased') throw new PersonErasedError(personId);
        const values: Record<string, unknown> = {};
        const rest: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(record)) {
          if (present.includes(name)) values[name] = value;
          else if (value !== undefined) rest[name] = value;
        }
        const sealed: SealedFields = { v: 1, fields: present, box: encrypt(key, personId, JSON.stringify(values)) };
        return { ...rest, [SEALED]: { ...sealed } };
      }),
    );
  }

  /**
   * The events' data with sealed records opened: values merged back for a person with a key,
   * `ERASED` for each sealed field of an erased person (or one with no key at all). Records
   * without `$sealed` (written before sealing, or with no personal values) pass through. Never
   * mutates its input. Takes recorded events or read-model rows alike; each result has its
   * input's shape, with personal values in place of `$sealed`.
   */
  async open<D extends Fields>(events: readonly EventData<D>[]): Promise<D[]> {
    const subjects = new Set<string>();
    for (const event of events) {
      this.visit(event, (record, declaration) => {
        if (SEALED in record) subjects.add(sealedSubjectOf(record, declaration, event.type));
        return record;
      });
    }
    if (subjects.size === 0) return events.map((e) => e.data);
    const keys = await this.vault.keysFor(subjects, { create: false });

    return events.map((event) =>
      this.visit<D>(event, (record, declaration) => {
        if (!(SEALED in record)) return record;
        const { [SEALED]: raw, ...rest } = record;
        const sealed = asSealed(raw, event.type);
        const personId = sealedSubjectOf(record, declaration, event.type);
        const key: PersonKey = keys.get(personId) ?? 'erased';
        if (key === 'erased') return { ...rest, ...Object.fromEntries(sealed.fields.map((name) => [name, ERASED])) };
        return { ...rest, ...decrypt(key, personId, sealed, event.type) };
      }),
    );
  }

  /**
   * Applies `change` to every declared record of the event and returns the data, copied along the
   * path to each changed record (unchanged parts are shared, the input is never written to).
   */
  private visit<D extends Fields>(event: EventData<D>, change: (record: Fields, declaration: PersonalFieldsDeclaration) => Fields): D {
    // Records are rebuilt as plain objects of the same JSON shape, so the result keeps the input's type.
    let data: Fields = event.data;
    for (const declaration of this.declarations[event.type] ?? []) {
      if (declaration.at === '') {
        data = change(data, declaration);
      } else if (declaration.at.endsWith('[]')) {
        const name = declaration.at.slice(0, -2);
        const list = data[name];
        if (!Array.isArray(list)) continue;
        let changed = false;
        const next = list.map((item) => {
          if (!isObject(item)) return item;
          const result = change(item, declaration);
          changed ||= result !== item;
          return result;
        });
        if (changed) data = { ...data, [name]: next };
      } else {
        const item = data[declaration.at];
        if (!isObject(item)) continue;
        const result = change(item, declaration);
        if (result !== item) data = { ...data, [declaration.at]: result };
      }
    }
    return data as D;
  }
}

function presentFields(record: Fields, declaration: PersonalFieldsDeclaration): string[] {
  return declaration.fields.filter((name) => Object.hasOwn(record, name) && record[name] !== undefined);
}

/** Whose key seals a record: the person it is about, else its family's (`orFamily`), else nobody. */
function subjectOf(record: Fields, declaration: PersonalFieldsDeclaration): string | null {
  const id = record[declaration.subject];
  if (typeof id === 'string' && id.length > 0) return id;
  if (declaration.orFamily === undefined) return null;
  const familyId = record[declaration.orFamily];
  return typeof familyId === 'string' && familyId.length > 0 ? familyKeyId(familyId) : null;
}

function sealedSubjectOf(record: Fields, declaration: PersonalFieldsDeclaration, type: string): string {
  const personId = subjectOf(record, declaration);
  if (personId === null)
    throw new UnreadableSealedDataError(`${type}: a sealed record names no person in "${declaration.subject}"${declaration.orFamily ? ` nor a family in "${declaration.orFamily}"` : ''}`);
  return personId;
}

function asSealed(raw: unknown, type: string): SealedFields {
  if (isObject(raw) && raw.v === 1 && typeof raw.box === 'string' && Array.isArray(raw.fields) && raw.fields.every((f) => typeof f === 'string')) {
    return { v: 1, fields: raw.fields as string[], box: raw.box };
  }
  throw new UnreadableSealedDataError(`${type}: a sealed record is malformed`);
}

function encrypt(key: Buffer, personId: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(personId, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

function decrypt(key: Buffer, personId: string, sealed: SealedFields, type: string): Fields {
  try {
    const box = Buffer.from(sealed.box, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(personId, 'utf8'));
    decipher.setAuthTag(box.subarray(box.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(box.subarray(IV_BYTES, box.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    const values: unknown = JSON.parse(plaintext);
    if (!isObject(values)) throw new Error('not an object');
    return values;
  } catch (error) {
    // Never the values or the key: only which person's record failed.
    throw new UnreadableSealedDataError(`${type}: the sealed personal data of ${personId} does not open under their key`, { cause: error });
  }
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
