import { ValueType, Workbook } from 'exceljs';
import { PDFParse } from 'pdf-parse';
import { ClaimReport, claimReportCsv, claimReportPdf, claimReportXlsx, claimTotals, poundsText } from './index';
import { nth } from './suppression';

describe('claim report: the same claim gives the same bytes', () => {
  it('gives identical CSV, XLSX and PDF bytes on every call, seconds apart and whatever the order of families', async () => {
    const first = await allFormats(claim);
    // DOS zip times have 2 s resolution, PDF dates 1 s: a clock leaking into any format shows here.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const again = await allFormats(claim);
    const shuffled = await allFormats({ ...claim, families: [...claim.families].reverse(), signOffs: [...claim.signOffs].reverse() });
    for (const format of ['csv', 'xlsx', 'pdf'] as const) {
      expect(again[format].equals(first[format])).toBe(true);
      expect(shuffled[format].equals(first[format])).toBe(true);
    }
  });

  it('stamps every zip entry of the workbook with the date the report is generated for, at midnight', async () => {
    const dates = zipEntryDates(await claimReportXlsx(claim));
    expect(dates.length).toBeGreaterThan(5);
    expect(new Set(dates)).toEqual(new Set(['2016-04-05 00:00:00']));
  });

  it('dates the PDF from the report, not the clock', async () => {
    const pdf = (await claimReportPdf(claim)).toString('latin1');
    expect(pdf).toMatch(/\/CreationDate \d+ 0 R/);
    expect(pdf).toMatch(/\/ModDate \d+ 0 R/);
    expect(pdf.match(/\(D:20160405000000Z\)/g)).toHaveLength(2);
    const ids = /\/ID \[<([0-9a-f]+)> <([0-9a-f]+)>\]/.exec(pdf);
    expect(ids?.[1]).toHaveLength(32);
  });
});

describe('claim report: totals', () => {
  it('counts every claimed family by route, leaves out the one audit removed and shows recoveries separately', () => {
    expect(claimTotals(claim)).toEqual({
      byRoute: {
        'sustained-progress': { families: 6, amountPence: 480_000 },
        'continuous-employment': { families: 5, amountPence: 400_000 },
      },
      families: 11,
      totalPence: 880_000,
      recoveredFamilies: 1,
      recoveredPence: 80_000,
      netPence: 800_000,
      removedFamilies: 1,
    });
  });

  it('writes pounds from whole pence without floats or locale', () => {
    expect([0, 5, 80_000, 880_000, 123_456_789, -10_000].map(poundsText)).toEqual(['£0.00', '£0.05', '£800.00', '£8,800.00', '£1,234,567.89', '-£100.00']);
    expect(() => poundsText(800.5)).toThrow(RangeError);
  });

  it('refuses money that is not whole pence, a family listed twice and a generated-for that is not a date', () => {
    const first = nth(claim.families, 0);
    expect(() => claimReportCsv({ ...claim, families: [{ ...first, amountPence: 800.0001 }] })).toThrow(RangeError);
    expect(() => claimReportCsv({ ...claim, families: [first, first] })).toThrow(/appears twice/);
    expect(() => claimReportCsv({ ...claim, generatedFor: 'today' })).toThrow(RangeError);
  });
});

describe('claim report: CSV', () => {
  it('is RFC 4180: UTF-8 without BOM, CRLF line ends, one header and the same number of fields on every line', () => {
    const bytes = claimReportCsv(claim);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    const text = bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const records = parseCsv(text);
    expect(records[0]).toEqual(['section', 'item', 'value', 'date', 'route', 'audit_status', 'families', 'amount_pence', 'amount']);
    expect(new Set(records.map((r) => r.length))).toEqual(new Set([9]));
    expect(text).toContain('claim,Council,"Borough of Demoford, Children\'s Services",');
  });

  it('reads back with the claim, one line per family, the totals per route, the sign-offs and the declarations', () => {
    const csv = csvSections(claimReportCsv(claim));
    expect(csv.claim).toEqual(
      [
        ['Council', "Borough of Demoford, Children's Services"],
        ['Claim window', '2016-W1'],
        ['As of', '2016-03-31'],
        ['Submitted on', '2016-04-05'],
        ['Status', 'submitted'],
        ['Framework', 'troubled-families-2015'],
        ['Outcome Plan versions', '1, 2'],
        ['Claim reference', 'claim-2016-1'],
      ].map(([item, value]) => ({ ...blank, section: 'claim', item, value })),
    );
    expect(csv.family.map((f) => f.item)).toEqual(references);
    // DOMAIN.md 5.2: the family audit removed is listed as removed, at £0.
    expect(csv.family.find((f) => f.item === 'TF-0007')).toEqual({
      ...blank,
      section: 'family',
      item: 'TF-0007',
      route: 'sustained-progress',
      audit_status: 'sampled: invalid (removed)',
      amount_pence: '0',
      amount: '£0.00',
    });
    expect(csv.total.map((t) => [t.item, t.families, t.amount_pence, t.amount])).toEqual([
      ['sustained-progress', '6', '480000', '£4,800.00'],
      ['continuous-employment', '5', '400000', '£4,000.00'],
      ['Removed by internal audit', '1', '0', '£0.00'],
      ['Total claimed', '11', '880000', '£8,800.00'],
    ]);
    expect(csv.family.reduce((sum, f) => sum + Number(f.amount_pence), 0)).toBe(880_000);
    expect(csv['sign-off'].map((s) => [s.item, s.value, s.date])).toEqual([
      ['programme-lead', 'Pat Lead', '2016-04-04'],
      ['head-of-audit', 'Sam Audit', '2016-04-05'],
    ]);
    expect(csv.declaration.map((d) => [d.item, d.value])).toEqual([
      ['programme-lead', 'I declare the results claimed are true, lead.'],
      ['head-of-audit', 'I declare the sample was validated, audit.'],
    ]);
  });

  it('marks a claim not yet submitted as a DRAFT', () => {
    const { submittedOn: _submitted, ...draft } = claim;
    const csv = csvSections(claimReportCsv({ ...draft, status: 'signed-off' }));
    expect(csv.claim.find((c) => c.item === 'Status')?.value).toBe('DRAFT: not submitted (signed-off)');
    expect(csv.claim.find((c) => c.item === 'Submitted on')?.value).toBe('not submitted');
  });

  it('neutralises a council name or family reference that a spreadsheet would run as a formula (issue 16.5)', () => {
    const formula = '=HYPERLINK("http://x","y")';
    const text = claimReportCsv({ ...claim, councilName: formula, families: [{ ...nth(claim.families, 0), reference: formula }] }).toString('utf8');
    const records = parseCsv(text);
    expect(records.find((r) => r[0] === 'claim' && r[1] === 'Council')?.[2]).toBe(`'${formula}`);
    expect(records.find((r) => r[0] === 'family')?.[1]).toBe(`'${formula}`);
    expect(records.flat().some((field) => /^[=+@\t\r]/.test(field))).toBe(false);
  });
});

describe('claim report: XLSX', () => {
  it('has one sheet per section, amounts as pounds with a currency format, and the same figures as the CSV', async () => {
    const workbook = await readWorkbook(await claimReportXlsx(claim));
    const csv = csvSections(claimReportCsv(claim));

    expect(workbook.creator).toBe("Borough of Demoford, Children's Services (family outcomes ledger)");
    expect(workbook.created.toISOString()).toBe('2016-04-05T00:00:00.000Z');
    expect(workbook.modified.toISOString()).toBe('2016-04-05T00:00:00.000Z');
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Claim', 'Totals', 'Families', 'Sign-offs', 'Declarations']);

    const familyRows = sheetRows(workbook, 'Families');
    expect(familyRows[0]).toEqual(['Reference', 'Route', 'Audit status', 'Amount']);
    expect(familyRows.slice(1)).toEqual(csv.family.map((f) => [f.item, f.route, f.audit_status, Number(f.amount_pence) / 100]));
    const families = workbook.getWorksheet('Families');
    const amount = families?.getCell('D2');
    expect(amount?.type).toBe(ValueType.Number);
    expect(amount?.numFmt).toBe('"£"#,##0.00;-"£"#,##0.00');
    expect(amount?.value).toBe(800);

    const claimRows = sheetRows(workbook, 'Claim');
    expect(claimRows[0]).toEqual(['Item', 'Value']);
    for (const c of csv.claim) expect(claimRows).toContainEqual([c.item, c.value]);
    expect(sheetRows(workbook, 'Totals')).toEqual([
      ['Route', 'Families', 'Amount'],
      ['sustained-progress', 6, 4_800],
      ['continuous-employment', 5, 4_000],
      ['Removed by internal audit', 1, 0],
      ['Total claimed', 11, 8_800],
    ]);
    expect(sheetRows(workbook, 'Sign-offs')).toEqual([
      ['Role', 'Name', 'Signed on'],
      ['Programme lead (Troubled Families Coordinator)', 'Pat Lead', '2016-04-04'],
      ['Head of internal audit', 'Sam Audit', '2016-04-05'],
    ]);
    expect(sheetRows(workbook, 'Declarations').map((r) => r[1])).toEqual(['Text', 'I declare the results claimed are true, lead.', 'I declare the sample was validated, audit.']);
  });

  it('filters the family table, prints every sheet on A4 fitted to the width with its header row repeated', async () => {
    const workbook = await readWorkbook(await claimReportXlsx(claim));
    expect(workbook.getWorksheet('Families')?.autoFilter).toBe('A1:D13');
    for (const sheet of workbook.worksheets) {
      expect(sheet.pageSetup).toMatchObject({ paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' });
      expect(sheet.headerFooter.oddHeader).not.toContain('DRAFT');
    }
  });

  it('puts DRAFT in the header of every sheet of a claim not yet submitted', async () => {
    const { submittedOn: _submitted, ...draft } = claim;
    const workbook = await readWorkbook(await claimReportXlsx({ ...draft, status: 'draft' }));
    for (const sheet of workbook.worksheets) expect(sheet.headerFooter.oddHeader).toContain('DRAFT');
    expect(sheetRows(workbook, 'Claim')).toContainEqual(['Watermark', 'DRAFT']);
  });
});

describe('claim report: PDF', () => {
  it('has a title naming the council, window and as-of date, every family, the totals, the sign-offs and the declarations', async () => {
    const text = await pdfText(await claimReportPdf(claim));
    expect(text).toContain("Results claim: Borough of Demoford, Children's Services, claim window 2016-W1, as of 2016-03-31");
    expect(text).toMatch(/Submitted on\s+2016-04-05/);
    for (const reference of references.filter((r) => r !== 'TF-0007')) expect(text).toMatch(new RegExp(`${reference}\\s+\\S+\\s+[^\\n]+\\s+£800\\.00`));
    expect(text).toMatch(/TF-0007\s+sustained-progress\s+sampled: invalid \(removed\)\s+£0\.00/);
    expect(text).toMatch(/sustained-progress\s+6\s+£4,800\.00/);
    expect(text).toMatch(/Total claimed\s+11\s+£8,800\.00/);
    expect(text).toMatch(/Programme lead \(Troubled Families Coordinator\)\s+Pat Lead\s+2016-04-04/);
    expect(text).toContain('I declare the sample was validated, audit.');
    expect(text).not.toContain('DRAFT');
  });

  it('watermarks every page of a claim not yet submitted DRAFT', async () => {
    const { submittedOn: _submitted, ...draft } = claim;
    const text = await pdfText(await claimReportPdf({ ...draft, status: 'draft' }));
    expect(text).toContain('DRAFT');
    expect(text).toContain('DRAFT: not submitted (draft)');
  });

  it('runs a long claim onto more pages, repeating the table heading and numbering the pages', async () => {
    const families = Array.from({ length: 120 }, (_, i) => ({ ...nth(claim.families, 0), reference: `TF-${String(i + 1).padStart(4, '0')}` }));
    const text = await pdfText(await claimReportPdf({ ...claim, families }));
    expect(text).toContain('TF-0120');
    const pages = Number(/page 1 of (\d+)/.exec(text)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(text).toContain(`page ${pages} of ${pages}`);
    // The family table runs over at least three pages, its heading at the top of each.
    expect(text.match(/Reference\s+Route\s+Audit status/g)?.length).toBeGreaterThanOrEqual(3);
  });
});

describe('claim report: privacy', () => {
  it('prints a family by its reference only, even when the data passed in carries more', async () => {
    const leaky = {
      ...claim,
      families: claim.families.map((f, i) => ({ ...f, name: `Jane Smith ${i}`, dateOfBirth: '1983-07-14', postcode: 'DM1 1AA' })),
    };
    const csv = claimReportCsv(leaky).toString('utf8');
    const workbook = await readWorkbook(await claimReportXlsx(leaky));
    const xlsx = JSON.stringify(workbook.worksheets.map((w) => sheetRows(workbook, w.name)));
    const pdf = await pdfText(await claimReportPdf(leaky));
    for (const text of [csv, xlsx, pdf]) {
      expect(text).not.toMatch(/Jane Smith|1983-07-14|DM1 1AA/);
    }
    expect(csvSections(claimReportCsv(leaky)).family.map((f) => f.item)).toEqual(references);
    expect(claimReportCsv(leaky).equals(claimReportCsv(claim))).toBe(true);
  });
});

// fixtures below the scenarios

const references = Array.from({ length: 12 }, (_, i) => `TF-${String(i + 1).padStart(4, '0')}`);

/** 12 families: 7 on sustained progress (one removed by audit), 5 on continuous employment (one recovered). */
const claim: ClaimReport = {
  councilName: "Borough of Demoford, Children's Services",
  claimId: 'claim-2016-1',
  windowId: '2016-W1',
  asOf: '2016-03-31',
  frameworkId: 'troubled-families-2015',
  planVersions: [2, 1, 2],
  status: 'submitted',
  submittedOn: '2016-04-05',
  generatedFor: '2016-04-05',
  families: references.map((reference, i) => ({
    reference,
    route: i < 7 ? 'sustained-progress' : 'continuous-employment',
    amountPence: 80_000,
    auditStatus: reference === 'TF-0007' ? 'sampled: invalid (removed)' : reference === 'TF-0010' ? 'recovered' : i % 4 === 0 ? 'sampled: valid' : 'not sampled',
  })),
  signOffs: [
    { role: 'programme-lead', by: 'Pat Lead', on: '2016-04-04' },
    { role: 'head-of-audit', by: 'Sam Audit', on: '2016-04-05' },
  ],
  declarations: [
    { role: 'programme-lead', text: 'I declare the results claimed are true, lead.' },
    { role: 'head-of-audit', text: 'I declare the sample was validated, audit.' },
  ],
};

async function allFormats(report: ClaimReport) {
  const [xlsx, pdf] = await Promise.all([claimReportXlsx(report), claimReportPdf(report)]);
  return { csv: claimReportCsv(report), xlsx, pdf };
}

const columns = ['section', 'item', 'value', 'date', 'route', 'audit_status', 'families', 'amount_pence', 'amount'] as const;
type CsvRow = Record<(typeof columns)[number], string>;
const blank: CsvRow = Object.fromEntries(columns.map((c) => [c, ''])) as CsvRow;

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let at = 0;
  while (at < text.length) {
    let field = '';
    if (text[at] === '"') {
      at += 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) throw new Error('unterminated quoted field');
        field += text.slice(at, quote);
        at = quote + 1;
        if (text[at] !== '"') break;
        field += '"';
        at += 1;
      }
    } else {
      const end = text.slice(at).search(/,|\r\n/);
      field = end < 0 ? text.slice(at) : text.slice(at, at + end);
      at += field.length;
    }
    record.push(field);
    if (text.startsWith(',', at)) at += 1;
    else if (text.startsWith('\r\n', at)) {
      at += 2;
      records.push(record);
      record = [];
    } else throw new Error(`expected a separator at ${at}`);
  }
  return records;
}

function csvSections(bytes: Buffer): Record<'claim' | 'family' | 'total' | 'sign-off' | 'declaration', CsvRow[]> {
  const [, ...records] = parseCsv(bytes.toString('utf8'));
  const rows = records.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])) as CsvRow);
  const section = (name: string) => rows.filter((r) => r.section === name);
  return { claim: section('claim'), family: section('family'), total: section('total'), 'sign-off': section('sign-off'), declaration: section('declaration') };
}

async function readWorkbook(xlsx: Buffer): Promise<Workbook> {
  const workbook = new Workbook();
  // exceljs declares its own `Buffer` as an ArrayBuffer; JSZip reads either.
  await workbook.xlsx.load(new Uint8Array(xlsx).buffer);
  return workbook;
}

function sheetRows(workbook: Workbook, name: string): unknown[][] {
  const sheet = workbook.getWorksheet(name);
  if (sheet === undefined) throw new Error(`no sheet ${name}`);
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = Array.isArray(row.values) ? row.values.slice(1) : [];
    rows.push(Array.from(values, (v) => v ?? ''));
  });
  return rows;
}

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: pdf });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

/** The DOS date and time of every central directory entry (PKWARE APPNOTE 4.3.12). */
function zipEntryDates(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const dates: string[] = [];
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i += 1) {
    const time = zip.readUInt16LE(at + 12);
    const date = zip.readUInt16LE(at + 14);
    const two = (n: number) => String(n).padStart(2, '0');
    dates.push(`${(date >> 9) + 1980}-${two((date >> 5) & 15)}-${two(date & 31)} ${two(time >> 11)}:${two((time >> 5) & 63)}:${two((time & 31) * 2)}`);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return dates;
}
