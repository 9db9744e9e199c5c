import type { Term } from '../family/family.events';
import { TERMS } from '../family/family.events';
import { atIndex } from '../shared/present';

/**
 * A school term of an academic year (DOMAIN.md 3): academic year `YYYY/YY` runs September to
 * August; `autumn` is 1 Sep – 31 Dec, `spring` 1 Jan – 31 Mar, `summer` 1 Apr – 31 Aug.
 */
export interface SchoolTerm {
  academicYear: string;
  term: Term;
  startsOn: string;
  endsOn: string;
}

/**
 * The term dates as month-day pairs, relative to the academic year's first calendar year
 * (`yearOffset` 0) or second (1). DOMAIN.md 3 marks the dates **[config]**: a council with other
 * dates passes its own calendar to the functions below.
 */
export type SchoolTermCalendar = Record<Term, { yearOffset: 0 | 1; starts: string; ends: string }>;

export const englishSchoolTerms: SchoolTermCalendar = {
  autumn: { yearOffset: 0, starts: '09-01', ends: '12-31' },
  spring: { yearOffset: 1, starts: '01-01', ends: '03-31' },
  summer: { yearOffset: 1, starts: '04-01', ends: '08-31' },
};

/** The academic year `2016/17` that starts in September 2016. */
export function academicYearStarting(year: number): string {
  return `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
}

function firstYearOf(academicYear: string): number {
  return Number(academicYear.slice(0, 4));
}

export function schoolTerm(academicYear: string, term: Term, calendar: SchoolTermCalendar = englishSchoolTerms): SchoolTerm {
  const dates = calendar[term];
  const year = String(firstYearOf(academicYear) + dates.yearOffset).padStart(4, '0');
  return { academicYear, term, startsOn: `${year}-${dates.starts}`, endsOn: `${year}-${dates.ends}` };
}

/** DOMAIN.md 3: a term "has ended" at an as-of date when the as-of date is after its last day. */
export function termHasEnded(term: SchoolTerm, asOf: string): boolean {
  return asOf > term.endsOn;
}

/** `spring 2016/17`, as details name a term. */
export function termLabel(term: Pick<SchoolTerm, 'academicYear' | 'term'>): string {
  return `${term.term} ${term.academicYear}`;
}

/** Terms in calendar order: three per academic year, autumn first. */
function ordinalOf(academicYear: string, term: Term): number {
  return firstYearOf(academicYear) * TERMS.length + TERMS.indexOf(term);
}

function termAt(ordinal: number, calendar: SchoolTermCalendar): SchoolTerm {
  const year = Math.floor(ordinal / TERMS.length);
  return schoolTerm(academicYearStarting(year), atIndex(TERMS, ordinal - year * TERMS.length, 'term'), calendar);
}

/** The term a date falls in (every day of the year falls in exactly one term). */
export function termContaining(date: string, calendar: SchoolTermCalendar = englishSchoolTerms): SchoolTerm {
  const year = Number(date.slice(0, 4));
  // The date's term is in the academic year starting this calendar year or the one before.
  for (const start of [year, year - 1]) {
    for (const term of TERMS) {
      const candidate = schoolTerm(academicYearStarting(start), term, calendar);
      if (candidate.startsOn <= date && date <= candidate.endsOn) return candidate;
    }
  }
  throw new RangeError(`no school term contains ${date}: the term calendar leaves a gap`);
}

/**
 * The terms that ended after `after` and by `asOf` (last day strictly after `after` and strictly
 * before `asOf`), oldest first: with `after` the attachment date, the terms "ended since
 * attachment" (DOMAIN.md 4.1, education).
 */
export function termsEndedBetween(after: string, asOf: string, calendar: SchoolTermCalendar = englishSchoolTerms): SchoolTerm[] {
  const first = termContaining(after, calendar);
  const current = termContaining(asOf, calendar);
  const terms: SchoolTerm[] = [];
  for (let ordinal = ordinalOf(first.academicYear, first.term); ordinal < ordinalOf(current.academicYear, current.term); ordinal += 1) {
    const term = termAt(ordinal, calendar);
    if (term.endsOn > after && termHasEnded(term, asOf)) terms.push(term);
  }
  return terms;
}

/** Whether two terms are the same term of the same academic year. */
export function sameTerm(a: Pick<SchoolTerm, 'academicYear' | 'term'>, b: Pick<SchoolTerm, 'academicYear' | 'term'>): boolean {
  return a.academicYear === b.academicYear && a.term === b.term;
}
