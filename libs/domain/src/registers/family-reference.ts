import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { type Decider, type StoredEvent, plainEvent } from '../shared/decider';

// The reference register, `familyReference-<reference>`: a family's reference is unique in the
// council, so it is assigned on a stream of its own (whose expected version serialises two
// identifications racing for one reference) before the family is identified.

export type FamilyReferenceEvent =
  | DomainEvent<'FamilyReferenceAssigned', { reference: string; familyId: string }>
  /** Given back by an identification refused after it was assigned (the family was never identified with it): free again. */
  | DomainEvent<'FamilyReferenceReleased', { reference: string; familyId: string }>;

/** The family the reference belongs to (null: free). */
export interface FamilyReferenceState {
  familyId: string | null;
}

export type FamilyReferenceCommand =
  | { type: 'AssignFamilyReference'; reference: string; familyId: string }
  /**
   * Gives back a reference an identification took and its family's stream then refused.
   * `familyIdentifiedWithIt`: whether the family's own stream records it identified with this
   * reference (then it is kept: another request identified it).
   */
  | { type: 'ReleaseFamilyReference'; reference: string; familyId: string; familyIdentifiedWithIt: boolean };

export const initialFamilyReferenceState = (): FamilyReferenceState => ({ familyId: null });

export function evolveFamilyReference(state: FamilyReferenceState, event: FamilyReferenceEvent): FamilyReferenceState {
  return event.type === 'FamilyReferenceAssigned' ? { ...state, familyId: event.data.familyId } : { ...state, familyId: null };
}

/** Assigns a free reference; the family's own again records nothing (a retry); another family's is refused. */
export function decideFamilyReference(command: FamilyReferenceCommand, state: FamilyReferenceState): Decision<FamilyReferenceEvent> {
  if (command.type === 'ReleaseFamilyReference') {
    if (state.familyId !== command.familyId || command.familyIdentifiedWithIt) return accept();
    return accept({ type: 'FamilyReferenceReleased', data: { reference: command.reference, familyId: command.familyId } });
  }
  if (state.familyId === null) return accept({ type: 'FamilyReferenceAssigned', data: { reference: command.reference, familyId: command.familyId } });
  if (state.familyId === command.familyId) return accept();
  return reject('DuplicateReference', `reference ${command.reference} belongs to another family`, 'duplicate');
}

export const decodeFamilyReferenceEvent = (stored: Pick<StoredEvent, 'type' | 'data'>): FamilyReferenceEvent => plainEvent<FamilyReferenceEvent>(stored);

export const familyReferenceDecider: Decider<FamilyReferenceCommand, FamilyReferenceEvent, FamilyReferenceState> = {
  initialState: initialFamilyReferenceState,
  evolve: evolveFamilyReference,
  decide: decideFamilyReference,
  decode: decodeFamilyReferenceEvent,
};
