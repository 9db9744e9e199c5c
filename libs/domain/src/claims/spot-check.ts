import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { isBusinessDate } from '../shared/business-date';
import { type Decider, type StoredEvent, plainEvent } from '../shared/decider';

// A government spot check (DOMAIN.md 5.5), a record of its own on `spotCheck-<spotCheckId>`:
// central government samples about 10% of a council's claimed families and asks three questions
// of each. A family with any answer "no" is invalid, and its result payment is recovered (a
// recovery on the claim names the spot check).

/** The three questions of a spot check, answered for one claimed family. */
export interface SpotCheckAnswers {
  /** Was the family eligible for the programme? */
  eligible: boolean;
  /** Is there evidence of whole-family working? */
  wholeFamilyWorking: boolean;
  /** Is there evidence of the result claimed? */
  resultEvidenced: boolean;
}

export interface SpotCheckedFamily extends SpotCheckAnswers {
  familyId: string;
  /** The submitted claim that claimed the family. */
  claimId: string;
  /** Every answer yes. */
  valid: boolean;
}

export type SpotCheckRecorded = DomainEvent<'SpotCheckRecorded', { spotCheckId: string; checkedOn: string; recordedBy: string; families: SpotCheckedFamily[] }>;
export type SpotCheckEvent = SpotCheckRecorded;

export interface SpotCheckState {
  recorded: SpotCheckRecorded['data'] | null;
}

export const initialSpotCheckState = (): SpotCheckState => ({ recorded: null });

export function evolveSpotCheck(state: SpotCheckState, event: SpotCheckEvent): SpotCheckState {
  return event.type === 'SpotCheckRecorded' ? { ...state, recorded: event.data } : state;
}

/** A family the spot check sampled, with the claim that claimed it (found by the edge in the council's register). */
export interface SpotCheckSample extends SpotCheckAnswers {
  familyId: string;
  /** null when no submitted claim holds the family. */
  claim: { claimId: string; submittedOn: string } | null;
}

export type SpotCheckCommand = { type: 'RecordSpotCheck'; spotCheckId: string; checkedOn: string; recordedBy: string; families: SpotCheckSample[] };

export function decideSpotCheck(command: SpotCheckCommand, state: SpotCheckState, context: { recordedOn: string }): Decision<SpotCheckEvent> {
  const { spotCheckId, checkedOn, recordedBy } = command;
  if (state.recorded) return reject('SpotCheckAlreadyRecorded', `spot check ${state.recorded.spotCheckId} is already recorded`, 'duplicate');
  if (!isBusinessDate(checkedOn)) return reject('InvalidDate', `"${checkedOn}" is not a calendar date (YYYY-MM-DD)`);
  if (checkedOn > context.recordedOn) return reject('BusinessDateInFuture', `${checkedOn} is after the day it is being recorded (${context.recordedOn})`);
  if (command.families.length === 0) return reject('NothingChecked', 'a spot check samples at least one claimed family');
  const seen = new Set<string>();
  const families: SpotCheckedFamily[] = [];
  for (const family of command.families) {
    if (seen.has(family.familyId)) return reject('FamilyListedTwice', `family ${family.familyId} is listed more than once`);
    seen.add(family.familyId);
    // DOMAIN.md 5.5: a spot check samples claimed families, after their claim was submitted.
    if (!family.claim) return reject('FamilyNotClaimed', `family ${family.familyId} is in no submitted claim`);
    if (checkedOn < family.claim.submittedOn) {
      return reject('SpotCheckBeforeSubmission', `family ${family.familyId} was claimed on ${family.claim.submittedOn}, after ${checkedOn}`);
    }
    const { familyId, eligible, wholeFamilyWorking, resultEvidenced } = family;
    families.push({ familyId, claimId: family.claim.claimId, eligible, wholeFamilyWorking, resultEvidenced, valid: eligible && wholeFamilyWorking && resultEvidenced });
  }
  return accept({ type: 'SpotCheckRecorded', data: { spotCheckId, checkedOn, recordedBy, families } });
}

export const decodeSpotCheckEvent = (stored: Pick<StoredEvent, 'type' | 'data'>): SpotCheckEvent => plainEvent<SpotCheckEvent>(stored);

/** The rules of `spotCheck-<spotCheckId>`. */
export const spotCheckDecider: Decider<SpotCheckCommand, SpotCheckEvent, SpotCheckState, { recordedOn: string }> = {
  initialState: initialSpotCheckState,
  evolve: (state, event) => evolveSpotCheck(state, event),
  decide: decideSpotCheck,
  decode: decodeSpotCheckEvent,
};
