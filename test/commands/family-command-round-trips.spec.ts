import { randomBytes, randomUUID } from 'node:crypto';
import type { FamilyCommand, Member } from '@ledger/domain';
import { type EventStore, type PostgresEventStore, StreamStateCache } from '@ledger/event-store';
import { ProgrammeCommandHandler, RecordProgrammeCommand, type Recording, registerUser } from '@ledger/application';
import { KeyVault } from '@ledger/privacy';
import { FamilyCommandHandler, RecordFamilyCommand } from '../../apps/api/src/families/family-commands';
import { openPgliteStore } from '../support/stores';

/**
 * Issue 14.4: a family command loads the family's stream once. The real store is wrapped in a
 * counter of the calls that go to the database (round trips); nothing is stubbed. Attaching a
 * family needs: the family's stream (once), the keyworker's user stream, the programme's stream,
 * and the place of the allocation and the attachment appended at once (issue 22.3; before it,
 * one append each). A command on a family the handler remembers reads nothing (issue 22.3).
 */
const COUNCIL = 'council';
const RECORDED_AT = '2016-06-30T10:00:00.000Z';

/** Every call of the store's methods, in order, with the stream it named. */
function counting(store: EventStore): { store: EventStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${String(property)} ${typeof args[0] === 'string' ? args[0].replace(/-[0-9a-f-]{36}$/, '') : ''}`.trim());
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

function recording(): Recording {
  const commandId = randomUUID();
  return { envelope: { commandId, correlationId: commandId, actor: { userId: 'pm.test', role: 'programme-manager' }, recordedAt: RECORDED_AT }, recordedOn: '2016-06-30', keyed: false };
}

const mum: Member = { memberId: 'mum', relationship: 'parent', givenName: 'Sarah', familyName: 'Hollis', dateOfBirth: '1984-07-19', livesInHousehold: true };
const jake: Member = { memberId: 'jake', relationship: 'child', givenName: 'Jake', familyName: 'Hollis', dateOfBirth: '2005-03-14', livesInHousehold: true };

describe('the round trips of a family command to the store', () => {
  let opened: { store: PostgresEventStore; drop: () => Promise<void> };
  let vault: KeyVault;
  beforeAll(async () => {
    opened = await openPgliteStore();
    vault = await KeyVault.open(opened.store.sqlClient, { schema: 'ledger', masterKey: randomBytes(32) });
    const configured = await new ProgrammeCommandHandler(opened.store, COUNCIL).execute(
      new RecordProgrammeCommand({ type: 'ConfigureProgramme', councilName: 'East Sussex', framework: 'troubled-families-2015', allocation: 10 }, recording()),
    );
    expect(configured.kind).toBe('recorded');
    const keyworker = await registerUser(
      opened.store,
      { now: () => new Date(RECORDED_AT) },
      { username: 'kw.test', password: 'a-long-password-0', role: 'keyworker' },
      { userId: 'admin.root', role: 'admin' },
    );
    expect(keyworker.kind).toBe('recorded');
  }, 60_000);
  afterAll(async () => opened.drop());

  /** A family handler on the counted store, as the api provides it (with its cache of family states). */
  function handler(store: EventStore): FamilyCommandHandler {
    return new FamilyCommandHandler(store, COUNCIL, new StreamStateCache(), vault, { programmeStartsOn: undefined });
  }

  async function identified(on: FamilyCommandHandler): Promise<string> {
    const familyId = randomUUID();
    const commands: FamilyCommand[] = [
      { type: 'IdentifyFamily', familyId, reference: `TF-${familyId.slice(0, 8)}`, identifiedOn: '2016-04-11', members: [mum, jake] },
      { type: 'IdentifyHeadlineProblem', problem: 'education', indicatorCode: 'attendance-below-90', memberId: 'jake', identifiedOn: '2016-04-20', source: 'school' },
      { type: 'IdentifyHeadlineProblem', problem: 'crime-asb', indicatorCode: 'proven-offence', memberId: 'jake', identifiedOn: '2016-04-20', source: 'police' },
    ];
    for (const command of commands) expect(await on.execute(new RecordFamilyCommand(familyId, command, recording()))).toMatchObject({ kind: 'recorded' });
    return familyId;
  }

  it('attaches a family in four: the family read once, the keyworker, the programme, the place and the attachment appended at once', async () => {
    const counted = counting(opened.store);
    const families = handler(counted.store);
    const familyId = await identified(families);
    counted.calls.length = 0;
    const outcome = await families.execute(new RecordFamilyCommand(familyId, { type: 'AttachFamily', attachedOn: '2016-05-03', keyworker: 'kw.test' }, recording()));
    expect(outcome).toMatchObject({ kind: 'recorded', events: [{ type: 'FamilyAttached' }] });
    expect(counted.calls).toEqual(['readStream family', 'readStream user-kw.test', `readStream programme-${COUNCIL}`, 'appendAtomically']);
  });

  it('attaches a family the handler has not seen in as many (its stream read whole, once; the programme as the last attachment left it)', async () => {
    const familyId = await identified(handler(opened.store));
    const counted = counting(opened.store);
    const outcome = await handler(counted.store).execute(new RecordFamilyCommand(familyId, { type: 'AttachFamily', attachedOn: '2016-05-03', keyworker: 'kw.test' }, recording()));
    expect(outcome).toMatchObject({ kind: 'recorded', events: [{ type: 'FamilyAttached' }] });
    expect(counted.calls).toEqual(['readStream family', 'readStream user-kw.test', `readStream programme-${COUNCIL}`, 'appendAtomically']);
  });

  it('records a fact on a family it remembers in one: the fact appended, at the version remembered', async () => {
    const counted = counting(opened.store);
    const families = handler(counted.store);
    const familyId = await identified(families);
    counted.calls.length = 0;
    const outcome = await families.execute(new RecordFamilyCommand(familyId, { type: 'RecordConsent', memberId: 'mum', purpose: 'sharing', given: true, on: '2016-05-01' }, recording()));
    expect(outcome).toMatchObject({ kind: 'recorded' });
    expect(counted.calls).toEqual(['append family']);
  });

  it('identifies a family in three: the family read once, its reference assigned, the family appended', async () => {
    const counted = counting(opened.store);
    const familyId = randomUUID();
    const reference = `TF-${familyId.slice(0, 8)}`;
    const outcome = await handler(counted.store).execute(
      new RecordFamilyCommand(familyId, { type: 'IdentifyFamily', familyId, reference, identifiedOn: '2016-04-11', members: [mum, jake] }, recording()),
    );
    expect(outcome).toMatchObject({ kind: 'recorded' });
    expect(counted.calls).toEqual(['readStream family', `readStream familyReference-${reference}`, `append familyReference-${reference}`, 'append family']);
  });
});
