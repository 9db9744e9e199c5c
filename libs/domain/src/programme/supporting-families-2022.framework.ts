import type { OutcomePlanVersion } from '../outcome-plan/outcome-plan';
import type { Indicator, Milestone, ProblemPlans } from '../outcome-plan/measures';
import type { FinancialFramework } from './troubled-families-2015.framework';

/**
 * Supporting Families 2022–25 as data: "Supporting Families programme guidance 2022 to 2025"
 * (DLUHC, published 2 April 2022, in effect 1 April 2022 to 31 March 2025; the National Supporting
 * Families Outcome Framework from 3 October 2022). docs/frameworks.md cites each source and marks
 * what could not be confirmed — here the amounts (`UNCONFIRMED`).
 *
 * Read from the guidance (chapters 3–5): ten headline outcomes; a family includes dependent
 * children and/or expectant parents and shows at least three family needs; every identified need
 * shows a positive outcome sustained for at least six months after case closure
 * (`caseClosedMonths`); continuous employment is no longer a results route.
 */

/** The ten headline outcomes of the National Supporting Families Outcome Framework, in the guidance's order. */
export const SUPPORTING_FAMILIES_OUTCOMES = [
  'education',
  'early-years',
  'health',
  'substance-use',
  'family-relationships',
  'children-safe',
  'crime',
  'domestic-abuse',
  'housing',
  'financial-stability',
] as const;

const indicator = (code: string, label: string, evidence: string): Indicator => ({ code, label, evidence });

/**
 * The family needs under each headline outcome (chapter 3's descriptors, in short; the national
 * framework lists more per outcome, and a council adds its own with a new plan version).
 */
const needs: Record<(typeof SUPPORTING_FAMILIES_OUTCOMES)[number], Indicator[]> = {
  education: [
    indicator('persistent-absence', 'A child persistently absent or severely absent from school', 'school, attendance service'),
    indicator('exclusion', 'A child excluded, suspended or at risk of exclusion', 'school'),
    indicator('neet', 'A young person not in education, employment or training', 'careers service'),
  ],
  'early-years': [indicator('early-years-development', "A child's early years development or school readiness at risk", 'health visitor, early years setting')],
  health: [indicator('mental-health', 'A parent or child with a mental health need', 'health, CAMHS'), indicator('physical-health', 'A parent or child with a physical health need', 'health')],
  'substance-use': [indicator('substance-use', 'A parent or young person whose drug or alcohol use needs support', 'treatment services')],
  'family-relationships': [indicator('family-conflict', 'Harmful parental conflict or family breakdown', 'early help, school')],
  'children-safe': [
    indicator('child-in-need', 'A child in need or on a child protection plan', "children's social care"),
    indicator('exploitation', 'A child at risk of exploitation, or missing from home', 'police, social care'),
  ],
  crime: [indicator('offending', 'A family member offending or at risk of offending', 'police, youth justice, probation'), indicator('asb', 'Anti-social behaviour', 'police, council ASB team')],
  'domestic-abuse': [indicator('domestic-abuse', 'The family is affected by domestic abuse', 'police, MARAC, specialist services')],
  housing: [indicator('housing-risk', 'The family homeless, at risk of homelessness or in unsuitable housing', 'housing options service')],
  'financial-stability': [
    indicator('worklessness', 'An adult out of work, or at risk of it', 'DWP, Jobcentre Plus'),
    indicator('problem-debt', 'Problem debt or financial exclusion', 'advice services'),
  ],
};

/** The milestones the default plan's local measures name (chapter 3's outcome descriptors, in short). */
const milestones: Milestone[] = [
  { code: 'early-years-on-track', label: "A child's development on track at a review (e.g. the 2–2½ year check)" },
  { code: 'substance-use-managed', label: 'Engaged with treatment and drug or alcohol use better managed' },
  { code: 'relationships-improved', label: 'Family relationships improved (conflict reduced, support accepted)' },
  { code: 'housing-secure', label: 'The family in secure, suitable housing' },
  { code: 'financially-stable', label: 'Debt managed or income secured (e.g. a debt plan kept)' },
];

const SUSTAIN = 6;

const problems: ProblemPlans = {
  education: {
    indicators: needs.education,
    combine: 'any',
    measures: [
      { kind: 'attendance-threshold', termsRequired: 3, thresholdPercent: 90, maxFixedTermExclusions: 0 },
      { kind: 'into-activity', from: 'neet', to: ['education', 'training', 'employment'], weeks: 26 },
    ],
  },
  'early-years': { indicators: needs['early-years'], combine: 'all', measures: [{ kind: 'milestone-sustained', milestone: 'early-years-on-track', months: SUSTAIN }] },
  health: { indicators: needs.health, combine: 'all', measures: [{ kind: 'concerns-resolved', concern: 'health', windowMonths: SUSTAIN, sustainMonths: SUSTAIN }] },
  'substance-use': { indicators: needs['substance-use'], combine: 'all', measures: [{ kind: 'milestone-sustained', milestone: 'substance-use-managed', months: SUSTAIN }] },
  'family-relationships': { indicators: needs['family-relationships'], combine: 'all', measures: [{ kind: 'milestone-sustained', milestone: 'relationships-improved', months: SUSTAIN }] },
  'children-safe': {
    indicators: needs['children-safe'],
    combine: 'all',
    measures: [{ kind: 'status-clear', statuses: ['child-in-need', 'child-protection', 'looked-after'], windowMonths: SUSTAIN, sustainMonths: SUSTAIN }],
  },
  crime: {
    indicators: needs.crime,
    combine: 'all',
    measures: [
      { kind: 'none-in-window', counts: 'proven-offence', windowMonths: SUSTAIN },
      { kind: 'count-reduction', counts: 'asb-incident', windowMonths: SUSTAIN, reductionPercent: 60 },
    ],
  },
  'domestic-abuse': { indicators: needs['domestic-abuse'], combine: 'all', measures: [{ kind: 'none-in-window', counts: 'domestic-abuse-incident', windowMonths: SUSTAIN }] },
  housing: { indicators: needs.housing, combine: 'all', measures: [{ kind: 'milestone-sustained', milestone: 'housing-secure', months: SUSTAIN }] },
  'financial-stability': {
    indicators: needs['financial-stability'],
    combine: 'any',
    measures: [
      { kind: 'into-activity', from: 'out-of-work-benefit', to: ['employment'], weeks: 26 },
      { kind: 'milestone-sustained', milestone: 'financially-stable', months: SUSTAIN },
    ],
  },
};

/** Version 1 of a Supporting Families council's plan: the national framework's outcomes, in force from its start. */
export const supportingFamiliesDefaultPlan: OutcomePlanVersion = {
  version: 1,
  effectiveFrom: '2022-04-01',
  scope: 'at-entry',
  problems,
  milestones,
};

/**
 * UNCONFIRMED (docs/frameworks.md): the guidance found does not state the results payment per
 * family for 2022–25; phase two's £800 is kept as a placeholder. Upfront funding under Supporting
 * Families is a grant to the council, not a fee per attached family: the attachment fee is 0.
 */
const UNCONFIRMED_RATES = { attachmentFeePence: 0, resultPaymentPence: 80_000 };

export const supportingFamilies2022: FinancialFramework = {
  id: 'supporting-families-2022',
  version: '2022.1',
  name: 'Supporting Families programme (2022–2025)',
  ratesByFinancialYear: {
    '2022/23': UNCONFIRMED_RATES,
    '2023/24': UNCONFIRMED_RATES,
    '2024/25': UNCONFIRMED_RATES,
  },
  // Chapter 4: "a minimum of three eligibility criteria or family needs".
  minimumHeadlineProblems: 3,
  headlineProblems: SUPPORTING_FAMILIES_OUTCOMES,
  defaultPlan: supportingFamiliesDefaultPlan,
  indicatorCodeRequired: true,
  // Chapter 4: "each family must include dependent children and/or expectant parents".
  expectantParentsEligible: true,
  // Removed as a payment-by-results route from October 2022 (docs/frameworks.md).
  continuousEmployment: {
    enabled: false,
    jobseeker: { inWorkWeeks: 26, ofWeeks: 30 },
    other: { inWorkWeeks: 13, ofWeeks: 15 },
  },
  // Success "sustained for at least six months after closure" (docs/frameworks.md: from a council's summary of chapter 5).
  caseClosedMonths: 6,
  resultsPerFamily: 1,
  dependentChild: { alwaysUpToAge: 15, inEducationOrTrainingUpToAge: 18 },
  programmeStartsOn: '2022-04-01',
  earliestStartOn: '2022-04-01',
};
