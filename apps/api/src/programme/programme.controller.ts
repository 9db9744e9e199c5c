import { Body, Controller, Get, HttpCode, Inject, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { decodeOutcomePlanEvent, type OutcomePlanParametersPatch, type Rejection, evolveOutcomePlan, initialOutcomePlanState, frameworks, troubledFamilies2015, streams } from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ETag, versioned } from '../http/etag';
import { Recorded } from '../http/recorded';
import { recordedOrThrow } from '../http/recording';
import { ClaimWindowDto, ConfigureProgrammeDto, OutcomePlanVersionDto } from './programme.dto';
import { COUNCIL_ID, readProgramme, RecordOutcomePlanCommand, RecordProgrammeCommand, ApiError, type Recording } from '@ledger/application';
import { Access, STAFF } from '../auth/access';

@ApiTags('programme set-up')
@Controller('api')
export class ProgrammeController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  @Access({ admin: true, 'programme-manager': true })
  @Put('programme')
  @HttpCode(200)
  @ApiOperation({ summary: "Set up (or change) the council's programme: framework, allocation, fee basis" })
  @ApiOkResponse({ description: 'The programme as now configured' })
  @ApiBadRequestResponse({ description: 'Invalid fields, each named in details' })
  @ApiUnprocessableEntityResponse({ description: 'AllocationBelowAttachments, UnknownFramework' })
  @ETag()
  async configure(@Body() body: ConfigureProgrammeDto, @Recorded() recording: Recording) {
    const outcome: CommandOutcome<Rejection> = await this.commands.execute(new RecordProgrammeCommand({ type: 'ConfigureProgramme', ...body }, recording));
    const recorded = recordedOrThrow(outcome, 'programme');
    return versioned(await this.programme(), recorded.version);
  }

  @Access(STAFF)
  @Get('programme')
  @ApiOperation({ summary: "The council's programme" })
  @ETag()
  async get() {
    const programme = await this.programme();
    if (!programme.configured) throw new ApiError(404, 'the programme has not been set up (PUT /api/programme)', { reason: 'ProgrammeNotConfigured' });
    return versioned(programme, programme.version);
  }

  @Access(STAFF)
  @Get('outcome-plans')
  @ApiOperation({ summary: "Versions of the council's Outcome Plan (version 1 is the default plan of DOMAIN.md 4.1)" })
  async outcomePlans() {
    const read = await this.store.readStream(streams.outcomePlan(this.councilId));
    const { state: programme } = await readProgramme(this.store, this.councilId);
    let state = initialOutcomePlanState((frameworks[programme.framework] ?? troubledFamilies2015).defaultPlan);
    for (const e of read.events) state = evolveOutcomePlan(state, decodeOutcomePlanEvent(e));
    return { versions: state.versions };
  }

  @Access({ 'programme-manager': true })
  @Post('outcome-plans')
  @ApiOperation({ summary: 'Record a new version of the Outcome Plan, in force from a date' })
  @ApiCreatedResponse({ schema: { example: { version: 2 } } })
  @ApiBadRequestResponse({ description: 'Invalid fields, each named in details' })
  @ApiUnprocessableEntityResponse({ description: 'EffectiveFromNotAfterPrevious, InvalidOutcomePlanParameter' })
  @ETag()
  async recordPlan(@Body() body: OutcomePlanVersionDto, @Recorded() recording: Recording) {
    const command = {
      type: 'RecordOutcomePlanVersion' as const,
      effectiveFrom: body.effectiveFrom,
      scope: body.scope,
      ...(body.parameters !== undefined ? { parameters: body.parameters as OutcomePlanParametersPatch } : {}),
      ...(body.problems !== undefined ? { problems: body.problems } : {}),
      ...(body.milestones !== undefined ? { milestones: body.milestones } : {}),
    };
    const recorded = recordedOrThrow(await this.commands.execute<RecordOutcomePlanCommand, CommandOutcome<Rejection>>(new RecordOutcomePlanCommand(command, recording)), 'outcome plan');
    const data = recorded.events[0]?.data as { version?: number } | undefined;
    // The body's version is the plan's; the ETag is the plan stream's.
    return versioned({ version: data?.version, eventId: recorded.events[0]?.eventId }, recorded.version);
  }

  @Access({ admin: true, 'programme-manager': true, 'finance-officer': true, auditor: true })
  @Get('claim-windows')
  @ApiOperation({ summary: 'Claim windows: open, close and expected payment dates' })
  async claimWindows() {
    return { windows: (await this.programme()).claimWindows };
  }

  @Access({ 'programme-manager': true, 'finance-officer': true })
  @Post('claim-windows')
  @ApiOperation({ summary: 'Define a claim window' })
  @ApiCreatedResponse({ description: 'The window' })
  @ApiBadRequestResponse({ description: 'Invalid fields, each named in details' })
  @ApiConflictResponse({ description: 'ClaimWindowExists' })
  @ApiUnprocessableEntityResponse({ description: 'EndBeforeStart, PaymentBeforeClose' })
  @ETag()
  async defineWindow(@Body() body: ClaimWindowDto, @Recorded() recording: Recording) {
    const recorded = recordedOrThrow(
      await this.commands.execute<RecordProgrammeCommand, CommandOutcome<Rejection>>(new RecordProgrammeCommand({ type: 'DefineClaimWindow', ...body }, recording)),
      'programme',
    );
    return versioned({ ...body, eventId: recorded.events[0]?.eventId, version: recorded.version }, recorded.version);
  }

  private async programme() {
    const { state, version } = await readProgramme(this.store, this.councilId);
    return {
      configured: state.configured,
      councilName: state.councilName,
      framework: state.framework,
      allocation: state.allocation,
      attachmentFeeBasis: state.attachmentFeeBasis,
      familiesAttached: state.attachedFamilies.size,
      placesLeft: Math.max(0, state.allocation - state.attachedFamilies.size),
      claimWindows: state.claimWindows,
      version,
    };
  }
}
