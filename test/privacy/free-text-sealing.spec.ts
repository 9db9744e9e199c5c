import { randomBytes, randomUUID } from 'node:crypto';
import { personalDataDeclarations, atIndex } from '@ledger/domain';
import { type NewEvent, type PostgresEventStore, quoteIdent } from '@ledger/event-store';
import { openPgliteStore, openPostgresStore, uniqueSchema } from '../support/stores';
import { testEnv } from '../support/test-env';
import { ERASED, KeyVault, PersonalDataCipher, PersonalDataEventStore, familyKeyId } from '@ledger/privacy';

/**
 * Issue 16.4, DOMAIN.md 6: every free-text field the service keeps is declared personal and
 * sealed: about a member with the member's key, else with the family's key; the legal basis in an
 * event's metadata with the family's key. At rest (every row of the events table as text) none of
 * it is in the clear; after the keys are destroyed none of it reads.
 */
const FREE_TEXT: Record<string, string[]> = {
  HeadlineProblemIdentified: ['indicator'],
  AsbIncidentRecorded: ['kind'],
  OutcomeOverrideRecorded: ['reason', 'evidence'],
  FamilyCaseClosed: ['reason'],
  FactCorrected: ['reason'],
  AuditFindingRecorded: ['note'],
  FamilyRemovedFromClaim: ['reason'],
  FamilyResultRecovered: ['reason'],
};

const stores: [string, (schema: string) => Promise<{ store: PostgresEventStore; drop: () => Promise<void> }>][] = [
  ['PGlite', () => openPgliteStore({ pollIntervalMs: 100 })],
  ...(testEnv.postgresUrl
    ? [['PostgreSQL', (schema: string) => openPostgresStore({ schema, pollIntervalMs: 100 })] as [string, (schema: string) => Promise<{ store: PostgresEventStore; drop: () => Promise<void> }>]]
    : []),
];

describe.each(stores)('free text sealed with the family or the person on %s', (name, open) => {
  it('declares every free-text field, seals each at rest, and erasing the keys leaves none readable', async () => {
    const schema = name === 'PGlite' ? 'ledger' : uniqueSchema('ft');
    const { store: raw, drop } = await open(schema);
    try {
      const vault = await KeyVault.open(raw.sqlClient, { schema, masterKey: randomBytes(32) });
      const store = new PersonalDataEventStore(raw, new PersonalDataCipher(vault, personalDataDeclarations));
      const familyId = randomUUID();
      const memberId = randomUUID();
      const texts: string[] = [];
      const written: NewEvent[] = [];
      for (const [type, fields] of Object.entries(FREE_TEXT)) {
        expect((personalDataDeclarations[type] ?? []).flatMap((d) => d.fields)).toEqual(expect.arrayContaining(fields));
        const data: Record<string, string> = { familyId };
        for (const field of fields) texts.push((data[field] = `Vexlington ${type} ${field}`));
        written.push(event(type, data));
      }
      // The same about a member: sealed with the member's key.
      const aboutMember = event('HeadlineProblemIdentified', { familyId, memberId, indicator: 'Vexlington member indicator' });
      texts.push('Vexlington member indicator');
      const withBasis = event('OffenceRecorded', { familyId, memberId, committedOn: '2016-01-01', proven: false }, { legalBasis: 'Vexlington court order s115' });
      texts.push('Vexlington court order s115');
      await store.append(`family-${familyId}`, [...written, aboutMember, withBasis]);

      const read = (await store.readStream(`family-${familyId}`)).events;
      expect(read.map((e) => e.data)).toEqual([...written, aboutMember, withBasis].map((e) => e.data));
      expect(read.at(-1)?.metadata.legalBasis).toBe('Vexlington court order s115');
      expect(await storedText(raw, schema)).not.toContain('Vexlington');

      await vault.erase(memberId, 'test');
      const afterMember = (await store.readStream(`family-${familyId}`)).events;
      expect(afterMember[written.length]?.data.indicator).toBe(ERASED);
      expect(afterMember[0]?.data.indicator).toBe(atIndex(written, 0).data.indicator);
      await vault.erase(familyKeyId(familyId), 'test');
      const afterFamily = JSON.stringify((await store.readStream(`family-${familyId}`)).events.map((e) => ({ data: e.data, metadata: e.metadata })));
      expect(texts.filter((t) => afterFamily.includes(t))).toEqual([]);
      expect(await storedText(raw, schema)).not.toContain('Vexlington');
    } finally {
      await drop();
    }
  });
});

function event(type: string, data: Record<string, string | boolean>, extra: Record<string, string> = {}): NewEvent {
  const id = randomUUID();
  return {
    type,
    data,
    metadata: { eventId: id, commandId: id, correlationId: id, causationId: id, actor: { userId: 'u', role: 'programme-manager' }, recordedAt: '2019-01-01T00:00:00.000Z', schemaVersion: 1, ...extra },
  };
}

async function storedText(raw: PostgresEventStore, schema: string): Promise<string> {
  const rows = await raw.sqlClient.query<{ row: string }>(`select t::text as row from ${quoteIdent(schema)}.events t`);
  return rows.map((r) => r.row).join('\n');
}
