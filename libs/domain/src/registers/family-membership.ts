import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { type Decider, type StoredEvent, plainEvent } from '../shared/decider';

// A person's one family (issue 16.8), `familyMember-<memberId>`: a member id the client chose is
// claimed for a family on its own stream before it joins that family, so two families racing for
// one person cannot both have them.

export type FamilyMembershipEvent = DomainEvent<'FamilyMemberAssigned', { memberId: string; familyId: string }>;

/** The family the person belongs to (null: none yet). */
export interface FamilyMembershipState {
  familyId: string | null;
}

export type FamilyMembershipCommand = { type: 'AssignFamilyMember'; memberId: string; familyId: string };

export const initialFamilyMembershipState = (): FamilyMembershipState => ({ familyId: null });

export function evolveFamilyMembership(state: FamilyMembershipState, event: FamilyMembershipEvent): FamilyMembershipState {
  return { ...state, familyId: event.data.familyId };
}

export function decideFamilyMembership(command: FamilyMembershipCommand, state: FamilyMembershipState): Decision<FamilyMembershipEvent> {
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
