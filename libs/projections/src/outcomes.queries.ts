import {
  FAMILY_EVENT_TYPES_THE_RULES_READ,
  decodeFamilyEvent,
  type FamilyProgress,
  type FamilyState,
  type FinancialFramework,
  type OutcomePlanVersion,
  PERSONAL_DATA_THE_RULES_READ,
  atIndex,
  dateParts,
  evaluateProgress,
  planInForce,
  financialYearOf,
  foldFamily,
} from '@ledger/domain';
import type { FamilyFactRow, FamilyQueries } from './family.queries';
import { type MonthEndResult, type ResultIntervalsReadModel, councilRules } from './result-intervals.read-model';

export type { MonthEndResult };

export interface ResultsAnswer {
  asOf: string;
  knownAt?: string;
  frameworkId: string;
  frameworkVersion: string;
  families: { familyId: string; reference: string; routes: ('sustained-progress' | 'continuous-employment')[]; planVersion: number; claimedIn?: string }[];
}

/** Families whose result is claimed (DOMAIN.md 4.3), by the claim that took them; `include` keeps them in the answer, marked. */
export interface ClaimedFilter {
  claimedIn: ReadonlyMap<string, string>;
  include: boolean;
}

/** The facts the outcome rules read, and the personal fields among them they open. */
const WHAT_THE_RULES_READ = { open: PERSONAL_DATA_THE_RULES_READ, types: FAMILY_EVENT_TYPES_THE_RULES_READ };

/**
 * Progress and results as of a date: the family's facts from the read model (as recorded by
 * `knownAt`, when given) folded into its state and judged by the pure outcome rules, under the
 * Outcome Plan version in force at the as-of date and the council's framework.
 */
export class OutcomeQueries {
  constructor(
    private readonly families: FamilyQueries,
    private readonly councilId: string,
    /** Results as a read model (issue 22.4): when given, results, series and claim drafts as of a date read it. */
    private readonly intervals?: ResultIntervalsReadModel,
  ) {}

  async progress(familyId: string, asOf: string, knownAt?: string): Promise<(FamilyProgress & { familyId: string; knownAt?: string }) | null> {
    const facts = (await this.families.facts([familyId], knownAt, WHAT_THE_RULES_READ)).get(familyId);
    if (!facts || facts.length === 0) return null;
    const { plan, framework } = await this.rules(asOf);
    return { familyId, ...evaluateProgress(foldFacts(facts), plan, framework, asOf), ...frameworkOf(framework), ...(knownAt ? { knownAt } : {}) };
  }

  /**
   * Attached families with a result at the as-of date. With `claimed`, families already claimed
   * (DOMAIN.md 4.3: one result per family) are left out, or kept with `claimedIn` when `include`.
   */
  async results(asOf: string, knownAt?: string, claimed?: ClaimedFilter): Promise<ResultsAnswer> {
    const { plan, framework } = await this.rules(asOf);
    const families: ResultsAnswer['families'] = [];
    if (knownAt === undefined && this.intervals) {
      for (const row of await this.intervals.resultsAt(asOf)) {
        const claimedIn = claimed?.claimedIn.get(row.familyId);
        if (claimedIn !== undefined && !claimed?.include) continue;
        const routes: ResultsAnswer['families'][number]['routes'] = [];
        if (row.sustainedProgress) routes.push('sustained-progress');
        if (row.continuousEmployment) routes.push('continuous-employment');
        families.push({ familyId: row.familyId, reference: row.reference, routes, planVersion: row.planVersion, ...(claimedIn !== undefined ? { claimedIn } : {}) });
      }
      return { asOf, ...frameworkOf(framework), families };
    }
    for await (const [familyId, facts] of this.attachedFamilies(knownAt)) {
      const claimedIn = claimed?.claimedIn.get(familyId);
      if (claimedIn !== undefined && !claimed?.include) continue;
      const state = foldFacts(facts);
      const progress = evaluateProgress(state, plan, framework, asOf);
      if (!progress.claimable) continue;
      const routes: ResultsAnswer['families'][number]['routes'] = [];
      if (progress.routes.sustainedProgress) routes.push('sustained-progress');
      if (progress.routes.continuousEmployment) routes.push('continuous-employment');
      families.push({ familyId, reference: state.reference, routes, planVersion: progress.planVersion, ...(claimedIn !== undefined ? { claimedIn } : {}) });
    }
    families.sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
    return { asOf, ...(knownAt ? { knownAt } : {}), ...frameworkOf(framework), families };
  }

  /**
   * Families a claim as of `asOf` may include: attached, a result achieved, with the evidence
   * behind each problem's result and the continuous-employment route, and the result payment at
   * the framework's rate for the financial year the family was attached in (DOMAIN.md 4.5: the
   * framework's amounts are those in force for families attached in that year; early starters
   * attached in 2014/15 are paid at 2014/15 rates).
   */
  async claimCandidates(asOf: string, excludeFamilyIds: ReadonlySet<string>) {
    const { plan, framework } = await this.rules(asOf);
    const candidates: ClaimCandidate[] = [];
    // With the intervals, their rows carry the evidence: no family's facts are read.
    if (this.intervals) {
      for (const row of await this.intervals.candidatesAt(asOf)) {
        if (excludeFamilyIds.has(row.familyId)) continue;
        const routes: ClaimCandidate['routes'] = [];
        if (row.sustainedProgress) routes.push('sustained-progress');
        if (row.continuousEmployment) routes.push('continuous-employment');
        candidates.push({
          familyId: row.familyId,
          reference: row.reference,
          routes,
          planVersion: row.planVersion,
          amountPence: framework.ratesByFinancialYear[financialYearOf(row.attachedOn)]?.resultPaymentPence ?? 0,
          attachedOn: row.attachedOn,
          evidenceEventIds: row.evidenceEventIds,
          overridden: row.overridden,
        });
      }
      candidates.sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
      return { candidates, ...frameworkOf(framework) };
    }
    for await (const [familyId, facts] of this.attachedFamilies()) {
      if (excludeFamilyIds.has(familyId)) continue;
      const state = foldFacts(facts);
      const progress = evaluateProgress(state, plan, framework, asOf);
      if (!progress.claimable || !state.attachment) continue;
      const routes: ClaimCandidate['routes'] = [];
      if (progress.routes.sustainedProgress) routes.push('sustained-progress');
      if (progress.routes.continuousEmployment) routes.push('continuous-employment');
      const evidence = new Set<string>([
        ...(progress.routes.sustainedProgress ? progress.problems.flatMap((p) => p.evidenceEventIds) : []),
        ...(progress.routes.continuousEmployment ? progress.continuousEmployment.evidenceEventIds : []),
      ]);
      candidates.push({
        familyId,
        reference: state.reference,
        routes,
        planVersion: progress.planVersion,
        amountPence: framework.ratesByFinancialYear[state.attachment.financialYear]?.resultPaymentPence ?? 0,
        attachedOn: state.attachment.attachedOn,
        evidenceEventIds: [...evidence].sort(),
        overridden: progress.problems.some((p) => p.overridden !== undefined),
      });
    }
    candidates.sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
    return { candidates, ...frameworkOf(framework) };
  }

  /**
   * Results over time for dashboards: at the end of each month from `from` to `to` (and of each
   * financial year), how many attached families have a result, by route. Each family's facts are
   * folded once and judged at every month end under the plan in force then.
   */
  async resultsSeries(from: string, to: string): Promise<{ byMonth: SeriesPoint[]; byFinancialYear: SeriesPoint[] }> {
    if (this.intervals) {
      const byMonth: SeriesPoint[] = (await this.intervals.countsAt(monthEnds(from, to))).map((c) => ({ period: c.asOf.slice(0, 7), ...c }));
      const byYear = new Map<string, SeriesPoint>();
      for (const point of byMonth) byYear.set(financialYearOf(point.asOf), { ...point, period: financialYearOf(point.asOf) });
      return { byMonth, byFinancialYear: [...byYear.values()] };
    }
    const months = await Promise.all(monthEnds(from, to).map(async (end) => ({ end, ...(await this.rules(end)) })));
    const byMonth: SeriesPoint[] = months.map(({ end }) => ({ period: end.slice(0, 7), asOf: end, sustainedProgress: 0, continuousEmployment: 0, families: 0 }));
    for await (const [, facts] of this.attachedFamilies()) {
      const state = foldFacts(facts);
      for (const [i, { end, plan, framework }] of months.entries()) {
        if (!state.attachment || state.attachment.attachedOn > end) continue;
        const progress = evaluateProgress(state, plan, framework, end);
        if (!progress.claimable) continue;
        const point = atIndex(byMonth, i, 'month');
        point.families += 1;
        if (progress.routes.sustainedProgress) point.sustainedProgress += 1;
        if (progress.routes.continuousEmployment) point.continuousEmployment += 1;
      }
    }
    // A financial year's figure is its last month's (31 March, or the last month asked for).
    const byYear = new Map<string, SeriesPoint>();
    for (const point of byMonth) byYear.set(financialYearOf(point.asOf), { ...point, period: financialYearOf(point.asOf) });
    return { byMonth, byFinancialYear: [...byYear.values()] };
  }

  /**
   * Each attached family's results at every month end from `from` to `to` (the BI feed's
   * `results` view): the same judgement as `resultsSeries`, one family at a time, months where
   * it has a result only.
   */
  async *resultsByMonthEnd(from: string, to: string): AsyncGenerator<MonthEndResult[]> {
    if (this.intervals) {
      yield* this.intervals.monthEndResults(monthEnds(from, to));
      return;
    }
    const months = await Promise.all(monthEnds(from, to).map(async (end) => ({ end, ...(await this.rules(end)) })));
    for await (const [familyId, facts] of this.attachedFamilies()) {
      const state = foldFacts(facts);
      const rows: MonthEndResult[] = [];
      for (const { end, plan, framework } of months) {
        if (!state.attachment || state.attachment.attachedOn > end) continue;
        const progress = evaluateProgress(state, plan, framework, end);
        if (!progress.claimable) continue;
        rows.push({ familyId, asOf: end, sustainedProgress: progress.routes.sustainedProgress, continuousEmployment: progress.routes.continuousEmployment, planVersion: progress.planVersion });
      }
      if (rows.length > 0) yield rows;
    }
  }

  /**
   * DOMAIN.md 4.3, issue 20.6: open families attached at least 6 months before `asOf` with no
   * result there and none claimed, longest attached first, each with the problems still unmet
   * (in scope and not met at `asOf`).
   */
  async withoutResult(asOf: string, claimedIn: ReadonlyMap<string, string>): Promise<NoResultFamily[]> {
    const { plan, framework } = await this.rules(asOf);
    const out: NoResultFamily[] = [];
    const options = { open: PERSONAL_DATA_THE_RULES_READ, types: [...FAMILY_EVENT_TYPES_THE_RULES_READ, 'FamilyCaseClosed'] };
    for await (const page of this.families.attachedFactPages(undefined, 1_000, options)) {
      for (const [familyId, facts] of page) {
        if (claimedIn.has(familyId)) continue;
        const state = foldFacts(facts.filter((f) => f.type !== 'FamilyCaseClosed' || String(f.data.closedOn) <= asOf));
        if (!state.attachment || state.attachment.attachedOn > asOf || (state.closedOn !== null && state.closedOn <= asOf)) continue;
        const months = wholeMonths(state.attachment.attachedOn, asOf);
        if (months < 6) continue;
        const progress = evaluateProgress(state, plan, framework, asOf);
        if (progress.claimable) continue;
        out.push({
          familyId,
          reference: state.reference,
          keyworker: state.attachment.keyworker,
          attachedOn: state.attachment.attachedOn,
          monthsAttached: months,
          band: months >= 12 ? 'more-than-12-months' : '6-to-12-months',
          problemsUnmet: progress.problems.filter((p) => !p.met).map((p) => p.problem),
        });
      }
    }
    return out.sort((a, b) => b.monthsAttached - a.monthsAttached || (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  }

  /** Every attached family's facts, read a page of families at a time (memory stays at one page). */
  private async *attachedFamilies(knownAt?: string): AsyncGenerator<[string, FamilyFactRow[]]> {
    for await (const page of this.families.attachedFactPages(knownAt, 1_000, WHAT_THE_RULES_READ)) yield* page;
  }

  /** The Outcome Plan version in force at a date and the council's framework (the dashboards judge many dates). */
  rulesAt(asOf: string): Promise<{ plan: OutcomePlanVersion; framework: FinancialFramework }> {
    return this.rules(asOf);
  }

  private async rules(asOf: string): Promise<{ plan: OutcomePlanVersion; framework: FinancialFramework }> {
    const { plans, framework } = await councilRules(this.families, this.councilId);
    return { plan: planInForce(plans, asOf), framework };
  }
}

/** A family a claim as of a date may include (`claimCandidates`). */
export interface ClaimCandidate {
  familyId: string;
  reference: string;
  routes: ('sustained-progress' | 'continuous-employment')[];
  planVersion: number;
  amountPence: number;
  attachedOn: string;
  evidenceEventIds: string[];
  overridden: boolean;
}

/** A family on the programme manager's work list (DOMAIN.md 4.3). */
export interface NoResultFamily {
  familyId: string;
  reference: string;
  keyworker: string;
  attachedOn: string;
  monthsAttached: number;
  band: '6-to-12-months' | 'more-than-12-months';
  problemsUnmet: string[];
}

/** Whole calendar months from one date to another (5 May to 4 November is 5; to 5 November, 6). */
function wholeMonths(from: string, to: string): number {
  const [fy, fm, fd] = dateParts(from);
  const [ty, tm, td] = dateParts(to);
  return (ty - fy) * 12 + (tm - fm) - (td < fd ? 1 : 0);
}

/** The framework's id and version, carried on every result and claim (DOMAIN.md 4.5). */
function frameworkOf(framework: FinancialFramework): { frameworkId: string; frameworkVersion: string } {
  return { frameworkId: framework.id, frameworkVersion: framework.version };
}

export interface SeriesPoint {
  period: string;
  asOf: string;
  /** Attached families with a result at `asOf` (either route). */
  families: number;
  sustainedProgress: number;
  continuousEmployment: number;
}

/** The last day of each month from the month of `from` to the month of `to` (at most 120). */
export function monthEnds(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = dateParts(from);
  const [ty, tm] = dateParts(to);
  while ((y < ty || (y === ty && m <= tm)) && out.length < 120) {
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    out.push(`${y}-${String(m).padStart(2, '0')}-${String(last).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

export function foldFacts(facts: readonly FamilyFactRow[]): FamilyState {
  return foldFamily(facts.map((f) => ({ event: decodeFamilyEvent(f), eventId: f.eventId })));
}
