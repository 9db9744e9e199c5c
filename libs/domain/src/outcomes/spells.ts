import { type Benefit, type BenefitEnded, type BenefitStarted, type Member, UC_IN_WORK_REGIMES, type UcRegime } from '../family/family.events';
import { ageOn } from '../family/eligibility';
import { type BusinessDate, dayNumber } from '../shared/business-date';
import type { Fact, FamilyState } from '../family/family.state';
import { atIndex } from '../shared/present';

/**
 * A period on a benefit or in work, paired from its started and ended facts. A spell covers the
 * days from `startedOn` up to but not including `endedOn`: someone whose benefit ends on the day
 * their job starts is on neither twice, and a job ending on the day the next starts leaves no gap.
 * `startedOn` is null when the end was recorded without its start (the spell began before the
 * records did); `endedOn` is null while the spell is open.
 */
export interface Spell {
  memberId: string;
  startedOn: string | null;
  endedOn: string | null;
  /** The started and ended facts the spell was paired from. */
  evidenceEventIds: string[];
}

export interface BenefitSpell extends Spell {
  benefit: Benefit;
  /** UC claimants in the full work search group count as jobseekers (DOMAIN.md 4.2). */
  fullWorkSearch: boolean;
}

type Change<S, E> = { fact: Fact; type: S | E; on: string };

/**
 * Pairs started and ended facts in date order. Same-day changes keep the order they were recorded
 * in, as `openBenefitSpell` in family.state.ts does (a claim ended and made again that day stays
 * open). Facts dated after `asOf` are not known yet.
 */
function pair<S extends string, E extends string>(changes: Change<S, E>[], started: S): { started: Fact | null; startedOn: string | null; ended: Fact | null; endedOn: string | null }[] {
  const spells: { started: Fact | null; startedOn: string | null; ended: Fact | null; endedOn: string | null }[] = [];
  let open: { started: Fact; startedOn: string } | null = null;
  const ordered = changes.map((change, index) => ({ change, index })).sort((a, b) => (a.change.on < b.change.on ? -1 : a.change.on > b.change.on ? 1 : a.index - b.index));
  for (const { change } of ordered) {
    if (change.type === started) {
      // A second start while open (an overlapping report) keeps the earlier start.
      if (!open) open = { started: change.fact, startedOn: change.on };
    } else if (open) {
      spells.push({ started: open.started, startedOn: open.startedOn, ended: change.fact, endedOn: change.on });
      open = null;
    } else {
      spells.push({ started: null, startedOn: null, ended: change.fact, endedOn: change.on });
    }
  }
  if (open) spells.push({ started: open.started, startedOn: open.startedOn, ended: null, endedOn: null });
  return spells;
}

function idsOf(...facts: (Fact | null)[]): string[] {
  return facts.filter((f): f is Fact => f !== null).map((f) => f.eventId);
}

/**
 * Every out-of-work benefit spell of the family's members as known at `asOf`, by member and
 * benefit. DOMAIN.md 4.2: Universal Credit is paid in and out of work, so a UC claim is out of work
 * only while its regime is not an in-work one: a claim is cut where `UcConditionalityChanged`
 * moves it into `light-touch` or `working-enough` and resumes where it moves out again. Without
 * regime records a UC claim counts as out of work throughout, as before regimes were recorded.
 */
export function benefitSpells(state: FamilyState, asOf: string): BenefitSpell[] {
  return claimSpells(state, asOf).flatMap((spell) => (spell.benefit === 'UC' ? outOfWorkParts(spell, regimeChanges(state, spell.memberId, asOf)) : [spell]));
}

function regimeChanges(state: FamilyState, memberId: string, asOf: string): { fact: Fact; on: string; regime: UcRegime }[] {
  return state.facts
    .flatMap((fact) =>
      fact.event.type === 'UcConditionalityChanged' && fact.event.data.memberId === memberId && fact.event.data.on <= asOf ? [{ fact, on: fact.event.data.on, regime: fact.event.data.regime }] : [],
    )
    .map((change, index) => ({ change, index }))
    .sort((a, b) => (a.change.on < b.change.on ? -1 : a.change.on > b.change.on ? 1 : a.index - b.index))
    .map(({ change }) => change);
}

/**
 * The parts of a UC claim spent outside the in-work regimes, each a spell of its own: the claim is
 * cut at each regime change inside it, and the parts in `light-touch` or `working-enough` left out.
 * The first part's regime is the claim's own (full work search or not) until a change is recorded.
 */
function outOfWorkParts(spell: BenefitSpell, changes: { fact: Fact; on: string; regime: UcRegime }[]): BenefitSpell[] {
  const within = changes.filter((c) => (spell.startedOn === null || c.on >= spell.startedOn) && (spell.endedOn === null || c.on < spell.endedOn));
  if (within.length === 0) return [spell];
  const [startedId, endedId] = spell.startedOn === null ? [undefined, spell.evidenceEventIds[0]] : [spell.evidenceEventIds[0], spell.evidenceEventIds[1]];
  const bounds: { on: string | null; regime: UcRegime | null; id: string | undefined }[] = [
    { on: spell.startedOn, regime: spell.fullWorkSearch ? 'intensive-work-search' : null, id: startedId },
    ...within.map((c) => ({ on: c.on, regime: c.regime, id: c.fact.eventId })),
  ];
  const parts: BenefitSpell[] = [];
  bounds.forEach((part, i) => {
    const next = bounds[i + 1];
    const endedOn = next ? next.on : spell.endedOn;
    if (part.regime !== null && UC_IN_WORK_REGIMES.includes(part.regime)) return;
    if (part.on !== null && endedOn !== null && part.on >= endedOn) return;
    const ids = [part.id, next ? next.id : endedId].filter((id): id is string => id !== undefined);
    parts.push({ ...spell, fullWorkSearch: part.regime === 'intensive-work-search', startedOn: part.on, endedOn, evidenceEventIds: ids });
  });
  return parts;
}

function claimSpells(state: FamilyState, asOf: string): BenefitSpell[] {
  const byClaim = new Map<string, Change<'BenefitStarted', 'BenefitEnded'>[]>();
  for (const fact of state.facts) {
    const event = fact.event;
    if (event.type !== 'BenefitStarted' && event.type !== 'BenefitEnded') continue;
    if (event.data.on > asOf) continue;
    const key = `${event.data.memberId}\u0000${event.data.benefit}`;
    const list = byClaim.get(key) ?? [];
    list.push({ fact, type: event.type, on: event.data.on });
    byClaim.set(key, list);
  }
  const spells: BenefitSpell[] = [];
  for (const changes of byClaim.values()) {
    const first = atIndex(changes, 0, 'benefit change').fact.event as BenefitStarted | BenefitEnded;
    for (const spell of pair(changes, 'BenefitStarted')) {
      const startedEvent = spell.started ? (spell.started.event as BenefitStarted) : null;
      spells.push({
        memberId: first.data.memberId,
        benefit: first.data.benefit,
        fullWorkSearch: startedEvent?.data.fullWorkSearch === true,
        startedOn: spell.startedOn,
        endedOn: spell.endedOn,
        evidenceEventIds: idsOf(spell.started, spell.ended),
      });
    }
  }
  return spells;
}

/** Every employment spell of the family's members as known at `asOf`. */
export function employmentSpells(state: FamilyState, asOf: string): Spell[] {
  const byMember = new Map<string, Change<'EmploymentStarted', 'EmploymentEnded'>[]>();
  for (const fact of state.facts) {
    const event = fact.event;
    if (event.type !== 'EmploymentStarted' && event.type !== 'EmploymentEnded') continue;
    const data = event.data;
    if (data.on > asOf) continue;
    const list = byMember.get(data.memberId) ?? [];
    list.push({ fact, type: event.type, on: data.on });
    byMember.set(data.memberId, list);
  }
  const spells: Spell[] = [];
  for (const [memberId, changes] of byMember) {
    for (const spell of pair(changes, 'EmploymentStarted')) {
      spells.push({ memberId, startedOn: spell.startedOn, endedOn: spell.endedOn, evidenceEventIds: idsOf(spell.started, spell.ended) });
    }
  }
  return spells;
}

/** Whether the spells together cover every day from `from` to `to` inclusive (job changes without a gap count). */
export function spellsCoverEveryDay(spells: Spell[], from: string, to: string): boolean {
  // The spells as day ranges [start, end), in start order; walk a cursor from `from` over them
  // (the day-by-day walk this replaces made a date string for every day of every week judged).
  const last = dayNumber(to as BusinessDate);
  let cursor = dayNumber(from as BusinessDate);
  if (cursor > last) return true;
  const ranges: [number, number][] = [];
  for (const spell of spells) {
    if (!spellOverlaps(spell, from, to)) continue;
    ranges.push([spell.startedOn === null ? Number.NEGATIVE_INFINITY : dayNumber(spell.startedOn), spell.endedOn === null ? Number.POSITIVE_INFINITY : dayNumber(spell.endedOn)]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (const [start, end] of ranges) {
    if (start > cursor) return false;
    if (end > cursor) cursor = end;
    if (cursor > last) return true;
  }
  return cursor > last;
}

/** Whether a spell covers a day (from its start, up to but not including its end). */
export function spellCovers(spell: Spell, day: string): boolean {
  return (spell.startedOn === null || spell.startedOn <= day) && (spell.endedOn === null || day < spell.endedOn);
}

/** Whether a spell covers any day from `from` to `to` inclusive. */
export function spellOverlaps(spell: Spell, from: string, to: string): boolean {
  return (spell.startedOn === null || spell.startedOn <= to) && (spell.endedOn === null || spell.endedOn > from);
}

/**
 * An adult for the worklessness and continuous-employment tests: a parent, carer or other adult
 * member, or any member aged 18 or over at the as-of date.
 */
export function isAdultMember(member: Member, asOf: string): boolean {
  return member.relationship !== 'child' || ageOn(member.dateOfBirth, asOf) >= 18;
}
