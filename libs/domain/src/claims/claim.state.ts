import type { AuditSampleDrawn, ClaimEvent, ClaimedFamily, ClaimPaymentReceived, ClaimSubmitted, ClaimWithdrawn, SignOffRole } from './claim.events';

/** Where a claim stands (API.md "Claims and the ledger"); per-family recoveries are on `families.recovered`. */
export type ClaimStatus = 'draft' | 'sampled' | 'audited' | 'signed-off' | 'submitted' | 'paid' | 'withdrawn';

export const CLAIM_STATUSES: readonly ClaimStatus[] = ['draft', 'sampled', 'audited', 'signed-off', 'submitted', 'paid', 'withdrawn'];

export interface AuditFinding {
  valid: boolean;
  note: string;
  auditor: string;
  /** The business date of the finding ('' only for a state folded without upcasting). */
  foundOn?: string;
}

/** A claim as its stream tells it, for deciding commands and showing its status. */
export interface ClaimState {
  drafted: boolean;
  claimId: string;
  windowId: string | null;
  asOf: string;
  /** The business date of the draft. */
  draftedOn: string;
  frameworkId: string;
  /** Absent on claims drafted before the framework's version was recorded. */
  frameworkVersion?: string;
  draftedBy: string;
  families: {
    /** Every family as drafted, in the draft's order. */
    drafted: ClaimedFamily[];
    /** Drafted and not removed by an audit finding, in the draft's order (a recovered family stays: it was submitted). */
    remaining: string[];
    /** Families an audit finding removed before submission. */
    removed: Map<string, { reason: string; amountPence: number }>;
    /** Submitted families whose result a spot check clawed back. */
    recovered: Map<string, { reason: string; on: string; amountPence: number }>;
  };
  sample: AuditSampleDrawn['data'] | null;
  findings: Map<string, AuditFinding>;
  /** Who signed for each role. */
  signOffs: Partial<Record<SignOffRole, string>>;
  /** The business date of each sign-off. */
  signedOn: Partial<Record<SignOffRole, string>>;
  /** A draft withdrawn before submission: nothing more happens to it. */
  withdrawal: ClaimWithdrawn['data'] | null;
  submission: ClaimSubmitted['data'] | null;
  payment: ClaimPaymentReceived['data'] | null;
  totals: {
    /** As drafted. */
    draftedPence: number;
    /** Removed by audit findings. */
    removedPence: number;
    /** Drafted − removed: what is (or was) submitted. */
    remainingPence: number;
    /** Received from central government (0 until paid). */
    receivedPence: number;
    /** Clawed back by recoveries. */
    recoveredPence: number;
  };
}

export const initialClaimState = (): ClaimState => ({
  drafted: false,
  claimId: '',
  windowId: null,
  asOf: '',
  draftedOn: '',
  frameworkId: '',
  draftedBy: '',
  families: { drafted: [], remaining: [], removed: new Map(), recovered: new Map() },
  sample: null,
  findings: new Map(),
  signOffs: {},
  signedOn: {},
  withdrawal: null,
  submission: null,
  payment: null,
  totals: { draftedPence: 0, removedPence: 0, remainingPence: 0, receivedPence: 0, recoveredPence: 0 },
});

/** Folds one event into the claim's state. Never mutates `state`. */
export function evolveClaim(state: ClaimState, event: ClaimEvent): ClaimState {
  switch (event.type) {
    case 'ClaimDrafted': {
      const { claimId, windowId, asOf, draftedOn, frameworkId, frameworkVersion, draftedBy, families, totalPence } = event.data;
      return {
        ...state,
        drafted: true,
        claimId,
        windowId: windowId ?? null,
        asOf,
        draftedOn: draftedOn ?? '',
        frameworkId,
        ...(frameworkVersion !== undefined ? { frameworkVersion } : {}),
        draftedBy,
        families: { ...state.families, drafted: families, remaining: families.map((f) => f.familyId) },
        totals: { ...state.totals, draftedPence: totalPence, remainingPence: totalPence },
      };
    }
    case 'ClaimFamiliesListed': {
      // The draft's next part (issue 22.5): appended with the draft, before anything can be removed.
      const { families } = event.data;
      return {
        ...state,
        families: { ...state.families, drafted: state.families.drafted.concat(families), remaining: state.families.remaining.concat(families.map((f) => f.familyId)) },
      };
    }
    case 'ClaimFamiliesSubmitted':
      return state.submission ? { ...state, submission: { ...state.submission, familyIds: state.submission.familyIds.concat(event.data.familyIds) } } : state;
    case 'AuditSampleDrawn':
      return { ...state, sample: event.data };
    case 'AuditFindingRecorded': {
      const findings = new Map(state.findings);
      const { familyId, valid, note, auditor, foundOn } = event.data;
      findings.set(familyId, { valid, note, auditor, ...(foundOn !== undefined ? { foundOn } : {}) });
      return { ...state, findings };
    }
    case 'FamilyRemovedFromClaim': {
      const { familyId, reason, amountPence } = event.data;
      const removed = new Map(state.families.removed);
      removed.set(familyId, { reason, amountPence });
      return {
        ...state,
        families: { ...state.families, removed, remaining: state.families.remaining.filter((id) => id !== familyId) },
        totals: { ...state.totals, removedPence: state.totals.removedPence + amountPence, remainingPence: state.totals.remainingPence - amountPence },
      };
    }
    case 'ClaimSignedOff':
      return {
        ...state,
        signOffs: { ...state.signOffs, [event.data.role]: event.data.by },
        signedOn: { ...state.signedOn, [event.data.role]: event.data.signedOn ?? '' },
      };
    case 'ClaimWithdrawn':
      return { ...state, withdrawal: event.data };
    case 'ClaimSubmitted':
      return { ...state, submission: event.data };
    case 'ClaimPaymentReceived':
      return { ...state, payment: event.data, totals: { ...state.totals, receivedPence: state.totals.receivedPence + event.data.amountPence } };
    case 'FamilyResultRecovered': {
      const { familyId, reason, on, amountPence } = event.data;
      const recovered = new Map(state.families.recovered);
      recovered.set(familyId, { reason, on, amountPence });
      return {
        ...state,
        families: { ...state.families, recovered },
        totals: { ...state.totals, recoveredPence: state.totals.recoveredPence + amountPence },
      };
    }
  }
}

/** Sampled families still waiting for the auditor's finding (none before a sample is drawn). */
export function outstandingFindings(state: ClaimState): string[] {
  return (state.sample?.familyIds ?? []).filter((familyId) => !state.findings.has(familyId));
}

export function fullySignedOff(state: ClaimState): boolean {
  return state.signOffs['programme-lead'] !== undefined && state.signOffs['head-of-audit'] !== undefined;
}

/**
 * The claim's status, read from its state: `draft` → `sampled` → `audited` (every sampled family
 * has a finding) → `signed-off` (both roles) → `submitted` → `paid`. `null` before the claim is drafted.
 */
export function claimStatus(state: ClaimState): ClaimStatus | null {
  if (!state.drafted) return null;
  if (state.withdrawal) return 'withdrawn';
  if (state.payment) return 'paid';
  if (state.submission) return 'submitted';
  if (!state.sample) return 'draft';
  if (outstandingFindings(state).length > 0) return 'sampled';
  return fullySignedOff(state) ? 'signed-off' : 'audited';
}

/**
 * Whether the claim's internal audit is open: a sample is drawn and the claim is neither submitted
 * nor withdrawn (DOMAIN.md 5: an auditor reads the sampled families' records only meanwhile).
 */
export function auditOpen(state: ClaimState): boolean {
  return state.drafted && state.sample !== null && state.submission === null && state.withdrawal === null;
}

/** The latest business date of the audit so far: the sample's and every finding's. */
export function lastAuditDate(state: ClaimState): string {
  let latest = state.sample?.sampledOn ?? '';
  for (const finding of state.findings.values()) if ((finding.foundOn ?? '') > latest) latest = finding.foundOn ?? '';
  return latest;
}
