import { ClaimReport, claimReportLayout } from './claim-report';
import { csvRecords } from './csv';

/**
 * The claim report as one rectangular CSV table (RFC 4180: CRLF line ends, every record the same
 * number of fields, a field quoted when it holds a comma, quote, CR or LF; UTF-8 without BOM).
 *
 * A single table with a `section` column rather than a header block above a family table, so
 * every line parses with the same header and a spreadsheet filter on `section` gives each part:
 *
 * - `claim`: item = label (Council, Claim id, As of…), value = its value;
 * - `family`: item = family reference, route, audit_status, amount_pence, amount (£);
 * - `total`: item = the route (route also filled), `Total claimed`, `Recovered` or
 *   `Net of recoveries`; families, amount_pence, amount;
 * - `sign-off`: item = role, value = signed by, date = signed on;
 * - `payment`: item = `Payment received` (date = received on) or `Difference`; amount_pence, amount.
 *
 * Families audit removed are listed with their status and left out of every total.
 */
export function claimReportCsv(report: ClaimReport): Buffer {
  const layout = claimReportLayout(report);
  const header = ['section', 'item', 'value', 'date', 'route', 'audit_status', 'families', 'amount_pence', 'amount'] as const;
  const row = (cells: Partial<Record<(typeof header)[number], string | number>>) => header.map((column) => cells[column] ?? '');

  const records: (string | number)[][] = [
    [...header],
    ...layout.claim.map(({ label, value }) => row({ section: 'claim', item: label, value })),
    ...layout.families.map((f) =>
      row({ section: 'family', item: f.reference, route: f.route, audit_status: f.auditStatus, amount_pence: f.amountPence, amount: f.amount }),
    ),
    ...layout.totals.map((t) =>
      row({ section: 'total', item: t.label, route: t.route ?? '', families: t.families, amount_pence: t.amountPence, amount: t.amount }),
    ),
    ...layout.signOffs.map((s) => row({ section: 'sign-off', item: s.role, value: s.by, date: s.on })),
    ...layout.payment.map((p) => row({ section: 'payment', item: p.label, date: p.on, amount_pence: p.amountPence, amount: p.amount })),
  ];
  return Buffer.from(csvRecords(records), 'utf8');
}
