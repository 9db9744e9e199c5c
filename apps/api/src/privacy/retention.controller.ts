import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import type { Response } from '../http/http';
import type { LedgerConfig } from '@ledger/config';
import { isBusinessDate } from '@ledger/domain';
import { EVENT_STORE, type EventStore, LEDGER_CONFIG } from '@ledger/event-store';
import { Erasure, KeyVault } from '@ledger/privacy';
import { FamilyQueries } from '@ledger/projections';
import { Access } from '../auth/access';
import { FAMILY_STATES, type FamilyStates } from '../families/family-commands';
import { QueryContext } from '../families/query-context';
import { RecordedOnDemand, type RecordingOnDemand } from '../http/recorded';
import { retentionPeriods, ApiError, CLOCK, type Clock, londonToday } from '@ledger/application';
import { appendPrivacyRecord, registerStream } from '@ledger/application';
import { LEGAL_HOLD_KINDS, eraseImportRowsDue, importRowsDue, legalHoldId, placedHolds, retentionReport, runRetention } from '@ledger/application';
import { ImportService } from '@ledger/imports';
import { streams } from '@ledger/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A reference is a code (a claim id, a spot check's or a case's number), never free text: DOMAIN.md 6. */
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,59}$/;

export class RetentionRunDto {
  @ApiProperty({ example: '2021-06-01', description: 'The day the schedule is run for: not after today' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf must be a calendar date YYYY-MM-DD' })
  asOf!: string;
}

export class LegalHoldDto {
  @ApiProperty({ enum: LEGAL_HOLD_KINDS, example: 'spot-check' })
  @IsIn(LEGAL_HOLD_KINDS)
  kind!: string;

  @ApiProperty({ example: 'SC-2019-04', description: 'The audit, spot check, case or inquiry: letters, digits and / _ . - (at most 60); no personal data' })
  @IsString()
  @Matches(REFERENCE, { message: 'reference must be a code of letters, digits and / _ . - (at most 60 characters)' })
  reference!: string;

  @ApiProperty({ example: '2019-05-01' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'placedOn must be a calendar date YYYY-MM-DD' })
  placedOn!: string;
}

export class LegalHoldReleaseDto {
  @ApiProperty({ example: '2019-09-30' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'releasedOn must be a calendar date YYYY-MM-DD' })
  releasedOn!: string;
}

/**
 * The retention schedule for every family (DOMAIN.md 6, issue 23.5): its report (what is due, why,
 * and what a legal hold keeps), its run, and the legal holds that postpone erasure.
 */
@ApiTags('privacy and evaluation')
@Controller('api')
export class RetentionController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KeyVault) private readonly vault: KeyVault,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FAMILY_STATES) private readonly familyStates: FamilyStates,
    private readonly families: FamilyQueries,
    private readonly context: QueryContext,
    @Inject(ImportService) private readonly imports: ImportService,
  ) {}

  @Access({ admin: true })
  @Get('privacy/retention')
  @ApiOperation({
    summary: 'The retention report: every family whose retention date has come, why, and the legal holds keeping some',
    description:
      'Closed cases LEDGER_RETENTION_YEARS after closure; families never attached LEDGER_RETENTION_NOT_ATTACHED_YEARS after identification or last activity (the later); attached families never closed LEDGER_RETENTION_INACTIVE_YEARS after last activity. `due` is what the run erases; `held` is kept by a legal hold (a claim under internal audit, or a hold placed for a spot check, litigation, a complaint or a regulator).',
  })
  @ApiQuery({ name: 'asOf', required: false, example: '2021-06-01', description: 'Default: today (England)' })
  async report(@Query('asOf') asOfRaw?: string) {
    const asOf = this.context.dates(asOfRaw, undefined);
    await this.context.settle();
    const report = await retentionReport(this.families, this.store, this.vault, asOf, retentionPeriods(this.config));
    const shown = (f: (typeof report.due)[number]) => ({
      familyId: f.familyId,
      reference: f.reference,
      rule: f.rule,
      from: f.from,
      dueOn: f.dueOn,
      reason: f.reason,
      people: f.memberIds.length,
      holds: f.holds,
    });
    const { recordedOnOrBefore, rows } = await importRowsDue(this.imports, asOf, report.periods);
    return { asOf, periods: report.periods, due: report.due.map(shown), held: report.held.map(shown), importRows: { recordedOnOrBefore, rows } };
  }

  @Access({ admin: true })
  @Post('privacy/retention/run')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the retention schedule: erase everyone in the families due and not held (as the report lists them)',
    description: 'Idempotent: people already erased are not counted again.',
  })
  async run(@Body() body: RetentionRunDto) {
    const today = londonToday(this.clock.now());
    if (!isBusinessDate(body.asOf)) throw ApiError.badRequest('invalid body: asOf', [{ field: 'asOf', message: 'must be a calendar date YYYY-MM-DD' }]);
    if (body.asOf > today) throw ApiError.badRequest('invalid body: asOf', [{ field: 'asOf', message: `must not be after today (${today}): nothing is erased before its date` }]);
    await this.context.settle();
    const report = await retentionReport(this.families, this.store, this.vault, body.asOf, retentionPeriods(this.config));
    const done = await runRetention(report, new Erasure(this.vault, this.store, [this.imports]), this.clock.now().toISOString());
    for (const f of report.due) this.familyStates.forget(streams.family(f.familyId));
    const importRows = await eraseImportRowsDue(this.imports, this.vault, body.asOf, report.periods);
    return {
      asOf: body.asOf,
      erased: { people: done.people, families: done.families },
      importRows: { recordedOnOrBefore: importRows.recordedOnOrBefore, erased: importRows.rows },
      held: report.held.map((f) => ({ familyId: f.familyId, holds: f.holds })),
    };
  }

  @Access({ admin: true, 'finance-officer': true })
  @Post('families/:familyId/legal-holds')
  @ApiOperation({
    summary: 'Place a legal hold on a family: its erasure by the retention schedule waits until the hold is released',
    description: 'The same family, kind and reference is the same hold: placing it again answers 200 with it.',
  })
  async placeHold(@Param('familyId') familyId: string, @Body() body: LegalHoldDto, @RecordedOnDemand() recordingOf: RecordingOnDemand, @Res({ passthrough: true }) res: Response) {
    if (!UUID.test(familyId)) throw new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' });
    if (!isBusinessDate(body.placedOn)) throw ApiError.badRequest('invalid body: placedOn', [{ field: 'placedOn', message: 'must be a calendar date YYYY-MM-DD' }]);
    const recording = recordingOf();
    if (body.placedOn > recording.recordedOn) throw ApiError.badRequest('invalid body: placedOn', [{ field: 'placedOn', message: `must not be after today (${recording.recordedOn})` }]);
    if ((await this.store.readStream(streams.family(familyId))).version === 0) throw new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' });
    const holdId = legalHoldId(familyId, body.kind, body.reference);
    const existing = (await placedHolds(this.store)).get(holdId);
    if (existing && existing.releasedOn === null) {
      res.status(200);
      return existing;
    }
    await appendPrivacyRecord(this.store, registerStream('legalHold'), 'LegalHoldPlaced', { holdId, familyId, kind: body.kind, reference: body.reference, placedOn: body.placedOn }, recording);
    res.status(201);
    return (await placedHolds(this.store)).get(holdId);
  }

  @Access({ admin: true, 'finance-officer': true })
  @Post('legal-holds/:holdId/release')
  @HttpCode(200)
  @ApiOperation({ summary: 'Release a legal hold: the family is erased by the next run if its retention date has come' })
  async releaseHold(@Param('holdId') holdId: string, @Body() body: LegalHoldReleaseDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const hold = UUID.test(holdId) ? (await placedHolds(this.store)).get(holdId) : undefined;
    if (!hold) throw new ApiError(404, 'no legal hold with this id', { reason: 'LegalHoldNotFound' });
    if (!isBusinessDate(body.releasedOn)) throw ApiError.badRequest('invalid body: releasedOn', [{ field: 'releasedOn', message: 'must be a calendar date YYYY-MM-DD' }]);
    const recording = recordingOf();
    if (body.releasedOn > recording.recordedOn) throw ApiError.badRequest('invalid body: releasedOn', [{ field: 'releasedOn', message: `must not be after today (${recording.recordedOn})` }]);
    if (body.releasedOn < hold.placedOn) throw ApiError.badRequest('invalid body: releasedOn', [{ field: 'releasedOn', message: `must not be before the hold was placed (${hold.placedOn})` }]);
    if (hold.releasedOn !== null) return hold;
    await appendPrivacyRecord(this.store, registerStream('legalHold'), 'LegalHoldReleased', { holdId, releasedOn: body.releasedOn }, recording);
    return (await placedHolds(this.store)).get(holdId);
  }

  @Access({ admin: true, 'finance-officer': true, auditor: true })
  @Get('legal-holds')
  @ApiOperation({ summary: 'Every legal hold placed, released or not' })
  async holds() {
    return { holds: [...(await placedHolds(this.store)).values()] };
  }
}
