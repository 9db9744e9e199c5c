import { Body, Controller, Get, Header, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Rejection, financialYearOf, frameworks, troubledFamilies2015 } from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { FamilyQueries } from '@ledger/projections';
import { requireRole } from '../auth/auth.controller';
import { QueryContext } from '../families/query-context';
import { BoolField, DateField, IntField, PatternField } from '../http/fields';
import { RecordingFactory, recordedOrThrow } from '../http/recording';
import { COUNCIL_ID, readProgramme, RecordProgrammeCommand } from '../programme/programme-commands';
import { allClaimIds, readClaim } from './claim-commands';
import { Access, roles } from '../auth/access';

export class AttachmentProfileDto {
  @PatternField(/^\d{4}\/\d{2}$/, '2017/18', 'must be a financial year like 2017/18') financialYear!: string;
  @IntField({ min: 0, max: 1_000_000 }) families!: number;
}

export class AttachmentFeeReceiptDto {
  @DateField({ description: 'Never after the day it is recorded' }) receivedOn!: string;
  @IntField({ min: 1, max: 100_000_000_000 }) amountPence!: number;
  @PatternField(/^\d{4}\/\d{2}$/, '2016/17', 'must be a financial year like 2016/17') financialYear!: string;
  @BoolField({ optional: true, description: 'Confirms a second receipt with the same financial year, date and amount as one already recorded (409 PossibleDuplicateReceipt otherwise)' })
  allowDuplicate?: boolean;
}

interface ReconciledClaim {
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

const FINANCE = ['finance-officer', 'auditor', 'programme-manager', 'admin'] as const;

/** The finance officer's other reports: attachment fees against allocation, and reconciliation. */
@ApiTags('claims')
@ApiBearerAuth()
@Controller('api')
export class FinanceReportsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly recordings: RecordingFactory,
    private readonly families: FamilyQueries,
    private readonly context: QueryContext,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  @Access({ 'finance-officer': true })
  @Post('attachment-fees/receipts')
  @ApiOperation({ summary: 'Record attachment fees received from central government for a financial year' })
  async receipt(@Body() body: AttachmentFeeReceiptDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ['finance-officer']);
    const recording = this.recordings.from(req);
    const outcome: CommandOutcome<Rejection> = await this.commands.execute(new RecordProgrammeCommand({ type: 'RecordAttachmentFeeReceipt', ...body, recordedOn: recording.recordedOn }, recording));
    const recorded = recordedOrThrow(outcome, 'programme');
    res.setHeader('ETag', `"${recorded.version}"`);
    return { eventId: recorded.events[0]?.eventId ?? null, version: recorded.version };
  }

  @Access({ 'finance-officer': true })
  @Post('attachment-fees/profile')
  @ApiOperation({ summary: "Set a financial year's attachment profile (families expected), for the profile fee basis" })
  async profile(@Body() body: AttachmentProfileDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ['finance-officer']);
    const recording = this.recordings.from(req);
    const outcome: CommandOutcome<Rejection> = await this.commands.execute(
      new RecordProgrammeCommand({ type: 'SetAttachmentProfile', financialYear: body.financialYear, families: body.families, setOn: recording.recordedOn }, recording),
    );
    const recorded = recordedOrThrow(outcome, 'programme');
    res.setHeader('ETag', `"${recorded.version}"`);
    return { eventId: recorded.events[0]?.eventId ?? null, version: recorded.version };
  }

  @Access(roles(FINANCE))
  @Get('reports/attachment-fees')
  @ApiOperation({ summary: 'Attachment fees per financial year: families attached, fees due at that year’s rate, received, against the allocation' })
  async attachmentFees(@Req() req: Request) {
    requireRole(req, FINANCE);
    await this.context.settle();
    const { state } = await readProgramme(this.store, this.councilId);
    const framework = frameworks[state.framework] ?? troubledFamilies2015;
    const { attachmentsByMonth } = await this.families.counts();
    const byYear = new Map<string, number>();
    for (const [month, n] of Object.entries(attachmentsByMonth)) {
      const year = financialYearOf(`${month}-01`);
      byYear.set(year, (byYear.get(year) ?? 0) + n);
    }
    const years = Object.keys(framework.ratesByFinancialYear).sort();
    const rows = years.map((financialYear) => {
      const attached = byYear.get(financialYear) ?? 0;
      const rate = framework.ratesByFinancialYear[financialYear].attachmentFeePence;
      const profiled = state.profile.get(financialYear) ?? null;
      // On the profile basis the fee is due on the profile; the true-up is what actual attachments would have earned less that.
      const duePence = state.attachmentFeeBasis === 'actual' ? attached * rate : (profiled ?? 0) * rate;
      const receivedPence = state.feesReceived.get(financialYear) ?? 0;
      return {
        financialYear,
        familiesAttached: attached,
        profileFamilies: profiled,
        ratePence: rate,
        duePence,
        receivedPence,
        outstandingPence: duePence - receivedPence,
        // Issue 18.7: more received than due is flagged, never netted away silently.
        overpaidPence: Math.max(0, receivedPence - duePence),
        overpaid: receivedPence > duePence,
        ...(state.attachmentFeeBasis === 'profile' ? { profileReconciliationPence: attached * rate - duePence } : {}),
      };
    });
    const attachedTotal = rows.reduce((s, r) => s + r.familiesAttached, 0);
    return {
      councilName: state.councilName,
      basis: state.attachmentFeeBasis,
      allocation: state.allocation,
      familiesAttached: attachedTotal,
      placesLeft: Math.max(0, state.allocation - attachedTotal),
      years: rows,
      totals: { duePence: rows.reduce((s, r) => s + r.duePence, 0), receivedPence: rows.reduce((s, r) => s + r.receivedPence, 0), overpaidPence: rows.reduce((s, r) => s + r.overpaidPence, 0) },
      overpaidYears: rows.filter((r) => r.overpaid).map((r) => r.financialYear),
    };
  }

  @Access(roles(FINANCE))
  @Get('reports/reconciliation')
  @ApiOperation({ summary: 'Claimed, paid and recovered per claim, per claim window and per financial year' })
  async reconciliation(@Req() req: Request) {
    requireRole(req, FINANCE);
    return this.reconcile();
  }

  @Access(roles(FINANCE))
  @Get('reports/reconciliation.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'The reconciliation as CSV' })
  async reconciliationCsv(@Req() req: Request) {
    requireRole(req, FINANCE);
    const { claims } = await this.reconcile();
    const lines = ['claim_id,window_id,financial_year,status,families,claimed_pence,paid_pence,difference_pence,recovered_pence'];
    for (const c of claims) lines.push([c.claimId, c.windowId ?? '', c.financialYear ?? '', c.status, c.families, c.claimedPence, c.paidPence, c.differencePence, c.recoveredPence].join(','));
    return `${lines.join('\r\n')}\r\n`;
  }

  private async reconcile() {
    const claims: ReconciledClaim[] = [];
    for (const claimId of await allClaimIds(this.store)) {
      const { state } = await readClaim(this.store, claimId);
      if (!state.submission) continue;
      claims.push({
        claimId,
        windowId: state.windowId,
        financialYear: financialYearOf(state.submission.submittedOn),
        status: state.payment ? 'paid' : 'submitted',
        families: state.submission.familyIds.length,
        claimedPence: state.submission.totalPence,
        paidPence: state.payment?.amountPence ?? 0,
        differencePence: state.payment?.differencePence ?? 0,
        recoveredPence: state.totals.recoveredPence,
      });
    }
    const sum = (key: 'claimedPence' | 'paidPence' | 'differencePence' | 'recoveredPence', rows: ReconciledClaim[]) => rows.reduce((s, r) => s + r[key], 0);
    const group = (keyOf: (c: ReconciledClaim) => string) => {
      const groups = new Map<string, ReconciledClaim[]>();
      for (const c of claims) groups.set(keyOf(c), [...(groups.get(keyOf(c)) ?? []), c]);
      return [...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, rows]) => ({ key, claimedPence: sum('claimedPence', rows), paidPence: sum('paidPence', rows), differencePence: sum('differencePence', rows), recoveredPence: sum('recoveredPence', rows) }));
    };
    return { claims, byWindow: group((c) => c.windowId ?? '(no window)'), byFinancialYear: group((c) => c.financialYear) };
  }
}
