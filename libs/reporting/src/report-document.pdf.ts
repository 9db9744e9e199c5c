import PDFDocument from 'pdfkit';
import { ReportColumn, ReportDocument, ReportTable, cellText } from './report-document';

/**
 * A report document as an A4 PDF in the built-in Helvetica (no font files, nothing embedded):
 * the title, then each section under its heading; a table's heading row repeats at the top of each
 * page it runs onto, its totals rows in bold; a watermark (e.g. `DRAFT`) across every page.
 *
 * Byte-identical output:
 * - pdfkit sets `CreationDate` to `new Date()` unless `info` gives one; `CreationDate` and
 *   `ModDate` are the document's date at 00:00Z;
 * - the trailer `/ID` is not random: pdfkit 0.20 (`PDFSecurity.generateFileID`) hashes the info
 *   dictionary, creation date included, so fixed info gives a fixed ID (randomness is only used
 *   when encrypting, which a report never does);
 * - `compress: false`: content streams are written as they are, so the bytes do not depend on the
 *   zlib build inside Node (a report generated again after an upgrade stays identical);
 * - watermarks and page footers are written after layout with buffered pages, from the page count alone.
 */
export function reportDocumentPdf(document: ReportDocument): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: margin, bottom: margin, left: margin, right: margin },
    compress: false,
    bufferPages: true,
    lang: 'en-GB',
    displayTitle: true,
    info: {
      Title: document.title,
      Author: document.author,
      Subject: document.subject,
      Creator: 'Family outcomes ledger',
      Producer: 'PDFKit',
      CreationDate: document.documentDate,
      ModDate: document.documentDate,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  render(doc, document);
  doc.end();
  return done;
}

const margin = 50;
const lineWidth = 495; // A4 width inside the margins, in points
const rowHeight = 14;
const fontSize = 9;
const regular = 'Helvetica';
const bold = 'Helvetica-Bold';

interface Column {
  x: number;
  width: number;
  align: 'left' | 'right';
}

function layoutColumns(columns: ReportColumn[]): Column[] {
  const total = columns.reduce((sum, c) => sum + c.width, 0);
  let x = margin;
  return columns.map((c) => {
    const width = Math.floor((c.width / total) * lineWidth);
    const column: Column = { x, width, align: c.kind === 'money' || c.kind === 'count' ? 'right' : 'left' };
    x += width;
    return column;
  });
}

function render(doc: PDFKit.PDFDocument, document: ReportDocument): void {
  const bottom = () => doc.page.height - margin - rowHeight;
  let y = margin;
  const newPage = () => {
    doc.addPage();
    y = margin;
  };
  const row = (columns: Column[], cells: string[], font = regular) => {
    doc.font(font).fontSize(fontSize);
    cells.forEach((cell, i) => {
      const column = columns[i];
      if (column !== undefined) doc.text(cell, column.x, y, { width: column.width - 4, align: column.align, lineBreak: false });
    });
    y += rowHeight;
  };
  const sectionTitle = (title: string) => {
    if (y + 3 * rowHeight > bottom()) newPage();
    doc.font(bold).fontSize(11).text(title, margin, y, { lineBreak: false });
    y += rowHeight + 4;
  };
  const table = (section: ReportTable) => {
    const columns = layoutColumns(section.columns);
    const head = section.columns.map((c) => c.label);
    const text = (cells: (string | number)[]) => cells.map((cell, i) => cellText(section.columns[i]?.kind ?? 'text', cell));
    sectionTitle(section.title);
    row(columns, head, bold);
    for (const [body, font] of [
      [section.rows, regular],
      [section.totals, bold],
    ] as const) {
      for (const cells of body) {
        if (y > bottom()) {
          newPage();
          row(columns, head, bold);
        }
        row(columns, text(cells), font);
      }
    }
    y += rowHeight;
  };

  doc.font(bold).fontSize(14).text(document.title, margin, y, { width: lineWidth });
  y = doc.y + 12;
  for (const section of document.sections) {
    if (section.kind === 'table') {
      table(section);
      continue;
    }
    sectionTitle(section.title);
    if (section.kind === 'details') {
      for (const { label, value } of section.items) {
        if (y > bottom()) newPage();
        doc.font(bold).fontSize(fontSize).text(label, margin, y, { width: 150, lineBreak: false });
        doc.font(regular).text(value, margin + 150, y, { width: lineWidth - 150 });
        y = Math.max(y + rowHeight, doc.y + 2);
      }
    } else {
      for (const { heading, text } of section.paragraphs) {
        const height = doc.font(regular).fontSize(fontSize).heightOfString(text, { width: lineWidth });
        if (y + rowHeight + height > bottom()) newPage();
        doc.font(bold).fontSize(fontSize).text(heading, margin, y, { width: lineWidth, lineBreak: false });
        y += rowHeight;
        doc.font(regular).fontSize(fontSize).text(text, margin, y, { width: lineWidth });
        y = doc.y + 8;
      }
    }
    y += rowHeight;
  }

  // Watermarks and footers last, when the page count is known. The bottom margin is lifted while
  // writing so pdfkit does not start a new page for text below it.
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i += 1) {
    doc.switchToPage(i);
    const pageMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    if (document.watermark) {
      const cx = doc.page.width / 2;
      const cy = doc.page.height / 2;
      doc.save();
      doc.rotate(-45, { origin: [cx, cy] });
      doc.font(bold).fontSize(110).fillColor('#b0b0b0').fillOpacity(0.35);
      doc.text(document.watermark, cx - 300, cy - 55, { width: 600, align: 'center', lineBreak: false });
      doc.restore();
      doc.fillColor('black').fillOpacity(1);
    }
    doc
      .font(regular)
      .fontSize(8)
      .text(`${document.watermark ? `${document.watermark}: ` : ''}${document.title}, page ${i - start + 1} of ${count}`, margin, doc.page.height - 35, {
        width: lineWidth,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = pageMargin;
  }
}
