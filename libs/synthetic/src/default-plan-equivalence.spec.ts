import fc from 'fast-check';
import {
  type FamilyState,
  type HeadlineProblem,
  type OutcomePlanParametersPatch,
  decideOutcomePlan,
  defaultOutcomePlan,
  evaluateProgress,
  evolveOutcomePlan,
  foldFamily,
  handWrittenSuccessTests,
  initialOutcomePlanState,
  must,
  planInForce,
  troubledFamilies2015,
} from '@ledger/domain';
import { recordedHistories } from './recorded-histories';
import { generateBorough } from './synthetic-borough';

/**
 * DOMAIN.md 4.4: the default plan must come out of the plan-as-data form unchanged. Over generated
 * boroughs, at random as-of dates and under random changes of the default plan's thresholds, every
 * problem in scope answers as the six hand-written tests did: met, evidence and (but for the
 * "not yet" wording) detail.
 */
describe('the default Outcome Plan as measure kinds answers as the hand-written tests', () => {
  const borough = generateBorough({ families: 120, seed: 4404 });
  const families: FamilyState[] = recordedHistories(borough, borough.families).map((history) => foldFamily(history));
  const day = fc.integer({ min: 0, max: 5 * 365 }).map((n) => new Date(Date.UTC(2015, 5, 1) + n * 86_400_000).toISOString().slice(0, 10));
  const patch: fc.Arbitrary<OutcomePlanParametersPatch> = fc.record(
    {
      crimeAsb: fc.record({ windowMonths: fc.integer({ min: 1, max: 12 }), offenceReductionPercent: fc.integer({ min: 0, max: 100 }), asbReductionPercent: fc.integer({ min: 0, max: 100 }) }),
      education: fc.record({ attendanceThresholdPercent: fc.integer({ min: 80, max: 100 }), termsRequired: fc.integer({ min: 1, max: 4 }), maxFixedTermExclusions: fc.integer({ min: 0, max: 4 }) }),
      childrenInNeed: fc.record({ windowMonths: fc.integer({ min: 0, max: 12 }), sustainMonths: fc.integer({ min: 0, max: 12 }) }),
      worklessness: fc.record({ employedWeeks: fc.integer({ min: 1, max: 30 }) }),
      domesticAbuse: fc.record({ windowMonths: fc.integer({ min: 1, max: 12 }) }),
      health: fc.record({ windowMonths: fc.integer({ min: 0, max: 12 }), sustainMonths: fc.integer({ min: 0, max: 12 }) }),
    },
    { requiredKeys: [] },
  );

  it('on every family, at every as-of date, under any thresholds', () => {
    let compared = 0;
    let met = 0;
    fc.assert(
      fc.property(patch, day, (change, asOf) => {
        const decision = decideOutcomePlan({ type: 'RecordOutcomePlanVersion', effectiveFrom: '2015-04-02', scope: 'at-entry', parameters: change }, initialOutcomePlanState());
        if (!decision.ok) throw new Error(decision.rejection.message);
        const plan = planInForce(decision.events.reduce(evolveOutcomePlan, initialOutcomePlanState()), asOf);
        const parameters = plan.parameters;
        if (!parameters) throw new Error('a thresholds-only version keeps its parameters');
        for (const state of families) {
          const progress = evaluateProgress(state, plan, troubledFamilies2015, asOf);
          const attachedOn = progress.attachedOn;
          if (attachedOn === null || attachedOn > asOf) continue;
          for (const result of progress.problems) {
            const expected = must(handWrittenSuccessTests[result.problem as HeadlineProblem], result.problem)({ state, parameters, attachedOn, asOf });
            expect({ problem: result.problem, met: result.met, evidence: [...result.evidenceEventIds].sort() }).toEqual({
              problem: result.problem,
              met: expected.met,
              evidence: [...expected.evidenceEventIds].sort(),
            });
            if (expected.detail.startsWith('not yet')) expect(result.detail).toMatch(/^not yet/);
            else expect(result.detail).toBe(expected.detail);
            compared += 1;
            if (expected.met) met += 1;
          }
        }
      }),
      { numRuns: 60, seed: 20261205 },
    );
    // Not vacuous: many answers, both ways.
    expect(compared).toBeGreaterThan(5_000);
    expect(met).toBeGreaterThan(500);
  });

  it('and the default plan itself is version 1 of that form', () => {
    expect(planInForce(initialOutcomePlanState(), '2016-01-01')).toBe(defaultOutcomePlan);
  });
});
