import type { FamilyEvent, Member } from '../family/family.events';
import { type FamilyState, evolveFamily, initialFamilyState } from '../family/family.state';
import { type Measure, type ProblemPlan, parseProblemPlans } from '../outcome-plan/measures';
import { defaultOutcomePlan } from '../outcome-plan/outcome-plan';
import { evaluateMeasure, evaluateProblemPlan } from './measure-kinds';

// The Lee family, attached 3 May 2016: Jo (17, NEET at attachment) and Sam (their parent).
// Local measures of DOMAIN.md 4.4, judged as pure functions of the facts, attachment and T.
const attachedOn = '2016-05-03';

describe('measure kinds: into-activity (DOMAIN.md 4.4, NEET into education, employment or training)', () => {
  const neetIntoEet: Measure = { kind: 'into-activity', from: 'neet', to: ['education', 'training', 'employment'], weeks: 13 };

  it.each([
    ['NEET at attachment, in training every day of the 13 weeks to T', [activity('jo', 'neet', '2016-04-01'), activity('jo', 'training', '2016-09-01')], '2016-11-30', true],
    ['one day short of 13 weeks in training', [activity('jo', 'neet', '2016-04-01'), activity('jo', 'training', '2016-09-01')], '2016-11-29', false],
    ['training, then a job with no gap', [activity('jo', 'neet', '2016-04-01'), activity('jo', 'training', '2016-08-01'), activity('jo', 'employment', '2016-10-01')], '2016-11-30', true],
    [
      'training, a day NEET, then college',
      [activity('jo', 'neet', '2016-04-01'), activity('jo', 'training', '2016-08-01'), activity('jo', 'neet', '2016-10-01'), activity('jo', 'education', '2016-10-02')],
      '2016-11-30',
      false,
    ],
    ['an employment spell counts as employment', [activity('jo', 'neet', '2016-04-01'), job('jo', '2016-09-01')], '2016-11-30', true],
    ['never NEET at or after attachment', [activity('jo', 'education', '2016-04-01')], '2016-11-30', false],
    ['NEET only after attachment, then training', [activity('jo', 'education', '2016-04-01'), activity('jo', 'neet', '2016-06-01'), activity('jo', 'training', '2016-09-01')], '2016-11-30', true],
  ])('%s: met %s', (_case, events, asOf, met) => {
    expect(evaluateMeasure(neetIntoEet, { state: family(events), attachedOn, asOf }).met).toBe(met);
  });

  it('needs the weeks to start on or after attachment ("sustained after engagement")', () => {
    const result = evaluateMeasure(neetIntoEet, { state: family([activity('jo', 'neet', '2016-01-01'), activity('jo', 'training', '2016-02-01')]), attachedOn, asOf: '2016-07-31' });
    expect(result).toMatchObject({ met: false, detail: 'not yet: the 13 weeks in education, training or work must start on or after attachment (2016-05-03), so the earliest test is on 2016-08-01' });
  });

  it.each([
    ['a job of 20 hours a week against a minimum of 16', 20, true],
    ['a job of 10 hours a week against a minimum of 16', 10, false],
  ])('%s: met %s (DOMAIN.md 4.2: hours of work are kept and a plan may require a minimum)', (_case, hours, met) => {
    const measure: Measure = { kind: 'into-activity', from: 'out-of-work-benefit', to: ['employment'], weeks: 13, minimumHoursPerWeek: 16 };
    const events = [...benefit('sam', '2016-01-10', '2016-09-01'), job('sam', '2016-09-01', hours)];
    expect(evaluateMeasure(measure, { state: family(events), attachedOn, asOf: '2016-12-31' }).met).toBe(met);
  });
});

describe('measure kinds: milestone-sustained (DOMAIN.md 4.4, a debt plan kept)', () => {
  const debtPlan: Measure = { kind: 'milestone-sustained', milestone: 'debt-plan-agreed', months: 6 };

  it.each([
    ['agreed after attachment, kept 6 months', [milestone('sam', 'achieved', '2016-06-01')], '2016-12-01', true],
    ['agreed after attachment, a day short of 6 months', [milestone('sam', 'achieved', '2016-06-01')], '2016-11-30', false],
    ['agreed before attachment: not progress the council made', [milestone('sam', 'achieved', '2016-04-01')], '2017-06-01', false],
    ['agreed, then broken', [milestone('sam', 'achieved', '2016-06-01'), milestone('sam', 'reversed', '2016-10-01')], '2016-12-01', false],
    ['broken, agreed again, kept 6 months', [milestone('sam', 'achieved', '2016-06-01'), milestone('sam', 'reversed', '2016-07-01'), milestone('sam', 'achieved', '2016-08-01')], '2017-02-01', true],
    ['a reversal recorded for a date after T is not yet known', [milestone('sam', 'achieved', '2016-06-01'), milestone('sam', 'reversed', '2017-01-01')], '2016-12-01', true],
  ])('%s: met %s', (_case, events, asOf, met) => {
    expect(evaluateMeasure(debtPlan, { state: family(events), attachedOn, asOf }).met).toBe(met);
  });
});

describe('measure kinds: how a problem combines its measures', () => {
  const plan = (combine: ProblemPlan['combine']): ProblemPlan => ({
    indicators: [],
    combine,
    measures: [
      { kind: 'milestone-sustained', milestone: 'debt-plan-agreed', months: 6 },
      { kind: 'none-in-window', counts: 'asb-incident', windowMonths: 6 },
    ],
  });
  const state = () => family([milestone('sam', 'achieved', '2016-06-01'), asb('2016-11-01')]);

  it('all: every measure met', () => expect(evaluateProblemPlan(plan('all'), { state: state(), attachedOn, asOf: '2016-12-01' }).met).toBe(false));
  it('any: one measure met is enough, and its evidence is given', () => {
    const result = evaluateProblemPlan(plan('any'), { state: state(), attachedOn, asOf: '2016-12-01' });
    expect(result).toMatchObject({ met: true, evidenceEventIds: ['e-1'] });
  });
});

describe('outcome plan as data: reading a plan a council wrote', () => {
  const base = defaultOutcomePlan.problems;
  const milestones = [{ code: 'debt-plan-agreed', label: 'Debt plan agreed' }];

  it.each([
    ['an unknown kind', { health: { measures: [{ kind: 'feels-better' }] } }, 'problems.health.measures[0].kind must be one of'],
    ['a missing parameter', { health: { measures: [{ kind: 'none-in-window', counts: 'asb-incident' }] } }, 'problems.health.measures[0].windowMonths is required for a none-in-window measure'],
    ['an unknown parameter', { health: { measures: [{ kind: 'none-in-window', counts: 'asb-incident', windowMonths: 6, extra: 1 }] } }, 'problems.health.measures[0].extra is not a parameter here'],
    ['an unknown countable fact', { health: { measures: [{ kind: 'none-in-window', counts: 'tweets', windowMonths: 6 }] } }, 'problems.health.measures[0].counts must be one of'],
    [
      'a status listed twice',
      { 'children-in-need': { measures: [{ kind: 'status-clear', statuses: ['child-in-need', 'child-in-need'], windowMonths: 6, sustainMonths: 6 }] } },
      'statuses must be a list',
    ],
    ['no measures', { health: { measures: [] } }, 'problems.health.measures must be a list of at least one measure'],
    ['an unknown combination', { health: { combine: 'most', measures: [{ kind: 'none-in-window', counts: 'asb-incident', windowMonths: 6 }] } }, 'problems.health.combine must be all or any'],
    [
      'an indicator without evidence',
      { health: { indicators: [{ code: 'x', label: 'X' }], measures: [{ kind: 'none-in-window', counts: 'asb-incident', windowMonths: 6 }] } },
      'problems.health.indicators[0].evidence',
    ],
  ])('refuses %s, naming the path', (_case, raw, message) => {
    const parsed = parseProblemPlans(raw, base, milestones);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(message);
  });

  it('keeps the problems it is not given, and the indicators of a problem written without them', () => {
    const parsed = parseProblemPlans({ health: { measures: [{ kind: 'milestone-sustained', milestone: 'debt-plan-agreed', months: 6 }] } }, base, milestones);
    expect(parsed.ok && parsed.problems.education).toBe(base.education);
    // Issue 17.3: problems are identified by the plan's indicator codes; a version that rewrites
    // a problem's measures only keeps the codes it was identified by.
    expect(parsed.ok && parsed.problems.health).toEqual({ indicators: base.health?.indicators, combine: 'all', measures: [{ kind: 'milestone-sustained', milestone: 'debt-plan-agreed', months: 6 }] });
    const replaced = parseProblemPlans(
      { health: { indicators: [{ code: 'gp-referral', label: 'GP referral', evidence: 'GP' }], measures: [{ kind: 'milestone-sustained', milestone: 'debt-plan-agreed', months: 6 }] } },
      base,
      milestones,
    );
    expect(replaced.ok && replaced.problems.health?.indicators).toEqual([{ code: 'gp-referral', label: 'GP referral', evidence: 'GP' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fixtures

let sequence = 0;

function family(events: FamilyEvent[]): FamilyState {
  sequence = 0;
  const members: Member[] = [
    { memberId: 'sam', relationship: 'parent', givenName: 'Sam', familyName: 'Lee', dateOfBirth: '1982-01-05', livesInHousehold: true },
    { memberId: 'jo', relationship: 'child', givenName: 'Jo', familyName: 'Lee', dateOfBirth: '1999-03-01', livesInHousehold: true },
  ];
  const history: FamilyEvent[] = [
    { type: 'FamilyIdentified', data: { familyId: 'f', reference: 'LEE-1', identifiedOn: '2016-03-01', members } },
    { type: 'FamilyAttached', data: { familyId: 'f', attachedOn, keyworker: 'kw', problemsAtEntry: ['worklessness', 'health'], financialYear: '2016/17' } },
    ...events,
  ];
  return history.reduce<FamilyState>((state, event, i) => evolveFamily(state, event, i < 2 ? `setup-${i}` : `e-${(sequence += 1)}`), initialFamilyState());
}

function activity(memberId: string, activity: 'neet' | 'education' | 'training' | 'employment', on: string): FamilyEvent {
  return { type: 'ActivityChanged', data: { familyId: 'f', memberId, activity, on } };
}

function milestone(memberId: string, change: 'achieved' | 'reversed', on: string): FamilyEvent {
  return { type: 'OutcomeMilestoneRecorded', data: { familyId: 'f', memberId, milestone: 'debt-plan-agreed', change, on, evidence: 'plan with the money adviser' } };
}

function job(memberId: string, on: string, hoursPerWeek?: number): FamilyEvent {
  return { type: 'EmploymentStarted', data: { familyId: 'f', memberId, on, ...(hoursPerWeek !== undefined ? { hoursPerWeek } : {}) } };
}

function benefit(memberId: string, startedOn: string, endedOn: string): FamilyEvent[] {
  return [
    { type: 'BenefitStarted', data: { familyId: 'f', memberId, benefit: 'JSA', on: startedOn } },
    { type: 'BenefitEnded', data: { familyId: 'f', memberId, benefit: 'JSA', on: endedOn } },
  ];
}

function asb(occurredOn: string): FamilyEvent {
  return { type: 'AsbIncidentRecorded', data: { familyId: 'f', occurredOn } };
}
