import { Body, Controller, Get, Header, Inject, Param, ParseUUIDPipe, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CsvList } from '../http/csv-list';
import type { Request, Response } from 'express';
import { type ClaimCommand, type ClaimState, type Rejection, auditSeedOf, claimStatus } from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { OutcomeQueries } from '@ledger/projections';
import { claimReportCsv, claimReportPdf, claimReportXlsx } from '@ledger/reporting';
import { auditStatusOf, ClaimReports } from './claim-reports.service';
import { requireRole } from '../auth/auth.controller';
import { QueryContext } from '../families/query-context';
import { ApiError } from '../http/api-error';
import { derivedId, type Recording, RecordingFactory, recordedOrThrow } from '../http/recording';
import { COUNCIL_ID, readProgramme } from '../programme/programme-commands';
import { allClaimIds, claimedFamilies, readClaim, RecordClaimCommand } from './claim-commands';
import { AuditFindingDto, AuditSampleDto, DraftClaimDto, PaymentDto, RecoveryDto, SignOffDto } from './claims.dto';
import { Access, roles } from '../auth/access';

const claimIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new ApiError(404, 'no claim with this id', { reason: 'ClaimNotFound' }) });

/** DOMAIN.md 5: who may do what in the claim cycle. */
const ROLES = {
  draft: ['finance-officer', 'admin'],
  sample: ['auditor', 'finance-officer'],
  finding: ['auditor'],
  submit: ['finance-officer'],
  payment: ['finance-officer'],
  recovery: ['finance-officer'],
  read: ['finance-officer', 'auditor', 'programme-manager', 'admin'],
} as const;
const SIGNER_ROLE = { 'programme-lead': 'programme-manager', 'head-of-audit': 'auditor' } as const;

@ApiTags('claims')
@Controller('api/claims')
export class ClaimsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly recordings: RecordingFactory,
    private readonly outcomes: OutcomeQueries,
    private readonly context: QueryContext,
    private readonly reports: ClaimReports,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  @Access(roles(ROLES.draft))
  @Post()
  @ApiOperation({ summary: 'Draft a claim as of a date: every claimable, not-yet-claimed family with route, plan version, amount and evidence' })
  async draft(@Body() body: DraftClaimDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const actor = requireRole(req, ROLES.draft);
    const recording = this.recordings.from(req);
    const { state: programme } = await readProgramme(this.store, this.councilId);
    if (body.windowId && !programme.claimWindows.some((w) => w.windowId === body.windowId)) {
      throw new ApiError(422, `no claim window ${body.windowId}`, { reason: 'UnknownClaimWindow' });
    }
    await this.context.settle();
    const claimed = await claimedFamilies(this.store, this.councilId);
    const { candidates, frameworkId } = await this.outcomes.claimCandidates(body.asOf, new Set(claimed.keys()));
    const claimId = derivedId(recording.envelope.commandId, 'claim');
    const command: ClaimCommand = { type: 'DraftClaim', claimId, ...(body.windowId ? { windowId: body.windowId } : {}), asOf: body.asOf, frameworkId, draftedBy: actor.userId, families: candidates };
    this.record(await this.run(claimId, command, recording), res);
    return this.view(claimId);
  }

  @Access(roles(ROLES.read))
  @Get()
  @ApiOperation({ summary: 'Claims with their status and totals' })
  @CsvList<{ claims: { claimId: string; status: string; windowId?: string | null; asOf: string; frameworkId?: string; planVersions: number[]; totalPence: number; submission: { submittedOn: string; totalPence: number } | null; payment: { receivedOn: string; amountPence: number } | null }[] }>({
    filename: 'claims',
    columns: ['claim_id', 'status', 'window_id', 'as_of', 'framework_id', 'plan_versions', 'total_pence', 'submitted_on', 'submitted_pence', 'paid_on', 'paid_pence'],
    rows: ({ claims }) =>
      claims.map((c) => [c.claimId, c.status, c.windowId, c.asOf, c.frameworkId, c.planVersions.join(';'), c.totalPence, c.submission?.submittedOn, c.submission?.totalPence, c.payment?.receivedOn, c.payment?.amountPence]),
  })
  async list(@Req() req: Request) {
    requireRole(req, ROLES.read);
    const claims = [];
    for (const id of await allClaimIds(this.store)) {
      const { families: _families, ...summary } = await this.view(id);
      claims.push(summary);
    }
    return { claims };
  }

  @Access(roles(ROLES.read))
  @Get(':claimId')
  @ApiOperation({ summary: 'A claim: status, families (with route, amount, evidence, audit status), sample, sign-offs, payment' })
  async get(@Param('claimId', claimIdPipe) claimId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.read);
    const view = await this.view(claimId);
    res.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Access(roles(ROLES.sample))
  @Post(':claimId/audit-sample')
  @ApiOperation({ summary: 'Draw the reproducible, risk-weighted audit sample (same seed → same sample)' })
  async sample(@Param('claimId', claimIdPipe) claimId: string, @Body() body: AuditSampleDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.sample);
    const seed = body.seed ?? auditSeedOf(claimId);
    this.record(await this.run(claimId, { type: 'DrawAuditSample', seed, ...(body.percent !== undefined ? { percent: body.percent } : {}) }, this.recordings.from(req)), res);
    const { sample } = await this.view(claimId);
    return sample;
  }

  @Access(roles(ROLES.finding))
  @Post(':claimId/audit-findings')
  @ApiOperation({ summary: "Record the auditor's finding for a sampled family; an invalid family leaves the claim" })
  async finding(@Param('claimId', claimIdPipe) claimId: string, @Body() body: AuditFindingDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const actor = requireRole(req, ROLES.finding);
    return this.record(await this.run(claimId, { type: 'RecordAuditFinding', ...body, auditor: actor.userId }, this.recordings.from(req)), res);
  }

  @Access(roles(['programme-manager', 'auditor']))
  @Post(':claimId/sign-offs')
  @ApiOperation({ summary: 'Sign off as programme lead (programme manager) or head of audit (auditor): two different people' })
  async signOff(@Param('claimId', claimIdPipe) claimId: string, @Body() body: SignOffDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const actor = requireRole(req, [SIGNER_ROLE[body.role]]);
    return this.record(await this.run(claimId, { type: 'SignOffClaim', role: body.role, by: actor.userId }, this.recordings.from(req)), res);
  }

  @Access(roles(ROLES.submit))
  @Post(':claimId/submission')
  @ApiOperation({ summary: 'Submit the claim (refused until both sign-offs exist); each family is claimed once across all claims' })
  async submit(@Param('claimId', claimIdPipe) claimId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.submit);
    const recording = this.recordings.from(req);
    return this.record(await this.run(claimId, { type: 'SubmitClaim', submittedOn: recording.recordedOn, alreadyClaimedFamilyIds: [] }, recording), res);
  }

  @Access(roles(ROLES.payment))
  @Post(':claimId/payments')
  @ApiOperation({ summary: 'Record the payment received; the difference from the claimed total is reconciled' })
  async payment(@Param('claimId', claimIdPipe) claimId: string, @Body() body: PaymentDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.payment);
    return this.record(await this.run(claimId, { type: 'RecordPayment', ...body }, this.recordings.from(req)), res);
  }

  @Access(roles(ROLES.recovery))
  @Post(':claimId/recoveries')
  @ApiOperation({ summary: "Recover a family's payment after a spot check (a reversing ledger entry)" })
  async recovery(@Param('claimId', claimIdPipe) claimId: string, @Body() body: RecoveryDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.recovery);
    return this.record(await this.run(claimId, { type: 'RecoverFamily', ...body }, this.recordings.from(req)), res);
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/report.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'The claim report as CSV: identical bytes every time for the same claim' })
  async csv(@Param('claimId', claimIdPipe) claimId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.read);
    res.setHeader('Content-Disposition', `attachment; filename="claim-${claimId}.csv"`);
    return new StreamableFile(claimReportCsv(await this.reports.build(claimId)));
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/report.xlsx')
  @Header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: 'The claim report as XLSX' })
  async xlsx(@Param('claimId', claimIdPipe) claimId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.read);
    res.setHeader('Content-Disposition', `attachment; filename="claim-${claimId}.xlsx"`);
    return new StreamableFile(await claimReportXlsx(await this.reports.build(claimId)));
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/report.pdf')
  @Header('Content-Type', 'application/pdf')
  @ApiOperation({ summary: 'The claim report as PDF' })
  async pdf(@Param('claimId', claimIdPipe) claimId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    requireRole(req, ROLES.read);
    res.setHeader('Content-Disposition', `attachment; filename="claim-${claimId}.pdf"`);
    return new StreamableFile(await claimReportPdf(await this.reports.build(claimId)));
  }

  private run(claimId: string, command: ClaimCommand, recording: Recording): Promise<CommandOutcome<Rejection>> {
    return this.commands.execute(new RecordClaimCommand(claimId, command, recording));
  }

  private record(outcome: CommandOutcome<Rejection>, res: Response) {
    const recorded = recordedOrThrow(outcome, 'claim');
    res.setHeader('ETag', `"${recorded.version}"`);
    return { eventId: recorded.events[recorded.events.length - 1]?.eventId ?? null, version: recorded.version };
  }

  private async load(claimId: string): Promise<{ state: ClaimState; version: number }> {
    const loaded = await readClaim(this.store, claimId);
    if (!loaded.state.drafted) throw new ApiError(404, 'no claim with this id', { reason: 'ClaimNotFound' });
    return loaded;
  }

  private async view(claimId: string) {
    const { state, version } = await this.load(claimId);
    return {
      claimId,
      status: claimStatus(state),
      windowId: state.windowId,
      asOf: state.asOf,
      frameworkId: state.frameworkId,
      planVersions: [...new Set(state.families.drafted.map((f) => f.planVersion))].sort(),
      totalPence: state.totals.remainingPence,
      totals: state.totals,
      families: state.families.drafted.map((f) => ({ ...f, auditStatus: auditStatusOf(state, f.familyId) })),
      sample: state.sample ? { seed: state.sample.seed, percent: state.sample.percent, familyIds: state.sample.familyIds } : null,
      signOffs: Object.entries(state.signOffs).map(([role, by]) => ({ role, by })),
      submission: state.submission,
      payment: state.payment,
      version,
    };
  }


}


