/**
 * A business date: a calendar day in the programme's own terms (`YYYY-MM-DD`), with no time or
 * zone. Business dates come in as data; the domain never reads the clock.
 */
export type BusinessDate = string & { readonly __kind: 'business-date' };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The earliest business date accepted anywhere (issue 16.9): nothing the programme records (a
 * date of birth included) is older, and a year such as 0001 is a typing slip that would otherwise
 * be stored as given.
 */
export const EARLIEST_BUSINESS_DATE = '1900-01-01';

/** The rule every business date meets, in words, for error messages. */
export const BUSINESS_DATE_RULE = `must be a calendar date YYYY-MM-DD, not before ${EARLIEST_BUSINESS_DATE}`;

/** A calendar date `YYYY-MM-DD` from 1900-01-01 on: the one check of every business date accepted. */
export function isBusinessDate(value: unknown): value is BusinessDate {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

export function businessDate(value: string): BusinessDate {
  if (!isBusinessDate(value)) throw new RangeError(`not a calendar date (YYYY-MM-DD): "${value}"`);
  return value;
}

/** Days since 1970-01-01: proleptic Gregorian arithmetic (H. Hinnant's days_from_civil), no Date object. */
export function dayNumber(date: BusinessDate | string): number {
  // Read the digits of YYYY-MM-DD in place: the outcome rules call this for every fact of every
  // family in a claim draft, and splitting allocates.
  const digit = (i: number) => date.charCodeAt(i) - 48;
  const [year, m, d] =
    date.length === 10 && date[4] === '-' && date[7] === '-' ? [digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3), digit(5) * 10 + digit(6), digit(8) * 10 + digit(9)] : dateParts(date);
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The calendar date of a day number (civil_from_days). */
export function fromDayNumber(day: number): BusinessDate {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` as BusinessDate;
}

export function addDays(date: BusinessDate, days: number): BusinessDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** The same day `months` later (or earlier), clamped to the month's end (31 Aug − 6 months = 28/29 Feb). */
export function addMonths(date: BusinessDate, months: number): BusinessDate {
  const [y, m, d] = dateParts(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` as BusinessDate;
}

export function compareDates(a: BusinessDate, b: BusinessDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The UK government financial year a date falls in, as `2016/17` (1 April – 31 March):
 * attachment fees and results are paid at the rates of a financial year (DOMAIN.md 1).
 */
export function financialYearOf(date: BusinessDate | string): string {
  const [y, m] = dateParts(date);
  const start = m >= 4 ? y : y - 1;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? NaN;
}

/** The numbers of `YYYY-MM-DD`'s parts, split at '-' (NaN for a part that is not there). */
export function dateParts(date: string): [number, number, number] {
  // `YYYY-MM-DD` read in place (the outcome rules and the dashboards call this for every fact of
  // every family; splitting allocates three strings); anything else is split as before.
  if (date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45) {
    let y = 0;
    let m = 0;
    let d = 0;
    let digits = true;
    for (let i = 0; i < 10 && digits; i += 1) {
      if (i === 4 || i === 7) continue;
      const c = date.charCodeAt(i) - 48;
      if (c < 0 || c > 9) digits = false;
      else if (i < 4) y = y * 10 + c;
      else if (i < 7) m = m * 10 + c;
      else d = d * 10 + c;
    }
    if (digits) return [y, m, d];
  }
  const [y, m, d] = date.split('-');
  return [Number(y), Number(m), Number(d)];
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
