import { ValueType, Workbook } from 'exceljs';
import { PDFParse } from 'pdf-parse';
import {
  AttachmentFeesReport,
  ClaimPositionReport,
  ReconciledClaim,
  attachmentFeesCsv,
  attachmentFeesXlsx,
  claimPositionCsv,
  claimPositionFigures,
  claimPositionPdf,
  claimPositionXlsx,
  reconciliationCsv,
  reconciliationGroups,
  reconciliationSums,
  reconciliationXlsx,
} from './index';

describe('reconciliation report', () => {
  it('ends the CSV with totals per window, per financial year and overall, quoted by the one CSV writer', () => {
    const text = reconciliationCsv(reconciliation).toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('section,claim_id,window_id,financial_year,status,families,claimed_pence,paid_pence,difference_pence,recovered_pence');
    expect(lines).toContain('about,Council,"Demoford, ""Borough""",,,,,,,');
    expect(lines).toContain('claim,c-1,2016-w1,2016/17,paid,10,800000,790000,-10000,80000');
    expect(lines).toContain('window-total,,2016-w1,,,15,1200000,790000,-10000,80000');
    expect(lines).toContain('year-total,,,2017/18,,3,240000,240000,0,0');
    expect(lines.at(-2)).toBe('total,,,,,18,1440000,1030000,-10000,80000');
    expect(new Set(lines.slice(0, -1).map((l) => l.replace(/"[^"]*(""[^"]*)*"/g, 'q').split(',').length))).toEqual(new Set([10]));
  });

  it('gives the same totals in the XLSX, as pounds with a currency format, on one sheet per table', async () => {
    const book = await readWorkbook(await reconciliationXlsx(reconciliation));
    expect(book.worksheets.map((w) => w.name)).toEqual(['About', 'Claims', 'By window', 'By financial year']);
    const claims = book.getWorksheet('Claims');
    const total = claims?.getRow(claims.rowCount);
    expect(total?.getCell(1).value).toBe('Total');
    expect([6, 7, 8, 9].map((c) => total?.getCell(c).value)).toEqual([14_400, 10_300, -100, 800]);
    expect(total?.getCell(6).type).toBe(ValueType.Number);
    expect(total?.getCell(6).numFmt).toBe('"£"#,##0.00;-"£"#,##0.00');
    expect(claims?.autoFilter).toBe('A1:I4');
    expect(book.getWorksheet('By financial year')?.getRow(2).values).toEqual([undefined, '2016/17', 15, 12_000, 7_900, -100, 800]);
  });

  it('gives the same bytes for the same report, the workbook dated by its as-of date', async () => {
    expect(reconciliationCsv(reconciliation).equals(reconciliationCsv(reconciliation))).toBe(true);
    const [a, b] = await Promise.all([reconciliationXlsx(reconciliation), reconciliationXlsx(reconciliation)]);
    expect(a.equals(b)).toBe(true);
    expect((await readWorkbook(a)).created.toISOString()).toBe('2018-03-31T00:00:00.000Z');
  });
});

describe('attachment fees report', () => {
  it('ends the CSV and each XLSX table with a totals row', async () => {
    const lines = attachmentFeesCsv(fees).toString('utf8').split('\r\n');
    expect(lines).toContain('year,2016/17,40,,100000,4000000,3000000,1000000,');
    expect(lines.at(-2)).toBe('total,,70,,,6000000,3000000,3000000,');
    const book = await readWorkbook(await attachmentFeesXlsx(fees));
    const years = book.getWorksheet('Years');
    expect(years?.getRow(years.rowCount).values).toEqual([undefined, 'Total', 70, '', '', 60_000, 30_000, 30_000]);
    expect(years?.getCell('D2').numFmt).toBe('"£"#,##0.00;-"£"#,##0.00');
  });
});

describe('claim position report', () => {
  it('shows what was claimed, paid and recovered, with the difference and the net', async () => {
    expect(claimPositionFigures(position)).toEqual({
      claimedPence: 240_000,
      claimedFamilies: 3,
      receivedPence: 160_000,
      differencePence: -80_000,
      recoveredPence: 80_000,
      recoveredFamilies: 1,
      netPence: 80_000,
    });
    const lines = claimPositionCsv(position).toString('utf8').split('\r\n');
    expect(lines).toContain('position,Payment received,,2016-06-01,,,160000,"£1,600.00",');
    expect(lines).toContain('position,Recovered: TF-2,,2016-09-01,,1,80000,£800.00,');
    expect(lines).toContain('total,Net (received less recovered),,,,,80000,£800.00,');
    const book = await readWorkbook(await claimPositionXlsx(position));
    expect(book.worksheets.map((w) => w.name)).toEqual(['Claim', 'Position', 'Families']);
    const text = await pdfText(await claimPositionPdf(position));
    expect(text).toContain('Claim position: Demoford, claim window 2016-w1, as of 2016-03-31, position on 2016-09-01');
    expect(text).toMatch(/Recovered: TF-2\s+2016-09-01\s+1\s+£800\.00/);
  });
});

// fixtures below the scenarios

const claim = (claimId: string, windowId: string, financialYear: string, families: number, paid: number | null, recoveredPence = 0): ReconciledClaim => ({
  claimId,
  windowId,
  financialYear,
  status: paid === null ? 'submitted' : 'paid',
  families,
  claimedPence: families * 80_000,
  paidPence: paid ?? 0,
  differencePence: paid === null ? 0 : paid - families * 80_000,
  recoveredPence,
});
const claims = [claim('c-1', '2016-w1', '2016/17', 10, 790_000, 80_000), claim('c-2', '2016-w1', '2016/17', 5, null), claim('c-3', '2017-w1', '2017/18', 3, 240_000)];
const reconciliation = {
  councilName: 'Demoford, "Borough"',
  asOf: '2018-03-31',
  claims,
  byWindow: reconciliationGroups(claims, (c) => c.windowId ?? ''),
  byFinancialYear: reconciliationGroups(claims, (c) => c.financialYear),
  totals: reconciliationSums(claims),
};

const fees: AttachmentFeesReport = {
  councilName: 'Demoford',
  asOf: '2018-03-31',
  basis: 'actual',
  allocation: 100,
  familiesAttached: 70,
  placesLeft: 30,
  years: [
    {
      financialYear: '2016/17',
      familiesAttached: 40,
      profileFamilies: null,
      ratePence: 100_000,
      duePence: 4_000_000,
      receivedPence: 3_000_000,
      outstandingPence: 1_000_000,
      overpaid: false,
      overpaidPence: 0,
    },
    { financialYear: '2017/18', familiesAttached: 30, profileFamilies: null, ratePence: 66_667, duePence: 2_000_000, receivedPence: 0, outstandingPence: 2_000_000, overpaid: false, overpaidPence: 0 },
  ],
  overpaidYears: [],
  totals: { familiesAttached: 70, duePence: 6_000_000, receivedPence: 3_000_000, outstandingPence: 3_000_000, overpaidPence: 0 },
};

const position: ClaimPositionReport = {
  councilName: 'Demoford',
  claimId: 'c-1',
  windowId: '2016-w1',
  asOf: '2016-03-31',
  submittedOn: '2016-04-05',
  positionOn: '2016-09-01',
  families: [
    { reference: 'TF-1', route: 'sustained-progress', claimedPence: 80_000 },
    { reference: 'TF-2', route: 'continuous-employment', claimedPence: 80_000, recovered: { on: '2016-09-01', amountPence: 80_000 } },
    { reference: 'TF-3', route: 'sustained-progress', claimedPence: 80_000 },
  ],
  payments: [{ receivedOn: '2016-06-01', amountPence: 160_000 }],
};

async function readWorkbook(xlsx: Buffer): Promise<Workbook> {
  const workbook = new Workbook();
  await workbook.xlsx.load(new Uint8Array(xlsx).buffer);
  return workbook;
}

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}
