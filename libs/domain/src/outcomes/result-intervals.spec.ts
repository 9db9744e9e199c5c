import fc from 'fast-check';
import type { Benefit, FamilyEvent, HeadlineProblem, Member, UcRegime } from '../family/family.events';
import { type FamilyState, evolveFamily, initialFamilyState } from '../family/family.state';
import { initialOutcomePlanState, planInForce } from '../outcome-plan/outcome-plan';
import { troubledFamilies2015 } from '../programme/troubled-families-2015.framework';
import { type BusinessDate, addDays } from '../shared/business-date';
import { evaluateProgress } from './outcome-rules';
import { type ProblemInterval, type ResultInterval, resultIntervals } from './result-intervals';

/**
 * Issue 22.4: result intervals against the evaluation on every day, for families whose benefits,
 * jobs, regimes and birthdays fall on random days (so every alignment of the 7-day blocks and
 * of the windows with the facts comes up). `libs/synthetic/src/result-intervals.spec.ts` does
 * the same over generated boroughs, plan changes and both frameworks.
 */
const familyId = 'family-ri';
const attachedOn = '2016-05-03';
const day = (n: number) => addDays(attachedOn as BusinessDate, n);

type Change =
  | { kind: 'benefit'; member: 'mum' | 'jake'; benefit: Benefit; from: number; length: number | null; fullWorkSearch: boolean }
  | { kind: 'job'; member: 'mum' | 'jake'; from: number; length: number | null }
  | { kind: 'regime'; regime: UcRegime; on: number }
  | { kind: 'offence'; on: number }
  | { kind: 'concern'; on: number; resolvedAfter: number | null };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant('benefit' as const),
    member: fc.constantFrom('mum' as const, 'jake' as const),
    benefit: fc.constantFrom<Benefit>('JSA', 'ESA', 'UC'),
    from: fc.integer({ min: -200, max: 300 }),
    length: fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }),
    fullWorkSearch: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('job' as const),
    member: fc.constantFrom('mum' as const, 'jake' as const),
    from: fc.integer({ min: -50, max: 400 }),
    length: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('regime' as const),
    regime: fc.constantFrom<UcRegime>('intensive-work-search', 'light-touch', 'working-enough', 'no-work-requirements'),
    on: fc.integer({ min: -30, max: 400 }),
  }),
  fc.record({ kind: fc.constant('offence' as const), on: fc.integer({ min: -200, max: 500 }) }),
  fc.record({ kind: fc.constant('concern' as const), on: fc.integer({ min: -100, max: 300 }), resolvedAfter: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }) }),
);

function eventsOf(changes: Change[]): FamilyEvent[] {
  return changes.flatMap((c, i): FamilyEvent[] => {
    switch (c.kind) {
      case 'benefit': {
        const start: FamilyEvent = {
          type: 'BenefitStarted',
          data: { familyId, memberId: c.member, benefit: c.benefit, on: day(c.from), ...(c.benefit === 'UC' ? { fullWorkSearch: c.fullWorkSearch } : {}) },
        };
        return c.length === null ? [start] : [start, { type: 'BenefitEnded', data: { familyId, memberId: c.member, benefit: c.benefit, on: day(c.from + c.length) } }];
      }
      case 'job': {
        const start: FamilyEvent = { type: 'EmploymentStarted', data: { familyId, memberId: c.member, on: day(c.from), hoursPerWeek: 20 } };
        return c.length === null ? [start] : [start, { type: 'EmploymentEnded', data: { familyId, memberId: c.member, on: day(c.from + c.length) } }];
      }
      case 'regime':
        return [{ type: 'UcConditionalityChanged', data: { familyId, memberId: 'mum', regime: c.regime, on: day(c.on) } }];
      case 'offence':
        return [{ type: 'OffenceRecorded', data: { familyId, memberId: 'mum', committedOn: day(c.on), proven: true } }];
      case 'concern': {
        const concernId = `concern-${i}`;
        const identified: FamilyEvent = { type: 'HealthConcernIdentified', data: { familyId, memberId: 'mum', concernId, on: day(c.on) } } as FamilyEvent;
        return c.resolvedAfter === null
          ? [identified]
          : [identified, { type: 'HealthConcernResolved', data: { familyId, memberId: 'mum', concernId, on: day(c.on + c.resolvedAfter) } } as FamilyEvent];
      }
    }
  });
}

function familyWith(changes: Change[], problems: HeadlineProblem[], jakeBornOn: string): FamilyState {
  const member = (memberId: string, relationship: Member['relationship'], dateOfBirth: string): Member => ({
    memberId,
    relationship,
    givenName: memberId,
    familyName: 'Ri',
    dateOfBirth,
    livesInHousehold: true,
  });
  const history: FamilyEvent[] = [
    { type: 'FamilyIdentified', data: { familyId, reference: 'RI-1', identifiedOn: '2016-04-01', members: [member('mum', 'parent', '1983-07-19'), member('jake', 'child', jakeBornOn)] } },
    { type: 'FamilyAttached', data: { familyId, attachedOn, keyworker: 'kw', problemsAtEntry: problems, financialYear: '2016/17' } },
    ...eventsOf(changes),
  ];
  return history.reduce<FamilyState>((state, event, i) => evolveFamily(state, event, `event-${i}`), initialFamilyState());
}

function answerAt(intervals: readonly ResultInterval[], asOf: string): string {
  const found = intervals.find((i) => i.from <= asOf && (i.until === null || asOf < i.until));
  return found ? `${found.sustainedProgress ? 'sp' : ''}${found.continuousEmployment ? 'ce' : ''}` : '';
}

describe('result intervals on every day (issue 22.4)', () => {
  it('match the evaluation for random benefits, jobs, regimes, offences, concerns and an 18th birthday', () => {
    const plans = initialOutcomePlanState();
    let changed = 0;
    fc.assert(
      fc.property(
        fc.array(change, { minLength: 1, maxLength: 8 }),
        fc.subarray<HeadlineProblem>(['worklessness', 'crime-asb', 'health'], { minLength: 1 }),
        fc.integer({ min: 0, max: 700 }),
        (changes, problems, birthday) => {
          const state = familyWith(changes, problems, addDays(day(birthday), -18 * 365 - 4));
          const problemSpans: ProblemInterval[] = [];
          const intervals = resultIntervals(state, plans, troubledFamilies2015, { problems: problemSpans });
          // The same with the evidence a claim would carry (the intervals then also end where it changes).
          const withEvidence = resultIntervals(state, plans, troubledFamilies2015, { evidence: true });
          if (intervals.length > 0) changed += 1;
          for (let n = -1; n < 900; n += 1) {
            const asOf = day(n);
            const progress = evaluateProgress(state, planInForce(plans, asOf), troubledFamilies2015, asOf);
            const expected = progress.claimable ? `${progress.routes.sustainedProgress ? 'sp' : ''}${progress.routes.continuousEmployment ? 'ce' : ''}` : '';
            if (answerAt(intervals, asOf) !== expected) throw new Error(`${asOf}: intervals ${JSON.stringify(intervals)}, evaluation ${expected || 'none'}`);
            if (answerAt(withEvidence, asOf) !== expected) throw new Error(`${asOf}: intervals with evidence ${JSON.stringify(withEvidence)}, evaluation ${expected || 'none'}`);
            if (progress.claimable) {
              const evidence = [
                ...new Set([
                  ...(progress.routes.sustainedProgress ? progress.problems.flatMap((p) => p.evidenceEventIds) : []),
                  ...(progress.routes.continuousEmployment ? progress.continuousEmployment.evidenceEventIds : []),
                ]),
              ].sort();
              const found = withEvidence.find((i) => i.from <= asOf && (i.until === null || asOf < i.until));
              if (JSON.stringify(found?.evidenceEventIds) !== JSON.stringify(evidence))
                throw new Error(`${asOf}: evidence ${JSON.stringify(found?.evidenceEventIds)}, evaluation ${JSON.stringify(evidence)}`);
            }
            const met = progress.problems
              .filter((p) => p.met)
              .map((p) => p.problem)
              .sort()
              .join();
            const spans = problemSpans
              .filter((p) => p.from <= asOf && (p.until === null || asOf < p.until))
              .map((p) => p.problem)
              .sort()
              .join();
            if (spans !== met) throw new Error(`${asOf}: problems met by the spans ${spans || 'none'}, by the evaluation ${met || 'none'}`);
          }
        },
      ),
      { numRuns: 200, seed: 2204 },
    );
    expect(changed).toBeGreaterThan(20);
  });
});
