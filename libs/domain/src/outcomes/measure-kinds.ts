import type { ActivityState, SocialCareStatus } from '../family/family.events';
import { type Fact, type FamilyState, factsOf } from '../family/family.state';
import type { Activity, CountableFact, Measure, ProblemPlan } from '../outcome-plan/measures';
import { adultsOf } from './continuous-employment';
import { sameTerm, schoolTerm, termHasEnded, termLabel, termsEndedBetween } from './school-terms';
import { type Spell, benefitSpells, employmentSpells, spellCovers, spellOverlaps } from './spells';
import { daysBefore, inWindow, monthsEndingOn, sustainedSince } from './windows';

/** What a measure reads: the family as recorded, the attachment date and the as-of date T. */
export interface MeasureInput {
  state: FamilyState;
  attachedOn: string;
  asOf: string;
}

/** A measure's answer: met or not, why in programme words (members by id), and the facts it rests on. */
export interface MeasureResult {
  met: boolean;
  detail: string;
  evidenceEventIds: string[];
}

/**
 * One headline problem judged by its plan (DOMAIN.md 4.4): every measure met (`all`) or at least
 * one (`any`). The detail names each measure's answer; the evidence is what the answer rests on
 * (for `any` that is met, the measures that were met).
 */
export function evaluateProblemPlan(plan: ProblemPlan, input: MeasureInput): MeasureResult {
  const results = plan.measures.map((measure) => evaluateMeasure(measure, input));
  if (plan.combine === 'any') {
    const met = results.filter((r) => r.met);
    if (met.length > 0) return { met: true, detail: met.map((r) => r.detail).join('; '), evidenceEventIds: unique(met.flatMap((r) => r.evidenceEventIds)) };
    return { met: false, detail: `none of ${results.length} measures met: ${results.map((r) => r.detail).join('; or ')}`, evidenceEventIds: unique(results.flatMap((r) => r.evidenceEventIds)) };
  }
  return { met: results.every((r) => r.met), detail: results.map((r) => r.detail).join('; '), evidenceEventIds: unique(results.flatMap((r) => r.evidenceEventIds)) };
}

/** Each measure kind is a pure function of the facts, the attachment date and T (DOMAIN.md 4.4). */
export function evaluateMeasure(measure: Measure, input: MeasureInput): MeasureResult {
  switch (measure.kind) {
    case 'count-reduction':
      return countReduction(measure, input);
    case 'none-in-window':
      return noneInWindow(measure, input);
    case 'attendance-threshold':
      return attendanceThreshold(measure, input);
    case 'status-clear':
      return statusClear(measure, input);
    case 'into-activity':
      return intoActivity(measure, input);
    case 'concerns-resolved':
      return concernsResolved(measure, input);
    case 'milestone-sustained':
      return milestoneSustained(measure, input);
  }
}

/**
 * DOMAIN.md 4.1 "sustained after engagement": the programme pays for progress made while the
 * council works with the family, so a window (or a sustain period) of `months` ending at T must
 * lie wholly after attachment: the earliest T is attachment + `months`. Before it the measure is
 * not yet met, whatever the facts say.
 */
export function windowAfterAttachment(months: number, attachedOn: string, asOf: string): MeasureResult | null {
  const earliest = sustainedSince(attachedOn, months);
  if (asOf >= earliest) return null;
  return { met: false, detail: `not yet: the ${months} months judged must lie after attachment (${attachedOn}), so the earliest test is on ${earliest}`, evidenceEventIds: [] };
}

// ---------------------------------------------------------------------------------------------
// counts

const COUNT_LABELS: Record<CountableFact, { plural: string; singular: string }> = {
  'proven-offence': { plural: 'proven offences', singular: 'proven offence' },
  'asb-incident': { plural: 'ASB incidents', singular: 'ASB incident' },
  'domestic-abuse-incident': { plural: 'domestic-abuse incident(s)', singular: 'domestic-abuse incident' },
  'fixed-term-exclusion': { plural: 'fixed-term exclusions', singular: 'fixed-term exclusion' },
  'permanent-exclusion': { plural: 'permanent exclusions', singular: 'permanent exclusion' },
  'health-concern': { plural: 'health concerns identified', singular: 'health concern identified' },
};

/** The dated facts of a countable kind, known at T. */
function countable(state: FamilyState, counts: CountableFact, asOf: string): { fact: Fact; on: string }[] {
  const dated = ((): { fact: Fact; on: string }[] => {
    switch (counts) {
      case 'proven-offence':
        return factsOf(state, 'OffenceRecorded')
          .filter((f) => f.event.data.proven)
          .map((f) => ({ fact: f, on: f.event.data.committedOn }));
      case 'asb-incident':
        return factsOf(state, 'AsbIncidentRecorded').map((f) => ({ fact: f, on: f.event.data.occurredOn }));
      case 'domestic-abuse-incident':
        return factsOf(state, 'DomesticAbuseIncidentRecorded').map((f) => ({ fact: f, on: f.event.data.occurredOn }));
      case 'fixed-term-exclusion':
      case 'permanent-exclusion': {
        const kind = counts === 'fixed-term-exclusion' ? 'fixed-term' : 'permanent';
        return factsOf(state, 'ExclusionRecorded')
          .filter((f) => f.event.data.kind === kind)
          .map((f) => ({ fact: f, on: f.event.data.startedOn }));
      }
      case 'health-concern':
        return factsOf(state, 'HealthConcernIdentified').map((f) => ({ fact: f, on: f.event.data.on }));
    }
  })();
  return dated.filter((d) => d.on <= asOf);
}

/**
 * `count-reduction` (DOMAIN.md 4.1 crime-asb): facts in the window before T at least P% fewer than
 * in the window before attachment; a zero baseline needs a zero count. A sibling's (or a
 * non-resident parent's) new offence counts against the family.
 */
function countReduction(measure: Extract<Measure, { kind: 'count-reduction' }>, { state, attachedOn, asOf }: MeasureInput): MeasureResult {
  const notYet = windowAfterAttachment(measure.windowMonths, attachedOn, asOf);
  if (notYet) return notYet;
  const months = measure.windowMonths;
  const recent = monthsEndingOn(asOf, months);
  const baseline = monthsEndingOn(attachedOn, months);
  const dated = countable(state, measure.counts, asOf);
  const before = dated.filter((d) => inWindow(d.on, baseline));
  const now = dated.filter((d) => inWindow(d.on, recent));
  const b = before.length;
  const n = now.length;
  // (b − n) / b × 100 ≥ percent, multiplied out so that exactly 33% fewer passes with no rounding.
  const met = b === 0 ? n === 0 : (b - n) * 100 >= measure.reductionPercent * b;
  const counts = `${n} in the ${months} months to ${recent.through} against ${b} in the ${months} months to attachment`;
  const verdict = b === 0 ? (n === 0 ? 'none before or since' : 'none before attachment, so none may follow') : `${describeChange(b, n)}, ${measure.reductionPercent}% fewer needed`;
  return { met, detail: `${COUNT_LABELS[measure.counts].plural}: ${counts} (${verdict})`, evidenceEventIds: [...before, ...now].map((d) => d.fact.eventId) };
}

/** `none-in-window` (DOMAIN.md 4.1 domestic-abuse): no fact of the kind in the window before T. */
function noneInWindow(measure: Extract<Measure, { kind: 'none-in-window' }>, { state, attachedOn, asOf }: MeasureInput): MeasureResult {
  const notYet = windowAfterAttachment(measure.windowMonths, attachedOn, asOf);
  if (notYet) return notYet;
  const { windowMonths } = measure;
  const label = COUNT_LABELS[measure.counts];
  const window = monthsEndingOn(asOf, windowMonths);
  const known = countable(state, measure.counts, asOf);
  const recent = known.filter((d) => inWindow(d.on, window));
  if (recent.length > 0) {
    const dates = recent.map((d) => d.on).sort();
    return {
      met: false,
      detail: `${recent.length} ${label.plural} in the ${windowMonths} months to ${asOf}, the latest on ${dates[dates.length - 1]}`,
      evidenceEventIds: recent.map((d) => d.fact.eventId),
    };
  }
  const last = known
    .map((d) => d.on)
    .sort()
    .pop();
  const detail = last ? `no ${label.singular} in the ${windowMonths} months to ${asOf} (the last on ${last})` : `no ${label.singular} recorded`;
  return { met: true, detail, evidenceEventIds: known.map((d) => d.fact.eventId) };
}

// ---------------------------------------------------------------------------------------------
// attendance

/**
 * `attendance-threshold` (DOMAIN.md 4.1 education): every child with attendance records has, in
 * each of the last K counted terms, attendance of at least P% (attended / possible), no permanent
 * exclusion and at most M fixed-term exclusions starting within those terms. Counted terms started
 * on or after attachment and have ended; fewer than K → not yet met.
 *
 * Interpretations: a record not yet received for a counted term leaves the test unmet until it
 * arrives; a child with two records for one term (a move between schools) is judged on their
 * sessions added together; a record with no possible sessions cannot show regular attendance.
 */
function attendanceThreshold(measure: Extract<Measure, { kind: 'attendance-threshold' }>, { state, attachedOn, asOf }: MeasureInput): MeasureResult {
  const { termsRequired, thresholdPercent, maxFixedTermExclusions } = measure;
  // DOMAIN.md 4.1 "sustained after engagement": a term already running at attachment does not count.
  const counted = termsEndedBetween(attachedOn, asOf).filter((term) => term.startsOn >= attachedOn);
  if (counted.length < termsRequired) {
    return { met: false, detail: `not yet: ${counted.length} of ${termsRequired} terms started since attachment have ended`, evidenceEventIds: [] };
  }
  const terms = counted.slice(counted.length - termsRequired);
  const first = terms[0];
  const last = terms[terms.length - 1];
  if (!first || !last) return { met: false, detail: 'no terms to judge', evidenceEventIds: [] };
  const span = `${termLabel(first)} to ${termLabel(last)}`;

  // Attendance for a term is known once the term has ended; records for the current term wait.
  const attendance = factsOf(state, 'SchoolAttendanceRecorded').filter((f) => termHasEnded(schoolTerm(f.event.data.academicYear, f.event.data.term), asOf));
  const exclusions = factsOf(state, 'ExclusionRecorded').filter((f) => first.startsOn <= f.event.data.startedOn && f.event.data.startedOn <= last.endsOn);
  const children = unique([...attendance.map((f) => f.event.data.memberId), ...exclusions.map((f) => f.event.data.memberId)]);
  if (children.length === 0) return { met: false, detail: `no attendance records for any child in ${span}`, evidenceEventIds: [] };

  const failures: string[] = [];
  const evidence: string[] = [];
  for (const memberId of children) {
    for (const term of terms) {
      const records = attendance.filter((f) => f.event.data.memberId === memberId && sameTerm(f.event.data, term));
      records.forEach((f) => evidence.push(f.eventId));
      if (records.length === 0) {
        failures.push(`${memberId}: no attendance record for ${termLabel(term)}`);
        continue;
      }
      const possible = records.reduce((sum, f) => sum + f.event.data.possibleSessions, 0);
      const attended = records.reduce((sum, f) => sum + f.event.data.attendedSessions, 0);
      if (possible <= 0) {
        failures.push(`${memberId}: no possible sessions recorded for ${termLabel(term)}`);
        continue;
      }
      // attended / possible × 100 ≥ threshold, multiplied out so that exactly 90.0% passes.
      if (attended * 100 < thresholdPercent * possible) {
        failures.push(`${memberId}: attendance ${percentText((attended * 100) / possible)}% in ${termLabel(term)}, below ${thresholdPercent}%`);
      }
    }
    const own = exclusions.filter((f) => f.event.data.memberId === memberId);
    own.forEach((f) => evidence.push(f.eventId));
    const permanent = own.find((f) => f.event.data.kind === 'permanent');
    const fixedTerm = own.filter((f) => f.event.data.kind === 'fixed-term');
    if (permanent) failures.push(`${memberId}: permanently excluded on ${permanent.event.data.startedOn}`);
    if (fixedTerm.length > maxFixedTermExclusions) {
      failures.push(`${memberId}: ${fixedTerm.length} fixed-term exclusions in ${span}, at most ${maxFixedTermExclusions} allowed`);
    }
  }
  if (failures.length > 0) return { met: false, detail: failures.join('; '), evidenceEventIds: unique(evidence) };
  return {
    met: true,
    detail: `every child attended at least ${thresholdPercent}% in each of ${span}, with no permanent exclusion and at most ${maxFixedTermExclusions} fixed-term exclusions`,
    evidenceEventIds: unique(evidence),
  };
}

// ---------------------------------------------------------------------------------------------
// statuses

/**
 * `status-clear` (DOMAIN.md 4.1 children-in-need): no member in any of the statuses at T (their
 * latest change on or before T), none on any day of the sustain period, and none entered one in
 * the window before T.
 */
function statusClear(measure: Extract<Measure, { kind: 'status-clear' }>, { state, attachedOn, asOf }: MeasureInput): MeasureResult {
  const { windowMonths, sustainMonths } = measure;
  const notYet = windowAfterAttachment(sustainMonths, attachedOn, asOf);
  if (notYet) return notYet;
  const statuses: ReadonlySet<SocialCareStatus> = new Set<SocialCareStatus>(measure.statuses);
  const window = monthsEndingOn(asOf, windowMonths);
  const sustained = monthsEndingOn(asOf, sustainMonths);
  const changes = inDateOrder(
    factsOf(state, 'SocialCareStatusChanged').filter((f) => f.event.data.on <= asOf),
    (f) => f.event.data.on,
  );
  const latest = new Map<string, (typeof changes)[number]>();
  for (const change of changes) latest.set(change.event.data.memberId, change);

  const failures: string[] = [];
  const evidence: string[] = [...latest.values()].map((f) => f.eventId);
  for (const [memberId, change] of latest) {
    if (statuses.has(change.event.data.status)) failures.push(`${memberId} is ${change.event.data.status} at ${asOf} (since ${change.event.data.on})`);
  }
  for (const change of changes) {
    if (!statuses.has(change.event.data.status) || !inWindow(change.event.data.on, window)) continue;
    evidence.push(change.eventId);
    if (latest.get(change.event.data.memberId) !== change) {
      failures.push(`${change.event.data.memberId} became ${change.event.data.status} on ${change.event.data.on}, within the ${windowMonths} months to ${asOf}`);
    }
  }
  // Sustained: no member in such a status on any day of the sustain period (its first day's status
  // is the latest change on or before it).
  const firstDay = daysBefore(sustained.after, -1);
  const atStart = new Map<string, (typeof changes)[number]>();
  for (const change of changes) if (change.event.data.on <= firstDay) atStart.set(change.event.data.memberId, change);
  for (const [memberId, change] of atStart) {
    if (!statuses.has(change.event.data.status) || statuses.has(latest.get(memberId)?.event.data.status ?? 'none')) continue;
    evidence.push(change.eventId);
    const left = changes.find((c) => c.event.data.memberId === memberId && c.event.data.on > firstDay && !statuses.has(c.event.data.status));
    failures.push(`${memberId} was ${change.event.data.status} until ${left?.event.data.on ?? asOf}, within the ${sustainMonths} months to ${asOf} the change must be sustained for`);
  }
  if (failures.length > 0) return { met: false, detail: failures.join('; '), evidenceEventIds: unique(evidence) };
  const named = measure.statuses.join(', ').replace(/, ([^,]*)$/, ' or $1');
  const detail =
    latest.size === 0
      ? 'no child has had a social care status'
      : `no child is ${named} at ${asOf}, none was at any time in the ${sustainMonths} months before, and none entered such a status in the ${windowMonths} months before`;
  return { met: true, detail, evidenceEventIds: unique(evidence) };
}

/**
 * `concerns-resolved` (DOMAIN.md 4.1 health): every concern recorded for the family (identified on
 * or before T) is resolved by the first day of the sustain period, and none was identified in
 * the window before T.
 */
function concernsResolved(measure: Extract<Measure, { kind: 'concerns-resolved' }>, { state, attachedOn, asOf }: MeasureInput): MeasureResult {
  const { windowMonths, sustainMonths } = measure;
  const notYet = windowAfterAttachment(sustainMonths, attachedOn, asOf);
  if (notYet) return notYet;
  const window = monthsEndingOn(asOf, windowMonths);
  const firstDay = daysBefore(monthsEndingOn(asOf, sustainMonths).after, -1);
  const identified = factsOf(state, 'HealthConcernIdentified').filter((f) => f.event.data.on <= asOf);
  const resolved = factsOf(state, 'HealthConcernResolved').filter((f) => f.event.data.on <= asOf);
  const failures: string[] = [];
  const evidence: string[] = [];
  for (const concern of identified) {
    const { concernId, memberId, on } = concern.event.data;
    const resolution = resolved.find((f) => f.event.data.concernId === concernId);
    evidence.push(concern.eventId);
    if (resolution) evidence.push(resolution.eventId);
    else failures.push(`${memberId}: concern ${concernId} identified on ${on} is not resolved at ${asOf}`);
    if (resolution && resolution.event.data.on > firstDay) {
      failures.push(`${memberId}: concern ${concernId} resolved on ${resolution.event.data.on}, not sustained for the ${sustainMonths} months to ${asOf}`);
    }
    if (inWindow(on, window)) failures.push(`${memberId}: concern ${concernId} identified on ${on}, within the ${windowMonths} months to ${asOf}`);
  }
  if (failures.length > 0) return { met: false, detail: failures.join('; '), evidenceEventIds: unique(evidence) };
  const detail =
    identified.length === 0 ? 'no health concern recorded' : `all ${identified.length} health concern(s) resolved by ${firstDay} and since, none identified in the ${windowMonths} months to ${asOf}`;
  return { met: true, detail, evidenceEventIds: unique(evidence) };
}

// ---------------------------------------------------------------------------------------------
// activity

/** A member's activity on each day, from `ActivityChanged` facts (the latest change on or before the day holds). */
function activityOn(changes: Fact[], day: string): ActivityState | null {
  let current: ActivityState | null = null;
  for (const f of changes) {
    const data = (f.event as { data: { on: string; activity: ActivityState } }).data;
    if (data.on <= day) current = data.activity;
  }
  return current;
}

/**
 * `into-activity` (DOMAIN.md 4.1 worklessness, 4.4 NEET → EET): a member who was in the starting
 * condition at or after attachment (an out-of-work benefit spell, or recorded NEET, overlapping
 * attachment to T) is in a target activity at T and has been, without a day's gap, for the last
 * W weeks, all of them on or after attachment. Employment is an employment spell (of at least the
 * plan's minimum hours, when it sets one) or a recorded change into employment; education and
 * training are recorded changes. A job change with no gap counts as continuous.
 */
function intoActivity(measure: Extract<Measure, { kind: 'into-activity' }>, { state, attachedOn, asOf }: MeasureInput): MeasureResult {
  const { weeks, to } = measure;
  const neededFrom = daysBefore(asOf, 7 * weeks - 1);
  // DOMAIN.md 4.1 "sustained after engagement": the weeks in the activity start on or after attachment.
  if (neededFrom < attachedOn) {
    return {
      met: false,
      detail: `not yet: the ${weeks} weeks in ${activities(to)} must start on or after attachment (${attachedOn}), so the earliest test is on ${daysBefore(attachedOn, -(7 * weeks - 1))}`,
      evidenceEventIds: [],
    };
  }
  const activityChanges = inDateOrder(
    factsOf(state, 'ActivityChanged').filter((f) => f.event.data.on <= asOf),
    (f) => f.event.data.on,
  );
  const jobs = employmentSpells(state, asOf).filter((s) => measure.minimumHoursPerWeek === undefined || hoursOf(state, s) >= measure.minimumHoursPerWeek);
  const reasons: string[] = [];
  const evidence: string[] = [];
  for (const start of startingMembers(state, measure, attachedOn, asOf, activityChanges)) {
    const own = activityChanges.filter((f) => f.event.data.memberId === start.memberId);
    const ownJobs = to.includes('employment') ? jobs.filter((s) => s.memberId === start.memberId && spellOverlaps(s, neededFrom, asOf)) : [];
    const inTarget = (day: string) => ownJobs.some((s) => spellCovers(s, day)) || (to as readonly string[]).includes(activityOn(own, day) ?? 'none');
    const used = unique([...start.evidenceEventIds, ...ownJobs.flatMap((s) => s.evidenceEventIds), ...own.filter((f) => f.event.data.on <= asOf).map((f) => f.eventId)]);
    const since = inTargetSince(inTarget, asOf, neededFrom);
    const hours = measure.minimumHoursPerWeek !== undefined ? ` of at least ${measure.minimumHoursPerWeek} hours a week` : '';
    if (since !== null && since <= neededFrom) {
      return { met: true, detail: `${start.was} and has been in ${activities(to)}${hours} every day from ${neededFrom} to ${asOf} (${weeks} weeks needed)`, evidenceEventIds: used };
    }
    evidence.push(...used);
    reasons.push(
      since === null
        ? `${start.was} and is not in ${activities(to)}${hours} at ${asOf}`
        : `${start.was} and has been in ${activities(to)}${hours} only since ${since} (${weeks} weeks from ${neededFrom} needed)`,
    );
  }
  if (reasons.length === 0) {
    const nobody = measure.from === 'out-of-work-benefit' ? 'no adult was on an out-of-work benefit at or after attachment' : 'nobody was recorded NEET at or after attachment';
    return { met: false, detail: nobody, evidenceEventIds: [] };
  }
  return { met: false, detail: reasons.join('; '), evidenceEventIds: unique(evidence) };
}

/** The members in the measure's starting condition at or after attachment, with why. */
function startingMembers(
  state: FamilyState,
  measure: Extract<Measure, { kind: 'into-activity' }>,
  attachedOn: string,
  asOf: string,
  activityChanges: Fact[],
): { memberId: string; was: string; evidenceEventIds: string[] }[] {
  if (measure.from === 'out-of-work-benefit') {
    const benefits = benefitSpells(state, asOf);
    return adultsOf(state, asOf).flatMap((member) => {
      const claims = benefits.filter((s) => s.memberId === member.memberId && spellOverlaps(s, attachedOn, asOf));
      if (claims.length === 0) return [];
      return [
        {
          memberId: member.memberId,
          was: `${member.memberId} was on ${unique(claims.map((s) => s.benefit)).join(', ')} at or after attachment`,
          evidenceEventIds: claims.flatMap((s) => s.evidenceEventIds),
        },
      ];
    });
  }
  const members = unique(activityChanges.map((f) => (f.event as { data: { memberId: string } }).data.memberId));
  return members.flatMap((memberId) => {
    const own = activityChanges.filter((f) => (f.event as { data: { memberId: string } }).data.memberId === memberId);
    const neetAtAttachment = activityOn(own, attachedOn) === 'neet';
    const neetSince = own.filter((f) => {
      const data = (f.event as { data: { on: string; activity: ActivityState } }).data;
      return data.activity === 'neet' && data.on > attachedOn;
    });
    if (!neetAtAttachment && neetSince.length === 0) return [];
    return [{ memberId, was: `${memberId} was NEET at or after attachment`, evidenceEventIds: own.map((f) => f.eventId) }];
  });
}

/** The hours a week of an employment spell, from its start (a spell without hours counts as none when a minimum is set). */
function hoursOf(state: FamilyState, spell: Spell): number {
  const started = factsOf(state, 'EmploymentStarted').find((f) => spell.evidenceEventIds.includes(f.eventId));
  return started?.event.data.hoursPerWeek ?? 0;
}

/** The first day of the unbroken run in the activity ending at T, looking back no further than `limit`. */
function inTargetSince(inTarget: (day: string) => boolean, asOf: string, limit: string): string | null {
  if (!inTarget(asOf)) return null;
  let since = asOf;
  while (since > limit) {
    const previous = daysBefore(since, 1);
    if (!inTarget(previous)) break;
    since = previous;
  }
  return since;
}

function activities(to: readonly Activity[]): string {
  const names = to.map((a) => (a === 'employment' ? 'work' : a));
  return names.length === 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------
// milestones

/**
 * `milestone-sustained` (DOMAIN.md 4.4): a local milestone of the plan ("debt plan agreed",
 * "engaged with treatment") achieved on or after attachment, with its evidence, and not reversed
 * for the measure's months up to T.
 */
function milestoneSustained(measure: Extract<Measure, { kind: 'milestone-sustained' }>, { state, attachedOn, asOf }: MeasureInput): MeasureResult {
  const records = inDateOrder(
    factsOf(state, 'OutcomeMilestoneRecorded').filter((f) => f.event.data.milestone === measure.milestone && f.event.data.on <= asOf),
    (f) => f.event.data.on,
  );
  const evidence = records.map((f) => f.eventId);
  const achieved = records.filter((f) => f.event.data.change === 'achieved' && f.event.data.on >= attachedOn);
  const reasons: string[] = [];
  for (const achievement of achieved) {
    const { memberId, on } = achievement.event.data;
    const reversal = records.find((f) => f.event.data.memberId === memberId && f.event.data.change === 'reversed' && f.event.data.on >= on && f.eventId !== achievement.eventId);
    const since = sustainedSince(on, measure.months);
    if (reversal) {
      reasons.push(`${memberId}: ${measure.milestone} achieved on ${on}, reversed on ${reversal.event.data.on}`);
      continue;
    }
    if (asOf < since) {
      reasons.push(`${memberId}: ${measure.milestone} achieved on ${on}, sustained ${measure.months} months on ${since}`);
      continue;
    }
    return { met: true, detail: `${memberId}: ${measure.milestone} achieved on ${on} and not reversed for ${measure.months} months to ${asOf}`, evidenceEventIds: evidence };
  }
  if (reasons.length > 0) return { met: false, detail: reasons.join('; '), evidenceEventIds: evidence };
  return { met: false, detail: `${measure.milestone}: not achieved on or after attachment (${attachedOn})`, evidenceEventIds: evidence };
}

// ---------------------------------------------------------------------------------------------

function describeChange(baseline: number, now: number): string {
  if (now > baseline) return `${percentText(((now - baseline) * 100) / baseline)}% more`;
  return `${percentText(((baseline - now) * 100) / baseline)}% fewer`;
}

/** A percentage to one decimal place, truncated so that 32.96% never reads as 33%. */
function percentText(value: number): string {
  const tenths = Math.floor(value * 10 + 1e-9);
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
}

/** Date order, keeping recording order for the same day. */
function inDateOrder<T>(items: T[], dateOf: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const x = dateOf(a.item);
      const y = dateOf(b.item);
      return x < y ? -1 : x > y ? 1 : a.index - b.index;
    })
    .map(({ item }) => item);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
