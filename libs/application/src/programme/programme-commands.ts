import { Inject } from '@nestjs/common';
import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import {
  type OutcomePlanCommand,
  type ProgrammeCommand,
  type ProgrammeState,
  type Rejection,
  foldStored,
  frameworks,
  outcomePlanDecider,
  programmeDecider,
  troubledFamilies2015,
  streams,
} from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, handleCommand } from '@ledger/event-store';
import type { Recording } from '../recording';

/** The council this deployment serves: its programme and outcome plan streams are named after it. */
export const COUNCIL_ID = Symbol('COUNCIL_ID');

/** The council's programme as its stream tells it now. */
export async function readProgramme(store: EventStore, councilId: string): Promise<{ state: ProgrammeState; version: number }> {
  const read = await store.readStream(streams.programme(councilId));
  return { state: foldStored(programmeDecider, read.events), version: read.version };
}

export class RecordProgrammeCommand extends Command<CommandOutcome<Rejection>> {
  constructor(
    readonly command: ProgrammeCommand,
    readonly recording: Recording,
  ) {
    super();
  }
}

@CommandHandler(RecordProgrammeCommand)
export class ProgrammeCommandHandler implements ICommandHandler<RecordProgrammeCommand, CommandOutcome<Rejection>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  execute({ command, recording }: RecordProgrammeCommand): Promise<CommandOutcome<Rejection>> {
    return handleCommand(this.store, streams.programme(this.councilId), programmeDecider, command, undefined, recording.envelope);
  }
}

export class RecordOutcomePlanCommand extends Command<CommandOutcome<Rejection>> {
  constructor(
    readonly command: OutcomePlanCommand,
    readonly recording: Recording,
  ) {
    super();
  }
}

@CommandHandler(RecordOutcomePlanCommand)
export class OutcomePlanCommandHandler implements ICommandHandler<RecordOutcomePlanCommand, CommandOutcome<Rejection>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  async execute({ command, recording }: RecordOutcomePlanCommand): Promise<CommandOutcome<Rejection>> {
    // Version 1 is the framework's own plan: a new version's problems are that framework's.
    const { state: programme } = await readProgramme(this.store, this.councilId);
    const framework = frameworks[programme.framework] ?? troubledFamilies2015;
    return handleCommand(this.store, streams.outcomePlan(this.councilId), outcomePlanDecider(framework.defaultPlan), command, undefined, recording.envelope);
  }
}
