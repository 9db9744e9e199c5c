import { ClaimReport } from './claim-report';
import { claimReportLayout } from './claim-report.layout';
import { csvRecords } from './csv';

/**
 * The claim report as one rectangular CSV table (RFC 4180 through the one formula-safe writer,
 * `csv.ts`: CRLF line ends, every record the same number of fields; UTF-8 without BOM).
 *
 * A single table with a `section` column rather than a header block above a family table, so
 * every line parses with the same header and a spreadsheet filter on `section` gives each part:
 *
 * - `claim`: item = label (Council, Claim window, As of, Submitted on, Status…), value = its value;
 *   a draft's status reads `DRAFT: not submitted (…)`;
 * - `family`: item = family reference, route, audit_status, amount_pence, amount (£); a family
 *   internal audit removed is listed as removed at £0;
 * - `total`: item = the route (route also filled), `Removed by internal audit` or `Total claimed`;
 *   families, amount_pence, amount;
 * - `sign-off`: item = role, value = signed by, date = signed on;
 * - `declaration`: item = role, value = the declaration's text.
 */
export function claimReportCsv(report: ClaimReport): Buffer {
  const layout = claimReportLayout(report);
  const header = ['section', 'item', 'value', 'date', 'route', 'audit_status', 'families', 'amount_pence', 'amount'] as const;
  const row = (cells: Partial<Record<(typeof header)[number], string | number>>) => header.map((column) => cells[column] ?? '');

  const records: (string | number)[][] = [
    [...header],
    ...layout.claim.map(({ label, value }) => row({ section: 'claim', item: label, value })),
    ...layout.families.map((f) => row({ section: 'family', item: f.reference, route: f.route, audit_status: f.auditStatus, amount_pence: f.amountPence, amount: f.amount })),
    ...layout.totals.map((t) => row({ section: 'total', item: t.label, route: t.route ?? '', families: t.families, amount_pence: t.amountPence, amount: t.amount })),
    ...layout.signOffs.map((s) => row({ section: 'sign-off', item: s.role, value: s.by, date: s.on })),
    ...layout.declarations.map((d) => row({ section: 'declaration', item: d.role, value: d.text })),
  ];
  return Buffer.from(csvRecords(records), 'utf8');
}
