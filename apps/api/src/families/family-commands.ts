import { Inject } from '@nestjs/common';
import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import {
  type Decider,
  type DomainEvent,
  type FamilyCommand,
  type FamilyDecisionContext,
  type FamilyState,
  type Rejection,
  decideFamily,
  familyDecider,
  familyMembershipDecider,
  familyReferenceDecider,
  foldStored,
  memberOfAnotherFamily,
  outcomePlanDecider,
  programmeDecider,
  streams,
  troubledFamilies2015,
  frameworks,
  type FinancialFramework,
  userDecider,
  type OutcomePlanState,
} from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, LEDGER_CONFIG, type LoadedStream, StreamStateCache, decideOnStream, eventIdFor, handleCommand, loadStream } from '@ledger/event-store';
import type { LedgerConfig } from '@ledger/config';
import { COUNCIL_ID, derivedId, type Recording } from '@ledger/application';
import { KeyVault } from '@ledger/privacy';

/** Records one family command: load the family's stream → decide → append. */
export class RecordFamilyCommand extends Command<CommandOutcome<Rejection>> {
  constructor(
    readonly familyId: string,
    readonly command: FamilyCommand,
    readonly recording: Recording,
    /**
     * Member ids the client chose (issue 16.8): each must not be a person of another family. Ids
     * the api derived from the command id are new by construction and need no check.
     */
    readonly clientMemberIds: readonly string[] = [],
  ) {
    super();
  }
}

/**
 * The family states the command handler folded lately (the stream's tail is still read on every
 * command). Provided once per app, so that an erasure in this app forgets the family at once.
 */
export const FAMILY_STATES = Symbol('FAMILY_STATES');
export type FamilyStates = StreamStateCache<FamilyState>;

/**
 * A family command loads the family's stream once (from the remembered state and its tail) and
 * decides on it; the commands that first record on another stream (the reference register, a
 * person's one family, a place of the allocation) are checked against the family's own rules and
 * If-Match on that same read before, so a refused or stale request records nothing anywhere, and
 * the family's append then goes on the state read (its expected version catches anyone between).
 */
@CommandHandler(RecordFamilyCommand)
export class FamilyCommandHandler implements ICommandHandler<RecordFamilyCommand, CommandOutcome<Rejection>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    @Inject(FAMILY_STATES) private readonly states: FamilyStates,
    @Inject(KeyVault) private readonly vault: KeyVault,
    @Inject(LEDGER_CONFIG) private readonly config: Pick<LedgerConfig, 'programmeStartsOn'>,
  ) {}

  async execute({ familyId, command, recording, clientMemberIds }: RecordFamilyCommand): Promise<CommandOutcome<Rejection>> {
    const { envelope, recordedOn } = recording;
    const streamId = streams.family(familyId);
    const context: FamilyDecisionContext = {
      recordedOn,
      actorId: envelope.actor.userId,
      programmeStartsOn: troubledFamilies2015.programmeStartsOn,
      // DOMAIN.md 6: the sharing-consent rule is the decider's, on the state it appends to.
      sharedWithoutLegalBasis: envelope.actor.role === 'partner' && envelope.legalBasis === undefined,
    };
    const family = await loadStream(this.store, streamId, familyDecider, this.states);
    const onFamily = (decisionContext: FamilyDecisionContext) => handleCommand(this.store, streamId, familyDecider, command, decisionContext, envelope, { cache: this.states, loaded: family });
    // A retry of a command already recorded is answered from the stream, as the first time.
    if (family.eventIds.has(eventIdFor(envelope.commandId, 0))) return onFamily(context);

    if (command.type === 'IdentifyFamily' || command.type === 'AttachFamily' || (command.type === 'AddFamilyMember' && clientMemberIds.length > 0)) {
      if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== family.version) {
        return { kind: 'conflict', expected: envelope.expectedVersion, actual: family.version };
      }
      if (command.type === 'AttachFamily') return this.attach(familyId, command, family, context, recording);
      const precheck = decideFamily(command, family.state, context);
      if (!precheck.ok) return { kind: 'rejected', rejection: precheck.rejection, version: family.version };
      const known = await this.knownElsewhere(clientMemberIds, family.state, family.version);
      if (known) return known;
      // What this command takes on the registers is given back if the family's stream then
      // refuses it (a person another request claimed meanwhile, the family moved on): the
      // reference and the people are free again for the next request.
      const taken: Taken[] = [];
      const refusal =
        (command.type === 'IdentifyFamily' ? await this.reserveReference(command.reference, familyId, recording, family.version, taken) : null) ??
        (await this.claimMembers(clientMemberIds, familyId, recording, family.version, taken));
      const outcome = refusal ?? (await onFamily(context));
      if (outcome.kind !== 'recorded' && taken.length > 0) {
        const now = await loadStream(this.store, streamId, familyDecider, this.states);
        for (const giveBack of taken) await giveBack(now.state);
      }
      return outcome;
    }

    // Local evidence and problems are checked against the codes of the framework and the Outcome
    // Plan in force (DOMAIN.md 4.4).
    const reads = readsOutcomePlan(command);
    const framework = reads ? await this.framework() : undefined;
    const outcomePlans = framework ? await this.outcomePlans(framework) : undefined;
    return onFamily({ ...context, outcomePlans, ...(framework ? { framework } : {}) });
  }

  /**
   * DOMAIN.md 1: the allocation is enforced on the programme's stream, whose expected version
   * serialises concurrent attachments; the place is taken before the family is attached, and the
   * family decides on the programme as the place left it.
   */
  private async attach(
    familyId: string,
    command: Extract<FamilyCommand, { type: 'AttachFamily' }>,
    family: LoadedStream<FamilyState>,
    context: FamilyDecisionContext,
    recording: Recording,
  ): Promise<CommandOutcome<Rejection>> {
    const { envelope } = recording;
    const streamId = streams.family(familyId);
    const programmeStream = streams.programme(this.councilId);
    const keyworkerOnRecord = await this.isKeyworker(command.keyworker);
    const programme = await loadStream(this.store, programmeStream, programmeDecider);
    const attachContext = (state: typeof programme.state): FamilyDecisionContext => {
      const framework = frameworks[state.framework] ?? troubledFamilies2015;
      return { ...context, framework, programmeStartsOn: this.programmeStartsOn(framework), keyworkerOnRecord, programme: state };
    };
    const precheck = decideFamily(command, family.state, attachContext(programme.state));
    if (!precheck.ok) return { kind: 'rejected', rejection: precheck.rejection, version: family.version };
    // The place's command id names the family version read: a retry after a refusal (the family
    // moved on) takes a place afresh rather than replaying one since given back.
    const onProgramme = (placeCommand: Parameters<typeof programmeDecider.decide>[0], step: string, loaded?: typeof programme) =>
      decideOnStream(
        this.store,
        programmeStream,
        programmeDecider,
        placeCommand,
        undefined,
        { ...envelope, commandId: derivedId(envelope.commandId, `${step}@${family.version}`), expectedVersion: undefined },
        { loaded },
      );
    const place = await onProgramme({ type: 'TakeAllocationPlace', familyId, attachedOn: command.attachedOn }, 'allocation-place', programme);
    if (place.outcome.kind !== 'recorded') return place.outcome.kind === 'rejected' ? { ...place.outcome, version: family.version } : place.outcome;
    // The programme as the place left it (read again only when the place was taken by an earlier try of this command).
    const updated = place.state ?? (await loadStream(this.store, programmeStream, programmeDecider)).state;
    const attached = await handleCommand(this.store, streamId, familyDecider, command, attachContext(updated), envelope, { cache: this.states, loaded: family });
    // Issue 14.4: the family refused the attachment (it moved on since it was read) after this
    // command took a place: the place is given back, unless the family's own stream now records
    // it attached (another request attached it, holding the same place).
    if (attached.kind !== 'recorded' && place.outcome.events.length > 0) {
      const now = await loadStream(this.store, streamId, familyDecider, this.states);
      await onProgramme({ type: 'ReleaseAllocationPlace', familyId, familyAttached: now.state.attachment !== null }, 'allocation-place-release');
    }
    return attached;
  }

  /** Issue 17.5: the keyworker named at attachment is a keyworker user on record (stream `user-<username>`). */
  private async isKeyworker(username: string): Promise<boolean> {
    if (!/^[a-z0-9][a-z0-9._-]{1,59}$/.test(username)) return false;
    const user = foldStored(userDecider, (await this.store.readStream(streams.user(username))).events);
    return user.exists && user.role === 'keyworker';
  }

  /** DOMAIN.md 4.5: the council's configured start (early starters), never before the framework's earliest. */
  private programmeStartsOn(framework: FinancialFramework): string {
    const configured = this.config.programmeStartsOn;
    if (configured === undefined) return framework.programmeStartsOn;
    return configured < framework.earliestStartOn ? framework.earliestStartOn : configured;
  }

  /** The programme stream's framework as last read, and the version read up to (the stream grows with every attachment). */
  private programmeFramework = { version: 0, framework: '' };

  /**
   * The council's framework (phase two until the programme is configured): only the programme
   * stream's events since the last read are read, so identifying problems does not fold every
   * place of the allocation each time.
   */
  private async framework(): Promise<FinancialFramework> {
    const known = this.programmeFramework;
    const read = await this.store.readStream(streams.programme(this.councilId), { afterVersion: known.version });
    let framework = known.framework;
    for (const e of read.events) if (e.type === 'ProgrammeConfigured') framework = (e.data as { framework: string }).framework;
    if (read.version > this.programmeFramework.version) this.programmeFramework = { version: read.version, framework };
    return frameworks[framework] ?? troubledFamilies2015;
  }

  /** The council's plan versions; version 1 is the framework's own plan. */
  private async outcomePlans(framework: FinancialFramework): Promise<OutcomePlanState> {
    const read = await this.store.readStream(streams.outcomePlan(this.councilId));
    return foldStored(outcomePlanDecider(framework.defaultPlan), read.events);
  }

  /**
   * Issue 16.8: a client-chosen member id that already has a person key (anyone recorded before,
   * in any family, or erased) and is not a member of this family is another family's person: 409.
   * The key vault knows every person whose data was ever sealed, whichever way their id was made.
   */
  private async knownElsewhere(memberIds: readonly string[], family: FamilyState, version: number): Promise<CommandOutcome<Rejection> | null> {
    for (const memberId of memberIds) {
      if (family.members.has(memberId)) continue;
      if ((await this.vault.status(memberId)) !== 'unknown') return refused(memberOfAnotherFamily(), version);
    }
    return null;
  }

  /**
   * Claims each new client-chosen id for this family on its own stream, so two families racing for
   * one person cannot both have them; each person claimed is noted in `taken`, to give back.
   */
  private async claimMembers(memberIds: readonly string[], familyId: string, recording: Recording, version: number, taken: Taken[]): Promise<CommandOutcome<Rejection> | null> {
    for (const memberId of memberIds) {
      const outcome = await this.onRegister(
        streams.familyMember(memberId),
        familyMembershipDecider,
        { type: 'AssignFamilyMember', memberId, familyId },
        recording,
        `membership:${memberId}`,
        (family) => ({ type: 'ReleaseFamilyMember' as const, memberId, familyId, familyHasThem: family.members.has(memberId) }),
        taken,
      );
      if (outcome.kind === 'rejected') return { ...outcome, version };
      if (outcome.kind !== 'recorded') return outcome;
    }
    return null;
  }

  /** A family's reference is unique in the council: assigned on the reference register before identification (noted in `taken`, to give back). */
  private async reserveReference(reference: string, familyId: string, recording: Recording, version: number, taken: Taken[]): Promise<CommandOutcome<Rejection> | null> {
    const outcome = await this.onRegister(
      streams.familyReference(reference),
      familyReferenceDecider,
      { type: 'AssignFamilyReference', reference, familyId },
      recording,
      'reference',
      (family) => ({ type: 'ReleaseFamilyReference' as const, reference, familyId, familyIdentifiedWithIt: family.exists && family.reference === reference }),
      taken,
    );
    if (outcome.kind === 'recorded') return null;
    return outcome.kind === 'rejected' ? { ...outcome, version } : outcome;
  }

  /**
   * Records a command on a register. Its command id names the register's version read, so a retry
   * after the register gave back what an earlier try took decides afresh rather than replaying an
   * assignment since given back; the release names the version it gives back.
   */
  private async onRegister<C, E extends DomainEvent, S>(
    streamId: string,
    decider: Decider<C, E, S>,
    command: C,
    recording: Recording,
    step: string,
    release: (family: FamilyState) => C,
    taken: Taken[],
  ): Promise<CommandOutcome<Rejection>> {
    const envelope = { ...recording.envelope, expectedVersion: undefined };
    const register = await loadStream(this.store, streamId, decider);
    const outcome = await handleCommand(
      this.store,
      streamId,
      decider,
      command,
      undefined,
      { ...envelope, commandId: derivedId(envelope.commandId, `${step}@${register.version}`) },
      { loaded: register },
    );
    if (outcome.kind === 'recorded' && outcome.events.length > 0) {
      taken.push((family) => handleCommand(this.store, streamId, decider, release(family), undefined, { ...envelope, commandId: derivedId(envelope.commandId, `${step}-release@${outcome.version}`) }));
    }
    return outcome;
  }
}

/** Gives back what a command took on a register, unless the family's stream (as it now stands) holds it. */
type Taken = (family: FamilyState) => Promise<unknown>;

function refused(decision: ReturnType<typeof memberOfAnotherFamily>, version: number): CommandOutcome<Rejection> {
  if (decision.ok) throw new Error('unreachable');
  return { kind: 'rejected', rejection: decision.rejection, version };
}

function readsOutcomePlan(command: FamilyCommand): boolean {
  return (
    command.type === 'RecordOutcomeMilestone' ||
    command.type === 'IdentifyHeadlineProblem' ||
    command.type === 'RecordOutcomeOverride' ||
    (command.type === 'CorrectFact' && readsOutcomePlan(command.replacement))
  );
}
