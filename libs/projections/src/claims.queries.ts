import { type ClaimState, type ClaimStatus, claimStatus } from '@ledger/domain';
import { comparePositions, type LogPosition, parsePosition } from '@ledger/event-store';
import type { SqlClient } from '@ledger/sql';
import { loadClaimState } from './claims.projection';
import type { ProjectionRunner } from './projection-runner';

/** A claim as `GET /api/claims` lists it: the claim's view without its families and declarations. */
export interface ClaimListEntry {
  claimId: string;
  status: ClaimStatus | null;
  windowId: string | null;
  asOf: string;
  frameworkId: string;
  frameworkVersion?: string;
  planVersions: number[];
  totalPence: number;
  totals: ClaimState['totals'];
  draftedOn: string;
  sample: { seed: number; percent: number; familyIds: string[]; sampledOn: string | null; reason?: string } | null;
  signOffs: { role: string; by: string | undefined; signedOn: string | null }[];
  submission: ClaimState['submission'];
  payment: ClaimState['payment'];
  recoveries: { familyId: string; on: string; amountPence: number }[];
  withdrawal: ClaimState['withdrawal'];
  version: number;
}

/** The latest invalid audit finding on a family (in any claim), and where in the log it was recorded. */
export interface InvalidFinding {
  claimId: string;
  foundOn: string;
  recordedAt: LogPosition;
}

/** A submitted claim with its payments and recoveries, for the reconciliation report (which counts them as of a date). */
export interface SubmittedClaimMoney {
  claimId: string;
  windowId: string | null;
  submission: NonNullable<ClaimState['submission']>;
  payments: { on: string; amountPence: number }[];
  recoveries: { on: string; amountPence: number }[];
}

/**
 * Reads of the claims read model (`ClaimsProjection`). In inline mode (`settle`) each read first
 * applies what is already in the log to this projection, so a client reads its own writes (an
 * auditor right after the sample, a list right after a draft). With an external projector the
 * model lags the log by the projector's delay (docs/architecture.md "Read models").
 */
export class ClaimQueries {
  constructor(
    private readonly sql: SqlClient,
    private readonly runner: ProjectionRunner,
    private readonly options: { settle: boolean },
  ) {}

  /** Every drafted claim, in the order claims were drafted, as `GET /api/claims` lists them (optionally of one status). */
  async list(status?: string): Promise<ClaimListEntry[]> {
    const t = await this.table('claims');
    const rows = await this.sql.query<{ claim_id: string; drafted_at: string; version: string; state: unknown }>(
      `select claim_id, drafted_at, version::text as version, state from ${t} where status is not null and ($1::text is null or status = $1)`,
      [status ?? null],
    );
    return inLogOrder(rows, (r) => r.drafted_at).map((r) => claimListEntry(r.claim_id, loadClaimState(r.state), Number(r.version)));
  }

  /**
   * Families internal audit found invalid (the latest finding of a claim on a family is invalid),
   * in any claim but `exceptClaimId`, with the claim, the finding's date and where it was recorded
   * (the latest finding when several claims found the family invalid).
   */
  async invalidFindings(exceptClaimId?: string): Promise<Map<string, InvalidFinding>> {
    const t = await this.table('claim_findings');
    const rows = await this.sql.query<{ claim_id: string; family_id: string; found_on: string; recorded_at: string }>(
      `select claim_id, family_id, found_on, recorded_at from ${t} where not valid and ($1::text is null or claim_id <> $1)`,
      [exceptClaimId ?? null],
    );
    const found = new Map<string, InvalidFinding>();
    for (const r of rows) {
      const recordedAt = parsePosition(r.recorded_at);
      const seen = found.get(r.family_id);
      if (!seen || comparePositions(seen.recordedAt, recordedAt) < 0) found.set(r.family_id, { claimId: r.claim_id, foundOn: r.found_on, recordedAt });
    }
    return found;
  }

  /**
   * Claims whose audit is open by this model (a sample drawn, neither submitted nor withdrawn) and
   * whose sample ever held the family: the candidates an auditor's access check confirms.
   */
  async openSamplesHolding(familyId: string): Promise<string[]> {
    const t = await this.table('claims');
    const rows = await this.sql.query<{ claim_id: string; drafted_at: string }>(`select claim_id, drafted_at from ${t} where not closed and $1::text = any(sampled_family_ids)`, [familyId]);
    return inLogOrder(rows, (r) => r.drafted_at).map((r) => r.claim_id);
  }

  /** Every spot check's id, in the order they were recorded. */
  async spotCheckIds(): Promise<string[]> {
    const t = await this.table('spot_checks');
    const rows = await this.sql.query<{ spot_check_id: string; recorded_at: string }>(`select spot_check_id, recorded_at from ${t}`);
    return inLogOrder(rows, (r) => r.recorded_at).map((r) => r.spot_check_id);
  }

  /** Recoveries that name a spot check: by spot check, then family (the latest recovery of a family when there are several). */
  async recoveriesBySpotCheck(): Promise<Map<string, Map<string, { claimId: string; on: string; amountPence: number }>>> {
    const t = await this.table('claim_money');
    const rows = await this.sql.query<{ claim_id: string; recorded_at: string; on_date: string; amount_pence: string; family_id: string; spot_check_id: string }>(
      `select claim_id, recorded_at, on_date, amount_pence::text as amount_pence, family_id, spot_check_id from ${t} where kind = 'recovery' and spot_check_id is not null`,
    );
    const bySpotCheck = new Map<string, Map<string, { claimId: string; on: string; amountPence: number }>>();
    for (const r of inLogOrder(rows, (row) => row.recorded_at)) {
      const families = bySpotCheck.get(r.spot_check_id) ?? new Map<string, { claimId: string; on: string; amountPence: number }>();
      families.set(r.family_id, { claimId: r.claim_id, on: r.on_date, amountPence: Number(r.amount_pence) });
      bySpotCheck.set(r.spot_check_id, families);
    }
    return bySpotCheck;
  }

  /**
   * Every submitted claim with each payment and recovery and its business date, in the order
   * claims were drafted, payments and recoveries in log order: the reconciliation report counts
   * those on or before its as-of date.
   */
  async submittedClaimsMoney(): Promise<SubmittedClaimMoney[]> {
    const claims = await this.table('claims');
    const money = await this.table('claim_money');
    const rows = await this.sql.query<{ claim_id: string; drafted_at: string; window_id: string | null; state: unknown }>(
      `select claim_id, drafted_at, window_id, state from ${claims} where submitted_on is not null`,
    );
    const lines = await this.sql.query<{ claim_id: string; recorded_at: string; kind: string; on_date: string; amount_pence: string }>(
      `select m.claim_id, m.recorded_at, m.kind, m.on_date, m.amount_pence::text as amount_pence from ${money} m join ${claims} c on c.claim_id = m.claim_id where c.submitted_on is not null`,
    );
    const byClaim = new Map<string, { payments: { on: string; amountPence: number }[]; recoveries: { on: string; amountPence: number }[] }>();
    for (const line of inLogOrder(lines, (l) => l.recorded_at)) {
      const entry = byClaim.get(line.claim_id) ?? { payments: [], recoveries: [] };
      (line.kind === 'payment' ? entry.payments : entry.recoveries).push({ on: line.on_date, amountPence: Number(line.amount_pence) });
      byClaim.set(line.claim_id, entry);
    }
    return inLogOrder(rows, (r) => r.drafted_at).flatMap((r) => {
      const state = loadClaimState(r.state);
      if (!state.submission) return [];
      return [{ claimId: r.claim_id, windowId: r.window_id, submission: state.submission, ...(byClaim.get(r.claim_id) ?? { payments: [], recoveries: [] }) }];
    });
  }

  private async table(base: string): Promise<string> {
    if (this.options.settle) await this.runner.settle(['claims']);
    return this.runner.liveTable('claims', base);
  }
}

/** Rows sorted by a stored log position (`formatPosition`), oldest first. */
function inLogOrder<T>(rows: readonly T[], position: (row: T) => string): T[] {
  return rows
    .map((row) => ({ row, at: parsePosition(position(row)) }))
    .sort((a, b) => comparePositions(a.at, b.at))
    .map((r) => r.row);
}

/** A claim's list entry, built as `GET /api/claims/:claimId` builds its view (without families and declarations). */
export function claimListEntry(claimId: string, state: ClaimState, version: number): ClaimListEntry {
  return {
    claimId,
    status: claimStatus(state),
    windowId: state.windowId,
    asOf: state.asOf,
    frameworkId: state.frameworkId,
    ...(state.frameworkVersion !== undefined ? { frameworkVersion: state.frameworkVersion } : {}),
    planVersions: [...new Set(state.families.drafted.map((f) => f.planVersion))].sort(),
    totalPence: state.totals.remainingPence,
    totals: state.totals,
    draftedOn: state.draftedOn,
    sample: state.sample
      ? {
          seed: state.sample.seed,
          percent: state.sample.percent,
          familyIds: state.sample.familyIds,
          sampledOn: state.sample.sampledOn ?? null,
          ...(state.sample.reason ? { reason: state.sample.reason } : {}),
        }
      : null,
    signOffs: Object.entries(state.signOffs).map(([role, by]) => ({ role, by, signedOn: state.signedOn[role as keyof typeof state.signedOn] ?? null })),
    submission: state.submission,
    payment: state.payment,
    recoveries: [...state.families.recovered].map(([familyId, r]) => ({ familyId, on: r.on, amountPence: r.amountPence })),
    withdrawal: state.withdrawal,
    version,
  };
}
