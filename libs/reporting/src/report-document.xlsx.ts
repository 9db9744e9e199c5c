import { Workbook, Worksheet } from 'exceljs';
import { ReportDocument, ReportSection } from './report-document';

/** Pounds with the pound sign, thousands separators and two decimals; negatives with a minus. */
export const poundsFormat = '"£"#,##0.00;-"£"#,##0.00';

/**
 * A report document as a workbook: one sheet per section, each sheet's first row its column
 * headings (repeated on every printed page), printed on A4 fitted to the page width. Money is a
 * number of pounds with a currency format (never text); counts are whole numbers; dates are ISO
 * text, so nothing depends on a time zone. A table's body has an autofilter; its totals rows sit
 * below the filtered range, so sorting or filtering never moves a total.
 *
 * Byte-identical output, two sources of time removed:
 * - the workbook properties (`created`, `modified`, `creator`, `lastModifiedBy`), which exceljs
 *   otherwise sets to `new Date()`, come from the document (`documentDate`);
 * - the zip entry timestamps: exceljs 4.4 zips with JSZip (`lib/utils/zip-stream.js`), calling
 *   `zip.file(name, data)` without a `date`, so JSZip stamps every entry with the wall clock, and
 *   `writeBuffer({ zip })` only reaches `generateAsync`, which has no date option. The DOS
 *   date/time fields of each entry's local and central directory headers are therefore set to the
 *   document's date after writing (see `stampZipEntries`). Timestamps are outside the CRC and the
 *   compressed data, so the archive stays valid. JSZip deflates with pako (JavaScript), so the
 *   compressed bytes do not depend on the Node zlib build either.
 */
export async function reportDocumentXlsx(document: ReportDocument): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = document.author;
  workbook.lastModifiedBy = document.author;
  workbook.created = document.documentDate;
  workbook.modified = document.documentDate;
  workbook.title = document.title;
  workbook.subject = document.subject;
  for (const section of document.sections) addSheet(workbook, document, section);

  const written = await workbook.xlsx.writeBuffer({ zip: { compression: 'DEFLATE' } });
  // exceljs types the result as its own ArrayBuffer-like `Buffer`; copy it once into a Node Buffer
  // this function owns, then stamp that copy in place.
  const zip = Buffer.from(new Uint8Array(written).buffer);
  stampZipEntries(zip, document.documentDate);
  return zip;
}

function addSheet(workbook: Workbook, document: ReportDocument, section: ReportSection): void {
  const sheet = workbook.addWorksheet(section.name, {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: section.kind === 'table' && section.columns.length > 5 ? 'landscape' : 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      margins: { left: 0.5, right: 0.5, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 },
    },
    headerFooter: {
      oddHeader: `&L${headerText(document.title)}${document.watermark ? `&R&"Arial,Bold"&14${headerText(document.watermark)}` : ''}`,
      oddFooter: `&L${headerText(section.title)}&RPage &P of &N`,
    },
  });
  if (section.kind === 'details') {
    sheet.columns = [{ width: 28 }, { width: 70 }];
    heading(sheet, ['Item', 'Value']);
    if (document.watermark) sheet.addRow(['Watermark', document.watermark]).font = { bold: true };
    for (const { label, value } of section.items) sheet.addRow([label, value]);
    sheet.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
    return;
  }
  if (section.kind === 'text') {
    sheet.columns = [{ width: 28 }, { width: 90 }];
    heading(sheet, ['Declaration', 'Text']);
    for (const { heading: title, text } of section.paragraphs) sheet.addRow([title, text]);
    sheet.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
    return;
  }
  sheet.columns = section.columns.map((column) => ({
    width: column.width,
    ...(column.kind === 'money' ? { style: { numFmt: poundsFormat } } : column.kind === 'count' ? { style: { numFmt: '0' } } : {}),
  }));
  heading(
    sheet,
    section.columns.map((c) => c.label),
  );
  const cells = (row: (string | number)[]) => row.map((cell, i) => (section.columns[i]?.kind === 'money' && typeof cell === 'number' ? cell / 100 : cell));
  for (const row of section.rows) sheet.addRow(cells(row));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + section.rows.length, column: section.columns.length } };
  for (const row of section.totals) sheet.addRow(cells(row)).font = { bold: true };
}

function heading(sheet: Worksheet, cells: string[]): void {
  sheet.addRow(cells).font = { bold: true };
}

/** Header and footer text: `&` starts a code there, so a literal one is doubled. */
function headerText(text: string): string {
  return text.replace(/&/g, '&&');
}

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryHeader = 0x02014b50;
const localFileHeader = 0x04034b50;

/**
 * Sets, in place, every entry's last-modified DOS date and time (local header offsets 10 and 12, central
 * directory header offsets 12 and 14; PKWARE APPNOTE 4.3.7 and 4.3.12) to `date` at 00:00:00.
 * Only for the plain archives JSZip writes (no zip64, no spanning); anything else is refused
 * rather than half patched.
 */
export function stampZipEntries(out: Buffer, date: Date): void {
  const year = date.getUTCFullYear();
  if (year < 1980 || year > 2107) throw new RangeError(`a zip entry date must fall in 1980-2107, got ${year}`);
  const dosDate = ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate();
  const dosTime = 0;

  let eocd = -1;
  for (let at = out.length - 22; at >= Math.max(0, out.length - 22 - 0xffff); at -= 1) {
    if (out.readUInt32LE(at) === endOfCentralDirectory) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new Error('the workbook is not a zip archive: no end of central directory record');
  const entries = out.readUInt16LE(eocd + 10);
  let at = out.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i += 1) {
    if (out.readUInt32LE(at) !== centralDirectoryHeader) throw new Error(`unexpected zip layout at central directory entry ${i}`);
    out.writeUInt16LE(dosTime, at + 12);
    out.writeUInt16LE(dosDate, at + 14);
    const local = out.readUInt32LE(at + 42);
    if (out.readUInt32LE(local) !== localFileHeader) throw new Error(`unexpected zip layout at local header of entry ${i}`);
    out.writeUInt16LE(dosTime, local + 10);
    out.writeUInt16LE(dosDate, local + 12);
    at += 46 + out.readUInt16LE(at + 28) + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
}
