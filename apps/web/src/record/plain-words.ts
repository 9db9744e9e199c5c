import type { ApiProblem } from '../api';

/**
 * The API's refusals (422 `reason`, 403, 404, 409) in plain words; the API's own message follows,
 * since it names the dates and people involved. A reason not listed here shows the API's message.
 */
const PLAIN: Record<string, string> = {
  // Claims (DOMAIN.md 5)
  FindingsOutstanding: 'Internal audit has not yet recorded a finding for every sampled family, so the claim cannot be signed off.',
  NotSignedOff: 'The claim needs both sign-offs (the programme lead and the head of internal audit) before it is submitted.',
  AlreadyClaimed: 'A family in this claim has already been claimed in a submitted claim: a family is claimed once.',
  SameSignatory: 'The two sign-offs must be by two different people.',
  AlreadySignedOff: 'This sign-off has already been recorded.',
  ApprovedAnOverride: 'You approved a discretionary override for a family in this claim, so you cannot sign it off.',
  SignedOffBeforeAudit: 'A sign-off cannot be dated before the audit finished.',
  NoAuditSample: 'Internal audit has not drawn a sample yet.',
  SampleAlreadyDrawn: 'The audit sample has already been drawn.',
  SampleBelowMinimum: "The sample is smaller than the framework's minimum.",
  FamilyNotSampled: 'This family is not in the audit sample.',
  FindingAlreadyRecorded: 'A finding is already recorded for this family.',
  ClaimAlreadySubmitted: 'The claim has been submitted: it is frozen.',
  ClaimWithdrawn: 'The claim was withdrawn.',
  NothingToClaim: 'No family is left in the claim.',
  NotSubmitted: 'The claim has not been submitted yet.',
  PaymentAlreadyRecorded: 'The payment for this claim has already been recorded.',
  PaymentBeforeSubmission: 'A payment cannot be dated before the claim was submitted.',
  SubmittedBeforeSignOff: 'The submission cannot be dated before the sign-offs.',
  SubmittedBeforeAsOf: 'The submission cannot be dated before the claim’s as-of date.',
  RecoveryBeforeSubmission: 'A recovery cannot be dated before the claim was submitted.',
  RecoveryBeforeSpotCheck: 'A recovery cannot be dated before the spot check that found the family invalid.',
  NotFoundInvalidBySpotCheck: 'The spot check did not find this family invalid, so nothing is recovered.',
  SpotCheckRequired: 'A recovery follows a government spot check that found the family invalid.',
  AlreadyRecovered: "This family's payment has already been recovered.",
  FamilyNotInClaim: 'This family is not in the claim.',
  ClaimWindowRequired: 'Choose the claim window the claim is for.',
  AsOfOutsideWindow: 'The as-of date must fall inside the claim window.',
  UnknownClaimWindow: 'There is no such claim window.',
  SpotCheckBeforeSubmission: 'A spot check cannot be dated before the claim was submitted.',
  FamilyNotClaimed: 'This family was not claimed in a submitted claim.',
  // Families
  BusinessDateInFuture: 'A date cannot be after today.',
  AttendedExceedsPossible: 'Sessions attended cannot be more than the possible sessions.',
  AbsenceExceedsPossible: 'Unauthorised absences cannot be more than the possible sessions.',
  AttendanceAlreadyRecorded: "This child's attendance for that term is already recorded: correct the recorded return instead.",
  UnknownMember: 'That person is not a member of this family.',
  NotAChild: 'Choose a child of the family.',
  AlreadyClosed: 'The case is already closed.',
  EndBeforeStart: 'The date is before the start it would end.',
  SharingConsentWithdrawn: 'This person withdrew consent to sharing.',
  NotAssignedFamily: 'This family is not assigned to you.',
  NotThisPartnersData: 'Your organisation does not record this kind of information.',
  NoSharingAgreement: 'Your organisation has no information-sharing agreement in force for this kind of information: the council records one before you can share it.',
  GatewayNotInAgreement: 'Your organisation’s information-sharing agreement does not rely on that law: name one it relies on.',
  IdempotencyKeyReused: 'This form was already sent with different answers: reload the page and send it again.',
  FamilyNotFound: 'There is no family with this id.',
  ClaimNotFound: 'There is no claim with this id.',
};

export function plainReason(problem: ApiProblem): string {
  const plain = problem.reason ? PLAIN[problem.reason] : undefined;
  if (problem.status === 403 && !plain) return `You are not allowed to do this (${problem.message}).`;
  return plain ? `${plain} (${problem.message})` : problem.message;
}
