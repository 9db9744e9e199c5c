import { deciderSpec } from '../shared/decider-spec';
import { foldStored } from '../shared/decider';
import { type FamilyReferenceEvent, familyReferenceDecider } from './family-reference';
import { type FamilyMembershipEvent, familyMembershipDecider } from './family-membership';
import { type ResultsRegisterEvent, familiesClaimedElsewhere, resultsRegisterDecider } from './results-register';

const reference = deciderSpec(familyReferenceDecider);
const membership = deciderSpec(familyMembershipDecider);
const results = deciderSpec(resultsRegisterDecider);

const assigned = (familyId: string): FamilyReferenceEvent => ({ type: 'FamilyReferenceAssigned', data: { reference: 'ESX-0001', familyId } });
const released = (familyId: string): FamilyReferenceEvent => ({ type: 'FamilyReferenceReleased', data: { reference: 'ESX-0001', familyId } });
const joined = (familyId: string): FamilyMembershipEvent => ({ type: 'FamilyMemberAssigned', data: { memberId: 'm-1', familyId } });
const letGo = (familyId: string): FamilyMembershipEvent => ({ type: 'FamilyMemberReleased', data: { memberId: 'm-1', familyId } });
const claimed = (claimId: string, ...familyIds: string[]): ResultsRegisterEvent => ({ type: 'ResultsClaimed', data: { claimId, familyIds } });

type Expected<E> = { then: E[] } | { rejected: string; kind: 'rule' | 'not-found' | 'duplicate' };

describe('the reference register: a family reference belongs to one family', () => {
  const cases: [string, FamilyReferenceEvent[], string, Expected<FamilyReferenceEvent>][] = [
    ['assigns a reference nobody holds', [], 'family-a', { then: [assigned('family-a')] }],
    ['records nothing when the family already holds it (a retry)', [assigned('family-a')], 'family-a', { then: [] }],
    ["refuses another family's reference as a duplicate", [assigned('family-a')], 'family-b', { rejected: 'DuplicateReference', kind: 'duplicate' }],
    ['assigns a reference given back', [assigned('family-a'), released('family-a')], 'family-b', { then: [assigned('family-b')] }],
  ];
  it.each(cases)('%s', (_name, history, familyId, expected) => {
    const outcome = reference.given(...history).when({ type: 'AssignFamilyReference', reference: 'ESX-0001', familyId });
    if ('then' in expected) outcome.then(...expected.then);
    else outcome.thenRejected(expected.rejected, expected.kind);
  });

  const releases: [string, FamilyReferenceEvent[], string, boolean, FamilyReferenceEvent[]][] = [
    ['gives back the reference of a family never identified with it', [assigned('family-a')], 'family-a', false, [released('family-a')]],
    ['keeps it when the family is identified with it (another request identified it)', [assigned('family-a')], 'family-a', true, []],
    ["leaves another family's reference alone", [assigned('family-b')], 'family-a', false, []],
    ['records nothing for a reference nobody holds', [], 'family-a', false, []],
    ['records nothing when it was given back already (a retry)', [assigned('family-a'), released('family-a')], 'family-a', false, []],
  ];
  it.each(releases)('release: %s', (_name, history, familyId, familyIdentifiedWithIt, events) =>
    reference
      .given(...history)
      .when({ type: 'ReleaseFamilyReference', reference: 'ESX-0001', familyId, familyIdentifiedWithIt })
      .then(...events),
  );
});

describe("a person's one family: a client-chosen member id joins one family", () => {
  const cases: [string, FamilyMembershipEvent[], string, Expected<FamilyMembershipEvent>][] = [
    ['assigns a person to the first family that claims them', [], 'family-a', { then: [joined('family-a')] }],
    ['records nothing when the person is already of this family (a retry)', [joined('family-a')], 'family-a', { then: [] }],
    ['refuses a person of another family as a duplicate', [joined('family-a')], 'family-b', { rejected: 'MemberOfAnotherFamily', kind: 'duplicate' }],
    ['assigns a person given back', [joined('family-a'), letGo('family-a')], 'family-b', { then: [joined('family-b')] }],
  ];
  it.each(cases)('%s', (_name, history, familyId, expected) => {
    const outcome = membership.given(...history).when({ type: 'AssignFamilyMember', memberId: 'm-1', familyId });
    if ('then' in expected) outcome.then(...expected.then);
    else outcome.thenRejected(expected.rejected, expected.kind);
  });

  const releases: [string, FamilyMembershipEvent[], string, boolean, FamilyMembershipEvent[]][] = [
    ['gives back a person the family never recorded', [joined('family-a')], 'family-a', false, [letGo('family-a')]],
    ['keeps them when the family records them a member', [joined('family-a')], 'family-a', true, []],
    ["leaves another family's person alone", [joined('family-b')], 'family-a', false, []],
    ['records nothing when they were given back already (a retry)', [joined('family-a'), letGo('family-a')], 'family-a', false, []],
  ];
  it.each(releases)('release: %s', (_name, history, familyId, familyHasThem, events) =>
    membership
      .given(...history)
      .when({ type: 'ReleaseFamilyMember', memberId: 'm-1', familyId, familyHasThem })
      .then(...events),
  );
});

describe('the results register: one result per family across all claims (DOMAIN.md 4.3)', () => {
  const cases: [string, ResultsRegisterEvent[], string[], Expected<ResultsRegisterEvent>][] = [
    ["enters a claim's families in an empty register", [], ['f1', 'f2'], { then: [claimed('claim-1', 'f1', 'f2')] }],
    ['enters families other claims do not hold', [claimed('claim-2', 'f3')], ['f1', 'f2'], { then: [claimed('claim-1', 'f1', 'f2')] }],
    ['records nothing when the claim holds all its families already (a retry)', [claimed('claim-1', 'f1', 'f2')], ['f1', 'f2'], { then: [] }],
    ['names every family of the claim when it holds some already', [claimed('claim-1', 'f1')], ['f1', 'f2'], { then: [claimed('claim-1', 'f1', 'f2')] }],
    ['refuses a claim when another claim holds any of its families', [claimed('claim-2', 'f2')], ['f1', 'f2'], { rejected: 'AlreadyClaimed', kind: 'rule' }],
    ['refuses when a later entry moved a family to another claim', [claimed('claim-1', 'f1'), claimed('claim-2', 'f1')], ['f1'], { rejected: 'AlreadyClaimed', kind: 'rule' }],
    ['records nothing for a claim with no families left', [claimed('claim-2', 'f1')], [], { then: [] }],
  ];
  it.each(cases)('%s', (_name, history, familyIds, expected) => {
    const outcome = results.given(...history).when({ type: 'ClaimResults', claimId: 'claim-1', familyIds });
    if ('then' in expected) outcome.then(...expected.then);
    else outcome.thenRejected(expected.rejected, expected.kind);
  });

  it('names the families other claims hold', () => {
    const { state } = results.given(claimed('claim-1', 'f1'), claimed('claim-2', 'f2', 'f3'));
    expect(familiesClaimedElsewhere(state, 'claim-1')).toEqual(['f2', 'f3']);
    expect(familiesClaimedElsewhere(state, 'claim-2')).toEqual(['f1']);
  });

  it('folds stored entries as evolve does, an entry without families naming none', () => {
    const stored = [
      { type: 'ResultsClaimed', data: { claimId: 'claim-1', familyIds: ['f1', 'f2'] }, metadata: { eventId: 'e1', recordedAt: '2016-09-28T10:00:00.000Z' } },
      { type: 'ResultsClaimed', data: { claimId: 'claim-2' }, metadata: { eventId: 'e2', recordedAt: '2016-09-29T10:00:00.000Z' } },
    ];
    const folded = foldStored(resultsRegisterDecider, stored);
    expect([...folded.claimedIn]).toEqual([
      ['f1', 'claim-1'],
      ['f2', 'claim-1'],
    ]);
    const evolved = stored.reduce((s, e) => resultsRegisterDecider.evolve(s, resultsRegisterDecider.decode(e), e.metadata.eventId), resultsRegisterDecider.initialState());
    expect(folded).toEqual(evolved);
  });
});
