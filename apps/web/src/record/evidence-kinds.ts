/**
 * The events keyworkers and partners record most, as forms over the API's family commands
 * (docs/api.md "Families: commands"). Each kind names its path, the fields its body takes, the
 * event types it records (so a recorded fact can be corrected through the same form) and the
 * partner organisation that may record it (the API's `PARTNER_KINDS`; casework roles record all).
 */
export type FieldKind = 'member' | 'child' | 'text' | 'int' | 'date' | 'radios' | 'select' | 'yesno' | 'textarea';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  optional?: boolean;
  hint?: string;
  options?: { value: string; label: string }[];
}

export interface EvidenceKind {
  kind: string;
  path: string;
  title: string;
  /** What the page says once it is recorded. */
  done: string;
  fields: FieldSpec[];
  eventTypes: string[];
  /** The partner organisation that records this kind; casework roles (keyworker, programme manager) record every kind. */
  partner?: 'school' | 'police' | 'dwp' | 'health';
  /** Whether a recorded fact of this kind can be corrected (docs/api.md: corrections). */
  correctable: boolean;
}

const change = (a: string, b: string): FieldSpec['options'] => [
  { value: a, label: a.charAt(0).toUpperCase() + a.slice(1) },
  { value: b, label: b.charAt(0).toUpperCase() + b.slice(1) },
];

export const EVIDENCE_KINDS: EvidenceKind[] = [
  {
    kind: 'attendance',
    path: 'school-attendance',
    title: 'School attendance return',
    done: 'Attendance return recorded',
    partner: 'school',
    correctable: true,
    eventTypes: ['SchoolAttendanceRecorded'],
    fields: [
      { name: 'memberId', label: 'Child', kind: 'child' },
      { name: 'academicYear', label: 'Academic year', kind: 'text', hint: 'For example, 2018/19' },
      {
        name: 'term',
        label: 'Term',
        kind: 'radios',
        options: [
          { value: 'autumn', label: 'Autumn' },
          { value: 'spring', label: 'Spring' },
          { value: 'summer', label: 'Summer' },
        ],
      },
      { name: 'possibleSessions', label: 'Possible sessions', kind: 'int' },
      { name: 'attendedSessions', label: 'Sessions attended', kind: 'int' },
      { name: 'unauthorisedAbsenceSessions', label: 'Unauthorised absence sessions', kind: 'int' },
    ],
  },
  {
    kind: 'exclusion',
    path: 'exclusions',
    title: 'Exclusion from school',
    done: 'Exclusion recorded',
    partner: 'school',
    correctable: true,
    eventTypes: ['ExclusionRecorded'],
    fields: [
      { name: 'memberId', label: 'Child', kind: 'child' },
      {
        name: 'kind',
        label: 'Kind of exclusion',
        kind: 'radios',
        options: [
          { value: 'fixed-term', label: 'Fixed-term' },
          { value: 'permanent', label: 'Permanent' },
        ],
      },
      { name: 'startedOn', label: 'Date the exclusion started', kind: 'date' },
      { name: 'days', label: 'Days (fixed-term only)', kind: 'int', optional: true },
    ],
  },
  {
    kind: 'offence',
    path: 'offences',
    title: 'Offence',
    done: 'Offence recorded',
    partner: 'police',
    correctable: true,
    eventTypes: ['OffenceRecorded'],
    fields: [
      { name: 'memberId', label: 'Family member', kind: 'member' },
      { name: 'committedOn', label: 'Date of the offence', kind: 'date' },
      { name: 'proven', label: 'Was the offence proven?', kind: 'yesno' },
      { name: 'category', label: 'Category (optional)', kind: 'text', optional: true },
    ],
  },
  {
    kind: 'asb',
    path: 'asb-incidents',
    title: 'Anti-social behaviour incident',
    done: 'Anti-social behaviour incident recorded',
    partner: 'police',
    correctable: true,
    eventTypes: ['AsbIncidentRecorded'],
    fields: [
      { name: 'memberId', label: 'Family member (optional)', kind: 'member', optional: true },
      { name: 'occurredOn', label: 'Date of the incident', kind: 'date' },
      { name: 'kind', label: 'Kind of incident (optional)', kind: 'text', optional: true },
    ],
  },
  {
    kind: 'benefit',
    path: 'benefits',
    title: 'Benefit started or ended',
    done: 'Benefit change recorded',
    partner: 'dwp',
    correctable: true,
    eventTypes: ['BenefitStarted', 'BenefitEnded'],
    fields: [
      { name: 'memberId', label: 'Family member', kind: 'member' },
      {
        name: 'benefit',
        label: 'Benefit',
        kind: 'select',
        options: [
          { value: '', label: 'Choose a benefit' },
          { value: 'JSA', label: "Jobseeker's Allowance (JSA)" },
          { value: 'ESA', label: 'Employment and Support Allowance (ESA)' },
          { value: 'IS', label: 'Income Support (IS)' },
          { value: 'IB', label: 'Incapacity Benefit (IB)' },
          { value: 'CA', label: "Carer's Allowance (CA)" },
          { value: 'SDA', label: 'Severe Disablement Allowance (SDA)' },
          { value: 'UC', label: 'Universal Credit (UC)' },
        ],
      },
      { name: 'change', label: 'Did the benefit start or end?', kind: 'radios', options: change('started', 'ended') },
      { name: 'on', label: 'Date', kind: 'date' },
      { name: 'fullWorkSearch', label: 'Universal Credit only: is the claimant in the full work search group?', kind: 'yesno', optional: true },
    ],
  },
  {
    kind: 'employment',
    path: 'employment',
    title: 'Employment started or ended',
    done: 'Employment change recorded',
    partner: 'dwp',
    correctable: true,
    eventTypes: ['EmploymentStarted', 'EmploymentEnded'],
    fields: [
      { name: 'memberId', label: 'Family member', kind: 'member' },
      { name: 'change', label: 'Did the work start or end?', kind: 'radios', options: change('started', 'ended') },
      { name: 'on', label: 'Date', kind: 'date' },
      { name: 'hoursPerWeek', label: 'Hours a week (optional)', kind: 'int', optional: true },
    ],
  },
  {
    kind: 'health',
    path: 'health',
    title: 'Health concern identified or resolved',
    done: 'Health change recorded',
    partner: 'health',
    correctable: true,
    eventTypes: ['HealthConcernIdentified', 'HealthConcernResolved'],
    fields: [
      { name: 'memberId', label: 'Family member', kind: 'member' },
      { name: 'change', label: 'Was a concern identified or resolved?', kind: 'radios', options: change('identified', 'resolved') },
      { name: 'on', label: 'Date', kind: 'date' },
      { name: 'concernId', label: 'Concern being resolved', kind: 'text', optional: true, hint: 'Needed to resolve a concern: its reference, as shown in the recent facts below' },
      { name: 'description', label: 'Description (optional)', kind: 'textarea', optional: true },
    ],
  },
  {
    kind: 'social-care',
    path: 'social-care',
    title: 'Social care status',
    done: 'Social care status recorded',
    correctable: true,
    eventTypes: ['SocialCareStatusChanged'],
    fields: [
      { name: 'memberId', label: 'Child', kind: 'child' },
      {
        name: 'status',
        label: 'Status from this date',
        kind: 'radios',
        options: [
          { value: 'child-in-need', label: 'Child in need' },
          { value: 'child-protection', label: 'Child protection plan' },
          { value: 'looked-after', label: 'Looked after' },
          { value: 'none', label: 'None' },
        ],
      },
      { name: 'on', label: 'Date', kind: 'date' },
    ],
  },
  {
    kind: 'domestic-abuse',
    path: 'domestic-abuse-incidents',
    title: 'Domestic abuse incident',
    done: 'Domestic abuse incident recorded',
    correctable: true,
    eventTypes: ['DomesticAbuseIncidentRecorded'],
    fields: [
      { name: 'occurredOn', label: 'Date of the incident', kind: 'date' },
      { name: 'memberId', label: 'Family member (optional)', kind: 'member', optional: true },
    ],
  },
  {
    kind: 'consent',
    path: 'consents',
    title: 'Consent given or withdrawn',
    done: 'Consent recorded',
    correctable: true,
    eventTypes: ['ConsentRecorded'],
    fields: [
      { name: 'memberId', label: 'Family member', kind: 'member' },
      {
        name: 'purpose',
        label: 'Purpose',
        kind: 'radios',
        options: [
          { value: 'sharing', label: 'Sharing information with partners' },
          { value: 'evaluation', label: 'National evaluation' },
        ],
      },
      { name: 'given', label: 'Is consent given?', kind: 'yesno', hint: 'No means consent is withdrawn or refused' },
      { name: 'on', label: 'Date', kind: 'date' },
    ],
  },
  {
    kind: 'closure',
    path: 'closure',
    title: 'Close the case',
    done: 'Case closed',
    correctable: false,
    eventTypes: ['FamilyCaseClosed'],
    fields: [
      { name: 'closedOn', label: 'Date the case closed', kind: 'date' },
      { name: 'reason', label: 'Reason', kind: 'textarea' },
    ],
  },
];

/** The kinds a user may record: every kind for casework roles, a partner's own kinds for a partner. */
export function kindsFor(role: string, organisation?: string): EvidenceKind[] {
  if (role === 'programme-manager' || role === 'keyworker') return EVIDENCE_KINDS;
  if (role === 'partner') return EVIDENCE_KINDS.filter((k) => k.partner !== undefined && k.partner === organisation);
  return [];
}

export function kindOfEvent(type: string): EvidenceKind | undefined {
  return EVIDENCE_KINDS.find((k) => k.correctable && k.eventTypes.includes(type));
}

export type FormValues = Record<string, string | { day: string; month: string; year: string }>;

/**
 * The request body of a form: integers as numbers (a non-number is sent as typed, so the API
 * names the field), yes/no as booleans, optional empty fields left out, required empty ones left
 * out too (the API names each missing field).
 */
export function bodyOf(kind: EvidenceKind, values: FormValues, dateOf: (p: { day: string; month: string; year: string }) => string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of kind.fields) {
    const raw = values[f.name];
    if (raw === undefined) continue;
    if (typeof raw !== 'string') {
      const date = dateOf(raw);
      if (date) body[f.name] = date;
      continue;
    }
    const text = raw.trim();
    if (text === '') continue;
    if (f.kind === 'int') body[f.name] = /^-?\d+$/.test(text) ? Number(text) : text;
    else if (f.kind === 'yesno') body[f.name] = text === 'yes';
    else body[f.name] = f.kind === 'textarea' ? raw : text;
  }
  return body;
}

/** A recorded fact's data as the values of its form (for a correction). */
export function valuesOfEvent(kind: EvidenceKind, type: string, data: Record<string, unknown>, partsOf: (d: string) => { day: string; month: string; year: string }): FormValues {
  const values: FormValues = {};
  for (const f of kind.fields) {
    let v = data[f.name];
    if (f.name === 'change' && v === undefined) v = /Started$|Identified$/.test(type) ? (kind.kind === 'health' ? 'identified' : 'started') : kind.kind === 'health' ? 'resolved' : 'ended';
    if (f.kind === 'date') values[f.name] = partsOf(typeof v === 'string' ? v : '');
    else if (f.kind === 'yesno') values[f.name] = v === true ? 'yes' : v === false ? 'no' : '';
    else values[f.name] = v === undefined || v === null ? '' : String(v);
  }
  return values;
}
