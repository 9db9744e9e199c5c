import { type FinancialFramework, troubledFamilies2015 } from '../programme/troubled-families-2015.framework';
import type { HeadlineProblem, Member } from './family.events';
import { type FamilyState, factsOf } from './family.state';
import { dateParts } from '../shared/business-date';

/**
 * DOMAIN.md 2: a dependent child is aged 0–15, or 16–18 and in full-time education, training or
 * unemployed (`inEducationOrTraining`), living with a parent or carer — judged at `on`.
 */
export function isDependentChild(member: Member, on: string, rule: FinancialFramework['dependentChild'] = troubledFamilies2015.dependentChild): boolean {
  if (member.relationship !== 'child' || !member.livesInHousehold) return false;
  const age = ageOn(member.dateOfBirth, on);
  if (age < 0) return false;
  if (age <= rule.alwaysUpToAge) return true;
  return age <= rule.inEducationOrTrainingUpToAge && member.inEducationOrTraining === true;
}

/** Whole years between a date of birth and a date (a birthday counts on the day). */
export function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateParts(dateOfBirth);
  const [y, m, d] = dateParts(on);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}

/**
 * The problems at entry that count towards eligibility (DOMAIN.md 2): problems identified on or
 * before the attachment date; a parent who does not live in the household accounts for at most
 * one of them.
 */
export function countableProblemsAtEntry(state: FamilyState, attachedOn: string): HeadlineProblem[] {
  const supporters = new Map<HeadlineProblem, Set<string>>();
  for (const { event } of factsOf(state, 'HeadlineProblemIdentified')) {
    if (event.data.identifiedOn > attachedOn) continue;
    const set = supporters.get(event.data.problem) ?? new Set<string>();
    const member = event.data.memberId ? state.members.get(event.data.memberId) : undefined;
    const absentParent = member && member.relationship === 'parent' && !member.livesInHousehold;
    set.add(absentParent ? `absent:${member.memberId}` : 'household');
    supporters.set(event.data.problem, set);
  }
  const counted: HeadlineProblem[] = [];
  const onlyAbsent: [HeadlineProblem, string[]][] = [];
  for (const [problem, set] of supporters) {
    if (set.has('household')) counted.push(problem);
    else onlyAbsent.push([problem, [...set]]);
  }
  // Each absent parent accounts for at most one problem: the most problems that can count is a
  // maximum matching of problems to parents (augmenting paths; a family has a handful of each).
  const parentOf = new Map<string, HeadlineProblem>();
  const tryAssign = (problem: HeadlineProblem, parents: string[], seen: Set<string>): boolean => {
    for (const parent of parents) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      const holder = parentOf.get(parent);
      const holderParents = holder ? onlyAbsent.find(([p]) => p === holder)?.[1] : undefined;
      if (!holder || (holderParents && tryAssign(holder, holderParents, seen))) {
        parentOf.set(parent, problem);
        return true;
      }
    }
    return false;
  };
  for (const [problem, parents] of onlyAbsent) tryAssign(problem, parents, new Set());
  counted.push(...parentOf.values());
  return counted.sort();
}

/** Every problem identified on or before a date, whoever it came from (the scope "at entry"). */
export function problemsIdentifiedBy(state: FamilyState, on: string): HeadlineProblem[] {
  const set = new Set<HeadlineProblem>();
  for (const { event } of factsOf(state, 'HeadlineProblemIdentified')) if (event.data.identifiedOn <= on) set.add(event.data.problem);
  return [...set].sort();
}
