import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type FamilyEvent, type FamilyState, HEADLINE_PROBLEMS, evolveFamily, initialFamilyState, problemsIdentifiedBy, streams } from '@ledger/domain';
import { EVENT_STORE, type EventStore, type LogPosition, type RecordedEvent } from '@ledger/event-store';
import { ApiError } from '../http/api-error';

const familyIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' }) });

/**
 * Family reads straight from the event log. The summary list folds the `family` category on each
 * request, which is fine for a borough's few thousand families; the family summary read model
 * (outcomes work) replaces it for national scale and for as-of queries.
 */
@ApiTags('families: queries')
@Controller('api/families')
export class FamilyQueriesController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({ summary: 'Family summaries (filters status, keyworker, problem; cursor paging by familyId)' })
  @ApiQuery({ name: 'status', required: false, enum: ['identified', 'attached', 'closed'] })
  @ApiQuery({ name: 'keyworker', required: false })
  @ApiQuery({ name: 'problem', required: false, enum: HEADLINE_PROBLEMS })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false, description: 'The last familyId of the previous page' })
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
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);

    const families = new Map<string, FamilyState>();
    let position: LogPosition | null = null;
    for (;;) {
      const read = await this.store.readAll({ after: position, limit: 5_000, filter: { categories: ['family'] } });
      for (const event of read.events) {
        const familyId = event.streamId.slice('family-'.length);
        families.set(familyId, evolveFamily(families.get(familyId) ?? initialFamilyState(), toFamilyEvent(event), event.metadata.eventId));
      }
      position = read.next;
      if (read.endOfLog) break;
    }
    const summaries = [...families.values()]
      .filter((f) => f.exists)
      .map(summaryOf)
      .filter((s) => (status ? s.status === status : true) && (keyworker ? s.keyworker === keyworker : true) && (problem ? s.problemsAtEntry.includes(problem) || s.problemsIdentified.includes(problem) : true))
      .sort((a, b) => (a.familyId < b.familyId ? -1 : 1))
      .filter((s) => (after ? s.familyId > after : true));
    const page = summaries.slice(0, limit);
    return { families: page, next: summaries.length > limit ? page[page.length - 1].familyId : null };
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
