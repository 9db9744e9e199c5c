import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type FamilyEvent, type FamilyState, HEADLINE_PROBLEMS, evolveFamily, initialFamilyState, problemsIdentifiedBy, streams } from '@ledger/domain';
import type { LedgerConfig } from '@ledger/config';
import { EVENT_STORE, type EventStore, LEDGER_CONFIG, type RecordedEvent } from '@ledger/event-store';
import { FamilyQueries, PROJECTION_RUNNER, type ProjectionRunner } from '@ledger/projections';
import { ApiError } from '../http/api-error';

const familyIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' }) });

/**
 * Family reads: the list from the family summary read model; one family and its history from its
 * own stream (always current).
 */
@ApiTags('families: queries')
@Controller('api/families')
export class FamilyQueriesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly queries: FamilyQueries,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Family summaries (filters status, keyworker, problem; cursor paging by familyId)' })
  @ApiQuery({ name: 'status', required: false, enum: ['identified', 'attached', 'closed'] })
  @ApiQuery({ name: 'keyworker', required: false })
  @ApiQuery({ name: 'problem', required: false, enum: HEADLINE_PROBLEMS })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false, description: 'The last familyId of the previous page (`next` of that page)' })
  async list(
    @Query('status') status?: string,
    @Query('keyworker') keyworker?: string,
    @Query('problem') problem?: string,
    @Query('limit') limitRaw?: string,
    @Query('after') after?: string,
  ) {
    const problems: FieldIssue[] = [];
    if (status !== undefined && !['identified', 'attached', 'closed'].includes(status)) problems.push({ field: 'status', message: 'must be one of identified, attached, closed' });
    if (problem !== undefined && !(HEADLINE_PROBLEMS as readonly string[]).includes(problem)) problems.push({ field: 'problem', message: `must be one of ${HEADLINE_PROBLEMS.join(', ')}` });
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) problems.push({ field: 'limit', message: 'must be a whole number from 1 to 1000' });
    if (after !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(after)) problems.push({ field: 'after', message: 'must be a familyId' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);

    await this.settle();
    return this.queries.list({ status, keyworker, problem, after, limit });
  }

  /** In inline mode, apply what is already in the log first, so a client reads its own writes. */
  private async settle(): Promise<void> {
    if (this.config.projections === 'inline') await this.runner.catchUp();
  }

  @Get(':familyId')
  @ApiOperation({ summary: 'A family: summary and members' })
  @ApiNotFoundResponse({ description: 'No family with this id' })
  async get(@Param('familyId', familyIdPipe) familyId: string, @Res({ passthrough: true }) res: Response) {
    const { state, version } = await this.load(familyId);
    res.setHeader('ETag', `"${version}"`);
    return { ...summaryOf(state), identifiedOn: state.identifiedOn, closedOn: state.closedOn, members: [...state.members.values()], overrides: state.overrides };
  }

  @Get(':familyId/history')
  @ApiOperation({ summary: "The family's events in order, with corrections marked" })
  @ApiNotFoundResponse({ description: 'No family with this id' })
  async history(@Param('familyId', familyIdPipe) familyId: string, @Res({ passthrough: true }) res: Response) {
    const read = await this.store.readStream(streams.family(familyId));
    if (read.version === 0) throw new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' });
    const supersededBy = new Map<string, string>();
    for (const e of read.events) if (e.type === 'FactCorrected') supersededBy.set(String(e.data.supersededEventId), e.metadata.eventId);
    res.setHeader('ETag', `"${read.version}"`);
    return {
      familyId,
      version: read.version,
      events: read.events.map((e) => ({
        eventId: e.metadata.eventId,
        version: e.version,
        type: e.type,
        recordedAt: e.metadata.recordedAt,
        recordedBy: e.metadata.actor,
        data: e.data,
        ...(supersededBy.has(e.metadata.eventId) ? { supersededBy: supersededBy.get(e.metadata.eventId) } : {}),
      })),
    };
  }

  private async load(familyId: string): Promise<{ state: FamilyState; version: number }> {
    const read = await this.store.readStream(streams.family(familyId));
    if (read.version === 0) throw new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' });
    let state = initialFamilyState();
    for (const e of read.events) state = evolveFamily(state, toFamilyEvent(e), e.metadata.eventId);
    return { state, version: read.version };
  }
}

interface FieldIssue {
  field: string;
  message: string;
}

function toFamilyEvent(e: RecordedEvent): FamilyEvent {
  return { type: e.type, data: e.data } as unknown as FamilyEvent;
}

function summaryOf(state: FamilyState) {
  return {
    familyId: state.familyId,
    reference: state.reference,
    status: state.closedOn ? 'closed' : state.attachment ? 'attached' : 'identified',
    attachedOn: state.attachment?.attachedOn ?? null,
    keyworker: state.attachment?.keyworker ?? null,
    problemsAtEntry: (state.attachment?.problemsAtEntry ?? []) as string[],
    problemsIdentified: problemsIdentifiedBy(state, '9999-12-31') as string[],
  };
}
