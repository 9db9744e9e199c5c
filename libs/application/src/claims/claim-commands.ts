import { Inject } from '@nestjs/common';
import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import {
  type ClaimCommand,
  type ClaimDecisionContext,
  type ClaimEvent,
  type ClaimState,
  DEFAULT_AUDIT_SAMPLE,
  type Rejection,
  claimDecider,
  decideClaim,
  decodeClaimEvent,
  evolveClaim,
  familiesClaimedElsewhere,
  foldStored,
  initialClaimState,
  resultsRegisterDecider,
  streams,
  upcastClaimEvent,
} from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, type RecordedEvent, decideOnStream, handleCommand, loadStream } from '@ledger/event-store';
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

/** The council's register of families whose result has been claimed (DOMAIN.md 4.3): the claim holding each. */
export async function claimedFamilies(store: EventStore, councilId: string): Promise<Map<string, string>> {
  const read = await store.readStream(streams.resultClaims(councilId));
  return foldStored(resultsRegisterDecider, read.events).claimedIn;
}

export async function readClaim(store: EventStore, claimId: string): Promise<{ state: ClaimState; version: number }> {
  const read = await store.readStream(streams.claim(claimId));
  let state = initialClaimState();
  for (const e of read.events) state = evolveClaim(state, claimEventOf(e));
  return { state, version: read.version };
}

/** A stored claim event as the domain folds it: events from before the steps carried dates get the day they were recorded. */
export function claimEventOf(e: RecordedEvent): ClaimEvent {
  return upcastClaimEvent(decodeClaimEvent(e), londonToday(new Date(e.metadata.recordedAt)));
}

/** The audit sample's percentage and minimum (DOMAIN.md 5.2 [config]). */
export const AUDIT_SAMPLE = { ...DEFAULT_AUDIT_SAMPLE };

@CommandHandler(RecordClaimCommand)
export class ClaimCommandHandler implements ICommandHandler<RecordClaimCommand, CommandOutcome<Rejection>> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  async execute({ claimId, command, recording }: RecordClaimCommand): Promise<CommandOutcome<Rejection>> {
    const streamId = streams.claim(claimId);
    const context: ClaimDecisionContext = { auditSample: AUDIT_SAMPLE, recordedOn: recording.recordedOn };
    const registerStream = streams.resultClaims(this.councilId);
    if (command.type === 'DrawAuditSample') {
      // A stale draft is refused at sample time: the families other submitted claims hold now.
      const register = await loadStream(this.store, registerStream, resultsRegisterDecider);
      return handleCommand(this.store, streamId, claimDecider, { ...command, alreadyClaimedFamilyIds: familiesClaimedElsewhere(register.state, claimId) }, context, recording.envelope);
    }
    if (command.type !== 'SubmitClaim') return handleCommand(this.store, streamId, claimDecider, command, context, recording.envelope);

    // One result per family across all claims: the families are entered in the council's register
    // (one stream, so concurrent submissions are serialised by its expected version) before the
    // claim records its submission. A retry finds its own entry and goes on.
    // Checked on the claim as its readers see it (older events dated the day they were recorded).
    const claim = await readClaim(this.store, claimId);
    if (recording.envelope.expectedVersion !== undefined && recording.envelope.expectedVersion !== claim.version) {
      return { kind: 'conflict', expected: recording.envelope.expectedVersion, actual: claim.version };
    }
    const register = await loadStream(this.store, registerStream, resultsRegisterDecider);
    const precheck = decideClaim({ ...command, alreadyClaimedFamilyIds: familiesClaimedElsewhere(register.state, claimId) }, claim.state, context);
    if (!precheck.ok) return { kind: 'rejected', rejection: precheck.rejection, version: claim.version };
    const entered = await decideOnStream(
      this.store,
      registerStream,
      resultsRegisterDecider,
      { type: 'ClaimResults', claimId, familyIds: claim.state.families.remaining },
      undefined,
      { ...recording.envelope, commandId: derivedId(recording.envelope.commandId, 'results-register'), expectedVersion: undefined },
      { loaded: register },
    );
    if (entered.outcome.kind !== 'recorded') return entered.outcome.kind === 'rejected' ? { ...entered.outcome, version: claim.version } : entered.outcome;
    // The register as entered (read again only when this was a retry of an entry already made).
    const now = entered.state ?? (await loadStream(this.store, registerStream, resultsRegisterDecider)).state;
    return handleCommand(this.store, streamId, claimDecider, { ...command, alreadyClaimedFamilyIds: familiesClaimedElsewhere(now, claimId) }, context, recording.envelope);
  }
}
