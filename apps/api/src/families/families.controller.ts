import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { LedgerConfig } from '@ledger/config';
import { type FamilyCommand, type Member, type Rejection, decodeUserEvent, evolveUser, initialUserState, streams } from '@ledger/domain';
import { type CommandOutcome, type EventStore, LEDGER_CONFIG, RAW_EVENT_STORE } from '@ledger/event-store';
import { ApiError, derivedId, type Recording } from '@ledger/application';
import { familyIdPipe } from '../http/family-id.pipe';
import { ETag, type Versioned, versioned } from '../http/etag';
import { Recorded } from '../http/recorded';
import { recordedOrThrow } from '../http/recording';
import { validateBody } from '../http/validation';
import { RecordFamilyCommand } from './family-commands';
import {
  ActivityDto,
  AsbIncidentDto,
  AttachmentDto,
  ClosureDto,
  ConsentDto,
  CorrectionDto,
  CORRECTABLE_PATHS,
  DomesticAbuseIncidentDto,
  EmploymentDto,
  ExclusionDto,
  HeadlineProblemDto,
  HealthDto,
  IdentifyFamilyDto,
  MemberDto,
  MilestoneDto,
  OffenceDto,
  UcConditionalityDto,
  OverrideDto,
  SchoolAttendanceDto,
  SocialCareDto,
  BenefitDto,
} from './families.dto';
import { Access, PARTNER_KINDS, CASEWORK } from '../auth/access';

const recordedSchema = { schema: { type: 'object', properties: { eventId: { type: 'string', format: 'uuid' }, version: { type: 'integer' } } } };

/** Swagger answers shared by every family command. */
function CommandResponses(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of [
      ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first answer and records nothing new' }),
      ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last seen; a stale one gets 409' }),
      ApiCreatedResponse({ description: 'Recorded; ETag carries the family stream version', ...recordedSchema }),
      ApiBadRequestResponse({ description: 'Malformed body or invalid fields; every bad field is named in details' }),
      ApiNotFoundResponse({ description: 'No family with this id' }),
      ApiConflictResponse({ description: 'If-Match no longer matches, or a duplicate' }),
      ApiUnprocessableEntityResponse({ description: 'A programme rule refused it; reason names the rule' }),
      ApiServiceUnavailableResponse({ description: 'The event store is unavailable' }),
    ]) {
      d(target, key, descriptor);
    }
  };
}

type Answer = { eventId: string; version: number };

@ApiTags('families: commands')
@Controller('api/families')
export class FamiliesController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(RAW_EVENT_STORE) private readonly rawStore: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Access({ 'programme-manager': true })
  @Post()
  @ApiOperation({ summary: 'Identify a family with its members' })
  @CommandResponses()
  @ETag()
  @ApiCreatedResponse({ schema: { example: { familyId: 'uuid', members: [{ memberId: 'uuid' }] } } })
  async identify(@Body() body: IdentifyFamilyDto, @Recorded() recording: Recording) {
    const familyId = derivedId(recording.envelope.commandId, 'family');
    const members = body.members.map((m, i) => toMember(m, m.memberId ?? derivedId(recording.envelope.commandId, `member:${i}`)));
    const chosen = body.members.flatMap((m) => (m.memberId ? [m.memberId] : []));
    const outcome = await this.run(familyId, { type: 'IdentifyFamily', familyId, reference: body.reference, identifiedOn: body.identifiedOn, members }, recording, chosen);
    const recorded = recordedOrThrow(outcome, 'family');
    const data = recorded.events[0]?.data as { members?: { memberId: string }[] } | undefined;
    const answer = { familyId, members: (data?.members ?? members).map((m) => ({ memberId: m.memberId })), eventId: recorded.events[0]?.eventId, version: recorded.version };
    return versioned(answer, recorded.version, { location: `/api/families/${familyId}` });
  }

  @Access(CASEWORK)
  @Post(':familyId/members')
  @ApiOperation({ summary: 'Add a member to a family' })
  @CommandResponses()
  @ETag()
  async addMember(@Param('familyId', familyIdPipe) familyId: string, @Body() body: MemberDto, @Recorded() recording: Recording) {
    const member = toMember(body, body.memberId ?? derivedId(recording.envelope.commandId, 'member:0'));
    const answer = await this.record(familyId, { type: 'AddFamilyMember', member }, recording, body.memberId ? [body.memberId] : []);
    return versioned({ ...answer, memberId: member.memberId }, answer.version);
  }

  @Access(CASEWORK)
  @Post(':familyId/problems')
  @ApiOperation({ summary: 'Record a headline problem with its indicator and source' })
  @CommandResponses()
  @ETag()
  problem(@Param('familyId', familyIdPipe) familyId: string, @Body() body: HeadlineProblemDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, { type: 'IdentifyHeadlineProblem', ...body }, recording);
  }

  @Access({ 'programme-manager': true })
  @Post(':familyId/attachment')
  @ApiOperation({ summary: 'Attach the family to the programme (keyworker, eligibility, allocation)' })
  @CommandResponses()
  @ETag()
  attach(@Param('familyId', familyIdPipe) familyId: string, @Body() body: AttachmentDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, { type: 'AttachFamily', ...body }, recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.school })
  @Post(':familyId/school-attendance')
  @ApiOperation({ summary: "Record a child's attendance for a term" })
  @CommandResponses()
  @ETag()
  attendance(@Param('familyId', familyIdPipe) familyId: string, @Body() body: SchoolAttendanceDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('school-attendance', body, ''), recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.school })
  @Post(':familyId/exclusions')
  @ApiOperation({ summary: 'Record a fixed-term or permanent exclusion' })
  @CommandResponses()
  @ETag()
  exclusion(@Param('familyId', familyIdPipe) familyId: string, @Body() body: ExclusionDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('exclusions', body, ''), recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.police })
  @Post(':familyId/offences')
  @ApiOperation({ summary: 'Record an offence (proven or not)' })
  @CommandResponses()
  @ETag()
  offence(@Param('familyId', familyIdPipe) familyId: string, @Body() body: OffenceDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('offences', body, ''), recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.police })
  @Post(':familyId/asb-incidents')
  @ApiOperation({ summary: 'Record an anti-social behaviour incident' })
  @CommandResponses()
  @ETag()
  asb(@Param('familyId', familyIdPipe) familyId: string, @Body() body: AsbIncidentDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('asb-incidents', body, ''), recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.dwp })
  @Post(':familyId/benefits')
  @ApiOperation({ summary: 'Record a benefit spell starting or ending' })
  @CommandResponses()
  @ETag()
  benefit(@Param('familyId', familyIdPipe) familyId: string, @Body() body: BenefitDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('benefits', body, ''), recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.dwp })
  @Post(':familyId/employment')
  @ApiOperation({ summary: 'Record employment starting or ending' })
  @CommandResponses()
  @ETag()
  employment(@Param('familyId', familyIdPipe) familyId: string, @Body() body: EmploymentDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('employment', body, ''), recording);
  }

  @Access(CASEWORK)
  @Post(':familyId/domestic-abuse-incidents')
  @ApiOperation({ summary: 'Record a domestic abuse incident' })
  @CommandResponses()
  @ETag()
  domesticAbuse(@Param('familyId', familyIdPipe) familyId: string, @Body() body: DomesticAbuseIncidentDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('domestic-abuse-incidents', body, ''), recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.health })
  @Post(':familyId/health')
  @ApiOperation({ summary: 'Record a health concern identified or resolved' })
  @CommandResponses()
  @ETag()
  @ApiCreatedResponse({ schema: { example: { eventId: 'uuid', version: 7, concernId: 'uuid' } } })
  async health(@Param('familyId', familyIdPipe) familyId: string, @Body() body: HealthDto, @Recorded() recording: Recording) {
    const command = toCommand('health', body, derivedId(recording.envelope.commandId, 'concern'));
    const answer = await this.record(familyId, command, recording);
    return versioned({ ...answer, concernId: (command as { concernId: string }).concernId }, answer.version);
  }

  @Access(CASEWORK)
  @Post(':familyId/social-care')
  @ApiOperation({ summary: "Record a child's social care status" })
  @CommandResponses()
  @ETag()
  socialCare(@Param('familyId', familyIdPipe) familyId: string, @Body() body: SocialCareDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('social-care', body, ''), recording);
  }

  @Access(CASEWORK)
  @Post(':familyId/consents')
  @ApiOperation({ summary: 'Record consent given or withdrawn, per person and purpose' })
  @CommandResponses()
  @ETag()
  consent(@Param('familyId', familyIdPipe) familyId: string, @Body() body: ConsentDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('consents', body, ''), recording);
  }

  @Access(CASEWORK)
  @Post(':familyId/activities')
  @ApiOperation({ summary: "Record a member's activity changing: NEET, or into education, training or employment (local evidence, DOMAIN.md 4.4)" })
  @CommandResponses()
  @ETag()
  activity(@Param('familyId', familyIdPipe) familyId: string, @Body() body: ActivityDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('activities', body, ''), recording);
  }

  @Access({ ...CASEWORK, partner: PARTNER_KINDS.dwp })
  @Post(':familyId/uc-conditionality')
  @ApiOperation({ summary: "Record a Universal Credit claimant's conditionality regime changing (DOMAIN.md 4.2); 422 NoOpenUcClaim without a UC claim open on that date" })
  @CommandResponses()
  @ETag()
  ucConditionality(@Param('familyId', familyIdPipe) familyId: string, @Body() body: UcConditionalityDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('uc-conditionality', body, ''), recording);
  }

  @Access(CASEWORK)
  @Post(':familyId/milestones')
  @ApiOperation({
    summary: 'Record a local milestone of the Outcome Plan in force achieved or reversed, with its evidence (DOMAIN.md 4.4); 422 UnknownMilestone when the plan in force on that date has no such code',
  })
  @CommandResponses()
  @ETag()
  milestone(@Param('familyId', familyIdPipe) familyId: string, @Body() body: MilestoneDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, toCommand('milestones', body, ''), recording);
  }

  @Access({ 'programme-manager': true })
  @Post(':familyId/overrides')
  @ApiOperation({ summary: "Record a programme manager's discretionary override for one problem" })
  @CommandResponses()
  @ETag()
  async override(@Param('familyId', familyIdPipe) familyId: string, @Body() body: OverrideDto, @Recorded() recording: Recording) {
    // DOMAIN.md 4.1: the approver is a programme manager (another one than the recorder when configured).
    if (body.approvedBy !== undefined && body.approvedBy !== recording.envelope.actor.userId) {
      let approver = initialUserState();
      for (const e of (await this.rawStore.readStream(streams.user(body.approvedBy))).events) approver = evolveUser(approver, decodeUserEvent(e));
      if (!approver.exists || approver.role !== 'programme-manager') {
        throw new ApiError(422, `approvedBy: ${body.approvedBy} is not a programme manager`, { reason: 'ApproverNotProgrammeManager' });
      }
    }
    const command: FamilyCommand = { type: 'RecordOutcomeOverride', ...body, separateApprover: this.config.separateOverrideApprover === true };
    return this.recorded(familyId, command, recording);
  }

  @Access(CASEWORK)
  @Post(':familyId/closure')
  @ApiOperation({ summary: "Close the family's case" })
  @CommandResponses()
  @ETag()
  close(@Param('familyId', familyIdPipe) familyId: string, @Body() body: ClosureDto, @Recorded() recording: Recording) {
    return this.recorded(familyId, { type: 'CloseFamilyCase', ...body }, recording);
  }

  @Access(CASEWORK)
  @Post(':familyId/corrections')
  @HttpCode(201)
  @ApiOperation({ summary: 'Correct a recorded fact: the replacement supersedes it; history keeps both' })
  @CommandResponses()
  @ETag()
  async correct(@Param('familyId', familyIdPipe) familyId: string, @Body() body: CorrectionDto, @Recorded() recording: Recording) {
    const dto = await validateBody(REPLACEMENT_DTOS[body.replacement.path], body.replacement.body, 'replacement.body');
    const replacement = toCommand(body.replacement.path, dto, derivedId(recording.envelope.commandId, 'concern'));
    return this.recorded(familyId, { type: 'CorrectFact', supersedesEventId: body.supersedesEventId, replacement, ...(body.reason ? { reason: body.reason } : {}) }, recording);
  }

  /** `{ eventId, version }` of the command's last event, with the family's version as its ETag. */
  private async recorded(familyId: string, command: FamilyCommand, recording: Recording): Promise<Versioned<Answer>> {
    const answer = await this.record(familyId, command, recording);
    return versioned(answer, answer.version);
  }

  private async record(familyId: string, command: FamilyCommand, recording: Recording, clientMemberIds: readonly string[] = []): Promise<Answer> {
    const recorded = recordedOrThrow(await this.run(familyId, command, recording, clientMemberIds), 'family');
    const main = recorded.events[recorded.events.length - 1];
    return { eventId: main?.eventId ?? '', version: recorded.version };
  }

  private run(familyId: string, command: FamilyCommand, recording: Recording, clientMemberIds: readonly string[] = []): Promise<CommandOutcome<Rejection>> {
    return this.commands.execute(new RecordFamilyCommand(familyId, command, recording, clientMemberIds));
  }
}

export const REPLACEMENT_DTOS: Record<(typeof CORRECTABLE_PATHS)[number], new () => object> = {
  problems: HeadlineProblemDto,
  'school-attendance': SchoolAttendanceDto,
  exclusions: ExclusionDto,
  offences: OffenceDto,
  'asb-incidents': AsbIncidentDto,
  benefits: BenefitDto,
  employment: EmploymentDto,
  'domestic-abuse-incidents': DomesticAbuseIncidentDto,
  health: HealthDto,
  'social-care': SocialCareDto,
  consents: ConsentDto,
  activities: ActivityDto,
  milestones: MilestoneDto,
  'uc-conditionality': UcConditionalityDto,
};

/** The domain command an evidence path's (validated) body stands for. */
export function toCommand(path: (typeof CORRECTABLE_PATHS)[number], body: object, newConcernId: string): FamilyCommand {
  switch (path) {
    case 'problems':
      return { type: 'IdentifyHeadlineProblem', ...(body as HeadlineProblemDto) };
    case 'school-attendance':
      return { type: 'RecordSchoolAttendance', ...(body as SchoolAttendanceDto) };
    case 'exclusions':
      return { type: 'RecordExclusion', ...(body as ExclusionDto) };
    case 'offences':
      return { type: 'RecordOffence', ...(body as OffenceDto) };
    case 'asb-incidents':
      return { type: 'RecordAsbIncident', ...(body as AsbIncidentDto) };
    case 'benefits':
      return { type: 'RecordBenefitChange', ...(body as BenefitDto) };
    case 'employment':
      return { type: 'RecordEmploymentChange', ...(body as EmploymentDto) };
    case 'domestic-abuse-incidents':
      return { type: 'RecordDomesticAbuseIncident', ...(body as DomesticAbuseIncidentDto) };
    case 'health': {
      const h = body as HealthDto;
      return { type: 'RecordHealthChange', memberId: h.memberId, change: h.change, on: h.on, concernId: h.concernId ?? newConcernId, ...(h.description ? { description: h.description } : {}) };
    }
    case 'social-care':
      return { type: 'RecordSocialCareStatus', ...(body as SocialCareDto) };
    case 'consents':
      return { type: 'RecordConsent', ...(body as ConsentDto) };
    case 'activities':
      return { type: 'RecordActivityChange', ...(body as ActivityDto) };
    case 'milestones':
      return { type: 'RecordOutcomeMilestone', ...(body as MilestoneDto) };
    case 'uc-conditionality':
      return { type: 'RecordUcConditionality', ...(body as UcConditionalityDto) };
  }
}

function toMember(dto: MemberDto, memberId: string): Member {
  const member: Member = {
    memberId,
    relationship: dto.relationship,
    givenName: dto.givenName,
    familyName: dto.familyName,
    dateOfBirth: dto.dateOfBirth,
    livesInHousehold: dto.livesInHousehold ?? true,
  };
  for (const key of ['gender', 'postcode', 'nationalInsuranceNumber', 'uniquePupilNumber', 'nhsNumber', 'inEducationOrTraining', 'expectant'] as const) {
    if (dto[key] !== undefined) (member as unknown as Record<string, unknown>)[key] = dto[key];
  }
  return member;
}
