import type { DomainEvent } from '../shared/decision';
import type { StoredEvent } from '../shared/decider';

// Events of `claim-<claimId>` (DOMAIN.md 5): a results claim from its draft, through internal
// audit and the two sign-offs, to submission, payment and any later recovery. Money is integer
// pence, dates are business dates (`YYYY-MM-DD`).

/** The two routes to a result (DOMAIN.md 4.1 significant and sustained progress, 4.2 continuous employment). */
export const CLAIM_ROUTES = ['sustained-progress', 'continuous-employment'] as const;
export type ClaimRoute = (typeof CLAIM_ROUTES)[number];

/** Who signs a claim off before submission (DOMAIN.md 5.3): two different people. [config: roles] */
export const SIGN_OFF_ROLES = ['programme-lead', 'head-of-audit'] as const;
export type SignOffRole = (typeof SIGN_OFF_ROLES)[number];

/** A family as a claim lists it: the result claimed, the plan version that judged it and the evidence behind it. */
export interface ClaimedFamily {
  familyId: string;
  reference: string;
  /** One result per family whichever route (DOMAIN.md 4.3); see `claimRouteOf`. */
  route: ClaimRoute;
  /** The Outcome Plan version in force at the claim's as-of date. */
  planVersion: number;
  amountPence: number;
  attachedOn: string;
  /** The family events behind each problem's result. */
  evidenceEventIds: string[];
  /** Whether a discretionary override counted towards the result (a risk for the audit sample). */
  overridden: boolean;
  /**
   * DOMAIN.md 5: a family internal audit found invalid comes back in a later draft only with
   * evidence recorded after that finding; such a family is shown with the finding and the new evidence.
   */
  afterInvalidFinding?: { claimId: string; foundOn: string; newEvidenceEventIds: string[] };
}

// DOMAIN.md 5: every step carries its own business date (`draftedOn`, `sampledOn`, `foundOn`,
// `signedOn`, `submittedOn`, `receivedOn`, `on`, `withdrawnOn`). Events recorded before those
// dates existed lack some of them: `upcastClaimEvent` gives them the day they were recorded.

/**
 * Issue 22.5: a claim's families are listed in events of at most `CLAIM_FAMILIES_PER_EVENT`, so no
 * event grows with the claim (a national claim holds over 160,000 families). `ClaimDrafted` lists
 * the first part and says how many parts there are (`parts`, absent on claims drafted before:
 * one); `ClaimFamiliesListed` events, appended with it, list the rest in order. `totalPence` and
 * `familyCount` are the whole claim's.
 */
export const CLAIM_FAMILIES_PER_EVENT = 1_000;

export type ClaimDrafted = DomainEvent<
  'ClaimDrafted',
  {
    claimId: string;
    windowId?: string;
    asOf: string;
    draftedOn?: string;
    frameworkId: string;
    frameworkVersion?: string;
    draftedBy: string;
    families: ClaimedFamily[];
    totalPence: number;
    parts?: number;
    familyCount?: number;
  }
>;
/** Part `part` (2 to the draft's `parts`) of the families a draft lists, in the draft's order. */
export type ClaimFamiliesListed = DomainEvent<'ClaimFamiliesListed', { part: number; families: ClaimedFamily[] }>;
/**
 * The internal audit's sample, reproducible from its seed, percent and minimum (DOMAIN.md 5.2);
 * `reason` says why internal audit sampled more than the framework's percentage.
 */
export type AuditSampleDrawn = DomainEvent<'AuditSampleDrawn', { seed: number; percent: number; minimum: number; familyIds: string[]; sampledOn?: string; drawnBy?: string; reason?: string }>;
export type AuditFindingRecorded = DomainEvent<'AuditFindingRecorded', { familyId: string; valid: boolean; note: string; auditor: string; foundOn?: string }>;
/** An invalid family leaves the claim (recorded with its finding, DOMAIN.md 5.2). */
export type FamilyRemovedFromClaim = DomainEvent<'FamilyRemovedFromClaim', { familyId: string; reason: string; amountPence: number }>;
export type ClaimSignedOff = DomainEvent<'ClaimSignedOff', { role: SignOffRole; by: string; signedOn?: string }>;
/**
 * `familyIds` lists the first part of the families submitted; `parts` (absent on claims submitted
 * before: one) says how many, the rest in `ClaimFamiliesSubmitted` events appended with it.
 */
export type ClaimSubmitted = DomainEvent<'ClaimSubmitted', { submittedOn: string; familyIds: string[]; totalPence: number; parts?: number; familyCount?: number }>;
/** Part `part` (2 to the submission's `parts`) of the families a submission lists, in order. */
export type ClaimFamiliesSubmitted = DomainEvent<'ClaimFamiliesSubmitted', { part: number; submittedOn: string; familyIds: string[] }>;
/** `differencePence` = received − expected: negative when central government paid less than claimed. */
export type ClaimPaymentReceived = DomainEvent<'ClaimPaymentReceived', { receivedOn: string; amountPence: number; expectedPence: number; differencePence: number }>;
/** A spot check found a claimed family invalid: its result payment is clawed back (a reversing entry, DOMAIN.md 5.5). */
export type FamilyResultRecovered = DomainEvent<'FamilyResultRecovered', { familyId: string; reason: string; on: string; amountPence: number; spotCheckId?: string }>;
/** A claim not yet submitted is a working document: it can be withdrawn, with a reason (DOMAIN.md 5). */
export type ClaimWithdrawn = DomainEvent<'ClaimWithdrawn', { reason: string; withdrawnOn: string; by: string }>;

export type ClaimEvent =
  | ClaimDrafted
  | ClaimFamiliesListed
  | AuditSampleDrawn
  | AuditFindingRecorded
  | FamilyRemovedFromClaim
  | ClaimSignedOff
  | ClaimSubmitted
  | ClaimFamiliesSubmitted
  | ClaimPaymentReceived
  | FamilyResultRecovered
  | ClaimWithdrawn;

/** Splits a list into parts of at most `size` (at least one part, empty when the list is). */
export function inParts<T>(items: readonly T[], size = CLAIM_FAMILIES_PER_EVENT): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts.length > 0 ? parts : [[]];
}

/**
 * Events recorded before the claim steps carried their own business dates fold with the day they
 * were recorded (`recordedOn`, Europe/London) as that date.
 */
export function upcastClaimEvent(event: ClaimEvent, recordedOn: string): ClaimEvent {
  switch (event.type) {
    case 'ClaimDrafted':
      return event.data.draftedOn === undefined ? { ...event, data: { ...event.data, draftedOn: recordedOn } } : event;
    case 'AuditSampleDrawn':
      return event.data.sampledOn === undefined ? { ...event, data: { ...event.data, sampledOn: recordedOn } } : event;
    case 'AuditFindingRecorded':
      return event.data.foundOn === undefined ? { ...event, data: { ...event.data, foundOn: recordedOn } } : event;
    case 'ClaimSignedOff':
      return event.data.signedOn === undefined ? { ...event, data: { ...event.data, signedOn: recordedOn } } : event;
    default:
      return event;
  }
}

/**
 * The one step from a stored event to a claim event: every reader of claim streams decodes
 * through it (upcasters of older shapes go here). Events from before the steps carried dates stay
 * without them here, as the claim's decider folds them (no order to check against them); readers
 * that need a date give them the day they were recorded with `upcastClaimEvent`.
 */
export function decodeClaimEvent(stored: Pick<StoredEvent, 'type' | 'data'>): ClaimEvent {
  return { type: stored.type, data: stored.data } as ClaimEvent;
}
