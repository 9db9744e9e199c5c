import type { FamilyCommand, Member } from '@ledger/domain';
import type { ImportSource } from './formats';

/** A family's history as commands with the day each was recorded (a synthetic borough's, `libs/synthetic`). */
export interface FamilyHistory {
  familyId: string;
  commands: { command: FamilyCommand; recordedOn: string }[];
}

/** The borough split in two: the partner files that carry its evidence, and what only staff record. */
export interface BoroughFiles {
  /** Each source's CSV file in its documented layout (docs/imports.md), header first; sources with no rows are absent. */
  files: Partial<Record<ImportSource, string>>;
  /** Per family, the commands no partner file carries (identification, attachment, problems, consent, ...), in order. */
  recordedByStaff: FamilyHistory[];
  /** Rows written, per source. */
  rows: Partial<Record<ImportSource, number>>;
}

const PERSON = ['given_name', 'family_name', 'date_of_birth', 'postcode'];
const HEADERS: Record<Exclude<ImportSource, 'housing'>, string[]> = {
  'school-attendance': [...PERSON, 'upn', 'academic_year', 'term', 'possible_sessions', 'attended_sessions', 'unauthorised_absence_sessions'],
  'school-exclusions': ['reference', ...PERSON, 'upn', 'kind', 'started_on', 'days'],
  'police-offences': ['reference', ...PERSON, 'committed_on', 'proven', 'category'],
  'police-asb': ['reference', ...PERSON, 'occurred_on', 'kind'],
  'dwp-benefits': ['reference', ...PERSON, 'ni_number', 'benefit', 'change', 'on', 'uc_regime'],
  'dwp-employment': ['reference', ...PERSON, 'ni_number', 'change', 'on', 'hours_per_week'],
  health: ['reference', ...PERSON, 'nhs_number', 'change', 'on', 'description'],
  'social-care': ['reference', ...PERSON, 'status', 'on'],
};

/** RFC 4180: quoted where the field holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `YYYY-MM-DD` as the UK day-first date partners write (`05/12/2016`). */
function uk(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/**
 * Issue 21 "the demo borough can be seeded from files": a borough's partner evidence written as
 * the partners would send it, one file per source in its layout, each row naming its person as
 * the family's record does (names, date of birth, postcode and the partner's identifier) and a
 * reference of its own; every other command stays with the staff. Facts no layout carries (an ASB
 * incident about no one member, domestic abuse, outcome milestones) stay with the staff too.
 */
export function boroughFiles(families: readonly FamilyHistory[]): BoroughFiles {
  const rows: Record<string, string[][]> = Object.fromEntries(Object.keys(HEADERS).map((s) => [s, []]));
  const recordedByStaff: FamilyHistory[] = [];
  for (const family of families) {
    const members = new Map<string, Member>();
    const kept: FamilyHistory['commands'] = [];
    for (const [i, step] of family.commands.entries()) {
      const c = step.command;
      if (c.type === 'IdentifyFamily') for (const m of c.members) members.set(m.memberId, m);
      if (c.type === 'AddFamilyMember') members.set(c.member.memberId, c.member);
      const row = rowOf(c, (id) => members.get(id), `${family.familyId.slice(0, 8)}-${i}`);
      if (row) rows[row.source]?.push(row.fields);
      else kept.push(step);
    }
    recordedByStaff.push({ familyId: family.familyId, commands: kept });
  }
  const files: BoroughFiles['files'] = {};
  const counts: BoroughFiles['rows'] = {};
  for (const [source, header] of Object.entries(HEADERS) as [Exclude<ImportSource, 'housing'>, string[]][]) {
    const body = rows[source] ?? [];
    if (body.length === 0) continue;
    files[source] = [header, ...body].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
    counts[source] = body.length;
  }
  return { files, recordedByStaff, rows: counts };
}

function rowOf(c: FamilyCommand, member: (id: string) => Member | undefined, reference: string): { source: Exclude<ImportSource, 'housing'>; fields: string[] } | null {
  const memberId = 'memberId' in c ? c.memberId : undefined;
  const m = memberId ? member(memberId) : undefined;
  if (!m) return null;
  const person = [m.givenName, m.familyName, uk(m.dateOfBirth), m.postcode ?? ''];
  switch (c.type) {
    case 'RecordSchoolAttendance':
      return {
        source: 'school-attendance',
        fields: [...person, m.uniquePupilNumber ?? '', c.academicYear, c.term, String(c.possibleSessions), String(c.attendedSessions), String(c.unauthorisedAbsenceSessions)],
      };
    case 'RecordExclusion':
      return { source: 'school-exclusions', fields: [reference, ...person, m.uniquePupilNumber ?? '', c.kind, uk(c.startedOn), c.days !== undefined ? String(c.days) : ''] };
    case 'RecordOffence':
      return { source: 'police-offences', fields: [reference, ...person, uk(c.committedOn), c.proven ? 'yes' : 'no', c.category ?? ''] };
    case 'RecordAsbIncident':
      return { source: 'police-asb', fields: [reference, ...person, uk(c.occurredOn), c.kind ?? ''] };
    case 'RecordBenefitChange': {
      // On a UC start, the regime says whether it is full work search (docs/imports.md).
      const regime = c.benefit === 'UC' && c.change === 'started' && c.fullWorkSearch !== undefined ? (c.fullWorkSearch ? 'intensive-work-search' : 'light-touch') : '';
      return { source: 'dwp-benefits', fields: [reference, ...person, m.nationalInsuranceNumber ?? '', c.benefit, c.change, uk(c.on), regime] };
    }
    case 'RecordEmploymentChange':
      return { source: 'dwp-employment', fields: [reference, ...person, m.nationalInsuranceNumber ?? '', c.change, uk(c.on), c.hoursPerWeek !== undefined ? String(c.hoursPerWeek) : ''] };
    case 'RecordHealthChange':
      // The concern's identified and resolved rows share its reference (the row key adds the change).
      return { source: 'health', fields: [c.concernId, ...person, m.nhsNumber ?? '', c.change, uk(c.on), c.description ?? ''] };
    case 'RecordSocialCareStatus':
      return { source: 'social-care', fields: [reference, ...person, c.status, uk(c.on)] };
    default:
      return null;
  }
}
