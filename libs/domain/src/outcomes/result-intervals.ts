import type { FamilyState } from '../family/family.state';
import type { HeadlineProblem } from '../family/family.events';
import type { CountableFact, Measure } from '../outcome-plan/measures';
import { type OutcomePlanState, type OutcomePlanVersion, defaultOutcomePlan, planInForce } from '../outcome-plan/outcome-plan';
import type { FinancialFramework } from '../programme/troubled-families-2015.framework';
import { type BusinessDate, addMonths, dayNumber, fromDayNumber, isBusinessDate } from '../shared/business-date';
import { evaluateContinuousEmployment, knownSpells } from './continuous-employment';
import { evaluateProblemPlan } from './measure-kinds';
import { overrideInForce, scopeOf, sustainedProgressCaseClosure } from './outcome-rules';
import { englishSchoolTerms } from './school-terms';

/**
 * A span of dates over which a family has a result (issue 22.4): from `from` (inclusive) until
 * `until` (exclusive; null: from then on, as far as the facts recorded say), with the routes
 * that hold and the Outcome Plan version in force. Outside every interval the family has none.
 */
export interface ResultInterval {
  from: string;
  until: string | null;
  sustainedProgress: boolean;
  continuousEmployment: boolean;
  planVersion: number;
  /**
   * With `{ evidence: true }`: the events the result rests on throughout the interval, as a claim
   * lists them (each met problem's evidence for sustained progress, the work and benefits for
   * continuous employment; sorted), and whether a problem in scope is met by an override. The
   * interval then also ends where either changes.
   */
  evidenceEventIds?: string[];
  overridden?: boolean;
}

/** A span of dates over which a headline problem is in the family's scope and met (`evaluateProgress`'s `problems`, met). */
export interface ProblemInterval {
  problem: HeadlineProblem;
  from: string;
  until: string | null;
}

/**
 * Every span of dates over which the family has a result, judged exactly as `evaluateProgress`
 * judges one date: the answer at any date D is that of the interval holding D (none outside
 * them), for the facts recorded now.
 *
 * How: the rules compare the as-of date T with the facts' dates, shifted by whole days, weeks
 * (7-day blocks, `into-activity`'s weeks), months (windows, sustain periods, case closure, an
 * 18th birthday) or to a school term's bounds, and with the plan versions' first days. So the
 * answer can change only on such a shifted date (a month shift clamped at a month's end lands
 * up to 3 days from the plain one, and "on or before" / "after" a day differ by one). Each route
 * is judged on every such candidate date from attachment on, and holds unchanged until the
 * next; after the last candidate no comparison changes any more. `result-intervals.spec.ts`
 * checks the intervals against `evaluateProgress` at random dates of random families.
 */
export function resultIntervals(
  state: FamilyState,
  plans: OutcomePlanState,
  framework: FinancialFramework,
  /** `problems`: filled with the spans over which each problem is in scope and met (the dashboards' "problems met"). `evidence`: see `ResultInterval`. */
  options: { problems?: ProblemInterval[]; evidence?: boolean } = {},
): ResultInterval[] {
  const withEvidence = options.evidence === true;
  const attachedOn = state.attachment?.attachedOn;
  if (attachedOn === undefined) return [];
  const start = dayNumber(attachedOn);
  const versions = plans.versions.length > 0 ? plans.versions : [defaultOutcomePlan];
  const input = { state, attachedOn, asOf: attachedOn };

  // The days each kind of fact names (every date in its data), by type.
  const daysOf = new Map<string, number[]>();
  for (const fact of state.facts) {
    let days = daysOf.get(fact.event.type);
    if (!days) daysOf.set(fact.event.type, (days = []));
    walkDates(fact.event.data, (date) => days.push(dayNumber(date)));
  }
  const datesOf = (types: readonly string[]): number[] => [start, ...types.flatMap((t) => daysOf.get(t) ?? [])];
  const adulthood: number[] = [];
  for (const member of state.members.values()) {
    if (isBusinessDate(member.dateOfBirth)) adulthood.push(dayNumber(addMonths(member.dateOfBirth as BusinessDate, 18 * 12)));
  }
  const lastDay = Math.max(start, ...[...daysOf.values()].flat(), ...adulthood, ...versions.map((v) => dayNumber(v.effectiveFrom)));

  // Each problem that may be in scope, judged alone on the days its measures can change on, under each plan version in its period.
  const problems = new Set<HeadlineProblem>(state.attachment?.problemsAtEntry ?? []);
  for (const fact of state.facts) if (fact.event.type === 'HeadlineProblemIdentified') problems.add((fact.event.data as { problem: HeadlineProblem }).problem);
  const metSteps = new Map<HeadlineProblem, Step[]>();
  const evidenceSteps = new Map<HeadlineProblem, EvidenceStep[]>();
  const points = new Set<number>([start]);
  for (const problem of problems) {
    const steps: Step[] = [];
    const evidence: EvidenceStep[] = [];
    versions.forEach((version, i) => {
      const from = Math.max(start, dayNumber(version.effectiveFrom));
      const next = versions[i + 1];
      const until = next ? dayNumber(next.effectiveFrom) : Number.POSITIVE_INFINITY;
      if (from >= until) return;
      const plan = version.problems[problem];
      const days = new Set<number>([from]);
      for (const measure of plan?.measures ?? []) candidateDays(measure, { datesOf, adulthood, start, lastDay }, days);
      const sorted = [...days].filter((d) => d >= from && d < until).sort((a, b) => a - b);
      for (const day of sorted) {
        const judged = plan === undefined ? null : evaluateProblemPlan(plan, { ...input, asOf: fromDayNumber(day) });
        const met = judged?.met === true;
        if (steps.length === 0 || (steps[steps.length - 1] as Step)[1] !== met || day === from) steps.push([day, met]);
        if (withEvidence) {
          const ids = met ? [...(judged?.evidenceEventIds ?? [])].sort() : [];
          const last = evidence[evidence.length - 1];
          if (!last || day === from || !sameIds(last[1], ids)) evidence.push([day, ids]);
        }
      }
    });
    metSteps.set(problem, steps);
    evidenceSteps.set(problem, evidence);
    for (const [day] of steps) points.add(day);
    for (const [day] of evidence) points.add(day);
  }
  // Scope, overrides and case closure change on their own days.
  for (const version of versions) points.add(Math.max(start, dayNumber(version.effectiveFrom)));
  for (const day of daysOf.get('HeadlineProblemIdentified') ?? []) around(points, day, 1, 1, start);
  for (const override of state.overrides) around(points, dayNumber(override.on), 1, 1, start);
  if (state.closedOn !== null && framework.caseClosedMonths !== null) {
    const closed = dayNumber(state.closedOn);
    around(points, closed, 1, 1, start);
    monthShift(points, closed, framework.caseClosedMonths, start);
  }
  const spAt: Step[] = [];
  // With the evidence: what sustained progress rests on, and whether an override meets a problem in scope.
  const spEvidenceAt: EvidenceStep[] = [];
  const overriddenAt: Step[] = [];
  // Each problem in scope and met (by its measures or an override), as `evaluateProgress` lists it.
  const problemAt = new Map<HeadlineProblem, Step[]>([...problems].map((p) => [p, []]));
  for (const day of [...points].sort((a, b) => a - b)) {
    const asOf = fromDayNumber(day);
    const plan = planInForce(plans, asOf);
    const scope = scopeOf(state, plan, asOf, framework.headlineProblems);
    const metInScope = new Set(scope.filter((problem) => state.overrides.some((o) => o.problem === problem && o.on <= asOf) || stepAt(metSteps.get(problem) ?? [], day)));
    const met = scope.length > 0 && metInScope.size === scope.length && sustainedProgressCaseClosure(state, framework, asOf) === null;
    if (spAt.length === 0 || (spAt[spAt.length - 1] as Step)[1] !== met) spAt.push([day, met]);
    if (withEvidence) {
      const overrides = scope.map((problem) => overrideInForce(state, asOf, problem));
      const ids = met ? [...new Set(scope.flatMap((problem, i) => overrides[i]?.evidenceEventIds ?? evidenceAt(evidenceSteps.get(problem) ?? [], day)))].sort() : [];
      const last = spEvidenceAt[spEvidenceAt.length - 1];
      if (!last || !sameIds(last[1], ids)) spEvidenceAt.push([day, ids]);
      const overridden = overrides.some((o) => o !== null);
      if (overriddenAt.length === 0 || (overriddenAt[overriddenAt.length - 1] as Step)[1] !== overridden) overriddenAt.push([day, overridden]);
    }
    for (const [problem, steps] of problemAt) {
      const now = metInScope.has(problem);
      if (steps.length === 0 || (steps[steps.length - 1] as Step)[1] !== now) steps.push([day, now]);
    }
  }
  if (options.problems) {
    for (const [problem, steps] of problemAt) {
      steps.forEach(([day, met], i) => {
        if (!met) return;
        const next = steps[i + 1];
        options.problems?.push({ problem, from: fromDayNumber(day), until: next ? fromDayNumber(next[0]) : null });
      });
    }
  }

  // Continuous employment: the 7-day blocks ending at T slide over the benefit and work dates.
  const ce = framework.continuousEmployment;
  const ceAt: Step[] = [];
  const ceEvidenceAt: EvidenceStep[] = [];
  // No benefit, or no work, never holds.
  const hasWork = (daysOf.get('EmploymentStarted') ?? []).length + (daysOf.get('EmploymentEnded') ?? []).length > 0;
  const hasBenefit = (daysOf.get('BenefitStarted') ?? []).length + (daysOf.get('BenefitEnded') ?? []).length > 0;
  if (ce.enabled && hasWork && hasBenefit) {
    const days = new Set<number>([start]);
    const weeks = Math.max(ce.jobseeker.ofWeeks, ce.other.ofWeeks);
    // Block k ending at T is [T − 7k + 1, T − 7k + 7]. A block lies within a run of days that
    // starts on s from T = s + 7k − 1 and within one ending before e until T = e + 7(k − 1); it
    // overlaps a benefit spell [b, c) from T = b + 7(k − 1) until T = c + 7k − 1. So a count of
    // weeks changes only 7j or 7j − 1 days after a date; the other tests change on the dates.
    for (const day of [...datesOf(WORK_AND_BENEFITS), ...adulthood]) {
      around(days, day, 1, 1, start);
      for (let j = 1; j <= weeks; j += 1) around(days, day + 7 * j - 1, 0, 1, start);
    }
    const spells = knownSpells(state);
    // The route cannot hold before someone has left a benefit (a spell still open at T keeps its
    // member out) and worked `inWorkWeeks` whole weeks after it, nor `ofWeeks` after the last work.
    const minWeeks = Math.min(ce.jobseeker.inWorkWeeks, ce.other.inWorkWeeks);
    const left = spells.benefits.filter((b) => b.endedOn !== null && b.endedOn > attachedOn).map((b) => dayNumber(b.endedOn as string));
    const jobs = spells.employment.map((j) => (j.startedOn === null ? Number.NEGATIVE_INFINITY : dayNumber(j.startedOn)));
    const lastWork = spells.employment.some((j) => j.endedOn === null) ? Number.POSITIVE_INFINITY : Math.max(...spells.employment.map((j) => dayNumber(j.endedOn as string)));
    const from = Math.max(Math.min(...left) + 7 * minWeeks - 3, Math.min(...jobs) + 7 * minWeeks - 3);
    const until = lastWork + 7 * weeks + 2;
    const sorted = [...days].filter((d) => d >= from).sort((a, b) => a - b);
    const beyond = sorted.findIndex((d) => d > until);
    for (const day of beyond < 0 ? sorted : sorted.slice(0, beyond + 1)) {
      const judged = evaluateContinuousEmployment(state, framework, fromDayNumber(day), spells);
      const met = judged.met;
      if (ceAt.length === 0 || (ceAt[ceAt.length - 1] as Step)[1] !== met) ceAt.push([day, met]);
      if (withEvidence) {
        // Judged on the spells as known at the day, as `evaluateProgress` does: the spells known
        // now list the event that ends a spell later among its evidence.
        const ids = met ? [...evaluateContinuousEmployment(state, framework, fromDayNumber(day)).evidenceEventIds].sort() : [];
        const last = ceEvidenceAt[ceEvidenceAt.length - 1];
        if (!last || !sameIds(last[1], ids)) ceEvidenceAt.push([day, ids]);
      }
    }
  }

  // Both routes' changes, with the plan version in force.
  const changes = [
    ...new Set([
      ...spAt.map(([d]) => d),
      ...ceAt.map(([d]) => d),
      ...spEvidenceAt.map(([d]) => d),
      ...ceEvidenceAt.map(([d]) => d),
      ...overriddenAt.map(([d]) => d),
      ...versions.map((v) => dayNumber(v.effectiveFrom)).filter((d) => d >= start),
      start,
    ]),
  ].sort((a, b) => a - b);
  const intervals: ResultInterval[] = [];
  for (const day of changes) {
    const sp = stepAt(spAt, day);
    const ceMet = stepAt(ceAt, day);
    const date = fromDayNumber(day);
    const planVersion = planInForce(plans, date).version;
    const evidence = withEvidence
      ? { evidenceEventIds: [...new Set([...(sp ? evidenceAt(spEvidenceAt, day) : []), ...(ceMet ? evidenceAt(ceEvidenceAt, day) : [])])].sort(), overridden: stepAt(overriddenAt, day) }
      : null;
    const last = intervals[intervals.length - 1];
    const same = (i: ResultInterval) =>
      i.sustainedProgress === sp &&
      i.continuousEmployment === ceMet &&
      i.planVersion === planVersion &&
      (!evidence || (sameIds(i.evidenceEventIds ?? [], evidence.evidenceEventIds) && i.overridden === evidence.overridden));
    if (last && last.until === null && (!(sp || ceMet) || !same(last))) last.until = date;
    const open = intervals[intervals.length - 1];
    if ((sp || ceMet) && (open === undefined || open.until !== null)) intervals.push({ from: date, until: null, sustainedProgress: sp, continuousEmployment: ceMet, planVersion, ...evidence });
  }
  return intervals;
}

/** A day and the answer from it on; a list of them in day order is a step function. */
type Step = [number, boolean];
/** A day and the evidence (sorted event ids) from it on. */
type EvidenceStep = [number, string[]];

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The value of a step function on a day (`before` its first step). */
function valueAt<T>(steps: readonly (readonly [number, T])[], day: number, before: T): T {
  let lo = 0;
  let hi = steps.length - 1;
  let found = before;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const step = steps[mid] as readonly [number, T];
    if (step[0] <= day) {
      found = step[1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The answer of a step function on a day (false before its first step). */
function stepAt(steps: readonly Step[], day: number): boolean {
  return valueAt(steps, day, false);
}

/** The evidence of a step function of evidence on a day (none before its first step). */
function evidenceAt(steps: readonly EvidenceStep[], day: number): string[] {
  return valueAt(steps, day, [] as string[]);
}

const WORK_AND_BENEFITS = ['BenefitStarted', 'BenefitEnded', 'UcConditionalityChanged', 'EmploymentStarted', 'EmploymentEnded', 'ActivityChanged'] as const;

const COUNTED: Record<CountableFact, string> = {
  'proven-offence': 'OffenceRecorded',
  'asb-incident': 'AsbIncidentRecorded',
  'domestic-abuse-incident': 'DomesticAbuseIncidentRecorded',
  'fixed-term-exclusion': 'ExclusionRecorded',
  'permanent-exclusion': 'ExclusionRecorded',
  'health-concern': 'HealthConcernIdentified',
};

interface Dates {
  /** Attachment and the days facts of these types name. */
  datesOf(types: readonly string[]): number[];
  adulthood: number[];
  start: number;
  /** The last day any fact, birthday or plan version names. */
  lastDay: number;
}

/** The days a measure's answer can change on: the facts it reads, shifted as it shifts them. */
function candidateDays(measure: Measure, { datesOf, adulthood, start, lastDay }: Dates, days: Set<number>): void {
  const dated = (types: readonly string[], months: readonly number[]) => {
    for (const day of datesOf(types)) {
      around(days, day, 1, 1, start);
      for (const m of months) monthShift(days, day, m, start);
    }
  };
  switch (measure.kind) {
    case 'count-reduction':
    case 'none-in-window':
      return dated([COUNTED[measure.counts]], [measure.windowMonths]);
    case 'status-clear':
      return dated(['SocialCareStatusChanged'], [measure.windowMonths, measure.sustainMonths]);
    case 'concerns-resolved':
      return dated(['HealthConcernIdentified', 'HealthConcernResolved'], [measure.windowMonths, measure.sustainMonths]);
    case 'milestone-sustained':
      return dated(['OutcomeMilestoneRecorded'], [measure.months]);
    case 'into-activity':
      for (const day of [...datesOf(WORK_AND_BENEFITS), ...adulthood]) {
        around(days, day, 1, 1, start);
        around(days, day + 7 * measure.weeks - 1, 1, 1, start);
      }
      return;
    case 'attendance-threshold': {
      // A term's records count from the day after it ends (and it is counted from then); the counted terms move on at each
      // term's end, until the last K of them are all past every record.
      const last = Number(fromDayNumber(lastDay).slice(0, 4)) + Math.ceil(measure.termsRequired / 3) + 2;
      for (let year = Number(fromDayNumber(start).slice(0, 4)) - 1; year <= last; year += 1) {
        for (const term of Object.values(englishSchoolTerms)) {
          const y = String(year + term.yearOffset).padStart(4, '0');
          around(days, dayNumber(`${y}-${term.ends}`) + 1, 0, 0, start);
        }
      }
      return;
    }
  }
}

/** Adds `day − before … day + after` (none before `start`). */
function around(days: Set<number>, day: number, before: number, after: number, start: number): void {
  for (let d = day - before; d <= day + after; d += 1) if (d >= start) days.add(d);
}

/**
 * The days a comparison with "`m` months before T" can change on for a fact on `day`: a window's
 * first day is compared too ("on or before the day after T − m months"), and a month shift clamped
 * at a month's end lands up to 3 days from the plain one.
 */
function monthShift(days: Set<number>, day: number, months: number, start: number): void {
  const from = dayNumber(addMonths(fromDayNumber(day - 1), months)) - 1;
  const to = dayNumber(addMonths(fromDayNumber(day + 1), months)) + 3;
  for (let d = Math.max(from, start); d <= to; d += 1) days.add(d);
}

/** Sustained progress at T (DOMAIN.md 4.1), as `evaluateProgress` judges it, without the details. */
export function sustainedProgressHolds(state: FamilyState, plan: OutcomePlanVersion, framework: FinancialFramework, asOf: string): boolean {
  const attachedOn = state.attachment?.attachedOn ?? null;
  if (attachedOn === null || attachedOn > asOf) return false;
  const scope = scopeOf(state, plan, asOf, framework.headlineProblems);
  if (scope.length === 0) return false;
  for (const problem of scope) {
    if (state.overrides.some((o) => o.problem === problem && o.on <= asOf)) continue;
    const problemPlan = plan.problems[problem];
    if (!problemPlan || !evaluateProblemPlan(problemPlan, { state, attachedOn, asOf }).met) return false;
  }
  return sustainedProgressCaseClosure(state, framework, asOf) === null;
}

function walkDates(value: unknown, add: (date: string) => void): void {
  if (typeof value === 'string') {
    if (value.length === 10 && isBusinessDate(value)) add(value);
  } else if (Array.isArray(value)) for (const v of value) walkDates(v, add);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) walkDates(v, add);
}
