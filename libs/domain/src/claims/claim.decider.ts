import { type Decision, accept, reject } from '../shared/decision';
import { isBusinessDate } from '../shared/business-date';
import { DEFAULT_AUDIT_SAMPLE, drawAuditSample, isAuditPercent, isAuditSeed } from './audit-sample';
import { type ClaimEvent, type ClaimRoute, type ClaimedFamily, type SignOffRole } from './claim.events';
import { type ClaimState, fullySignedOff, outstandingFindings } from './claim.state';

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
}

// Commands on `claim-<claimId>`: imperative, in the programme's words.
export type ClaimCommand =
  | { type: 'DraftClaim'; claimId: string; windowId?: string; asOf: string; frameworkId: string; draftedBy: string; families: ClaimCandidate[] }
  /** The edge supplies a seed when the request has none (e.g. `auditSeedOf(claimId)`), so one is always recorded. */
  | { type: 'DrawAuditSample'; seed: number; percent?: number }
  | { type: 'RecordAuditFinding'; familyId: string; valid: boolean; note: string; auditor: string }
  | { type: 'SignOffClaim'; role: SignOffRole; by: string }
  /** `alreadyClaimedFamilyIds`: families in claims already submitted (other than this one), from the read model. */
  | { type: 'SubmitClaim'; submittedOn: string; alreadyClaimedFamilyIds: string[] }
  | { type: 'RecordPayment'; receivedOn: string; amountPence: number }
  | { type: 'RecoverFamily'; familyId: string; reason: string; on: string };

/** What the edge passes from configuration: the audit sample's defaults (DOMAIN.md 5.2 [config]). */
export interface ClaimDecisionContext {
  auditSample: { percent: number; minimum: number };
}

export const defaultClaimDecisionContext: ClaimDecisionContext = { auditSample: { ...DEFAULT_AUDIT_SAMPLE } };

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
  if (command.type === 'DraftClaim') return draft(command, state);
  if (!state.drafted) return reject('ClaimNotFound', 'no claim with this id', 'not-found');

  switch (command.type) {
    case 'DrawAuditSample': {
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
      const candidates = remainingFamilies(state).map(({ familyId, attachedOn, overridden }) => ({ familyId, attachedOn, overridden, asOf: state.asOf }));
      const familyIds = drawAuditSample(candidates, { seed: command.seed, percent, minimum });
      return accept({ type: 'AuditSampleDrawn', data: { seed: command.seed, percent, minimum, familyIds } });
    }
    case 'RecordAuditFinding': {
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}; its audit is over`);
      if (!state.sample) return reject('NoAuditSample', 'no audit sample has been drawn for this claim');
      const { familyId, valid, note, auditor } = command;
      if (!state.sample.familyIds.includes(familyId)) return reject('FamilyNotSampled', `family ${familyId} is not in the audit sample`);
      if (state.findings.has(familyId)) return reject('FindingAlreadyRecorded', `a finding for family ${familyId} is already recorded`, 'duplicate');
      if (valid) return accept({ type: 'AuditFindingRecorded', data: { familyId, valid, note, auditor } });
      // DOMAIN.md 5.2: an invalid family is removed from the claim, so the auditor must say why.
      if (note.trim() === '') return reject('ReasonRequired', 'an invalid finding needs a note saying why the family leaves the claim');
      return accept(
        { type: 'AuditFindingRecorded', data: { familyId, valid, note, auditor } },
        { type: 'FamilyRemovedFromClaim', data: { familyId, reason: note, amountPence: amountOf(state, familyId) } },
      );
    }
    case 'SignOffClaim': {
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}`);
      if (!state.sample) return reject('NoAuditSample', 'a claim is signed off after its audit sample is drawn and checked');
      const outstanding = outstandingFindings(state);
      if (outstanding.length > 0) return reject('FindingsOutstanding', `the auditor has not recorded a finding for ${outstanding.join(', ')}`);
      const signed = state.signOffs[command.role];
      if (signed !== undefined) return reject('AlreadySignedOff', `${signed} has already signed the claim off as ${command.role}`, 'duplicate');
      const other: SignOffRole = command.role === 'programme-lead' ? 'head-of-audit' : 'programme-lead';
      // DOMAIN.md 5.3: the programme lead and the head of internal audit are two different people.
      if (state.signOffs[other] === command.by) return reject('SameSignatory', `${command.by} has already signed the claim off as ${other}; the two sign-offs need two people`);
      return accept({ type: 'ClaimSignedOff', data: { role: command.role, by: command.by } });
    }
    case 'SubmitClaim': {
      if (!isBusinessDate(command.submittedOn)) return invalidDate(command.submittedOn);
      if (state.submission) return reject('ClaimAlreadySubmitted', `the claim was submitted on ${state.submission.submittedOn}`, 'duplicate');
      if (!fullySignedOff(state)) {
        const missing = (['programme-lead', 'head-of-audit'] as const).filter((role) => state.signOffs[role] === undefined);
        return reject('NotSignedOff', `the claim still needs the sign-off of the ${missing.join(' and the ')}`);
      }
      if (state.families.remaining.length === 0) return reject('NothingToClaim', 'the audit removed every family from the claim');
      if (command.submittedOn < state.asOf) return reject('SubmittedBeforeAsOf', `the claim is as of ${state.asOf}, after ${command.submittedOn}`);
      // DOMAIN.md 4.3: once a claim for a family is submitted, it cannot be claimed again.
      const claimed = new Set(command.alreadyClaimedFamilyIds);
      const twice = state.families.remaining.filter((familyId) => claimed.has(familyId));
      if (twice.length > 0) return reject('AlreadyClaimed', `already claimed in a submitted claim: ${twice.join(', ')}`);
      return accept({
        type: 'ClaimSubmitted',
        data: { submittedOn: command.submittedOn, familyIds: state.families.remaining, totalPence: state.totals.remainingPence },
      });
    }
    case 'RecordPayment': {
      if (!isBusinessDate(command.receivedOn)) return invalidDate(command.receivedOn);
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
      if (!isBusinessDate(command.on)) return invalidDate(command.on);
      if (!state.submission) return reject('NotSubmitted', 'only a family in a submitted claim can be recovered');
      const { familyId, reason, on } = command;
      if (!state.submission.familyIds.includes(familyId)) return reject('FamilyNotInClaim', `family ${familyId} was not submitted in this claim`);
      const recovered = state.families.recovered.get(familyId);
      if (recovered) return reject('AlreadyRecovered', `family ${familyId}'s result was recovered on ${recovered.on}`, 'duplicate');
      if (reason.trim() === '') return reject('ReasonRequired', 'a recovery needs the reason the spot check gave');
      if (on < state.submission.submittedOn) return reject('RecoveryBeforeSubmission', `the claim was submitted on ${state.submission.submittedOn}, after ${on}`);
      // DOMAIN.md 5.5: a reversing entry of that family's result payment.
      return accept({ type: 'FamilyResultRecovered', data: { familyId, reason, on, amountPence: amountOf(state, familyId) } });
    }
  }
}

function draft(command: Extract<ClaimCommand, { type: 'DraftClaim' }>, state: ClaimState): Decision<ClaimEvent> {
  if (state.drafted) return reject('ClaimAlreadyDrafted', `claim ${state.claimId} is already drafted`, 'duplicate');
  if (!isBusinessDate(command.asOf)) return invalidDate(command.asOf);
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
    const { familyId, reference, planVersion, amountPence, attachedOn, evidenceEventIds, overridden } = candidate;
    if (!isWholePence(amountPence)) return reject('InvalidAmount', `family ${familyId}: an amount is a whole, non-negative number of pence, got ${amountPence}`);
    if (!isBusinessDate(attachedOn)) return invalidDate(attachedOn);
    if (attachedOn > command.asOf) return reject('AttachedAfterAsOf', `family ${familyId} was attached on ${attachedOn}, after the claim's as-of date ${command.asOf}`);
    const route = claimRouteOf(candidate.routes);
    if (!route) return reject('NoResult', `family ${familyId} has no result on either route as of ${command.asOf}`);
    families.push({ familyId, reference, route, planVersion, amountPence, attachedOn, evidenceEventIds: [...evidenceEventIds], overridden });
  }
  const { claimId, windowId, asOf, frameworkId, draftedBy } = command;
  const totalPence = families.reduce((sum, f) => sum + f.amountPence, 0);
  return accept({
    type: 'ClaimDrafted',
    data: { claimId, ...(windowId !== undefined ? { windowId } : {}), asOf, frameworkId, draftedBy, families, totalPence },
  });
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
