import { deciderSpec } from '../shared/decider-spec';
import { type SpotCheckCommand, type SpotCheckEvent, decideSpotCheck, evolveSpotCheck, initialSpotCheckState } from './spot-check';

const { given } = deciderSpec({ decide: decideSpotCheck, evolve: evolveSpotCheck, initialState: initialSpotCheckState }, { recordedOn: '2026-12-05' });

describe("spot check: central government's check of claimed families (DOMAIN.md 5.5)", () => {
  it('records the three answers per sampled family, a family with any "no" invalid', () => given().when(check).then(checked));

  it('refuses to record the same spot check twice', () => given(checked).when(check).thenRejected('SpotCheckAlreadyRecorded', 'duplicate'));

  it('refuses a family in no submitted claim', () =>
    given()
      .when({ ...check, families: [{ ...answered('family-z'), claim: null }] })
      .thenRejected('FamilyNotClaimed'));

  it("refuses a check dated before the family's claim was submitted", () =>
    given()
      .when({ ...check, checkedOn: '2016-09-01' })
      .thenRejected('SpotCheckBeforeSubmission'));

  it('refuses a check dated after the day it is recorded', () => given().when(check, { recordedOn: '2017-01-31' }).thenRejected('BusinessDateInFuture'));

  it('refuses a family listed twice', () =>
    given()
      .when({ ...check, families: [answered('family-a'), answered('family-a')] })
      .thenRejected('FamilyListedTwice'));

  it('refuses a check of no family', () =>
    given()
      .when({ ...check, families: [] })
      .thenRejected('NothingChecked'));
});

// Fixtures: a March 2017 spot check of two families claimed on 28 September 2016.

function answered(familyId: string, resultEvidenced = true): SpotCheckCommand['families'][number] {
  return { familyId, claim: { claimId: 'claim-2016-09', submittedOn: '2016-09-28' }, eligible: true, wholeFamilyWorking: true, resultEvidenced };
}

const check: SpotCheckCommand = {
  type: 'RecordSpotCheck',
  spotCheckId: 'spot-check-2017-03',
  checkedOn: '2017-03-14',
  recordedBy: 'finance-officer-chris',
  families: [answered('family-a'), answered('family-b', false)],
};

const checked: SpotCheckEvent = {
  type: 'SpotCheckRecorded',
  data: {
    spotCheckId: 'spot-check-2017-03',
    checkedOn: '2017-03-14',
    recordedBy: 'finance-officer-chris',
    families: [
      { familyId: 'family-a', claimId: 'claim-2016-09', eligible: true, wholeFamilyWorking: true, resultEvidenced: true, valid: true },
      { familyId: 'family-b', claimId: 'claim-2016-09', eligible: true, wholeFamilyWorking: true, resultEvidenced: false, valid: false },
    ],
  },
};
