import { CurrentActor } from '../auth/actor';
import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Rejection, type SpotCheckCommand, type SpotCheckFinding, type SpotCheckRecorded, foldStored, spotCheckDecider, streams } from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, handleCommand } from '@ledger/event-store';
import { Access, roles } from '../auth/access';
import { ETag, versioned } from '../http/etag';
import { Recorded } from '../http/recorded';
import { recordedOrThrow } from '../http/recording';
import { COUNCIL_ID, claimedFamilies, readClaim, ApiError, type Actor, derivedId, type Recording } from '@ledger/application';
import { ClaimQueries } from '@ledger/projections';
import { SpotCheckDto } from './claims.dto';

// Government spot checks (DOMAIN.md 5.5): records of their own on `spotCheck-<spotCheckId>`. The
// finance officer records what central government checked and found; recoveries on the claims
// follow from the families it found invalid, each naming the spot check.

const ROLES = {
  record: ['finance-officer'],
  read: ['finance-officer', 'auditor', 'programme-manager', 'admin'],
} as const;

const spotCheckIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new ApiError(404, 'no spot check with this id', { reason: 'SpotCheckNotFound' }) });

export class RecordSpotCheckCommand extends Command<CommandOutcome<Rejection>> {
  constructor(
    readonly command: SpotCheckCommand,
    readonly recording: Recording,
  ) {
    super();
  }
}

@CommandHandler(RecordSpotCheckCommand)
export class SpotCheckCommandHandler implements ICommandHandler<RecordSpotCheckCommand, CommandOutcome<Rejection>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ command, recording }: RecordSpotCheckCommand): Promise<CommandOutcome<Rejection>> {
    return handleCommand(this.store, streams.spotCheck(command.spotCheckId), spotCheckDecider, command, { recordedOn: recording.recordedOn }, recording.envelope);
  }
}

/** A spot check as recorded (null when there is none with this id). */
export async function readSpotCheck(store: EventStore, spotCheckId: string): Promise<SpotCheckRecorded['data'] | null> {
  return foldStored(spotCheckDecider, (await store.readStream(streams.spotCheck(spotCheckId))).events).recorded;
}

/** What a spot check found about one family, for the recovery that names it; 422 when the spot check does not exist. */
export async function spotCheckFindingOf(store: EventStore, spotCheckId: string, familyId: string): Promise<SpotCheckFinding> {
  const check = await readSpotCheck(store, spotCheckId);
  if (!check) throw new ApiError(422, `no spot check ${spotCheckId}`, { reason: 'UnknownSpotCheck' });
  const family = check.families.find((f) => f.familyId === familyId);
  return { spotCheckId, checkedOn: check.checkedOn, foundInvalid: family !== undefined && !family.valid };
}

@ApiTags('claims')
@Controller('api/spot-checks')
export class SpotChecksController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    private readonly claims: ClaimQueries,
  ) {}

  @Access(roles(ROLES.record))
  @Post()
  @ApiOperation({
    summary: 'Record a government spot check: its date, the claimed families sampled, and the three questions answered for each (eligible, whole-family working, result evidenced)',
  })
  @ETag()
  async record(@Body() body: SpotCheckDto, @CurrentActor() actor: Actor, @Recorded() recording: Recording) {
    const spotCheckId = derivedId(recording.envelope.commandId, 'spot-check');
    const register = await claimedFamilies(this.store, this.councilId);
    // Recorded into the spot check, so read from the claims' own streams (never a lagging read model): only the claims of the families checked.
    const submittedOn = new Map<string, string | null>();
    for (const claimId of new Set(body.families.flatMap(({ familyId }) => register.get(familyId) ?? []))) {
      submittedOn.set(claimId, (await readClaim(this.store, claimId)).state.submission?.submittedOn ?? null);
    }
    const families = body.families.map(({ familyId, eligible, wholeFamilyWorking, resultEvidenced }) => {
      const claimId = register.get(familyId);
      const on = claimId === undefined ? null : (submittedOn.get(claimId) ?? null);
      return { familyId, eligible, wholeFamilyWorking, resultEvidenced, claim: claimId !== undefined && on !== null ? { claimId, submittedOn: on } : null };
    });
    const outcome: CommandOutcome<Rejection> = await this.commands.execute(
      new RecordSpotCheckCommand({ type: 'RecordSpotCheck', spotCheckId, checkedOn: body.checkedOn, recordedBy: actor.userId, families }, recording),
    );
    const recorded = recordedOrThrow(outcome, 'spot check');
    return versioned(await this.outcomeOf(spotCheckId), recorded.version, { location: `/api/spot-checks/${spotCheckId}` });
  }

  @Access(roles(ROLES.read))
  @Get()
  @ApiOperation({ summary: 'The spot-check report: every spot check with its outcome (families checked, found invalid, recovered and still to recover)' })
  async list() {
    const ids = await this.claims.spotCheckIds();
    const recoveries = await this.recoveries();
    const spotChecks = [];
    for (const id of ids) {
      const outcome = await this.outcomeOf(id, recoveries);
      const { families: _families, ...summary } = outcome;
      spotChecks.push(summary);
    }
    spotChecks.sort((a, b) => (a.checkedOn < b.checkedOn ? -1 : a.checkedOn > b.checkedOn ? 1 : a.spotCheckId < b.spotCheckId ? -1 : 1));
    return {
      spotChecks,
      totals: {
        familiesChecked: spotChecks.reduce((s, c) => s + c.familiesChecked, 0),
        foundInvalid: spotChecks.reduce((s, c) => s + c.foundInvalid, 0),
        recoveredPence: spotChecks.reduce((s, c) => s + c.recoveredPence, 0),
        toRecover: spotChecks.reduce((s, c) => s + c.toRecover, 0),
      },
    };
  }

  @Access(roles(ROLES.read))
  @Get(':spotCheckId')
  @ApiOperation({ summary: 'One spot check: each family with its answers, its claim and any recovery that followed' })
  async get(@Param('spotCheckId', spotCheckIdPipe) spotCheckId: string) {
    return this.outcomeOf(spotCheckId);
  }

  /** Recoveries that name a spot check: by spot check, then family (the claims read model). */
  private recoveries(): Promise<Map<string, Map<string, { claimId: string; on: string; amountPence: number }>>> {
    return this.claims.recoveriesBySpotCheck();
  }

  private async outcomeOf(spotCheckId: string, known?: Awaited<ReturnType<SpotChecksController['recoveries']>>) {
    const check = await readSpotCheck(this.store, spotCheckId);
    if (!check) throw new ApiError(404, 'no spot check with this id', { reason: 'SpotCheckNotFound' });
    const recovered = (known ?? (await this.recoveries())).get(spotCheckId) ?? new Map();
    const families = check.families.map((f) => ({ ...f, recovery: recovered.get(f.familyId) ?? null }));
    const invalid = families.filter((f) => !f.valid);
    return {
      spotCheckId,
      checkedOn: check.checkedOn,
      recordedBy: check.recordedBy,
      familiesChecked: families.length,
      foundInvalid: invalid.length,
      recovered: invalid.filter((f) => f.recovery !== null).length,
      recoveredPence: invalid.reduce((s, f) => s + (f.recovery?.amountPence ?? 0), 0),
      toRecover: invalid.filter((f) => f.recovery === null).length,
      families,
    };
  }
}
