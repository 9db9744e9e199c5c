import type { HeadlineProblem, SocialCareStatus } from '../family/family.events';
import { type Fact, type FamilyState, factsOf } from '../family/family.state';
import type { OutcomePlanParameters } from '../outcome-plan/outcome-plan';
import { adultsOf } from './continuous-employment';
import { sameTerm, schoolTerm, termHasEnded, termLabel, termsEndedBetween } from './school-terms';
import { type Spell, benefitSpells, employmentSpells, spellCovers, spellOverlaps } from './spells';
import { type Window, daysBefore, inWindow, monthsEndingOn, sustainedSince } from './windows';
import { atIndex } from '../shared/present';

/**
 * The default plan's six success tests as first written by hand (DOMAIN.md 4.1 table, with
 * "sustained after engagement"), before the Outcome Plan became data. Not used by the service:
 * kept as the reference that the default plan expressed in measure kinds must answer exactly as,
 * on every history (`default-plan-equivalence.spec.ts`).
 */
export interface SuccessTestInput {
  state: FamilyState;
  parameters: OutcomePlanParameters;
  attachedOn: string;
  asOf: string;
}

export interface SuccessTestResult {
  met: boolean;
  detail: string;
  evidenceEventIds: string[];
}

/** Each headline problem's success test in the default plan's shape; thresholds come from the plan. */
export const handWrittenSuccessTests: Record<HeadlineProblem, (input: SuccessTestInput) => SuccessTestResult> = {
  'crime-asb': crimeAsbTest,
  education: educationTest,
  'children-in-need': childrenInNeedTest,
  worklessness: worklessnessTest,
  'domestic-abuse': domesticAbuseTest,
  health: healthTest,
};

// ---------------------------------------------------------------------------------------------
// crime-asb

/**
 * DOMAIN.md 4.1: proven offences by any family member in the window before T at least
 * `offenceReductionPercent`% fewer than in the window before attachment, and ASB incidents at
 * least `asbReductionPercent`% fewer; a zero baseline needs a zero count. A sibling's (or a
 * non-resident parent's) new offence counts against the family.
 */
function crimeAsbTest({ state, parameters, attachedOn, asOf }: SuccessTestInput): SuccessTestResult {
  const { windowMonths, offenceReductionPercent, asbReductionPercent } = parameters.crimeAsb;
  const notYet = windowAfterAttachment(windowMonths, attachedOn, asOf);
  if (notYet) return notYet;
  const recent = monthsEndingOn(asOf, windowMonths);
  const baseline = monthsEndingOn(attachedOn, windowMonths);
  const offences = factsOf(state, 'OffenceRecorded')
    .filter((f) => f.event.data.proven)
    .map((f) => ({ fact: f, on: f.event.data.committedOn }));
  const incidents = factsOf(state, 'AsbIncidentRecorded').map((f) => ({ fact: f, on: f.event.data.occurredOn }));
  const offenceResult = reduction('proven offences', offences, baseline, recent, offenceReductionPercent, windowMonths);
  const asbResult = reduction('ASB incidents', incidents, baseline, recent, asbReductionPercent, windowMonths);
  return {
    met: offenceResult.met && asbResult.met,
    detail: `${offenceResult.detail}; ${asbResult.detail}`,
    evidenceEventIds: unique([...offenceResult.evidenceEventIds, ...asbResult.evidenceEventIds]),
  };
}

function reduction(label: string, dated: { fact: Fact; on: string }[], baseline: Window, recent: Window, percent: number, months: number): SuccessTestResult {
  const before = dated.filter((d) => inWindow(d.on, baseline));
  const now = dated.filter((d) => inWindow(d.on, recent));
  const b = before.length;
  const n = now.length;
  // (b − n) / b × 100 ≥ percent, multiplied out so that exactly 33% fewer passes with no rounding.
  const met = b === 0 ? n === 0 : (b - n) * 100 >= percent * b;
  const counts = `${n} in the ${months} months to ${recent.through} against ${b} in the ${months} months to attachment`;
  const verdict = b === 0 ? (n === 0 ? 'none before or since' : 'none before attachment, so none may follow') : `${describeChange(b, n)}, ${percent}% fewer needed`;
  return { met, detail: `${label}: ${counts} (${verdict})`, evidenceEventIds: [...before, ...now].map((d) => d.fact.eventId) };
}

function describeChange(baseline: number, now: number): string {
  if (now > baseline) return `${percentText(((now - baseline) * 100) / baseline)}% more`;
  return `${percentText(((baseline - now) * 100) / baseline)}% fewer`;
}

/** A percentage to one decimal place, truncated so that 32.96% never reads as 33%. */
function percentText(value: number): string {
  const tenths = Math.floor(value * 10 + 1e-9);
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
}

// ---------------------------------------------------------------------------------------------
// education

/**
 * DOMAIN.md 4.1: every child with attendance records has, in each of the last `termsRequired`
 * ended terms, attendance of at least `attendanceThresholdPercent`% (attended / possible), no
 * permanent exclusion and at most `maxFixedTermExclusions` fixed-term exclusions starting within
 * those terms; fewer than `termsRequired` terms ended since attachment → not yet met.
 *
 * Interpretations: the last terms are the calendar's last ended terms (all since attachment), so a
 * record not yet received for one of them leaves the test unmet until it arrives; a child with
 * two records for one term (a move between schools) is judged on their sessions added together;
 * a record with no possible sessions cannot show regular attendance and fails.
 */
function educationTest({ state, parameters, attachedOn, asOf }: SuccessTestInput): SuccessTestResult {
  const { termsRequired, attendanceThresholdPercent, maxFixedTermExclusions } = parameters.education;
  // DOMAIN.md 4.1 "sustained after engagement": only terms that started on or after attachment
  // count; a term already running at attachment does not.
  const endedSinceAttachment = termsEndedBetween(attachedOn, asOf).filter((term) => term.startsOn >= attachedOn);
  if (endedSinceAttachment.length < termsRequired) {
    return { met: false, detail: `not yet: ${endedSinceAttachment.length} of ${termsRequired} terms started since attachment have ended`, evidenceEventIds: [] };
  }
  const terms = endedSinceAttachment.slice(endedSinceAttachment.length - termsRequired);
  const firstTerm = atIndex(terms, 0, 'term');
  const lastTerm = atIndex(terms, terms.length - 1, 'term');
  const spanFrom = firstTerm.startsOn;
  const spanTo = lastTerm.endsOn;
  const span = `${termLabel(firstTerm)} to ${termLabel(lastTerm)}`;

  // Attendance for a term is known once the term has ended; records for the current term wait.
  const attendance = factsOf(state, 'SchoolAttendanceRecorded').filter((f) => termHasEnded(schoolTerm(f.event.data.academicYear, f.event.data.term), asOf));
  const exclusions = factsOf(state, 'ExclusionRecorded').filter((f) => spanFrom <= f.event.data.startedOn && f.event.data.startedOn <= spanTo);
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
      if (attended * 100 < attendanceThresholdPercent * possible) {
        failures.push(`${memberId}: attendance ${percentText((attended * 100) / possible)}% in ${termLabel(term)}, below ${attendanceThresholdPercent}%`);
      }
    }
    const own = exclusions.filter((f) => f.event.data.memberId === memberId);
    own.forEach((f) => evidence.push(f.eventId));
    const permanent = own.filter((f) => f.event.data.kind === 'permanent');
    const fixedTerm = own.filter((f) => f.event.data.kind === 'fixed-term');
    if (permanent.length > 0) failures.push(`${memberId}: permanently excluded on ${atIndex(permanent, 0).event.data.startedOn}`);
    if (fixedTerm.length > maxFixedTermExclusions) {
      failures.push(`${memberId}: ${fixedTerm.length} fixed-term exclusions in ${span}, at most ${maxFixedTermExclusions} allowed`);
    }
  }
  if (failures.length > 0) return { met: false, detail: failures.join('; '), evidenceEventIds: unique(evidence) };
  return {
    met: true,
    detail: `every child attended at least ${attendanceThresholdPercent}% in each of ${span}, with no permanent exclusion and at most ${maxFixedTermExclusions} fixed-term exclusions`,
    evidenceEventIds: unique(evidence),
  };
}

// ---------------------------------------------------------------------------------------------
// children-in-need

const NEED_STATUSES: ReadonlySet<SocialCareStatus> = new Set<SocialCareStatus>(['child-in-need', 'child-protection', 'looked-after']);

/**
 * DOMAIN.md 4.1: no child is child-in-need, child-protection or looked-after at T (their latest
 * status change on or before T), and no child entered such a status in the window before T.
 */
function childrenInNeedTest({ state, parameters, attachedOn, asOf }: SuccessTestInput): SuccessTestResult {
  const { windowMonths, sustainMonths } = parameters.childrenInNeed;
  const notYet = windowAfterAttachment(sustainMonths, attachedOn, asOf);
  if (notYet) return notYet;
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
    if (NEED_STATUSES.has(change.event.data.status)) failures.push(`${memberId} is ${change.event.data.status} at ${asOf} (since ${change.event.data.on})`);
  }
  for (const change of changes) {
    if (!NEED_STATUSES.has(change.event.data.status) || !inWindow(change.event.data.on, window)) continue;
    evidence.push(change.eventId);
    if (latest.get(change.event.data.memberId) !== change) {
      failures.push(`${change.event.data.memberId} became ${change.event.data.status} on ${change.event.data.on}, within the ${windowMonths} months to ${asOf}`);
    }
  }
  // Sustained: no child in such a status on any day of the sustain period (its first day's status
  // is the latest change on or before it).
  const firstDay = daysBefore(sustained.after, -1);
  const atStart = new Map<string, (typeof changes)[number]>();
  for (const change of changes) if (change.event.data.on <= firstDay) atStart.set(change.event.data.memberId, change);
  for (const [memberId, change] of atStart) {
    if (!NEED_STATUSES.has(change.event.data.status) || NEED_STATUSES.has(latest.get(memberId)?.event.data.status ?? 'none')) continue;
    evidence.push(change.eventId);
    const left = changes.find((c) => c.event.data.memberId === memberId && c.event.data.on > firstDay && !NEED_STATUSES.has(c.event.data.status));
    failures.push(`${memberId} was ${change.event.data.status} until ${left?.event.data.on ?? asOf}, within the ${sustainMonths} months to ${asOf} the change must be sustained for`);
  }
  if (failures.length > 0) return { met: false, detail: failures.join('; '), evidenceEventIds: unique(evidence) };
  const detail =
    latest.size === 0
      ? 'no child has had a social care status'
      : `no child is child-in-need, child-protection or looked-after at ${asOf}, none was at any time in the ${sustainMonths} months before, and none entered such a status in the ${windowMonths} months before`;
  return { met: true, detail, evidenceEventIds: unique(evidence) };
}

// ---------------------------------------------------------------------------------------------
// worklessness

/**
 * DOMAIN.md 4.1: an adult who was on an out-of-work benefit at or after attachment (a benefit
 * spell overlapping attachment to T) is in employment at T and has been, without a day's gap, for
 * the last `employedWeeks` weeks. A job change with no gap counts as continuous employment.
 */
function worklessnessTest({ state, parameters, attachedOn, asOf }: SuccessTestInput): SuccessTestResult {
  const { employedWeeks } = parameters.worklessness;
  const neededFrom = daysBefore(asOf, 7 * employedWeeks - 1);
  // DOMAIN.md 4.1 "sustained after engagement": the weeks in work start on or after attachment.
  if (neededFrom < attachedOn) {
    return {
      met: false,
      detail: `not yet: the ${employedWeeks} weeks in work must start on or after attachment (${attachedOn}), so the earliest test is on ${daysBefore(attachedOn, -(7 * employedWeeks - 1))}`,
      evidenceEventIds: [],
    };
  }
  const benefits = benefitSpells(state, asOf);
  const employment = employmentSpells(state, asOf);
  const reasons: string[] = [];
  const evidence: string[] = [];
  for (const member of adultsOf(state, asOf)) {
    const claims = benefits.filter((s) => s.memberId === member.memberId && spellOverlaps(s, attachedOn, asOf));
    if (claims.length === 0) continue;
    const jobs = employment.filter((s) => s.memberId === member.memberId && spellOverlaps(s, neededFrom, asOf));
    const used = unique([...claims, ...jobs].flatMap((s) => s.evidenceEventIds));
    const was = `${member.memberId} was on ${unique(claims.map((s) => s.benefit)).join(', ')} at or after attachment`;
    const since = inWorkSince(jobs, asOf, neededFrom);
    if (since !== null && since <= neededFrom) {
      return { met: true, detail: `${was} and has been in work every day from ${neededFrom} to ${asOf} (${employedWeeks} weeks needed)`, evidenceEventIds: used };
    }
    evidence.push(...used);
    reasons.push(since === null ? `${was} and is not in work at ${asOf}` : `${was} and has been in work only since ${since} (${employedWeeks} weeks from ${neededFrom} needed)`);
  }
  if (reasons.length === 0) return { met: false, detail: 'no adult was on an out-of-work benefit at or after attachment', evidenceEventIds: [] };
  return { met: false, detail: reasons.join('; '), evidenceEventIds: unique(evidence) };
}

/** The first day of the unbroken run of work ending at T, looking back no further than `limit`. */
function inWorkSince(jobs: Spell[], asOf: string, limit: string): string | null {
  if (!jobs.some((s) => spellCovers(s, asOf))) return null;
  let since = asOf;
  while (since > limit) {
    const previous = daysBefore(since, 1);
    if (!jobs.some((s) => spellCovers(s, previous))) break;
    since = previous;
  }
  return since;
}

// ---------------------------------------------------------------------------------------------
// domestic-abuse

/** DOMAIN.md 4.1: no domestic-abuse incident in the window before T. */
function domesticAbuseTest({ state, parameters, attachedOn, asOf }: SuccessTestInput): SuccessTestResult {
  const { windowMonths } = parameters.domesticAbuse;
  const notYet = windowAfterAttachment(windowMonths, attachedOn, asOf);
  if (notYet) return notYet;
  const window = monthsEndingOn(asOf, windowMonths);
  const known = factsOf(state, 'DomesticAbuseIncidentRecorded').filter((f) => f.event.data.occurredOn <= asOf);
  const recent = known.filter((f) => inWindow(f.event.data.occurredOn, window));
  if (recent.length > 0) {
    const dates = recent.map((f) => f.event.data.occurredOn).sort();
    return {
      met: false,
      detail: `${recent.length} domestic-abuse incident(s) in the ${windowMonths} months to ${asOf}, the latest on ${dates[dates.length - 1]}`,
      evidenceEventIds: recent.map((f) => f.eventId),
    };
  }
  const last = known
    .map((f) => f.event.data.occurredOn)
    .sort()
    .pop();
  const detail = last ? `no domestic-abuse incident in the ${windowMonths} months to ${asOf} (the last on ${last})` : 'no domestic-abuse incident recorded';
  return { met: true, detail, evidenceEventIds: known.map((f) => f.eventId) };
}

// ---------------------------------------------------------------------------------------------
// health

/**
 * DOMAIN.md 4.1: every health concern recorded for the family (identified on or before T) is
 * resolved on or before T, and none was identified in the window before T.
 */
function healthTest({ state, parameters, attachedOn, asOf }: SuccessTestInput): SuccessTestResult {
  const { windowMonths, sustainMonths } = parameters.health;
  const notYet = windowAfterAttachment(sustainMonths, attachedOn, asOf);
  if (notYet) return notYet;
  const window = monthsEndingOn(asOf, windowMonths);
  // Sustained: every concern resolved on or before the first day of the sustain period.
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

/**
 * DOMAIN.md 4.1 "sustained after engagement": the programme pays for progress made while the
 * council works with the family, so a window (or a sustain period) of `months` ending at T must
 * lie wholly after attachment: the earliest T is attachment + `months`. Before it the test is not
 * yet met, whatever the facts say.
 */
function windowAfterAttachment(months: number, attachedOn: string, asOf: string): SuccessTestResult | null {
  const earliest = sustainedSince(attachedOn, months);
  if (asOf >= earliest) return null;
  return { met: false, detail: `not yet: the ${months} months judged must lie after attachment (${attachedOn}), so the earliest test is on ${earliest}`, evidenceEventIds: [] };
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
