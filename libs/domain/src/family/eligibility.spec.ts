import { evolveProgramme, initialProgrammeState, type ProgrammeState } from '../programme/programme';
import { deciderSpec } from '../shared/decider-spec';
import { ageOn, isDependentChild, problemsIdentifiedBy } from './eligibility';
import { decideFamily, type FamilyCommand, type FamilyDecisionContext } from './family.decider';
import type { FactCorrected, FamilyAttached, FamilyIdentified, HeadlineProblem, HeadlineProblemIdentified, Member } from './family.events';
import { evolveFamily, initialFamilyState } from './family.state';

const family = { decide: decideFamily, evolve: evolveFamily, initialState: initialFamilyState };
const recording: FamilyDecisionContext = {
  recordedOn: '2016-06-30',
  actorId: 'programme-manager-jo',
  programme: configuredProgramme(),
  programmeStartsOn: '2015-04-01',
};
const { given } = deciderSpec(family, recording);

// DOMAIN.md 2: a dependent child is aged 0–15, or 16–18 and in full-time education or training,
// living with a parent or carer. Every case is judged on the attachment date, 3 May 2016.
describe('eligibility: who is a dependent child', () => {
  it.each([
    ['a child who turned 15 on the attachment day', true, child('2001-05-03')],
    ['a child one day short of 16', true, child('2000-05-04')],
    ['a child who turned 16 that day and has left education', false, child('2000-05-03')],
    ['a 16-year-old in full-time education', true, child('2000-05-03', { inEducationOrTraining: true })],
    ['a young person who turned 18 that day, in full-time education', true, child('1998-05-03', { inEducationOrTraining: true })],
    ['an 18-year-old in education one day short of 19', true, child('1997-05-04', { inEducationOrTraining: true })],
    ['a young person who turned 19 that day, still in education', false, child('1997-05-03', { inEducationOrTraining: true })],
    ['a ten-year-old who does not live in the household', false, child('2006-01-20', { livesInHousehold: false })],
    ['a child not yet born on the attachment day', false, child('2016-05-04')],
    ['a parent, however young', false, child('2001-05-03', { relationship: 'parent' })],
  ])('%s: dependent child %s', (_case, dependent, member) => {
    expect(isDependentChild(member, '2016-05-03')).toBe(dependent);
  });

  it('counts a birthday on the day itself', () => {
    expect(ageOn('2000-05-03', '2016-05-02')).toBe(15);
    expect(ageOn('2000-05-03', '2016-05-03')).toBe(16);
  });

  it('ages a leap-day child on 1 March in other years', () => {
    expect(ageOn('2000-02-29', '2016-02-28')).toBe(15);
    expect(ageOn('2000-02-29', '2015-02-28')).toBe(14);
    expect(ageOn('2000-02-29', '2015-03-01')).toBe(15);
  });
});

describe('eligibility: a family needs a dependent child at attachment', () => {
  it('attaches a family whose only child turned 15 on the attachment day', () =>
    given(identifiedWith([mum, child('2001-05-03')]), problem('education', 'child'), problem('worklessness', 'mum'))
      .when(attach)
      .then(attachedWith(['education', 'worklessness'])));

  it('refuses a family whose only child turned 16 that day and has left education', () =>
    given(identifiedWith([mum, child('2000-05-03')]), problem('crime-asb', 'child'), problem('worklessness', 'mum'))
      .when(attach)
      .thenRejected('NoDependentChild'));

  it('attaches a family whose 18-year-old is in full-time education', () =>
    given(identifiedWith([mum, child('1998-05-03', { inEducationOrTraining: true })]), problem('crime-asb', 'child'), problem('worklessness', 'mum'))
      .when(attach)
      .then(attachedWith(['crime-asb', 'worklessness'])));

  it('refuses a family whose only young person turned 19 that day', () =>
    given(identifiedWith([mum, child('1997-05-03', { inEducationOrTraining: true })]), problem('crime-asb', 'child'), problem('worklessness', 'mum'))
      .when(attach)
      .thenRejected('NoDependentChild'));

  it('refuses a family whose only child lives somewhere else', () =>
    given(identifiedWith([mum, child('2006-01-20', { livesInHousehold: false })]), problem('education', 'child'), problem('worklessness', 'mum'))
      .when(attach)
      .thenRejected('NoDependentChild'));
});

describe('eligibility: the problems at entry', () => {
  it('counts a problem identified on the attachment day', () =>
    given(identified, problem('education', 'jake', '2016-05-03'), problem('worklessness', 'mum'))
      .when(attach)
      .then(attachedWith(['education', 'worklessness'])));

  it('does not count a problem identified after the attachment date', () =>
    given(identified, problem('education', 'jake', '2016-05-04'), problem('worklessness', 'mum'))
      .when(attach)
      .thenRejected('FewerThanTwoHeadlineProblems'));

  it('does not count a problem whose identification was corrected to a date after attachment', () =>
    given(
      identified,
      problem('worklessness', 'mum'),
      { eventId: 'education-problem', event: problem('education', 'jake', '2016-04-20') },
      { eventId: 'correction-1', event: educationProblemCorrected },
      problem('education', 'jake', '2016-05-10'),
    )
      .when(attach)
      .thenRejected('FewerThanTwoHeadlineProblems'));

  it('counts a problem once however many indicators back it', () =>
    given(identified, problem('education', 'jake'), problem('education', 'lily'), problem('education', 'jake', '2016-04-25'))
      .when(attach)
      .thenRejected('FewerThanTwoHeadlineProblems'));

  it('reads every problem identified by a date, whoever it came from', () => {
    const { state } = given(identified, problem('crime-asb', 'dad'), problem('health', 'dad'), problem('education', 'jake', '2016-05-04'));
    expect(problemsIdentifiedBy(state, '2016-05-03')).toEqual(['crime-asb', 'health']);
  });
});

// DOMAIN.md 2: a parent who does not live in the household may account for at most one problem.
describe('eligibility: a parent who lives elsewhere accounts for at most one problem', () => {
  it("counts the absent parent's problem alongside a household problem", () =>
    given(identified, problem('crime-asb', 'dad'), problem('education', 'jake'))
      .when(attach)
      .then(attachedWith(['crime-asb', 'education'])));

  it('counts two problems backed only by the same absent parent as one', () =>
    given(identified, problem('crime-asb', 'dad'), problem('health', 'dad')).when(attach).thenRejected('FewerThanTwoHeadlineProblems'));

  it('counts both when one of the absent parent’s problems is also backed by someone in the household', () =>
    given(identified, problem('crime-asb', 'dad'), problem('health', 'dad'), problem('crime-asb', 'jake'))
      .when(attach)
      .then(attachedWith(['crime-asb', 'health'])));

  it('counts a problem recorded for the whole family as the household’s', () =>
    given(identified, problem('crime-asb', 'dad'), problem('domestic-abuse', undefined))
      .when(attach)
      .then(attachedWith(['crime-asb', 'domestic-abuse'])));

  it('does not limit a parent who lives in the household', () =>
    given(identified, problem('worklessness', 'mum'), problem('health', 'mum'))
      .when(attach)
      .then(attachedWith(['health', 'worklessness'])));

  it('lets two parents who live elsewhere each account for a different problem', () =>
    // crime-asb is backed by both absent parents and health by dad alone: stepdad accounts for
    // crime-asb and dad for health, so both problems count.
    given(identifiedWith([mum, dad, stepdad, jake]), problem('crime-asb', 'dad'), problem('crime-asb', 'stepdad'), problem('health', 'dad'))
      .when(attach)
      .then(attachedWith(['crime-asb', 'health'])));
});

// Fixtures: a family identified on 11 April 2016, attached on 3 May 2016, recorded on 30 June 2016.

function configuredProgramme(): ProgrammeState {
  return evolveProgramme(initialProgrammeState(), {
    type: 'ProgrammeConfigured',
    data: { councilName: 'Redbridge', framework: 'troubled-families-2015', allocation: 1990, attachmentFeeBasis: 'actual' },
  });
}

function child(dateOfBirth: string, overrides: Partial<Member> = {}): Member {
  return { memberId: 'child', relationship: 'child', givenName: 'Alex', familyName: 'Okafor', dateOfBirth, livesInHousehold: true, ...overrides };
}

const familyId = 'family-rb-0107';

const mum: Member = { memberId: 'mum', relationship: 'parent', givenName: 'Grace', familyName: 'Okafor', dateOfBirth: '1979-09-30', livesInHousehold: true };
const dad: Member = { memberId: 'dad', relationship: 'parent', givenName: 'Daniel', familyName: 'Okafor', dateOfBirth: '1976-02-11', livesInHousehold: false };
const stepdad: Member = { memberId: 'stepdad', relationship: 'parent', givenName: 'Tom', familyName: 'Reid', dateOfBirth: '1980-06-05', livesInHousehold: false };
const jake: Member = { memberId: 'jake', relationship: 'child', givenName: 'Jake', familyName: 'Okafor', dateOfBirth: '2005-03-14', livesInHousehold: true };
const lily: Member = { memberId: 'lily', relationship: 'child', givenName: 'Lily', familyName: 'Okafor', dateOfBirth: '2008-10-01', livesInHousehold: true };

function identifiedWith(members: Member[]): FamilyIdentified {
  return { type: 'FamilyIdentified', data: { familyId, reference: 'RB-0107', identifiedOn: '2016-04-11', members } };
}

const identified = identifiedWith([mum, dad, jake, lily]);

function problem(kind: HeadlineProblem, memberId: string | undefined, identifiedOn = '2016-04-20'): HeadlineProblemIdentified {
  return {
    type: 'HeadlineProblemIdentified',
    data: { familyId, problem: kind, indicator: 'recorded indicator', ...(memberId ? { memberId } : {}), identifiedOn, source: 'keyworker' },
  };
}

const educationProblemCorrected: FactCorrected = {
  type: 'FactCorrected',
  data: { familyId, supersededEventId: 'education-problem', supersededType: 'HeadlineProblemIdentified', reason: 'identified after the attachment, not before' },
};

const attach: FamilyCommand = { type: 'AttachFamily', attachedOn: '2016-05-03', keyworker: 'keyworker-sam' };

function attachedWith(problemsAtEntry: HeadlineProblem[]): FamilyAttached {
  return { type: 'FamilyAttached', data: { familyId, attachedOn: '2016-05-03', keyworker: 'keyworker-sam', problemsAtEntry, financialYear: '2016/17' } };
}
