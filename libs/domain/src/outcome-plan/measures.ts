import type { HeadlineProblem, SocialCareStatus } from '../family/family.events';
import { must } from '../shared/present';

/**
 * The Outcome Plan as the council writes it (DOMAIN.md 4.4): per headline problem, the indicators
 * that identify it and the measures of significant and sustained progress, each an instance of a
 * measure kind with parameters, combined with `all` (default) or `any`. The kinds are pure
 * functions of the family's facts, the attachment date and the as-of date
 * (`libs/domain/src/outcomes/measure-kinds.ts`); a council publishes a plan of them as data,
 * without a code change.
 */
export const MEASURE_KINDS = ['count-reduction', 'none-in-window', 'attendance-threshold', 'status-clear', 'into-activity', 'concerns-resolved', 'milestone-sustained'] as const;
export type MeasureKind = (typeof MEASURE_KINDS)[number];

/** Facts a count can be made of (DOMAIN.md 3). */
export const COUNTABLE_FACTS = ['proven-offence', 'asb-incident', 'domestic-abuse-incident', 'fixed-term-exclusion', 'permanent-exclusion', 'health-concern'] as const;
export type CountableFact = (typeof COUNTABLE_FACTS)[number];

/** What a member is doing (DOMAIN.md 4.4 `into-activity`): in work, education or training. */
export const ACTIVITIES = ['employment', 'education', 'training'] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** The condition a member starts in: on an out-of-work benefit, or NEET (not in education, employment or training). */
export const STARTING_CONDITIONS = ['out-of-work-benefit', 'neet'] as const;
export type StartingCondition = (typeof STARTING_CONDITIONS)[number];

/** The social care statuses a `status-clear` measure may name (`none` is the clear state itself). */
export const NEED_STATUSES_LIST = ['child-in-need', 'child-protection', 'looked-after'] as const;
export type NeedStatus = Exclude<SocialCareStatus, 'none'>;

export type Measure =
  /** Facts of a kind in the `windowMonths` before T at least `reductionPercent`% fewer than in the `windowMonths` before attachment; a zero baseline needs zero. */
  | { kind: 'count-reduction'; counts: CountableFact; windowMonths: number; reductionPercent: number }
  /** No fact of a kind in the `windowMonths` before T. */
  | { kind: 'none-in-window'; counts: CountableFact; windowMonths: number }
  /** Each child with records, in each of the last `termsRequired` counted terms, attended at least `thresholdPercent`%, no permanent exclusion, at most `maxFixedTermExclusions` fixed-term ones. */
  | { kind: 'attendance-threshold'; termsRequired: number; thresholdPercent: number; maxFixedTermExclusions: number }
  /** No member in any of `statuses` on any day of the `sustainMonths` before T, none entered one in the `windowMonths` before T. */
  | { kind: 'status-clear'; statuses: NeedStatus[]; windowMonths: number; sustainMonths: number }
  /** A member in the starting condition at or after attachment has been in one of the target activities every day of the last `weeks` weeks (at least `minimumHoursPerWeek` in employment, when given). */
  | { kind: 'into-activity'; from: StartingCondition; to: Activity[]; weeks: number; minimumHoursPerWeek?: number }
  /** Every health concern resolved, and held resolved for `sustainMonths`; none new in the `windowMonths` before T. */
  | { kind: 'concerns-resolved'; concern: 'health'; windowMonths: number; sustainMonths: number }
  /** A local milestone of the plan's own list achieved on or after attachment, with evidence, and not reversed for `months`. */
  | { kind: 'milestone-sustained'; milestone: string; months: number };

/** How a problem's measures combine: every one met (`all`, the default) or at least one (`any`). */
export type Combine = 'all' | 'any';

/** An indicator of a headline problem (DOMAIN.md 2): its code, label and the kind of evidence that shows it. */
export interface Indicator {
  code: string;
  label: string;
  evidence: string;
}

/** A local milestone the plan's `milestone-sustained` measures and `OutcomeMilestoneRecorded` events name. */
export interface Milestone {
  code: string;
  label: string;
}

export interface ProblemPlan {
  indicators: Indicator[];
  measures: Measure[];
  combine: Combine;
}

export type ProblemPlans = Record<HeadlineProblem, ProblemPlan>;

type Check = string | null;

const CODE = /^[a-z0-9][a-z0-9-]{0,59}$/;

/**
 * Reads a plan's problems from untrusted data (a request body): every problem given must be a
 * headline problem, every measure of a known kind with exactly its parameters, in range. The
 * answer names the path of the first thing wrong (`problems.worklessness.measures[1].weeks`).
 */
export function parseProblemPlans(raw: unknown, base: ProblemPlans, milestones: readonly Milestone[], path = 'problems'): { ok: true; problems: ProblemPlans } | { ok: false; problem: string } {
  if (!isRecord(raw)) return { ok: false, problem: `${path} must be an object of headline problems` };
  const problems: ProblemPlans = { ...base };
  for (const [name, value] of Object.entries(raw)) {
    const at = `${path}.${name}`;
    // The problems are the framework's: those of the plan before (version 1 is the framework's own).
    const known = Object.keys(base);
    if (!known.includes(name)) return { ok: false, problem: `${at} is not a headline problem; known: ${known.join(', ')}` };
    const parsed = parseProblemPlan(value, at, milestones, must(base[name], at).indicators);
    if (typeof parsed === 'string') return { ok: false, problem: parsed };
    problems[name] = parsed;
  }
  return { ok: true, problems };
}

/** Reads the plan's own milestone list. */
export function parseMilestones(raw: unknown, path = 'milestones'): { ok: true; milestones: Milestone[] } | { ok: false; problem: string } {
  if (!Array.isArray(raw)) return { ok: false, problem: `${path} must be a list of { code, label }` };
  const milestones: Milestone[] = [];
  for (const [i, item] of raw.entries()) {
    const at = `${path}[${i}]`;
    const unknown = unknownKeys(item, ['code', 'label'], at);
    if (unknown) return { ok: false, problem: unknown };
    const { code, label } = item as Record<string, unknown>;
    if (typeof code !== 'string' || !CODE.test(code)) return { ok: false, problem: `${at}.code must be lower-case letters, digits and dashes` };
    if (typeof label !== 'string' || label.trim().length === 0 || label.length > 200) return { ok: false, problem: `${at}.label must be 1 to 200 characters` };
    if (milestones.some((m) => m.code === code)) return { ok: false, problem: `${at}.code ${code} is listed twice` };
    milestones.push({ code, label });
  }
  return { ok: true, milestones };
}

/** `previousIndicators`: a problem written without `indicators` keeps the previous version's (its codes stay valid for identification). */
function parseProblemPlan(raw: unknown, at: string, milestones: readonly Milestone[], previousIndicators: readonly Indicator[]): ProblemPlan | string {
  const unknown = unknownKeys(raw, ['indicators', 'measures', 'combine'], at);
  if (unknown) return unknown;
  const { indicators, measures, combine } = raw as Record<string, unknown>;
  if (combine !== undefined && combine !== 'all' && combine !== 'any') return `${at}.combine must be all or any`;
  if (!Array.isArray(measures) || measures.length === 0) return `${at}.measures must be a list of at least one measure`;
  const parsedMeasures: Measure[] = [];
  for (const [i, m] of measures.entries()) {
    const parsed = parseMeasure(m, `${at}.measures[${i}]`, milestones);
    if (typeof parsed === 'string') return parsed;
    parsedMeasures.push(parsed);
  }
  const parsedIndicators: Indicator[] = indicators === undefined ? [...previousIndicators] : [];
  if (indicators !== undefined) {
    if (!Array.isArray(indicators)) return `${at}.indicators must be a list of { code, label, evidence }`;
    for (const [i, item] of indicators.entries()) {
      const where = `${at}.indicators[${i}]`;
      const extra = unknownKeys(item, ['code', 'label', 'evidence'], where);
      if (extra) return extra;
      const { code, label, evidence } = item as Record<string, unknown>;
      if (typeof code !== 'string' || !CODE.test(code)) return `${where}.code must be lower-case letters, digits and dashes`;
      if (typeof label !== 'string' || label.trim().length === 0 || label.length > 200) return `${where}.label must be 1 to 200 characters`;
      if (typeof evidence !== 'string' || evidence.trim().length === 0 || evidence.length > 200) return `${where}.evidence must be 1 to 200 characters`;
      if (parsedIndicators.some((x) => x.code === code)) return `${where}.code ${code} is listed twice`;
      parsedIndicators.push({ code, label, evidence });
    }
  }
  return { indicators: parsedIndicators, measures: parsedMeasures, combine: combine ?? 'all' };
}

/** The parameters each kind takes: name → check (null when fine). Optional ones end with `?`. */
const KIND_PARAMETERS: Record<MeasureKind, Record<string, (value: unknown) => Check>> = {
  'count-reduction': { counts: oneOf(COUNTABLE_FACTS), windowMonths: whole(1, 24), reductionPercent: number(0, 100) },
  'none-in-window': { counts: oneOf(COUNTABLE_FACTS), windowMonths: whole(1, 24) },
  'attendance-threshold': { termsRequired: whole(1, 6), thresholdPercent: number(0, 100), maxFixedTermExclusions: whole(0, 20) },
  'status-clear': { statuses: listOf(NEED_STATUSES_LIST), windowMonths: whole(0, 24), sustainMonths: whole(0, 24) },
  'into-activity': { from: oneOf(STARTING_CONDITIONS), to: listOf(ACTIVITIES), weeks: whole(1, 104), 'minimumHoursPerWeek?': number(1, 80) },
  'concerns-resolved': { concern: oneOf(['health'] as const), windowMonths: whole(0, 24), sustainMonths: whole(0, 24) },
  'milestone-sustained': { milestone: (v) => (typeof v === 'string' && CODE.test(v) ? null : 'must be a milestone code of the plan'), months: whole(0, 60) },
};

function parseMeasure(raw: unknown, at: string, milestones: readonly Milestone[]): Measure | string {
  if (!isRecord(raw)) return `${at} must be an object with a kind`;
  const kind = raw.kind;
  if (typeof kind !== 'string' || !(MEASURE_KINDS as readonly string[]).includes(kind)) return `${at}.kind must be one of ${MEASURE_KINDS.join(', ')}`;
  const parameters = KIND_PARAMETERS[kind as MeasureKind];
  const names = Object.keys(parameters).map((n) => n.replace(/\?$/, ''));
  const extra = unknownKeys(raw, ['kind', ...names], at);
  if (extra) return `${extra} (a ${kind} measure takes ${names.join(', ')})`;
  for (const [declared, check] of Object.entries(parameters)) {
    const name = declared.replace(/\?$/, '');
    const value = raw[name];
    if (value === undefined) {
      if (declared.endsWith('?')) continue;
      return `${at}.${name} is required for a ${kind} measure`;
    }
    const problem = check(value);
    if (problem) return `${at}.${name} ${problem}`;
  }
  if (kind === 'milestone-sustained' && !milestones.some((m) => m.code === raw.milestone)) {
    return `${at}.milestone ${String(raw.milestone)} is not in the plan's milestones; known: ${milestones.map((m) => m.code).join(', ') || 'none'}`;
  }
  return raw as unknown as Measure;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: unknown, known: readonly string[], at: string): Check {
  if (!isRecord(value)) return `${at} must be an object`;
  const extra = Object.keys(value).find((k) => !known.includes(k));
  return extra === undefined ? null : `${at}.${extra} is not a parameter here`;
}

function whole(min: number, max: number) {
  return (v: unknown): Check => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `must be a whole number from ${min} to ${max}`);
}

function number(min: number, max: number) {
  return (v: unknown): Check => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `must be a number from ${min} to ${max}`);
}

function oneOf(values: readonly string[]) {
  return (v: unknown): Check => (typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}`);
}

function listOf(values: readonly string[]) {
  return (v: unknown): Check =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && values.includes(x)) && new Set(v).size === v.length
      ? null
      : `must be a list of one or more of ${values.join(', ')}, each once`;
}
