import { Inject } from '@nestjs/common';
import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import {
  type ClaimCommand,
  type ClaimDecisionContext,
  type ClaimEvent,
  type ClaimState,
  DEFAULT_AUDIT_SAMPLE,
  type Rejection,
  accept,
  decideClaim,
  evolveClaim,
  initialClaimState,
  reject,
  upcastClaimEvent,
  streams,
} from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, type RecordedEvent, handleCommand } from '@ledger/event-store';
import { derivedId, londonToday, type Recording } from '../recording';
import { COUNCIL_ID } from '../programme/programme-commands';

/** Records one claim command: load `claim-<claimId>` → decide → append. */
export class RecordClaimCommand extends Command<CommandOutcome<Rejection>> {
  constructor(
    readonly claimId: string,
    readonly command: ClaimCommand,
    readonly recording: Recording,
  ) {
    super();
  }
}

type RegistryEvent = { type: 'ResultsClaimed'; data: { claimId: string; familyIds: string[] } };

/** The council's register of families whose result has been claimed (DOMAIN.md 4.3). */
export async function claimedFamilies(store: EventStore, councilId: string): Promise<Map<string, string>> {
  const read = await store.readStream(registryStream(councilId));
  const claimed = new Map<string, string>();
  for (const e of read.events) for (const familyId of (e.data.familyIds as string[]) ?? []) claimed.set(familyId, String(e.data.claimId));
  return claimed;
}

export async function readClaim(store: EventStore, claimId: string): Promise<{ state: ClaimState; version: number }> {
  const read = await store.readStream(streams.claim(claimId));
  let state = initialClaimState();
  for (const e of read.events) state = evolveClaim(state, claimEventOf(e));
  return { state, version: read.version };
}

/** A stored claim event as the domain folds it: events from before the steps carried dates get the day they were recorded. */
export function claimEventOf(e: RecordedEvent): ClaimEvent {
  return upcastClaimEvent({ type: e.type, data: e.data } as unknown as ClaimEvent, londonToday(new Date(e.metadata.recordedAt)));
}

/** The audit sample's percentage and minimum (DOMAIN.md 5.2 [config]). */
export const AUDIT_SAMPLE = { ...DEFAULT_AUDIT_SAMPLE };

function registryStream(councilId: string): string {
  return `resultClaims-${councilId}`;
}

@CommandHandler(RecordClaimCommand)
export class ClaimCommandHandler implements ICommandHandler<RecordClaimCommand, CommandOutcome<Rejection>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  async execute({ claimId, command, recording }: RecordClaimCommand): Promise<CommandOutcome<Rejection>> {
    const streamId = streams.claim(claimId);
    const context: ClaimDecisionContext = { auditSample: AUDIT_SAMPLE, recordedOn: recording.recordedOn };
    const decider = (decide: (s: ClaimState) => ReturnType<typeof decideClaim>) => ({
      initial: initialClaimState,
      // Events from before the steps carried dates fold with none here (no order to check against them).
      evolve: (s: ClaimState, e: ClaimEvent) => evolveClaim(s, e),
      decide,
    });
    if (command.type === 'DrawAuditSample') {
      // A stale draft is refused at sample time: the families other submitted claims hold now.
      const claimed = await claimedFamilies(this.store, this.councilId);
      const others = [...claimed].filter(([, by]) => by !== claimId).map(([familyId]) => familyId);
      return handleCommand(this.store, streamId, decider((s) => decideClaim({ ...command, alreadyClaimedFamilyIds: others }, s, context)), recording.envelope);
    }
    if (command.type !== 'SubmitClaim') return handleCommand(this.store, streamId, decider((s) => decideClaim(command, s, context)), recording.envelope);

    // One result per family across all claims: the families are entered in the council's register
    // (one stream, so concurrent submissions are serialised by its expected version) before the
    // claim records its submission. A retry finds its own entry and goes on.
    const { state, version } = await readClaim(this.store, claimId);
    if (recording.envelope.expectedVersion !== undefined && recording.envelope.expectedVersion !== version) {
      return { kind: 'conflict', expected: recording.envelope.expectedVersion, actual: version };
    }
    const claimed = await claimedFamilies(this.store, this.councilId);
    const others = [...claimed].filter(([, by]) => by !== claimId).map(([familyId]) => familyId);
    const precheck = decideClaim({ ...command, alreadyClaimedFamilyIds: others }, state, context);
    if (!precheck.ok) return { kind: 'rejected', rejection: precheck.rejection, version };
    const familyIds = state.families.remaining;
    const entered = await handleCommand<Map<string, string>, RegistryEvent, Rejection>(
      this.store,
      registryStream(this.councilId),
      {
        initial: () => new Map(),
        evolve: (s, e) => {
          const next = new Map(s);
          for (const id of e.data.familyIds) next.set(id, e.data.claimId);
          return next;
        },
        decide: (register) => {
          const taken = familyIds.filter((id) => register.has(id) && register.get(id) !== claimId);
          if (taken.length > 0) return reject('AlreadyClaimed', `already claimed in another claim: ${taken.join(', ')}`);
          if (familyIds.every((id) => register.get(id) === claimId)) return accept();
          return accept({ type: 'ResultsClaimed', data: { claimId, familyIds } });
        },
      },
      { ...recording.envelope, commandId: derivedId(recording.envelope.commandId, 'results-register'), expectedVersion: undefined },
    );
    if (entered.kind !== 'recorded') return entered.kind === 'rejected' ? { ...entered, version } : entered;
    const fresh = await claimedFamilies(this.store, this.councilId);
    const othersNow = [...fresh].filter(([, by]) => by !== claimId).map(([familyId]) => familyId);
    return handleCommand(this.store, streamId, decider((s) => decideClaim({ ...command, alreadyClaimedFamilyIds: othersNow }, s, context)), recording.envelope);
  }
}
