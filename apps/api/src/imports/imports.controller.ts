import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { MultipartFile } from '@fastify/multipart';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from '../http/http';
import type { LedgerConfig } from '@ledger/config';
import { LEDGER_CONFIG } from '@ledger/event-store';
import { DEFAULT_MATCH_OPTIONS, IMPORT_SOURCES, ImportFileRefused, type ImportReport, ImportService, SOURCE_ORGANISATION, isImportSource } from '@ledger/imports';
import { csvRecords } from '@ledger/reporting';
import { Access, routeOf } from '../auth/access';
import { CurrentActor, actorOf } from '../auth/actor';
import { EnumField, IdField } from '../http/fields';
import { RecordingFactory } from '../http/recording';
import { RecordedOnDemand, type RecordingOnDemand } from '../http/recorded';
import { AccessLog, type Actor, ApiError } from '@ledger/application';

/** The partner organisations whose files the ledger takes (each source's, `SOURCE_ORGANISATION`). */
const IMPORTING_ORGANISATIONS = [...new Set(Object.values(SOURCE_ORGANISATION))];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A partner file is at most this big (a council's termly attendance file is a few MB). */
export const IMPORT_MAX_BYTES = 50 * 1024 * 1024;

/**
 * The CSV of the request's multipart field `file` (@fastify/multipart), or undefined when the
 * request is not multipart or sends no file. A file over `IMPORT_MAX_BYTES` is a 413, a file in
 * another field a 400 naming it.
 */
async function uploadedCsv(req: Request): Promise<Buffer | undefined> {
  if (!req.isMultipart()) return undefined;
  let part: MultipartFile | undefined;
  try {
    part = await req.file({ limits: { fileSize: IMPORT_MAX_BYTES, files: 1 } });
  } catch (error) {
    throw tooLargeOr(error);
  }
  if (!part) return undefined;
  let bytes: Buffer;
  try {
    // Read whole before any answer, even a refusal: a reply sent while the client still sends would break its connection.
    bytes = await part.toBuffer();
  } catch (error) {
    throw tooLargeOr(error);
  }
  if (part.fieldname !== 'file') throw ApiError.badRequest('unexpected field', [{ field: part.fieldname, message: 'send the CSV file in the field "file"' }]);
  return bytes;
}

function tooLargeOr(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return new ApiError(413, `the file is larger than ${IMPORT_MAX_BYTES / (1024 * 1024)} MB`, { reason: 'FileTooLarge' });
  }
  return error;
}

export class ReviewDecisionDto {
  @EnumField(['confirm', 'reject'], { description: '`confirm`: the row is about the candidate (or `memberId`), record its fact; `reject`: it is about nobody on record' })
  decision!: 'confirm' | 'reject';
  @IdField({ optional: true, description: 'confirm the row for this member instead of the candidate' })
  memberId?: string;
}

/**
 * Partner files in bulk (issue 21, docs/imports.md): a partner uploads its own kind of file, a
 * programme manager any; the answer is the import's report. Rows held for review are confirmed or
 * rejected by a programme manager, who alone sees their personal values.
 */
@ApiTags('imports')
@Controller('api/imports')
export class ImportsController {
  constructor(
    @Inject(ImportService) private readonly imports: ImportService,
    private readonly recordings: RecordingFactory,
    private readonly accessLog: AccessLog,
    @Inject(LEDGER_CONFIG) private readonly config: Pick<LedgerConfig, 'importMatchThreshold'>,
  ) {}

  @Access({ 'programme-manager': true, partner: { organisations: IMPORTING_ORGANISATIONS } })
  @Post(':source')
  @ApiOperation({ summary: 'Import a partner file (multipart, field `file`): each row matched to a family member and recorded through the family rules' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', description: `a CSV file in the source's layout (docs/imports.md); sources: ${IMPORT_SOURCES.join(', ')}` } },
    },
  })
  @ApiHeader({ name: 'X-Legal-Basis', required: false, description: 'The legal basis for recording rows about people who withdrew consent to sharing (otherwise such rows are held)' })
  @ApiCreatedResponse({ description: 'Imported: the report (accepted, matched by method, queued for review, rejected with line numbers and reasons)' })
  @ApiOkResponse({ description: 'This file was imported before: its report, and nothing recorded' })
  @ApiBadRequestResponse({ description: 'Unknown source, no file, or the file refused as a whole (missing columns named in details)' })
  @ApiForbiddenResponse({ description: "A partner importing another organisation's kind of file" })
  async upload(@Param('source') source: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // The file first (as Express's FileInterceptor read it before the handler): the refusals below
    // are then answered to a client that has finished sending.
    const file = await uploadedCsv(req);
    if (!isImportSource(source)) throw ApiError.badRequest('unknown source', [{ field: 'source', message: `must be one of ${IMPORT_SOURCES.join(', ')}` }]);
    const actor = actorOf(req);
    if (actor.role === 'partner' && actor.organisation !== SOURCE_ORGANISATION[source]) {
      throw new ApiError(403, `${source} files come from ${SOURCE_ORGANISATION[source]} partners; you are signed in for ${actor.organisation ?? 'no organisation'}`, { reason: 'NotThisPartnersData' });
    }
    if (!file || file.length === 0) throw ApiError.badRequest('no file', [{ field: 'file', message: 'send the CSV file as multipart/form-data in the field "file"' }]);
    const recording = this.recordings.from(req);
    try {
      const outcome = await this.imports.run({
        source,
        bytes: file,
        actor: recording.envelope.actor,
        recordedAt: recording.envelope.recordedAt,
        recordedOn: recording.recordedOn,
        matching: { ...DEFAULT_MATCH_OPTIONS, threshold: this.config.importMatchThreshold },
        ...(recording.envelope.legalBasis !== undefined ? { legalBasis: recording.envelope.legalBasis } : {}),
      });
      res.status(outcome.kind === 'imported' ? 201 : 200);
      return summary(outcome.report, outcome.kind === 'already-imported');
    } catch (error) {
      if (error instanceof ImportFileRefused) {
        throw new ApiError(400, error.message, {
          reason: error.reason,
          details: error.columns.length > 0 ? error.columns.map((field) => ({ field, message: 'required column missing or named twice' })) : [{ field: 'file', message: error.message }],
        });
      }
      throw error;
    }
  }

  @Access({ 'programme-manager': true, partner: { organisations: IMPORTING_ORGANISATIONS } })
  @Get()
  @ApiOperation({ summary: "Past imports, newest first: source, organisation, file hash, day recorded and counts (a partner sees its own organisation's)" })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 200, default 50' })
  @ApiQuery({ name: 'after', required: false, description: 'The `next` of the previous page' })
  @ApiBadRequestResponse({ description: 'limit out of range, or after not the next of a page' })
  async list(@CurrentActor() actor: Actor, @Query('limit') limitRaw?: string, @Query('after') after?: string) {
    const limit = limitRaw === undefined ? 50 : Number(limitRaw);
    const problems: { field: string; message: string }[] = [];
    if (!/^\d{1,3}$/.test(limitRaw ?? '50') || !Number.isInteger(limit) || limit < 1 || limit > 200) problems.push({ field: 'limit', message: 'must be a whole number from 1 to 200' });
    if (after !== undefined && !UUID.test(after)) problems.push({ field: 'after', message: 'must be the `next` of a previous page' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);
    const page = await this.imports.list({ limit, ...(after !== undefined ? { after } : {}), ...(actor.role === 'partner' ? { organisation: actor.organisation ?? '' } : {}) });
    if (!page) throw ApiError.badRequest('invalid query: after', [{ field: 'after', message: 'must be the `next` of a previous page' }]);
    return page;
  }

  @Access({ 'programme-manager': true })
  @Get('candidate-families')
  @ApiOperation({ summary: 'People matched to no family who show two or more headline problems at one address, from every import: candidate families to review and identify' })
  async candidateFamilies(@Req() req: Request) {
    const families = await this.imports.candidateFamilies({ ...DEFAULT_MATCH_OPTIONS, threshold: this.config.importMatchThreshold });
    await this.accessLog.record({ actor: actorOf(req), route: routeOf(req), memberIds: [], outcome: 'served', purpose: 'candidate families' });
    return { families };
  }

  @Access({ 'programme-manager': true, partner: { organisations: IMPORTING_ORGANISATIONS } })
  @Get(':importId')
  @ApiOperation({ summary: "An import's report: accepted, matched by method, queued for review, rejected with line numbers and reasons" })
  @ApiNotFoundResponse({ description: 'No such import (or not one of your organisation)' })
  async report(@Param('importId') importId: string, @CurrentActor() actor: Actor) {
    return summary(await this.reportFor(importId, actor), false);
  }

  @Access({ 'programme-manager': true, partner: { organisations: IMPORTING_ORGANISATIONS } })
  @Get(':importId/report.csv')
  @ApiOperation({ summary: "An import's report as CSV: its counts, then each line not recorded with its outcome and reason (formula-safe)" })
  @ApiProduces('text/csv')
  async reportCsv(@Param('importId') importId: string, @CurrentActor() actor: Actor) {
    const report = await this.reportFor(importId, actor);
    return new StreamableFile(Buffer.from(reportCsv(report), 'utf8'), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="import-${report.importId}.csv"` });
  }

  @Access({ 'programme-manager': true })
  @Get(':importId/review')
  @ApiOperation({ summary: 'Rows of an import held for review: the person as the partner wrote them, the fact, the candidate member and the confidence' })
  async reviewQueue(@Param('importId') importId: string, @Req() req: Request) {
    checkId(importId, 'importId');
    const items = await this.imports.reviewQueue(importId);
    if (!items) throw new ApiError(404, 'no import with this id', { reason: 'UnknownImport' });
    await this.accessLog.record({ actor: actorOf(req), route: routeOf(req), memberIds: items.map((i) => i.candidate.memberId), outcome: 'served', purpose: 'import review' });
    return { importId, items };
  }

  @Access({ 'programme-manager': true })
  @Post(':importId/review/:reviewId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm a held row (its fact is recorded for the candidate, or the member named) or reject it' })
  @ApiUnprocessableEntityResponse({ description: 'The family rules refused the fact; reason names the rule' })
  async decide(@Param('importId') importId: string, @Param('reviewId') reviewId: string, @Body() body: ReviewDecisionDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    checkId(importId, 'importId');
    checkId(reviewId, 'reviewId');
    const recording = recordingOf();
    const outcome = await this.imports.decide(importId, reviewId, {
      confirm: body.decision === 'confirm',
      ...(body.memberId ? { memberId: body.memberId } : {}),
      actor: recording.envelope.actor,
      recordedAt: recording.envelope.recordedAt,
      recordedOn: recording.recordedOn,
      ...(recording.envelope.legalBasis !== undefined ? { legalBasis: recording.envelope.legalBasis } : {}),
    });
    if (outcome.kind === 'refused') throw new ApiError(outcome.status, outcome.message, { reason: outcome.reason });
    const { person: _person, fact: _fact, ...item } = outcome.item;
    return { ...item, eventIds: outcome.eventIds };
  }

  private async reportFor(importId: string, actor: Actor): Promise<ImportReport> {
    checkId(importId, 'importId');
    const report = await this.imports.report(importId);
    // A partner sees its own organisation's imports only; another's is as unknown as none.
    if (!report || (actor.role === 'partner' && actor.organisation !== report.organisation)) throw new ApiError(404, 'no import with this id', { reason: 'UnknownImport' });
    return report;
  }
}

function checkId(value: string, field: string): void {
  if (!UUID.test(value)) throw ApiError.badRequest(`invalid ${field}`, [{ field, message: 'must be a UUID' }]);
}

function summary(report: ImportReport, alreadyImported: boolean) {
  return { ...report, alreadyImported };
}

/** The report as CSV (formula-safe through the one CSV writer): a line per count, then a line per row not recorded. */
export function reportCsv(report: ImportReport): string {
  const counts: [string, string | number][] = [
    ['import', report.importId],
    ['source', report.source],
    ['file sha-256', report.fileSha256],
    ['recorded on', report.recordedOn],
    ['rows', report.rows],
    ['recorded', report.recorded],
    ['corrected', report.corrected],
    ['already recorded', report.alreadyRecorded],
    ['matched by identifier', report.matched.identifier],
    ['matched deterministically', report.matched.deterministic],
    ['matched probabilistically', report.matched.probabilistic],
    ['queued for review', report.queuedForReview],
    ['held', report.held],
    ['unmatched', report.unmatched],
    ['rejected', report.rejected],
  ];
  return csvRecords([
    ['line', 'outcome', 'reason', 'message', 'confidence'],
    ...counts.map(([k, v]) => ['', k, String(v), '', '']),
    ...report.lines.map((l) => [l.line, l.outcome, l.reason ?? '', l.message ?? '', l.confidence ?? '']),
  ]);
}
