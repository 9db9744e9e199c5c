import { problemsIdentifiedBy } from '../family/eligibility';
import type { FamilyEventType, HeadlineProblem } from '../family/family.events';
import { EVIDENCE_EVENT_TYPES, HEADLINE_PROBLEMS } from '../family/family.events';
import type { FamilyState } from '../family/family.state';
import type { OutcomePlanVersion } from '../outcome-plan/outcome-plan';
import type { FinancialFramework } from '../programme/troubled-families-2015.framework';
import { sustainedSince } from './windows';
import { type ContinuousEmploymentResult, evaluateContinuousEmployment } from './continuous-employment';
import { evaluateProblemPlan } from './measure-kinds';
import { atIndex, must } from '../shared/present';

/** One headline problem's success test at the as-of date (DOMAIN.md 4.1). */
export interface ProblemResult {
  problem: HeadlineProblem;
  met: boolean;
  /** Why, in programme words, naming members by id (no personal data). */
  detail: string;
  /** The facts the answer rests on (or the override that decided it). */
  evidenceEventIds: string[];
  /** A programme manager's discretionary override made this problem met (DOMAIN.md 4.1). */
  overridden?: { approvedBy: string; reason: string; on: string };
}

/**
 * Where a family stands against the results routes at an as-of date, judged by one Outcome Plan
 * version and one financial framework. A family not attached on or before the as-of date has
 * nothing in scope (`problemsInScope` and `problems` are empty) and no route holds.
 */
export interface FamilyProgress {
  asOf: string;
  planVersion: number;
  attachedOn: string | null;
  problemsInScope: HeadlineProblem[];
  /** One per problem in scope, in the order of the framework's headline problems. */
  problems: ProblemResult[];
  routes: { sustainedProgress: boolean; continuousEmployment: boolean };
  continuousEmployment: ContinuousEmploymentResult;
  /** Attached on or before `asOf` and at least one route holds. */
  claimable: boolean;
  /** Under a framework that needs the case closed: why sustained progress is not yet claimable (absent when it may be). */
  caseClosure?: string;
}

/**
 * The family event types `evaluateProgress` depends on: the family's identity, members,
 * attachment, overrides and corrections, and the evidence its tests read. Every family event
 * type but `ConsentRecorded` (consent governs sharing, not progress) and `FamilyCaseClosed` (a
 * closed case keeps the results it achieved: the rules never read `closedOn`). Progress, results,
 * claim drafts and the series read only these from the read model;
 * `libs/synthetic/src/rules-personal-data.spec.ts` checks the answers are those of the whole
 * history, and that leaving out a listed type changes some answer.
 */
export const FAMILY_EVENT_TYPES_THE_RULES_READ: readonly FamilyEventType[] = [
  'FamilyIdentified',
  'FamilyMemberAdded',
  'FamilyAttached',
  'OutcomeOverrideRecorded',
  'FactCorrected',
  'FamilyCaseClosed',
  ...([...EVIDENCE_EVENT_TYPES] as FamilyEventType[]).filter((type) => type !== 'ConsentRecorded'),
];

/**
 * DOMAIN.md 4.1: significant and sustained progress holds when every problem in scope meets its
 * success test; or continuous employment (4.2) holds. Facts dated after `asOf` are ignored
 * everywhere, so the answer for a past date never changes as later facts arrive (corrections
 * aside: a corrected fact is judged as corrected).
 */
export function evaluateProgress(state: FamilyState, plan: OutcomePlanVersion, framework: FinancialFramework, asOf: string): FamilyProgress {
  const attachedOn = state.attachment?.attachedOn ?? null;
  if (attachedOn === null || attachedOn > asOf) {
    return {
      asOf,
      planVersion: plan.version,
      attachedOn,
      problemsInScope: [],
      problems: [],
      routes: { sustainedProgress: false, continuousEmployment: false },
      continuousEmployment: { met: false, detail: `not attached on or before ${asOf}`, evidenceEventIds: [] },
      claimable: false,
    };
  }

  const problemsInScope = scopeOf(state, plan, asOf, framework.headlineProblems);
  // DOMAIN.md 4.4: each problem judged by its measures in the plan version in force.
  const problems = problemsInScope.map((problem) => withOverride(state, asOf, { problem, ...evaluateProblemPlan(must(plan.problems[problem], `plan's ${problem}`), { state, attachedOn, asOf }) }));
  // An empty scope never holds: there is no progress to show.
  const outcomesMet = problems.length > 0 && problems.every((p) => p.met);
  const caseClosure = sustainedProgressCaseClosure(state, framework, asOf);
  const sustainedProgress = outcomesMet && caseClosure === null;
  const continuousEmployment = evaluateContinuousEmployment(state, framework, asOf);
  return {
    asOf,
    planVersion: plan.version,
    attachedOn,
    problemsInScope,
    problems,
    routes: { sustainedProgress, continuousEmployment: continuousEmployment.met },
    continuousEmployment,
    claimable: sustainedProgress || continuousEmployment.met,
    ...(caseClosure !== null && framework.caseClosedMonths !== null ? { caseClosure } : {}),
  };
}

/**
 * Frameworks whose outcomes must hold `caseClosedMonths` after the case is closed (Supporting
 * Families 2022–25: docs/frameworks.md): why sustained progress cannot yet be claimed, or null.
 * Phase two (`caseClosedMonths: null`) never reads the closure.
 */
export function sustainedProgressCaseClosure(state: FamilyState, framework: FinancialFramework, asOf: string): string | null {
  const months = framework.caseClosedMonths;
  if (months === null) return null;
  if (state.closedOn === null || state.closedOn > asOf) return `the case is not closed on or before ${asOf}; outcomes must hold ${months} months after case closure`;
  const from = sustainedSince(state.closedOn, months);
  if (asOf < from) return `the case was closed on ${state.closedOn}; outcomes must hold ${months} months after it, first on ${from}`;
  return null;
}

/**
 * DOMAIN.md 4.1 scope: `at-entry` is the problems recorded at attachment; `at-entry-plus-later`
 * adds every problem identified on or before the as-of date.
 */
export function scopeOf(state: FamilyState, plan: OutcomePlanVersion, asOf: string, order: readonly HeadlineProblem[] = HEADLINE_PROBLEMS): HeadlineProblem[] {
  const atEntry = state.attachment?.problemsAtEntry ?? [];
  const inScope = new Set<HeadlineProblem>(atEntry);
  if (plan.scope === 'at-entry-plus-later') for (const problem of problemsIdentifiedBy(state, asOf)) inScope.add(problem);
  // The framework's order; a problem outside it (none are recorded: identification checks the plan) after, sorted.
  return [...order.filter((p) => inScope.has(p)), ...[...inScope].filter((p) => !order.includes(p)).sort()];
}

// ---------------------------------------------------------------------------------------------
// overrides

/**
 * DOMAIN.md 4.1: a programme manager's discretionary override (recorded on or before the as-of
 * date) makes the problem met. The rule's own answer stays in the detail for the auditor.
 */
function withOverride(state: FamilyState, asOf: string, result: ProblemResult): ProblemResult {
  const found = overrideInForce(state, asOf, result.problem);
  if (!found) return result;
  const { override, evidenceEventIds } = found;
  return {
    problem: result.problem,
    met: true,
    detail: `met by discretionary override approved by ${override.approvedBy} on ${override.on}${override.reason === undefined ? '' : `: ${override.reason}`} (the rule found: ${result.detail})`,
    evidenceEventIds,
    overridden: { approvedBy: override.approvedBy, reason: override.reason, on: override.on },
  };
}

/** The override of a problem in force at `asOf` (the latest on or before it), with its event's id as the evidence; null when none. */
export function overrideInForce(state: FamilyState, asOf: string, problem: string): { override: FamilyState['overrides'][number]; evidenceEventIds: string[] } | null {
  // Most families have no override: nothing to look through (this runs for every problem of every family in a claim draft).
  if (state.overrides.length === 0) return null;
  let index = -1;
  state.overrides.forEach((override, i) => {
    if (override.problem !== problem || override.on > asOf) return;
    if (index < 0 || override.on >= atIndex(state.overrides, index, 'override').on) index = i;
  });
  if (index < 0) return null;
  // Overrides are folded in recording order, the order their event ids are listed in `recorded`.
  const overrideIds = [...state.recorded].filter(([, r]) => r.type === 'OutcomeOverrideRecorded').map(([id]) => id);
  const eventId = overrideIds.length === state.overrides.length ? overrideIds[index] : undefined;
  return { override: atIndex(state.overrides, index, 'override'), evidenceEventIds: eventId ? [eventId] : [] };
}

// ---------------------------------------------------------------------------------------------
