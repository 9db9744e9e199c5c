import fc from 'fast-check';
import {
  type FamilyState,
  type FinancialFramework,
  type OutcomePlanParametersPatch,
  type OutcomePlanState,
  type ProblemInterval,
  type ResultInterval,
  addDays,
  type BusinessDate,
  decideOutcomePlan,
  evaluateProgress,
  evolveOutcomePlan,
  foldFamily,
  initialOutcomePlanState,
  planInForce,
  resultIntervals,
  supportingFamilies2022,
  troubledFamilies2015,
} from '@ledger/domain';
import { recordedHistories } from './recorded-histories';
import { generateBorough } from './synthetic-borough';

/**
 * Issue 22.4: a family's result intervals say, for every date, what `evaluateProgress` says
 * there: whether it has a result, by which routes, under which plan version. Checked on every
 * day of a five-year span for some families, at random dates under random plan changes for the
 * rest, and on both sides of every interval's bounds. With the evidence a claim would carry.
 */
const families: FamilyState[] = (() => {
  const borough = generateBorough({ families: 160, seed: 2204 });
  return recordedHistories(borough, borough.families).map((history) => foldFamily(history));
})();

type Answer = { routes: string[]; planVersion?: number; evidenceEventIds?: string[]; overridden?: boolean; problemsMet: string[] };

function answerAt(intervals: readonly ResultInterval[], asOf: string, problems: readonly ProblemInterval[]): Answer {
  const problemsMet = problems
    .filter((p) => p.from <= asOf && (p.until === null || asOf < p.until))
    .map((p) => p.problem)
    .sort();
  const found = intervals.find((i) => i.from <= asOf && (i.until === null || asOf < i.until));
  if (!found) return { routes: [], problemsMet };
  return { routes: routesOf(found.sustainedProgress, found.continuousEmployment), planVersion: found.planVersion, evidenceEventIds: found.evidenceEventIds, overridden: found.overridden, problemsMet };
}

/** As a claim draft takes a family with a result: its routes, plan version, evidence and whether an override meets a problem. */
function evaluatedAt(state: FamilyState, plans: OutcomePlanState, framework: FinancialFramework, asOf: string): Answer {
  const progress = evaluateProgress(state, planInForce(plans, asOf), framework, asOf);
  const problemsMet = progress.problems
    .filter((p) => p.met)
    .map((p) => p.problem)
    .sort();
  if (!progress.claimable) return { routes: [], problemsMet };
  const evidence = new Set([
    ...(progress.routes.sustainedProgress ? progress.problems.flatMap((p) => p.evidenceEventIds) : []),
    ...(progress.routes.continuousEmployment ? progress.continuousEmployment.evidenceEventIds : []),
  ]);
  return {
    routes: routesOf(progress.routes.sustainedProgress, progress.routes.continuousEmployment),
    planVersion: progress.planVersion,
    evidenceEventIds: [...evidence].sort(),
    overridden: progress.problems.some((p) => p.overridden !== undefined),
    problemsMet,
  };
}

function routesOf(sp: boolean, ce: boolean): string[] {
  return [...(sp ? ['sustained-progress'] : []), ...(ce ? ['continuous-employment'] : [])];
}

function plansWith(effectiveFrom: string, parameters: OutcomePlanParametersPatch, scope: 'at-entry' | 'at-entry-plus-later' = 'at-entry'): OutcomePlanState {
  const decision = decideOutcomePlan({ type: 'RecordOutcomePlanVersion', effectiveFrom, scope, parameters }, initialOutcomePlanState());
  if (!decision.ok) throw new Error(decision.rejection.message);
  return decision.events.reduce(evolveOutcomePlan, initialOutcomePlanState());
}

const mismatches: string[] = [];

type Spans = [ResultInterval[], ProblemInterval[]];

function spansOf(state: FamilyState, plans: OutcomePlanState, framework: FinancialFramework): Spans {
  const problems: ProblemInterval[] = [];
  return [resultIntervals(state, plans, framework, { problems, evidence: true }), problems];
}

/** Notes a date where the intervals and the evaluation differ (one `expect` per date is slow over 100,000 dates). */
function compare(state: FamilyState, [intervals, problems]: Spans, plans: OutcomePlanState, framework: FinancialFramework, asOf: string): void {
  const a = JSON.stringify(answerAt(intervals, asOf, problems));
  const b = JSON.stringify(evaluatedAt(state, plans, framework, asOf));
  if (a !== b) mismatches.push(`${state.reference} ${framework.id} ${asOf}: intervals ${a}, evaluation ${b}`);
}

const day = (n: number) => addDays('2015-01-01' as BusinessDate, n);

describe('result intervals (issue 22.4)', () => {
  it('answer as the evaluation on every day of 2015–2021, default plan, both frameworks', () => {
    const plans = initialOutcomePlanState();
    let withResult = 0;
    for (const framework of [troubledFamilies2015, supportingFamilies2022]) {
      for (const state of families.slice(0, 10)) {
        const intervals = spansOf(state, plans, framework);
        if (intervals[0].length > 0) withResult += 1;
        for (let n = 0; n < 7 * 365; n += 1) compare(state, intervals, plans, framework, day(n));
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The check is worth something only if results come and go.
    expect(withResult).toBeGreaterThan(5);
  });

  it('answer as the evaluation at random dates and on both sides of every bound, under a random second plan version', () => {
    const patch: fc.Arbitrary<OutcomePlanParametersPatch> = fc.record(
      {
        crimeAsb: fc.record({ windowMonths: fc.integer({ min: 1, max: 12 }), offenceReductionPercent: fc.integer({ min: 0, max: 100 }) }),
        education: fc.record({ attendanceThresholdPercent: fc.integer({ min: 80, max: 100 }), termsRequired: fc.integer({ min: 1, max: 4 }) }),
        childrenInNeed: fc.record({ windowMonths: fc.integer({ min: 0, max: 12 }), sustainMonths: fc.integer({ min: 0, max: 12 }) }),
        worklessness: fc.record({ employedWeeks: fc.integer({ min: 1, max: 30 }) }),
        domesticAbuse: fc.record({ windowMonths: fc.integer({ min: 1, max: 12 }) }),
        health: fc.record({ windowMonths: fc.integer({ min: 0, max: 12 }), sustainMonths: fc.integer({ min: 0, max: 12 }) }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        patch,
        fc.integer({ min: 0, max: 6 * 365 }),
        fc.constantFrom<'at-entry' | 'at-entry-plus-later'>('at-entry', 'at-entry-plus-later'),
        fc.constantFrom(troubledFamilies2015, supportingFamilies2022),
        fc.array(fc.integer({ min: 0, max: 9 * 365 }), { minLength: 20, maxLength: 20 }),
        (change, from, scope, framework, dates) => {
          const plans = plansWith(day(91 + from), change, scope);
          for (const state of families) {
            const intervals = spansOf(state, plans, framework);
            const bounds = intervals[0].flatMap((i) => [i.from, ...(i.until ? [i.until] : [])]).flatMap((b) => [addDays(b as BusinessDate, -1), b]);
            for (const asOf of [...dates.map(day), ...bounds]) compare(state, intervals, plans, framework, asOf);
          }
          expect(mismatches.slice(0, 5)).toEqual([]);
        },
      ),
      { numRuns: 8, seed: 22_04 },
    );
  });
});
