import type { FamilyEventType } from './family.events';

/**
 * Personal data carried by each family event (ARCHITECTURE.md "Privacy", DOMAIN.md 6), declared
 * next to the events so the store layer can encrypt these fields per person without the domain
 * knowing. `at` is where the person's record sits in `data` (`''` for the event itself,
 * `members[]` for each element of an array, `member` for a nested object); `subject` names the
 * field holding the person's memberId there; `fields` are the personal values.
 */
export interface PersonalDataDeclaration {
  at: '' | 'members[]' | 'member';
  subject: string;
  fields: readonly string[];
}

const MEMBER_FIELDS = ['givenName', 'familyName', 'dateOfBirth', 'gender', 'postcode', 'nationalInsuranceNumber', 'uniquePupilNumber', 'nhsNumber'] as const;

export const familyPersonalData: Partial<Record<FamilyEventType, readonly PersonalDataDeclaration[]>> = {
  FamilyIdentified: [{ at: 'members[]', subject: 'memberId', fields: MEMBER_FIELDS }],
  FamilyMemberAdded: [{ at: 'member', subject: 'memberId', fields: MEMBER_FIELDS }],
  // Free text about a person's health is special-category data.
  HealthConcernIdentified: [{ at: '', subject: 'memberId', fields: ['description'] }],
  // An offence's category and an ASB incident's kind describe what a named person did.
  OffenceRecorded: [{ at: '', subject: 'memberId', fields: ['category'] }],
  AsbIncidentRecorded: [{ at: '', subject: 'memberId', fields: ['kind'] }],
  // The evidence of a local milestone ("debt plan agreed with StepChange") is free text about a person.
  OutcomeMilestoneRecorded: [{ at: '', subject: 'memberId', fields: ['evidence'] }],
};

/**
 * The event types whose personal fields the outcome rules read: members' records, for dates of
 * birth (who is a child, who an adult). Progress, results and claim drafts open only these
 * (data minimisation; offences' categories, ASB kinds and health descriptions stay sealed), and
 * `libs/synthetic/src/rules-personal-data.spec.ts` checks that the rules' answers do not change.
 */
export const PERSONAL_DATA_THE_RULES_READ: readonly FamilyEventType[] = ['FamilyIdentified', 'FamilyMemberAdded'];

/** Event types that carry no personal values beyond pseudonymous ids, dates and counts. */
export const NO_PERSONAL_DATA: readonly FamilyEventType[] = [
  'HeadlineProblemIdentified',
  'FamilyAttached',
  'SchoolAttendanceRecorded',
  'ExclusionRecorded',
  'BenefitStarted',
  'BenefitEnded',
  'EmploymentStarted',
  'EmploymentEnded',
  'DomesticAbuseIncidentRecorded',
  'HealthConcernResolved',
  'SocialCareStatusChanged',
  'ConsentRecorded',
  'ActivityChanged',
  'UcConditionalityChanged',
  'OutcomeOverrideRecorded',
  'FamilyCaseClosed',
  'FactCorrected',
];
