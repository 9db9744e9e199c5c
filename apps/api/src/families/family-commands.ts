import { Inject } from '@nestjs/common';
import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import {
  type FamilyCommand,
  type FamilyEvent,
  type FamilyState,
  type ProgrammeEvent,
  type Rejection,
  decideFamily,
  decideProgramme,
  evolveFamily,
  foldFamily,
  evolveProgramme,
  initialFamilyState,
  initialProgrammeState,
  reject,
  accept,
  streams,
  troubledFamilies2015,
  frameworks,
  type FinancialFramework,
  type UserEvent,
  evolveUser,
  initialUserState,
  type OutcomePlanEvent,
  type OutcomePlanState,
  evolveOutcomePlan,
  initialOutcomePlanState,
} from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, LEDGER_CONFIG, StreamStateCache, eventIdsFor, handleCommand } from '@ledger/event-store';
import type { LedgerConfig } from '@ledger/config';
import { COUNCIL_ID, readProgramme, derivedId, type Recording } from '@ledger/application';
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

type ReferenceEvent = { type: 'FamilyReferenceAssigned'; data: { reference: string; familyId: string } };
/** A person's one family (issue 16.8), on `familyMember-<memberId>`: claimed before a client-chosen id joins a family. */
type MembershipEvent = { type: 'FamilyMemberAssigned'; data: { memberId: string; familyId: string } };

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
    const context = {
      recordedOn,
      actorId: envelope.actor.userId,
      programmeStartsOn: troubledFamilies2015.programmeStartsOn,
      // DOMAIN.md 6: the sharing-consent rule is the decider's, on the state it appends to.
      sharedWithoutLegalBasis: envelope.actor.role === 'partner' && envelope.legalBasis === undefined,
    };

    // Commands that first record on another stream (the reference, a place of the allocation) are
    // checked against the family's own rules and If-Match before that, so a refused or stale
    // request records nothing anywhere.
    if ((command.type === 'IdentifyFamily' || command.type === 'AttachFamily') && !(await this.alreadyRecorded(streamId, envelope.commandId))) {
      const read = await this.store.readStream(streamId);
      if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== read.version) {
        return { kind: 'conflict', expected: envelope.expectedVersion, actual: read.version };
      }
      let family = initialFamilyState();
      for (const e of read.events) family = evolveFamily(family, { type: e.type, data: e.data } as FamilyEvent, e.metadata.eventId);

      if (command.type === 'IdentifyFamily') {
        const precheck = decideFamily(command, family, context);
        if (!precheck.ok) return { kind: 'rejected', rejection: precheck.rejection, version: read.version };
        const known = await this.knownElsewhere(clientMemberIds, family, read.version);
        if (known) return known;
        const reserved = await this.reserveReference(command.reference, familyId, recording);
        if (reserved) return reserved;
        const joined = await this.claimMembers(clientMemberIds, familyId, recording, read.version);
        if (joined) return joined;
      } else {
        const programmeStream = streams.programme(this.councilId);
        const { state: programme } = await readProgramme(this.store, this.councilId);
        const framework = frameworks[programme.framework] ?? troubledFamilies2015;
        const attachContext = { ...context, framework, programmeStartsOn: this.programmeStartsOn(framework), keyworkerOnRecord: await this.isKeyworker(command.keyworker) };
        const precheck = decideFamily(command, family, { ...attachContext, programme });
        if (!precheck.ok) return { kind: 'rejected', rejection: precheck.rejection, version: read.version };
        // DOMAIN.md 1: the allocation is enforced on the programme's stream, whose expected
        // version serialises concurrent attachments; the place is taken before the family is attached.
        // Its command id names the family version read: a retry after a refusal (the family moved
        // on) takes a place afresh rather than replaying one since given back.
        const onProgramme = (decide: (s: ReturnType<typeof initialProgrammeState>) => ReturnType<typeof decideProgramme>, step: string) =>
          handleCommand(
            this.store,
            programmeStream,
            { initial: initialProgrammeState, evolve: (s, e: ProgrammeEvent) => evolveProgramme(s, e), decide },
            { ...envelope, commandId: derivedId(envelope.commandId, `${step}@${read.version}`), expectedVersion: undefined },
          );
        const place = await onProgramme((s) => decideProgramme({ type: 'TakeAllocationPlace', familyId, attachedOn: command.attachedOn }, s), 'allocation-place');
        if (place.kind !== 'recorded') return place.kind === 'rejected' ? { ...place, version: read.version } : place;
        const { state: updated } = await readProgramme(this.store, this.councilId);
        const attached = await handleCommand(this.store, streamId, familyDecider((s) => decideFamily(command, s, { ...attachContext, programme: updated })), envelope);
        // Issue 14.4: the family refused the attachment (it moved on since it was read) after this
        // command took a place: the place is given back, unless the family's own stream now records
        // it attached (another request attached it, holding the same place).
        if (attached.kind !== 'recorded' && place.events.length > 0) {
          const now = await this.store.readStream(streamId);
          const family = foldFamily(now.events.map((e) => ({ event: { type: e.type, data: e.data } as FamilyEvent, eventId: e.metadata.eventId })));
          await onProgramme((s) => decideProgramme({ type: 'ReleaseAllocationPlace', familyId, familyAttached: family.attachment !== null }, s), 'allocation-place-release');
        }
        return attached;
      }
    }

    if (command.type === 'AddFamilyMember' && clientMemberIds.length > 0 && !(await this.alreadyRecorded(streamId, envelope.commandId))) {
      const read = await this.store.readStream(streamId);
      let family = initialFamilyState();
      for (const e of read.events) family = evolveFamily(family, { type: e.type, data: e.data } as FamilyEvent, e.metadata.eventId);
      const precheck = decideFamily(command, family, context);
      if (!precheck.ok) return { kind: 'rejected', rejection: precheck.rejection, version: read.version };
      const known = await this.knownElsewhere(clientMemberIds, family, read.version);
      if (known) return known;
      const joined = await this.claimMembers(clientMemberIds, familyId, recording, read.version);
      if (joined) return joined;
    }

    // Local evidence and problems are checked against the codes of the framework and the Outcome
    // Plan in force (DOMAIN.md 4.4).
    const reads = readsOutcomePlan(command);
    const framework = reads ? await this.framework() : undefined;
    const outcomePlans = framework ? await this.outcomePlans(framework) : undefined;
    return handleCommand(this.store, streamId, familyDecider((s) => decideFamily(command, s, { ...context, outcomePlans, ...(framework ? { framework } : {}) })), envelope, { cache: this.states });
  }

  /** Issue 17.5: the keyworker named at attachment is a keyworker user on record (stream `user-<username>`). */
  private async isKeyworker(username: string): Promise<boolean> {
    if (!/^[a-z0-9][a-z0-9._-]{1,59}$/.test(username)) return false;
    const read = await this.store.readStream(streams.user(username));
    const user = read.events.reduce((state, e) => evolveUser(state, { type: e.type, data: e.data } as unknown as UserEvent), initialUserState());
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
    return read.events.reduce((state, e) => evolveOutcomePlan(state, { type: e.type, data: e.data } as unknown as OutcomePlanEvent), initialOutcomePlanState(framework.defaultPlan));
  }

  /**
   * Issue 16.8: a client-chosen member id that already has a person key (anyone recorded before,
   * in any family, or erased) and is not a member of this family is another family's person: 409.
   * The key vault knows every person whose data was ever sealed, whichever way their id was made.
   */
  private async knownElsewhere(memberIds: readonly string[], family: FamilyState, version: number): Promise<CommandOutcome<Rejection> | null> {
    for (const memberId of memberIds) {
      if (family.members.has(memberId)) continue;
      if ((await this.vault.status(memberId)) !== 'unknown') return memberOfAnotherFamily(version);
    }
    return null;
  }

  /** Claims each new client-chosen id for this family on its own stream, so two families racing for one person cannot both have them. */
  private async claimMembers(memberIds: readonly string[], familyId: string, recording: Recording, version: number): Promise<CommandOutcome<Rejection> | null> {
    for (const memberId of memberIds) {
      const outcome = await handleCommand<string | null, MembershipEvent, Rejection>(
        this.store,
        streams.familyMember(memberId),
        {
          initial: () => null,
          evolve: (_s, e) => e.data.familyId,
          decide: (owner) => {
            if (owner === null) return accept<MembershipEvent>({ type: 'FamilyMemberAssigned', data: { memberId, familyId } });
            if (owner === familyId) return accept<MembershipEvent>();
            return memberOfAnotherFamilyDecision();
          },
        },
        { ...recording.envelope, commandId: derivedId(recording.envelope.commandId, `membership:${memberId}`), expectedVersion: undefined },
      );
      if (outcome.kind === 'rejected') return { ...outcome, version };
      if (outcome.kind !== 'recorded') return outcome;
    }
    return null;
  }

  /** A family's reference is unique in the council: reserved on its own stream before identification. */
  private async reserveReference(reference: string, familyId: string, recording: Recording): Promise<CommandOutcome<Rejection> | null> {
    const outcome = await handleCommand<string | null, ReferenceEvent, Rejection>(
      this.store,
      `familyReference-${reference}`,
      {
        initial: () => null,
        evolve: (_s, e) => e.data.familyId,
        decide: (owner) => {
          if (owner === null) return accept<ReferenceEvent>({ type: 'FamilyReferenceAssigned', data: { reference, familyId } });
          if (owner === familyId) return accept<ReferenceEvent>();
          return reject<ReferenceEvent>('DuplicateReference', `reference ${reference} belongs to another family`, 'duplicate');
        },
      },
      { ...recording.envelope, commandId: derivedId(recording.envelope.commandId, 'reference'), expectedVersion: undefined },
    );
    return outcome.kind === 'recorded' ? null : outcome;
  }

  private async alreadyRecorded(streamId: string, commandId: string): Promise<boolean> {
    const [firstId] = eventIdsFor(commandId, 1);
    return (await this.store.readStream(streamId)).events.some((e) => e.metadata.eventId === firstId);
  }
}

function memberOfAnotherFamilyDecision() {
  return reject<MembershipEvent>('MemberOfAnotherFamily', 'this member id is a person of another family; leave memberId out to have a new one made', 'duplicate');
}

function memberOfAnotherFamily(version: number): CommandOutcome<Rejection> {
  const decision = memberOfAnotherFamilyDecision();
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

function familyDecider(decide: (state: ReturnType<typeof initialFamilyState>) => ReturnType<typeof decideFamily>) {
  return { initial: initialFamilyState, evolve: evolveFamily, fold: foldFamily, decide };
}
