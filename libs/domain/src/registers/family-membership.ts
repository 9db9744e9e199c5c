import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { type Decider, type StoredEvent, plainEvent } from '../shared/decider';

// A person's one family (issue 16.8), `familyMember-<memberId>`: a member id the client chose is
// claimed for a family on its own stream before it joins that family, so two families racing for
// one person cannot both have them.

export type FamilyMembershipEvent =
  | DomainEvent<'FamilyMemberAssigned', { memberId: string; familyId: string }>
  /** Given back by a command refused after it claimed the person (the family never recorded them): free again. */
  | DomainEvent<'FamilyMemberReleased', { memberId: string; familyId: string }>;

/** The family the person belongs to (null: none yet). */
export interface FamilyMembershipState {
  familyId: string | null;
}

export type FamilyMembershipCommand =
  | { type: 'AssignFamilyMember'; memberId: string; familyId: string }
  /** Gives back a person a refused command claimed. `familyHasThem`: the family's own stream records them a member (then they are kept). */
  | { type: 'ReleaseFamilyMember'; memberId: string; familyId: string; familyHasThem: boolean };

export const initialFamilyMembershipState = (): FamilyMembershipState => ({ familyId: null });

export function evolveFamilyMembership(state: FamilyMembershipState, event: FamilyMembershipEvent): FamilyMembershipState {
  return event.type === 'FamilyMemberAssigned' ? { ...state, familyId: event.data.familyId } : { ...state, familyId: null };
}

export function decideFamilyMembership(command: FamilyMembershipCommand, state: FamilyMembershipState): Decision<FamilyMembershipEvent> {
  if (command.type === 'ReleaseFamilyMember') {
    if (state.familyId !== command.familyId || command.familyHasThem) return accept();
    return accept({ type: 'FamilyMemberReleased', data: { memberId: command.memberId, familyId: command.familyId } });
  }
  if (state.familyId === null) return accept({ type: 'FamilyMemberAssigned', data: { memberId: command.memberId, familyId: command.familyId } });
  if (state.familyId === command.familyId) return accept();
  return memberOfAnotherFamily();
}

/** The refusal of a member id that is a person of another family (also given when the key vault already knows the person). */
export function memberOfAnotherFamily<E>(): Decision<E> {
  return reject('MemberOfAnotherFamily', 'this member id is a person of another family; leave memberId out to have a new one made', 'duplicate');
}

export const decodeFamilyMembershipEvent = (stored: Pick<StoredEvent, 'type' | 'data'>): FamilyMembershipEvent => plainEvent<FamilyMembershipEvent>(stored);

export const familyMembershipDecider: Decider<FamilyMembershipCommand, FamilyMembershipEvent, FamilyMembershipState> = {
  initialState: initialFamilyMembershipState,
  evolve: evolveFamilyMembership,
  decide: decideFamilyMembership,
  decode: decodeFamilyMembershipEvent,
};
