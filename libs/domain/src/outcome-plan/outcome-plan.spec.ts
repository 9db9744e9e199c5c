import { deciderSpec } from '../shared/decider-spec';
import {
  type OutcomePlanCommand,
  type OutcomePlanEvent,
  decideOutcomePlan,
  defaultOutcomePlan,
  defaultOutcomePlanParameters,
  evolveOutcomePlan,
  initialOutcomePlanState,
  planInForce,
} from './outcome-plan';

const outcomePlan = { decide: decideOutcomePlan, evolve: evolveOutcomePlan, initialState: initialOutcomePlanState };
const { given } = deciderSpec(outcomePlan);

describe("outcome plan: recording a new version of the council's plan", () => {
  it('records version 2, taking every threshold it does not change from version 1', () =>
    given()
      .when(raiseAttendanceThreshold)
      .then({
        type: 'OutcomePlanVersionRecorded',
        data: {
          version: 2,
          effectiveFrom: '2016-09-01',
          scope: 'at-entry',
          parameters: { ...defaultOutcomePlanParameters, education: { ...defaultOutcomePlanParameters.education, attendanceThresholdPercent: 92 } },
        },
      }));

  it('builds version 3 on version 2, not on the default plan', () =>
    given(version2)
      .when({ type: 'RecordOutcomePlanVersion', effectiveFrom: '2017-04-01', scope: 'at-entry-plus-later', parameters: { domesticAbuse: { windowMonths: 12 } } })
      .then({
        type: 'OutcomePlanVersionRecorded',
        data: { version: 3, effectiveFrom: '2017-04-01', scope: 'at-entry-plus-later', parameters: { ...version2.data.parameters, domesticAbuse: { windowMonths: 12 } } },
      }));

  it('accepts a reduction percentage that is not a whole number', () =>
    given()
      .when({ ...raiseAttendanceThreshold, parameters: { crimeAsb: { offenceReductionPercent: 33.3 } } })
      .then({
        type: 'OutcomePlanVersionRecorded',
        data: {
          version: 2,
          effectiveFrom: '2016-09-01',
          scope: 'at-entry',
          parameters: { ...defaultOutcomePlanParameters, crimeAsb: { ...defaultOutcomePlanParameters.crimeAsb, offenceReductionPercent: 33.3 } },
        },
      }));

  it('refuses an effective date that is not a calendar date', () =>
    given()
      .when({ ...raiseAttendanceThreshold, effectiveFrom: '2016-02-30' })
      .thenRejected('InvalidDate'));

  it('refuses a version taking effect on the same day as the default plan', () =>
    given()
      .when({ ...raiseAttendanceThreshold, effectiveFrom: '2015-04-01' })
      .thenRejected('EffectiveFromNotAfterPrevious'));

  it('refuses a version taking effect before the latest version', () =>
    given(version2)
      .when({ ...raiseAttendanceThreshold, effectiveFrom: '2016-08-31' })
      .thenRejected('EffectiveFromNotAfterPrevious'));

  it.each([
    ['an attendance threshold above 100%', { education: { attendanceThresholdPercent: 101 } }],
    ['no terms of attendance at all', { education: { termsRequired: 0 } }],
    ['a negative number of exclusions', { education: { maxFixedTermExclusions: -1 } }],
    ['a crime window of half a month', { crimeAsb: { windowMonths: 2.5 } }],
    ['a worklessness test of no weeks in work', { worklessness: { employedWeeks: 0 } }],
    ['a health window longer than two years', { health: { windowMonths: 25 } }],
    ['a threshold that is not a number', { education: { attendanceThresholdPercent: Number.NaN } }],
  ])('refuses %s', (_case, parameters) =>
    given()
      .when({ ...raiseAttendanceThreshold, parameters })
      .thenRejected('InvalidOutcomePlanParameter'),
  );
});

describe('outcome plan: the version in force at an as-of date', () => {
  it('judges a claim as of a date before version 2 by the default plan', () => {
    expect(planInForce(given(version2).state, '2016-08-31')).toEqual(defaultOutcomePlan);
  });

  it('judges a claim as of the day version 2 takes effect by version 2', () => {
    const plan = planInForce(given(version2).state, '2016-09-01');
    expect(plan).toMatchObject(version2.data);
    // The thresholds become the default plan's measures (DOMAIN.md 4.4).
    expect(plan.problems.education?.measures).toEqual([{ kind: 'attendance-threshold', termsRequired: 3, thresholdPercent: 92, maxFixedTermExclusions: 2 }]);
  });

  it('leaves the default plan unchanged when a new version is recorded', () => {
    expect(given(version2).state.versions[0]).toEqual(initialOutcomePlanState().versions[0]);
    expect(defaultOutcomePlanParameters.education.attendanceThresholdPercent).toBe(90);
  });
});

// Fixtures: a council raising its attendance threshold from 90% to 92% for the 2016/17 school year.

const raiseAttendanceThreshold = {
  type: 'RecordOutcomePlanVersion',
  effectiveFrom: '2016-09-01',
  scope: 'at-entry',
  parameters: { education: { attendanceThresholdPercent: 92 } },
} as const satisfies OutcomePlanCommand;

const version2 = {
  type: 'OutcomePlanVersionRecorded',
  data: {
    version: 2,
    effectiveFrom: '2016-09-01',
    scope: 'at-entry',
    parameters: { ...defaultOutcomePlanParameters, education: { ...defaultOutcomePlanParameters.education, attendanceThresholdPercent: 92 } },
  },
} as const satisfies OutcomePlanEvent;
