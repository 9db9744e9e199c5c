import { poundsText } from './money';

/**
 * A report as sections (details, text, tables) that the XLSX and PDF writers render the same way:
 * one sheet per section in a workbook, one heading per section in a PDF. Money is integer pence
 * in the model (DOMAIN.md 1); each writer turns it into pounds at the last step.
 *
 * Internal to the library: the claim report, the claim's position and the finance reports build
 * one of these and pass it to `reportDocumentXlsx` / `reportDocumentPdf`.
 */
export type ReportCellKind = 'text' | 'date' | 'count' | 'money';

export interface ReportColumn {
  label: string;
  kind: ReportCellKind;
  /** Relative width (characters in a workbook, a share of the line in a PDF). */
  width: number;
}

/** A table cell: text or a date as text, a count, or money in whole pence. */
export type ReportCell = string | number;

export interface ReportTable {
  kind: 'table';
  /** Sheet name (at most 31 characters, unique in the document). */
  name: string;
  title: string;
  columns: ReportColumn[];
  rows: ReportCell[][];
  /** Rows printed after the body in bold (totals); outside the autofilter range. */
  totals: ReportCell[][];
}

export interface ReportDetails {
  kind: 'details';
  name: string;
  title: string;
  items: { label: string; value: string }[];
}

export interface ReportText {
  kind: 'text';
  name: string;
  title: string;
  paragraphs: { heading: string; text: string }[];
}

export type ReportSection = ReportDetails | ReportText | ReportTable;

export interface ReportDocument {
  title: string;
  subject: string;
  /** Metadata author and creator (the council, never a person). */
  author: string;
  /** The only timestamp written into a file: a business date at 00:00Z. */
  documentDate: Date;
  /** Printed across every page (and in every sheet's header) when set, e.g. `DRAFT`. */
  watermark?: string;
  sections: ReportSection[];
}

/** `YYYY-MM-DD` (optionally followed by a time) at 00:00Z, refused when not a calendar date. */
export function businessDateAtMidnightUtc(date: string, what = 'generatedFor'): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(date);
  if (!match) throw new RangeError(`${what} must start with a YYYY-MM-DD date, got ${date}`);
  const at = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (at.toISOString().slice(0, 10) !== date.slice(0, 10)) throw new RangeError(`${what} is not a calendar date: ${date}`);
  return at;
}

/** A cell as printed text: money as `£1,234.56`, counts as digits. */
export function cellText(kind: ReportCellKind, cell: ReportCell): string {
  if (kind === 'money' && typeof cell === 'number') return poundsText(cell);
  return String(cell);
}
