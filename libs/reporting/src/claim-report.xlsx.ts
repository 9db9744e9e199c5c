import { Workbook, Worksheet } from 'exceljs';
import { ClaimReport, claimReportLayout } from './claim-report';

/**
 * The claim report as a workbook with two sheets: `Claim` (the claim, totals, sign-offs and
 * payment) and `Families` (one row per family). Pence are numbers (whole, format `0`), pounds are
 * text (`£800.00`) made from the pence without float arithmetic, dates are ISO text: no Excel date
 * serials, so nothing depends on a time zone.
 *
 * Byte-identical output, two sources of time removed:
 * - the workbook properties (`created`, `modified`, `creator`, `lastModifiedBy`), which exceljs
 *   otherwise sets to `new Date()`, come from the report (`generatedFor` at 00:00Z);
 * - the zip entry timestamps: exceljs 4.4 zips with JSZip (`lib/utils/zip-stream.js`), calling
 *   `zip.file(name, data)` without a `date`, so JSZip stamps every entry with the wall clock, and
 *   `writeBuffer({ zip })` only reaches `generateAsync`, which has no date option. The DOS
 *   date/time fields of each entry's local and central directory headers are therefore set to the
 *   report's date after writing (see `stampZipEntries`). Timestamps are outside the CRC and the
 *   compressed data, so the archive stays valid. JSZip deflates with pako (JavaScript), so the
 *   compressed bytes do not depend on the Node zlib build either.
 */
export async function claimReportXlsx(report: ClaimReport): Promise<Buffer> {
  const layout = claimReportLayout(report);
  const workbook = new Workbook();
  workbook.creator = layout.author;
  workbook.lastModifiedBy = layout.author;
  workbook.created = layout.documentDate;
  workbook.modified = layout.documentDate;
  workbook.title = layout.title;
  workbook.subject = 'Payment-by-results claim report';

  const claim = workbook.addWorksheet('Claim');
  claim.columns = [
    { key: 'label', width: 26 },
    { key: 'value', width: 34 },
    { key: 'date', width: 14 },
    { key: 'families', width: 10 },
    { key: 'amountPence', width: 16, style: { numFmt: '0' } },
    { key: 'amount', width: 16 },
  ];
  heading(claim, [layout.title]);
  for (const { label, value } of layout.claim) claim.addRow([label, value]);
  claim.addRow([]);
  heading(claim, ['Totals', 'Route', '', 'Families', 'Amount (pence)', 'Amount']);
  for (const t of layout.totals) claim.addRow([t.route ? 'By route' : t.label, t.route ?? '', '', t.families, t.amountPence, t.amount]);
  claim.addRow([]);
  heading(claim, ['Sign-offs', 'Signed by', 'Signed on']);
  for (const s of layout.signOffs) claim.addRow([s.role, s.by, s.on]);
  if (layout.payment.length > 0) {
    claim.addRow([]);
    heading(claim, ['Payment', '', 'Date', '', 'Amount (pence)', 'Amount']);
    for (const p of layout.payment) claim.addRow([p.label, '', p.on, '', p.amountPence, p.amount]);
  }

  const families = workbook.addWorksheet('Families', { views: [{ state: 'frozen', ySplit: 1 }] });
  families.columns = [
    { key: 'reference', width: 16 },
    { key: 'route', width: 24 },
    { key: 'auditStatus', width: 28 },
    { key: 'amountPence', width: 16, style: { numFmt: '0' } },
    { key: 'amount', width: 14 },
  ];
  heading(families, ['Reference', 'Route', 'Audit status', 'Amount (pence)', 'Amount']);
  for (const f of layout.families) families.addRow([f.reference, f.route, f.auditStatus, f.amountPence, f.amount]);

  const written = await workbook.xlsx.writeBuffer({ zip: { compression: 'DEFLATE' } });
  // exceljs types the result as its own ArrayBuffer-like `Buffer`; copy it once into a Node Buffer
  // this function owns, then stamp that copy in place.
  const zip = Buffer.from(new Uint8Array(written).buffer);
  stampZipEntries(zip, layout.documentDate);
  return zip;
}

function heading(sheet: Worksheet, cells: string[]): void {
  sheet.addRow(cells).font = { bold: true };
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
function stampZipEntries(out: Buffer, date: Date): void {
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
