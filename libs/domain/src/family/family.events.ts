import type { DomainEvent } from '../shared/decision';

/** The phase-two framework's six headline problems (troubled-families-2015), in the order its answers list them. */
export const HEADLINE_PROBLEMS = ['crime-asb', 'education', 'children-in-need', 'worklessness', 'domestic-abuse', 'health'] as const;
export type PhaseTwoProblem = (typeof HEADLINE_PROBLEMS)[number];
/**
 * A headline problem: a code of the council's framework (`FinancialFramework.headlineProblems`),
 * checked against the Outcome Plan in force when recorded (422 naming `problem` otherwise).
 */
export type HeadlineProblem = string;

export const RELATIONSHIPS = ['parent', 'carer', 'child', 'other'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export const BENEFITS = ['JSA', 'ESA', 'IS', 'IB', 'CA', 'SDA', 'UC'] as const;
export type Benefit = (typeof BENEFITS)[number];

export const TERMS = ['autumn', 'spring', 'summer'] as const;
export type Term = (typeof TERMS)[number];

export const SOCIAL_CARE_STATUSES = ['child-in-need', 'child-protection', 'looked-after', 'none'] as const;
export type SocialCareStatus = (typeof SOCIAL_CARE_STATUSES)[number];

/**
 * Universal Credit conditionality regimes (DOMAIN.md 4.2): UC is paid in and out of work; a claimant
 * counts as out of work only outside the in-work regimes (`light-touch`, `working-enough`).
 */
export const UC_REGIMES = ['intensive-work-search', 'light-touch', 'working-enough', 'preparing-for-work', 'planning-for-work', 'no-work-requirements'] as const;
export type UcRegime = (typeof UC_REGIMES)[number];
export const UC_IN_WORK_REGIMES: readonly UcRegime[] = ['light-touch', 'working-enough'];

/** What a member is doing, as a council's local measures track it (DOMAIN.md 4.4): NEET, or in education, training or employment. */
export const ACTIVITY_STATES = ['neet', 'education', 'training', 'employment'] as const;
export type ActivityState = (typeof ACTIVITY_STATES)[number];

export const CONSENT_PURPOSES = ['sharing', 'evaluation'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** A person in the family. Names, dates of birth and identifiers are personal data (see personal-data.ts). */
export interface Member {
  memberId: string;
  relationship: Relationship;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender?: string;
  postcode?: string;
  nationalInsuranceNumber?: string;
  uniquePupilNumber?: string;
  nhsNumber?: string;
  livesInHousehold: boolean;
  inEducationOrTraining?: boolean;
  /** A parent or carer expecting a child (Supporting Families: "expectant parents"). Special-category data: sealed. */
  expectant?: boolean;
}

export type FamilyIdentified = DomainEvent<'FamilyIdentified', { familyId: string; reference: string; identifiedOn: string; members: Member[] }>;
export type FamilyMemberAdded = DomainEvent<'FamilyMemberAdded', { familyId: string; member: Member }>;
export type HeadlineProblemIdentified = DomainEvent<
  'HeadlineProblemIdentified',
  {
    familyId: string;
    problem: HeadlineProblem;
    /** An indicator code of the plan in force for the problem (required by frameworks that say so; older histories have none). */
    indicatorCode?: string;
    /** Free text: the indicator in words (older histories), or a note beside the code. Sealed. */
    indicator?: string;
    memberId?: string;
    identifiedOn: string;
    source: string;
  }
>;
export type FamilyAttached = DomainEvent<
  'FamilyAttached',
  {
    familyId: string;
    attachedOn: string;
    keyworker: string;
    problemsAtEntry: HeadlineProblem[];
    financialYear: string;
    /** DOMAIN.md 2: the whole-family assessment and the family plan behind the attachment (optional for now: see docs/api.md). */
    wholeFamilyAssessmentOn?: string;
    familyPlanOn?: string;
  }
>;
export type SchoolAttendanceRecorded = DomainEvent<
  'SchoolAttendanceRecorded',
  { familyId: string; memberId: string; academicYear: string; term: Term; possibleSessions: number; attendedSessions: number; unauthorisedAbsenceSessions: number }
>;
export type ExclusionRecorded = DomainEvent<'ExclusionRecorded', { familyId: string; memberId: string; kind: 'fixed-term' | 'permanent'; startedOn: string; days?: number }>;
export type OffenceRecorded = DomainEvent<'OffenceRecorded', { familyId: string; memberId: string; committedOn: string; proven: boolean; category?: string }>;
export type AsbIncidentRecorded = DomainEvent<'AsbIncidentRecorded', { familyId: string; memberId?: string; occurredOn: string; kind?: string }>;
export type BenefitStarted = DomainEvent<'BenefitStarted', { familyId: string; memberId: string; benefit: Benefit; on: string; fullWorkSearch?: boolean }>;
export type BenefitEnded = DomainEvent<'BenefitEnded', { familyId: string; memberId: string; benefit: Benefit; on: string }>;
export type EmploymentStarted = DomainEvent<'EmploymentStarted', { familyId: string; memberId: string; on: string; hoursPerWeek?: number }>;
export type EmploymentEnded = DomainEvent<'EmploymentEnded', { familyId: string; memberId: string; on: string }>;
export type DomesticAbuseIncidentRecorded = DomainEvent<'DomesticAbuseIncidentRecorded', { familyId: string; occurredOn: string; memberId?: string }>;
export type HealthConcernIdentified = DomainEvent<'HealthConcernIdentified', { familyId: string; memberId: string; concernId: string; on: string; description?: string }>;
export type HealthConcernResolved = DomainEvent<'HealthConcernResolved', { familyId: string; memberId: string; concernId: string; on: string }>;
export type SocialCareStatusChanged = DomainEvent<'SocialCareStatusChanged', { familyId: string; memberId: string; status: SocialCareStatus; on: string }>;
export type ConsentRecorded = DomainEvent<'ConsentRecorded', { familyId: string; memberId: string; purpose: ConsentPurpose; given: boolean; on: string }>;
/** A UC claimant's conditionality regime changed (DOMAIN.md 4.2): from `on` they are in `regime`. */
export type UcConditionalityChanged = DomainEvent<'UcConditionalityChanged', { familyId: string; memberId: string; regime: UcRegime; on: string }>;
/** A member's activity changed (local evidence, DOMAIN.md 4.4): from `on` they are in `activity`. */
export type ActivityChanged = DomainEvent<'ActivityChanged', { familyId: string; memberId: string; activity: ActivityState; on: string }>;
/**
 * A local milestone of the Outcome Plan in force (DOMAIN.md 4.4: "debt plan agreed", "engaged with
 * treatment") achieved, or reversed, on a date, with its evidence (free text: personal data).
 */
export type OutcomeMilestoneRecorded = DomainEvent<
  'OutcomeMilestoneRecorded',
  { familyId: string; memberId: string; milestone: string; change: 'achieved' | 'reversed'; on: string; evidence: string }
>;
/** DOMAIN.md 4.1: a programme manager's discretionary override, with its approver, reason and evidence (`recordedBy` absent on early events: the approver recorded it). */
export type OutcomeOverrideRecorded = DomainEvent<
  'OutcomeOverrideRecorded',
  { familyId: string; problem: HeadlineProblem; reason: string; on: string; approvedBy: string; recordedBy?: string; evidence?: string }
>;
export type FamilyCaseClosed = DomainEvent<'FamilyCaseClosed', { familyId: string; closedOn: string; reason: string }>;
/**
 * A recorded fact was wrong: `supersededEventId` no longer counts, and the events recorded with
 * this correction (same command) replace it. History keeps both.
 */
export type FactCorrected = DomainEvent<'FactCorrected', { familyId: string; supersededEventId: string; supersededType: string; reason?: string }>;

/** Evidence facts: what partners and keyworkers record, and what a correction may replace. */
export type EvidenceEvent =
  | HeadlineProblemIdentified
  | SchoolAttendanceRecorded
  | ExclusionRecorded
  | OffenceRecorded
  | AsbIncidentRecorded
  | BenefitStarted
  | BenefitEnded
  | EmploymentStarted
  | EmploymentEnded
  | DomesticAbuseIncidentRecorded
  | HealthConcernIdentified
  | HealthConcernResolved
  | SocialCareStatusChanged
  | ConsentRecorded
  | ActivityChanged
  | OutcomeMilestoneRecorded
  | UcConditionalityChanged;

export type FamilyEvent = FamilyIdentified | FamilyMemberAdded | FamilyAttached | OutcomeOverrideRecorded | FamilyCaseClosed | FactCorrected | EvidenceEvent;

export type FamilyEventType = FamilyEvent['type'];

export const EVIDENCE_EVENT_TYPES: ReadonlySet<string> = new Set<EvidenceEvent['type']>([
  'HeadlineProblemIdentified',
  'SchoolAttendanceRecorded',
  'ExclusionRecorded',
  'OffenceRecorded',
  'AsbIncidentRecorded',
  'BenefitStarted',
  'BenefitEnded',
  'EmploymentStarted',
  'EmploymentEnded',
  'DomesticAbuseIncidentRecorded',
  'HealthConcernIdentified',
  'HealthConcernResolved',
  'SocialCareStatusChanged',
  'ConsentRecorded',
  'ActivityChanged',
  'OutcomeMilestoneRecorded',
  'UcConditionalityChanged',
]);
