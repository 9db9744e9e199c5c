import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atIndex, familyPersonalData } from '@ledger/domain';
import { eventIdsFor, type NewEvent, PgSqlClient, PostgresEventStore, quoteIdent, type RecordedEvent, type SqlClient } from '@ledger/event-store';
import { collectAll, eventStoreContract, waitFor } from '../contract/event-store.contract';
import { openPgliteStore, openPostgresStore, uniqueSchema } from '../support/stores';
import { describeWhen, testEnv } from '../support/test-env';
import { ERASED, familyKeyId, InvalidMasterKeyError, KeyVault, MasterKeyMismatchError, PersonalDataCipher, PersonalDataEventStore, PersonErasedError, resolveMasterKey } from '@ledger/privacy';

/** One store under test: the sealing decorator, the store under it, and the database beneath both. */
interface Harness {
  schema: string;
  sql: SqlClient;
  raw: PostgresEventStore;
  vault: KeyVault;
  store: PersonalDataEventStore;
  masterKey: Buffer;
  /** A connection as a second service instance would have one (PGlite: the same, single one). */
  secondSql: SqlClient;
  close(): Promise<void>;
}

type OpenHarness = () => Promise<Harness>;

const openOnPglite: OpenHarness = async () => {
  const { store: raw, drop } = await openPgliteStore({ pollIntervalMs: 100 });
  return harness(raw, 'ledger', raw.sqlClient, drop);
};

const openOnPostgres: OpenHarness = async () => {
  const schema = uniqueSchema('pd');
  const { store: raw, drop } = await openPostgresStore({ schema, pollIntervalMs: 100 });
  const secondSql = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 4 });
  return harness(raw, schema, secondSql, async () => {
    await secondSql.close();
    await drop();
  });
};

async function harness(raw: PostgresEventStore, schema: string, secondSql: SqlClient, close: () => Promise<void>): Promise<Harness> {
  const masterKey = randomBytes(32);
  const vault = await KeyVault.open(raw.sqlClient, { schema, masterKey });
  const store = new PersonalDataEventStore(raw, new PersonalDataCipher(vault, familyPersonalData));
  return { schema, sql: raw.sqlClient, raw, vault, store, masterKey, secondSql, close };
}

function privacySuite(name: string, open: OpenHarness): void {
  describe(`personal data sealed per person: ${name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    it('reads back plaintext through append, readStream, readAll and subscribe, while the stored events hold none of it', async () => {
      const family = newFamily();
      const stream = `family-${family.familyId}`;
      const written = [family.identified, family.healthConcern];
      expect(await h.store.append(stream, events(written), { expectedVersion: 'no_stream' })).toMatchObject({ kind: 'appended', nextExpectedVersion: 2 });

      expect((await h.store.readStream(stream)).events.map((e) => e.data)).toEqual(written.map((e) => e.data));
      expect((await collectAll(h.store)).map((e) => e.data)).toEqual(written.map((e) => e.data));
      const received: RecordedEvent[] = [];
      const subscription = h.store.subscribe({ handler: async (batch) => void received.push(...batch) });
      await waitFor(() => received.length === 2, 10_000);
      await subscription.stop();
      expect(received.map((e) => e.data)).toEqual(written.map((e) => e.data));

      // As stored: sealed records, ids and non-personal values in clear, no personal value anywhere.
      const stored = (await h.raw.readStream(stream)).events;
      const members = atIndex(stored, 0).data.members as { memberId: string; relationship: string; $sealed: { v: number; fields: string[] } }[];
      expect(members.map((m) => m.memberId)).toEqual(family.memberIds);
      expect(members[0]).toMatchObject({ relationship: 'parent', livesInHousehold: true, $sealed: { v: 1, fields: ['givenName', 'familyName', 'dateOfBirth', 'postcode', 'nhsNumber'] } });
      expect(members[0]).not.toHaveProperty('givenName');
      expect(stored[1]?.data).toMatchObject({ memberId: family.memberIds[0], concernId: family.concernId, on: '2016-02-01', $sealed: { fields: ['description'] } });
      expectNoneOf(family.personalValues, JSON.stringify(stored.map((e) => e.data)));
      const rows = await h.sql.query<{ data: string }>(`select data::text as data from ${quoteIdent(h.schema)}.events`);
      expect(rows).toHaveLength(2);
      expectNoneOf(family.personalValues, rows.map((r) => r.data).join('\n'));
    });

    it('keeps metadata and ids, seals FamilyMemberAdded, and lets legacy plaintext events pass through unchanged', async () => {
      const family = newFamily();
      const stream = `family-${family.familyId}`;
      const legacy = events([family.identified]);
      await h.raw.append(stream, legacy);
      const added = events([family.memberAdded]);
      await h.store.append(stream, added);
      const read = (await h.store.readStream(stream)).events;
      expect(read.map((e) => e.data)).toEqual([family.identified.data, family.memberAdded.data]);
      expect(read.map((e) => e.metadata)).toEqual([atIndex(legacy, 0).metadata, atIndex(added, 0).metadata]);
      const stored = atIndex((await h.raw.readStream(stream)).events, 1).data.member;
      expect(stored).toMatchObject({ memberId: family.addedMemberId, $sealed: { fields: ['givenName', 'familyName', 'dateOfBirth'] } });
      expect(JSON.stringify(stored)).not.toContain('Quill');
    });

    it("seals an ASB incident named to a member with the member's key, and one attributed to the household with the family's key", async () => {
      const family = newFamily();
      const stream = `family-${family.familyId}`;
      const named = { type: 'AsbIncidentRecorded', data: { familyId: family.familyId, memberId: family.memberIds[1], occurredOn: '2016-03-01', kind: 'criminal damage' } };
      const household = { type: 'AsbIncidentRecorded', data: { familyId: family.familyId, occurredOn: '2016-03-02', kind: 'noise' } };
      await h.store.append(stream, events([named, household]));
      const stored = (await h.raw.readStream(stream)).events.map((e) => e.data);
      expect(stored[0]).toEqual({ familyId: family.familyId, memberId: family.memberIds[1], occurredOn: '2016-03-01', $sealed: expect.objectContaining({ fields: ['kind'] }) });
      // DOMAIN.md 6: free text about the household is sealed with the family's key.
      expect(stored[1]).toEqual({ familyId: family.familyId, occurredOn: '2016-03-02', $sealed: expect.objectContaining({ fields: ['kind'] }) });
      expect((await h.store.readStream(stream)).events.map((e) => e.data)).toEqual([named.data, household.data]);
      await h.vault.erase(familyKeyId(family.familyId), 'test');
      expect((await h.store.readStream(stream)).events.map((e) => e.data)).toEqual([named.data, { ...household.data, kind: ERASED }]);
    });

    it('after an erasure reads show the placeholder for that person only, and totals stay', async () => {
      const family = newFamily();
      const stream = `family-${family.familyId}`;
      const attendance = { type: 'SchoolAttendanceRecorded', data: { familyId: family.familyId, memberId: family.memberIds[0], attendedSessions: 120 } };
      await h.store.append(stream, events([family.identified, family.healthConcern, attendance]));
      const [erased, kept] = family.memberIds;
      expect(await h.vault.status(erased)).toBe('active');

      expect(await h.vault.erase(erased, 'request from the person')).toBe('erased');
      expect(await h.vault.erase(erased, 'again')).toBe('already-erased');
      expect(await h.vault.status(erased)).toBe('erased');
      expect(await h.vault.status(randomUUID())).toBe('unknown');
      const [row] = await h.sql.query<{ wrapped: boolean; erased: boolean; reason: string }>(
        `select wrapped_key is not null as wrapped, erased_at is not null as erased, erasure_reason as reason from ${quoteIdent(h.schema)}.person_keys where person_id = $1`,
        [erased],
      );
      expect(row).toEqual({ wrapped: false, erased: true, reason: 'request from the person' });

      const expectedMembers = (family.identified.data.members as Record<string, unknown>[]).map((m) =>
        m.memberId === erased ? { ...m, givenName: ERASED, familyName: ERASED, dateOfBirth: ERASED, postcode: ERASED, nhsNumber: ERASED } : m,
      );
      for (const read of [(await h.store.readStream(stream)).events, await collectAll(h.store)]) {
        expect(read[0]?.data).toEqual({ ...family.identified.data, members: expectedMembers });
        expect(read[1]?.data).toEqual({ ...family.healthConcern.data, description: ERASED });
        expect(read[2]?.data).toEqual(attendance.data);
      }
      expect(expectedMembers.find((m) => m.memberId === kept)).toBe((family.identified.data.members as unknown[])[1]);
      // A second instance with a cold cache sees the same.
      const other = await KeyVault.open(h.secondSql, { schema: h.schema, masterKey: h.masterKey });
      const viaOther = new PersonalDataEventStore(h.raw, new PersonalDataCipher(other, familyPersonalData));
      expect((await viaOther.readStream(stream)).events[1]?.data).toMatchObject({ description: ERASED });
    });

    it('refuses to record new personal data for an erased person, and records nothing', async () => {
      const family = newFamily();
      const stream = `family-${family.familyId}`;
      await h.store.append(stream, events([family.identified]));
      const [erased] = family.memberIds;
      await h.vault.erase(erased, 'retention schedule');
      const before = await h.raw.countEvents();

      const again = { type: 'HealthConcernIdentified', data: { familyId: family.familyId, memberId: erased, concernId: randomUUID(), on: '2017-01-01', description: 'new' } };
      const refused = h.store.append(stream, events([again]));
      await expect(refused).rejects.toBeInstanceOf(PersonErasedError);
      await expect(refused).rejects.toMatchObject({ personId: erased });
      await expect(h.store.appendMany([{ streamId: `family-${randomUUID()}`, events: events([again]) }])).rejects.toBeInstanceOf(PersonErasedError);
      // Facts without personal values still record for them (counts and dates survive erasure).
      const resolved = { type: 'HealthConcernResolved', data: { familyId: family.familyId, memberId: erased, concernId: randomUUID(), on: '2017-02-01' } };
      await h.store.append(stream, events([resolved]));
      expect(await h.raw.countEvents()).toBe(before + 1);

      // Erasing a person never seen leaves a tombstone: no key is ever made for them.
      const stranger = randomUUID();
      expect(await h.vault.erase(stranger, 'objection before any record')).toBe('erased');
      const forStranger = { type: 'OffenceRecorded', data: { familyId: family.familyId, memberId: stranger, committedOn: '2017-03-01', proven: true, category: 'theft' } };
      await expect(h.store.append(stream, events([forStranger]))).rejects.toMatchObject({ name: 'PersonErasedError', personId: stranger });
      expect(await h.raw.countEvents()).toBe(before + 1);
    });

    it('creates one key for a new person when two instances append for them at once', async () => {
      const other = await KeyVault.open(h.secondSql, { schema: h.schema, masterKey: h.masterKey });
      const second = new PersonalDataEventStore(h.raw, new PersonalDataCipher(other, familyPersonalData));
      // Straight at the vaults: both creators get the one key that was stored.
      for (let round = 0; round < 5; round += 1) {
        const personId = randomUUID();
        const [mine, theirs] = await Promise.all([h.vault.keysFor([personId], { create: true }), other.keysFor([personId], { create: true })]);
        expect(mine.get(personId)).toEqual(theirs.get(personId));
        expect(mine.get(personId)).toHaveLength(32);
      }
      for (let round = 0; round < 5; round += 1) {
        const memberId = randomUUID();
        const familyId = randomUUID();
        const concern = (description: string) => ({
          type: 'HealthConcernIdentified',
          data: { familyId, memberId, concernId: randomUUID(), on: '2016-02-01', description },
        });
        const [a, b] = [concern(`first ${round}`), concern(`second ${round}`)];
        const results = await Promise.all([h.store.append(`family-${familyId}-a`, events([a])), second.append(`family-${familyId}-b`, events([b]))]);
        expect(results.map((r) => r.kind)).toEqual(['appended', 'appended']);
        const [count] = await h.sql.query<{ n: string }>(`select count(*)::text as n from ${quoteIdent(h.schema)}.person_keys where person_id = $1`, [memberId]);
        expect(count?.n).toBe('1');
        // Both were sealed under that one key: a third, cold instance opens both.
        const third = new PersonalDataEventStore(h.raw, new PersonalDataCipher(await KeyVault.open(h.sql, { schema: h.schema, masterKey: h.masterKey }), familyPersonalData));
        expect((await third.readStream(`family-${familyId}-a`)).events[0]?.data).toEqual(a.data);
        expect((await third.readStream(`family-${familyId}-b`)).events[0]?.data).toEqual(b.data);
      }
    });

    it('fails with MasterKeyMismatchError, naming LEDGER_MASTER_KEY, under another master key', async () => {
      // Opened before any key exists, the wrong vault can only notice on first use.
      const early = await KeyVault.open(h.secondSql, { schema: h.schema, masterKey: randomBytes(32) });
      const family = newFamily();
      await h.store.append(`family-${family.familyId}`, events([family.identified]));
      await expect(early.keysFor(family.memberIds, { create: false })).rejects.toBeInstanceOf(MasterKeyMismatchError);
      const wrong = new PersonalDataEventStore(h.raw, new PersonalDataCipher(early, familyPersonalData));
      await expect(wrong.readStream(`family-${family.familyId}`)).rejects.toThrow(/LEDGER_MASTER_KEY/);
      // Opened once keys exist, it fails at once.
      await expect(KeyVault.open(h.secondSql, { schema: h.schema, masterKey: randomBytes(32) })).rejects.toBeInstanceOf(MasterKeyMismatchError);
      await expect(KeyVault.open(h.secondSql, { schema: h.schema, masterKey: randomBytes(16) })).rejects.toBeInstanceOf(InvalidMasterKeyError);
      // The right key still works.
      const right = await KeyVault.open(h.secondSql, { schema: h.schema, masterKey: h.masterKey });
      expect([...(await right.keysFor(family.memberIds, { create: false })).values()].every((k) => Buffer.isBuffer(k) && k.length === 32)).toBe(true);
    });

    it('stays idempotent through the decorator: a retried command records once', async () => {
      const family = newFamily();
      const stream = `family-${family.familyId}`;
      const commandId = randomUUID();
      const first = await h.store.append(stream, events([family.identified, family.healthConcern], commandId), { expectedVersion: 'no_stream' });
      const retry = await h.store.append(stream, events([family.identified, family.healthConcern], commandId), { expectedVersion: 'no_stream' });
      expect(first).toMatchObject({ kind: 'appended', idempotent: false });
      expect(retry).toMatchObject({ kind: 'appended', idempotent: true, nextExpectedVersion: 2 });
      expect((await h.store.readStream(stream)).events.map((e) => e.data)).toEqual([family.identified.data, family.healthConcern.data]);

      const other = newFamily();
      const items = [
        { streamId: `family-${other.familyId}`, events: events([other.identified]), expectedVersion: 'no_stream' as const },
        { streamId: `family-${randomUUID()}`, events: events([other.healthConcern]), expectedVersion: 'no_stream' as const },
      ];
      expect(await h.store.appendMany(items)).toMatchObject({ kind: 'appended', appendedEvents: 2, skippedRetries: 0 });
      expect(await h.store.appendMany(items)).toMatchObject({ kind: 'appended', appendedEvents: 0, skippedRetries: 2 });
      expect((await h.store.readStream(atIndex(items, 0).streamId)).events.map((e) => e.data)).toEqual([other.identified.data]);
      expect(await h.store.countEvents?.()).toBe(4);
    });

    it('sees another instance erase a cached person within a minute', async () => {
      const family = newFamily();
      const stream = `family-${family.familyId}`;
      await h.store.append(stream, events([family.healthConcern]));
      expect((await h.store.readStream(stream)).events[0]?.data).toEqual(family.healthConcern.data);
      const other = await KeyVault.open(h.secondSql, { schema: h.schema, masterKey: h.masterKey });
      await other.erase(family.memberIds[0], 'erased elsewhere');
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now');
      try {
        clock.mockReturnValue(now + 61_000);
        expect((await h.store.readStream(stream)).events[0]?.data).toMatchObject({ description: ERASED });
      } finally {
        clock.mockRestore();
      }
    });

    it('never mutates the events it seals or opens', async () => {
      const family = newFamily();
      const input = events([family.identified, family.healthConcern]);
      const copy = structuredClone(input);
      await h.store.append(`family-${family.familyId}`, input);
      expect(input).toEqual(copy);
      const stored = (await h.raw.readStream(`family-${family.familyId}`)).events;
      const storedCopy = structuredClone(stored);
      const cipher = new PersonalDataCipher(h.vault, familyPersonalData);
      await cipher.open(stored);
      expect(stored).toEqual(storedCopy);
    });
  });
}

privacySuite('embedded PGlite', openOnPglite);

describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('on PostgreSQL', () => {
  privacySuite('PostgreSQL', openOnPostgres);
});

// The decorator is an EventStore like any other: the whole contract, over PGlite.
eventStoreContract('PersonalDataEventStore over embedded PGlite', {
  open: async (options) => {
    const { store: raw, drop } = await openPgliteStore({ pollIntervalMs: 200, ...options });
    const vault = await KeyVault.open(raw.sqlClient, { schema: 'ledger', masterKey: randomBytes(32) });
    return { store: new PersonalDataEventStore(raw, new PersonalDataCipher(vault, familyPersonalData)), close: drop };
  },
  unavailable: async () => {
    const { store: raw, drop } = await openPgliteStore();
    const vault = await KeyVault.open(raw.sqlClient, { schema: 'ledger', masterKey: randomBytes(32) });
    await drop();
    return new PersonalDataEventStore(raw, new PersonalDataCipher(vault, familyPersonalData));
  },
  capabilities: { commitHook: true, atomicBulk: true, holdsTransactionsOpen: false },
  appendsPerWriter: 250,
});

describe('resolveMasterKey', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-master-key-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('decodes 32 bytes given as base64, URL-safe base64 or hex', () => {
    const key = randomBytes(32);
    for (const encoded of [key.toString('base64'), key.toString('base64url'), key.toString('hex'), key.toString('hex').toUpperCase()]) {
      expect(resolveMasterKey({ masterKey: encoded, dataDir: '/nonexistent', embedded: false })).toEqual(key);
    }
  });

  it('rejects a key of the wrong length or encoding, without echoing it', () => {
    for (const bad of [randomBytes(16).toString('base64'), randomBytes(31).toString('hex'), `${randomBytes(32).toString('hex')}00`, 'not a key at all, not base64 !!!!!!!!!!!!!']) {
      expect(() => resolveMasterKey({ masterKey: bad, dataDir: '/nonexistent', embedded: true })).toThrow(InvalidMasterKeyError);
      try {
        resolveMasterKey({ masterKey: bad, dataDir: '/nonexistent', embedded: true });
      } catch (error) {
        expect((error as Error).message).toMatch(/LEDGER_MASTER_KEY must be 32 bytes/);
        expect((error as Error).message).not.toContain(bad);
      }
    }
  });

  it('requires LEDGER_MASTER_KEY with PostgreSQL', () => {
    expect(() => resolveMasterKey({ dataDir: tempDir(), embedded: false })).toThrow(/LEDGER_MASTER_KEY is required with PostgreSQL/);
    expect(() => resolveMasterKey({ masterKey: '  ', dataDir: tempDir(), embedded: false })).toThrow(InvalidMasterKeyError);
  });

  it('on the embedded store generates master.key once (mode 0600) and reads it back', () => {
    const dir = join(tempDir(), 'data');
    const first = resolveMasterKey({ dataDir: dir, embedded: true });
    expect(first).toHaveLength(32);
    const file = join(dir, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toEqual(first);
    expect(resolveMasterKey({ dataDir: dir, embedded: true })).toEqual(first);
    // LEDGER_MASTER_KEY, when set, wins over the file.
    const given = randomBytes(32);
    expect(resolveMasterKey({ masterKey: given.toString('base64'), dataDir: dir, embedded: true })).toEqual(given);
  });

  it('refuses a missing key file beside a store that holds data, and makes none', () => {
    const dir = tempDir();
    const made = resolveMasterKey({ dataDir: dir, embedded: true });
    expect(resolveMasterKey({ dataDir: dir, embedded: true, storeHoldsData: true })).toEqual(made);
    rmSync(join(dir, 'master.key'));
    expect(() => resolveMasterKey({ dataDir: dir, embedded: true, storeHoldsData: true })).toThrow(/the key file is missing: .*master\.key/);
    expect(existsSync(join(dir, 'master.key'))).toBe(false);
  });

  it('refuses a damaged key file instead of replacing it', () => {
    const dir = tempDir();
    resolveMasterKey({ dataDir: dir, embedded: true });
    writeFileSync(join(dir, 'master.key'), 'short');
    expect(() => resolveMasterKey({ dataDir: dir, embedded: true })).toThrow(/master\.key must be 32 bytes/);
    expect(readFileSync(join(dir, 'master.key'), 'utf8')).toBe('short');
  });
});

// fixtures below the scenarios

interface FamilyFixture {
  familyId: string;
  familyName: string;
  /** The parent's, then the child's. */
  memberIds: [string, string];
  addedMemberId: string;
  concernId: string;
  identified: { type: string; data: NewEvent['data'] };
  healthConcern: { type: string; data: NewEvent['data'] };
  memberAdded: { type: string; data: NewEvent['data'] };
  /** Every personal value in the events above, each unique to this fixture. */
  personalValues: string[];
}

function newFamily(): FamilyFixture {
  const tag = randomBytes(4).toString('hex');
  const familyId = randomUUID();
  const familyName = `Quenby${tag}`;
  const memberIds: [string, string] = [randomUUID(), randomUUID()];
  const addedMemberId = randomUUID();
  const concernId = randomUUID();
  const parent = {
    memberId: memberIds[0],
    relationship: 'parent',
    givenName: `Alys${tag}`,
    familyName,
    dateOfBirth: '1984-03-07',
    postcode: `ZZ9 ${tag}`,
    nhsNumber: `943${tag}`,
    livesInHousehold: true,
  };
  const child = { memberId: memberIds[1], relationship: 'child', givenName: 'Bryn', familyName, dateOfBirth: '2008-11-30', uniquePupilNumber: `UPN${tag}`, livesInHousehold: true };
  return {
    familyId,
    familyName,
    memberIds,
    addedMemberId,
    concernId,
    identified: { type: 'FamilyIdentified', data: { familyId, reference: `REF-${tag}`, identifiedOn: '2016-01-04', members: [parent, child] } },
    healthConcern: {
      type: 'HealthConcernIdentified',
      data: { familyId, memberId: memberIds[0], concernId, on: '2016-02-01', description: `asthma and anxiety ${tag}` },
    },
    memberAdded: {
      type: 'FamilyMemberAdded',
      data: { familyId, member: { memberId: addedMemberId, relationship: 'child', givenName: 'Quill', familyName, dateOfBirth: '2016-06-01', livesInHousehold: true } },
    },
    personalValues: [parent.givenName, familyName, '1984-03-07', '2008-11-30', parent.postcode, parent.nhsNumber, child.uniquePupilNumber, `asthma and anxiety ${tag}`],
  };
}

function events(items: { type: string; data: NewEvent['data'] }[], commandId: string = randomUUID()): NewEvent[] {
  const ids = eventIdsFor(commandId, items.length);
  return items.map((item, i) => ({
    type: item.type,
    data: item.data,
    metadata: {
      eventId: atIndex(ids, i, 'event id'),
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: { userId: 'privacy-test', role: 'keyworker' },
      recordedAt: '2016-05-03T10:00:00.000Z',
      schemaVersion: 1,
    },
  }));
}

function expectNoneOf(values: string[], text: string): void {
  expect(values.filter((value) => text.includes(value))).toEqual([]);
}
