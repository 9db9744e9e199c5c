import { type ClaimCandidate, type ClaimDecisionContext, decideClaim } from './claim.decider';
import { CLAIM_FAMILIES_PER_EVENT, type ClaimEvent, type ClaimedFamily, inParts } from './claim.events';
import { type ClaimState, evolveClaim, initialClaimState } from './claim.state';
import { decideResultsRegister, evolveResultsRegister, initialResultsRegisterState, resultsRegisterDecider } from '../registers/results-register';

// Issue 22.5: a claim's families are listed in events of bounded size, so a national claim
// (over 160,000 families) is many events of at most CLAIM_FAMILIES_PER_EVENT families, not one.

const context: ClaimDecisionContext = { auditSample: { percent: 10, minimum: 5 }, recordedOn: '2019-06-30' };
const FAMILIES = 2 * CLAIM_FAMILIES_PER_EVENT + 345;
const familyIds = Array.from({ length: FAMILIES }, (_, i) => `family-${String(i).padStart(5, '0')}`);

function candidate(familyId: string, i: number): ClaimCandidate {
  return {
    familyId,
    reference: `REF-${familyId}`,
    routes: ['sustained-progress'],
    planVersion: 1 + (i % 2),
    amountPence: 80_000 + (i % 3) * 10_000,
    attachedOn: '2016-05-01',
    evidenceEventIds: [`evidence-${i}`],
    overridden: false,
  };
}

const draftClaim = {
  type: 'DraftClaim',
  claimId: 'claim-national',
  asOf: '2019-03-31',
  draftedOn: '2019-04-01',
  frameworkId: 'troubled-families-2015',
  draftedBy: 'finance-officer-chris',
  families: familyIds.map(candidate),
} as const;

function decided(state: ClaimState, command: Parameters<typeof decideClaim>[0]): ClaimEvent[] {
  const decision = decideClaim(command, state, context);
  if (!decision.ok) throw new Error(`${decision.rejection.reason}: ${decision.rejection.message}`);
  return decision.events;
}

const fold = (events: readonly ClaimEvent[], from = initialClaimState()) => events.reduce(evolveClaim, from);

describe('claim: families listed in parts of bounded size (issue 22.5)', () => {
  const events = decided(initialClaimState(), { ...draftClaim, families: [...draftClaim.families] });

  it('drafts the first part in the draft and the rest in parts of at most CLAIM_FAMILIES_PER_EVENT', () => {
    expect(events.map((e) => e.type)).toEqual(['ClaimDrafted', 'ClaimFamiliesListed', 'ClaimFamiliesListed']);
    const [first, second, third] = events;
    if (first?.type !== 'ClaimDrafted' || second?.type !== 'ClaimFamiliesListed' || third?.type !== 'ClaimFamiliesListed') throw new Error('unexpected events');
    expect(first.data).toMatchObject({ parts: 3, familyCount: FAMILIES, totalPence: draftClaim.families.reduce((sum, f) => sum + f.amountPence, 0) });
    expect([first.data.families.length, second.data.families.length, third.data.families.length]).toEqual([CLAIM_FAMILIES_PER_EVENT, CLAIM_FAMILIES_PER_EVENT, 345]);
    expect([second.data.part, third.data.part]).toEqual([2, 3]);
    // In the draft's order, each family once.
    expect([first, second, third].flatMap((e) => e.data.families.map((f) => f.familyId))).toEqual(familyIds);
  });

  it('folds to the state a claim drafted in one event (as before the parts) folds to', () => {
    const all = events.flatMap((e) => (e.type === 'ClaimDrafted' || e.type === 'ClaimFamiliesListed' ? e.data.families : [])) as ClaimedFamily[];
    const first = events[0];
    if (first?.type !== 'ClaimDrafted') throw new Error('no draft');
    const { parts: _parts, familyCount: _count, ...header } = first.data;
    const inOne: ClaimEvent = { type: 'ClaimDrafted', data: { ...header, families: all } };
    const state = fold(events);
    expect(state.families.drafted).toEqual(fold([inOne]).families.drafted);
    expect(state.families.remaining).toEqual(familyIds);
    expect(state.totals).toEqual(fold([inOne]).totals);
  });

  it('keeps a claim of at most one part in one event, without parts', () => {
    const small = decided(initialClaimState(), { ...draftClaim, families: draftClaim.families.slice(0, CLAIM_FAMILIES_PER_EVENT) });
    expect(small).toHaveLength(1);
    expect(small[0]?.data).not.toHaveProperty('parts');
  });

  it('submits every remaining family in parts, and a family of a later part can be recovered', () => {
    let state = fold(events);
    state = fold(decided(state, { type: 'DrawAuditSample', seed: 7, sampledOn: '2019-04-02', by: 'auditor-priya', alreadyClaimedFamilyIds: [] }), state);
    for (const familyId of state.sample?.familyIds ?? []) {
      state = fold(
        decided(state, { type: 'RecordAuditFinding', familyId, valid: familyId !== state.sample?.familyIds[0], note: 'no evidence on file', auditor: 'auditor-priya', foundOn: '2019-04-03' }),
        state,
      );
    }
    state = fold(decided(state, { type: 'SignOffClaim', role: 'programme-lead', by: 'coordinator-alex', signedOn: '2019-04-04', overrideApprovers: [] }), state);
    state = fold(decided(state, { type: 'SignOffClaim', role: 'head-of-audit', by: 'head-of-audit-morgan', signedOn: '2019-04-04', overrideApprovers: [] }), state);
    const submission = decided(state, { type: 'SubmitClaim', submittedOn: '2019-04-05', alreadyClaimedFamilyIds: [] });
    expect(submission.map((e) => e.type)).toEqual(['ClaimSubmitted', 'ClaimFamiliesSubmitted', 'ClaimFamiliesSubmitted']);
    for (const e of submission) {
      if (e.type !== 'ClaimSubmitted' && e.type !== 'ClaimFamiliesSubmitted') throw new Error('unexpected event');
      expect(e.data.familyIds.length).toBeLessThanOrEqual(CLAIM_FAMILIES_PER_EVENT);
    }
    const after = fold(submission, state);
    expect(after.submission?.familyIds).toEqual(state.families.remaining);
    expect(after.submission?.familyIds).toHaveLength(FAMILIES - 1);
    expect(after.submission?.totalPence).toBe(state.totals.remainingPence);
    const last = familyIds[FAMILIES - 1] as string;
    const recovery = decided(after, { type: 'RecoverFamily', familyId: last, reason: 'spot check', on: '2019-06-01', spotCheck: { spotCheckId: 'sc-1', checkedOn: '2019-05-01', foundInvalid: true } });
    expect(recovery.map((e) => e.type)).toEqual(['FamilyResultRecovered']);
  });

  it('enters a claim in the results register in entries of bounded size, all or nothing', () => {
    const decision = decideResultsRegister({ type: 'ClaimResults', claimId: 'claim-national', familyIds }, initialResultsRegisterState());
    if (!decision.ok) throw new Error('refused');
    expect(decision.events.map((e) => e.data.familyIds.length)).toEqual([CLAIM_FAMILIES_PER_EVENT, CLAIM_FAMILIES_PER_EVENT, 345]);
    const folded = resultsRegisterDecider.fold?.(decision.events.map((event, i) => ({ event, eventId: `e-${i}` })));
    expect(folded?.claimedIn.size).toBe(FAMILIES);
    const evolved = decision.events.reduce(evolveResultsRegister, initialResultsRegisterState());
    // A retry of the same entry records nothing.
    const retry = decideResultsRegister({ type: 'ClaimResults', claimId: 'claim-national', familyIds }, evolved);
    expect(retry).toEqual({ ok: true, events: [] });
  });

  it('splits lists into parts of at most the size given', () => {
    expect(inParts([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(inParts([], 2)).toEqual([[]]);
  });
});
