/**
 * Dates as partners write them: ISO (`2016-12-05`) or UK day-first (`05/12/2016`, `5/12/2016`,
 * `05-12-2016`, `05.12.2016`), never US month-first. Answers the business date `YYYY-MM-DD`, or
 * null when the text is not a date in the calendar.
 */
export function parsePartnerDate(text: string): string | null {
  const value = text.trim();
  let year: number;
  let month: number;
  let day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const uk = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (uk) [day, month, year] = [Number(uk[1]), Number(uk[2]), Number(uk[3])];
  else return null;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || year < 1900) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
