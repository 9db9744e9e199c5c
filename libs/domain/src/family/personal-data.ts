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
  /** When the record names no person in `subject`: the field holding the family id whose family key seals it. */
  orFamily?: string;
}

/**
 * DOMAIN.md 6: free text is personal data until shown otherwise (reasons, notes and indicators
 * typed by people name people). It is sealed with the person's key when the record is about a
 * member, else with the family's key, so erasure reaches it (erasing a family's last member
 * destroys the family's key).
 */
const FREE_TEXT = (fields: readonly string[]): PersonalDataDeclaration[] => [{ at: '', subject: 'memberId', orFamily: 'familyId', fields }];

const MEMBER_FIELDS = ['givenName', 'familyName', 'dateOfBirth', 'gender', 'postcode', 'nationalInsuranceNumber', 'uniquePupilNumber', 'nhsNumber', 'expectant'] as const;

export const familyPersonalData: Partial<Record<FamilyEventType, readonly PersonalDataDeclaration[]>> = {
  FamilyIdentified: [{ at: 'members[]', subject: 'memberId', fields: MEMBER_FIELDS }],
  FamilyMemberAdded: [{ at: 'member', subject: 'memberId', fields: MEMBER_FIELDS }],
  // Free text about a person's health is special-category data.
  HealthConcernIdentified: [{ at: '', subject: 'memberId', fields: ['description'] }],
  // An offence's category and an ASB incident's kind describe what a named person did.
  OffenceRecorded: [{ at: '', subject: 'memberId', fields: ['category'] }],
  // A household's incident (no member named) is sealed with the family's key.
  AsbIncidentRecorded: FREE_TEXT(['kind']),
  HeadlineProblemIdentified: FREE_TEXT(['indicator']),
  OutcomeOverrideRecorded: FREE_TEXT(['reason', 'evidence']),
  FamilyCaseClosed: FREE_TEXT(['reason']),
  FactCorrected: FREE_TEXT(['reason']),
  // The evidence of a local milestone ("debt plan agreed with StepChange") is free text about a person (or the household).
  OutcomeMilestoneRecorded: FREE_TEXT(['evidence']),
};

/**
 * Free text on a claim's stream (DOMAIN.md 6): an auditor's finding note and the reasons a family
 * left a claim or a result was recovered, about one family each, sealed with the family's key.
 */
export const claimPersonalData: Readonly<Record<string, readonly PersonalDataDeclaration[]>> = {
  AuditFindingRecorded: FREE_TEXT(['note']),
  FamilyRemovedFromClaim: FREE_TEXT(['reason']),
  FamilyResultRecovered: FREE_TEXT(['reason']),
};

/**
 * A partner's row held for a person to review (issue 21.2, on `import-<importId>`): the person as
 * the partner wrote them and the fact (free text included), sealed with the row's own key
 * (`reviewId`): the row's person is not known to be anyone on record until a person confirms it.
 */
export const importPersonalData: Readonly<Record<string, readonly PersonalDataDeclaration[]>> = {
  ImportRowHeldForReview: [{ at: '', subject: 'reviewId', fields: ['person', 'fact'] }],
  // A row matched to nobody that shows a headline problem, kept to list candidate families (issue 21.3).
  ImportRowUnmatched: [{ at: '', subject: 'rowId', fields: ['person'] }],
};

/** Every stream's declarations, for the store's cipher (event type names are unique across streams). */
export const personalDataDeclarations: Readonly<Record<string, readonly PersonalDataDeclaration[] | undefined>> = { ...familyPersonalData, ...claimPersonalData, ...importPersonalData };

/**
 * The event types whose personal fields the outcome rules read: members' records, for dates of
 * birth (who is a child, who an adult). Progress, results and claim drafts open only these
 * (data minimisation; offences' categories, ASB kinds and health descriptions stay sealed), and
 * `libs/synthetic/src/rules-personal-data.spec.ts` checks that the rules' answers do not change.
 */
export const PERSONAL_DATA_THE_RULES_READ: readonly FamilyEventType[] = ['FamilyIdentified', 'FamilyMemberAdded'];

/** Event types that carry no personal values beyond pseudonymous ids, dates, counts and codes. */
export const NO_PERSONAL_DATA: readonly FamilyEventType[] = [
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
];

/**
 * Issue 20.1: the personal values a family can be found by, through the keyed blind index (names,
 * date of birth, postcode), declared like the sealed fields above.
 */
export const familySearchableData: Readonly<Record<string, { at: 'members[]' | 'member'; subject: string; fields: Readonly<Record<string, 'name' | 'dateOfBirth' | 'postcode'>> }>> = {
  FamilyIdentified: { at: 'members[]', subject: 'memberId', fields: { givenName: 'name', familyName: 'name', dateOfBirth: 'dateOfBirth', postcode: 'postcode' } },
  FamilyMemberAdded: { at: 'member', subject: 'memberId', fields: { givenName: 'name', familyName: 'name', dateOfBirth: 'dateOfBirth', postcode: 'postcode' } },
};
