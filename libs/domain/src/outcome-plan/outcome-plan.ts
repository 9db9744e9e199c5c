import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { isBusinessDate } from '../shared/business-date';
import { type Decider, type StoredEvent, plainEvent } from '../shared/decider';
import { must } from '../shared/present';
import type { HeadlineProblem } from '../family/family.events';
import { type Indicator, type Milestone, type ProblemPlans, parseMilestones, parseProblemPlans } from './measures';

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

/**
 * One version of the council's Outcome Plan (DOMAIN.md 4.4): per headline problem its indicators
 * and its measures (`problems`), and the local milestones its measures name. A version written
 * in the default plan's shape (version 1, and versions recorded as changes of its thresholds)
 * also keeps those thresholds as `parameters`.
 */
export interface OutcomePlanVersion {
  version: number;
  effectiveFrom: string;
  scope: OutcomeScope;
  problems: ProblemPlans;
  milestones: Milestone[];
  parameters?: OutcomePlanParameters;
}

/** The default plan's thresholds (DOMAIN.md 4.1 table). */
export const defaultOutcomePlanParameters: OutcomePlanParameters = {
  crimeAsb: { windowMonths: 6, offenceReductionPercent: 33, asbReductionPercent: 60 },
  // "fewer than 3 fixed-term exclusions across those 3 terms" → at most 2.
  education: { attendanceThresholdPercent: 90, termsRequired: 3, maxFixedTermExclusions: 2 },
  childrenInNeed: { windowMonths: 6, sustainMonths: 6 },
  worklessness: { employedWeeks: 13 },
  domesticAbuse: { windowMonths: 6 },
  health: { windowMonths: 6, sustainMonths: 6 },
};

/** The indicators of each headline problem (DOMAIN.md 2), as the default plan lists them. */
export const defaultIndicators: Record<HeadlineProblem, Indicator[]> = {
  'crime-asb': [
    { code: 'proven-offence', label: 'A child or parent with a proven offence in the last 12 months', evidence: 'police' },
    { code: 'asb-intervention', label: 'An anti-social behaviour intervention', evidence: 'police, council ASB team, housing provider' },
    { code: 'probation', label: 'An adult on probation', evidence: 'probation, community rehabilitation company' },
    { code: 'police-call-outs', label: 'Repeated police call-outs to the home', evidence: 'police' },
  ],
  education: [
    { code: 'attendance-below-90', label: 'Attendance below 90% over the last 3 terms', evidence: 'school' },
    { code: 'fixed-term-exclusions', label: 'Three or more fixed-term exclusions in 3 terms', evidence: 'school' },
    { code: 'permanent-exclusion', label: 'A permanent exclusion', evidence: 'school' },
    { code: 'not-on-roll', label: 'Not on a school roll', evidence: 'council education service' },
  ],
  'children-in-need': [
    { code: 'child-in-need', label: 'A child in need', evidence: "children's social care" },
    { code: 'child-protection-plan', label: 'A child protection plan', evidence: "children's social care" },
    { code: 'early-help-assessment', label: 'An early help assessment', evidence: 'early help service' },
    { code: 'edge-of-care', label: 'A child on the edge of care', evidence: "children's social care" },
  ],
  worklessness: [
    { code: 'out-of-work-benefit', label: 'An adult on an out-of-work benefit', evidence: 'DWP, Jobcentre Plus' },
    { code: 'problem-debt', label: 'An adult at risk of financial exclusion (problem debt)', evidence: 'housing, advice services' },
    { code: 'neet', label: 'A young person not in education, employment or training', evidence: 'council, careers service' },
  ],
  'domestic-abuse': [{ code: 'domestic-abuse', label: 'The family is affected by domestic violence or abuse', evidence: 'police, MARAC, specialist services' }],
  health: [
    { code: 'physical-health', label: 'A parent or child with a physical health problem', evidence: 'health' },
    { code: 'mental-health', label: 'A parent or child with a mental health problem', evidence: 'health, CAMHS' },
    { code: 'substance-misuse', label: 'Substance misuse', evidence: 'health, treatment services' },
  ],
};

/**
 * The default plan's shape as data (DOMAIN.md 4.4): each threshold of the DOMAIN.md 4.1 table is
 * a parameter of a measure kind. The equivalence spec checks it answers exactly as the
 * hand-written tests did.
 */
export function problemsFromParameters(parameters: OutcomePlanParameters): ProblemPlans {
  const { crimeAsb, education, childrenInNeed, worklessness, domesticAbuse, health } = parameters;
  return {
    'crime-asb': {
      indicators: must(defaultIndicators['crime-asb'], 'default indicators of crime-asb'),
      combine: 'all',
      measures: [
        { kind: 'count-reduction', counts: 'proven-offence', windowMonths: crimeAsb.windowMonths, reductionPercent: crimeAsb.offenceReductionPercent },
        { kind: 'count-reduction', counts: 'asb-incident', windowMonths: crimeAsb.windowMonths, reductionPercent: crimeAsb.asbReductionPercent },
      ],
    },
    education: {
      indicators: must(defaultIndicators.education, 'default indicators of education'),
      combine: 'all',
      measures: [
        { kind: 'attendance-threshold', termsRequired: education.termsRequired, thresholdPercent: education.attendanceThresholdPercent, maxFixedTermExclusions: education.maxFixedTermExclusions },
      ],
    },
    'children-in-need': {
      indicators: must(defaultIndicators['children-in-need'], 'default indicators of children-in-need'),
      combine: 'all',
      measures: [{ kind: 'status-clear', statuses: ['child-in-need', 'child-protection', 'looked-after'], windowMonths: childrenInNeed.windowMonths, sustainMonths: childrenInNeed.sustainMonths }],
    },
    worklessness: {
      indicators: must(defaultIndicators.worklessness, 'default indicators of worklessness'),
      combine: 'all',
      measures: [{ kind: 'into-activity', from: 'out-of-work-benefit', to: ['employment'], weeks: worklessness.employedWeeks }],
    },
    'domestic-abuse': {
      indicators: must(defaultIndicators['domestic-abuse'], 'default indicators of domestic-abuse'),
      combine: 'all',
      measures: [{ kind: 'none-in-window', counts: 'domestic-abuse-incident', windowMonths: domesticAbuse.windowMonths }],
    },
    health: {
      indicators: must(defaultIndicators.health, 'default indicators of health'),
      combine: 'all',
      measures: [{ kind: 'concerns-resolved', concern: 'health', windowMonths: health.windowMonths, sustainMonths: health.sustainMonths }],
    },
  };
}

/** Version 1: the default plan of DOMAIN.md 4.1, in force from the programme's start. */
export const defaultOutcomePlan: OutcomePlanVersion = {
  version: 1,
  effectiveFrom: '2015-04-01',
  scope: 'at-entry',
  parameters: defaultOutcomePlanParameters,
  problems: problemsFromParameters(defaultOutcomePlanParameters),
  milestones: [],
};

/**
 * A version as recorded: in the default plan's shape (`parameters`, complete) or as the council
 * wrote it (`problems` and `milestones`, complete). Versions recorded before a parameter existed
 * lack it and take its default when read (an upcast, never a rewrite of history).
 */
export interface RecordedOutcomePlanVersion {
  version: number;
  effectiveFrom: string;
  scope: OutcomeScope;
  parameters?: OutcomePlanParameters;
  problems?: ProblemPlans;
  milestones?: Milestone[];
}

/**
 * What a read model keeps of a recorded version (one JSON value): the thresholds of a version in
 * the default plan's shape, or `{ problems, milestones }` of a version as the council wrote it.
 */
export function storedPlanValue(recorded: RecordedOutcomePlanVersion): unknown {
  return recorded.problems ? { problems: recorded.problems, milestones: recorded.milestones ?? [] } : (recorded.parameters ?? {});
}

/** The parts of a recorded version held in a stored value (see `storedPlanValue`). */
export function asRecorded(stored: unknown): Pick<RecordedOutcomePlanVersion, 'parameters' | 'problems' | 'milestones'> {
  const value = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
  if ('problems' in value) return { problems: value.problems as ProblemPlans, milestones: (value.milestones as Milestone[] | undefined) ?? [] };
  return { parameters: value as unknown as OutcomePlanParameters };
}

export type OutcomePlanEvent = DomainEvent<'OutcomePlanVersionRecorded', RecordedOutcomePlanVersion>;

export interface OutcomePlanState {
  /** Every version, oldest first; version 1 is the framework's default plan. */
  versions: OutcomePlanVersion[];
}

/** Version 1 is the framework's own plan (`FinancialFramework.defaultPlan`; phase two's default plan when not given). */
export const initialOutcomePlanState = (first: OutcomePlanVersion = defaultOutcomePlan): OutcomePlanState => ({ versions: [first] });

export function evolveOutcomePlan(state: OutcomePlanState, event: OutcomePlanEvent): OutcomePlanState {
  return { versions: [...state.versions, readRecordedVersion(event.data, state.versions[state.versions.length - 1] ?? defaultOutcomePlan)] };
}

/** A recorded version as the rules read it; `previous` lends the milestones a thresholds-only version does not carry. */
export function readRecordedVersion(recorded: RecordedOutcomePlanVersion, previous: OutcomePlanVersion): OutcomePlanVersion {
  const { version, effectiveFrom, scope } = recorded;
  if (recorded.problems) return { version, effectiveFrom, scope, problems: recorded.problems, milestones: recorded.milestones ?? [] };
  // Versions recorded before a parameter existed take its default.
  const parameters = mergeParameters(defaultOutcomePlanParameters, recorded.parameters ?? {});
  return { version, effectiveFrom, scope, parameters, problems: problemsFromParameters(parameters), milestones: previous.milestones };
}

/** The version in force at a date: the latest whose `effectiveFrom` is on or before it. */
export function planInForce(state: OutcomePlanState, asOf: string): OutcomePlanVersion {
  let current = state.versions[0] ?? defaultOutcomePlan;
  for (const v of state.versions) if (v.effectiveFrom <= asOf) current = v;
  return current;
}

/** A partial set of parameters: what is given replaces the previous version's value. */
export type OutcomePlanParametersPatch = { [K in keyof OutcomePlanParameters]?: Partial<OutcomePlanParameters[K]> };

/**
 * A new version of the plan: either changes to the default plan's thresholds (`parameters`, what
 * is given replaces the previous version's value), or the plan as the council wrote it
 * (`problems`: a problem not given keeps the previous version's measures; `milestones`: the
 * plan's own list of local milestones, else the previous version's). Both are untrusted data,
 * checked here so that a refusal names the path of what is wrong.
 */
export type OutcomePlanCommand = { type: 'RecordOutcomePlanVersion'; effectiveFrom: string; scope: OutcomeScope; parameters?: OutcomePlanParametersPatch; problems?: unknown; milestones?: unknown };

export function decideOutcomePlan(command: OutcomePlanCommand, state: OutcomePlanState): Decision<OutcomePlanEvent> {
  const previous = state.versions[state.versions.length - 1] ?? defaultOutcomePlan;
  if (!isBusinessDate(command.effectiveFrom)) return reject('InvalidDate', 'effectiveFrom must be a calendar date');
  if (command.effectiveFrom <= previous.effectiveFrom) {
    return reject('EffectiveFromNotAfterPrevious', `a new version must take effect after version ${previous.version} (${previous.effectiveFrom})`);
  }
  const base = { version: previous.version + 1, effectiveFrom: command.effectiveFrom, scope: command.scope };
  const asWritten = command.problems !== undefined || command.milestones !== undefined;
  if (asWritten && command.parameters !== undefined) {
    return reject('InvalidOutcomePlanParameter', "give either parameters (changes to the default plan's thresholds) or problems and milestones (the plan as written), not both");
  }
  if (asWritten) {
    const milestones = command.milestones === undefined ? { ok: true as const, milestones: previous.milestones } : parseMilestones(command.milestones);
    if (!milestones.ok) return reject('InvalidOutcomePlanParameter', milestones.problem);
    const problems = command.problems === undefined ? { ok: true as const, problems: previous.problems } : parseProblemPlans(command.problems, previous.problems, milestones.milestones);
    if (!problems.ok) return reject('InvalidOutcomePlanParameter', problems.problem);
    const orphan = orphanMilestone(problems.problems, milestones.milestones);
    if (orphan) return reject('InvalidOutcomePlanParameter', orphan);
    return accept({ type: 'OutcomePlanVersionRecorded', data: { ...base, problems: problems.problems, milestones: milestones.milestones } });
  }
  if (!previous.parameters) {
    return reject('InvalidOutcomePlanParameter', `version ${previous.version} is not in the default plan's shape: record the new version's problems and milestones instead of parameters`);
  }
  const patch = command.parameters ?? {};
  const unknown = unknownParameters(patch, previous.parameters);
  if (unknown) return reject('InvalidOutcomePlanParameter', unknown);
  const parameters = mergeParameters(previous.parameters, patch);
  const problem = checkParameters(parameters);
  if (problem) return reject('InvalidOutcomePlanParameter', problem);
  return accept({ type: 'OutcomePlanVersionRecorded', data: { ...base, parameters } });
}

/** A milestone measure whose milestone the plan no longer lists (kept problems, new list). */
function orphanMilestone(problems: ProblemPlans, milestones: readonly Milestone[]): string | null {
  for (const [problem, plan] of Object.entries(problems)) {
    for (const [i, measure] of plan.measures.entries()) {
      if (measure.kind === 'milestone-sustained' && !milestones.some((m) => m.code === measure.milestone)) {
        return `problems.${problem}.measures[${i}].milestone ${measure.milestone} is not in the plan's milestones`;
      }
    }
  }
  return null;
}

/** The codes of the local milestones in the version in force at a date (DOMAIN.md 4.4: refused when not in it). */
export function milestoneInForce(state: OutcomePlanState, on: string, code: string): boolean {
  return planInForce(state, on).milestones.some((m) => m.code === code);
}

/** Names in the patch that the plan does not have, or groups that are not objects. */
function unknownParameters(patch: unknown, base: OutcomePlanParameters): string | null {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'parameters must be an object of parameter groups';
  for (const [group, values] of Object.entries(patch)) {
    if (!Object.prototype.hasOwnProperty.call(base, group)) return `parameters.${group} is not a parameter group; known: ${Object.keys(base).join(', ')}`;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return `parameters.${group} must be an object of named parameters`;
    const known = must((base as unknown as Record<string, Record<string, unknown>>)[group], `parameters.${group}`);
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
    const [group, name] = path.split('.') as [string, string];
    const value = (parameters as unknown as Record<string, Record<string, unknown>>)[group]?.[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      return `parameters.${path} must be a number from ${min} to ${max}`;
    }
    if (!path.endsWith('Percent') && !Number.isInteger(value)) return `parameters.${path} must be a whole number`;
  }
  return null;
}

export const decodeOutcomePlanEvent = (stored: Pick<StoredEvent, 'type' | 'data'>): OutcomePlanEvent => plainEvent<OutcomePlanEvent>(stored);

/** The rules of `outcomePlan-<councilId>`, whose version 1 is the framework's own plan (`first`). */
export function outcomePlanDecider(first: OutcomePlanVersion = defaultOutcomePlan): Decider<OutcomePlanCommand, OutcomePlanEvent, OutcomePlanState> {
  return { initialState: () => initialOutcomePlanState(first), evolve: (state, event) => evolveOutcomePlan(state, event), decide: decideOutcomePlan, decode: decodeOutcomePlanEvent };
}
