import { ClaimRoute } from './claim-report';
import { compareCodeUnits } from './claim-report.layout';
import { csvRecords } from './csv';
import { addWhole, assertPence, poundsText } from './money';
import { ReportDocument, businessDateAtMidnightUtc } from './report-document';
import { reportDocumentPdf } from './report-document.pdf';
import { reportDocumentXlsx } from './report-document.xlsx';

/**
 * A submitted claim's position after submission (DOMAIN.md 5.4, 5.5): what was claimed, what
 * central government paid, the difference, and what spot checks recovered. A report of its own,
 * so the report as submitted stays frozen (DOMAIN.md 5).
 */
export interface ClaimPositionReport {
  councilName: string;
  claimId: string;
  windowId?: string;
  asOf: string;
  submittedOn: string;
  /** The latest business date of the claim's events (submission, payment, recovery): the date the position speaks for. */
  positionOn: string;
  /** The families submitted (removed families are not in the claim any more). */
  families: { reference: string; route: ClaimRoute; claimedPence: number; recovered?: { on: string; amountPence: number } }[];
  payments: { receivedOn: string; amountPence: number }[];
}

export interface ClaimPositionFigures {
  claimedPence: number;
  claimedFamilies: number;
  receivedPence: number;
  /** Received − claimed: negative when central government paid less than claimed. */
  differencePence: number;
  recoveredPence: number;
  recoveredFamilies: number;
  /** Received − recovered: the result income the council keeps. */
  netPence: number;
}

export function claimPositionFigures(report: ClaimPositionReport): ClaimPositionFigures {
  let claimedPence = 0;
  let recoveredPence = 0;
  let recoveredFamilies = 0;
  for (const f of report.families) {
    assertPence(f.claimedPence, `amount for family ${f.reference}`);
    claimedPence = addWhole(claimedPence, f.claimedPence);
    if (f.recovered) {
      assertPence(f.recovered.amountPence, `recovery for family ${f.reference}`);
      recoveredPence = addWhole(recoveredPence, f.recovered.amountPence);
      recoveredFamilies += 1;
    }
  }
  const receivedPence = report.payments.reduce((sum, p) => addWhole(sum, p.amountPence), 0);
  return {
    claimedPence,
    claimedFamilies: report.families.length,
    receivedPence,
    differencePence: addWhole(receivedPence, -claimedPence),
    recoveredPence,
    recoveredFamilies,
    netPence: addWhole(receivedPence, -recoveredPence),
  };
}

interface PositionLine {
  item: string;
  on: string;
  families: number | '';
  amountPence: number;
}

function positionLayout(report: ClaimPositionReport) {
  const figures = claimPositionFigures(report);
  const families = [...report.families].sort((a, b) => compareCodeUnits(a.reference, b.reference));
  const recoveries = families.filter((f) => f.recovered).sort((a, b) => compareCodeUnits(a.recovered?.on ?? '', b.recovered?.on ?? '') || compareCodeUnits(a.reference, b.reference));
  const lines: PositionLine[] = [
    { item: 'Claimed as submitted', on: report.submittedOn, families: figures.claimedFamilies, amountPence: figures.claimedPence },
    ...[...report.payments]
      .sort((a, b) => compareCodeUnits(a.receivedOn, b.receivedOn))
      .map((p) => ({ item: 'Payment received', on: p.receivedOn, families: '' as const, amountPence: p.amountPence })),
    { item: 'Difference (received less claimed)', on: '', families: '', amountPence: figures.differencePence },
    ...recoveries.map((f) => ({ item: `Recovered: ${f.reference}`, on: f.recovered?.on ?? '', families: 1, amountPence: f.recovered?.amountPence ?? 0 })),
  ];
  const totals: PositionLine[] = [
    { item: 'Total received', on: '', families: '', amountPence: figures.receivedPence },
    { item: 'Total recovered', on: '', families: figures.recoveredFamilies, amountPence: figures.recoveredPence },
    { item: 'Net (received less recovered)', on: '', families: '', amountPence: figures.netPence },
  ];
  return {
    title: `Claim position: ${report.councilName}, claim window ${report.windowId ?? '(none)'}, as of ${report.asOf}, position on ${report.positionOn}`,
    details: [
      { label: 'Council', value: report.councilName },
      { label: 'Claim window', value: report.windowId ?? 'none' },
      { label: 'As of', value: report.asOf },
      { label: 'Submitted on', value: report.submittedOn },
      { label: 'Position on', value: report.positionOn },
      { label: 'Claim reference', value: report.claimId },
    ],
    lines,
    totals,
    families,
    documentDate: businessDateAtMidnightUtc(report.positionOn, 'positionOn'),
  };
}

export function claimPositionDocument(report: ClaimPositionReport): ReportDocument {
  const layout = positionLayout(report);
  const line = (l: PositionLine) => [l.item, l.on, l.families, l.amountPence];
  return {
    title: layout.title,
    subject: 'Payment-by-results claim position',
    author: `${report.councilName} (family outcomes ledger)`,
    documentDate: layout.documentDate,
    sections: [
      { kind: 'details', name: 'Claim', title: 'The claim', items: layout.details },
      {
        kind: 'table',
        name: 'Position',
        title: 'Claimed, paid and recovered',
        columns: [
          { label: 'Item', kind: 'text', width: 34 },
          { label: 'Date', kind: 'date', width: 12 },
          { label: 'Families', kind: 'count', width: 10 },
          { label: 'Amount', kind: 'money', width: 16 },
        ],
        rows: layout.lines.map(line),
        totals: layout.totals.map(line),
      },
      {
        kind: 'table',
        name: 'Families',
        title: 'Families submitted',
        columns: [
          { label: 'Reference', kind: 'text', width: 16 },
          { label: 'Route', kind: 'text', width: 24 },
          { label: 'Claimed', kind: 'money', width: 14 },
          { label: 'Recovered on', kind: 'date', width: 14 },
          { label: 'Recovered', kind: 'money', width: 14 },
        ],
        rows: layout.families.map((f) => [f.reference, f.route, f.claimedPence, f.recovered?.on ?? '', f.recovered?.amountPence ?? 0]),
        totals: [],
      },
    ],
  };
}

/**
 * The position as one rectangular CSV table (the one formula-safe writer): `section` is `claim`
 * (item, value), `position` and `total` (item, date, families, amount_pence, amount) or `family`
 * (item = reference, route, amount_pence = claimed, date and recovered_pence for a recovery).
 */
export function claimPositionCsv(report: ClaimPositionReport): Buffer {
  const layout = positionLayout(report);
  const header = ['section', 'item', 'value', 'date', 'route', 'families', 'amount_pence', 'amount', 'recovered_pence'] as const;
  const row = (cells: Partial<Record<(typeof header)[number], string | number>>) => header.map((column) => cells[column] ?? '');
  const line = (section: string) => (l: PositionLine) => row({ section, item: l.item, date: l.on, families: l.families, amount_pence: l.amountPence, amount: poundsText(l.amountPence) });
  return Buffer.from(
    csvRecords([
      [...header],
      ...layout.details.map(({ label, value }) => row({ section: 'claim', item: label, value })),
      ...layout.lines.map(line('position')),
      ...layout.totals.map(line('total')),
      ...layout.families.map((f) =>
        row({
          section: 'family',
          item: f.reference,
          route: f.route,
          amount_pence: f.claimedPence,
          amount: poundsText(f.claimedPence),
          date: f.recovered?.on ?? '',
          recovered_pence: f.recovered?.amountPence ?? 0,
        }),
      ),
    ]),
    'utf8',
  );
}

export function claimPositionXlsx(report: ClaimPositionReport): Promise<Buffer> {
  return reportDocumentXlsx(claimPositionDocument(report));
}

export function claimPositionPdf(report: ClaimPositionReport): Promise<Buffer> {
  return reportDocumentPdf(claimPositionDocument(report));
}
