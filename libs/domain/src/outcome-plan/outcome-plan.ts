import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { isBusinessDate } from '../shared/business-date';

/**
 * The council's Outcome Plan (DOMAIN.md 4.1): versioned data. Every threshold, window and
 * percentage of the success tests is a parameter here; each claim is judged by the version in
 * force at its as-of date, and old versions never change.
 */
export interface OutcomePlanParameters {
  crimeAsb: { windowMonths: number; offenceReductionPercent: number; asbReductionPercent: number };
  education: { attendanceThresholdPercent: number; termsRequired: number; maxFixedTermExclusions: number };
  /**
   * `sustainMonths`: DOMAIN.md 4.1 "sustained after engagement": a test with no window of its own
   * needs its condition to have held this long, all of it after attachment.
   */
  childrenInNeed: { windowMonths: number; sustainMonths: number };
  worklessness: { employedWeeks: number };
  domesticAbuse: { windowMonths: number };
  health: { windowMonths: number; sustainMonths: number };
}

export type OutcomeScope = 'at-entry' | 'at-entry-plus-later';

export interface OutcomePlanVersion {
  version: number;
  effectiveFrom: string;
  scope: OutcomeScope;
  parameters: OutcomePlanParameters;
}

/** Version 1: the default plan of DOMAIN.md 4.1, in force from the programme's start. */
export const defaultOutcomePlan: OutcomePlanVersion = {
  version: 1,
  effectiveFrom: '2015-04-01',
  scope: 'at-entry',
  parameters: {
    crimeAsb: { windowMonths: 6, offenceReductionPercent: 33, asbReductionPercent: 60 },
    // "fewer than 3 fixed-term exclusions across those 3 terms" → at most 2.
    education: { attendanceThresholdPercent: 90, termsRequired: 3, maxFixedTermExclusions: 2 },
    childrenInNeed: { windowMonths: 6, sustainMonths: 6 },
    worklessness: { employedWeeks: 13 },
    domesticAbuse: { windowMonths: 6 },
    health: { windowMonths: 6, sustainMonths: 6 },
  },
};

export type OutcomePlanEvent = DomainEvent<'OutcomePlanVersionRecorded', OutcomePlanVersion>;

export interface OutcomePlanState {
  /** Every version, oldest first; version 1 is always the default plan. */
  versions: OutcomePlanVersion[];
}

export const initialOutcomePlanState = (): OutcomePlanState => ({ versions: [defaultOutcomePlan] });

export function evolveOutcomePlan(state: OutcomePlanState, event: OutcomePlanEvent): OutcomePlanState {
  // Versions recorded before a parameter existed take its default (an upcast on read, never a rewrite).
  return { versions: [...state.versions, { ...event.data, parameters: mergeParameters(defaultOutcomePlan.parameters, event.data.parameters) }] };
}

/** The version in force at a date: the latest whose `effectiveFrom` is on or before it. */
export function planInForce(state: OutcomePlanState, asOf: string): OutcomePlanVersion {
  let current = state.versions[0];
  for (const v of state.versions) if (v.effectiveFrom <= asOf) current = v;
  return current;
}

/** A partial set of parameters: what is given replaces the previous version's value. */
export type OutcomePlanParametersPatch = { [K in keyof OutcomePlanParameters]?: Partial<OutcomePlanParameters[K]> };

export type OutcomePlanCommand = { type: 'RecordOutcomePlanVersion'; effectiveFrom: string; scope: OutcomeScope; parameters: OutcomePlanParametersPatch };

export function decideOutcomePlan(command: OutcomePlanCommand, state: OutcomePlanState): Decision<OutcomePlanEvent> {
  const previous = state.versions[state.versions.length - 1];
  if (!isBusinessDate(command.effectiveFrom)) return reject('InvalidDate', 'effectiveFrom must be a calendar date');
  if (command.effectiveFrom <= previous.effectiveFrom) {
    return reject('EffectiveFromNotAfterPrevious', `a new version must take effect after version ${previous.version} (${previous.effectiveFrom})`);
  }
  const unknown = unknownParameters(command.parameters, previous.parameters);
  if (unknown) return reject('InvalidOutcomePlanParameter', unknown);
  const parameters = mergeParameters(previous.parameters, command.parameters);
  const problem = checkParameters(parameters);
  if (problem) return reject('InvalidOutcomePlanParameter', problem);
  return accept({
    type: 'OutcomePlanVersionRecorded',
    data: { version: previous.version + 1, effectiveFrom: command.effectiveFrom, scope: command.scope, parameters },
  });
}

/** Names in the patch that the plan does not have, or groups that are not objects. */
function unknownParameters(patch: unknown, base: OutcomePlanParameters): string | null {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'parameters must be an object of parameter groups';
  for (const [group, values] of Object.entries(patch)) {
    if (!Object.prototype.hasOwnProperty.call(base, group)) return `parameters.${group} is not a parameter group; known: ${Object.keys(base).join(', ')}`;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return `parameters.${group} must be an object of named parameters`;
    const known = (base as unknown as Record<string, Record<string, unknown>>)[group];
    for (const name of Object.keys(values)) {
      if (!Object.prototype.hasOwnProperty.call(known, name)) return `parameters.${group}.${name} is not a parameter; known: ${Object.keys(known).join(', ')}`;
    }
  }
  return null;
}

function mergeParameters(base: OutcomePlanParameters, patch: OutcomePlanParametersPatch): OutcomePlanParameters {
  return {
    crimeAsb: { ...base.crimeAsb, ...patch.crimeAsb },
    education: { ...base.education, ...patch.education },
    childrenInNeed: { ...base.childrenInNeed, ...patch.childrenInNeed },
    worklessness: { ...base.worklessness, ...patch.worklessness },
    domesticAbuse: { ...base.domesticAbuse, ...patch.domesticAbuse },
    health: { ...base.health, ...patch.health },
  };
}

const LIMITS: Record<string, [number, number]> = {
  'crimeAsb.windowMonths': [1, 24],
  'crimeAsb.offenceReductionPercent': [0, 100],
  'crimeAsb.asbReductionPercent': [0, 100],
  'education.attendanceThresholdPercent': [0, 100],
  'education.termsRequired': [1, 6],
  'education.maxFixedTermExclusions': [0, 20],
  'childrenInNeed.windowMonths': [0, 24],
  'childrenInNeed.sustainMonths': [0, 24],
  'worklessness.employedWeeks': [1, 104],
  'domesticAbuse.windowMonths': [0, 24],
  'health.windowMonths': [0, 24],
  'health.sustainMonths': [0, 24],
};

function checkParameters(parameters: OutcomePlanParameters): string | null {
  for (const [path, [min, max]] of Object.entries(LIMITS)) {
    const [group, name] = path.split('.');
    const value = (parameters as unknown as Record<string, Record<string, unknown>>)[group][name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      return `parameters.${path} must be a number from ${min} to ${max}`;
    }
    if (!path.endsWith('Percent') && !Number.isInteger(value)) return `parameters.${path} must be a whole number`;
  }
  return null;
}
