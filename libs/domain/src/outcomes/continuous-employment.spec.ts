import type { Benefit, FamilyEvent, HeadlineProblem, Member, UcRegime } from '../family/family.events';
import { type FamilyState, evolveFamily, initialFamilyState } from '../family/family.state';
import { defaultOutcomePlan } from '../outcome-plan/outcome-plan';
import { type FinancialFramework, troubledFamilies2015 } from '../programme/troubled-families-2015.framework';
import { evaluateContinuousEmployment, weeksEndingOn } from './continuous-employment';
import { evaluateProgress } from './outcome-rules';
import { daysBefore } from './windows';
import { atIndex } from '../shared/present';

// The Begum family, attached 3 May 2016, judged as of Friday 30 June 2017 unless a scenario says
// otherwise. `week(n)` is the first day of the n-th 7-day block ending at T: the last 26 weeks
// run from week(26) = 31 December 2016, the last 13 from week(13) = 1 April 2017.
// Fixtures are below the scenarios.
const T = '2017-06-30';
const familyId = 'family-rb-0311';

describe('continuous employment: the weeks ending at T (DOMAIN.md 4.2)', () => {
  it.each([
    [1, { from: '2017-06-24', to: '2017-06-30' }],
    [2, { from: '2017-06-17', to: '2017-06-23' }],
    [26, { from: '2016-12-31', to: '2017-01-06' }],
    [30, { from: '2016-12-03', to: '2016-12-09' }],
  ])('week %s before T runs %j', (n, expected) => {
    expect(weeksEndingOn(T, 30)[n - 1]).toEqual(expected);
  });
});

describe('continuous employment: in work for enough of the last weeks after leaving a benefit (DOMAIN.md 4.2)', () => {
  it.each([
    ['left JSA and in work the last 26 of 30 weeks', true, leftFor('JSA', 26)],
    ['left JSA and in work the last 25 of 30 weeks', false, leftFor('JSA', 25)],
    ['left UC in the full work search group, in work 26 weeks', true, leftFor('UC', 26, { fullWorkSearch: true })],
    ['left UC in the full work search group, in work 25 weeks', false, leftFor('UC', 25, { fullWorkSearch: true })],
    ['left UC outside the full work search group, in work 13 of 15 weeks', true, leftFor('UC', 13)],
    ['left UC outside the full work search group, in work 12 of 15 weeks', false, leftFor('UC', 12)],
    ['left ESA and in work the last 13 of 15 weeks', true, leftFor('ESA', 13)],
    ['left ESA and in work the last 12 of 15 weeks', false, leftFor('ESA', 12)],
    ['left IS and in work 13 weeks', true, leftFor('IS', 13)],
    ['left IB and in work 13 weeks', true, leftFor('IB', 13)],
    ['left CA and in work 13 weeks', true, leftFor('CA', 13)],
    ['left SDA and in work 12 weeks', false, leftFor('SDA', 12)],
  ])('%s: met %s', (_case, met, events) => {
    expect(ce(events).met).toBe(met);
  });

  it('counts weeks that need not be consecutive: 26 of 30 with four weeks out of work', () => {
    const events = [...benefit('mum', 'JSA', '2016-01-10', week(30)), ...job('mum', week(30), week(10)), ...job('mum', week(6))];
    expect(ce(events)).toMatchObject({ met: true, detail: 'mum left JSA on 2016-12-03 and was in work 26 of the last 30 weeks (26 needed)' });
  });

  it('does not count a week with a single day out of work', () => {
    const events = [...benefit('mum', 'JSA', '2016-01-10', week(30)), ...job('mum', week(30), week(10)), ...job('mum', daysBefore(week(6), -1))];
    expect(ce(events)).toMatchObject({ met: false, detail: 'mum left JSA on 2016-12-03 and was in work 25 of the last 30 weeks (26 needed)' });
  });

  it.each([
    ['ended on the first day of week 26', true, week(26)],
    ['ended on the second day of week 26 (overlapping it)', false, daysBefore(week(26), -1)],
  ])('in work all 30 weeks while still claiming JSA, which %s: met %s', (_case, met, jsaEndedOn) => {
    expect(ce([...benefit('mum', 'JSA', '2016-01-10', jsaEndedOn), ...job('mum', week(30))]).met).toBe(met);
  });

  it.each([
    ['still on ESA at T', [...benefit('mum', 'ESA', '2016-01-10'), ...job('mum', week(15))], 'mum is still on ESA at 2017-06-30'],
    ['JSA ends after T (not yet known)', [...benefit('mum', 'JSA', '2016-01-10', '2017-07-01'), ...job('mum', week(30))], 'mum is still on JSA at 2017-06-30'],
    ['left JSA the day before attachment', [...benefit('mum', 'JSA', '2016-01-10', '2016-05-02'), ...job('mum', '2016-05-02')], 'no adult was on an out-of-work benefit at or after attachment'],
    ['a 15-year-old’s benefit and job', [...benefit('jake', 'JSA', '2016-09-01', week(30)), ...job('jake', week(30))], 'no adult was on an out-of-work benefit at or after attachment'],
  ])('not met: %s', (_case, events, detail) => {
    expect(ce(events)).toMatchObject({ met: false, detail });
  });

  it('applies the week counts of the benefit left last: ESA then JSA needs 26 weeks', () => {
    const events = [...benefit('mum', 'ESA', '2016-01-10', '2016-09-01'), ...benefit('mum', 'JSA', '2016-09-01', week(13)), ...job('mum', week(13))];
    expect(ce(events)).toMatchObject({ met: false, detail: 'mum left JSA on 2017-04-01 and was in work 13 of the last 30 weeks (26 needed)' });
  });

  it('finds the adult who achieved it, with the benefit and employment facts as evidence', () => {
    const events = [
      ...benefit('mum', 'JSA', '2016-01-10'),
      recorded('dad-esa-start', benefitStarted('dad', 'ESA', '2016-02-01')),
      recorded('dad-esa-end', benefitEnded('dad', 'ESA', week(13))),
      recorded('dad-job', atIndex(job('dad', week(13)), 0)),
      ...job('dad', '2014-01-01', '2015-01-01'),
    ];
    const result = ce(events);
    expect(result).toMatchObject({ met: true, memberId: 'dad', detail: 'dad left ESA on 2017-04-01 and was in work 13 of the last 15 weeks (13 needed)' });
    expect([...result.evidenceEventIds].sort()).toEqual(['dad-esa-end', 'dad-esa-start', 'dad-job']);
  });

  it('judges a corrected start date: the job began later than first recorded', () => {
    const before = [...benefit('mum', 'ESA', '2016-01-10', week(13)), recorded('job-start', atIndex(job('mum', week(13)), 0))];
    expect(ce(before).met).toBe(true);
    expect(ce([...before, correction('job-start'), ...job('mum', week(12))]).met).toBe(false);
  });

  it.each([
    ['the phase-two week counts (26 of 30)', troubledFamilies2015, false],
    ['a framework asking 20 of 30 weeks of jobseekers', withWeeks({ jobseeker: { inWorkWeeks: 20, ofWeeks: 30 } }), true],
    ['a framework without the route (Supporting Families)', withWeeks({ enabled: false }), false],
  ])('left JSA and in work 25 weeks, under %s: met %s', (_case, framework, met) => {
    expect(ce(leftFor('JSA', 25), T, framework).met).toBe(met);
  });

  it('names a framework without the route', () => {
    expect(ce(leftFor('JSA', 26), T, withWeeks({ enabled: false })).detail).toBe(`the ${troubledFamilies2015.name} has no continuous-employment route`);
  });
});

describe('continuous employment: Universal Credit in work (DOMAIN.md 4.2)', () => {
  // Mum claimed UC in the full work search group from before attachment and took a job 26 weeks
  // before T; her UC claim stays open, as UC does in work.
  const claimAndJob = [benefitStarted('mum', 'UC', '2016-01-10', true), ...job('mum', week(26))];

  it.each([
    ['with no regime recorded, the open UC claim counts as out of work', [], false],
    ['moved to working-enough when the job started: in work 26 weeks', [regime('working-enough', week(26))], true],
    ['moved to light-touch when the job started: in work 26 weeks', [regime('light-touch', week(26))], true],
    ['moved to working-enough a day after the job started: 25 weeks', [regime('working-enough', daysBefore(week(26), -1))], false],
    ['moved to preparing-for-work (not an in-work regime)', [regime('preparing-for-work', week(26))], false],
    ['working-enough, then back to intensive work search before T', [regime('working-enough', week(26)), regime('intensive-work-search', week(2))], false],
  ])('%s: met %s', (_case, changes, met) => {
    expect(ce([...claimAndJob, ...changes]).met).toBe(met);
  });

  it('names the regime change as the day the claimant left out-of-work UC', () => {
    expect(ce([...claimAndJob, regime('working-enough', week(26))]).detail).toBe(`mum left UC (full work search) on ${week(26)} and was in work 26 of the last 30 weeks (26 needed)`);
  });
});

describe('continuous employment: a route to a result of its own (DOMAIN.md 4)', () => {
  it('makes a family claimable although a problem in scope is unmet', () => {
    const state = family(['crime-asb', 'worklessness'], [offence('2016-03-01'), offence('2017-03-01'), ...leftFor('ESA', 13)]);
    const progress = evaluateProgress(state, defaultOutcomePlan, troubledFamilies2015, T);
    expect(progress).toMatchObject({
      routes: { sustainedProgress: false, continuousEmployment: true },
      continuousEmployment: { met: true, memberId: 'mum' },
      claimable: true,
    });
  });

  it('does not hold before the family was attached', () => {
    const state = family(['worklessness'], leftFor('ESA', 13), '2017-07-01');
    expect(evaluateContinuousEmployment(state, troubledFamilies2015, T)).toEqual({ met: false, detail: 'not attached on or before 2017-06-30', evidenceEventIds: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Fixtures

let sequence = 0;

type Given = FamilyEvent | { eventId: string; event: FamilyEvent };

function recorded(eventId: string, event: FamilyEvent): Given {
  return { eventId, event };
}

/** The first day of the n-th 7-day block ending at T. */
function week(n: number): string {
  return daysBefore(T, 7 * n - 1);
}

function family(problemsAtEntry: HeadlineProblem[], events: Given[], attachedOn = '2016-05-03'): FamilyState {
  const history: Given[] = [
    {
      type: 'FamilyIdentified',
      data: {
        familyId,
        reference: 'RB-0311',
        identifiedOn: '2016-04-11',
        members: [member('mum', 'parent', '1983-07-19'), member('dad', 'parent', '1980-02-02', false), member('jake', 'child', '2002-03-14')],
      },
    },
    { type: 'FamilyAttached', data: { familyId, attachedOn, keyworker: 'keyworker-amir', problemsAtEntry, financialYear: '2016/17' } },
    ...events,
  ];
  return history.reduce<FamilyState>((state, given) => {
    const { eventId, event } = 'eventId' in given ? given : { eventId: `event-${(sequence += 1)}`, event: given };
    return evolveFamily(state, event, eventId);
  }, initialFamilyState());
}

function ce(events: Given[], asOf = T, framework: FinancialFramework = troubledFamilies2015) {
  return evaluateContinuousEmployment(family(['worklessness', 'health'], events), framework, asOf);
}

function withWeeks(change: Partial<FinancialFramework['continuousEmployment']>): FinancialFramework {
  return { ...troubledFamilies2015, continuousEmployment: { ...troubledFamilies2015.continuousEmployment, ...change } };
}

function member(memberId: string, relationship: Member['relationship'], dateOfBirth: string, livesInHousehold = true): Member {
  return { memberId, relationship, givenName: memberId, familyName: 'Begum', dateOfBirth, livesInHousehold };
}

/** Mum claimed a benefit from before attachment, and left it for a job `weeks` weeks before T. */
function leftFor(benefitName: Benefit, weeks: number, options: { fullWorkSearch?: boolean } = {}): FamilyEvent[] {
  return [benefitStarted('mum', benefitName, '2016-01-10', options.fullWorkSearch), benefitEnded('mum', benefitName, week(weeks)), ...job('mum', week(weeks))];
}

function benefitStarted(memberId: string, benefitName: Benefit, on: string, fullWorkSearch?: boolean): FamilyEvent {
  return { type: 'BenefitStarted', data: { familyId, memberId, benefit: benefitName, on, ...(fullWorkSearch === undefined ? {} : { fullWorkSearch }) } };
}

function regime(regimeName: UcRegime, on: string): FamilyEvent {
  return { type: 'UcConditionalityChanged', data: { familyId, memberId: 'mum', regime: regimeName, on } };
}

function benefitEnded(memberId: string, benefitName: Benefit, on: string): FamilyEvent {
  return { type: 'BenefitEnded', data: { familyId, memberId, benefit: benefitName, on } };
}

/** A benefit claim started, and ended when `endedOn` is given. */
function benefit(memberId: string, benefitName: Benefit, on: string, endedOn?: string): FamilyEvent[] {
  return endedOn ? [benefitStarted(memberId, benefitName, on), benefitEnded(memberId, benefitName, endedOn)] : [benefitStarted(memberId, benefitName, on)];
}

/** A job started, and ended when `endedOn` is given. */
function job(memberId: string, on: string, endedOn?: string): FamilyEvent[] {
  const started: FamilyEvent = { type: 'EmploymentStarted', data: { familyId, memberId, on, hoursPerWeek: 16 } };
  return endedOn ? [started, { type: 'EmploymentEnded', data: { familyId, memberId, on: endedOn } }] : [started];
}

function offence(committedOn: string): FamilyEvent {
  return { type: 'OffenceRecorded', data: { familyId, memberId: 'jake', committedOn, proven: true } };
}

function correction(supersededEventId: string): FamilyEvent {
  return { type: 'FactCorrected', data: { familyId, supersededEventId, supersededType: 'EmploymentStarted', reason: 'start date confirmed by the employer' } };
}
