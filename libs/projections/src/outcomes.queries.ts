import {
  type FamilyEvent,
  type FamilyProgress,
  type FamilyState,
  type OutcomePlanVersion,
  defaultOutcomePlan,
  evaluateProgress,
  evolveFamily,
  frameworks,
  initialFamilyState,
  troubledFamilies2015,
} from '@ledger/domain';
import type { FamilyFactRow, FamilyQueries } from './family.queries';

export interface ResultsAnswer {
  asOf: string;
  knownAt?: string;
  families: { familyId: string; reference: string; routes: ('sustained-progress' | 'continuous-employment')[]; planVersion: number }[];
}

/**
 * Progress and results as of a date: the family's facts from the read model (as recorded by
 * `knownAt`, when given) folded into its state and judged by the pure outcome rules, under the
 * Outcome Plan version in force at the as-of date and the council's framework.
 */
export class OutcomeQueries {
  constructor(
    private readonly families: FamilyQueries,
    private readonly councilId: string,
  ) {}

  async progress(familyId: string, asOf: string, knownAt?: string): Promise<(FamilyProgress & { familyId: string; knownAt?: string }) | null> {
    const facts = (await this.families.facts([familyId], knownAt)).get(familyId);
    if (!facts || facts.length === 0) return null;
    const { plan, framework } = await this.rules(asOf);
    return { familyId, ...evaluateProgress(foldFacts(facts), plan, framework, asOf), ...(knownAt ? { knownAt } : {}) };
  }

  /** Attached families with a result at the as-of date (one result per family: none is claimed yet in this build). */
  async results(asOf: string, knownAt?: string): Promise<ResultsAnswer> {
    const all = await this.families.facts('attached', knownAt);
    const { plan, framework } = await this.rules(asOf);
    const families: ResultsAnswer['families'] = [];
    for (const [familyId, facts] of all) {
      const state = foldFacts(facts);
      const progress = evaluateProgress(state, plan, framework, asOf);
      if (!progress.claimable) continue;
      const routes: ResultsAnswer['families'][number]['routes'] = [];
      if (progress.routes.sustainedProgress) routes.push('sustained-progress');
      if (progress.routes.continuousEmployment) routes.push('continuous-employment');
      families.push({ familyId, reference: state.reference, routes, planVersion: progress.planVersion });
    }
    families.sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
    return { asOf, ...(knownAt ? { knownAt } : {}), families };
  }

  private async rules(asOf: string): Promise<{ plan: OutcomePlanVersion; framework: typeof troubledFamilies2015 }> {
    const recorded = await this.families.outcomePlans(this.councilId);
    const versions: OutcomePlanVersion[] = [defaultOutcomePlan, ...recorded.map((r) => ({ version: r.version, effectiveFrom: r.effectiveFrom, scope: r.scope as OutcomePlanVersion['scope'], parameters: r.parameters as unknown as OutcomePlanVersion['parameters'] }))];
    let plan = versions[0];
    for (const v of versions) if (v.effectiveFrom <= asOf) plan = v;
    const frameworkId = await this.families.framework(this.councilId);
    return { plan, framework: (frameworkId && frameworks[frameworkId]) || troubledFamilies2015 };
  }
}

export function foldFacts(facts: readonly FamilyFactRow[]): FamilyState {
  let state = initialFamilyState();
  for (const f of facts) state = evolveFamily(state, { type: f.type, data: f.data } as unknown as FamilyEvent, f.eventId);
  return state;
}
