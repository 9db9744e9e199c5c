import type { DomainEvent } from '../shared/decision';

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
}

export type ClaimDrafted = DomainEvent<
  'ClaimDrafted',
  { claimId: string; windowId?: string; asOf: string; frameworkId: string; draftedBy: string; families: ClaimedFamily[]; totalPence: number }
>;
/** The internal audit's sample, reproducible from its seed, percent and minimum (DOMAIN.md 5.2). */
export type AuditSampleDrawn = DomainEvent<'AuditSampleDrawn', { seed: number; percent: number; minimum: number; familyIds: string[] }>;
export type AuditFindingRecorded = DomainEvent<'AuditFindingRecorded', { familyId: string; valid: boolean; note: string; auditor: string }>;
/** An invalid family leaves the claim (recorded with its finding, DOMAIN.md 5.2). */
export type FamilyRemovedFromClaim = DomainEvent<'FamilyRemovedFromClaim', { familyId: string; reason: string; amountPence: number }>;
export type ClaimSignedOff = DomainEvent<'ClaimSignedOff', { role: SignOffRole; by: string }>;
export type ClaimSubmitted = DomainEvent<'ClaimSubmitted', { submittedOn: string; familyIds: string[]; totalPence: number }>;
/** `differencePence` = received − expected: negative when central government paid less than claimed. */
export type ClaimPaymentReceived = DomainEvent<'ClaimPaymentReceived', { receivedOn: string; amountPence: number; expectedPence: number; differencePence: number }>;
/** A spot check found a claimed family invalid: its result payment is clawed back (a reversing entry, DOMAIN.md 5.5). */
export type FamilyResultRecovered = DomainEvent<'FamilyResultRecovered', { familyId: string; reason: string; on: string; amountPence: number }>;

export type ClaimEvent =
  | ClaimDrafted
  | AuditSampleDrawn
  | AuditFindingRecorded
  | FamilyRemovedFromClaim
  | ClaimSignedOff
  | ClaimSubmitted
  | ClaimPaymentReceived
  | FamilyResultRecovered;
