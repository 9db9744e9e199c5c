import { type OutcomePlanState, decideOutcomePlan, evolveOutcomePlan, initialOutcomePlanState } from '../outcome-plan/outcome-plan';
import { evolveProgramme, initialProgrammeState, type ProgrammeState } from '../programme/programme';
import { troubledFamilies2015 } from '../programme/troubled-families-2015.framework';
import { supportingFamilies2022 } from '../programme/supporting-families-2022.framework';
import { deciderSpec } from '../shared/decider-spec';
import { decideFamily, type FamilyCommand, type FamilyDecisionContext } from './family.decider';
import type { FactCorrected, FamilyAttached, FamilyCaseClosed, FamilyEvent, FamilyIdentified, HeadlineProblem, HeadlineProblemIdentified, Member, SchoolAttendanceRecorded } from './family.events';
import { evolveFamily, factsOf, initialFamilyState } from './family.state';
import { must } from '../shared/present';

const family = { decide: decideFamily, evolve: evolveFamily, initialState: initialFamilyState };
const recording: FamilyDecisionContext = {
  recordedOn: '2016-06-30',
  actorId: 'programme-manager-jo',
  programme: programme({ allocation: 3570, attached: [] }),
  programmeStartsOn: '2015-04-01',
};
const { given } = deciderSpec(family, recording);

describe('family: identifying a family', () => {
  it('identifies a family with its members', () =>
    given()
      .when({ type: 'IdentifyFamily', familyId, reference: 'TF-0042', identifiedOn: '2016-04-11', members: [mum, dad, jake, lily] })
      .then({ type: 'FamilyIdentified', data: { familyId, reference: 'TF-0042', identifiedOn: '2016-04-11', members: [mum, dad, jake, lily] } }));

  it('refuses to identify a family that is already identified', () =>
    given(identified)
      .when({ type: 'IdentifyFamily', familyId, reference: 'TF-0042', identifiedOn: '2016-04-11', members: [mum] })
      .thenRejected('FamilyAlreadyIdentified', 'duplicate'));

  it('refuses an identification dated after the day it is recorded', () =>
    given()
      .when({ type: 'IdentifyFamily', familyId, reference: 'TF-0042', identifiedOn: '2016-07-01', members: [mum, jake] })
      .thenRejected('BusinessDateInFuture'));

  it('refuses a member born after the day the family is recorded', () =>
    given()
      .when({ type: 'IdentifyFamily', familyId, reference: 'TF-0042', identifiedOn: '2016-04-11', members: [mum, { ...lily, dateOfBirth: '2016-08-01' }] })
      .thenRejected('BusinessDateInFuture'));

  it('refuses a family with no members', () => given().when({ type: 'IdentifyFamily', familyId, reference: 'TF-0042', identifiedOn: '2016-04-11', members: [] }).thenRejected('NoMembers'));

  it('refuses two members recorded under the same id', () =>
    given()
      .when({ type: 'IdentifyFamily', familyId, reference: 'TF-0042', identifiedOn: '2016-04-11', members: [jake, { ...lily, memberId: jake.memberId }] })
      .thenRejected('DuplicateMember'));

  it('refuses to record anything about a family that has not been identified', () => given().when(attach).thenRejected('FamilyNotFound', 'not-found'));
});

describe('family: members', () => {
  it('adds a new member to the family', () =>
    given(identified)
      .when({ type: 'AddFamilyMember', member: baby })
      .then({ type: 'FamilyMemberAdded', data: { familyId, member: baby } }));

  it('refuses a member who is already in the family', () => given(identified).when({ type: 'AddFamilyMember', member: jake }).thenRejected('MemberAlreadyInFamily', 'duplicate'));

  it('refuses a member born after the day it is recorded', () =>
    given(identified)
      .when({ type: 'AddFamilyMember', member: { ...baby, dateOfBirth: '2016-07-02' } })
      .thenRejected('BusinessDateInFuture'));
});

describe('family: headline problems', () => {
  it('records a headline problem with its indicator and source', () =>
    given(identified)
      .when({ type: 'IdentifyHeadlineProblem', problem: 'education', indicator: 'persistent absence', memberId: 'jake', identifiedOn: '2016-04-20', source: 'school' })
      .then({
        type: 'HeadlineProblemIdentified',
        data: { familyId, problem: 'education', indicator: 'persistent absence', memberId: 'jake', identifiedOn: '2016-04-20', source: 'school' },
      }));

  it('records a problem that affects the whole family without naming a member', () =>
    given(identified)
      .when({ type: 'IdentifyHeadlineProblem', problem: 'domestic-abuse', indicator: 'police call-out', identifiedOn: '2016-04-20', source: 'police' })
      .then({ type: 'HeadlineProblemIdentified', data: { familyId, problem: 'domestic-abuse', indicator: 'police call-out', identifiedOn: '2016-04-20', source: 'police' } }));

  it('refuses a problem for someone who is not in the family', () =>
    given(identified)
      .when({ type: 'IdentifyHeadlineProblem', problem: 'crime-asb', indicator: 'proven offence', memberId: 'stranger', identifiedOn: '2016-04-20', source: 'police' })
      .thenRejected('UnknownMember'));

  it('refuses a problem identified after the day it is recorded', () =>
    given(identified)
      .when({ type: 'IdentifyHeadlineProblem', problem: 'health', indicator: 'substance misuse', memberId: 'mum', identifiedOn: '2016-07-01', source: 'health' })
      .thenRejected('BusinessDateInFuture'));
});

describe('family: attaching to the programme', () => {
  it('attaches a family with two headline problems and a dependent child', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when(attach)
      .then({
        type: 'FamilyAttached',
        data: { familyId, attachedOn: '2016-05-03', keyworker: 'keyworker-amira', problemsAtEntry: ['crime-asb', 'education'], financialYear: '2016/17' },
      }));

  it('attaches a family whose place in the allocation is already taken by its own attachment', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when(attach, { ...recording, programme: programme({ allocation: 1, attached: [familyId] }) })
      .then(attached));

  it('refuses to attach before the programme has been set up', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when(attach, { ...recording, programme: initialProgrammeState() })
      .thenRejected('ProgrammeNotConfigured'));

  it('refuses to attach a family twice', () => given(identified, problem('education'), problem('crime-asb'), attached).when(attach).thenRejected('AlreadyAttached'));

  it('refuses to attach a family whose case is closed', () => given(identified, problem('education'), problem('crime-asb'), closed('2016-04-30')).when(attach).thenRejected('FamilyCaseClosed'));

  it('refuses to attach a family without a named keyworker', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when({ ...attach, keyworker: '  ' })
      .thenRejected('NoKeyworker'));

  it('refuses an attachment dated before the family was identified', () =>
    given(identified, problem('education', 'jake', '2016-04-11'), problem('crime-asb', 'jake', '2016-04-11'))
      .when({ ...attach, attachedOn: '2016-04-10' })
      .thenRejected('AttachedBeforeIdentified'));

  it('refuses an attachment dated before the programme started', () =>
    given(identifiedWith([mum, jake], '2015-03-02'), problem('education', 'jake', '2015-03-10'), problem('crime-asb', 'jake', '2015-03-10'))
      .when({ ...attach, attachedOn: '2015-03-31' })
      .thenRejected('BeforeProgrammeStart'));

  it('refuses an attachment dated after the day it is recorded', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when({ ...attach, attachedOn: '2016-07-01' })
      .thenRejected('BusinessDateInFuture'));

  it('refuses a household with no dependent child', () =>
    given(identifiedWith([mum, dad]), problem('worklessness', 'mum'), problem('health', 'mum'))
      .when(attach)
      .thenRejected('NoDependentChild'));

  it('refuses a family with one headline problem', () => given(identified, problem('education')).when(attach).thenRejected('FewerThanTwoHeadlineProblems'));

  it("refuses to attach once the council's allocation is taken", () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when(attach, { ...recording, programme: programme({ allocation: 1, attached: ['family-other'] }) })
      .thenRejected('AllocationExhausted'));
});

describe('family: attachment evidence and the keyworker on record (DOMAIN.md 2)', () => {
  const withEvidence = (): Extract<FamilyCommand, { type: 'AttachFamily' }> => ({ ...attach, wholeFamilyAssessmentOn: '2016-04-18', familyPlanOn: '2016-05-03' });

  it('records the whole-family assessment and family plan dates with the attachment', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when(withEvidence(), { ...recording, keyworkerOnRecord: true })
      .then({ type: 'FamilyAttached', data: { ...attached.data, wholeFamilyAssessmentOn: '2016-04-18', familyPlanOn: '2016-05-03' } }));

  it('refuses a keyworker who is not a keyworker user on record', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when(attach, { ...recording, keyworkerOnRecord: false })
      .thenRejected('UnknownKeyworker'));

  it('refuses an assessment before the family was identified', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when({ ...withEvidence(), wholeFamilyAssessmentOn: '2016-04-10' })
      .thenRejected('EvidenceBeforeIdentified'));

  it('refuses a family plan dated after the attachment', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when({ ...withEvidence(), familyPlanOn: '2016-05-04' })
      .thenRejected('EvidenceAfterAttachment'));

  it('refuses an assessment date that is not a calendar date', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when({ ...withEvidence(), wholeFamilyAssessmentOn: '2016-02-30' })
      .thenRejected('InvalidDate'));

  it('refuses a family plan dated after the day of recording', () =>
    given(identified, problem('education'), problem('crime-asb'))
      .when({ ...withEvidence(), attachedOn: '2016-06-30', familyPlanOn: '2016-07-01' })
      .thenRejected('BusinessDateInFuture'));
});

describe('family: problems are codes of the framework and the plan in force (issue 17.3, 17.7)', () => {
  const identify = (over: Partial<Extract<FamilyCommand, { type: 'IdentifyHeadlineProblem' }>>): FamilyCommand => ({
    type: 'IdentifyHeadlineProblem',
    problem: 'education',
    indicatorCode: 'attendance-below-90',
    memberId: 'jake',
    identifiedOn: '2016-04-20',
    source: 'school',
    ...over,
  });
  const decide = (command: FamilyCommand, context: Partial<FamilyDecisionContext> = {}) => decideFamily(command, given(identified).state, { ...recording, ...context });

  it('records an indicator code of the default plan, with free text as a note beside it', () =>
    given(identified)
      .when(identify({ indicator: 'missed most of the spring term' }))
      .then({
        type: 'HeadlineProblemIdentified',
        data: { familyId, problem: 'education', indicatorCode: 'attendance-below-90', indicator: 'missed most of the spring term', memberId: 'jake', identifiedOn: '2016-04-20', source: 'school' },
      }));

  it.each([
    ['a problem of another framework', identify({ problem: 'housing', indicatorCode: 'housing-risk' }), 'UnknownHeadlineProblem', 'problem:'],
    ['an indicator code of another problem', identify({ indicatorCode: 'neet' }), 'UnknownIndicator', 'indicatorCode:'],
    ['neither a code nor words', identify({ indicatorCode: undefined }), 'NoIndicatorCode', 'indicatorCode:'],
  ])('refuses %s under phase two, naming the field', (_case, command, reason, field) => {
    const outcome = decide(command);
    expect(outcome).toMatchObject({ ok: false, rejection: { reason } });
    expect(!outcome.ok && outcome.rejection.message.startsWith(field)).toBe(true);
  });

  it('keeps free text alone for phase two (its histories name indicators in words)', () => expect(decide(identify({ indicatorCode: undefined, indicator: 'persistent absence' })).ok).toBe(true));

  it('checks the code against the plan in force on the day of identification, not the default plan', () => {
    const recorded = decideOutcomePlan(
      {
        type: 'RecordOutcomePlanVersion',
        effectiveFrom: '2016-04-01',
        scope: 'at-entry',
        problems: {
          education: {
            indicators: [{ code: 'low-attendance', label: 'Low attendance', evidence: 'school' }],
            measures: [{ kind: 'attendance-threshold', termsRequired: 3, thresholdPercent: 90, maxFixedTermExclusions: 2 }],
          },
        },
      },
      initialOutcomePlanState(),
    );
    if (!recorded.ok) throw new Error(recorded.rejection.message);
    const outcomePlans = recorded.events.reduce(evolveOutcomePlan, initialOutcomePlanState());
    expect(decide(identify({ indicatorCode: 'low-attendance' }), { outcomePlans }).ok).toBe(true);
    expect(decide(identify({ indicatorCode: 'attendance-below-90' }), { outcomePlans })).toMatchObject({ ok: false, rejection: { reason: 'UnknownIndicator' } });
    // Before the new version took effect, the default plan's codes hold.
    expect(decide(identify({ indicatorCode: 'attendance-below-90', identifiedOn: '2016-03-31' }), { outcomePlans }).ok).toBe(true);
  });

  describe('under Supporting Families 2022–25', () => {
    const sf = (): Partial<FamilyDecisionContext> => ({
      framework: supportingFamilies2022,
      outcomePlans: initialOutcomePlanState(supportingFamilies2022.defaultPlan),
      recordedOn: '2023-01-31',
      programmeStartsOn: '2022-04-01',
    });
    const need = (problem: string, indicatorCode: string, identifiedOn = '2022-10-05'): HeadlineProblemIdentified => ({
      type: 'HeadlineProblemIdentified',
      data: { familyId, problem, indicatorCode, identifiedOn, source: 'partner' },
    });
    const expectingMum = (): Member => ({ ...mum, expectant: true });
    const sfAttach = { type: 'AttachFamily', attachedOn: '2022-11-01', keyworker: 'keyworker-amira' } satisfies FamilyCommand;

    it("accepts the framework's own needs by code, and refuses phase two's problems and free text alone", () => {
      expect(decideFamily(identify({ problem: 'housing', indicatorCode: 'housing-risk', identifiedOn: '2022-10-05' }), given(identified).state, { ...recording, ...sf() }).ok).toBe(true);
      expect(decideFamily(identify({ problem: 'worklessness', indicatorCode: 'out-of-work-benefit', identifiedOn: '2022-10-05' }), given(identified).state, { ...recording, ...sf() })).toMatchObject({
        ok: false,
        rejection: { reason: 'UnknownHeadlineProblem' },
      });
      expect(
        decideFamily(identify({ problem: 'housing', indicatorCode: undefined, indicator: 'sofa surfing', identifiedOn: '2022-10-05' }), given(identified).state, { ...recording, ...sf() }),
      ).toMatchObject({ ok: false, rejection: { reason: 'NoIndicatorCode' } });
    });

    it('attaches an expectant parent with no dependent child on three needs; refuses two', () => {
      const family = identifiedWith([expectingMum()], '2022-10-03');
      const two = given(family, need('housing', 'housing-risk'), need('domestic-abuse', 'domestic-abuse')).state;
      expect(decideFamily(sfAttach, two, { ...recording, ...sf() })).toMatchObject({ ok: false, rejection: { reason: 'FewerThanTwoHeadlineProblems' } });
      const three = given(family, need('housing', 'housing-risk'), need('domestic-abuse', 'domestic-abuse'), need('financial-stability', 'problem-debt')).state;
      expect(decideFamily(sfAttach, three, { ...recording, ...sf() })).toMatchObject({
        ok: true,
        events: [{ type: 'FamilyAttached', data: { problemsAtEntry: ['domestic-abuse', 'financial-stability', 'housing'] } }],
      });
    });

    it('refuses an expectant parent with no dependent child under phase two (DOMAIN.md 2)', () => {
      const family = identifiedWith([expectingMum()], '2016-04-11');
      const state = given(family, problem('education', 'mum'), problem('health', 'mum')).state;
      expect(decideFamily(attach, state, recording)).toMatchObject({ ok: false, rejection: { reason: 'NoDependentChild' } });
    });
  });
});

describe("family: attachment reads the framework's own fields (DOMAIN.md 4.5)", () => {
  const threeProblems = { ...troubledFamilies2015, minimumHeadlineProblems: 3 };

  it("refuses two problems where the framework's minimum is three, naming the minimum", () => {
    const outcome = decideFamily(attach, given(identified, problem('education'), problem('crime-asb')).state, { ...recording, framework: threeProblems });
    expect(outcome).toMatchObject({ ok: false, rejection: { reason: 'FewerThanTwoHeadlineProblems' } });
    expect(!outcome.ok && outcome.rejection.message).toContain('at least 3 are needed');
  });

  it("attaches three problems where the framework's minimum is three", () =>
    given(identified, problem('education'), problem('crime-asb'), problem('health', 'mum'))
      .when(attach, { ...recording, framework: threeProblems })
      .then({ type: 'FamilyAttached', data: { ...attached.data, problemsAtEntry: ['crime-asb', 'education', 'health'] } }));

  it("judges a dependent child by the framework's ages", () =>
    // Jake is 11 on 2016-05-03: a framework whose children are dependent only up to 10 has none here.
    given(identifiedWith([mum, jake]), problem('education'), problem('crime-asb'))
      .when(attach, { ...recording, framework: { ...troubledFamilies2015, dependentChild: { alwaysUpToAge: 10, inEducationOrTrainingUpToAge: 10 } } })
      .thenRejected('NoDependentChild'));

  it('attaches an early starter from September 2014 in financial year 2014/15 when the programme starts then', () =>
    given(identifiedWith([mum, jake], '2014-09-01'), problem('education', 'jake', '2014-09-10'), problem('crime-asb', 'jake', '2014-09-10'))
      .when({ ...attach, attachedOn: '2014-09-15' }, { ...recording, programmeStartsOn: '2014-09-01' })
      .then({ type: 'FamilyAttached', data: { ...attached.data, attachedOn: '2014-09-15', financialYear: '2014/15' } }));

  it('refuses the same early attachment under the framework start of April 2015', () =>
    given(identifiedWith([mum, jake], '2014-09-01'), problem('education', 'jake', '2014-09-10'), problem('crime-asb', 'jake', '2014-09-10'))
      .when({ ...attach, attachedOn: '2014-09-15' }, { ...recording, programmeStartsOn: troubledFamilies2015.programmeStartsOn })
      .thenRejected('BeforeProgrammeStart'));

  it('has rates for every financial year from its earliest start', () => {
    expect(troubledFamilies2015.ratesByFinancialYear['2014/15']).toEqual({ attachmentFeePence: 100_000, resultPaymentPence: 80_000 });
    expect(troubledFamilies2015.earliestStartOn).toBe('2014-09-01');
  });
});

describe('family: school attendance and exclusions', () => {
  it("records a child's attendance for a term", () => given(identified).when(autumnAttendance).then(autumnAttendanceRecorded));

  it('records the same term for a brother or sister', () =>
    given(identified, autumnAttendanceRecorded)
      .when({ ...autumnAttendance, memberId: 'lily' })
      .then({ ...autumnAttendanceRecorded, data: { ...autumnAttendanceRecorded.data, memberId: 'lily' } }));

  it('refuses school attendance for a parent', () =>
    given(identified)
      .when({ ...autumnAttendance, memberId: 'mum' })
      .thenRejected('NotAChild'));

  it('refuses school attendance for a child who is not in the family', () =>
    given(identified)
      .when({ ...autumnAttendance, memberId: 'stranger' })
      .thenRejected('UnknownMember'));

  it('refuses an academic year that is not two consecutive years', () =>
    given(identified)
      .when({ ...autumnAttendance, academicYear: '2015/17' })
      .thenRejected('InvalidAcademicYear'));

  it('refuses more sessions attended than were possible', () =>
    given(identified)
      .when({ ...autumnAttendance, possibleSessions: 140, attendedSessions: 141, unauthorisedAbsenceSessions: 0 })
      .thenRejected('AttendedExceedsPossible'));

  it('refuses more unauthorised absences than sessions missed', () =>
    given(identified)
      .when({ ...autumnAttendance, possibleSessions: 140, attendedSessions: 120, unauthorisedAbsenceSessions: 21 })
      .thenRejected('AbsenceExceedsPossible'));

  it('refuses attendance for a term that has not started on the day it is recorded', () =>
    given(identified)
      .when({ ...autumnAttendance, academicYear: '2016/17' })
      .thenRejected('BusinessDateInFuture'));

  it('refuses a second attendance return for the same child and term', () =>
    given(identified, autumnAttendanceRecorded)
      .when({ ...autumnAttendance, attendedSessions: 130, unauthorisedAbsenceSessions: 4 })
      .thenRejected('AttendanceAlreadyRecorded'));

  it("records a child's fixed-term exclusion", () =>
    given(identified)
      .when({ type: 'RecordExclusion', memberId: 'jake', kind: 'fixed-term', startedOn: '2016-02-08', days: 3 })
      .then({ type: 'ExclusionRecorded', data: { familyId, memberId: 'jake', kind: 'fixed-term', startedOn: '2016-02-08', days: 3 } }));

  it('refuses an exclusion for a parent', () => given(identified).when({ type: 'RecordExclusion', memberId: 'mum', kind: 'permanent', startedOn: '2016-02-08' }).thenRejected('NotAChild'));
});

describe('family: crime and anti-social behaviour', () => {
  it('records an offence by a family member', () =>
    given(identified)
      .when({ type: 'RecordOffence', memberId: 'jake', committedOn: '2016-03-12', proven: true, category: 'criminal damage' })
      .then({ type: 'OffenceRecorded', data: { familyId, memberId: 'jake', committedOn: '2016-03-12', proven: true, category: 'criminal damage' } }));

  it('refuses an offence by someone who is not in the family', () =>
    given(identified).when({ type: 'RecordOffence', memberId: 'stranger', committedOn: '2016-03-12', proven: true }).thenRejected('UnknownMember'));

  it('records an anti-social behaviour incident at the family home', () =>
    given(identified)
      .when({ type: 'RecordAsbIncident', occurredOn: '2016-03-20', kind: 'noise' })
      .then({ type: 'AsbIncidentRecorded', data: { familyId, occurredOn: '2016-03-20', kind: 'noise' } }));

  it('refuses an anti-social behaviour incident by someone who is not in the family', () =>
    given(identified).when({ type: 'RecordAsbIncident', memberId: 'stranger', occurredOn: '2016-03-20' }).thenRejected('UnknownMember'));
});

describe('family: benefits', () => {
  it('records the start of a benefit spell', () => given(identified).when(jsaStarts).then(jsaStarted));

  it('records a second benefit while another is open', () =>
    given(identified, jsaStarted)
      .when({ ...jsaStarts, benefit: 'ESA', fullWorkSearch: undefined })
      .then({ type: 'BenefitStarted', data: { familyId, memberId: 'mum', benefit: 'ESA', on: '2016-01-04' } }));

  it('refuses to start a benefit that is already open for the member', () =>
    given(identified, jsaStarted)
      .when({ ...jsaStarts, on: '2016-02-01' })
      .thenRejected('BenefitSpellAlreadyOpen'));

  it('records the end of an open benefit spell', () =>
    given(identified, jsaStarted)
      .when(jsaEnds('2016-05-16'))
      .then({ type: 'BenefitEnded', data: { familyId, memberId: 'mum', benefit: 'JSA', on: '2016-05-16' } }));

  it('refuses to end a benefit the member is not on', () => given(identified).when(jsaEnds('2016-05-16')).thenRejected('NoOpenBenefitSpell'));

  it('refuses to end a benefit before it started', () => given(identified, jsaStarted).when(jsaEnds('2015-12-31')).thenRejected('EndBeforeStart'));

  it('refuses a benefit change for someone who is not in the family', () =>
    given(identified)
      .when({ ...jsaStarts, memberId: 'stranger' })
      .thenRejected('UnknownMember'));

  it('keeps a benefit claimed again on the day the previous claim ended open', () =>
    given(
      identified,
      jsaStarted,
      { type: 'BenefitEnded', data: { familyId, memberId: 'mum', benefit: 'JSA', on: '2016-03-01' } },
      { type: 'BenefitStarted', data: { familyId, memberId: 'mum', benefit: 'JSA', on: '2016-03-01' } },
    )
      .when(jsaEnds('2016-05-16'))
      .then({ type: 'BenefitEnded', data: { familyId, memberId: 'mum', benefit: 'JSA', on: '2016-05-16' } }));
});

describe('family: employment', () => {
  it('records that a member has started work', () =>
    given(identified).when({ type: 'RecordEmploymentChange', memberId: 'mum', change: 'started', on: '2016-05-16', hoursPerWeek: 20 }).then(mumStartsWork));

  it('refuses a second job start while the member is recorded in work', () =>
    given(identified, mumStartsWork).when({ type: 'RecordEmploymentChange', memberId: 'mum', change: 'started', on: '2016-06-01' }).thenRejected('EmploymentAlreadyOpen'));

  it('records that a member has left work', () =>
    given(identified, mumStartsWork)
      .when({ type: 'RecordEmploymentChange', memberId: 'mum', change: 'ended', on: '2016-06-24' })
      .then({ type: 'EmploymentEnded', data: { familyId, memberId: 'mum', on: '2016-06-24' } }));

  it('refuses to end employment for a member who is not in work', () =>
    given(identified).when({ type: 'RecordEmploymentChange', memberId: 'mum', change: 'ended', on: '2016-06-24' }).thenRejected('NoOpenEmployment'));

  it('refuses to end employment before it started', () =>
    given(identified, mumStartsWork).when({ type: 'RecordEmploymentChange', memberId: 'mum', change: 'ended', on: '2016-05-15' }).thenRejected('EndBeforeStart'));

  it('refuses employment for someone who is not in the family', () =>
    given(identified).when({ type: 'RecordEmploymentChange', memberId: 'stranger', change: 'started', on: '2016-05-16' }).thenRejected('UnknownMember'));

  it('keeps a member who moves straight from one job to the next in work', () =>
    given(
      identified,
      mumStartsWork,
      { type: 'EmploymentEnded', data: { familyId, memberId: 'mum', on: '2016-06-06' } },
      { type: 'EmploymentStarted', data: { familyId, memberId: 'mum', on: '2016-06-06', hoursPerWeek: 30 } },
    )
      .when({ type: 'RecordEmploymentChange', memberId: 'mum', change: 'ended', on: '2016-06-24' })
      .then({ type: 'EmploymentEnded', data: { familyId, memberId: 'mum', on: '2016-06-24' } }));
});

describe('family: domestic abuse', () => {
  it('records a domestic abuse incident affecting the family', () =>
    given(identified)
      .when({ type: 'RecordDomesticAbuseIncident', occurredOn: '2016-04-02', memberId: 'mum' })
      .then({ type: 'DomesticAbuseIncidentRecorded', data: { familyId, occurredOn: '2016-04-02', memberId: 'mum' } }));

  it('refuses an incident naming someone who is not in the family', () =>
    given(identified).when({ type: 'RecordDomesticAbuseIncident', occurredOn: '2016-04-02', memberId: 'stranger' }).thenRejected('UnknownMember'));
});

describe('family: health', () => {
  it('records a health concern for a member', () =>
    given(identified).when({ type: 'RecordHealthChange', memberId: 'mum', change: 'identified', on: '2016-04-20', concernId: 'concern-1', description: 'depression' }).then(mumsConcernIdentified));

  it('refuses a health concern id that is already recorded', () =>
    given(identified, mumsConcernIdentified)
      .when({ type: 'RecordHealthChange', memberId: 'jake', change: 'identified', on: '2016-05-01', concernId: 'concern-1' })
      .thenRejected('HealthConcernExists', 'duplicate'));

  it('records that a health concern is resolved', () =>
    given(identified, mumsConcernIdentified)
      .when(concernResolved('mum', '2016-06-10'))
      .then({ type: 'HealthConcernResolved', data: { familyId, memberId: 'mum', concernId: 'concern-1', on: '2016-06-10' } }));

  it('refuses to resolve a health concern that was never recorded', () => given(identified).when(concernResolved('mum', '2016-06-10')).thenRejected('UnknownHealthConcern'));

  it("refuses to resolve another member's health concern", () => given(identified, mumsConcernIdentified).when(concernResolved('jake', '2016-06-10')).thenRejected('UnknownHealthConcern'));

  it('refuses to resolve a health concern twice', () =>
    given(identified, mumsConcernIdentified, { type: 'HealthConcernResolved', data: { familyId, memberId: 'mum', concernId: 'concern-1', on: '2016-06-10' } })
      .when(concernResolved('mum', '2016-06-20'))
      .thenRejected('HealthConcernAlreadyResolved'));

  it('refuses to resolve a health concern before it was identified', () => given(identified, mumsConcernIdentified).when(concernResolved('mum', '2016-04-19')).thenRejected('EndBeforeStart'));

  it('refuses a health change for someone who is not in the family', () => given(identified).when(concernResolved('stranger', '2016-06-10')).thenRejected('UnknownMember'));
});

describe('family: social care and consent', () => {
  it("records a child's social care status", () =>
    given(identified)
      .when({ type: 'RecordSocialCareStatus', memberId: 'lily', status: 'child-protection', on: '2016-04-25' })
      .then({ type: 'SocialCareStatusChanged', data: { familyId, memberId: 'lily', status: 'child-protection', on: '2016-04-25' } }));

  it('refuses a social care status for a parent', () =>
    given(identified).when({ type: 'RecordSocialCareStatus', memberId: 'mum', status: 'child-in-need', on: '2016-04-25' }).thenRejected('NotAChild'));

  it("records a member's consent to sharing", () =>
    given(identified)
      .when({ type: 'RecordConsent', memberId: 'mum', purpose: 'sharing', given: true, on: '2016-04-11' })
      .then({ type: 'ConsentRecorded', data: { familyId, memberId: 'mum', purpose: 'sharing', given: true, on: '2016-04-11' } }));

  it('refuses consent from someone who is not in the family', () =>
    given(identified).when({ type: 'RecordConsent', memberId: 'stranger', purpose: 'evaluation', given: false, on: '2016-04-11' }).thenRejected('UnknownMember'));

  describe("a partner's evidence about a person who withdrew consent to sharing (DOMAIN.md 6)", () => {
    const partner = { ...recording, sharedWithoutLegalBasis: true };
    const exclusion: FamilyCommand = { type: 'RecordExclusion', memberId: 'jake', kind: 'fixed-term', startedOn: '2016-05-02', days: 2 };
    const consent = (given: boolean, on: string): FamilyEvent => ({ type: 'ConsentRecorded', data: { familyId, memberId: 'jake', purpose: 'sharing', given, on } });

    it('is refused without a legal basis', () => given(identified, consent(false, '2016-04-20')).when(exclusion, partner).thenRejected('SharingConsentWithdrawn'));

    it('is recorded under a legal basis', () =>
      given(identified, consent(false, '2016-04-20'))
        .when(exclusion, { ...partner, sharedWithoutLegalBasis: false })
        .then({ type: 'ExclusionRecorded', data: { familyId, memberId: 'jake', kind: 'fixed-term', startedOn: '2016-05-02', days: 2 } }));

    it('is recorded once consent is given again, by a later date', () =>
      given(identified, consent(false, '2016-04-20'), consent(true, '2016-04-25'))
        .when(exclusion, partner)
        .then({ type: 'ExclusionRecorded', data: { familyId, memberId: 'jake', kind: 'fixed-term', startedOn: '2016-05-02', days: 2 } }));

    it('is refused when the later record is dated before the withdrawal', () =>
      given(identified, consent(false, '2016-04-20'), consent(true, '2016-04-01')).when(exclusion, partner).thenRejected('SharingConsentWithdrawn'));

    it("is not about another person's consent", () =>
      given(identified, { type: 'ConsentRecorded', data: { familyId, memberId: 'lily', purpose: 'sharing', given: false, on: '2016-04-20' } })
        .when(exclusion, partner)
        .then({ type: 'ExclusionRecorded', data: { familyId, memberId: 'jake', kind: 'fixed-term', startedOn: '2016-05-02', days: 2 } }));
  });
});

describe('family: local evidence against the Outcome Plan (DOMAIN.md 4.4) and UC regimes (4.2)', () => {
  const withPlan = { ...recording, outcomePlans: plansWithMilestone('debt-plan-agreed', '2016-04-01') };

  it("records a member's activity changing", () =>
    given(identified)
      .when({ type: 'RecordActivityChange', memberId: 'jake', activity: 'neet', on: '2016-05-01' })
      .then({ type: 'ActivityChanged', data: { familyId, memberId: 'jake', activity: 'neet', on: '2016-05-01' } }));

  it('records a milestone of the plan in force, with its evidence', () =>
    given(identified)
      .when({ type: 'RecordOutcomeMilestone', memberId: 'mum', milestone: 'debt-plan-agreed', change: 'achieved', on: '2016-06-01', evidence: 'plan with the money adviser' }, withPlan)
      .then({ type: 'OutcomeMilestoneRecorded', data: { familyId, memberId: 'mum', milestone: 'debt-plan-agreed', change: 'achieved', on: '2016-06-01', evidence: 'plan with the money adviser' } }));

  it.each([
    ['a code the plan does not list', 'joined-a-gym', '2016-06-01'],
    ['a date before the plan listing it took effect', 'debt-plan-agreed', '2016-03-31'],
  ])('refuses a milestone with %s', (_case, milestone, on) =>
    given(identified).when({ type: 'RecordOutcomeMilestone', memberId: 'mum', milestone, change: 'achieved', on, evidence: 'x' }, withPlan).thenRejected('UnknownMilestone'),
  );

  it('records a UC regime change while a UC claim is open', () =>
    given(identified, { type: 'BenefitStarted', data: { familyId, memberId: 'mum', benefit: 'UC', on: '2016-01-04', fullWorkSearch: true } })
      .when({ type: 'RecordUcConditionality', memberId: 'mum', regime: 'working-enough', on: '2016-05-16' })
      .then({ type: 'UcConditionalityChanged', data: { familyId, memberId: 'mum', regime: 'working-enough', on: '2016-05-16' } }));

  it('refuses a UC regime change with no UC claim open on that date', () =>
    given(identified, jsaStarted).when({ type: 'RecordUcConditionality', memberId: 'mum', regime: 'working-enough', on: '2016-05-16' }).thenRejected('NoOpenUcClaim'));
});

describe('family: discretionary outcome overrides', () => {
  it('records an override for an identified problem, approved by the person recording it', () =>
    given(identified, problem('education'), problem('crime-asb'), attached)
      .when(educationOverride('2016-06-20'))
      .then({
        type: 'OutcomeOverrideRecorded',
        data: { familyId, problem: 'education', reason: 'attendance met after a managed move', on: '2016-06-20', approvedBy: 'programme-manager-jo', recordedBy: 'programme-manager-jo' },
      }));

  it('records the approver, another programme manager, and the evidence', () =>
    given(identified, problem('education'), problem('crime-asb'), attached)
      .when({ ...educationOverride('2016-06-20'), approvedBy: 'programme-manager-sam', evidence: 'head teacher letter of 2016-06-18', separateApprover: true })
      .then({
        type: 'OutcomeOverrideRecorded',
        data: {
          familyId,
          problem: 'education',
          reason: 'attendance met after a managed move',
          on: '2016-06-20',
          approvedBy: 'programme-manager-sam',
          recordedBy: 'programme-manager-jo',
          evidence: 'head teacher letter of 2016-06-18',
        },
      }));

  it('refuses an override approved by the person recording it when the council requires a second programme manager', () =>
    given(identified, problem('education'), problem('crime-asb'), attached)
      .when({ ...educationOverride('2016-06-20'), separateApprover: true })
      .thenRejected('ApproverIsRecorder'));

  it('refuses an override for a family that is not attached', () => given(identified, problem('education'), problem('crime-asb')).when(educationOverride('2016-06-20')).thenRejected('NotAttached'));

  it('refuses an override for a problem the family was never found to have', () =>
    given(identified, problem('crime-asb'), problem('health', 'mum'), attached).when(educationOverride('2016-06-20')).thenRejected('ProblemNotIdentified'));

  it('refuses an override dated before the attachment', () =>
    given(identified, problem('education'), problem('crime-asb'), attached).when(educationOverride('2016-05-02')).thenRejected('EndBeforeStart'));
});

describe('family: closing the case', () => {
  it("closes an attached family's case", () =>
    given(identified, problem('education'), problem('crime-asb'), attached)
      .when({ type: 'CloseFamilyCase', closedOn: '2016-06-28', reason: 'family plan completed' })
      .then({ type: 'FamilyCaseClosed', data: { familyId, closedOn: '2016-06-28', reason: 'family plan completed' } }));

  it('refuses to close a case twice', () => given(identified, closed('2016-05-01')).when({ type: 'CloseFamilyCase', closedOn: '2016-06-28', reason: 'moved away' }).thenRejected('AlreadyClosed'));

  it('refuses a closure dated before the attachment', () =>
    given(identified, problem('education'), problem('crime-asb'), attached).when({ type: 'CloseFamilyCase', closedOn: '2016-05-02', reason: 'family plan completed' }).thenRejected('EndBeforeStart'));

  it('refuses a closure dated before a family that was never attached was identified', () =>
    given(identified).when({ type: 'CloseFamilyCase', closedOn: '2016-04-10', reason: 'declined support' }).thenRejected('EndBeforeStart'));
});

describe('family: correcting a recorded fact', () => {
  it("replaces a school's attendance return with its re-issued figures for the same term", () =>
    given(identified, { eventId: 'autumn-attendance', event: autumnAttendanceRecorded }).when(correctAutumnAttendance).then(autumnAttendanceCorrected, autumnAttendanceReissued));

  it('counts the replacement, not the superseded fact, from then on', () => {
    const { state } = given(
      identified,
      { eventId: 'autumn-attendance', event: autumnAttendanceRecorded },
      { eventId: 'correction-1', event: autumnAttendanceCorrected },
      { eventId: 'autumn-attendance-reissued', event: autumnAttendanceReissued },
    );
    expect(factsOf(state, 'SchoolAttendanceRecorded')).toEqual([{ eventId: 'autumn-attendance-reissued', event: autumnAttendanceReissued }]);
    expect(state.recorded.get('autumn-attendance')).toEqual({ type: 'SchoolAttendanceRecorded', superseded: true });
  });

  it('refuses to correct a fact that has already been corrected', () =>
    given(
      identified,
      { eventId: 'autumn-attendance', event: autumnAttendanceRecorded },
      { eventId: 'correction-1', event: autumnAttendanceCorrected },
      { eventId: 'autumn-attendance-reissued', event: autumnAttendanceReissued },
    )
      .when(correctAutumnAttendance)
      .thenRejected('AlreadySuperseded'));

  it('corrects the re-issued return in its turn', () =>
    given(
      identified,
      { eventId: 'autumn-attendance', event: autumnAttendanceRecorded },
      { eventId: 'correction-1', event: autumnAttendanceCorrected },
      { eventId: 'autumn-attendance-reissued', event: autumnAttendanceReissued },
    )
      .when({ ...correctAutumnAttendance, supersedesEventId: 'autumn-attendance-reissued' })
      .then({ ...autumnAttendanceCorrected, data: { ...autumnAttendanceCorrected.data, supersededEventId: 'autumn-attendance-reissued' } }, autumnAttendanceReissued));

  it("refuses to correct an event that is not in the family's history", () =>
    given(identified, autumnAttendanceRecorded)
      .when({ ...correctAutumnAttendance, supersedesEventId: 'no-such-event' })
      .thenRejected('UnknownEvent', 'not-found'));

  it('refuses to correct an attachment, which is not evidence', () =>
    given(identified, problem('education'), problem('crime-asb'), { eventId: 'attachment', event: attached })
      .when({ type: 'CorrectFact', supersedesEventId: 'attachment', replacement: { ...attach, attachedOn: '2016-05-04' } })
      .thenRejected('NotCorrectable'));

  it('refuses a correction whose replacement is another correction', () =>
    given(identified, { eventId: 'autumn-attendance', event: autumnAttendanceRecorded })
      .when({ type: 'CorrectFact', supersedesEventId: 'autumn-attendance', replacement: correctAutumnAttendance })
      .thenRejected('NotCorrectable'));

  it('refuses to replace an attendance return with an exclusion', () =>
    given(identified, { eventId: 'autumn-attendance', event: autumnAttendanceRecorded })
      .when({ type: 'CorrectFact', supersedesEventId: 'autumn-attendance', replacement: { type: 'RecordExclusion', memberId: 'jake', kind: 'fixed-term', startedOn: '2015-11-02' } })
      .thenRejected('ReplacementOfDifferentKind'));

  it('judges the replacement by the same rules as a new record', () =>
    given(identified, { eventId: 'autumn-attendance', event: autumnAttendanceRecorded })
      .when({ ...correctAutumnAttendance, replacement: { ...autumnAttendance, attendedSessions: 150 } })
      .thenRejected('AttendedExceedsPossible'));
});

// Fixtures: the family of scenario TF-0042, identified in April 2016 and recorded on 30 June 2016.

function programme({ allocation, attached: families }: { allocation: number; attached: string[] }): ProgrammeState {
  const configured = evolveProgramme(initialProgrammeState(), {
    type: 'ProgrammeConfigured',
    data: { councilName: 'East Sussex', framework: 'troubled-families-2015', allocation, attachmentFeeBasis: 'actual' },
  });
  return families.reduce((state, id) => evolveProgramme(state, { type: 'AllocationPlaceTaken', data: { familyId: id, attachedOn: '2016-04-01' } }), configured);
}

const familyId = 'family-tf-0042';

const mum: Member = { memberId: 'mum', relationship: 'parent', givenName: 'Sarah', familyName: 'Hollis', dateOfBirth: '1984-07-19', livesInHousehold: true };
const dad: Member = { memberId: 'dad', relationship: 'parent', givenName: 'Dean', familyName: 'Hollis', dateOfBirth: '1982-11-02', livesInHousehold: false };
const jake: Member = { memberId: 'jake', relationship: 'child', givenName: 'Jake', familyName: 'Hollis', dateOfBirth: '2005-03-14', livesInHousehold: true };
const lily: Member = { memberId: 'lily', relationship: 'child', givenName: 'Lily', familyName: 'Hollis', dateOfBirth: '2008-10-01', livesInHousehold: true };
const baby: Member = { memberId: 'baby', relationship: 'child', givenName: 'Rose', familyName: 'Hollis', dateOfBirth: '2016-06-02', livesInHousehold: true };

function identifiedWith(members: Member[], identifiedOn = '2016-04-11'): FamilyIdentified {
  return { type: 'FamilyIdentified', data: { familyId, reference: 'TF-0042', identifiedOn, members } };
}

const identified = identifiedWith([mum, dad, jake, lily]);

const indicators: Record<HeadlineProblem, { indicator: string; source: string }> = {
  'crime-asb': { indicator: 'proven offence in the last 12 months', source: 'police' },
  education: { indicator: 'attendance below 90% over the last 3 terms', source: 'school' },
  'children-in-need': { indicator: 'early-help assessment', source: 'childrens-services' },
  worklessness: { indicator: 'out-of-work benefits', source: 'dwp' },
  'domestic-abuse': { indicator: 'police call-out', source: 'police' },
  health: { indicator: 'mental health problem', source: 'health' },
};

function problem(kind: HeadlineProblem, memberId = 'jake', identifiedOn = '2016-04-20'): HeadlineProblemIdentified {
  return { type: 'HeadlineProblemIdentified', data: { familyId, problem: kind, ...must(indicators[kind], kind), memberId, identifiedOn } };
}

const attach = { type: 'AttachFamily', attachedOn: '2016-05-03', keyworker: 'keyworker-amira' } satisfies FamilyCommand;
const attached: FamilyAttached = {
  type: 'FamilyAttached',
  data: { familyId, attachedOn: '2016-05-03', keyworker: 'keyworker-amira', problemsAtEntry: ['crime-asb', 'education'], financialYear: '2016/17' },
};

function closed(closedOn: string): FamilyCaseClosed {
  return { type: 'FamilyCaseClosed', data: { familyId, closedOn, reason: 'moved out of the area' } };
}

const autumnAttendance = {
  type: 'RecordSchoolAttendance',
  memberId: 'jake',
  academicYear: '2015/16',
  term: 'autumn',
  possibleSessions: 140,
  attendedSessions: 112,
  unauthorisedAbsenceSessions: 20,
} as const satisfies FamilyCommand;

const autumnAttendanceRecorded: SchoolAttendanceRecorded = {
  type: 'SchoolAttendanceRecorded',
  data: { familyId, memberId: 'jake', academicYear: '2015/16', term: 'autumn', possibleSessions: 140, attendedSessions: 112, unauthorisedAbsenceSessions: 20 },
};

const correctAutumnAttendance = {
  type: 'CorrectFact',
  supersedesEventId: 'autumn-attendance',
  replacement: { ...autumnAttendance, attendedSessions: 130, unauthorisedAbsenceSessions: 4 },
  reason: 'the school re-issued its autumn return',
} satisfies FamilyCommand;

const autumnAttendanceCorrected: FactCorrected = {
  type: 'FactCorrected',
  data: { familyId, supersededEventId: 'autumn-attendance', supersededType: 'SchoolAttendanceRecorded', reason: 'the school re-issued its autumn return' },
};

const autumnAttendanceReissued: SchoolAttendanceRecorded = {
  type: 'SchoolAttendanceRecorded',
  data: { ...autumnAttendanceRecorded.data, attendedSessions: 130, unauthorisedAbsenceSessions: 4 },
};

const jsaStarts = { type: 'RecordBenefitChange', memberId: 'mum', benefit: 'JSA', change: 'started', on: '2016-01-04', fullWorkSearch: true } as const satisfies FamilyCommand;
const jsaStarted: FamilyEvent = { type: 'BenefitStarted', data: { familyId, memberId: 'mum', benefit: 'JSA', on: '2016-01-04', fullWorkSearch: true } };

function jsaEnds(on: string): FamilyCommand {
  return { type: 'RecordBenefitChange', memberId: 'mum', benefit: 'JSA', change: 'ended', on };
}

const mumStartsWork: FamilyEvent = { type: 'EmploymentStarted', data: { familyId, memberId: 'mum', on: '2016-05-16', hoursPerWeek: 20 } };

const mumsConcernIdentified: FamilyEvent = {
  type: 'HealthConcernIdentified',
  data: { familyId, memberId: 'mum', concernId: 'concern-1', on: '2016-04-20', description: 'depression' },
};

function concernResolved(memberId: string, on: string): FamilyCommand {
  return { type: 'RecordHealthChange', memberId, change: 'resolved', on, concernId: 'concern-1' };
}

function educationOverride(on: string): Extract<FamilyCommand, { type: 'RecordOutcomeOverride' }> {
  return { type: 'RecordOutcomeOverride', problem: 'education', reason: 'attendance met after a managed move', on };
}

function plansWithMilestone(code: string, effectiveFrom: string): OutcomePlanState {
  const decision = decideOutcomePlan({ type: 'RecordOutcomePlanVersion', effectiveFrom, scope: 'at-entry', milestones: [{ code, label: code }] }, initialOutcomePlanState());
  if (!decision.ok) throw new Error(decision.rejection.message);
  return decision.events.reduce(evolveOutcomePlan, initialOutcomePlanState());
}
