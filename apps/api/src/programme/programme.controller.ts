import { Body, Controller, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  decodeOutcomePlanEvent,
  type OutcomePlanParametersPatch,
  type Rejection,
  evolveOutcomePlan,
  initialOutcomePlanState,
  frameworks,
  troubledFamilies2015,
  streams,
} from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { RecordingFactory, recordedOrThrow } from '../http/recording';
import { ClaimWindowDto, ConfigureProgrammeDto, OutcomePlanVersionDto } from './programme.dto';
import { COUNCIL_ID, readProgramme, RecordOutcomePlanCommand, RecordProgrammeCommand, ApiError } from '@ledger/application';
import { Access, STAFF } from '../auth/access';

@ApiTags('programme set-up')
@Controller('api')
export class ProgrammeController {
  constructor(
    private readonly commands: CommandBus,
    private readonly recordings: RecordingFactory,
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
  async configure(@Body() body: ConfigureProgrammeDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const outcome: CommandOutcome<Rejection> = await this.commands.execute(new RecordProgrammeCommand({ type: 'ConfigureProgramme', ...body }, this.recordings.from(req)));
    const recorded = recordedOrThrow(outcome, 'programme');
    res.setHeader('ETag', `"${recorded.version}"`);
    return this.programme();
  }

  @Access(STAFF)
  @Get('programme')
  @ApiOperation({ summary: "The council's programme" })
  async get(@Res({ passthrough: true }) res: Response) {
    const programme = await this.programme();
    if (!programme.configured) throw new ApiError(404, 'the programme has not been set up (PUT /api/programme)', { reason: 'ProgrammeNotConfigured' });
    res.setHeader('ETag', `"${programme.version}"`);
    return programme;
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
  async recordPlan(@Body() body: OutcomePlanVersionDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const command = {
      type: 'RecordOutcomePlanVersion' as const,
      effectiveFrom: body.effectiveFrom,
      scope: body.scope,
      ...(body.parameters !== undefined ? { parameters: body.parameters as OutcomePlanParametersPatch } : {}),
      ...(body.problems !== undefined ? { problems: body.problems } : {}),
      ...(body.milestones !== undefined ? { milestones: body.milestones } : {}),
    };
    const recorded = recordedOrThrow(await this.commands.execute<RecordOutcomePlanCommand, CommandOutcome<Rejection>>(new RecordOutcomePlanCommand(command, this.recordings.from(req))), 'outcome plan');
    res.setHeader('ETag', `"${recorded.version}"`);
    const data = recorded.events[0]?.data as { version?: number } | undefined;
    return { version: data?.version, eventId: recorded.events[0]?.eventId };
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
  async defineWindow(@Body() body: ClaimWindowDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const recorded = recordedOrThrow(
      await this.commands.execute<RecordProgrammeCommand, CommandOutcome<Rejection>>(new RecordProgrammeCommand({ type: 'DefineClaimWindow', ...body }, this.recordings.from(req))),
      'programme',
    );
    res.setHeader('ETag', `"${recorded.version}"`);
    return { ...body, eventId: recorded.events[0]?.eventId, version: recorded.version };
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
