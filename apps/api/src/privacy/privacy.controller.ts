import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOperation, ApiProduces, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CsvList } from '../http/csv-list';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { Request, Response } from '../http/http';
import type { LedgerConfig } from '@ledger/config';
import { type FamilyState, type Member, foldStoredFamily, isBusinessDate, isDependentChild, problemsIdentifiedBy, streams, troubledFamilies2015 } from '@ledger/domain';
import { EVENT_STORE, type EventStore, LEDGER_CONFIG } from '@ledger/event-store';
import { FamilyQueries, OutcomeQueries } from '@ledger/projections';
import { csvRecords, outcomesReportCsv } from '@ledger/reporting';
import { Access, routeOf } from '../auth/access';
import { CurrentActor, actorOf } from '../auth/actor';
import { FAMILY_STATES, type FamilyStates } from '../families/family-commands';
import { QueryContext } from '../families/query-context';
import { RecordingFactory } from '../http/recording';
import { createHash } from 'node:crypto';
import { ONS_AGREEMENT_TERMS } from './ons-transfers';
import { appendPrivacyRecord, readProgramme, registerStream, COUNCIL_ID, AccessLog, ApiError, type FieldProblem, CLOCK, type Clock, derivedId, type Actor } from '@ledger/application';
import { ERASED, KeyVault, latestConsents, Erasure } from '@ledger/privacy';
import { ImportService } from '@ledger/imports';

export class OnsTransferDto {
  @ApiProperty({ example: '2015-04-01', description: 'Families identified from this date' })
  @IsString()
  from!: string;

  @ApiProperty({ example: '2020-03-31', description: 'to this date (eligibility is judged at it)' })
  @IsString()
  to!: string;
}

export class ErasureDto {
  @ApiProperty({ example: 'request from the data subject (ref DSR-2019-044)', description: 'Why; recorded with the erasure. Do not put personal data here.' })
  @IsString()
  @MinLength(3)
  @MaxLength(200)
  reason!: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** DOMAIN.md 6: erasure, the access log, the ONS evaluation export and the published outcomes table. */
@ApiTags('privacy and evaluation')
@Controller('api')
export class PrivacyController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KeyVault) private readonly vault: KeyVault,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    private readonly families: FamilyQueries,
    private readonly outcomes: OutcomeQueries,
    private readonly context: QueryContext,
    private readonly accessLog: AccessLog,
    @Inject(FAMILY_STATES) private readonly familyStates: FamilyStates,
    private readonly recordings: RecordingFactory,
    @Inject(ImportService) private readonly imports: ImportService,
  ) {}

  @Access({ admin: true })
  @Post('people/:memberId/erasure')
  @HttpCode(202)
  @ApiOperation({
    summary: "Erase a person's personal data (crypto-shredding)",
    description:
      "Destroys the person's key: their names, date of birth, identifiers and other personal fields read as a placeholder from then on, everywhere; claims, totals and the ledger are unchanged. Idempotent.",
  })
  @ApiAcceptedResponse({ schema: { example: { memberId: 'uuid', familyId: 'uuid', status: 'erased' } } })
  @ApiNotFoundResponse({ description: 'No person with this id' })
  async erase(@Param('memberId') memberId: string, @Body() body: ErasureDto, @CurrentActor() actor: Actor) {
    if (!UUID.test(memberId)) throw new ApiError(404, 'no person with this id', { reason: 'PersonNotFound' });
    await this.context.settle();
    const familyId = await this.families.familyOfMember(memberId);
    if (familyId === null) throw new ApiError(404, 'no person with this id', { reason: 'PersonNotFound' });
    const outcome = await new Erasure(this.vault, this.store, [this.imports]).erase({
      memberId,
      familyId,
      reason: body.reason,
      by: { userId: actor.userId, role: actor.role },
      at: this.clock.now().toISOString(),
    });
    // The family's folded state for commands holds the person's opened fields: forgotten now.
    this.familyStates.forget(streams.family(familyId));
    return { memberId, familyId, status: outcome === 'already-erased' ? 'already-erased' : 'erased' };
  }

  @Access({ admin: true, auditor: true })
  @Get('audit/access-log')
  @ApiOperation({ summary: 'Who read whose personal data, when, through which route, and why; and every refused request (newest first)' })
  @ApiQuery({ name: 'memberId', required: false })
  @ApiQuery({ name: 'familyId', required: false })
  @ApiQuery({ name: 'userId', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false, description: 'The `next` of the previous page' })
  @CsvList<{
    entries: {
      id: string | number;
      at: string;
      userId: string;
      role: string;
      organisation?: string | null;
      route: string;
      outcome: string;
      familyId?: string | null;
      memberIds?: string[];
      purpose?: string | null;
    }[];
    next?: string | null;
  }>({
    filename: 'access-log',
    columns: ['id', 'at', 'user_id', 'role', 'organisation', 'route', 'outcome', 'family_id', 'member_ids', 'purpose'],
    rows: ({ entries }) => entries.map((e) => [String(e.id), e.at, e.userId, e.role, e.organisation, e.route, e.outcome, e.familyId, (e.memberIds ?? []).join(';'), e.purpose]),
    headers: (page) => ({ 'X-Next-After': page.next ?? null }),
  })
  async accessLogEntries(
    @Query('memberId') memberId?: string,
    @Query('familyId') familyId?: string,
    @Query('userId') userId?: string,
    @Query('limit') limitRaw?: string,
    @Query('after') after?: string,
  ) {
    const problems: FieldProblem[] = [];
    if (memberId !== undefined && !UUID.test(memberId)) problems.push({ field: 'memberId', message: 'must be a memberId' });
    if (familyId !== undefined && !UUID.test(familyId)) problems.push({ field: 'familyId', message: 'must be a familyId' });
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) problems.push({ field: 'limit', message: 'must be a whole number from 1 to 1000' });
    if (after !== undefined && !/^\d{1,18}$/.test(after)) problems.push({ field: 'after', message: 'must be the `next` of a previous page' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);
    return this.accessLog.list({ memberId, familyId, userId, after, limit });
  }

  @Access({ analyst: true })
  @Get('exports/ons-evaluation.csv')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: 'The ONS evaluation export (kept for existing callers: prefer POST /api/exports/ons-evaluation)',
    description:
      'Families identified between from and to that were assessed as eligible (two or more headline problems and a dependent child by `to`) or took part (attached). One row per person; people who withdrew consent to evaluation, and erased people, are left out. Every person exported is written to the access log, and the export is recorded as a transfer under the ONS data agreement (`X-Transfer-Id`), as the POST does.',
  })
  @ApiQuery({ name: 'from', required: true, example: '2015-04-01' })
  @ApiQuery({ name: 'to', required: true, example: '2020-03-31' })
  async onsExport(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Query('from') from?: string, @Query('to') to?: string) {
    return this.onsTransfer(req, res, from, to);
  }

  @Access({ analyst: true })
  @Post('exports/ons-evaluation')
  @HttpCode(201)
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: 'Transfer the ONS evaluation file: records the transfer under the data agreement and returns the file',
    description:
      "The file of `GET /api/exports/ons-evaluation.csv`, recorded as a transfer (`onsTransfer-<transferId>`): the agreement (LEDGER_ONS_AGREEMENT) and its terms, the date, the number of people and families, the file's SHA-256, the opt-outs applied and who was in it. `X-Transfer-Id` and `X-File-Sha256` name it. A retry with the same Idempotency-Key is the same transfer.",
  })
  async onsTransferPost(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: OnsTransferDto) {
    return this.onsTransfer(req, res, body.from, body.to);
  }

  private async onsTransfer(req: Request, res: Response, from?: string, to?: string): Promise<string> {
    const problems: FieldProblem[] = [];
    if (from === undefined || !isBusinessDate(from)) problems.push({ field: 'from', message: 'must be a calendar date YYYY-MM-DD' });
    if (to === undefined || !isBusinessDate(to)) problems.push({ field: 'to', message: 'must be a calendar date YYYY-MM-DD' });
    if (problems.length === 0 && (to as string) < (from as string)) problems.push({ field: 'to', message: 'must not be before from' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid ${req.method === 'GET' ? 'query' : 'body'}: ${problems.map((p) => p.field).join(', ')}`, problems);
    const recording = this.recordings.from(req);
    await this.context.settle();

    const header = [
      'family_id',
      'family_reference',
      'member_id',
      'relationship',
      'given_name',
      'family_name',
      'date_of_birth',
      'gender',
      'postcode',
      'national_insurance_number',
      'identified_on',
      'assessed_eligible',
      'attached_on',
      'participated',
      'closed_on',
      'problems_at_entry',
    ];
    const records: string[][] = [header];
    const actor = actorOf(req);
    const included: string[] = [];
    let families = 0;
    let optOuts = 0;
    for (const familyId of await this.families.identifiedBetween(from as string, to as string)) {
      const read = await this.store.readStream(streams.family(familyId));
      const state = foldStoredFamily(read.events);
      const evaluationConsent = latestConsents(read.events, 'evaluation');
      const members = [...state.members.values()];
      const eligible =
        problemsIdentifiedBy(state, to as string).length >= troubledFamilies2015.minimumHeadlineProblems && members.some((m) => m.dateOfBirth !== ERASED && isDependentChild(m, to as string));
      const attached = state.attachment !== null && state.attachment !== undefined;
      if (!eligible && !attached) continue;
      optOuts += members.filter((m) => evaluationConsent.get(m.memberId) === false && m.givenName !== ERASED).length;
      const exported = members.filter((m) => evaluationConsent.get(m.memberId) !== false && m.givenName !== ERASED);
      for (const m of exported) records.push(onsRow(familyId, state.reference, m, state, eligible, attached));
      if (exported.length > 0) {
        families += 1;
        included.push(...exported.map((m) => m.memberId));
        await this.accessLog.record({ actor, route: routeOf(req), familyId, memberIds: exported.map((m) => m.memberId), outcome: 'served', purpose: 'ONS evaluation linkage' });
      }
    }
    const file = csvRecords(records);
    const fileSha256 = createHash('sha256').update(file, 'utf8').digest('hex');
    const transferId = derivedId(recording.envelope.commandId, 'onsTransfer');
    await appendPrivacyRecord(
      this.store,
      registerStream('onsTransfer'),
      'OnsTransferRecorded',
      {
        transferId,
        agreementReference: this.config.onsAgreementReference,
        terms: [...ONS_AGREEMENT_TERMS],
        from: from as string,
        to: to as string,
        transferredOn: recording.recordedOn,
        people: included.length,
        families,
        fileSha256,
        optOutsApplied: optOuts,
        memberIds: included,
      },
      recording,
    );
    res.header('Content-Type', 'text/csv; charset=utf-8');
    res.header('Content-Disposition', `attachment; filename="ons-evaluation-${from}-${to}.csv"`);
    res.header('X-Transfer-Id', transferId);
    res.header('X-File-Sha256', fileSha256);
    return file;
  }

  @Access({ analyst: true, 'programme-manager': true })
  @Get('reports/outcomes.csv')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: 'The de-personalised outcomes report, for publication',
    description: `Aggregate tables only; counts below LEDGER_SUPPRESSION_THRESHOLD (default 5) are suppressed, with secondary suppression so no published total reveals a suppressed cell.`,
  })
  @ApiQuery({ name: 'asOf', required: false, example: '2019-03-31' })
  async outcomesReport(@Res({ passthrough: true }) res: Response, @Query('asOf') asOfRaw?: string) {
    const asOf = this.context.dates(asOfRaw, undefined);
    await this.context.settle();
    const results = new Map((await this.outcomes.results(asOf)).families.map((f) => [f.familyId, f.routes]));
    const rows: { problemsAtEntry: string[]; routes: ('sustained-progress' | 'continuous-employment')[]; attached: boolean }[] = [];
    for (let after: string | undefined; ;) {
      const page = await this.families.list({ after, limit: 1_000 });
      for (const f of page.families) {
        if (f.attachedOn === null || f.attachedOn > asOf) continue;
        rows.push({ problemsAtEntry: f.problemsAtEntry, routes: results.get(f.familyId) ?? [], attached: true });
      }
      if (page.next === null) break;
      after = page.next;
    }
    const { state: programme } = await readProgramme(this.store, this.councilId);
    res.header('Content-Type', 'text/csv; charset=utf-8');
    res.header('Content-Disposition', `attachment; filename="outcomes-${asOf}.csv"`);
    return outcomesReportCsv(rows, { asOf, councilName: programme.councilName ?? this.councilId, threshold: this.config.suppressionThreshold });
  }
}

function onsRow(familyId: string, reference: string, m: Member, state: FamilyState, eligible: boolean, attached: boolean): string[] {
  return [
    familyId,
    reference,
    m.memberId,
    m.relationship,
    m.givenName,
    m.familyName,
    m.dateOfBirth,
    m.gender ?? '',
    m.postcode ?? '',
    m.nationalInsuranceNumber ?? '',
    state.identifiedOn ?? '',
    eligible ? 'yes' : 'no',
    state.attachment?.attachedOn ?? '',
    attached ? 'yes' : 'no',
    state.closedOn ?? '',
    (state.attachment?.problemsAtEntry ?? []).join(' '),
  ];
}
