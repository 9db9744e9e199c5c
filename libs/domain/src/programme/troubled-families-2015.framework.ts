import { type OutcomePlanVersion, defaultOutcomePlan } from '../outcome-plan/outcome-plan';

/**
 * The phase-two financial framework as data (DOMAIN.md 1 and 4). A later framework (Supporting
 * Families 2022–25, `supporting-families-2022.framework.ts`) is another file of this shape, not a
 * rewrite; `frameworks.ts` lists them, and the programme's configuration chooses one.
 */
export interface FinancialFramework {
  id: string;
  /** The version of this framework's data; carried with its id on every claim and result. */
  version: string;
  name: string;
  /** Financial years `2015/16` … with the amounts in force for families attached in that year. */
  ratesByFinancialYear: Record<string, { attachmentFeePence: number; resultPaymentPence: number }>;
  /** Headline problems a family must have at attachment (phase two: 2 of 6). */
  minimumHeadlineProblems: number;
  /** The framework's headline problems (outcomes), in the order answers list them; a problem is one of these codes. */
  headlineProblems: readonly string[];
  /**
   * Version 1 of a council's Outcome Plan under this framework (its indicators and measures per
   * headline problem); councils record later versions with `POST /api/outcome-plans`.
   */
  defaultPlan: OutcomePlanVersion;
  /** Identification must name an indicator code of the plan in force (`indicatorCode`); else the code is optional beside free text. */
  indicatorCodeRequired: boolean;
  /** A family with an expectant parent (and no dependent child) may be attached (DOMAIN.md 2 reads dependent children only). */
  expectantParentsEligible: boolean;
  /** Continuous-employment route: weeks in work out of a window, per benefit (DOMAIN.md 4.2). */
  continuousEmployment: {
    enabled: boolean;
    /** JSA, and UC with full work search. */
    jobseeker: { inWorkWeeks: number; ofWeeks: number };
    /** ESA, IS, IB, CA, SDA and other UC. */
    other: { inWorkWeeks: number; ofWeeks: number };
  };
  /** Months the outcomes must hold after the case is closed before a result (null: closure is not read). */
  caseClosedMonths: number | null;
  /** A result can be claimed once per family. */
  resultsPerFamily: number;
  /** DOMAIN.md 2: who counts as a dependent child (always up to `alwaysUpToAge`, then in education or training). */
  dependentChild: { alwaysUpToAge: number; inEducationOrTrainingUpToAge: number };
  /** The programme's start, unless the council's own start [config: LEDGER_PROGRAMME_STARTS_ON] says otherwise. */
  programmeStartsOn: string;
  /** DOMAIN.md 4.5: the earliest start a council may configure (early starters), at that year's rates. */
  earliestStartOn: string;
}

const phaseTwoRates = { attachmentFeePence: 100_000, resultPaymentPence: 80_000 };

export const troubledFamilies2015: FinancialFramework = {
  id: 'troubled-families-2015',
  version: '2015.1',
  name: 'Troubled Families programme, phase two (2015–2021)',
  ratesByFinancialYear: {
    // DOMAIN.md 4.5: early starters attached expanded-programme families from September 2014.
    '2014/15': phaseTwoRates,
    '2015/16': phaseTwoRates,
    '2016/17': phaseTwoRates,
    '2017/18': phaseTwoRates,
    '2018/19': phaseTwoRates,
    '2019/20': phaseTwoRates,
    '2020/21': phaseTwoRates,
  },
  minimumHeadlineProblems: 2,
  headlineProblems: ['crime-asb', 'education', 'children-in-need', 'worklessness', 'domestic-abuse', 'health'],
  defaultPlan: defaultOutcomePlan,
  // Histories of phase two name indicators in free text; a code of the plan is optional.
  indicatorCodeRequired: false,
  expectantParentsEligible: false,
  caseClosedMonths: null,
  continuousEmployment: {
    enabled: true,
    jobseeker: { inWorkWeeks: 26, ofWeeks: 30 },
    other: { inWorkWeeks: 13, ofWeeks: 15 },
  },
  resultsPerFamily: 1,
  dependentChild: { alwaysUpToAge: 15, inEducationOrTrainingUpToAge: 18 },
  programmeStartsOn: '2015-04-01',
  earliestStartOn: '2014-09-01',
};
