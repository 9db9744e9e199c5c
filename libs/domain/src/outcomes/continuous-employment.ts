import type { Member } from '../family/family.events';
import type { FamilyState } from '../family/family.state';
import type { FinancialFramework } from '../programme/troubled-families-2015.framework';
import { type BenefitSpell, type Spell, benefitSpells, employmentSpells, isAdultMember, spellCovers, spellOverlaps, spellsCoverEveryDay } from './spells';
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
export function evaluateContinuousEmployment(state: FamilyState, framework: FinancialFramework, asOf: string): ContinuousEmploymentResult {
  const route = framework.continuousEmployment;
  if (!route.enabled) return { met: false, detail: `the ${framework.name} has no continuous-employment route`, evidenceEventIds: [] };
  const attachedOn = state.attachment?.attachedOn ?? null;
  if (attachedOn === null || attachedOn > asOf) return { met: false, detail: `not attached on or before ${asOf}`, evidenceEventIds: [] };

  const benefits = benefitSpells(state, asOf);
  const employment = employmentSpells(state, asOf);
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
    const weeks = weeksEndingOn(asOf, weeksRule.ofWeeks);
    const windowFrom = weeks[weeks.length - 1]?.from ?? asOf;
    const used = [...jobs, ...own].filter((s) => spellOverlaps(s, windowFrom, asOf));
    const inWork = weeks.filter((week) => weekInWork(week, jobs, own)).length;
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

/** A week in work: every day covered by employment, and no out-of-work benefit on any day of it. */
function weekInWork(week: WorkWeek, jobs: Spell[], benefits: BenefitSpell[]): boolean {
  return spellsCoverEveryDay(jobs, week.from, week.to) && !benefits.some((s) => spellOverlaps(s, week.from, week.to));
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
