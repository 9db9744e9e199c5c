import { csvRecords } from './csv';
import { addWhole, assertPence } from './money';
import { ReportCell, ReportColumn, ReportDocument, ReportTable, businessDateAtMidnightUtc } from './report-document';
import { reportDocumentXlsx } from './report-document.xlsx';

/**
 * The finance officer's year-end reports (DOMAIN.md 5, "every figure in a report must be
 * reproducible for any past as-of date"): the reconciliation of claims with payments and
 * recoveries, and attachment fees against the allocation. Data in, bytes out: the same report
 * gives the same CSV and XLSX bytes (the workbook dated by its as-of date).
 */

export interface ReconciledClaim {
  claimId: string;
  windowId: string | null;
  financialYear: string;
  status: 'paid' | 'submitted';
  families: number;
  claimedPence: number;
  paidPence: number;
  differencePence: number;
  recoveredPence: number;
}

export interface ReconciliationGroup {
  key: string;
  families: number;
  claimedPence: number;
  paidPence: number;
  differencePence: number;
  recoveredPence: number;
}

export interface ReconciliationReport {
  councilName: string;
  asOf: string;
  claims: ReconciledClaim[];
  byWindow: ReconciliationGroup[];
  byFinancialYear: ReconciliationGroup[];
  totals: Omit<ReconciliationGroup, 'key'>;
}

export interface AttachmentFeeYear {
  financialYear: string;
  familiesAttached: number;
  profileFamilies: number | null;
  ratePence: number;
  duePence: number;
  receivedPence: number;
  outstandingPence: number;
  /** Issue 18.7: more received than due is flagged, never netted away silently. */
  overpaid: boolean;
  overpaidPence: number;
  profileReconciliationPence?: number;
}

export interface AttachmentFeesReport {
  councilName: string;
  asOf: string;
  basis: 'actual' | 'profile';
  allocation: number;
  familiesAttached: number;
  placesLeft: number;
  years: AttachmentFeeYear[];
  /** The financial years in which more was received than due. */
  overpaidYears: string[];
  totals: { familiesAttached: number; duePence: number; receivedPence: number; outstandingPence: number; overpaidPence: number };
}

/** Claims grouped by a key, with their sums (keys in code-unit order). */
export function reconciliationGroups(claims: readonly ReconciledClaim[], keyOf: (c: ReconciledClaim) => string): ReconciliationGroup[] {
  const groups = new Map<string, ReconciledClaim[]>();
  for (const c of claims) groups.set(keyOf(c), [...(groups.get(keyOf(c)) ?? []), c]);
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, rows]) => ({ key, ...reconciliationSums(rows) }));
}

export function reconciliationSums(rows: readonly ReconciledClaim[]): Omit<ReconciliationGroup, 'key'> {
  const sum = (key: 'claimedPence' | 'paidPence' | 'differencePence' | 'recoveredPence') =>
    rows.reduce((s, r) => {
      assertPence(r[key], key);
      return addWhole(s, r[key]);
    }, 0);
  return {
    families: rows.reduce((s, r) => s + r.families, 0),
    claimedPence: sum('claimedPence'),
    paidPence: sum('paidPence'),
    differencePence: sum('differencePence'),
    recoveredPence: sum('recoveredPence'),
  };
}

const moneyColumns = ['claimed_pence', 'paid_pence', 'difference_pence', 'recovered_pence'] as const;

/**
 * The reconciliation as one rectangular CSV (the one formula-safe writer): `section` is `about`
 * (claim_id = label, window_id = value), `claim` (one per submitted claim), `window-total`,
 * `year-total` and `total`.
 */
export function reconciliationCsv(report: ReconciliationReport): Buffer {
  const header = ['section', 'claim_id', 'window_id', 'financial_year', 'status', 'families', ...moneyColumns] as const;
  const about = (label: string, value: string) => ['about', label, value, '', '', '', '', '', '', ''];
  const sums = (g: Omit<ReconciliationGroup, 'key'>) => [g.families, g.claimedPence, g.paidPence, g.differencePence, g.recoveredPence];
  return Buffer.from(
    csvRecords([
      [...header],
      about('Report', 'Reconciliation of results claims: claimed, paid and recovered'),
      about('Council', report.councilName),
      about('As of', report.asOf),
      ...report.claims.map((c) => ['claim', c.claimId, c.windowId ?? '', c.financialYear, c.status, c.families, c.claimedPence, c.paidPence, c.differencePence, c.recoveredPence]),
      ...report.byWindow.map((g) => ['window-total', '', g.key, '', '', ...sums(g)]),
      ...report.byFinancialYear.map((g) => ['year-total', '', '', g.key, '', ...sums(g)]),
      ['total', '', '', '', '', ...sums(report.totals)],
    ]),
    'utf8',
  );
}

export function reconciliationXlsx(report: ReconciliationReport): Promise<Buffer> {
  const money = (label: string): ReportColumn => ({ label, kind: 'money', width: 16 });
  const sumColumns: ReportColumn[] = [{ label: 'Families', kind: 'count', width: 10 }, money('Claimed'), money('Paid'), money('Difference'), money('Recovered')];
  const sums = (g: Omit<ReconciliationGroup, 'key'>): ReportCell[] => [g.families, g.claimedPence, g.paidPence, g.differencePence, g.recoveredPence];
  const group = (name: string, title: string, keyLabel: string, groups: ReconciliationGroup[]): ReportTable => ({
    kind: 'table',
    name,
    title,
    columns: [{ label: keyLabel, kind: 'text', width: 18 }, ...sumColumns],
    rows: groups.map((g) => [g.key, ...sums(g)]),
    totals: [['Total', ...sums(report.totals)]],
  });
  return reportDocumentXlsx(
    financeDocument(
      'Reconciliation',
      report.councilName,
      report.asOf,
      [],
      [
        {
          kind: 'table',
          name: 'Claims',
          title: 'Submitted claims',
          columns: [
            { label: 'Claim', kind: 'text', width: 38 },
            { label: 'Window', kind: 'text', width: 14 },
            { label: 'Financial year', kind: 'text', width: 12 },
            { label: 'Status', kind: 'text', width: 11 },
            ...sumColumns,
          ],
          rows: report.claims.map((c) => [c.claimId, c.windowId ?? '', c.financialYear, c.status, c.families, c.claimedPence, c.paidPence, c.differencePence, c.recoveredPence]),
          totals: [['Total', '', '', '', ...sums(report.totals)]],
        },
        group('By window', 'By claim window', 'Window', report.byWindow),
        group('By financial year', 'By financial year (of submission)', 'Financial year', report.byFinancialYear),
      ],
    ),
  );
}

/**
 * Attachment fees as one rectangular CSV: `about` (financial_year = label, families_attached =
 * value), `year` (one per financial year of the framework) and `total`.
 */
export function attachmentFeesCsv(report: AttachmentFeesReport): Buffer {
  const header = ['section', 'financial_year', 'families_attached', 'profile_families', 'rate_pence', 'due_pence', 'received_pence', 'outstanding_pence', 'profile_reconciliation_pence'] as const;
  const about = (label: string, value: string | number) => ['about', label, value, '', '', '', '', '', ''];
  return Buffer.from(
    csvRecords([
      [...header],
      about('Report', 'Attachment fees against the allocation'),
      about('Council', report.councilName),
      about('As of', report.asOf),
      about('Fee basis', report.basis),
      about('Allocation', report.allocation),
      about('Places left', report.placesLeft),
      ...report.years.map((y) => [
        'year',
        y.financialYear,
        y.familiesAttached,
        y.profileFamilies ?? '',
        y.ratePence,
        y.duePence,
        y.receivedPence,
        y.outstandingPence,
        y.profileReconciliationPence ?? '',
      ]),
      ['total', '', report.totals.familiesAttached, '', '', report.totals.duePence, report.totals.receivedPence, report.totals.outstandingPence, ''],
    ]),
    'utf8',
  );
}

export function attachmentFeesXlsx(report: AttachmentFeesReport): Promise<Buffer> {
  const money = (label: string): ReportColumn => ({ label, kind: 'money', width: 16 });
  return reportDocumentXlsx(
    financeDocument(
      'Attachment fees',
      report.councilName,
      report.asOf,
      [
        { label: 'Fee basis', value: report.basis },
        { label: 'Allocation', value: String(report.allocation) },
        { label: 'Families attached', value: String(report.familiesAttached) },
        { label: 'Places left', value: String(report.placesLeft) },
      ],
      [
        {
          kind: 'table',
          name: 'Years',
          title: 'Attachment fees per financial year',
          columns: [
            { label: 'Financial year', kind: 'text', width: 12 },
            { label: 'Families attached', kind: 'count', width: 12 },
            { label: 'Profile families', kind: 'text', width: 12 },
            money('Rate'),
            money('Due'),
            money('Received'),
            money('Outstanding'),
            ...(report.basis === 'profile' ? [money('Profile reconciliation')] : []),
          ],
          rows: report.years.map((y) => [
            y.financialYear,
            y.familiesAttached,
            y.profileFamilies === null ? '' : String(y.profileFamilies),
            y.ratePence,
            y.duePence,
            y.receivedPence,
            y.outstandingPence,
            ...(report.basis === 'profile' ? [y.profileReconciliationPence ?? 0] : []),
          ]),
          totals: [['Total', report.totals.familiesAttached, '', '', report.totals.duePence, report.totals.receivedPence, report.totals.outstandingPence, ...(report.basis === 'profile' ? [''] : [])]],
        },
      ],
    ),
  );
}

function financeDocument(report: string, councilName: string, asOf: string, items: { label: string; value: string }[], tables: ReportTable[]): ReportDocument {
  return {
    title: `${report}: ${councilName}, as of ${asOf}`,
    subject: `${report} (family outcomes ledger)`,
    author: `${councilName} (family outcomes ledger)`,
    documentDate: businessDateAtMidnightUtc(asOf, 'asOf'),
    sections: [{ kind: 'details', name: 'About', title: 'About', items: [{ label: 'Council', value: councilName }, { label: 'As of', value: asOf }, ...items] }, ...tables],
  };
}
