/**
 * The one CSV writer of the service (RFC 4180: CRLF line ends, a field quoted when it holds a
 * comma, quote, CR or LF; UTF-8 without BOM), safe to open in a spreadsheet.
 *
 * Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return as a formula (`=HYPERLINK(...)` in a council name or a family reference would
 * be live). Such text is written with a leading apostrophe, which spreadsheets show as text
 * (OWASP "CSV Injection"). Numbers are written as they are: `-800` is a number, not a formula,
 * and so is text that is only a number.
 */
export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One field: neutralised when it could run as a formula, then quoted when RFC 4180 needs it. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: one record per row, each ended by CRLF. */
export function csvRecords(rows: readonly (readonly CsvValue[])[]): string {
  let out = '';
  for (const row of rows) out += row.map(csvField).join(',') + '\r\n';
  return out;
}
