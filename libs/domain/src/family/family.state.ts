import type { EvidenceEvent, FamilyAttached, FamilyEvent, HeadlineProblem, Member } from './family.events';
import { EVIDENCE_EVENT_TYPES } from './family.events';
import type { StoredEvent } from '../shared/decider';

/** A fact as it stands: the event and the id it was recorded under (its evidence id). */
export interface Fact<E extends EvidenceEvent = EvidenceEvent> {
  eventId: string;
  event: E;
}

/**
 * A family as its stream tells it, for deciding commands. Evidence is kept as current facts:
 * a correction removes the superseded fact and the replacement is added in its place.
 */
export interface FamilyState {
  exists: boolean;
  familyId: string;
  reference: string;
  identifiedOn: string;
  members: Map<string, Member>;
  attachment: FamilyAttached['data'] | null;
  closedOn: string | null;
  overrides: { problem: HeadlineProblem; reason: string; on: string; approvedBy: string }[];
  facts: Fact[];
  /** Every event id in the stream, with its type and whether a correction has superseded it. */
  recorded: Map<string, { type: string; superseded: boolean }>;
}

export const initialFamilyState = (): FamilyState => ({
  exists: false,
  familyId: '',
  reference: '',
  identifiedOn: '',
  members: new Map(),
  attachment: null,
  closedOn: null,
  overrides: [],
  facts: [],
  recorded: new Map(),
});

/**
 * Folds one event (with the id it was recorded under) into the state. Never mutates `state`: the
 * one fold of a family (`applyFamilyEvent`) on a copy of it, so a state someone holds (a
 * remembered one, a spec's) stays as it was.
 */
export function evolveFamily(state: FamilyState, event: FamilyEvent, eventId: string): FamilyState {
  const next: FamilyState = { ...state, members: new Map(state.members), recorded: new Map(state.recorded), overrides: [...state.overrides], facts: [...state.facts] };
  applyFamilyEvent(next, event, eventId);
  return next;
}

/**
 * The state a whole history folds to, in linear time: `applyFamilyEvent` on a state new and
 * private to the fold, filled in place and handed over at the end (`evolveFamily` copies the
 * state's maps and lists at every step, which is quadratic over a long stream).
 */
export function foldFamily(history: Iterable<{ event: FamilyEvent; eventId: string }>): FamilyState {
  const state = initialFamilyState();
  for (const { event, eventId } of history) applyFamilyEvent(state, event, eventId);
  return state;
}

/**
 * The one definition of how an event changes a family: folds it into a state the caller owns, in
 * place, in constant time (a correction aside). `evolveFamily` and `foldFamily` are built on it;
 * the partner-file import folds its own states with it row by row.
 */
export function applyFamilyEvent(state: FamilyState, event: FamilyEvent, eventId: string): void {
  state.recorded.set(eventId, { type: event.type, superseded: false });
  switch (event.type) {
    case 'FamilyIdentified':
      state.exists = true;
      state.familyId = event.data.familyId;
      state.reference = event.data.reference;
      state.identifiedOn = event.data.identifiedOn;
      state.members = new Map(event.data.members.map((m) => [m.memberId, m]));
      break;
    case 'FamilyMemberAdded':
      state.members.set(event.data.member.memberId, event.data.member);
      break;
    case 'FamilyAttached':
      state.attachment = event.data;
      break;
    case 'OutcomeOverrideRecorded':
      state.overrides.push(event.data);
      break;
    case 'FamilyCaseClosed':
      state.closedOn = event.data.closedOn;
      break;
    case 'FactCorrected': {
      const superseded = state.recorded.get(event.data.supersededEventId);
      if (superseded) state.recorded.set(event.data.supersededEventId, { ...superseded, superseded: true });
      state.facts = state.facts.filter((f) => f.eventId !== event.data.supersededEventId);
      break;
    }
    default:
      if (EVIDENCE_EVENT_TYPES.has(event.type)) state.facts.push({ eventId, event: event as EvidenceEvent });
  }
}

/**
 * The one step from a stored event to a family event: every reader of family streams decodes
 * through it (upcasters of older shapes go here). Today every shape ever recorded is current.
 */
export function decodeFamilyEvent(stored: Pick<StoredEvent, 'type' | 'data'>): FamilyEvent {
  return { type: stored.type, data: stored.data } as FamilyEvent;
}

/** A family's stored history folded to its state (through `decodeFamilyEvent`, in one pass). */
export function foldStoredFamily(events: Iterable<StoredEvent>): FamilyState {
  const state = initialFamilyState();
  for (const e of events) applyFamilyEvent(state, decodeFamilyEvent(e), e.metadata.eventId);
  return state;
}

export function factsOf<T extends EvidenceEvent['type']>(state: FamilyState, type: T): Fact<Extract<EvidenceEvent, { type: T }>>[] {
  return state.facts.filter((f): f is Fact<Extract<EvidenceEvent, { type: T }>> => f.event.type === type);
}

/**
 * The member's consent for a purpose as the facts stand (a corrected record no longer counts):
 * the latest by its date, and of two of one date the later recorded; undefined when none.
 */
export function consentOf(state: FamilyState, memberId: string, purpose: string): boolean | undefined {
  let latest: { on: string; given: boolean } | undefined;
  for (const { event } of factsOf(state, 'ConsentRecorded')) {
    if (event.data.memberId !== memberId || event.data.purpose !== purpose) continue;
    if (!latest || event.data.on >= latest.on) latest = { on: event.data.on, given: event.data.given };
  }
  return latest?.given;
}

/** The member's open spell of a benefit (started, not yet ended), if any. */
export function openBenefitSpell(state: FamilyState, memberId: string, benefit: string): string | null {
  let openedOn: string | null = null;
  const changes = state.facts
    .filter((f) => (f.event.type === 'BenefitStarted' || f.event.type === 'BenefitEnded') && f.event.data.memberId === memberId && f.event.data.benefit === benefit)
    .map((f) => f.event as Extract<EvidenceEvent, { type: 'BenefitStarted' | 'BenefitEnded' }>)
    // Same-day changes keep the order they were recorded in (a claim ended and made again that day stays open).
    .sort((a, b) => (a.data.on < b.data.on ? -1 : a.data.on > b.data.on ? 1 : 0));
  for (const change of changes) openedOn = change.type === 'BenefitStarted' ? change.data.on : null;
  return openedOn;
}

/** The start date of the member's current employment, if in work. */
export function openEmployment(state: FamilyState, memberId: string): string | null {
  let startedOn: string | null = null;
  const changes = state.facts
    .filter((f) => (f.event.type === 'EmploymentStarted' || f.event.type === 'EmploymentEnded') && f.event.data.memberId === memberId)
    .map((f) => f.event as Extract<EvidenceEvent, { type: 'EmploymentStarted' | 'EmploymentEnded' }>)
    // Same-day changes keep the order they were recorded in (one job ending as the next starts).
    .sort((a, b) => (a.data.on < b.data.on ? -1 : a.data.on > b.data.on ? 1 : 0));
  for (const change of changes) startedOn = change.type === 'EmploymentStarted' ? change.data.on : null;
  return startedOn;
}

export function healthConcern(state: FamilyState, concernId: string): { identifiedOn: string; resolvedOn: string | null; memberId: string } | null {
  const identified = factsOf(state, 'HealthConcernIdentified').find((f) => f.event.data.concernId === concernId);
  if (!identified) return null;
  const resolved = factsOf(state, 'HealthConcernResolved').find((f) => f.event.data.concernId === concernId);
  return { identifiedOn: identified.event.data.on, resolvedOn: resolved ? resolved.event.data.on : null, memberId: identified.event.data.memberId };
}
