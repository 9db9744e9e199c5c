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
  type ProgrammeState,
} from '@ledger/domain';
import {
  type CommandEnvelope,
  type CommandOutcome,
  EVENT_STORE,
  type EventStore,
  type JsonObject,
  LEDGER_CONFIG,
  type LoadedStream,
  StreamStateCache,
  decideOnStream,
  eventIdFor,
  expectedVersionOf,
  handleCommand,
  loadStream,
  newEventsOf,
} from '@ledger/event-store';
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
 * The family states the command handler folded lately, each as its last command left it: a
 * command decides on it and appends at its version without a read (a conflict reads the tail).
 * Provided once per app, so that an erasure in this app forgets the family at once.
 */
export const FAMILY_STATES = Symbol('FAMILY_STATES');
export type FamilyStates = StreamStateCache<FamilyState>;

/**
 * A family command decides on the family's remembered state and appends at its version, reading
 * nothing first (issue 22.3; the stream's tail is read on a conflict, a refusal, a stale If-Match
 * or a retry recorded since). The commands that first record on another stream (the reference
 * register, a person's one family, a place of the allocation) load the family's stream once (from
 * the remembered state and its tail) and are checked against the family's own rules and If-Match
 * on that read before, so a refused or stale request records nothing anywhere, and the family's
 * append then goes on the state read (its expected version catches anyone between). An
 * attachment takes its place of the allocation in the same transaction as the family's append.
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
    if (!(command.type === 'IdentifyFamily' || command.type === 'AttachFamily' || (command.type === 'AddFamilyMember' && clientMemberIds.length > 0))) {
      // Issue 22.3: decided on the family's remembered state with no read first; the append's
      // expected version catches anything recorded since, and a retry, a refusal or a stale
      // If-Match is decided again on the stream as read (see decideOnStream). Local evidence and
      // problems are checked against the codes of the framework and the Outcome Plan in force
      // (DOMAIN.md 4.4), read (together) for the commands that need them.
      const plans = readsOutcomePlan(command) ? await this.planContext() : {};
      return handleCommand(this.store, streamId, familyDecider, command, { ...context, ...plans }, envelope, { cache: this.states });
    }

    const family = await loadStream(this.store, streamId, familyDecider, this.states);
    const onFamily = (decisionContext: FamilyDecisionContext) => handleCommand(this.store, streamId, familyDecider, command, decisionContext, envelope, { cache: this.states, loaded: family });
    // A retry of a command already recorded is answered from the stream, as the first time.
    if (family.eventIds.has(eventIdFor(envelope.commandId, 0))) return onFamily(context);

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

  /**
   * DOMAIN.md 1: the allocation is enforced on the programme's stream, whose expected version
   * serialises concurrent attachments. Where the store can write two streams in one transaction,
   * the place is taken and the family attached together, all or nothing (issue 22.3); otherwise
   * the place is taken first, the family then decides on the programme as the place left it, and
   * the place is given back if the family refuses.
   */
  private async attach(
    familyId: string,
    command: Extract<FamilyCommand, { type: 'AttachFamily' }>,
    family: LoadedStream<FamilyState>,
    context: FamilyDecisionContext,
    recording: Recording,
  ): Promise<CommandOutcome<Rejection>> {
    const keyworkerOnRecord = await this.isKeyworker(command.keyworker);
    const attachContext = (state: ProgrammeState): FamilyDecisionContext => {
      const framework = frameworks[state.framework] ?? troubledFamilies2015;
      return { ...context, framework, programmeStartsOn: this.programmeStartsOn(framework), keyworkerOnRecord, programme: state };
    };
    const appendAtomically = this.store.appendAtomically?.bind(this.store);
    const together = appendAtomically ? await this.attachTogether(familyId, command, family, attachContext, recording, appendAtomically) : null;
    return together ?? this.attachStepByStep(familyId, command, family, attachContext, recording);
  }

  /**
   * The place of the allocation and the attachment in one atomic append (one round trip), each
   * stream at the version decided on. The programme as this handler last left it is decided on
   * without a read (its expected version catches any change: another attachment, a new
   * allocation); a refusal on it is decided again on the programme as read. Null when the
   * programme already holds a place for the family (an earlier try took it on its own): that is
   * attached step by step.
   */
  private async attachTogether(
    familyId: string,
    command: Extract<FamilyCommand, { type: 'AttachFamily' }>,
    loaded: LoadedStream<FamilyState>,
    attachContext: (state: ProgrammeState) => FamilyDecisionContext,
    recording: Recording,
    appendAtomically: NonNullable<EventStore['appendAtomically']>,
  ): Promise<CommandOutcome<Rejection> | null> {
    const { envelope } = recording;
    const streamId = streams.family(familyId);
    const programmeStream = streams.programme(this.councilId);
    const readProgramme = () => loadStream(this.store, programmeStream, programmeDecider, this.programmes);
    let family = loaded;
    const remembered = this.programmes.get(programmeStream);
    let programme: LoadedStream<ProgrammeState> = remembered ?? (await readProgramme());
    let programmeRead = remembered === undefined;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const refused = (rejection: Rejection): CommandOutcome<Rejection> => ({ kind: 'rejected', rejection, version: family.version });
      // The place's command id names the family version read: a retry after a refusal (the family
      // moved on) takes a place afresh rather than replaying one since given back.
      const placeEnvelope: CommandEnvelope = { ...envelope, commandId: derivedId(envelope.commandId, `allocation-place@${family.version}`), expectedVersion: undefined };
      const precheck = decideFamily(command, family.state, attachContext(programme.state));
      const place = precheck.ok ? programmeDecider.decide({ type: 'TakeAllocationPlace', familyId, attachedOn: command.attachedOn }, programme.state, undefined) : null;
      let placed = programme.state;
      if (place?.ok) place.events.forEach((event, i) => (placed = programmeDecider.evolve(placed, event, eventIdFor(placeEnvelope.commandId, i))));
      const decision = place?.ok && place.events.length > 0 ? decideFamily(command, family.state, attachContext(placed)) : null;
      if (!place?.ok || !decision?.ok) {
        // Refused, or no place to take, on the programme as remembered: decided again on it as read.
        if (!programmeRead) {
          programme = await readProgramme();
          programmeRead = true;
          continue;
        }
        if (!precheck.ok) return refused(precheck.rejection);
        if (place && !place.ok) return refused(place.rejection);
        if (decision && !decision.ok) return refused(decision.rejection);
        return null;
      }
      if (decision.events.length === 0) return { kind: 'recorded', events: [], version: family.version, replayed: false };
      const written = await appendAtomically([
        { streamId: programmeStream, events: newEventsOf(placeEnvelope, place.events), expectedVersion: expectedVersionOf(programme.version) },
        { streamId, events: newEventsOf(envelope, decision.events), expectedVersion: expectedVersionOf(family.version) },
      ]);
      if (written.kind === 'conflict') {
        const familyMoved = written.conflicts.find((c) => c.streamId === streamId);
        if (familyMoved) {
          if (envelope.expectedVersion !== undefined) return { kind: 'conflict', expected: envelope.expectedVersion, actual: familyMoved.actual };
          family = await loadStream(this.store, streamId, familyDecider, this.states);
          // Recorded meanwhile by another try of this command: answered from the stream.
          if (family.eventIds.has(eventIdFor(envelope.commandId, 0))) return this.answeredFromStream(streamId, command, attachContext(programme.state), envelope, family);
        }
        if (written.conflicts.some((c) => c.streamId === programmeStream)) {
          programme = await readProgramme();
          programmeRead = true;
        }
        continue;
      }
      const [placeTaken, attached] = written.results;
      if (!placeTaken || !attached) throw new Error('an atomic append answered for fewer streams than it was given');
      // The attachment was recorded already (a concurrent try of this command): answered from the stream.
      if (attached.idempotent) return this.answeredFromStream(streamId, command, attachContext(placed), envelope, await loadStream(this.store, streamId, familyDecider, this.states));
      let state = family.state;
      const eventIds = new Set(family.eventIds);
      const first = attached.nextExpectedVersion - decision.events.length + 1;
      const events = decision.events.map((event, i) => {
        const eventId = eventIdFor(envelope.commandId, i);
        state = familyDecider.evolve(state, event, eventId);
        eventIds.add(eventId);
        return { eventId, type: event.type, version: first + i, data: event.data as JsonObject };
      });
      this.states.advance(streamId, family.version, { version: attached.nextExpectedVersion, state, eventIds });
      if (!placeTaken.idempotent) {
        const placeIds = new Set(programme.eventIds);
        place.events.forEach((_, i) => placeIds.add(eventIdFor(placeEnvelope.commandId, i)));
        this.programmes.advance(programmeStream, programme.version, { version: placeTaken.nextExpectedVersion, state: placed, eventIds: placeIds });
      }
      return { kind: 'recorded', events, version: attached.nextExpectedVersion, replayed: false };
    }
    const current = await this.store.readStream(streamId, { limit: 0 });
    return { kind: 'conflict', expected: envelope.expectedVersion ?? current.version, actual: current.version };
  }

  /** A command found recorded in the family's stream: answered as the first time (or as a reused key). */
  private answeredFromStream(
    streamId: string,
    command: FamilyCommand,
    context: FamilyDecisionContext,
    envelope: CommandEnvelope,
    family: LoadedStream<FamilyState>,
  ): Promise<CommandOutcome<Rejection>> {
    return handleCommand(this.store, streamId, familyDecider, command, context, envelope, { cache: this.states, loaded: family });
  }

  /** Attachment where the store writes one stream at a time (EventStoreDB): the place first, given back if the family refuses. */
  private async attachStepByStep(
    familyId: string,
    command: Extract<FamilyCommand, { type: 'AttachFamily' }>,
    family: LoadedStream<FamilyState>,
    attachContext: (state: ProgrammeState) => FamilyDecisionContext,
    recording: Recording,
  ): Promise<CommandOutcome<Rejection>> {
    const { envelope } = recording;
    const streamId = streams.family(familyId);
    const programmeStream = streams.programme(this.councilId);
    const programme = await loadStream(this.store, programmeStream, programmeDecider);
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

  /**
   * The programme's state as the last attachment left it (no personal data: its settings and
   * places), decided on without a read; see attachTogether.
   */
  private readonly programmes = new StreamStateCache<ProgrammeState>();

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

  /** The council's framework and its plan versions (version 1 is the framework's own plan), both streams read at once. */
  private async planContext(): Promise<{ framework: FinancialFramework; outcomePlans: OutcomePlanState }> {
    const [framework, read] = await Promise.all([this.framework(), this.store.readStream(streams.outcomePlan(this.councilId))]);
    return { framework, outcomePlans: foldStored(outcomePlanDecider(framework.defaultPlan), read.events) };
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
