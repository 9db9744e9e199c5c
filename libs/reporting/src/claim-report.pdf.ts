import PDFDocument from 'pdfkit';
import { ClaimReport, ClaimReportLayout, claimReportLayout } from './claim-report';

/**
 * The claim report as an A4 PDF in the built-in Helvetica (no font files, nothing embedded).
 *
 * Byte-identical output:
 * - pdfkit sets `CreationDate` to `new Date()` unless `info` gives one; `CreationDate` and
 *   `ModDate` are the report's `generatedFor` at 00:00Z;
 * - the trailer `/ID` is not random: pdfkit 0.20 (`PDFSecurity.generateFileID`) hashes the info
 *   dictionary, creation date included, so fixed info gives a fixed ID (randomness is only used
 *   when encrypting, which this report never does);
 * - `compress: false`: content streams are written as they are, so the bytes do not depend on the
 *   zlib build inside Node (a report generated again after an upgrade stays identical);
 * - page footers are written after layout with buffered pages, from the page count alone.
 */
export function claimReportPdf(report: ClaimReport): Promise<Buffer> {
  const layout = claimReportLayout(report);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: margin, bottom: margin, left: margin, right: margin },
    compress: false,
    bufferPages: true,
    lang: 'en-GB',
    displayTitle: true,
    info: {
      Title: layout.title,
      Author: layout.author,
      Subject: 'Payment-by-results claim report',
      Creator: 'Family outcomes ledger',
      Producer: 'PDFKit',
      CreationDate: layout.documentDate,
      ModDate: layout.documentDate,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  render(doc, layout);
  doc.end();
  return done;
}

const margin = 50;
const rowHeight = 14;
const fontSize = 9;
const regular = 'Helvetica';
const bold = 'Helvetica-Bold';

interface Column {
  x: number;
  width: number;
  align: 'left' | 'right';
}

/** Reference, route, audit status, pence, pounds: 495pt, the A4 width inside the margins. */
const familyColumns: Column[] = [
  { x: margin, width: 90, align: 'left' },
  { x: margin + 90, width: 125, align: 'left' },
  { x: margin + 215, width: 145, align: 'left' },
  { x: margin + 360, width: 65, align: 'right' },
  { x: margin + 425, width: 70, align: 'right' },
];

/** Label, route, families, pence, pounds for the totals and the payment. */
const summaryColumns: Column[] = [
  { x: margin, width: 150, align: 'left' },
  { x: margin + 150, width: 130, align: 'left' },
  { x: margin + 280, width: 80, align: 'right' },
  { x: margin + 360, width: 65, align: 'right' },
  { x: margin + 425, width: 70, align: 'right' },
];

/** Role, signed by, signed on. */
const signOffColumns: Column[] = [
  { x: margin, width: 150, align: 'left' },
  { x: margin + 150, width: 210, align: 'left' },
  { x: margin + 360, width: 135, align: 'left' },
];

function render(doc: PDFKit.PDFDocument, layout: ClaimReportLayout): void {
  const bottom = () => doc.page.height - margin - rowHeight;
  let y = margin;

  const row = (columns: Column[], cells: string[], font = regular) => {
    doc.font(font).fontSize(fontSize);
    cells.forEach((cell, i) => {
      const column = columns[i];
      if (column !== undefined) doc.text(cell, column.x, y, { width: column.width, align: column.align, lineBreak: false });
    });
    y += rowHeight;
  };
  /** A table: its heading row repeats at the top of each page it runs onto. */
  const table = (title: string, columns: Column[], head: string[], rows: string[][]) => {
    const startSection = () => {
      if (y + 3 * rowHeight > bottom()) newPage();
      doc.font(bold).fontSize(11).text(title, margin, y, { lineBreak: false });
      y += rowHeight + 4;
      row(columns, head, bold);
    };
    startSection();
    for (const cells of rows) {
      if (y > bottom()) {
        newPage();
        row(columns, head, bold);
      }
      row(columns, cells);
    }
    y += rowHeight;
  };
  const newPage = () => {
    doc.addPage();
    y = margin;
  };

  doc.font(bold).fontSize(16).text(layout.title, margin, y, { lineBreak: false });
  y += 28;
  for (const { label, value } of layout.claim) {
    doc.font(bold).fontSize(fontSize).text(label, margin, y, { width: 150, lineBreak: false });
    doc.font(regular).text(value, margin + 150, y, { width: 345, lineBreak: false });
    y += rowHeight;
  }
  y += rowHeight;

  table(
    'Families',
    familyColumns,
    ['Reference', 'Route', 'Audit status', 'Pence', 'Amount'],
    layout.families.map((f) => [f.reference, f.route, f.auditStatus, String(f.amountPence), f.amount]),
  );
  table(
    'Totals (families removed by audit excluded)',
    summaryColumns,
    ['', 'Route', 'Families', 'Pence', 'Amount'],
    layout.totals.map((t) => [t.route ? 'By route' : t.label, t.route ?? '', String(t.families), String(t.amountPence), t.amount]),
  );
  table(
    'Sign-offs',
    signOffColumns,
    ['Role', 'Signed by', 'Signed on'],
    layout.signOffs.map((s) => [s.role, s.by, s.on]),
  );
  if (layout.payment.length > 0) {
    table(
      'Payment',
      summaryColumns,
      ['', 'Date', '', 'Pence', 'Amount'],
      layout.payment.map((p) => [p.label, p.on, '', String(p.amountPence), p.amount]),
    );
  }

  // Footers last, when the page count is known. The bottom margin is lifted while writing so
  // pdfkit does not start a new page for text below it.
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i += 1) {
    doc.switchToPage(i);
    const pageMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(regular)
      .fontSize(8)
      .text(`${layout.title}, page ${i - start + 1} of ${count}`, margin, doc.page.height - 35, {
        width: doc.page.width - 2 * margin,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = pageMargin;
  }
}
