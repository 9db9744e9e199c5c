import { type Decision, accept, reject } from '../shared/decision';
import { isBusinessDate } from '../shared/business-date';
import { DEFAULT_AUDIT_SAMPLE, drawAuditSample, isAuditPercent, isAuditSeed } from './audit-sample';
import { type ClaimEvent, type ClaimRoute, type ClaimedFamily, type SignOffRole, decodeClaimEvent, inParts } from './claim.events';
import { type ClaimState, evolveClaim, fullySignedOff, initialClaimState, lastAuditDate, outstandingFindings } from './claim.state';
import type { Decider } from '../shared/decider';

/**
 * A family the results read model found claimable at the claim's as-of date (attached, a result
 * achieved, not yet claimed): the caller computes these, the decider checks and records them.
 */
export interface ClaimCandidate {
  familyId: string;
  reference: string;
  /** Every route that holds at the as-of date (GET /api/results); the claim records one, see `claimRouteOf`. */
  routes: ClaimRoute[];
  planVersion: number;
  amountPence: number;
  attachedOn: string;
  evidenceEventIds: string[];
  overridden: boolean;
  /** Found invalid by internal audit in another claim, and back only with evidence recorded since (DOMAIN.md 5). */
  afterInvalidFinding?: { claimId: string; foundOn: string; newEvidenceEventIds: string[] };
}

/** A claim window as configured (DOMAIN.md 5.1 [config]). */
export interface ClaimWindow {
  windowId: string;
  opensOn: string;
  closesOn: string;
}

/** What a spot check found about one family, for the recovery that follows from it (DOMAIN.md 5.5). */
export interface SpotCheckFinding {
  spotCheckId: string;
  checkedOn: string;
  /** The spot check found the family invalid (one of its three questions answered no). */
  foundInvalid: boolean;
}

// Commands on `claim-<claimId>`: imperative, in the programme's words.
export type ClaimCommand =
  | {
      type: 'DraftClaim';
      claimId: string;
      windowId?: string;
      /** The window named by `windowId`, as configured (undefined when no such window). */
      window?: ClaimWindow;
      /** Once claim windows are configured, every claim names one. */
      windowRequired?: boolean;
      asOf: string;
      draftedOn: string;
      frameworkId: string;
      /** The framework's data version (DOMAIN.md 4.5); claims drafted before it was recorded have none. */
      frameworkVersion?: string;
      draftedBy: string;
      families: ClaimCandidate[];
    }
  /**
   * The edge supplies a seed when the request has none (e.g. `auditSeedOf(claimId)`), so one is
   * always recorded. `alreadyClaimedFamilyIds`: families in other submitted claims (a stale draft
   * is refused here already, not only at submission).
   */
  | { type: 'DrawAuditSample'; seed: number; percent?: number; reason?: string; sampledOn: string; by: string; alreadyClaimedFamilyIds: string[] }
  | { type: 'RecordAuditFinding'; familyId: string; valid: boolean; note: string; auditor: string; foundOn: string }
  /** `overrideApprovers`: who approved a discretionary override on a family left in the claim (DOMAIN.md 4.1). */
  | { type: 'SignOffClaim'; role: SignOffRole; by: string; signedOn: string; overrideApprovers: string[] }
  /** `alreadyClaimedFamilyIds`: families in claims already submitted (other than this one), from the read model. */
  | { type: 'SubmitClaim'; submittedOn: string; alreadyClaimedFamilyIds: string[] }
  | { type: 'RecordPayment'; receivedOn: string; amountPence: number }
  /** `spotCheck`: what the spot check named in the request found about the family (null when none). */
  | { type: 'RecoverFamily'; familyId: string; reason: string; on: string; spotCheck: SpotCheckFinding | null }
  | { type: 'WithdrawClaim'; reason: string; withdrawnOn: string; by: string };

/**
 * What the edge passes: the audit sample's percentage and minimum (DOMAIN.md 5.2 [config]) and
 * the day of recording (business dates after it are refused).
 */
export interface ClaimDecisionContext {
  auditSample: { percent: number; minimum: number };
  recordedOn: string;
}

export const defaultClaimDecisionContext: ClaimDecisionContext = { auditSample: { ...DEFAULT_AUDIT_SAMPLE }, recordedOn: '9999-12-31' };

/**
 * One result per family whichever route (DOMAIN.md 4.3): when both routes hold the claim records
 * `sustained-progress` (the route most results take, judged by the Outcome Plan), otherwise
 * `continuous-employment`; `null` when neither holds.
 */
export function claimRouteOf(routes: readonly ClaimRoute[]): ClaimRoute | null {
  if (routes.includes('sustained-progress')) return 'sustained-progress';
  if (routes.includes('continuous-employment')) return 'continuous-employment';
  return null;
}

/**
 * Decides a claim command against the claim's state. Pure: dates, the seed, signatories and the
 * claimable families come in as data.
 */
export function decideClaim(command: ClaimCommand, state: ClaimState, context: ClaimDecisionContext = defaultClaimDecisionContext): Decision<ClaimEvent> {
  if (command.type === 'DraftClaim') return draft(command, state, context);
  if (!state.drafted) return reject('ClaimNotFound', 'no claim with this id', 'not-found');
  // DOMAIN.md 5: a withdrawn draft is finished with; nothing more is recorded on it.
  if (state.withdrawal && !(command.type === 'WithdrawClaim' && sameWithdrawal(state, command))) {
    return reject('ClaimWithdrawn', `the claim was withdrawn on ${state.withdrawal.withdrawnOn}: ${state.withdrawal.reason}`, command.type === 'WithdrawClaim' ? 'duplicate' : 'rule');
  }

  switch (command.type) {
    case 'DrawAuditSample': {
      const dated = checkDate(command.sampledOn, context);
      if (dated) return dated;
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}; its audit is over`);
      if (!isAuditSeed(command.seed)) return reject('InvalidSeed', `an audit seed is a whole number from 0 to 4294967295, got ${command.seed}`);
      const percent = command.percent ?? context.auditSample.percent;
      if (!isAuditPercent(percent)) return reject('InvalidSamplePercent', `an audit sample is more than 0% and at most 100% of the families, got ${percent}`);
      const { minimum } = context.auditSample;
      if (state.sample) {
        // The same request again (a retry) records nothing: the sample it would draw is the one recorded.
        const same = state.sample.seed === command.seed && state.sample.percent === percent && state.sample.minimum === minimum;
        return same ? accept() : reject('SampleAlreadyDrawn', `a sample was drawn with seed ${state.sample.seed} at ${state.sample.percent}%; it is drawn once`, 'duplicate');
      }
      // DOMAIN.md 5: a sample is never smaller than the framework's; a larger one says why.
      if (percent < context.auditSample.percent) {
        return reject('SampleBelowMinimum', `internal audit samples at least ${context.auditSample.percent}% of the families (at least ${minimum}), not ${percent}%`);
      }
      const reason = command.reason?.trim() ?? '';
      if (percent > context.auditSample.percent && reason === '') {
        return reject('ReasonRequired', `a sample larger than the framework's ${context.auditSample.percent}% needs a recorded reason`);
      }
      if (command.sampledOn < state.draftedOn) return reject('SampledBeforeDraft', `the claim was drafted on ${state.draftedOn}, after ${command.sampledOn}`);
      // A stale draft is refused now, not only at submission: re-check it, or withdraw it and draft again.
      const stale = staleFamilies(state, command.alreadyClaimedFamilyIds);
      if (stale.length > 0)
        return reject('AlreadyClaimed', `claimed in another submitted claim since this draft: ${stale.join(', ')}; re-check the draft (POST /api/claims/:claimId/recheck) and withdraw it`);
      const candidates = remainingFamilies(state).map(({ familyId, attachedOn, overridden }) => ({ familyId, attachedOn, overridden, asOf: state.asOf }));
      const familyIds = drawAuditSample(candidates, { seed: command.seed, percent, minimum });
      return accept({
        type: 'AuditSampleDrawn',
        data: { seed: command.seed, percent, minimum, familyIds, sampledOn: command.sampledOn, drawnBy: command.by, ...(reason !== '' ? { reason } : {}) },
      });
    }
    case 'RecordAuditFinding': {
      const dated = checkDate(command.foundOn, context);
      if (dated) return dated;
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}; its audit is over`);
      if (!state.sample) return reject('NoAuditSample', 'no audit sample has been drawn for this claim');
      const { familyId, valid, note, auditor, foundOn } = command;
      if (!state.sample.familyIds.includes(familyId)) return reject('FamilyNotSampled', `family ${familyId} is not in the audit sample`);
      if (state.findings.has(familyId)) return reject('FindingAlreadyRecorded', `a finding for family ${familyId} is already recorded`, 'duplicate');
      const sampledOn = state.sample.sampledOn ?? '';
      if (foundOn < sampledOn) return reject('FoundBeforeSample', `the sample was drawn on ${sampledOn}, after ${foundOn}`);
      if (valid) return accept({ type: 'AuditFindingRecorded', data: { familyId, valid, note, auditor, foundOn } });
      // DOMAIN.md 5.2: an invalid family is removed from the claim, so the auditor must say why.
      if (note.trim() === '') return reject('ReasonRequired', 'an invalid finding needs a note saying why the family leaves the claim');
      return accept(
        { type: 'AuditFindingRecorded', data: { familyId, valid, note, auditor, foundOn } },
        { type: 'FamilyRemovedFromClaim', data: { familyId, reason: note, amountPence: amountOf(state, familyId) } },
      );
    }
    case 'SignOffClaim': {
      const dated = checkDate(command.signedOn, context);
      if (dated) return dated;
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}`);
      if (!state.sample) return reject('NoAuditSample', 'a claim is signed off after its audit sample is drawn and checked');
      const outstanding = outstandingFindings(state);
      if (outstanding.length > 0) return reject('FindingsOutstanding', `the auditor has not recorded a finding for ${outstanding.join(', ')}`);
      const signed = state.signOffs[command.role];
      if (signed !== undefined) return reject('AlreadySignedOff', `${signed} has already signed the claim off as ${command.role}`, 'duplicate');
      const other: SignOffRole = command.role === 'programme-lead' ? 'head-of-audit' : 'programme-lead';
      // DOMAIN.md 5.3: the programme lead and the head of internal audit are two different people.
      if (state.signOffs[other] === command.by) return reject('SameSignatory', `${command.by} has already signed the claim off as ${other}; the two sign-offs need two people`);
      // DOMAIN.md 4.1: the person who approved an override never signs off a claim that relies on it.
      if (command.role === 'programme-lead' && command.overrideApprovers.includes(command.by)) {
        return reject('ApprovedAnOverride', `${command.by} approved a discretionary override on a family in this claim, so cannot sign it off as programme lead`);
      }
      const audited = lastAuditDate(state);
      if (command.signedOn < audited) return reject('SignedOffBeforeAudit', `the audit's last step is dated ${audited}, after ${command.signedOn}`);
      return accept({ type: 'ClaimSignedOff', data: { role: command.role, by: command.by, signedOn: command.signedOn } });
    }
    case 'SubmitClaim': {
      if (!isBusinessDate(command.submittedOn)) return invalidDate(command.submittedOn);
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}`, 'duplicate');
      const dated = checkDate(command.submittedOn, context);
      if (dated) return dated;
      if (!fullySignedOff(state)) {
        const missing = (['programme-lead', 'head-of-audit'] as const).filter((role) => state.signOffs[role] === undefined);
        return reject('NotSignedOff', `the claim still needs the sign-off of the ${missing.join(' and the ')}`);
      }
      if (state.families.remaining.length === 0) return reject('NothingToClaim', 'the audit removed every family from the claim');
      if (command.submittedOn < state.asOf) return reject('SubmittedBeforeAsOf', `the claim is as of ${state.asOf}, after ${command.submittedOn}`);
      const lastSignOff = Object.values(state.signedOn).reduce((latest, on) => ((on ?? '') > latest ? (on ?? '') : latest), '');
      if (command.submittedOn < lastSignOff) return reject('SubmittedBeforeSignOff', `the claim was signed off on ${lastSignOff}, after ${command.submittedOn}`);
      // DOMAIN.md 4.3: once a claim for a family is submitted, it cannot be claimed again.
      const claimed = new Set(command.alreadyClaimedFamilyIds);
      const twice = state.families.remaining.filter((familyId) => claimed.has(familyId));
      if (twice.length > 0) return reject('AlreadyClaimed', `already claimed in a submitted claim: ${twice.join(', ')}`);
      const [first = [], ...rest] = inParts(state.families.remaining);
      return accept(
        {
          type: 'ClaimSubmitted',
          data: {
            submittedOn: command.submittedOn,
            familyIds: first,
            totalPence: state.totals.remainingPence,
            ...(rest.length > 0 ? { parts: rest.length + 1, familyCount: state.families.remaining.length } : {}),
          },
        },
        ...rest.map((familyIds, i): ClaimEvent => ({ type: 'ClaimFamiliesSubmitted', data: { part: i + 2, submittedOn: command.submittedOn, familyIds } })),
      );
    }
    case 'RecordPayment': {
      const dated = checkDate(command.receivedOn, context);
      if (dated) return dated;
      if (!state.submission) return reject('NotSubmitted', 'payment is received for a submitted claim');
      if (!isWholePence(command.amountPence)) return reject('InvalidAmount', `a payment is a whole, non-negative number of pence, got ${command.amountPence}`);
      if (state.payment) return reject('PaymentAlreadyRecorded', `payment of ${state.payment.amountPence}p was received on ${state.payment.receivedOn}`, 'duplicate');
      if (command.receivedOn < state.submission.submittedOn) {
        return reject('PaymentBeforeSubmission', `the claim was submitted on ${state.submission.submittedOn}, after ${command.receivedOn}`);
      }
      // DOMAIN.md 5.4: the difference from what was submitted is recorded, to be reconciled.
      const expectedPence = state.submission.totalPence;
      return accept({
        type: 'ClaimPaymentReceived',
        data: { receivedOn: command.receivedOn, amountPence: command.amountPence, expectedPence, differencePence: command.amountPence - expectedPence },
      });
    }
    case 'RecoverFamily': {
      const dated = checkDate(command.on, context);
      if (dated) return dated;
      if (!state.submission) return reject('NotSubmitted', 'only a family in a submitted claim can be recovered');
      const { familyId, reason, on, spotCheck } = command;
      if (!state.submission.familyIds.includes(familyId)) return reject('FamilyNotInClaim', `family ${familyId} was not submitted in this claim`);
      const recovered = state.families.recovered.get(familyId);
      if (recovered) return reject('AlreadyRecovered', `family ${familyId}'s result was recovered on ${recovered.on}`, 'duplicate');
      if (reason.trim() === '') return reject('ReasonRequired', 'a recovery needs the reason the spot check gave');
      if (on < state.submission.submittedOn) return reject('RecoveryBeforeSubmission', `the claim was submitted on ${state.submission.submittedOn}, after ${on}`);
      // DOMAIN.md 5.5: a recovery follows from a government spot check that found the family invalid.
      if (!spotCheck) return reject('SpotCheckRequired', 'a recovery follows from a spot check: name the spot check (spotCheckId) that found the family invalid');
      if (!spotCheck.foundInvalid) return reject('NotFoundInvalidBySpotCheck', `spot check ${spotCheck.spotCheckId} did not find family ${familyId} invalid`);
      if (on < spotCheck.checkedOn) return reject('RecoveryBeforeSpotCheck', `the spot check was on ${spotCheck.checkedOn}, after ${on}`);
      // DOMAIN.md 5.5: a reversing entry of that family's result payment.
      return accept({ type: 'FamilyResultRecovered', data: { familyId, reason, on, amountPence: amountOf(state, familyId), spotCheckId: spotCheck.spotCheckId } });
    }
    case 'WithdrawClaim': {
      if (state.withdrawal) return accept();
      const dated = checkDate(command.withdrawnOn, context);
      if (dated) return dated;
      // DOMAIN.md 5: only a submitted claim is frozen; a draft (sampled or signed off) can be withdrawn.
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}; a submitted claim is never withdrawn`);
      if (command.reason.trim() === '') return reject('ReasonRequired', 'a withdrawal needs a reason');
      if (command.withdrawnOn < state.draftedOn) return reject('WithdrawnBeforeDraft', `the claim was drafted on ${state.draftedOn}, after ${command.withdrawnOn}`);
      return accept({ type: 'ClaimWithdrawn', data: { reason: command.reason, withdrawnOn: command.withdrawnOn, by: command.by } });
    }
  }
}

/** Families of the draft, still in it, that another submitted claim has taken since. */
export function staleFamilies(state: ClaimState, alreadyClaimedFamilyIds: readonly string[]): string[] {
  const claimed = new Set(alreadyClaimedFamilyIds);
  return state.families.remaining.filter((familyId) => claimed.has(familyId));
}

function sameWithdrawal(state: ClaimState, command: Extract<ClaimCommand, { type: 'WithdrawClaim' }>): boolean {
  return state.withdrawal !== null && state.withdrawal.reason === command.reason && state.withdrawal.withdrawnOn === command.withdrawnOn;
}

/** A business date must be a calendar date and never after the day it is recorded (DOMAIN.md 5). */
function checkDate(date: string, context: ClaimDecisionContext): Decision<ClaimEvent> | null {
  if (!isBusinessDate(date)) return invalidDate(date);
  if (date > context.recordedOn) return reject('BusinessDateInFuture', `${date} is after the day it is being recorded (${context.recordedOn})`);
  return null;
}

function draft(command: Extract<ClaimCommand, { type: 'DraftClaim' }>, state: ClaimState, context: ClaimDecisionContext): Decision<ClaimEvent> {
  if (state.drafted) return reject('ClaimAlreadyDrafted', `claim ${state.claimId} is already drafted`, 'duplicate');
  if (!isBusinessDate(command.asOf)) return invalidDate(command.asOf);
  const dated = checkDate(command.draftedOn, context);
  if (dated) return dated;
  if (command.asOf > command.draftedOn) return reject('AsOfAfterDraft', `a claim drafted on ${command.draftedOn} cannot be as of a later date (${command.asOf})`);
  // DOMAIN.md 5.1: a claim is drafted for a claim window [config], and its as-of date lies inside it.
  if (command.windowId === undefined && command.windowRequired) return reject('ClaimWindowRequired', 'claim windows are configured: name the window this claim is for (windowId)');
  if (command.windowId !== undefined) {
    if (!command.window) return reject('UnknownClaimWindow', `no claim window ${command.windowId}`);
    const { opensOn, closesOn } = command.window;
    if (command.asOf < opensOn || command.asOf > closesOn) {
      return reject('AsOfOutsideWindow', `the claim's as-of date ${command.asOf} is outside window ${command.windowId} (${opensOn} to ${closesOn})`);
    }
  }
  if (command.families.length === 0) return reject('NothingToClaim', `no family is claimable and not yet claimed as of ${command.asOf}`);
  // One pass with a set (a national draft lists hundreds of thousands of families).
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const { familyId } of command.families) {
    if (seen.has(familyId)) twice.push(familyId);
    seen.add(familyId);
  }
  if (twice.length > 0) return reject('FamilyListedTwice', `a family is claimed once: ${[...new Set(twice)].join(', ')} listed more than once`);

  const families: ClaimedFamily[] = [];
  for (const candidate of command.families) {
    const { familyId, reference, planVersion, amountPence, attachedOn, evidenceEventIds, overridden, afterInvalidFinding } = candidate;
    if (!isWholePence(amountPence)) return reject('InvalidAmount', `family ${familyId}: an amount is a whole, non-negative number of pence, got ${amountPence}`);
    if (!isBusinessDate(attachedOn)) return invalidDate(attachedOn);
    if (attachedOn > command.asOf) return reject('AttachedAfterAsOf', `family ${familyId} was attached on ${attachedOn}, after the claim's as-of date ${command.asOf}`);
    const route = claimRouteOf(candidate.routes);
    if (!route) return reject('NoResult', `family ${familyId} has no result on either route as of ${command.asOf}`);
    families.push({ familyId, reference, route, planVersion, amountPence, attachedOn, evidenceEventIds: [...evidenceEventIds], overridden, ...(afterInvalidFinding ? { afterInvalidFinding } : {}) });
  }
  const { claimId, windowId, asOf, draftedOn, frameworkId, frameworkVersion, draftedBy } = command;
  const totalPence = families.reduce((sum, f) => sum + f.amountPence, 0);
  // Issue 22.5: the families in parts of bounded size, the first in the draft itself.
  const [first = [], ...rest] = inParts(families);
  return accept(
    {
      type: 'ClaimDrafted',
      data: {
        claimId,
        ...(windowId !== undefined ? { windowId } : {}),
        asOf,
        draftedOn,
        frameworkId,
        ...(frameworkVersion !== undefined ? { frameworkVersion } : {}),
        draftedBy,
        families: first,
        totalPence,
        // Only when listed in more than one event: a claim in one event reads as claims always did.
        ...(rest.length > 0 ? { parts: rest.length + 1, familyCount: families.length } : {}),
      },
    },
    ...rest.map((part, i): ClaimEvent => ({ type: 'ClaimFamiliesListed', data: { part: i + 2, families: part } })),
  );
}

function remainingFamilies(state: ClaimState): ClaimedFamily[] {
  const remaining = new Set(state.families.remaining);
  return state.families.drafted.filter((f) => remaining.has(f.familyId));
}

function amountOf(state: ClaimState, familyId: string): number {
  return state.families.drafted.find((f) => f.familyId === familyId)?.amountPence ?? 0;
}

function isWholePence(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount >= 0;
}

function invalidDate(date: string): Decision<ClaimEvent> {
  return reject('InvalidDate', `"${date}" is not a calendar date (YYYY-MM-DD)`);
}

/** The rules of `claim-<claimId>`. */
export const claimDecider: Decider<ClaimCommand, ClaimEvent, ClaimState, ClaimDecisionContext> = {
  initialState: initialClaimState,
  evolve: (state, event) => evolveClaim(state, event),
  decide: decideClaim,
  decode: decodeClaimEvent,
};
