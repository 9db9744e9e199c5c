import { addWhole, assertPence } from './money';
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
export type ClaimAuditStatus = 'not sampled' | 'sampled: valid' | 'sampled: invalid (removed)' | 'sampled: awaiting finding' | 'recovered';

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
  /** The officer who signed, by name (staff, not family personal data). */
  by: string;
  /** The business date of the sign-off, when known. */
  on?: string;
}

/** The declaration a signatory makes (DOMAIN.md 5.3), printed with their sign-off. */
export interface ClaimDeclaration {
  role: ClaimSignOffRole;
  text: string;
}

/**
 * The claim as submitted (or, before submission, the draft as it stands). Built from the claim's
 * events up to and including its submission, so payments and recoveries never change it
 * (DOMAIN.md 5: the report as submitted is frozen).
 */
export interface ClaimReport {
  councilName: string;
  claimId: string;
  windowId?: string;
  /** The claim window's dates from the programme's configuration, when known. */
  window?: { opensOn: string; closesOn: string };
  asOf: string;
  frameworkId: string;
  /** The framework's data version; absent on claims drafted before it was recorded. */
  frameworkVersion?: string;
  planVersions: number[];
  status: string;
  /** The business date of submission; absent while the claim is a draft (the report is then watermarked DRAFT). */
  submittedOn?: string;
  /**
   * The business date the report speaks for, e.g. the claim's submission date (or draft date
   * before submission); `YYYY-MM-DD`, optionally followed by a time. Never the wall clock: the
   * document timestamps inside the XLSX and PDF are this date at 00:00Z.
   */
  generatedFor: string;
  families: ClaimReportFamily[];
  signOffs: ClaimReportSignOff[];
  /** The declarations of the programme lead and the head of internal audit. */
  declarations?: ClaimDeclaration[];
}

export { poundsText } from './money';

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
