import { randomBytes, randomUUID } from 'node:crypto';
import { type Member, familyMembershipDecider, streams } from '@ledger/domain';
import { type PostgresEventStore, StreamStateCache, handleCommand } from '@ledger/event-store';
import type { Recording } from '@ledger/application';
import { KeyVault } from '@ledger/privacy';
import { FamilyCommandHandler, RecordFamilyCommand } from '../../apps/api/src/families/family-commands';
import { openPgliteStore } from '../support/stores';

/**
 * Identifying a family first records on other streams (the reference register, a person's one
 * family), then on the family's own. When the family's step is refused after those were recorded
 * (a person another request claimed meanwhile), what this command took is given back: the
 * reference and the people are free for the next request, as a refused attachment gives back its
 * place of the allocation. Real store, real handler; the other request's claim of a person is made
 * through the register's own decider, as that request would have made it.
 */
const RECORDED_AT = '2016-06-30T10:00:00.000Z';

function recording(): Recording {
  const commandId = randomUUID();
  return { envelope: { commandId, correlationId: commandId, actor: { userId: 'pm.test', role: 'programme-manager' }, recordedAt: RECORDED_AT }, recordedOn: '2016-06-30', keyed: false };
}

const person = (memberId: string, relationship: Member['relationship'] = 'parent'): Member => ({
  memberId,
  relationship,
  givenName: 'Sam',
  familyName: 'Hollis',
  dateOfBirth: relationship === 'child' ? '2008-10-01' : '1984-07-19',
  livesInHousehold: true,
});

describe('an identification refused after it took a reference or a person', () => {
  let opened: { store: PostgresEventStore; drop: () => Promise<void> };
  let families: FamilyCommandHandler;
  beforeAll(async () => {
    opened = await openPgliteStore();
    const vault = await KeyVault.open(opened.store.sqlClient, { schema: 'ledger', masterKey: randomBytes(32) });
    families = new FamilyCommandHandler(opened.store, 'council', new StreamStateCache(), vault, { programmeStartsOn: undefined });
  }, 60_000);
  afterAll(async () => opened.drop());

  /** Another request's claim of a person, made before its own family is recorded. */
  async function claimedByAnotherRequest(memberId: string): Promise<void> {
    const envelope = recording().envelope;
    const outcome = await handleCommand(opened.store, streams.familyMember(memberId), familyMembershipDecider, { type: 'AssignFamilyMember', memberId, familyId: randomUUID() }, undefined, envelope);
    expect(outcome.kind).toBe('recorded');
  }

  function identify(reference: string, members: Member[], clientMemberIds: string[]) {
    const familyId = randomUUID();
    return families.execute(new RecordFamilyCommand(familyId, { type: 'IdentifyFamily', familyId, reference, identifiedOn: '2016-04-11', members }, recording(), clientMemberIds));
  }

  it('gives its reference back, so the next family can be identified with it', async () => {
    const reference = `TF-${randomUUID().slice(0, 8)}`;
    const taken = randomUUID();
    await claimedByAnotherRequest(taken);
    expect(await identify(reference, [person(taken), person(randomUUID(), 'child')], [taken])).toMatchObject({ kind: 'rejected', rejection: { reason: 'MemberOfAnotherFamily' } });
    expect(await identify(reference, [person(randomUUID()), person(randomUUID(), 'child')], [])).toMatchObject({ kind: 'recorded', events: [{ type: 'FamilyIdentified' }] });
    expect((await opened.store.readStream(streams.familyReference(reference))).events.map((e) => e.type)).toEqual(['FamilyReferenceAssigned', 'FamilyReferenceReleased', 'FamilyReferenceAssigned']);
  });

  it('gives back the people it claimed before the one it could not have', async () => {
    const free = randomUUID();
    const taken = randomUUID();
    await claimedByAnotherRequest(taken);
    expect(await identify(`TF-${randomUUID().slice(0, 8)}`, [person(free), person(taken, 'child')], [free, taken])).toMatchObject({ kind: 'rejected', rejection: { reason: 'MemberOfAnotherFamily' } });
    expect(await identify(`TF-${randomUUID().slice(0, 8)}`, [person(free), person(randomUUID(), 'child')], [free])).toMatchObject({ kind: 'recorded', events: [{ type: 'FamilyIdentified' }] });
    expect((await opened.store.readStream(streams.familyMember(free))).events.map((e) => e.type)).toEqual(['FamilyMemberAssigned', 'FamilyMemberReleased', 'FamilyMemberAssigned']);
  });

  it('keeps what it took when it is retried and recorded (the same reference and people, once)', async () => {
    const reference = `TF-${randomUUID().slice(0, 8)}`;
    const mum = randomUUID();
    const familyId = randomUUID();
    const command = new RecordFamilyCommand(familyId, { type: 'IdentifyFamily', familyId, reference, identifiedOn: '2016-04-11', members: [person(mum), person(randomUUID(), 'child')] }, recording(), [
      mum,
    ]);
    const first = await families.execute(command);
    expect(first).toMatchObject({ kind: 'recorded' });
    expect(await families.execute(command)).toEqual({ ...first, replayed: true });
    expect((await opened.store.readStream(streams.familyReference(reference))).events.map((e) => e.type)).toEqual(['FamilyReferenceAssigned']);
    expect((await opened.store.readStream(streams.familyMember(mum))).events.map((e) => e.type)).toEqual(['FamilyMemberAssigned']);
  });
});
