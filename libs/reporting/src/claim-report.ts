/**
 * The finance officer's results claim report (DOMAIN.md 5; API.md "Claims and the ledger":
 * `GET /api/claims/:claimId/report.csv|.xlsx|.pdf`).
 *
 * The report is data in, bytes out: the caller reads the claim from the ledger and passes a
 * `ClaimReport`; the writers in this library never read a clock, a store or the environment, so
 * the same claim gives the same bytes every time (DOMAIN.md 5: "a claim report generated again
 * later must be identical to the one submitted").
 *
 * Privacy (DOMAIN.md 6): a family appears by its reference only. The writers copy named fields out
 * of the report, so any extra property an adapter leaves on a family object is never printed.
 */

/** A payment-by-results route (DOMAIN.md 4): the £800 result is claimed on one of them. */
export type ClaimRoute = 'sustained-progress' | 'continuous-employment';

/** Where a claimed family stands after internal audit (DOMAIN.md 5.2) and central spot check (5.5). */
export type ClaimAuditStatus =
  | 'not sampled'
  | 'sampled: valid'
  | 'sampled: invalid (removed)'
  | 'sampled: awaiting finding'
  | 'recovered';

/** The two sign-offs before submission (DOMAIN.md 5.3). */
export type ClaimSignOffRole = 'programme-lead' | 'head-of-audit';

export interface ClaimReportFamily {
  /** The family's programme reference: the only family identifier a claim report carries. */
  reference: string;
  route: ClaimRoute;
  amountPence: number;
  auditStatus: ClaimAuditStatus;
}

export interface ClaimReportSignOff {
  role: ClaimSignOffRole;
  /** The officer who signed (staff, not family personal data). */
  by: string;
  on?: string;
}

export interface ClaimReportPayment {
  receivedOn: string;
  amountPence: number;
  /** Received minus claimed, as reconciled by the ledger (DOMAIN.md 5.4); negative when short paid. */
  differencePence: number;
}

export interface ClaimReport {
  councilName: string;
  claimId: string;
  windowId?: string;
  asOf: string;
  frameworkId: string;
  planVersions: number[];
  status: string;
  /**
   * The business date the report speaks for, e.g. the claim's submission date (or draft date
   * before submission); `YYYY-MM-DD`, optionally followed by a time. Never the wall clock: the
   * document timestamps inside the XLSX and PDF are this date at 00:00Z.
   */
  generatedFor: string;
  families: ClaimReportFamily[];
  signOffs: ClaimReportSignOff[];
  payment?: ClaimReportPayment;
}

export const claimRoutes: readonly ClaimRoute[] = ['sustained-progress', 'continuous-employment'];

const signOffOrder: readonly ClaimSignOffRole[] = ['programme-lead', 'head-of-audit'];

export interface ClaimTotals {
  /** Families counted in the claim (not removed by audit), by route. */
  byRoute: Record<ClaimRoute, { families: number; amountPence: number }>;
  /**
   * The amount claimed: every family except those audit removed (DOMAIN.md 5.2). A family
   * recovered later (5.5) was claimed and paid, so it stays in here and is shown again below.
   */
  totalPence: number;
  families: number;
  /** Families recovered after a spot check (DOMAIN.md 5.5), totalled separately. */
  recoveredFamilies: number;
  recoveredPence: number;
  /** Claimed less recovered. */
  netPence: number;
  /** Families audit found invalid: listed in the report, excluded from every total. */
  removedFamilies: number;
}

export function claimTotals(report: ClaimReport): ClaimTotals {
  const byRoute = {
    'sustained-progress': { families: 0, amountPence: 0 },
    'continuous-employment': { families: 0, amountPence: 0 },
  } satisfies ClaimTotals['byRoute'];
  let recoveredFamilies = 0;
  let recoveredPence = 0;
  let removedFamilies = 0;
  for (const family of report.families) {
    assertPence(family.amountPence, `amount for family ${family.reference}`);
    if (family.auditStatus === 'sampled: invalid (removed)') {
      removedFamilies += 1;
      continue;
    }
    const route = byRoute[family.route];
    if (route === undefined) throw new RangeError(`unknown route ${String(family.route)} for family ${family.reference}`);
    route.families += 1;
    route.amountPence = addWhole(route.amountPence, family.amountPence);
    if (family.auditStatus === 'recovered') {
      recoveredFamilies += 1;
      recoveredPence = addWhole(recoveredPence, family.amountPence);
    }
  }
  const totalPence = addWhole(byRoute['sustained-progress'].amountPence, byRoute['continuous-employment'].amountPence);
  return {
    byRoute,
    totalPence,
    families: byRoute['sustained-progress'].families + byRoute['continuous-employment'].families,
    recoveredFamilies,
    recoveredPence,
    netPence: addWhole(totalPence, -recoveredPence),
    removedFamilies,
  };
}

/**
 * `£1,234.56` from integer pence by digit manipulation only: no division, no float and no locale
 * (so the bytes do not depend on the ICU data Node was built with).
 */
export function poundsText(amountPence: number): string {
  assertPence(amountPence, 'amount');
  const sign = amountPence < 0 ? '-' : '';
  const digits = String(Math.abs(amountPence)).padStart(3, '0');
  const pounds = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${sign}£${pounds}.${digits.slice(-2)}`;
}

// ---------------------------------------------------------------------------------------------
// The layout every format shares. Writers render this, so the CSV, XLSX and PDF cannot disagree
// on a label, an order or a figure. Internal to the library (not exported from index.ts).

export interface ClaimReportLayout {
  title: string;
  /** Label and value, in print order. */
  claim: { label: string; value: string }[];
  /** Sorted by reference (code-unit order, independent of locale and of the caller's order). */
  families: (ClaimReportFamily & { amount: string })[];
  totals: { label: string; route?: ClaimRoute; families: number; amountPence: number; amount: string }[];
  signOffs: { role: ClaimSignOffRole; by: string; on: string }[];
  payment: { label: string; on: string; amountPence: number; amount: string }[];
  /** `generatedFor` at 00:00Z: the only timestamp written into a document. */
  documentDate: Date;
  /** Document metadata author and creator. */
  author: string;
}

export function claimReportLayout(report: ClaimReport): ClaimReportLayout {
  const documentDate = businessDateAtMidnightUtc(report.generatedFor);
  const families = [...report.families]
    .map((f) => ({ reference: f.reference, route: f.route, amountPence: f.amountPence, auditStatus: f.auditStatus }))
    .sort((a, b) => compareCodeUnits(a.reference, b.reference));
  for (let i = 1; i < families.length; i += 1) {
    if (families[i].reference === families[i - 1].reference) {
      throw new RangeError(`family ${families[i].reference} appears twice in claim ${report.claimId}`);
    }
  }
  const totals = claimTotals(report);
  const planVersions = [...new Set(report.planVersions)].sort((a, b) => a - b);
  const money = (amountPence: number) => ({ amountPence, amount: poundsText(amountPence) });

  return {
    title: `Results claim ${report.claimId}`,
    claim: [
      { label: 'Council', value: report.councilName },
      { label: 'Claim id', value: report.claimId },
      { label: 'Claim window', value: report.windowId ?? '' },
      { label: 'As of', value: report.asOf },
      { label: 'Framework', value: report.frameworkId },
      { label: 'Outcome Plan versions', value: planVersions.join(', ') },
      { label: 'Status', value: report.status },
      { label: 'Generated for', value: report.generatedFor },
    ],
    families: families.map((f) => ({ ...f, amount: poundsText(f.amountPence) })),
    totals: [
      ...claimRoutes.map((route) => ({ label: route, route, families: totals.byRoute[route].families, ...money(totals.byRoute[route].amountPence) })),
      { label: 'Total claimed', families: totals.families, ...money(totals.totalPence) },
      { label: 'Recovered', families: totals.recoveredFamilies, ...money(totals.recoveredPence) },
      { label: 'Net of recoveries', families: totals.families - totals.recoveredFamilies, ...money(totals.netPence) },
    ],
    signOffs: [...report.signOffs]
      .map((s) => ({ role: s.role, by: s.by, on: s.on ?? '' }))
      .sort((a, b) => signOffOrder.indexOf(a.role) - signOffOrder.indexOf(b.role) || compareCodeUnits(a.by, b.by)),
    payment: report.payment
      ? [
          { label: 'Payment received', on: report.payment.receivedOn, ...money(report.payment.amountPence) },
          { label: 'Difference', on: '', ...money(report.payment.differencePence) },
        ]
      : [],
    documentDate,
    author: `${report.councilName} (family outcomes ledger)`,
  };
}

function businessDateAtMidnightUtc(generatedFor: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(generatedFor);
  if (!match) throw new RangeError(`generatedFor must start with a YYYY-MM-DD date, got ${generatedFor}`);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (date.toISOString().slice(0, 10) !== generatedFor.slice(0, 10)) throw new RangeError(`generatedFor is not a calendar date: ${generatedFor}`);
  return date;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertPence(amount: number, what: string): void {
  // DOMAIN.md 1: money is always integer pence.
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${what} must be a whole number of pence, got ${amount}`);
}

function addWhole(a: number, b: number): number {
  const sum = a + b;
  assertPence(sum, 'total');
  return sum;
}
