import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import type { Decider, StoredEvent } from '../shared/decider';
import { inParts } from '../claims/claim.events';

// The council's register of families whose result has been claimed (DOMAIN.md 4.3),
// `resultClaims-<councilId>`: one result per family across all claims. A claim's families are
// entered in it before the claim records its submission; one stream, so two submissions racing
// for one family are serialised by its expected version and cannot both succeed.

export type ResultsRegisterEvent = DomainEvent<'ResultsClaimed', { claimId: string; familyIds: string[] }>;

/** The claim that holds each claimed family's result. */
export interface ResultsRegisterState {
  claimedIn: Map<string, string>;
}

export type ResultsRegisterCommand = { type: 'ClaimResults'; claimId: string; familyIds: readonly string[] };

export const initialResultsRegisterState = (): ResultsRegisterState => ({ claimedIn: new Map() });

export function evolveResultsRegister(state: ResultsRegisterState, event: ResultsRegisterEvent): ResultsRegisterState {
  const claimedIn = new Map(state.claimedIn);
  for (const familyId of event.data.familyIds) claimedIn.set(familyId, event.data.claimId);
  return { claimedIn };
}

/**
 * Enters a claim's families: refused when another claim holds any of them; nothing to record when
 * the claim holds them all already (a retry). The entry names every family of the claim, in
 * events of at most `CLAIM_FAMILIES_PER_EVENT` families appended together.
 */
export function decideResultsRegister(command: ResultsRegisterCommand, state: ResultsRegisterState): Decision<ResultsRegisterEvent> {
  const { claimId, familyIds } = command;
  const taken = familyIds.filter((id) => state.claimedIn.has(id) && state.claimedIn.get(id) !== claimId);
  if (taken.length > 0) return reject('AlreadyClaimed', `already claimed in another claim: ${taken.join(', ')}`);
  if (familyIds.every((id) => state.claimedIn.get(id) === claimId)) return accept();
  // Issue 22.5: in entries of bounded size (a national claim enters over 160,000 families), recorded together.
  return accept(...inParts(familyIds).map((part): ResultsRegisterEvent => ({ type: 'ResultsClaimed', data: { claimId, familyIds: part } })));
}

/** The families other claims than this one hold. */
export function familiesClaimedElsewhere(state: ResultsRegisterState, claimId: string): string[] {
  return [...state.claimedIn].filter(([, by]) => by !== claimId).map(([familyId]) => familyId);
}

export function decodeResultsRegisterEvent(stored: Pick<StoredEvent, 'type' | 'data'>): ResultsRegisterEvent {
  const data = stored.data as { claimId?: unknown; familyIds?: unknown };
  return { type: 'ResultsClaimed', data: { claimId: String(data.claimId), familyIds: Array.isArray(data.familyIds) ? data.familyIds.map(String) : [] } };
}

export const resultsRegisterDecider: Decider<ResultsRegisterCommand, ResultsRegisterEvent, ResultsRegisterState> = {
  initialState: initialResultsRegisterState,
  evolve: evolveResultsRegister,
  decide: decideResultsRegister,
  decode: decodeResultsRegisterEvent,
  fold: (history) => {
    const claimedIn = new Map<string, string>();
    for (const { event } of history) for (const familyId of event.data.familyIds) claimedIn.set(familyId, event.data.claimId);
    return { claimedIn };
  },
};
