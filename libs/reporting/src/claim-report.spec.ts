import { Workbook } from 'exceljs';
import { PDFParse } from 'pdf-parse';
import { ClaimReport, claimReportCsv, claimReportPdf, claimReportXlsx, claimTotals, poundsText } from './index';

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
    expect([0, 5, 80_000, 880_000, 123_456_789, -10_000].map(poundsText)).toEqual([
      '£0.00',
      '£0.05',
      '£800.00',
      '£8,800.00',
      '£1,234,567.89',
      '-£100.00',
    ]);
    expect(() => poundsText(800.5)).toThrow(RangeError);
  });

  it('refuses money that is not whole pence, a family listed twice and a generated-for that is not a date', () => {
    const first = claim.families[0];
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

  it('reads back with the claim, one line per family and the totals', () => {
    const csv = csvSections(claimReportCsv(claim));
    expect(csv.claim).toEqual([
      ['Council', "Borough of Demoford, Children's Services"],
      ['Claim id', 'claim-2016-1'],
      ['Claim window', '2016-W1'],
      ['As of', '2016-03-31'],
      ['Framework', 'troubled-families-2015'],
      ['Outcome Plan versions', '1, 2'],
      ['Status', 'paid'],
      ['Generated for', '2016-04-05'],
    ].map(([item, value]) => ({ ...blank, section: 'claim', item, value })));
    expect(csv.family.map((f) => f.item)).toEqual(references);
    expect(csv.family.find((f) => f.item === 'TF-0007')).toEqual({
      ...blank, section: 'family', item: 'TF-0007', route: 'sustained-progress', audit_status: 'sampled: invalid (removed)', amount_pence: '80000', amount: '£800.00',
    });
    expect(csv.total.map((t) => [t.item, t.families, t.amount_pence, t.amount])).toEqual([
      ['sustained-progress', '6', '480000', '£4,800.00'],
      ['continuous-employment', '5', '400000', '£4,000.00'],
      ['Total claimed', '11', '880000', '£8,800.00'],
      ['Recovered', '1', '80000', '£800.00'],
      ['Net of recoveries', '10', '800000', '£8,000.00'],
    ]);
    const counted = csv.family.filter((f) => f.audit_status !== 'sampled: invalid (removed)');
    expect(counted.reduce((sum, f) => sum + Number(f.amount_pence), 0)).toBe(880_000);
    expect(csv['sign-off'].map((s) => [s.item, s.value, s.date])).toEqual([
      ['programme-lead', 'Pat Lead', '2016-04-04'],
      ['head-of-audit', 'Sam Audit', '2016-04-05'],
    ]);
    expect(csv.payment.map((p) => [p.item, p.date, p.amount_pence, p.amount])).toEqual([
      ['Payment received', '2016-05-20', '870000', '£8,700.00'],
      ['Difference', '', '-10000', '-£100.00'],
    ]);
  });
  it('neutralises a council name or family reference that a spreadsheet would run as a formula (issue 16.5)', () => {
    const formula = '=HYPERLINK("http://x","y")';
    const text = claimReportCsv({ ...claim, councilName: formula, families: [{ ...claim.families[0], reference: formula }] }).toString('utf8');
    const records = parseCsv(text);
    expect(records.find((r) => r[0] === 'claim' && r[1] === 'Council')?.[2]).toBe(`'${formula}`);
    expect(records.find((r) => r[0] === 'family')?.[1]).toBe(`'${formula}`);
    expect(records.flat().some((field) => /^[=+@\t\r]/.test(field))).toBe(false);
  });
});

describe('claim report: XLSX', () => {
  it('reads back with exceljs with the same families and totals as the CSV', async () => {
    const workbook = await readWorkbook(await claimReportXlsx(claim));
    const csv = csvSections(claimReportCsv(claim));

    expect(workbook.creator).toBe("Borough of Demoford, Children's Services (family outcomes ledger)");
    expect(workbook.created.toISOString()).toBe('2016-04-05T00:00:00.000Z');
    expect(workbook.modified.toISOString()).toBe('2016-04-05T00:00:00.000Z');

    const familyRows = sheetRows(workbook, 'Families');
    expect(familyRows[0]).toEqual(['Reference', 'Route', 'Audit status', 'Amount (pence)', 'Amount']);
    expect(familyRows.slice(1)).toEqual(csv.family.map((f) => [f.item, f.route, f.audit_status, Number(f.amount_pence), f.amount]));

    const claimRows = sheetRows(workbook, 'Claim');
    expect(claimRows[0]).toEqual(['Results claim claim-2016-1']);
    for (const c of csv.claim) expect(claimRows).toContainEqual(c.value === '' ? [c.item] : [c.item, c.value]);
    const totalsAt = claimRows.findIndex((r) => r[0] === 'Totals');
    const totals = claimRows.slice(totalsAt + 1, totalsAt + 1 + csv.total.length);
    expect(totals.map((r) => [r[3], r[4], r[5]])).toEqual(csv.total.map((t) => [Number(t.families), Number(t.amount_pence), t.amount]));
    expect(claimRows).toContainEqual(['Payment received', '', '2016-05-20', '', 870_000, '£8,700.00']);
    expect(claimRows).toContainEqual(['Difference', '', '', '', -10_000, '-£100.00']);
  });
});

describe('claim report: PDF', () => {
  it('shows the council, every family reference, the totals, the sign-offs and the payment', async () => {
    const text = await pdfText(await claimReportPdf(claim));
    expect(text).toContain("Borough of Demoford, Children's Services");
    expect(text).toContain('claim-2016-1');
    for (const reference of references) expect(text).toMatch(new RegExp(`${reference}\\s+\\S+\\s+[^\\n]+\\s+80000\\s+£800\\.00`));
    expect(text).toMatch(/Total claimed\s+11\s+880000\s+£8,800\.00/);
    expect(text).toMatch(/Recovered\s+1\s+80000\s+£800\.00/);
    expect(text).toContain('Pat Lead');
    expect(text).toMatch(/Difference\s+-10000\s+-£100\.00/);
  });

  it('runs a long claim onto more pages, repeating the table heading and numbering the pages', async () => {
    const families = Array.from({ length: 120 }, (_, i) => ({ ...claim.families[0], reference: `TF-${String(i + 1).padStart(4, '0')}` }));
    const text = await pdfText(await claimReportPdf({ ...claim, families }));
    expect(text).toContain('TF-0120');
    expect(text).toContain('page 1 of 3');
    expect(text).toContain('page 3 of 3');
    expect(text.match(/Reference\s+Route\s+Audit status/g)).toHaveLength(3);
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
    const xlsx = JSON.stringify([...sheetRows(workbook, 'Claim'), ...sheetRows(workbook, 'Families')]);
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
  status: 'paid',
  generatedFor: '2016-04-05',
  families: references.map((reference, i) => ({
    reference,
    route: i < 7 ? 'sustained-progress' : 'continuous-employment',
    amountPence: 80_000,
    auditStatus:
      reference === 'TF-0007' ? 'sampled: invalid (removed)'
      : reference === 'TF-0010' ? 'recovered'
      : i % 4 === 0 ? 'sampled: valid'
      : 'not sampled',
  })),
  signOffs: [
    { role: 'programme-lead', by: 'Pat Lead', on: '2016-04-04' },
    { role: 'head-of-audit', by: 'Sam Audit', on: '2016-04-05' },
  ],
  payment: { receivedOn: '2016-05-20', amountPence: 870_000, differencePence: -10_000 },
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

function csvSections(bytes: Buffer): Record<'claim' | 'family' | 'total' | 'sign-off' | 'payment', CsvRow[]> {
  const [, ...records] = parseCsv(bytes.toString('utf8'));
  const rows = records.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])) as CsvRow);
  const section = (name: string) => rows.filter((r) => r.section === name);
  return { claim: section('claim'), family: section('family'), total: section('total'), 'sign-off': section('sign-off'), payment: section('payment') };
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
