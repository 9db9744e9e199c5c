import { Body, Controller, Get, Header, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, StreamableFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CsvList } from '../http/csv-list';
import {
  CLAIM_STATUSES,
  type ClaimCandidate,
  claimRouteOf,
  type ClaimCommand,
  type ClaimState,
  EVIDENCE_EVENT_TYPES,
  type Rejection,
  auditSeedOf,
  claimStatus,
  decodeClaimEvent,
  evolveClaim,
  initialClaimState,
  staleFamilies,
  streams,
} from '@ledger/domain';
import type { LedgerConfig } from '@ledger/config';
import { type CommandOutcome, EVENT_STORE, type EventStore, LEDGER_CONFIG, RAW_EVENT_STORE, comparePositions } from '@ledger/event-store';
import { ClaimQueries, OutcomeQueries, claimListEntry } from '@ledger/projections';
import { claimPositionCsv, claimPositionPdf, claimPositionXlsx, claimReportCsv, claimReportPdf, claimReportXlsx } from '@ledger/reporting';
import {
  auditStatusOf,
  ClaimReports,
  COUNCIL_ID,
  readProgramme,
  claimedFamilies,
  readClaim,
  RecordClaimCommand,
  AccessLog,
  ApiError,
  type Actor,
  derivedId,
  type Recording,
} from '@ledger/application';
import { QueryContext } from '../families/query-context';
import { ETag, versioned } from '../http/etag';
import { Recorded, RecordedOnDemand, type RecordingOnDemand } from '../http/recorded';
import { recordedOrThrow } from '../http/recording';
import { AuditFindingDto, AuditSampleDto, DraftClaimDto, PaymentDto, RecoveryDto, SignOffDto, SubmissionDto, WithdrawalDto } from './claims.dto';
import { spotCheckFindingOf } from './spot-checks.controller';
import { Access, roles } from '../auth/access';
import { CurrentActor } from '../auth/actor';
import { ReadBy, Reader } from '../auth/read-by';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const claimIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new ApiError(404, 'no claim with this id', { reason: 'ClaimNotFound' }) });

/** DOMAIN.md 5: who may do what in the claim cycle. */
const ROLES = {
  draft: ['finance-officer', 'admin'],
  // DOMAIN.md 5 (issue 16.1): only internal audit draws the sample.
  sample: ['auditor'],
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
    private readonly outcomes: OutcomeQueries,
    private readonly context: QueryContext,
    private readonly reports: ClaimReports,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RAW_EVENT_STORE) private readonly rawStore: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    private readonly accessLog: AccessLog,
    @Inject(LEDGER_CONFIG) private readonly config: Pick<LedgerConfig, 'declarations'>,
    private readonly claims: ClaimQueries,
  ) {}

  @Access(roles(ROLES.draft))
  @Post()
  @ApiOperation({ summary: 'Draft a claim as of a date: every claimable, not-yet-claimed family with route, plan version, amount and evidence' })
  @ETag()
  async draft(@Body() body: DraftClaimDto, @CurrentActor() actor: Actor, @Recorded() recording: Recording) {
    const { state: programme } = await readProgramme(this.store, this.councilId);
    const window = programme.claimWindows.find((w) => w.windowId === body.windowId);
    await this.context.settle();
    const claimed = await claimedFamilies(this.store, this.councilId);
    const { candidates, frameworkId, frameworkVersion } = await this.outcomes.claimCandidates(body.asOf, new Set(claimed.keys()));
    const claimId = derivedId(recording.envelope.commandId, 'claim');
    const command: ClaimCommand = {
      type: 'DraftClaim',
      claimId,
      ...(body.windowId ? { windowId: body.windowId } : {}),
      ...(window ? { window } : {}),
      windowRequired: programme.claimWindows.length > 0,
      asOf: body.asOf,
      draftedOn: body.draftedOn ?? recording.recordedOn,
      frameworkId,
      frameworkVersion,
      draftedBy: actor.userId,
      families: await this.withoutFamiliesFoundInvalid(candidates),
    };
    const outcome = await this.run(claimId, command, recording);
    const { version } = this.record(outcome);
    // A new draft is answered from the events just recorded (the claim's whole stream): reading a
    // national draft's parts back through the store held another copy of it all (issue 22.5). A
    // retry is answered from the claim as it stands now.
    if (outcome.kind === 'recorded' && !outcome.replayed) {
      const state = outcome.events.reduce((folded, e) => evolveClaim(folded, decodeClaimEvent(e)), initialClaimState());
      return versioned(this.viewOf(claimId, state, version), version);
    }
    return versioned(await this.view(claimId), version);
  }

  /**
   * DOMAIN.md 5: a family internal audit found invalid does not come back in a later draft unless
   * evidence about it was recorded after the finding; one that does is marked with both.
   */
  private async withoutFamiliesFoundInvalid(candidates: ClaimCandidate[]): Promise<ClaimCandidate[]> {
    const invalid = await this.claims.invalidFindings();
    const kept: ClaimCandidate[] = [];
    for (const candidate of candidates) {
      const finding = invalid.get(candidate.familyId);
      if (!finding) {
        kept.push(candidate);
        continue;
      }
      const events = (await this.rawStore.readStream(streams.family(candidate.familyId))).events;
      const newEvidenceEventIds = events.filter((e) => EVIDENCE_EVENT_TYPES.has(e.type) && comparePositions(e.position, finding.recordedAt) > 0).map((e) => e.metadata.eventId);
      if (newEvidenceEventIds.length > 0) kept.push({ ...candidate, afterInvalidFinding: { claimId: finding.claimId, foundOn: finding.foundOn, newEvidenceEventIds } });
    }
    return kept;
  }

  @Access(roles(ROLES.read))
  @Get()
  @ApiOperation({ summary: 'Claims with their status and totals (filter by status)' })
  @ApiQuery({ name: 'status', required: false, enum: CLAIM_STATUSES })
  @CsvList<{
    claims: {
      claimId: string;
      status: string;
      windowId?: string | null;
      asOf: string;
      frameworkId?: string;
      planVersions: number[];
      totalPence: number;
      submission: { submittedOn: string; totalPence: number } | null;
      payment: { receivedOn: string; amountPence: number } | null;
    }[];
  }>({
    filename: 'claims',
    columns: ['claim_id', 'status', 'window_id', 'as_of', 'framework_id', 'plan_versions', 'total_pence', 'submitted_on', 'submitted_pence', 'paid_on', 'paid_pence'],
    rows: ({ claims }) =>
      claims.map((c) => [
        c.claimId,
        c.status,
        c.windowId,
        c.asOf,
        c.frameworkId,
        c.planVersions.join(';'),
        c.totalPence,
        c.submission?.submittedOn,
        c.submission?.totalPence,
        c.payment?.receivedOn,
        c.payment?.amountPence,
      ]),
  })
  async list(@Query('status') status?: string) {
    if (status !== undefined && !(CLAIM_STATUSES as readonly string[]).includes(status)) {
      throw ApiError.badRequest('invalid query: status', [{ field: 'status', message: `must be one of ${CLAIM_STATUSES.join(', ')}` }]);
    }
    // The claims read model: each claim's view without its families and declarations, in drafting order.
    return { claims: await this.claims.list(status) };
  }

  /**
   * Issue 20.4: what a draft as of this date would hold, before it is drafted: the families the
   * draft would take (as `POST /api/claims` chooses them), each with its route and amount, and the
   * total. Records nothing; a finance officer's read is logged family by family like the results.
   */
  @Access(roles(ROLES.draft))
  @Get('preview')
  @ApiOperation({ summary: 'Preview a draft as of a date: the families it would hold, their routes and amounts, and the total; records nothing' })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-03-31', description: 'The date results are judged at (default today)' })
  async preview(@ReadBy() reader: Reader, @Query('asOf') asOfRaw?: string) {
    const { actor } = reader;
    const asOf = this.context.dates(asOfRaw, undefined);
    await this.context.settle();
    const claimed = await claimedFamilies(this.store, this.councilId);
    const { candidates, frameworkId, frameworkVersion } = await this.outcomes.claimCandidates(asOf, new Set(claimed.keys()));
    const families = (await this.withoutFamiliesFoundInvalid(candidates)).map((c) => ({
      familyId: c.familyId,
      reference: c.reference,
      routes: c.routes,
      route: claimRouteOf(c.routes),
      planVersion: c.planVersion,
      amountPence: c.amountPence,
      ...(c.afterInvalidFinding ? { afterInvalidFinding: c.afterInvalidFinding } : {}),
    }));
    if (actor.role === 'finance-officer') {
      await this.accessLog.recordMany(
        actor,
        families.map((f) => ({ route: reader.route, familyId: f.familyId, memberIds: [], outcome: 'served' as const, purpose: reader.purpose() })),
      );
    }
    return { asOf, frameworkId, frameworkVersion, families, totalPence: families.reduce((sum, f) => sum + f.amountPence, 0) };
  }

  @Access(roles(ROLES.read))
  @Get(':claimId')
  @ApiOperation({ summary: 'A claim: status, families (with route, amount, evidence, audit status), sample, sign-offs, payment' })
  @ETag()
  async get(@Param('claimId', claimIdPipe) claimId: string, @ReadBy() reader: Reader) {
    const { actor } = reader;
    const view = await this.view(claimId);
    // Issue 16.6: a finance officer's read of the claim's family references is logged family by family.
    if (actor.role === 'finance-officer') {
      await this.accessLog.recordMany(
        actor,
        view.families.map((f) => ({ route: reader.route, familyId: f.familyId, memberIds: [], outcome: 'served' as const, purpose: reader.purpose() })),
      );
    }
    return versioned(view, view.version);
  }

  @Access(roles(ROLES.sample))
  @Post(':claimId/audit-sample')
  @ApiOperation({
    summary: "Internal audit draws the reproducible, risk-weighted audit sample (same seed → same sample), at the framework's percentage or more with a reason",
  })
  @ETag()
  async sample(@Param('claimId', claimIdPipe) claimId: string, @Body() body: AuditSampleDto, @CurrentActor() actor: Actor, @Recorded() recording: Recording) {
    const seed = body.seed ?? auditSeedOf(claimId);
    const command: ClaimCommand = {
      type: 'DrawAuditSample',
      seed,
      ...(body.percent !== undefined ? { percent: body.percent } : {}),
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      sampledOn: body.sampledOn ?? recording.recordedOn,
      by: actor.userId,
      alreadyClaimedFamilyIds: [],
    };
    const { version } = this.record(await this.run(claimId, command, recording));
    const { sample } = await this.view(claimId);
    return versioned(sample, version);
  }

  @Access(roles(ROLES.finding))
  @Post(':claimId/audit-findings')
  @ApiOperation({ summary: "Record the auditor's finding for a sampled family; an invalid family leaves the claim" })
  @ETag()
  async finding(@Param('claimId', claimIdPipe) claimId: string, @Body() body: AuditFindingDto, @CurrentActor() actor: Actor, @Recorded() recording: Recording) {
    const { foundOn, ...finding } = body;
    return this.recorded(await this.run(claimId, { type: 'RecordAuditFinding', ...finding, auditor: actor.userId, foundOn: foundOn ?? recording.recordedOn }, recording));
  }

  @Access(roles(['programme-manager', 'auditor']))
  @Post(':claimId/sign-offs')
  @ApiOperation({ summary: 'Sign off as programme lead (programme manager) or head of audit (auditor): two different people' })
  @ETag()
  async signOff(@Param('claimId', claimIdPipe) claimId: string, @Body() body: SignOffDto, @CurrentActor() actor: Actor, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    // Both signers' roles may call the route; each signs only in their own capacity (DOMAIN.md 5).
    // The role is refused before the headers are read (so the recording is made here, not by @Recorded()).
    if (actor.role !== SIGNER_ROLE[body.role]) throw new ApiError(403, `this needs the role ${SIGNER_ROLE[body.role]}`, { reason: 'Forbidden' });
    const recording = recordingOf();
    const overrideApprovers = body.role === 'programme-lead' ? await this.overrideApprovers(claimId) : [];
    const command: ClaimCommand = { type: 'SignOffClaim', role: body.role, by: actor.userId, signedOn: body.signedOn ?? recording.recordedOn, overrideApprovers };
    return this.recorded(await this.run(claimId, command, recording));
  }

  /** DOMAIN.md 4.1: who approved a discretionary override on a family still in the claim. */
  private async overrideApprovers(claimId: string): Promise<string[]> {
    const { state } = await this.load(claimId);
    const approvers = new Set<string>();
    for (const familyId of state.families.remaining) {
      for (const e of (await this.rawStore.readStream(streams.family(familyId))).events) {
        if (e.type === 'OutcomeOverrideRecorded') approvers.add(String(e.data.approvedBy));
      }
    }
    return [...approvers];
  }

  @Access(roles(ROLES.submit))
  @Post(':claimId/submission')
  @ApiOperation({ summary: 'Submit the claim (refused until both sign-offs exist); each family is claimed once across all claims' })
  @ETag()
  async submit(@Param('claimId', claimIdPipe) claimId: string, @Body() body: SubmissionDto, @Recorded() recording: Recording) {
    return this.recorded(await this.run(claimId, { type: 'SubmitClaim', submittedOn: body.submittedOn ?? recording.recordedOn, alreadyClaimedFamilyIds: [] }, recording));
  }

  @Access(roles(ROLES.payment))
  @Post(':claimId/payments')
  @ApiOperation({ summary: 'Record the payment received; the difference from the claimed total is reconciled' })
  @ETag()
  async payment(@Param('claimId', claimIdPipe) claimId: string, @Body() body: PaymentDto, @Recorded() recording: Recording) {
    return this.recorded(await this.run(claimId, { type: 'RecordPayment', ...body }, recording));
  }

  @Access(roles(ROLES.recovery))
  @Post(':claimId/recoveries')
  @ApiOperation({ summary: "Recover a family's payment after a spot check (a reversing ledger entry)" })
  @ETag()
  async recovery(@Param('claimId', claimIdPipe) claimId: string, @Body() body: RecoveryDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const { spotCheckId, ...recovery } = body;
    // The spot check is looked up (404 / 422) before the headers are read: the recording is made here.
    const spotCheck = await spotCheckFindingOf(this.store, spotCheckId, body.familyId);
    return this.recorded(await this.run(claimId, { type: 'RecoverFamily', ...recovery, spotCheck }, recordingOf()));
  }

  @Access(roles(ROLES.draft))
  @Post(':claimId/recheck')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Re-check a draft: flags families claimed in another submitted claim since it was drafted, or found invalid by internal audit, with the totals without them',
  })
  async recheck(@Param('claimId', claimIdPipe) claimId: string, @Recorded() recording: Recording) {
    const { state } = await this.load(claimId);
    const claimed = await claimedFamilies(this.store, this.councilId);
    const elsewhere = new Set(
      staleFamilies(
        state,
        [...claimed].filter(([, by]) => by !== claimId).map(([familyId]) => familyId),
      ),
    );
    const invalid = await this.claims.invalidFindings(claimId);
    const flagged = [];
    let flaggedPence = 0;
    for (const family of state.families.drafted) {
      if (!state.families.remaining.includes(family.familyId)) continue;
      const reasons = [];
      if (elsewhere.has(family.familyId)) reasons.push({ reason: 'claimed-elsewhere', claimId: claimed.get(family.familyId) ?? null });
      const finding = invalid.get(family.familyId);
      // A family back with evidence recorded after its finding was drafted knowingly (shown as such).
      if (finding && !(family.afterInvalidFinding && family.afterInvalidFinding.claimId === finding.claimId))
        reasons.push({ reason: 'found-invalid', claimId: finding.claimId, foundOn: finding.foundOn });
      if (reasons.length === 0) continue;
      flagged.push({ familyId: family.familyId, reference: family.reference, amountPence: family.amountPence, flags: reasons });
      flaggedPence += family.amountPence;
    }
    return {
      claimId,
      status: claimStatus(state),
      checkedOn: recording.recordedOn,
      stale: flagged.length > 0,
      flagged,
      totals: {
        familiesPence: state.totals.remainingPence,
        families: state.families.remaining.length,
        withoutFlaggedPence: state.totals.remainingPence - flaggedPence,
        familiesWithoutFlagged: state.families.remaining.length - flagged.length,
      },
    };
  }

  @Access(roles(ROLES.draft))
  @Post(':claimId/withdrawal')
  @ApiOperation({ summary: 'Withdraw a claim not yet submitted, with a reason (a submitted claim is frozen)' })
  @ETag()
  async withdraw(@Param('claimId', claimIdPipe) claimId: string, @Body() body: WithdrawalDto, @CurrentActor() actor: Actor, @Recorded() recording: Recording) {
    return this.recorded(await this.run(claimId, { type: 'WithdrawClaim', reason: body.reason, withdrawnOn: body.withdrawnOn ?? recording.recordedOn, by: actor.userId }, recording));
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/report.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The claim report as CSV: the claim as submitted, frozen (identical bytes every time, whatever is paid or recovered later); a draft is marked DRAFT' })
  async csv(@Param('claimId', claimIdPipe) claimId: string) {
    return this.file(claimReportCsv(await this.reports.build(claimId)), 'text/csv; charset=utf-8', `claim-${claimId}.csv`);
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/report.xlsx')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: 'The claim report as XLSX' })
  async xlsx(@Param('claimId', claimIdPipe) claimId: string) {
    return this.file(await claimReportXlsx(await this.reports.build(claimId)), XLSX, `claim-${claimId}.xlsx`);
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/report.pdf')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The claim report as PDF' })
  async pdf(@Param('claimId', claimIdPipe) claimId: string) {
    return this.file(await claimReportPdf(await this.reports.build(claimId)), 'application/pdf', `claim-${claimId}.pdf`);
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/position.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: "The claim's position after submission as CSV: claimed, paid, the difference and recoveries (422 ClaimNotSubmitted before submission)" })
  async positionCsv(@Param('claimId', claimIdPipe) claimId: string) {
    const report = await this.reports.position(claimId);
    return this.file(claimPositionCsv(report), 'text/csv; charset=utf-8', `claim-${claimId}-position.csv`);
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/position.xlsx')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: "The claim's position after submission as XLSX" })
  async positionXlsx(@Param('claimId', claimIdPipe) claimId: string) {
    const report = await this.reports.position(claimId);
    return this.file(await claimPositionXlsx(report), XLSX, `claim-${claimId}-position.xlsx`);
  }

  @Access(roles(ROLES.read))
  @Get(':claimId/position.pdf')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: "The claim's position after submission as PDF" })
  async positionPdf(@Param('claimId', claimIdPipe) claimId: string) {
    const report = await this.reports.position(claimId);
    return this.file(await claimPositionPdf(report), 'application/pdf', `claim-${claimId}-position.pdf`);
  }

  /** A file answer: its type set only once it is built (by Nest, from the file), so a refusal goes out as JSON. */
  private file(bytes: Buffer, contentType: string, filename: string): StreamableFile {
    return new StreamableFile(bytes, { type: contentType, disposition: `attachment; filename="${filename}"` });
  }

  private run(claimId: string, command: ClaimCommand, recording: Recording): Promise<CommandOutcome<Rejection>> {
    return this.commands.execute(new RecordClaimCommand(claimId, command, recording));
  }

  /** `{ eventId, version }` of the command's last event. */
  private record(outcome: CommandOutcome<Rejection>) {
    const recorded = recordedOrThrow(outcome, 'claim');
    return { eventId: recorded.events[recorded.events.length - 1]?.eventId ?? null, version: recorded.version };
  }

  /** `{ eventId, version }`, with the claim's version as its ETag. */
  private recorded(outcome: CommandOutcome<Rejection>) {
    const answer = this.record(outcome);
    return versioned(answer, answer.version);
  }

  private async load(claimId: string): Promise<{ state: ClaimState; version: number }> {
    const loaded = await readClaim(this.store, claimId);
    if (!loaded.state.drafted) throw new ApiError(404, 'no claim with this id', { reason: 'ClaimNotFound' });
    return loaded;
  }

  private async view(claimId: string) {
    const { state, version } = await this.load(claimId);
    return this.viewOf(claimId, state, version);
  }

  private viewOf(claimId: string, state: ClaimState, version: number) {
    return {
      // The list's entry for the claim (one definition of a claim's summary, in the claims read model's queries) ...
      ...claimListEntry(claimId, state, version),
      // ... with its families and their audit status, and (issue 20.4) the declarations the two signatories make.
      families: state.families.drafted.map((f) => ({ ...f, auditStatus: auditStatusOf(state, f.familyId) })),
      declarations: [
        { role: 'programme-lead', text: this.config.declarations.programmeLead },
        { role: 'head-of-audit', text: this.config.declarations.headOfAudit },
      ],
    };
  }
}
