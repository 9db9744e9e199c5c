import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import type { Request, Response } from '../http/http';
import { CONSENT_PURPOSES, type FamilyCommand, addMonths, businessDate, isBusinessDate, streams } from '@ledger/domain';
import { CommandBus } from '@nestjs/cqrs';
import { CorrectionDto } from '../families/families.dto';
import { REPLACEMENT_DTOS, toCommand } from '../families/families.controller';
import { RecordFamilyCommand } from '../families/family-commands';
import { validateBody } from '../http/validation';
import { recordedOrThrow } from '../http/recording';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { KeyVault } from '@ledger/privacy';
import { FamilyQueries } from '@ledger/projections';
import { Access, routeOf } from '../auth/access';
import { actorOf } from '../auth/actor';
import { QueryContext } from '../families/query-context';
import { Recorded, RecordedOnDemand, type RecordingOnDemand } from '../http/recorded';
import { AccessLog, COUNCIL_ID, readProgramme, type Recording, ApiError, type FieldProblem, CLOCK, type Clock, derivedId, londonToday } from '@ledger/application';
import { onsTransfers } from './ons-transfers';
import { appendPrivacyRecord, readRecords, registerStream } from '@ledger/application';
import { type DataSubjectRequest, subjectAccessExport, subjectAccessPdf } from './subject-access';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REQUEST_KINDS = ['access', 'rectification', 'objection'] as const;

export class DataSubjectRequestDto {
  @ApiProperty({ example: '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f38', description: 'The person (member id)' })
  @IsString()
  @Matches(UUID, { message: 'memberId must be a member id (UUID)' })
  memberId!: string;

  @ApiProperty({ enum: REQUEST_KINDS })
  @IsIn(REQUEST_KINDS)
  kind!: string;

  @ApiProperty({ example: 'DSR-2019-044', description: "The council's reference: letters, digits and / _ . - (at most 60); no personal data" })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,59}$/, { message: 'reference must be a code of letters, digits and / _ . - (at most 60 characters)' })
  reference!: string;

  @ApiProperty({ example: '2019-04-15', description: 'The day the council received the request: the one-month deadline runs from it' })
  @IsString()
  receivedOn!: string;
}

export class ObjectionDto {
  @ApiProperty({ enum: CONSENT_PURPOSES, description: 'What the person objects to: evaluation (the ONS linkage) or sharing with partners' })
  @IsIn(CONSENT_PURPOSES)
  purpose!: string;

  @ApiProperty({ example: '2019-04-15', description: 'From when the consent is withdrawn' })
  @IsString()
  on!: string;
}

export class ResponseDto {
  @ApiProperty({ example: '2019-05-10' })
  @IsString()
  respondedOn!: string;
}

/** Every data subject request, by id, with what was done to answer it. */
export async function dataSubjectRequests(store: EventStore): Promise<Map<string, DataSubjectRequest>> {
  const out = new Map<string, DataSubjectRequest>();
  for (const e of await readRecords(store, 'dataSubjectRequest')) {
    const d = e.data as Record<string, unknown>;
    const requestId = String(d.requestId);
    if (e.type === 'DataSubjectRequestReceived' && !out.has(requestId)) {
      out.set(requestId, {
        requestId,
        kind: d.kind as DataSubjectRequest['kind'],
        memberId: String(d.memberId),
        familyId: String(d.familyId),
        reference: String(d.reference),
        receivedOn: String(d.receivedOn),
        dueOn: String(d.dueOn),
        respondedOn: null,
        actions: [],
      });
    }
    const r = out.get(requestId);
    if (!r) continue;
    if (e.type === 'DataSubjectRequestAnswered' && r.respondedOn === null) r.respondedOn = String(d.respondedOn);
    if (e.type === 'DataSubjectRequestActioned') r.actions.push({ eventIds: (d.eventIds as string[]) ?? [], what: String(d.what), on: String(d.on) });
  }
  return out;
}

/**
 * Data subject requests (DOMAIN.md 6, issue 23.2 and 23.3): their receipt and one-month statutory
 * deadline, the subject access export (JSON and PDF, each logged in the access log) and the reply.
 */
@ApiTags('privacy and evaluation')
@Controller('api')
export class DataSubjectRequestsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KeyVault) private readonly vault: KeyVault,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    private readonly families: FamilyQueries,
    private readonly context: QueryContext,
    private readonly accessLog: AccessLog,
    private readonly commands: CommandBus,
  ) {}

  @Access({ admin: true, 'programme-manager': true })
  @Post('data-subject-requests/:requestId/objection')
  @HttpCode(201)
  @ApiOperation({
    summary: "Apply an objection: the person's consent to evaluation or sharing is recorded as withdrawn, linked to the request",
    description: "The consent event carries the request's id as its correlation id, and the request lists it with its reference. Only for `objection` requests.",
  })
  async objection(@Param('requestId') requestId: string, @Body() body: ObjectionDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const request = await this.request(requestId, 'objection');
    const recording = this.linked(recordingOf(), request);
    if (!isBusinessDate(body.on)) throw ApiError.badRequest('invalid body: on', [{ field: 'on', message: 'must be a calendar date YYYY-MM-DD' }]);
    const command: FamilyCommand = { type: 'RecordConsent', memberId: request.memberId, purpose: body.purpose as (typeof CONSENT_PURPOSES)[number], given: false, on: body.on };
    return this.applied(request, command, recording, `consent to ${body.purpose} withdrawn from ${body.on} (request ${request.reference})`);
  }

  @Access({ admin: true, 'programme-manager': true })
  @Post('data-subject-requests/:requestId/corrections')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Apply a rectification: correct a recorded fact about the person, linked to the request',
    description:
      "As `POST /api/families/:familyId/corrections` (`{ supersedesEventId, replacement: { path, body }, reason? }`), for a fact naming the request's person only (422 NotThisPersonsFact); the correction carries the request's id as its correlation id and the request lists it. Only for `rectification` requests.",
  })
  async correction(@Param('requestId') requestId: string, @Body() body: CorrectionDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const request = await this.request(requestId, 'rectification');
    const recording = this.linked(recordingOf(), request);
    const superseded = (await this.store.readStream(streams.family(request.familyId))).events.find((e) => e.metadata.eventId === body.supersedesEventId);
    if (!superseded) throw new ApiError(404, "no fact with this id in the person's family", { reason: 'FactNotFound' });
    if (superseded.data.memberId !== request.memberId) throw new ApiError(422, "the fact is not about the request's person", { reason: 'NotThisPersonsFact' });
    const dto = await validateBody(REPLACEMENT_DTOS[body.replacement.path], body.replacement.body, 'replacement.body');
    if ((dto as { memberId?: string }).memberId !== request.memberId)
      throw ApiError.badRequest('invalid body: replacement.body.memberId', [{ field: 'replacement.body.memberId', message: "must be the request's person" }]);
    const replacement = toCommand(body.replacement.path, dto, derivedId(recording.envelope.commandId, 'concern'));
    const command: FamilyCommand = { type: 'CorrectFact', supersedesEventId: body.supersedesEventId, replacement, ...(body.reason ? { reason: body.reason } : {}) };
    return this.applied(request, command, recording, `${String(superseded.type)} corrected (request ${request.reference})`);
  }

  private linked(recording: Recording, request: DataSubjectRequest): Recording {
    return { ...recording, envelope: { ...recording.envelope, correlationId: request.requestId } };
  }

  private async applied(request: DataSubjectRequest, command: FamilyCommand, recording: Recording, what: string) {
    const recorded = recordedOrThrow(await this.commands.execute(new RecordFamilyCommand(request.familyId, command, recording)), 'family');
    const eventIds = recorded.events.map((e: { eventId: string }) => e.eventId);
    await appendPrivacyRecord(this.store, registerStream('dataSubjectRequest'), 'DataSubjectRequestActioned', { requestId: request.requestId, eventIds, what, on: recording.recordedOn }, recording);
    return this.shown((await dataSubjectRequests(this.store)).get(request.requestId) as DataSubjectRequest);
  }

  @Access({ admin: true })
  @Post('data-subject-requests')
  @HttpCode(201)
  @ApiOperation({ summary: "Record a person's request: access, rectification or objection, with its receipt date; the statutory deadline is one calendar month later" })
  async receive(@Body() body: DataSubjectRequestDto, @Recorded() recording: Recording) {
    const problems: FieldProblem[] = [];
    if (!isBusinessDate(body.receivedOn)) problems.push({ field: 'receivedOn', message: 'must be a calendar date YYYY-MM-DD' });
    else if (body.receivedOn > recording.recordedOn) problems.push({ field: 'receivedOn', message: `must not be after today (${recording.recordedOn})` });
    if (problems.length > 0) throw ApiError.badRequest('invalid body: receivedOn', problems);
    await this.context.settle();
    const familyId = await this.families.familyOfMember(body.memberId);
    if (familyId === null) throw new ApiError(404, 'no person with this id', { reason: 'PersonNotFound' });
    const requestId = derivedId(recording.envelope.commandId, 'dataSubjectRequest');
    const dueOn = addMonths(businessDate(body.receivedOn), 1);
    await appendPrivacyRecord(
      this.store,
      registerStream('dataSubjectRequest'),
      'DataSubjectRequestReceived',
      { requestId, kind: body.kind, memberId: body.memberId, familyId, reference: body.reference, receivedOn: body.receivedOn, dueOn },
      recording,
    );
    return this.shown((await dataSubjectRequests(this.store)).get(requestId) as DataSubjectRequest);
  }

  @Access({ admin: true })
  @Get('data-subject-requests')
  @ApiOperation({ summary: 'Every data subject request with its deadline and status (open, overdue, answered)' })
  async list() {
    return { requests: [...(await dataSubjectRequests(this.store)).values()].map((r) => this.shown(r)) };
  }

  @Access({ admin: true })
  @Post('data-subject-requests/:requestId/response')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the day the request was answered' })
  async respond(@Param('requestId') requestId: string, @Body() body: ResponseDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const request = await this.request(requestId);
    const recording = recordingOf();
    const problems: FieldProblem[] = [];
    if (!isBusinessDate(body.respondedOn)) problems.push({ field: 'respondedOn', message: 'must be a calendar date YYYY-MM-DD' });
    else if (body.respondedOn > recording.recordedOn) problems.push({ field: 'respondedOn', message: `must not be after today (${recording.recordedOn})` });
    else if (body.respondedOn < request.receivedOn) problems.push({ field: 'respondedOn', message: `must not be before the request was received (${request.receivedOn})` });
    if (problems.length > 0) throw ApiError.badRequest('invalid body: respondedOn', problems);
    if (request.respondedOn === null)
      await appendPrivacyRecord(this.store, registerStream('dataSubjectRequest'), 'DataSubjectRequestAnswered', { requestId, respondedOn: body.respondedOn }, recording);
    return this.shown((await dataSubjectRequests(this.store)).get(requestId) as DataSubjectRequest);
  }

  @Access({ admin: true })
  @Get('data-subject-requests/:requestId/export.json')
  @ApiOperation({
    summary: "A subject access request's answer: everything held about the person, as JSON",
    description:
      'Their personal data as recorded, the facts about them and their corrections, the kinds and dates of facts about their household, who read their records and why, partners, and the ONS transfers that included them; nothing about anyone else. An erased person: a statement that their data was erased and when. Logged in the access log (purpose `subject access request`).',
  })
  async exportJson(@Param('requestId') requestId: string, @Req() req: Request) {
    return this.export(requestId, req);
  }

  @Access({ admin: true })
  @Get('data-subject-requests/:requestId/export.pdf')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The same answer as a PDF for the person' })
  async exportPdf(@Param('requestId') requestId: string, @Req() req: Request, @Res() res: Response) {
    const x = await this.export(requestId, req);
    const { state } = await readProgramme(this.store, this.councilId);
    const pdf = await subjectAccessPdf(x, state.councilName ?? this.councilId);
    res.header('Content-Type', 'application/pdf');
    res.header('Content-Disposition', `attachment; filename="subject-access-${x.request.reference.replace(/[^A-Za-z0-9_.-]/g, '_')}.pdf"`);
    res.send(pdf);
  }

  private async export(requestId: string, req: Request) {
    const request = await this.request(requestId);
    if (request.kind !== 'access') throw new ApiError(422, `request ${request.reference} is a ${request.kind} request, not a subject access request`, { reason: 'NotAnAccessRequest' });
    const x = await subjectAccessExport(request, londonToday(this.clock.now()), { store: this.store, vault: this.vault, accessLog: this.accessLog, transfers: await onsTransfers(this.store) });
    await this.accessLog.record({ actor: actorOf(req), route: routeOf(req), familyId: request.familyId, memberIds: [request.memberId], outcome: 'served', purpose: 'subject access request' });
    return x;
  }

  private async request(requestId: string, kind?: DataSubjectRequest['kind']): Promise<DataSubjectRequest> {
    const request = UUID.test(requestId) ? (await dataSubjectRequests(this.store)).get(requestId) : undefined;
    if (!request) throw new ApiError(404, 'no data subject request with this id', { reason: 'RequestNotFound' });
    if (kind !== undefined && request.kind !== kind)
      throw new ApiError(422, `request ${request.reference} is a ${request.kind} request, not ${kind === 'objection' ? 'an objection' : 'a rectification'}`, { reason: 'WrongRequestKind' });
    return request;
  }

  private shown(r: DataSubjectRequest) {
    const today = londonToday(this.clock.now());
    return { ...r, status: r.respondedOn !== null ? 'answered' : today > r.dueOn ? 'overdue' : 'open' };
  }
}
