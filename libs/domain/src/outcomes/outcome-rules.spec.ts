import type { Benefit, FamilyEvent, HeadlineProblem, Member, SocialCareStatus, Term } from '../family/family.events';
import { type FamilyState, evolveFamily, initialFamilyState } from '../family/family.state';
import {
  type OutcomePlanParametersPatch,
  type OutcomePlanVersion,
  type OutcomeScope,
  decideOutcomePlan,
  defaultOutcomePlan,
  evolveOutcomePlan,
  initialOutcomePlanState,
  planInForce,
} from '../outcome-plan/outcome-plan';
import { troubledFamilies2015 } from '../programme/troubled-families-2015.framework';
import { supportingFamilies2022, supportingFamiliesDefaultPlan } from '../programme/supporting-families-2022.framework';
import { type ProblemResult, evaluateProgress, scopeOf } from './outcome-rules';
import { atIndex } from '../shared/present';

// The Okafor family: identified 14 March 2016, attached 3 May 2016 (education scenarios: 31 March) with all six headline problems
// at entry; most scenarios are judged as of 30 June 2017, so "the 6 months before T" holds the
// dates 31 December 2016 to 30 June 2017 and "the 6 months before attachment" 4 November 2015 to
// 3 May 2016. Fixtures are below the scenarios.
const T = '2017-06-30';
const familyId = 'family-es-0042';

describe('outcome rules: crime and anti-social behaviour (DOMAIN.md 4.1)', () => {
  it.each([
    ['exactly 33% fewer proven offences', true, 100, 67, 0, 0],
    ['just under 33% fewer proven offences (32.9%)', false, 1000, 671, 0, 0],
    ['one proven offence fewer out of three (33.3%)', true, 3, 2, 0, 0],
    ['exactly 60% fewer ASB incidents', true, 0, 0, 5, 2],
    ['just under 60% fewer ASB incidents (59%)', false, 0, 0, 100, 41],
    ['offences down enough but ASB not', false, 3, 0, 5, 3],
    ['no offences before attachment and none since', true, 0, 0, 0, 0],
    ['no offences before attachment and one since', false, 0, 1, 0, 0],
    ['no ASB before attachment and one incident since', false, 2, 0, 0, 1],
  ])('%s: met %s', (_case, met, offencesBefore, offencesSince, asbBefore, asbSince) => {
    const result = outcome('crime-asb', [
      ...times(offencesBefore, () => offence('jake', '2016-03-01')),
      ...times(offencesSince, () => offence('jake', '2017-03-01')),
      ...times(asbBefore, () => asb('2016-02-14')),
      ...times(asbSince, () => asb('2017-02-14')),
    ]);
    expect(result.met).toBe(met);
  });

  it('explains the comparison in programme words', () => {
    const result = outcome('crime-asb', [offence('jake', '2016-03-01'), offence('jake', '2016-03-02'), offence('jake', '2016-03-03'), offence('jake', '2017-03-01')]);
    expect(result.detail).toBe(
      'proven offences: 1 in the 6 months to 2017-06-30 against 3 in the 6 months to attachment (66.6% fewer, 33% fewer needed); ASB incidents: 0 in the 6 months to 2017-06-30 against 0 in the 6 months to attachment (none before or since)',
    );
  });

  // One offence before attachment: any offence inside the window means 0% fewer.
  it.each([
    ['an offence on T itself (the window’s last day) is a recurrence', false, '2017-06-30'],
    ['an offence the day after T − 6 months is a recurrence', false, '2016-12-31'],
    ['an offence on T − 6 months exactly is outside the window', true, '2016-12-30'],
    ['an offence after T is not yet known', true, '2017-07-01'],
  ])('%s: met %s', (_case, met, committedOn) => {
    expect(outcome('crime-asb', [offence('jake', '2016-03-01'), offence('jake', committedOn)]).met).toBe(met);
  });

  // Two offences before attachment (one fixed) and one since: 50% fewer if both count, 0% if one.
  it.each([
    ['an offence on the attachment day counts in the baseline', true, '2016-05-03'],
    ['an offence the day after attachment − 6 months counts in the baseline', true, '2015-11-04'],
    ['an offence on attachment − 6 months exactly is outside the baseline', false, '2015-11-03'],
  ])('%s: met %s', (_case, met, committedOn) => {
    expect(outcome('crime-asb', [offence('jake', '2016-03-01'), offence('jake', committedOn), offence('jake', '2017-03-01')]).met).toBe(met);
  });

  it.each([
    ['a sibling’s new offence counts against the family', false, 'lily', true],
    ['a non-resident parent’s new offence counts against the family', false, 'dad', true],
    ['an offence that was not proven does not count', true, 'lily', false],
  ])('%s: met %s', (_case, met, memberId, proven) => {
    expect(outcome('crime-asb', [offence('jake', '2016-03-01'), offence(memberId, '2017-03-01', proven)]).met).toBe(met);
  });

  it('gives the offences and incidents counted as evidence', () => {
    const result = outcome('crime-asb', [
      recorded('baseline-offence', offence('jake', '2016-03-01')),
      recorded('old-offence', offence('jake', '2014-03-01')),
      recorded('recent-asb', asb('2017-01-20')),
    ]);
    expect(result.evidenceEventIds).toEqual(['baseline-offence', 'recent-asb']);
  });

  it('judges a re-issued police record as corrected: an offence found unproven no longer counts', () => {
    const before = [offence('jake', '2016-03-01'), recorded('recent-offence', offence('lily', '2017-03-01'))];
    expect(outcome('crime-asb', before).met).toBe(false);
    expect(outcome('crime-asb', [...before, correction('recent-offence', 'OffenceRecorded'), offence('lily', '2017-03-01', false)]).met).toBe(true);
  });

  it.each([
    ['the default plan (33% fewer)', true, {}],
    ['a plan asking 70% fewer offences', false, { crimeAsb: { offenceReductionPercent: 70 } }],
    ['a plan with 12-month windows, which reach the offences of August and September 2016', false, { crimeAsb: { windowMonths: 12 } }],
  ])('three offences before attachment and one since (66.6% fewer), under %s: met %s', (_case, met, patch: OutcomePlanParametersPatch) => {
    const before = [offence('jake', '2016-03-01'), offence('jake', '2016-04-01'), offence('jake', '2016-04-15')];
    const events = [...before, offence('jake', '2016-08-01'), offence('jake', '2016-09-01'), offence('jake', '2017-03-01')];
    expect(outcome('crime-asb', events, T, planWith(patch)).met).toBe(met);
  });
});

describe('outcome rules: school attendance and exclusions (DOMAIN.md 4.1)', () => {
  // Attached 31 March 2016, the last day of spring 2015/16: summer 2015/16 (1 Apr – 31 Aug 2016),
  // autumn 2016/17 (31 Dec 2016) and spring 2016/17 (31 Mar 2017) are the first three terms to
  // start on or after attachment and end.
  const outcome = (problem: HeadlineProblem, events: History, asOf = T, plan = defaultOutcomePlan) => outcomeOf(problem, events, asOf, plan, EDUCATION_ATTACHED_ON);
  it.each([
    [
      'the third term ended the day before T',
      true,
      '2017-04-01',
      'every child attended at least 90% in each of summer 2015/16 to spring 2016/17, with no permanent exclusion and at most 2 fixed-term exclusions',
    ],
    ['the third term ends on T itself', false, '2017-03-31', 'not yet: 2 of 3 terms started since attachment have ended'],
    ['one term ended since attachment', false, '2016-09-01', 'not yet: 1 of 3 terms started since attachment have ended'],
  ])('%s: met %s', (_case, met, asOf, detail) => {
    const result = outcome('education', goodAttendance('jake'), asOf);
    expect(result).toMatchObject({ met, detail });
  });

  it.each([
    ['exactly 90.0% (90 of 100 sessions)', true, 90, 100, undefined],
    ['89.9% (899 of 1000 sessions)', false, 899, 1000, 'jake: attendance 89.9% in spring 2016/17, below 90%'],
    ['89.5% (179 of 200 sessions)', false, 179, 200, 'jake: attendance 89.5% in spring 2016/17, below 90%'],
    ['89.99% (8999 of 10000), never rounded up to 90%', false, 8999, 10000, 'jake: attendance 89.9% in spring 2016/17, below 90%'],
    ['no possible sessions recorded', false, 0, 0, 'jake: no possible sessions recorded for spring 2016/17'],
  ])('attendance in spring 2016/17 of %s: met %s', (_case, met, attended, possible, detail) => {
    const result = outcome(
      'education',
      [attendance('jake', '2015/16', 'summer', 95), attendance('jake', '2016/17', 'autumn', 95), attendance('jake', '2016/17', 'spring', attended, possible)],
      '2017-04-01',
    );
    expect(result.met).toBe(met);
    if (detail) expect(result.detail).toBe(detail);
  });

  it.each([
    ['every child above 90%', true, 95],
    ['one of two children below 90% in one term', false, 85],
  ])('%s: met %s', (_case, met, lilyAutumn) => {
    const events = [...goodAttendance('jake'), attendance('lily', '2015/16', 'summer', 95), attendance('lily', '2016/17', 'autumn', lilyAutumn), attendance('lily', '2016/17', 'spring', 95)];
    expect(outcome('education', events, '2017-04-01').met).toBe(met);
  });

  it.each([
    ['two fixed-term exclusions in the three terms', true, [fixedTerm('2016-06-10'), fixedTerm('2016-11-01')], undefined],
    [
      'three fixed-term exclusions in the three terms',
      false,
      [fixedTerm('2016-06-10'), fixedTerm('2016-11-01'), fixedTerm('2017-03-31')],
      'jake: 3 fixed-term exclusions in summer 2015/16 to spring 2016/17, at most 2 allowed',
    ],
    ['three, one before the three terms began (31 Mar 2016)', true, [fixedTerm('2016-03-31'), fixedTerm('2016-11-01'), fixedTerm('2017-03-31')], undefined],
    ['three, one after the three terms ended (1 Apr 2017)', true, [fixedTerm('2016-06-10'), fixedTerm('2016-11-01'), fixedTerm('2017-04-01')], undefined],
    ['a permanent exclusion in the three terms', false, [exclusion('jake', 'permanent', '2016-10-03')], 'jake: permanently excluded on 2016-10-03'],
  ])('%s: met %s', (_case, met, exclusions, detail) => {
    const result = outcome('education', [...goodAttendance('jake'), ...exclusions], '2017-04-02');
    expect(result.met).toBe(met);
    if (detail) expect(result.detail).toBe(detail);
  });

  it('is not met while a term’s attendance has not arrived', () => {
    const result = outcome('education', [attendance('jake', '2015/16', 'summer', 95), attendance('jake', '2016/17', 'spring', 95)], '2017-04-01');
    expect(result).toMatchObject({ met: false, detail: 'jake: no attendance record for autumn 2016/17' });
  });

  it('reads only the last three ended terms: an earlier poor term no longer counts', () => {
    const events = [attendance('jake', '2015/16', 'summer', 70), attendance('jake', '2016/17', 'autumn', 95), attendance('jake', '2016/17', 'spring', 95), attendance('jake', '2016/17', 'summer', 95)];
    expect(outcome('education', events, '2017-08-31').met).toBe(false);
    expect(outcome('education', events, '2017-09-01').met).toBe(true);
  });

  it('holds a child with attendance records only from before attachment to account (no record since is not regular attendance)', () => {
    const events = [...goodAttendance('jake'), attendance('lily', '2015/16', 'spring', 95)];
    expect(outcome('education', events, '2017-04-01')).toMatchObject({
      met: false,
      detail: 'lily: no attendance record for summer 2015/16; lily: no attendance record for autumn 2016/17; lily: no attendance record for spring 2016/17',
    });
  });

  it('adds up the sessions of a child who moved school within a term', () => {
    const events = [
      attendance('jake', '2015/16', 'summer', 95),
      attendance('jake', '2016/17', 'autumn', 95),
      attendance('jake', '2016/17', 'spring', 40, 50),
      attendance('jake', '2016/17', 'spring', 50, 50),
    ];
    expect(outcome('education', events, '2017-04-01').met).toBe(true);
  });

  it('gives the attendance and exclusion records it read as evidence', () => {
    const events = [
      recorded('summer', attendance('jake', '2015/16', 'summer', 95)),
      recorded('autumn', attendance('jake', '2016/17', 'autumn', 95)),
      recorded('spring', attendance('jake', '2016/17', 'spring', 95)),
      recorded('exclusion', fixedTerm('2016-11-01')),
      recorded('older', attendance('jake', '2015/16', 'spring', 95)),
    ];
    expect(outcome('education', events, '2017-04-01').evidenceEventIds).toEqual(['summer', 'autumn', 'spring', 'exclusion']);
  });

  it('judges corrected attendance: a school’s re-issued spring figures flip the result', () => {
    const before = [attendance('jake', '2015/16', 'summer', 95), attendance('jake', '2016/17', 'autumn', 95), recorded('spring-return', attendance('jake', '2016/17', 'spring', 85))];
    expect(outcome('education', before, '2017-04-01').met).toBe(false);
    const corrected = [...before, correction('spring-return', 'SchoolAttendanceRecorded'), recorded('spring-reissued', attendance('jake', '2016/17', 'spring', 93))];
    expect(outcome('education', corrected, '2017-04-01')).toMatchObject({ met: true, evidenceEventIds: expect.arrayContaining(['spring-reissued']) });
    expect(outcome('education', corrected, '2017-04-01').evidenceEventIds).not.toContain('spring-return');
  });

  it.each([
    ['the default plan (90%)', true, {}],
    ['a plan raising the threshold to 92%', false, { education: { attendanceThresholdPercent: 92 } }],
    ['a plan asking only the last two terms (summer 2015/16 is no longer read)', true, { education: { termsRequired: 2, attendanceThresholdPercent: 92 } }],
  ])('91% in summer 2015/16 under %s: met %s', (_case, met, patch: OutcomePlanParametersPatch) => {
    const events = [attendance('jake', '2015/16', 'summer', 91), attendance('jake', '2016/17', 'autumn', 95), attendance('jake', '2016/17', 'spring', 95)];
    expect(outcome('education', events, '2017-04-01', planWith(patch)).met).toBe(met);
  });

  // DOMAIN.md 4.1 "sustained after engagement": a term already running at attachment never counts.
  it.each([
    [
      'attached on the first day of summer 2015/16: it counts',
      '2016-04-01',
      '2017-04-01',
      true,
      'every child attended at least 90% in each of summer 2015/16 to spring 2016/17, with no permanent exclusion and at most 2 fixed-term exclusions',
    ],
    ['attached the day after summer 2015/16 began: it does not', '2016-04-02', '2017-04-01', false, 'not yet: 2 of 3 terms started since attachment have ended'],
    ['attached on 3 May 2016, as of the end of spring 2016/17: two terms only', '2016-05-03', '2017-04-01', false, 'not yet: 2 of 3 terms started since attachment have ended'],
    [
      'attached on 3 May 2016, once summer 2016/17 has ended: the three terms after attachment',
      '2016-05-03',
      '2017-09-01',
      true,
      'every child attended at least 90% in each of autumn 2016/17 to summer 2016/17, with no permanent exclusion and at most 2 fixed-term exclusions',
    ],
  ])('%s', (_case, attachedOn, asOf, met, detail) => {
    const events = [...goodAttendance('jake'), attendance('jake', '2016/17', 'summer', 95)];
    expect(outcomeOf('education', events, asOf, defaultOutcomePlan, attachedOn)).toMatchObject({ met, detail });
  });
});

describe('outcome rules: children in need (DOMAIN.md 4.1)', () => {
  it.each([
    ['no child has had a social care status', true, []],
    ['a child in need before attachment, stepped down to none in September 2016', true, [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'none', '2016-09-01')]],
    // Sustained after engagement: clear on every day of the 6 months to T, not only at T.
    ['a child protection plan ended on T − 6 months exactly (clear from the first day of the 6 months)', true, [care('jake', 'child-protection', '2016-06-01'), care('jake', 'none', '2016-12-31')]],
    ['a child protection plan ended the day after T − 6 months', false, [care('jake', 'child-protection', '2016-06-01'), care('jake', 'none', '2017-01-01')]],
    ['a child protection plan started on T − 6 months exactly, ended in January: not sustained', false, [care('jake', 'child-protection', '2016-12-30'), care('jake', 'none', '2017-01-15')]],
    ['a child protection plan started the day after T − 6 months, since ended', false, [care('jake', 'child-protection', '2016-12-31'), care('jake', 'none', '2017-01-15')]],
    ['a child looked after since 2015', false, [care('lily', 'looked-after', '2015-06-01')]],
    ['a child in need on T itself', false, [care('lily', 'child-in-need', '2017-06-30')]],
    ['a step down recorded for a date after T is not yet known', false, [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'none', '2017-07-01')]],
    [
      'a step down and a new referral on the same day, in that order',
      false,
      [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'none', '2016-06-01'), care('jake', 'child-in-need', '2016-06-01')],
    ],
    [
      'a new referral and a step down on the same day, in that order',
      true,
      [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'child-in-need', '2016-06-01'), care('jake', 'none', '2016-06-01')],
    ],
  ])('%s: met %s', (_case, met, events) => {
    expect(outcome('children-in-need', events).met).toBe(met);
  });

  it('names the child and the status', () => {
    expect(outcome('children-in-need', [care('lily', 'looked-after', '2015-06-01')]).detail).toBe('lily is looked-after at 2017-06-30 (since 2015-06-01)');
  });

  it.each([
    ['the default 6-month window', true, {}],
    ['a plan with a 12-month window', false, { childrenInNeed: { windowMonths: 12 } }],
  ])('a child in need from August to October 2016, under %s: met %s', (_case, met, patch: OutcomePlanParametersPatch) => {
    const events = [care('jake', 'child-in-need', '2016-08-01'), care('jake', 'none', '2016-10-01')];
    expect(outcome('children-in-need', events, T, planWith(patch)).met).toBe(met);
  });
});

describe('outcome rules: worklessness (DOMAIN.md 4.1)', () => {
  // 13 weeks ending 30 June 2017 run from 1 April 2017.
  it.each([
    ['left JSA for a job 13 weeks ago to the day', true, [benefit('mum', 'JSA', '2016-01-10', '2017-04-01'), job('mum', '2017-04-01')]],
    ['started work a day short of 13 weeks ago', false, [benefit('mum', 'JSA', '2016-01-10', '2017-04-02'), job('mum', '2017-04-02')]],
    ['claimed ESA after attachment and has worked since January', true, [benefit('mum', 'ESA', '2016-09-01', '2017-01-02'), job('mum', '2017-01-02')]],
    ['changed jobs with no gap', true, [benefit('mum', 'JSA', '2016-01-10', '2017-01-02'), job('mum', '2017-01-02', '2017-05-01'), job('mum', '2017-05-01')]],
    ['changed jobs with a day between', false, [benefit('mum', 'JSA', '2016-01-10', '2017-01-02'), job('mum', '2017-01-02', '2017-05-01'), job('mum', '2017-05-02')]],
    ['left the job on T', false, [benefit('mum', 'JSA', '2016-01-10', '2017-01-02'), job('mum', '2017-01-02', '2017-06-30')]],
    ['leaves the job after T', true, [benefit('mum', 'JSA', '2016-01-10', '2017-01-02'), job('mum', '2017-01-02', '2017-07-01')]],
    ['left JSA the day after attachment', true, [benefit('mum', 'JSA', '2016-01-10', '2016-05-04'), job('mum', '2016-05-04')]],
    ['left JSA on the attachment day (not on it at attachment)', false, [benefit('mum', 'JSA', '2016-01-10', '2016-05-03'), job('mum', '2016-05-03')]],
    ['in work, but nobody was on an out-of-work benefit', false, [job('mum', '2016-01-02')]],
    ['a young person aged 18 at T who left JSA', true, [benefit('kayla', 'JSA', '2016-09-01', '2017-01-02'), job('kayla', '2017-01-02')]],
    ['a child’s employment does not count', false, [benefit('mum', 'JSA', '2016-01-10'), job('jake', '2017-01-02')]],
  ])('%s: met %s', (_case, met, events) => {
    expect(outcome('worklessness', events).met).toBe(met);
  });

  it('explains a shortfall in programme words', () => {
    const result = outcome('worklessness', [benefit('mum', 'JSA', '2016-01-10', '2017-04-02'), job('mum', '2017-04-02')]);
    expect(result.detail).toBe('mum was on JSA at or after attachment and has been in work only since 2017-04-02 (13 weeks from 2017-04-01 needed)');
  });

  it('gives the benefit and employment facts as evidence', () => {
    const events = [
      recorded('jsa-start', atIndex(benefit('mum', 'JSA', '2016-01-10'), 0)),
      recorded('jsa-end', benefitEnded('mum', 'JSA', '2017-01-02')),
      recorded('job', atIndex(job('mum', '2017-01-02'), 0)),
      job('mum', '2014-01-02', '2015-01-01'),
    ];
    expect(outcome('worklessness', events).evidenceEventIds.sort()).toEqual(['job', 'jsa-end', 'jsa-start']);
  });

  it('judges a corrected start date: a job that began later than first recorded', () => {
    const before = [benefit('mum', 'JSA', '2016-01-10', '2017-03-01'), recorded('job-start', atIndex(job('mum', '2017-03-01'), 0))];
    expect(outcome('worklessness', before).met).toBe(true);
    expect(outcome('worklessness', [...before, correction('job-start', 'EmploymentStarted'), job('mum', '2017-05-01')]).met).toBe(false);
  });

  it.each([
    ['the default plan (13 weeks)', true, {}],
    ['a plan asking 26 weeks', false, { worklessness: { employedWeeks: 26 } }],
  ])('in work since 1 March 2017, under %s: met %s', (_case, met, patch: OutcomePlanParametersPatch) => {
    expect(outcome('worklessness', [benefit('mum', 'JSA', '2016-01-10', '2017-03-01'), job('mum', '2017-03-01')], T, planWith(patch)).met).toBe(met);
  });
});

describe('outcome rules: domestic abuse (DOMAIN.md 4.1)', () => {
  it.each([
    ['no incident recorded', true, []],
    ['an incident on T itself', false, ['2017-06-30']],
    ['an incident the day after T − 6 months', false, ['2016-12-31']],
    ['an incident on T − 6 months exactly', true, ['2016-12-30']],
    ['an incident recorded for a date after T', true, ['2017-07-01']],
  ])('%s: met %s', (_case, met, dates) => {
    expect(outcome('domestic-abuse', dates.map(abuse)).met).toBe(met);
  });

  it.each([
    ['the default 6-month window', true, {}],
    ['a plan with a 12-month window', false, { domesticAbuse: { windowMonths: 12 } }],
  ])('an incident in September 2016, under %s: met %s', (_case, met, patch: OutcomePlanParametersPatch) => {
    expect(outcome('domestic-abuse', [abuse('2016-09-20')], T, planWith(patch)).met).toBe(met);
  });
});

describe('outcome rules: health (DOMAIN.md 4.1)', () => {
  it.each([
    ['no concern recorded', true, []],
    ['a concern identified before attachment and resolved', true, [concern('c1', '2016-01-10', '2016-11-01')]],
    ['a concern not resolved', false, [concern('c1', '2016-01-10')]],
    // Sustained after engagement: every concern resolved by the first day of the 6 months to T.
    ['a concern resolved on T: not sustained', false, [concern('c1', '2016-01-10', '2017-06-30')]],
    ['a concern resolved on the first day of the 6 months to T', true, [concern('c1', '2016-01-10', '2016-12-31')]],
    ['a concern resolved the day after it', false, [concern('c1', '2016-01-10', '2017-01-01')]],
    ['a concern resolved after T (not yet known)', false, [concern('c1', '2016-01-10', '2017-07-01')]],
    ['a concern identified the day after T − 6 months, since resolved', false, [concern('c1', '2016-12-31', '2017-02-01')]],
    ['a concern identified on T − 6 months exactly, resolved a month later: not sustained', false, [concern('c1', '2016-12-30', '2017-02-01')]],
    ['a concern identified after T', true, [concern('c1', '2017-07-01')]],
    ['one of two concerns still open', false, [concern('c1', '2016-01-10', '2016-11-01'), concern('c2', '2016-02-10')]],
  ])('%s: met %s', (_case, met, events) => {
    expect(outcome('health', events).met).toBe(met);
  });
});

describe('outcome rules: sustained after engagement (DOMAIN.md 4.1)', () => {
  // Attached 3 May 2016: a 6-month window lies wholly after attachment from 3 November 2016.
  // Each history is a problem that had already ended before attachment: nothing the council did.
  it.each(
    (
      [
        ['domestic abuse, last incident before attachment', 'domestic-abuse', [abuse('2016-04-01')], '2016-05-03', false],
        ['domestic abuse, at attachment + 6 months − 1 day', 'domestic-abuse', [abuse('2016-04-01')], '2016-11-02', false],
        ['domestic abuse, at attachment + 6 months', 'domestic-abuse', [abuse('2016-04-01')], '2016-11-03', true],
        [
          'a child in need stepped down before attachment, on the day of attachment',
          'children-in-need',
          [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'none', '2016-04-01')],
          '2016-05-03',
          false,
        ],
        [
          'a child in need stepped down before attachment, at attachment + 6 months − 1 day',
          'children-in-need',
          [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'none', '2016-04-01')],
          '2016-11-02',
          false,
        ],
        [
          'a child in need stepped down before attachment, at attachment + 6 months',
          'children-in-need',
          [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'none', '2016-04-01')],
          '2016-11-03',
          true,
        ],
        ['a health concern resolved before attachment, at attachment + 6 months − 1 day', 'health', [concern('c1', '2016-01-10', '2016-04-01')], '2016-11-02', false],
        ['a health concern resolved before attachment, at attachment + 6 months', 'health', [concern('c1', '2016-01-10', '2016-04-01')], '2016-11-03', true],
        ['no offences or ASB either side, at attachment + 6 months − 1 day', 'crime-asb', [], '2016-11-02', false],
        ['no offences or ASB either side, at attachment + 6 months', 'crime-asb', [], '2016-11-03', true],
        // 13 weeks in work must start on or after attachment: from 3 May 2016 they end on 1 August 2016.
        [
          'in work since before attachment, 13 weeks ending the day before the first 13 weeks after attachment',
          'worklessness',
          [benefit('mum', 'JSA', '2016-01-10', '2016-06-01'), job('mum', '2016-03-01')],
          '2016-07-31',
          false,
        ],
        ['in work since before attachment, the first 13 weeks after attachment', 'worklessness', [benefit('mum', 'JSA', '2016-01-10', '2016-06-01'), job('mum', '2016-03-01')], '2016-08-01', true],
      ] as const
    ).map(([name, problem, events, asOf, met]) => [name, problem, asOf, met, events] as const),
  )('%s (%s as of %s): met %s', (_case, problem, asOf, met, events) => {
    const result = outcome(problem, [...events], asOf);
    expect(result.met).toBe(met);
    if (!met) expect(result.detail).toMatch(/^not yet: /);
  });

  it('says when the earliest test is', () => {
    expect(outcome('domestic-abuse', [], '2016-06-01').detail).toBe('not yet: the 6 months judged must lie after attachment (2016-05-03), so the earliest test is on 2016-11-03');
  });

  it('reads the sustain period from the plan', () => {
    const events = [care('jake', 'child-in-need', '2016-01-10'), care('jake', 'none', '2016-04-01')];
    expect(outcome('children-in-need', events, '2016-08-03', planWith({ childrenInNeed: { sustainMonths: 3 } })).met).toBe(true);
    expect(outcome('children-in-need', events, '2016-08-02', planWith({ childrenInNeed: { sustainMonths: 3 } })).met).toBe(false);
  });
});

describe('outcome rules: discretionary overrides (DOMAIN.md 4.1)', () => {
  it('makes a problem met, naming the approver and the reason, with the override as evidence', () => {
    const result = outcome('crime-asb', [offence('jake', '2016-03-01'), offence('lily', '2017-03-01'), recorded('override-1', override('crime-asb', '2017-06-01'))]);
    expect(result).toMatchObject({
      met: true,
      evidenceEventIds: ['override-1'],
      overridden: { approvedBy: 'programme-manager-jo', reason: 'offence was in self-defence, per probation', on: '2017-06-01' },
    });
    expect(result.detail).toContain('approved by programme-manager-jo on 2017-06-01: offence was in self-defence, per probation');
    expect(result.detail).toContain('the rule found: proven offences: 1 in the 6 months');
  });

  it.each([
    ['recorded on T', true, '2017-06-30'],
    ['recorded after T', false, '2017-07-01'],
  ])('an override %s: met %s', (_case, met, on) => {
    expect(outcome('crime-asb', [offence('jake', '2016-03-01'), offence('lily', '2017-03-01'), override('crime-asb', on)]).met).toBe(met);
  });

  it('applies only to the problem it names', () => {
    expect(outcome('health', [concern('c1', '2016-01-10'), override('crime-asb', '2017-06-01')]).met).toBe(false);
  });

  it('says nothing of a reason it cannot read (free text sealed, as the read models keep it, or erased)', () => {
    const sealed = override('crime-asb', '2017-06-01');
    delete (sealed.data as { reason?: string }).reason;
    const result = outcome('crime-asb', [offence('jake', '2016-03-01'), offence('lily', '2017-03-01'), recorded('override-1', sealed)]);
    expect(result.met).toBe(true);
    expect(result.detail).not.toContain('undefined');
    expect(result.detail).toContain('met by discretionary override approved by programme-manager-jo on 2017-06-01 (the rule found: proven offences: 1 in the 6 months');
  });
});

describe('outcome rules: significant and sustained progress across the problems in scope (DOMAIN.md 4.1)', () => {
  const atEntry: HeadlineProblem[] = ['education', 'worklessness'];
  const working: History = [benefit('mum', 'JSA', '2016-01-10', '2017-01-02'), job('mum', '2017-01-02'), goodAttendance('jake')];
  const laterHealthProblem = [identifiedProblem('health', '2016-09-01'), concern('c1', '2016-09-01')];
  // Attached on the last day of spring 2015/16, so that three whole terms have ended by T.
  const familyWith = (problems: HeadlineProblem[], events: History) => familyAttachedOn(problems, events, EDUCATION_ATTACHED_ON);

  it.each([
    ['at-entry: a problem found after attachment is not in scope', 'at-entry', T, ['education', 'worklessness'], true],
    ['at-entry-plus-later: a problem found after attachment is in scope', 'at-entry-plus-later', T, ['education', 'worklessness', 'health'], false],
    ['at-entry-plus-later, as of a date before the later problem was found', 'at-entry-plus-later', '2016-08-31', ['education', 'worklessness'], false],
  ])('%s', (_case, scope, asOf, inScope, sustainedProgress) => {
    const state = familyWith(atEntry, [...working, ...laterHealthProblem]);
    const progress = evaluateProgress(state, { ...defaultOutcomePlan, scope: scope as OutcomeScope }, troubledFamilies2015, asOf);
    expect(progress.problemsInScope).toEqual(inScope);
    expect(progress.problems.map((p) => p.problem)).toEqual(inScope);
    expect(progress.routes.sustainedProgress).toBe(sustainedProgress);
  });

  it('holds when every problem in scope is met, and the family is claimable', () => {
    const progress = evaluateProgress(familyWith(atEntry, working), defaultOutcomePlan, troubledFamilies2015, T);
    expect(progress).toMatchObject({ asOf: T, planVersion: 1, attachedOn: EDUCATION_ATTACHED_ON, routes: { sustainedProgress: true }, claimable: true });
  });

  it('does not hold while one problem in scope is unmet', () => {
    const progress = evaluateProgress(familyWith(atEntry, goodAttendance('jake')), defaultOutcomePlan, troubledFamilies2015, T);
    expect(progress.problems.map((p) => [p.problem, p.met])).toEqual([
      ['education', true],
      ['worklessness', false],
    ]);
    expect(progress).toMatchObject({ routes: { sustainedProgress: false, continuousEmployment: false }, claimable: false });
  });

  it("meets a problem by a programme manager's override from its date, naming the approver and the override as evidence", () => {
    const override = (problem: HeadlineProblem, on: string, approvedBy: string, eventId: string): Given =>
      recorded(eventId, { type: 'OutcomeOverrideRecorded', data: { familyId, problem, reason: 'a managed move', on, approvedBy } });
    const state = familyWith(atEntry, [...goodAttendance('jake'), override('worklessness', '2017-01-10', 'pm.first', 'ovr-1'), override('worklessness', '2017-02-01', 'pm.second', 'ovr-2')]);
    const worklessness = (asOf: string) => evaluateProgress(state, defaultOutcomePlan, troubledFamilies2015, asOf).problems.find((p) => p.problem === 'worklessness');
    expect(worklessness('2017-01-09')).toMatchObject({ met: false });
    expect(worklessness('2017-01-10')).toMatchObject({ met: true, evidenceEventIds: ['ovr-1'], overridden: { approvedBy: 'pm.first', on: '2017-01-10', reason: 'a managed move' } });
    // The latest override in force wins; the rule's own answer stays in the detail.
    expect(worklessness(T)).toMatchObject({ met: true, evidenceEventIds: ['ovr-2'], overridden: { approvedBy: 'pm.second', on: '2017-02-01' } });
    expect(worklessness(T)?.detail).toMatch(/^met by discretionary override approved by pm\.second on 2017-02-01: a managed move \(the rule found: .+\)$/);
    expect(evaluateProgress(state, defaultOutcomePlan, troubledFamilies2015, T)).toMatchObject({ routes: { sustainedProgress: true } });
  });

  it('never holds for an empty scope', () => {
    const progress = evaluateProgress(familyWith([], working), defaultOutcomePlan, troubledFamilies2015, T);
    expect(progress).toMatchObject({ problemsInScope: [], routes: { sustainedProgress: false } });
  });

  it('lists the problems in the headline order, whatever order they were recorded in', () => {
    const progress = evaluateProgress(familyWith(['health', 'crime-asb', 'worklessness'], []), defaultOutcomePlan, troubledFamilies2015, T);
    expect(progress.problems.map((p) => p.problem)).toEqual(['crime-asb', 'worklessness', 'health']);
  });

  it.each([
    ['a family never attached', [identified()]],
    ['a family attached after the as-of date', [identified(), attached(atEntry, '2017-07-01')]],
  ])('%s has nothing in scope and is not claimable', (_case, events) => {
    const progress = evaluateProgress(fold([...events, ...working]), defaultOutcomePlan, troubledFamilies2015, T);
    expect(progress).toMatchObject({
      problemsInScope: [],
      problems: [],
      routes: { sustainedProgress: false, continuousEmployment: false },
      continuousEmployment: { met: false, detail: 'not attached on or before 2017-06-30' },
      claimable: false,
    });
  });

  it('judges each as-of date by the plan version in force then', () => {
    const plans = recordedPlans({ effectiveFrom: '2017-06-01', patch: { education: { attendanceThresholdPercent: 92 } } });
    const events = [attendance('jake', '2015/16', 'summer', 91), attendance('jake', '2016/17', 'autumn', 95), attendance('jake', '2016/17', 'spring', 95)];
    const state = familyWith(['education'], events);
    const inMay = evaluateProgress(state, planInForce(plans, '2017-05-31'), troubledFamilies2015, '2017-05-31');
    const inJune = evaluateProgress(state, planInForce(plans, '2017-06-01'), troubledFamilies2015, '2017-06-01');
    expect([inMay.planVersion, inMay.claimable]).toEqual([1, true]);
    expect([inJune.planVersion, inJune.claimable]).toEqual([2, false]);
  });
});

describe('progress under Supporting Families 2022–25: outcomes held six months after the case closed', () => {
  const plan = supportingFamiliesDefaultPlan;
  const housing = (on: string): FamilyEvent => ({
    type: 'OutcomeMilestoneRecorded',
    data: { familyId, memberId: 'mum', milestone: 'housing-secure', change: 'achieved', on, evidence: 'tenancy signed' },
  });
  const closedOn = (on: string): FamilyEvent => ({ type: 'FamilyCaseClosed', data: { familyId, closedOn: on, reason: 'plan complete' } });
  // Attached 1 November 2022 with two needs; the tenancy from 1 December 2022, no domestic abuse since.
  const history = (...more: FamilyEvent[]): FamilyState =>
    fold([
      identified(),
      { type: 'FamilyAttached', data: { familyId, attachedOn: '2022-11-01', keyworker: 'keyworker-sam', problemsAtEntry: ['housing', 'domestic-abuse'], financialYear: '2022/23' } },
      housing('2022-12-01'),
      ...more,
    ]);

  it.each([
    ['the case still open, every outcome met', [], '2023-09-30', false, 'the case is not closed on or before 2023-09-30'],
    ['closed after the as-of date', [closedOn('2023-10-01')], '2023-09-30', false, 'the case is not closed on or before 2023-09-30'],
    ['closed, six months after closure less a day', [closedOn('2023-07-01')], '2023-12-31', false, 'first on 2024-01-01'],
    ['closed, six months after closure', [closedOn('2023-07-01')], '2024-01-01', true, undefined],
  ])('%s: claimable %s', (_case, more, asOf, claimable, caseClosure) => {
    const progress = evaluateProgress(history(...(more as FamilyEvent[])), plan, supportingFamilies2022, asOf);
    expect(progress.problems.map((p) => [p.problem, p.met])).toEqual([
      ['domestic-abuse', true],
      ['housing', true],
    ]);
    expect(progress.claimable).toBe(claimable);
    if (caseClosure === undefined) expect(progress).not.toHaveProperty('caseClosure');
    else expect(progress.caseClosure).toContain(caseClosure);
  });

  it('has no continuous-employment route', () => {
    const progress = evaluateProgress(history(closedOn('2023-07-01')), plan, supportingFamilies2022, '2024-01-01');
    expect(progress.continuousEmployment).toMatchObject({ met: false, detail: expect.stringContaining('has no continuous-employment route') });
  });

  it('lists problems in the order of the framework, not of recording', () => {
    expect(scopeOf(history(), plan, '2023-01-01', supportingFamilies2022.headlineProblems)).toEqual(['domestic-abuse', 'housing']);
  });

  it('leaves phase two answers without a closure rule: a closed case keeps its results', () => {
    const state = familyAttachedOn(['education', 'worklessness'], [...goodAttendance('jake')], EDUCATION_ATTACHED_ON);
    const closed = evolveFamily(state, closedOn('2016-06-01'), 'closed');
    expect(evaluateProgress(closed, defaultOutcomePlan, troubledFamilies2015, T)).toEqual(evaluateProgress(state, defaultOutcomePlan, troubledFamilies2015, T));
  });
});

// ---------------------------------------------------------------------------------------------
// Fixtures

let sequence = 0;

type Given = FamilyEvent | { eventId: string; event: FamilyEvent };
/** Given events in recording order; a spell's started and ended events come as a pair. */
type History = (Given | Given[])[];

function recorded(eventId: string, event: FamilyEvent): Given {
  return { eventId, event };
}

function fold(events: History): FamilyState {
  return events.flat().reduce<FamilyState>((state, given) => {
    const { eventId, event } = 'eventId' in given ? given : { eventId: `event-${(sequence += 1)}`, event: given };
    return evolveFamily(state, event, eventId);
  }, initialFamilyState());
}

const allProblems: HeadlineProblem[] = ['crime-asb', 'education', 'children-in-need', 'worklessness', 'domestic-abuse', 'health'];

function familyAttachedOn(problemsAtEntry: HeadlineProblem[], events: History, attachedOn?: string): FamilyState {
  return fold([identified(), attached(problemsAtEntry, attachedOn), ...events]);
}

function outcomeOf(problem: HeadlineProblem, events: History, asOf = T, plan = defaultOutcomePlan, attachedOn?: string): ProblemResult {
  const progress = evaluateProgress(familyAttachedOn(allProblems, events, attachedOn), plan, troubledFamilies2015, asOf);
  const result = progress.problems.find((p) => p.problem === problem);
  if (!result) throw new Error(`${problem} is not in scope`);
  return result;
}

function outcome(problem: HeadlineProblem, events: History, asOf = T, plan = defaultOutcomePlan): ProblemResult {
  return outcomeOf(problem, events, asOf, plan);
}

/** Attached on the last day of spring 2015/16, so that summer 2015/16 is the first term counted. */
const EDUCATION_ATTACHED_ON = '2016-03-31';

function planWith(patch: OutcomePlanParametersPatch): OutcomePlanVersion {
  return planInForce(recordedPlans({ effectiveFrom: '2016-04-01', patch }), T);
}

function recordedPlans(change: { effectiveFrom: string; patch: OutcomePlanParametersPatch }) {
  const state = initialOutcomePlanState();
  const decision = decideOutcomePlan({ type: 'RecordOutcomePlanVersion', effectiveFrom: change.effectiveFrom, scope: 'at-entry', parameters: change.patch }, state);
  if (!decision.ok) throw new Error(decision.rejection.message);
  return decision.events.reduce(evolveOutcomePlan, state);
}

function times(n: number, make: () => FamilyEvent): FamilyEvent[] {
  return Array.from({ length: n }, make);
}

function member(memberId: string, relationship: Member['relationship'], dateOfBirth: string, livesInHousehold = true): Member {
  return { memberId, relationship, givenName: memberId, familyName: 'Okafor', dateOfBirth, livesInHousehold };
}

/** Mum, dad (who lives elsewhere), Kayla (18 at T), Jake and Lily. */
function identified(): FamilyEvent {
  return {
    type: 'FamilyIdentified',
    data: {
      familyId,
      reference: 'ES-0042',
      identifiedOn: '2016-03-14',
      members: [
        member('mum', 'parent', '1979-09-30'),
        member('dad', 'parent', '1976-02-11', false),
        member('kayla', 'child', '1999-01-15'),
        member('jake', 'child', '2005-03-14'),
        member('lily', 'child', '2008-10-01'),
      ],
    },
  };
}

function attached(problemsAtEntry: HeadlineProblem[], attachedOn = '2016-05-03'): FamilyEvent {
  return { type: 'FamilyAttached', data: { familyId, attachedOn, keyworker: 'keyworker-sam', problemsAtEntry, financialYear: '2016/17' } };
}

function identifiedProblem(problem: HeadlineProblem, identifiedOn: string): FamilyEvent {
  return { type: 'HeadlineProblemIdentified', data: { familyId, problem, indicator: 'GP referral', identifiedOn, source: 'health-visitor' } };
}

function offence(memberId: string, committedOn: string, proven = true): FamilyEvent {
  return { type: 'OffenceRecorded', data: { familyId, memberId, committedOn, proven } };
}

function asb(occurredOn: string): FamilyEvent {
  return { type: 'AsbIncidentRecorded', data: { familyId, occurredOn } };
}

function attendance(memberId: string, academicYear: string, term: Term, attendedSessions: number, possibleSessions = 100): FamilyEvent {
  return {
    type: 'SchoolAttendanceRecorded',
    data: { familyId, memberId, academicYear, term, possibleSessions, attendedSessions, unauthorisedAbsenceSessions: possibleSessions - attendedSessions },
  };
}

function goodAttendance(memberId: string): FamilyEvent[] {
  return [attendance(memberId, '2015/16', 'summer', 95), attendance(memberId, '2016/17', 'autumn', 95), attendance(memberId, '2016/17', 'spring', 95)];
}

function exclusion(memberId: string, kind: 'fixed-term' | 'permanent', startedOn: string): FamilyEvent {
  return { type: 'ExclusionRecorded', data: { familyId, memberId, kind, startedOn } };
}

function fixedTerm(startedOn: string): FamilyEvent {
  return exclusion('jake', 'fixed-term', startedOn);
}

function care(memberId: string, status: SocialCareStatus, on: string): FamilyEvent {
  return { type: 'SocialCareStatusChanged', data: { familyId, memberId, status, on } };
}

/** A benefit claim started, and ended when `endedOn` is given (two events, or one while open). */
function benefit(memberId: string, benefit: Benefit, on: string, endedOn?: string): FamilyEvent[] {
  const started: FamilyEvent = { type: 'BenefitStarted', data: { familyId, memberId, benefit, on } };
  return endedOn ? [started, benefitEnded(memberId, benefit, endedOn)] : [started];
}

function benefitEnded(memberId: string, benefit: Benefit, on: string): FamilyEvent {
  return { type: 'BenefitEnded', data: { familyId, memberId, benefit, on } };
}

/** A job started, and ended when `endedOn` is given. */
function job(memberId: string, on: string, endedOn?: string): FamilyEvent[] {
  const started: FamilyEvent = { type: 'EmploymentStarted', data: { familyId, memberId, on, hoursPerWeek: 30 } };
  return endedOn ? [started, { type: 'EmploymentEnded', data: { familyId, memberId, on: endedOn } }] : [started];
}

function abuse(occurredOn: string): FamilyEvent {
  return { type: 'DomesticAbuseIncidentRecorded', data: { familyId, occurredOn } };
}

function concern(concernId: string, on: string, resolvedOn?: string): FamilyEvent[] {
  const identifiedEvent: FamilyEvent = { type: 'HealthConcernIdentified', data: { familyId, memberId: 'mum', concernId, on } };
  if (!resolvedOn) return [identifiedEvent];
  return [identifiedEvent, { type: 'HealthConcernResolved', data: { familyId, memberId: 'mum', concernId, on: resolvedOn } }];
}

function override(problem: HeadlineProblem, on: string): FamilyEvent {
  return { type: 'OutcomeOverrideRecorded', data: { familyId, problem, reason: 'offence was in self-defence, per probation', on, approvedBy: 'programme-manager-jo' } };
}

function correction(supersededEventId: string, supersededType: string): FamilyEvent {
  return { type: 'FactCorrected', data: { familyId, supersededEventId, supersededType, reason: 're-issued by the partner' } };
}
