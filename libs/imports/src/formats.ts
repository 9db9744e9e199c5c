import { createHash } from 'node:crypto';
import {
  BENEFITS,
  type Benefit,
  type HeadlineProblem as Problem,
  type FamilyCommand,
  type HeadlineProblem,
  SOCIAL_CARE_STATUSES,
  type SocialCareStatus,
  TERMS,
  type Term,
  UC_REGIMES,
  type UcRegime,
  must,
} from '@ledger/domain';
import { uuidV5 } from '@ledger/event-store';
import { CsvSyntaxError, csvRecords, decodeUtf8 } from './csv-reader';
import { parsePartnerDate } from './dates';

/**
 * The partner files the ledger takes in bulk (issue 21.1, docs/imports.md): one CSV layout per
 * source, each row one fact about one person, the person named by their identifiers and
 * name, date of birth and postcode (matched to a family member by `matching.ts`).
 */
export const IMPORT_SOURCES = ['school-attendance', 'school-exclusions', 'police-offences', 'police-asb', 'dwp-benefits', 'dwp-employment', 'health', 'social-care', 'housing'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** The partner organisation whose data each source is (a partner user's `organisation`). */
export const SOURCE_ORGANISATION: Readonly<Record<ImportSource, string>> = {
  'school-attendance': 'school',
  'school-exclusions': 'school',
  'police-offences': 'police',
  'police-asb': 'police',
  'dwp-benefits': 'dwp',
  'dwp-employment': 'dwp',
  health: 'health',
  'social-care': 'social-care',
  housing: 'housing',
};

export function isImportSource(value: string): value is ImportSource {
  return (IMPORT_SOURCES as readonly string[]).includes(value);
}

/** Identifiers a member may carry (libs/domain `Member`), each exact-matched before names are tried. */
export type IdentifierKind = 'uniquePupilNumber' | 'nationalInsuranceNumber' | 'nhsNumber';

/** The person a row is about, as the partner wrote them (personal data: never logged, never stored in clear). */
export interface PersonInRow {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode?: string;
  identifiers: Partial<Record<IdentifierKind, string>>;
}

export interface Column {
  name: string;
  required: boolean;
  meaning: string;
}

/** A row read: the person, the fact as a family command (its `memberId` filled in once matched), and its key. */
export interface ParsedRow {
  ok: true;
  line: number;
  person: PersonInRow;
  command: FamilyCommand;
  /**
   * The row's identity across files from this source (the partner's record reference, or for
   * termly attendance the term): a later file with the same key and other values corrects it.
   */
  rowKey: string;
  /** Digest of the row's values (identity and fact), to tell an unchanged row from a changed one. */
  digest: string;
}

export interface RefusedRow {
  ok: false;
  line: number;
  reason: string;
  message: string;
}

export interface Layout {
  source: ImportSource;
  title: string;
  columns: readonly Column[];
  /** Reads the fact of a row; the person columns are read by `readRow`. */
  fact(get: (column: string) => string): { ok: true; command: FamilyCommand; key: string } | { ok: false; reason: string; message: string };
}

const PERSON_COLUMNS: readonly Column[] = [
  { name: 'given_name', required: true, meaning: "the person's given name (any case)" },
  { name: 'family_name', required: true, meaning: "the person's family name (any case)" },
  { name: 'date_of_birth', required: true, meaning: 'date of birth, DD/MM/YYYY or YYYY-MM-DD' },
  { name: 'postcode', required: false, meaning: 'postcode of the home address (any spacing and case)' },
];

const IDENTIFIER_COLUMNS: Readonly<Record<string, IdentifierKind>> = { upn: 'uniquePupilNumber', ni_number: 'nationalInsuranceNumber', nhs_number: 'nhsNumber' };

const reference: Column = { name: 'reference', required: true, meaning: "the partner's own id of this record: a later file with the same reference and other values records a correction" };

type Get = (column: string) => string;
type Fact = ReturnType<Layout['fact']>;
type Refusal = { ok: false; reason: string; message: string };

function refuse(reason: string, message: string): Refusal {
  return { ok: false, reason, message };
}

/** A date column: a calendar date in either accepted form. Values are never quoted back (they may be personal). */
function dateIn(get: Get, column: string): string | Refusal {
  const value = get(column);
  if (value === '') return refuse('MissingValue', `${column} is required`);
  return parsePartnerDate(value) ?? refuse('InvalidDate', `${column} is not a calendar date (DD/MM/YYYY or YYYY-MM-DD)`);
}

function wholeNumber(get: Get, column: string, required: boolean): number | undefined | Refusal {
  const value = get(column);
  if (value === '') return required ? refuse('MissingValue', `${column} is required`) : undefined;
  return /^\d{1,6}$/.test(value) ? Number(value) : refuse('InvalidNumber', `${column} must be a whole number of 0 or more`);
}

function oneOf<T extends string>(get: Get, column: string, allowed: readonly T[], aliases: Readonly<Record<string, T>> = {}): T | Refusal {
  const raw = get(column)
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  if (raw === '') return refuse('MissingValue', `${column} is required`);
  const found = allowed.find((a) => a.toLowerCase() === raw) ?? aliases[raw];
  return found ?? refuse('InvalidValue', `${column} must be one of ${allowed.join(', ')}`);
}

function yesNo(get: Get, column: string): boolean | Refusal {
  const raw = get(column).toLowerCase();
  if (['y', 'yes', 'true', '1'].includes(raw)) return true;
  if (['n', 'no', 'false', '0'].includes(raw)) return false;
  return refuse(raw === '' ? 'MissingValue' : 'InvalidValue', `${column} must be yes or no`);
}

function required(get: Get, column: string): string | Refusal {
  const value = get(column);
  return value === '' ? refuse('MissingValue', `${column} is required`) : value;
}

const failed = (v: unknown): v is Refusal => typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === false;

/** Namespace of ids derived from partners' references (health concerns). */
const IMPORT_NAMESPACE = '6b1f0d3a-52e4-4c8e-a0f7-3c9d2b8e1a57';

/** A health concern's id, derived from the partner's reference: the file that resolves it names the same reference. */
export function concernIdFor(source: ImportSource, ref: string): string {
  return uuidV5(`${source}\nconcern\n${ref}`, IMPORT_NAMESPACE);
}

/** DOMAIN.md 2 (phase two's indicators): what each tenancy risk shows, recorded as a headline problem's indicator. */
export const TENANCY_RISKS: Readonly<Record<string, HeadlineProblem>> = {
  // Rent arrears and a notice of eviction: a family at risk of financial exclusion (worklessness).
  'rent-arrears': 'worklessness',
  'eviction-notice': 'worklessness',
  // A tenancy warning for anti-social behaviour: an ASB intervention (crime-asb).
  'asb-warning': 'crime-asb',
};

export const LAYOUTS: Readonly<Record<ImportSource, Layout>> = {
  'school-attendance': {
    source: 'school-attendance',
    title: "Schools: a pupil's attendance in one term",
    columns: [
      { name: 'upn', required: false, meaning: 'Unique Pupil Number' },
      { name: 'academic_year', required: true, meaning: 'academic year, e.g. 2016/17' },
      { name: 'term', required: true, meaning: 'autumn, spring or summer' },
      { name: 'possible_sessions', required: true, meaning: 'sessions the pupil could have attended' },
      { name: 'attended_sessions', required: true, meaning: 'sessions attended' },
      { name: 'unauthorised_absence_sessions', required: true, meaning: 'sessions of unauthorised absence' },
    ],
    fact(get) {
      const academicYear = get('academic_year').replace(/-/g, '/');
      if (!/^\d{4}\/\d{2}$/.test(academicYear)) return refuse(academicYear === '' ? 'MissingValue' : 'InvalidValue', 'academic_year must be like 2016/17');
      const term = oneOf<Term>(get, 'term', TERMS);
      if (failed(term)) return term;
      const possibleSessions = wholeNumber(get, 'possible_sessions', true);
      if (failed(possibleSessions)) return possibleSessions;
      const attendedSessions = wholeNumber(get, 'attended_sessions', true);
      if (failed(attendedSessions)) return attendedSessions;
      const unauthorisedAbsenceSessions = wholeNumber(get, 'unauthorised_absence_sessions', true);
      if (failed(unauthorisedAbsenceSessions)) return unauthorisedAbsenceSessions;
      // A pupil has one attendance record per term: the term is the row's key (with the matched pupil).
      return {
        ok: true,
        key: `${academicYear}:${term}`,
        command: {
          type: 'RecordSchoolAttendance',
          memberId: '',
          academicYear,
          term,
          possibleSessions: possibleSessions as number,
          attendedSessions: attendedSessions as number,
          unauthorisedAbsenceSessions: unauthorisedAbsenceSessions as number,
        },
      };
    },
  },
  'school-exclusions': {
    source: 'school-exclusions',
    title: 'Schools: an exclusion',
    columns: [
      reference,
      { name: 'upn', required: false, meaning: 'Unique Pupil Number' },
      { name: 'kind', required: true, meaning: 'fixed-term or permanent' },
      { name: 'started_on', required: true, meaning: 'first day of the exclusion' },
      { name: 'days', required: false, meaning: 'length in school days (fixed-term)' },
    ],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const kind = oneOf(get, 'kind', ['fixed-term', 'permanent'] as const, { fixed: 'fixed-term', 'fixed-period': 'fixed-term' });
      if (failed(kind)) return kind;
      const startedOn = dateIn(get, 'started_on');
      if (failed(startedOn)) return startedOn;
      const days = wholeNumber(get, 'days', false);
      if (failed(days)) return days;
      return { ok: true, key: ref, command: { type: 'RecordExclusion', memberId: '', kind, startedOn, ...(days !== undefined ? { days } : {}) } };
    },
  },
  'police-offences': {
    source: 'police-offences',
    title: 'Police: an offence',
    columns: [
      reference,
      { name: 'committed_on', required: true, meaning: 'date of the offence' },
      { name: 'proven', required: true, meaning: 'yes when proven (a caution or conviction), else no' },
      { name: 'category', required: false, meaning: 'offence category (sealed: personal data)' },
    ],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const committedOn = dateIn(get, 'committed_on');
      if (failed(committedOn)) return committedOn;
      const proven = yesNo(get, 'proven');
      if (failed(proven)) return proven;
      const category = get('category');
      return { ok: true, key: ref, command: { type: 'RecordOffence', memberId: '', committedOn, proven, ...(category ? { category } : {}) } };
    },
  },
  'police-asb': {
    source: 'police-asb',
    title: 'Police: an anti-social behaviour incident',
    columns: [
      reference,
      { name: 'occurred_on', required: true, meaning: 'date of the incident' },
      { name: 'kind', required: false, meaning: 'kind of incident or intervention (sealed: personal data)' },
    ],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const occurredOn = dateIn(get, 'occurred_on');
      if (failed(occurredOn)) return occurredOn;
      const kind = get('kind');
      return { ok: true, key: ref, command: { type: 'RecordAsbIncident', memberId: '', occurredOn, ...(kind ? { kind } : {}) } };
    },
  },
  'dwp-benefits': {
    source: 'dwp-benefits',
    title: 'DWP: a benefit spell starting or ending, and Universal Credit conditionality',
    columns: [
      { ...reference, meaning: "DWP's id of the benefit spell (start, end and regime rows of one spell share it)" },
      { name: 'ni_number', required: false, meaning: 'National Insurance number' },
      { name: 'benefit', required: true, meaning: BENEFITS.join(', ') },
      { name: 'change', required: true, meaning: 'started, ended, or regime (a UC conditionality change)' },
      { name: 'on', required: true, meaning: 'date of the change' },
      { name: 'uc_regime', required: false, meaning: `UC conditionality regime (${UC_REGIMES.join(', ')}): on a UC start, intensive-work-search means full work search; required for a regime row` },
    ],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const benefit = oneOf<Benefit>(get, 'benefit', BENEFITS);
      if (failed(benefit)) return benefit;
      const change = oneOf(get, 'change', ['started', 'ended', 'regime'] as const, { start: 'started', end: 'ended' });
      if (failed(change)) return change;
      const on = dateIn(get, 'on');
      if (failed(on)) return on;
      const regimeText = get('uc_regime');
      let regime: UcRegime | undefined;
      if (regimeText !== '') {
        const r = oneOf<UcRegime>(get, 'uc_regime', UC_REGIMES);
        if (failed(r)) return r;
        if (benefit !== 'UC') return refuse('InvalidValue', 'uc_regime is given only for UC');
        regime = r;
      }
      const key = `${ref}:${change}:${change === 'regime' ? on : ''}`;
      if (change === 'regime') {
        if (benefit !== 'UC' || regime === undefined) return refuse('MissingValue', 'a regime row is a UC row with uc_regime');
        return { ok: true, key, command: { type: 'RecordUcConditionality', memberId: '', regime, on } };
      }
      // DOMAIN.md 4.2: a UC spell is out of work while its claimant is in intensive work search.
      const fullWorkSearch = change === 'started' && regime !== undefined ? regime === 'intensive-work-search' : undefined;
      return { ok: true, key, command: { type: 'RecordBenefitChange', memberId: '', benefit, change, on, ...(fullWorkSearch !== undefined ? { fullWorkSearch } : {}) } };
    },
  },
  'dwp-employment': {
    source: 'dwp-employment',
    title: 'DWP (RTI data): an employment spell starting or ending',
    columns: [
      { ...reference, meaning: "DWP's id of the employment (start and end rows share it)" },
      { name: 'ni_number', required: false, meaning: 'National Insurance number' },
      { name: 'change', required: true, meaning: 'started or ended' },
      { name: 'on', required: true, meaning: 'date of the change' },
      { name: 'hours_per_week', required: false, meaning: 'usual weekly hours (on a start)' },
    ],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const change = oneOf(get, 'change', ['started', 'ended'] as const, { start: 'started', end: 'ended' });
      if (failed(change)) return change;
      const on = dateIn(get, 'on');
      if (failed(on)) return on;
      const hoursPerWeek = wholeNumber(get, 'hours_per_week', false);
      if (failed(hoursPerWeek)) return hoursPerWeek;
      return { ok: true, key: `${ref}:${change}`, command: { type: 'RecordEmploymentChange', memberId: '', change, on, ...(hoursPerWeek !== undefined ? { hoursPerWeek } : {}) } };
    },
  },
  health: {
    source: 'health',
    title: 'Health: a concern identified or resolved',
    columns: [
      { ...reference, meaning: "the health partner's id of the concern (its identified and resolved rows share it)" },
      { name: 'nhs_number', required: false, meaning: 'NHS number' },
      { name: 'change', required: true, meaning: 'identified or resolved' },
      { name: 'on', required: true, meaning: 'date of the change' },
      { name: 'description', required: false, meaning: 'what the concern is (special-category data: sealed)' },
    ],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const change = oneOf(get, 'change', ['identified', 'resolved'] as const);
      if (failed(change)) return change;
      const on = dateIn(get, 'on');
      if (failed(on)) return on;
      const description = get('description');
      return {
        ok: true,
        key: `${ref}:${change}`,
        command: { type: 'RecordHealthChange', memberId: '', change, on, concernId: concernIdFor('health', ref), ...(description && change === 'identified' ? { description } : {}) },
      };
    },
  },
  'social-care': {
    source: 'social-care',
    title: "Children's social care: a child's status changed",
    columns: [reference, { name: 'status', required: true, meaning: SOCIAL_CARE_STATUSES.join(', ') }, { name: 'on', required: true, meaning: 'date the status began' }],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const status = oneOf<SocialCareStatus>(get, 'status', SOCIAL_CARE_STATUSES, { cin: 'child-in-need', cp: 'child-protection', lac: 'looked-after', cla: 'looked-after' });
      if (failed(status)) return status;
      const on = dateIn(get, 'on');
      if (failed(on)) return on;
      return { ok: true, key: ref, command: { type: 'RecordSocialCareStatus', memberId: '', status, on } };
    },
  },
  housing: {
    source: 'housing',
    title: 'Housing: a tenancy at risk (an indicator of a headline problem)',
    columns: [reference, { name: 'risk', required: true, meaning: Object.keys(TENANCY_RISKS).join(', ') }, { name: 'identified_on', required: true, meaning: 'date the risk was identified' }],
    fact(get) {
      const ref = required(get, 'reference');
      if (failed(ref)) return ref;
      const risk = oneOf(get, 'risk', Object.keys(TENANCY_RISKS));
      if (failed(risk)) return risk;
      const identifiedOn = dateIn(get, 'identified_on');
      if (failed(identifiedOn)) return identifiedOn;
      return {
        ok: true,
        key: ref,
        command: { type: 'IdentifyHeadlineProblem', problem: must(TENANCY_RISKS[risk], `tenancy risk ${risk}`), indicator: `tenancy: ${risk}`, memberId: '', identifiedOn, source: 'housing' },
      };
    },
  },
};

/** Every column of a source's layout: the person's, then the fact's. */
export function columnsOf(source: ImportSource): readonly Column[] {
  return [...PERSON_COLUMNS, ...LAYOUTS[source].columns];
}

/** A header name as written (`Date of Birth`, `DATE-OF-BIRTH`) in the layout's form (`date_of_birth`). */
export function normaliseHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');
}

/** The file is refused before any row is read (issue 21.1): required columns missing, or named twice. */
export class ImportFileRefused extends Error {
  override readonly name = 'ImportFileRefused';
  constructor(
    readonly reason: 'MissingColumns' | 'DuplicateColumns' | 'EmptyFile' | 'MalformedCsv',
    message: string,
    readonly columns: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Checks a header against a layout; answers the index of each known column (unknown ones are ignored). */
export function readHeader(source: ImportSource, header: readonly string[]): Map<string, number> {
  const names = header.map(normaliseHeader);
  const known = new Set(columnsOf(source).map((c) => c.name));
  const seen = new Map<string, number>();
  const twice: string[] = [];
  names.forEach((name, i) => {
    if (!known.has(name)) return;
    if (seen.has(name)) twice.push(name);
    else seen.set(name, i);
  });
  if (twice.length > 0) throw new ImportFileRefused('DuplicateColumns', `columns named more than once: ${twice.join(', ')}`, twice);
  const missing = columnsOf(source)
    .filter((c) => c.required && !seen.has(c.name))
    .map((c) => c.name);
  if (missing.length > 0) throw new ImportFileRefused('MissingColumns', `the ${source} layout needs the columns ${missing.join(', ')} (see docs/imports.md)`, missing);
  return seen;
}

/** Reads one record against the header: the row accepted (the person and the fact) or refused with a reason. */
export function readRow(source: ImportSource, columns: Map<string, number>, line: number, fields: readonly string[]): ParsedRow | RefusedRow {
  const get: Get = (column) => {
    const i = columns.get(column);
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };
  for (const column of ['given_name', 'family_name']) {
    if (get(column) === '') return { ok: false, line, reason: 'MissingValue', message: `${column} is required` };
  }
  const dob = get('date_of_birth');
  const dateOfBirth = parsePartnerDate(dob);
  if (dateOfBirth === null)
    return {
      ok: false,
      line,
      reason: dob === '' ? 'MissingValue' : 'InvalidDate',
      message: dob === '' ? 'date_of_birth is required' : 'date_of_birth is not a calendar date (DD/MM/YYYY or YYYY-MM-DD)',
    };
  const identifiers: PersonInRow['identifiers'] = {};
  for (const [column, kind] of Object.entries(IDENTIFIER_COLUMNS)) {
    const value = get(column);
    if (value !== '') identifiers[kind] = value;
  }
  const postcode = get('postcode');
  const person: PersonInRow = { givenName: get('given_name'), familyName: get('family_name'), dateOfBirth, ...(postcode ? { postcode } : {}), identifiers };
  const fact = LAYOUTS[source].fact(get);
  if (!fact.ok) return { ok: false, line, reason: fact.reason, message: fact.message };
  const digest = createHash('sha256')
    .update(JSON.stringify([person, fact.command]))
    .digest('base64url');
  return { ok: true, line, person, command: fact.command, rowKey: fact.key, digest };
}

/**
 * Parses a whole file for a source: the header first (the file is refused as a whole when a
 * required column is missing, before any row is read), then each row accepted or refused with its
 * line number.
 * @throws ImportFileRefused
 */
export function parseImportFile(source: ImportSource, bytes: Uint8Array): (ParsedRow | RefusedRow)[] {
  try {
    const iterator = csvRecords(decodeUtf8(bytes));
    const first = iterator.next();
    if (first.done) throw new ImportFileRefused('EmptyFile', 'the file has no header row');
    const columns = readHeader(source, first.value.fields);
    const rows: (ParsedRow | RefusedRow)[] = [];
    for (let next = iterator.next(); !next.done; next = iterator.next()) rows.push(readRow(source, columns, next.value.line, next.value.fields));
    return rows;
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ImportFileRefused('MalformedCsv', `${error.message}: the file is not CSV the ledger can read`);
    throw error;
  }
}

/** Sets the matched member on a row's command. */
export function commandFor(command: FamilyCommand, memberId: string): FamilyCommand {
  return { ...command, memberId } as FamilyCommand;
}

/**
 * The headline problem a row's fact shows on its own (DOMAIN.md 2's indicators), for listing
 * candidate families among people matched to no family (issue 21.3); null when it shows none.
 */
export function headlineProblemShown(command: FamilyCommand): Problem | null {
  switch (command.type) {
    case 'RecordSchoolAttendance':
      // Attendance below 90% (DOMAIN.md 2: "not attending school regularly").
      return command.possibleSessions > 0 && command.attendedSessions / command.possibleSessions < 0.9 ? 'education' : null;
    case 'RecordExclusion':
      return 'education';
    case 'RecordOffence':
      return command.proven ? 'crime-asb' : null;
    case 'RecordAsbIncident':
      return 'crime-asb';
    case 'RecordBenefitChange':
      // An out-of-work benefit starting (UC only in intensive work search: DOMAIN.md 4.2).
      return command.change === 'started' && (command.benefit !== 'UC' || command.fullWorkSearch === true) ? 'worklessness' : null;
    case 'RecordUcConditionality':
      return command.regime === 'intensive-work-search' ? 'worklessness' : null;
    case 'RecordHealthChange':
      return command.change === 'identified' ? 'health' : null;
    case 'RecordSocialCareStatus':
      return command.status === 'none' ? null : 'children-in-need';
    case 'IdentifyHeadlineProblem':
      return command.problem;
    default:
      return null;
  }
}
