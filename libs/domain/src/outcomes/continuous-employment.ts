import type { Member } from '../family/family.events';
import type { FamilyState } from '../family/family.state';
import type { FinancialFramework } from '../programme/troubled-families-2015.framework';
import { type BenefitSpell, type Spell, benefitSpells, employmentSpells, isAdultMember, spellCovers, spellOverlaps } from './spells';
import { dayNumber } from '../shared/business-date';
import { daysBefore } from './windows';

/** The continuous-employment route at an as-of date (DOMAIN.md 4.2). */
export interface ContinuousEmploymentResult {
  met: boolean;
  detail: string;
  /** The adult whose work achieved the result (only when met). */
  memberId?: string;
  /** The benefit and employment facts the answer rests on. */
  evidenceEventIds: string[];
}

/**
 * The family's spells as known on a date after every fact (`knownSpells`), for judging many as-of
 * dates without pairing the facts again for each: at T, a spell whose first fact is dated after T
 * is not known yet, and one that ends after T is open at T, which for the days up to T is the same.
 */
export interface KnownSpells {
  benefits: BenefitSpell[];
  employment: Spell[];
}

export function knownSpells(state: FamilyState): KnownSpells {
  return { benefits: benefitSpells(state, LAST_DATE), employment: employmentSpells(state, LAST_DATE) };
}

const LAST_DATE = '9999-12-31';

/** One 7-day block ending at the as-of date: block k covers T − 7k + 1 … T − 7(k − 1). */
export interface WorkWeek {
  from: string;
  to: string;
}

/** The `count` consecutive 7-day blocks ending at `asOf`, most recent first (DOMAIN.md 4.2). */
export function weeksEndingOn(asOf: string, count: number): WorkWeek[] {
  const weeks: WorkWeek[] = [];
  for (let k = 1; k <= count; k += 1) weeks.push({ from: daysBefore(asOf, 7 * k - 1), to: daysBefore(asOf, 7 * (k - 1)) });
  return weeks;
}

/**
 * DOMAIN.md 4.2: an adult in the family who was on an out-of-work benefit at or after attachment
 * has left it and has been in work for 26 of the last 30 weeks (JSA, or UC with full work search)
 * or 13 of the last 15 weeks (ESA, IS, IB, CA, SDA, other UC) before T. A week counts when an
 * employment spell covers every day of it and no out-of-work benefit spell overlaps it. The week
 * counts come from the framework; a framework without the route (`enabled: false`) never holds.
 *
 * Where an adult was on more than one benefit since attachment, the one they left last decides
 * which week counts apply (the claim they left for work).
 */
export function evaluateContinuousEmployment(state: FamilyState, framework: FinancialFramework, asOf: string, known?: KnownSpells): ContinuousEmploymentResult {
  const route = framework.continuousEmployment;
  if (!route.enabled) return { met: false, detail: `the ${framework.name} has no continuous-employment route`, evidenceEventIds: [] };
  const attachedOn = state.attachment?.attachedOn ?? null;
  if (attachedOn === null || attachedOn > asOf) return { met: false, detail: `not attached on or before ${asOf}`, evidenceEventIds: [] };

  const benefits = known ? known.benefits.filter((s) => (s.startedOn ?? s.endedOn ?? '') <= asOf) : benefitSpells(state, asOf);
  const employment = known ? known.employment.filter((s) => (s.startedOn ?? s.endedOn ?? '') <= asOf) : employmentSpells(state, asOf);
  const reasons: string[] = [];
  const evidence = new Set<string>();

  for (const member of adultsOf(state, asOf)) {
    const own = benefits.filter((s) => s.memberId === member.memberId);
    const sinceAttachment = own.filter((s) => spellOverlaps(s, attachedOn, asOf));
    if (sinceAttachment.length === 0) continue;
    sinceAttachment.forEach((s) => s.evidenceEventIds.forEach((id) => evidence.add(id)));

    const stillOn = own.filter((s) => spellCovers(s, asOf));
    if (stillOn.length > 0) {
      reasons.push(`${member.memberId} is still on ${stillOn.map((s) => s.benefit).join(', ')} at ${asOf}`);
      continue;
    }

    const left = lastLeft(sinceAttachment);
    const weeksRule = isJobseeker(left) ? route.jobseeker : route.other;
    const jobs = employment.filter((s) => s.memberId === member.memberId);
    const windowFrom = weeksRule.ofWeeks > 0 ? daysBefore(asOf, 7 * weeksRule.ofWeeks - 1) : asOf;
    const used = [...jobs, ...own].filter((s) => spellOverlaps(s, windowFrom, asOf));
    const inWork = weeksInWork(asOf, weeksRule.ofWeeks, jobs, own);
    const summary = `${member.memberId} left ${benefitName(left)} on ${left.endedOn ?? asOf} and was in work ${inWork} of the last ${weeksRule.ofWeeks} weeks (${weeksRule.inWorkWeeks} needed)`;
    if (inWork >= weeksRule.inWorkWeeks) {
      const ids = new Set([...left.evidenceEventIds, ...sinceAttachment.flatMap((s) => s.evidenceEventIds), ...used.flatMap((s) => s.evidenceEventIds)]);
      return { met: true, detail: summary, memberId: member.memberId, evidenceEventIds: [...ids] };
    }
    used.forEach((s) => s.evidenceEventIds.forEach((id) => evidence.add(id)));
    reasons.push(summary);
  }

  if (reasons.length === 0) return { met: false, detail: 'no adult was on an out-of-work benefit at or after attachment', evidenceEventIds: [] };
  return { met: false, detail: reasons.join('; '), evidenceEventIds: [...evidence] };
}

/**
 * How many of the `count` 7-day blocks ending at `asOf` (`weeksEndingOn`) are weeks in work: every
 * day covered by employment (job changes without a gap count), and no out-of-work benefit on any
 * day of it. In day numbers: a date string for every day of every week judged was most of the
 * cost of judging many dates.
 */
function weeksInWork(asOf: string, count: number, jobs: Spell[], benefits: BenefitSpell[]): number {
  const work = dayRanges(jobs);
  const off = dayRanges(benefits);
  const end = dayNumber(asOf);
  let inWork = 0;
  for (let k = 1; k <= count; k += 1) {
    const from = end - 7 * k + 1;
    const to = end - 7 * (k - 1);
    if (coversEveryDay(work, from, to) && !off.some(([s, e]) => s <= to && e > from)) inWork += 1;
  }
  return inWork;
}

/** Spells as day ranges [start, end) in start order (an unknown start is −∞, an open end +∞). */
function dayRanges(spells: Spell[]): [number, number][] {
  return spells
    .map((s): [number, number] => [s.startedOn === null ? Number.NEGATIVE_INFINITY : dayNumber(s.startedOn), s.endedOn === null ? Number.POSITIVE_INFINITY : dayNumber(s.endedOn)])
    .sort((a, b) => a[0] - b[0]);
}

function coversEveryDay(ranges: [number, number][], from: number, to: number): boolean {
  let cursor = from;
  for (const [start, end] of ranges) {
    if (cursor > to) return true;
    if (start > cursor) return false;
    if (end > cursor) cursor = end;
  }
  return cursor > to;
}

/** DOMAIN.md 4.2: JSA, or UC with full work search, is the jobseeker's route. */
function isJobseeker(spell: BenefitSpell): boolean {
  return spell.benefit === 'JSA' || (spell.benefit === 'UC' && spell.fullWorkSearch);
}

function benefitName(spell: BenefitSpell): string {
  return spell.benefit === 'UC' && spell.fullWorkSearch ? 'UC (full work search)' : spell.benefit;
}

/** The spell that ended last (none is open here); a tie goes to the jobseeker's benefit, the stricter route. */
function lastLeft(spells: BenefitSpell[]): BenefitSpell {
  return spells.reduce((latest, s) => {
    const a = latest.endedOn ?? '';
    const b = s.endedOn ?? '';
    if (b > a) return s;
    if (b === a && isJobseeker(s) && !isJobseeker(latest)) return s;
    return latest;
  });
}

/** The family's adults at the as-of date, in the order the family lists them. */
export function adultsOf(state: FamilyState, asOf: string): Member[] {
  return [...state.members.values()].filter((m) => isAdultMember(m, asOf));
}
