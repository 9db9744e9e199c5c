import type { RecordedEvent } from '@ledger/event-store';
import { ERASED } from '@ledger/privacy';
import { dateParts } from '@ledger/domain';

/**
 * Issue 20.2: a family's story in words, from its events ("Autumn term 2016: Jake attended 95% (190
 * of 200 sessions)", "Offence, proven, 2 May 2017 — corrected 4 June 2017"). Corrections are shown
 * with what they replaced. Pure: the events (opened), who may see names, and nothing else.
 */
export interface TimelineEntry {
  eventId: string;
  version: number;
  type: string;
  /** The business date the entry is about (a term's first day for attendance). */
  on: string;
  /** The date it was recorded (England). */
  recordedOn: string;
  text: string;
  /** Whom it is about (member ids), for linking and for the access log. */
  memberIds: string[];
  /** The headline problem a `HeadlineProblemIdentified` entry identifies. */
  problem?: string;
  /** Set when a later correction replaced this fact. */
  corrected?: { on: string; byEventId: string; replacedBy: string | null; reason?: string };
  /** Set on a fact recorded as the correction of another: the words of the fact it replaced. */
  replaces?: { eventId: string; text: string; reason?: string };
}

const PROBLEM_NAMES: Record<string, string> = {
  'crime-asb': 'crime or anti-social behaviour',
  education: 'education',
  'children-in-need': 'children who need help',
  worklessness: 'worklessness',
  'domestic-abuse': 'domestic abuse',
  health: 'health',
};

const BENEFIT_NAMES: Record<string, string> = {
  JSA: "Jobseeker's Allowance",
  ESA: 'Employment and Support Allowance',
  IS: 'Income Support',
  IB: 'Incapacity Benefit',
  CA: "Carer's Allowance",
  SDA: 'Severe Disablement Allowance',
  UC: 'Universal Credit',
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2017-05-02` → "2 May 2017". */
export function inWords(date: string): string {
  const [y, m, d] = dateParts(date);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** A term in words and its first day: autumn of 2016/17 is "Autumn term 2016", its spring "Spring term 2017" (DOMAIN.md 3). */
export function termOf(academicYear: string, term: string): { words: string; startsOn: string } {
  const first = Number(academicYear.slice(0, 4));
  if (term === 'autumn') return { words: `Autumn term ${first}`, startsOn: `${first}-09-01` };
  if (term === 'spring') return { words: `Spring term ${first + 1}`, startsOn: `${first + 1}-01-01` };
  return { words: `Summer term ${first + 1}`, startsOn: `${first + 1}-04-01` };
}

/** Names as the reader may see them: given names for those allowed, else the relationship ("a child"). */
export type NameOf = (memberId: string | undefined) => string;

interface Member {
  memberId: string;
  relationship: string;
  givenName?: string;
  familyName?: string;
}

export function nameOfMembers(members: readonly Member[], showNames: boolean): NameOf {
  const byId = new Map(members.map((m) => [m.memberId, m]));
  return (memberId) => {
    if (memberId === undefined) return 'the household';
    const m = byId.get(memberId);
    if (!m) return 'a member';
    if (!showNames) return `a ${m.relationship}`;
    if (!m.givenName || m.givenName === ERASED) return `a ${m.relationship} whose details were erased`;
    return m.givenName;
  };
}

const s = (value: unknown): string => (typeof value === 'string' ? value : '');
const free = (value: unknown): string => (typeof value === 'string' && value !== ERASED && value.trim() !== '' ? value : '');

/** One event in words, with the date it is about; null for events that are not part of the story. */
export function describe(event: Pick<RecordedEvent, 'type' | 'data'>, nameOf: NameOf): { on: string | null; text: string; memberIds: string[]; problem?: string } | null {
  const d = event.data as Record<string, unknown>;
  const who = nameOf(d.memberId as string | undefined);
  const about = typeof d.memberId === 'string' ? [d.memberId] : [];
  switch (event.type) {
    case 'FamilyIdentified': {
      const members = (d.members ?? []) as Member[];
      return {
        on: s(d.identifiedOn),
        text: `Family identified, reference ${s(d.reference)}, with ${members.length} ${members.length === 1 ? 'member' : 'members'}: ${members.map((m) => `${nameOf(m.memberId)} (${m.relationship})`).join(', ')}`,
        memberIds: members.map((m) => m.memberId),
      };
    }
    case 'FamilyMemberAdded': {
      const m = d.member as Member;
      return { on: null, text: `${nameOf(m.memberId)} (${m.relationship}) joined the family`, memberIds: [m.memberId] };
    }
    case 'HeadlineProblemIdentified': {
      const indicator = free(d.indicator);
      return {
        on: s(d.identifiedOn),
        text: `Problem identified: ${PROBLEM_NAMES[s(d.problem)] ?? s(d.problem)}${d.memberId ? ` (${who})` : ''}${indicator ? `, ${indicator}` : ''}, source ${s(d.source)}`,
        memberIds: about,
        problem: s(d.problem),
      };
    }
    case 'FamilyAttached': {
      const problems = ((d.problemsAtEntry ?? []) as string[]).map((p) => PROBLEM_NAMES[p] ?? p);
      return { on: s(d.attachedOn), text: `Attached to the programme, keyworker ${s(d.keyworker)}; problems at entry: ${problems.join(', ')}`, memberIds: [] };
    }
    case 'SchoolAttendanceRecorded': {
      const term = termOf(s(d.academicYear), s(d.term));
      const possible = Number(d.possibleSessions);
      const attended = Number(d.attendedSessions);
      const percent = possible > 0 ? Math.round((attended / possible) * 100) : 0;
      const unauthorised = Number(d.unauthorisedAbsenceSessions);
      return {
        on: term.startsOn,
        text: `${term.words}: ${who} attended ${percent}% (${attended} of ${possible} sessions)${unauthorised > 0 ? `, ${unauthorised} unauthorised absence ${unauthorised === 1 ? 'session' : 'sessions'}` : ''}`,
        memberIds: about,
      };
    }
    case 'ExclusionRecorded':
      return {
        on: s(d.startedOn),
        text:
          d.kind === 'permanent'
            ? `Permanent exclusion, ${inWords(s(d.startedOn))}: ${who}`
            : `Fixed-term exclusion${typeof d.days === 'number' ? ` of ${d.days} ${d.days === 1 ? 'day' : 'days'}` : ''}, ${inWords(s(d.startedOn))}: ${who}`,
        memberIds: about,
      };
    case 'OffenceRecorded': {
      const category = free(d.category);
      return { on: s(d.committedOn), text: `Offence, ${d.proven ? 'proven' : 'not proven'}, ${inWords(s(d.committedOn))}: ${who}${category ? `, ${category}` : ''}`, memberIds: about };
    }
    case 'AsbIncidentRecorded': {
      const kind = free(d.kind);
      return { on: s(d.occurredOn), text: `Anti-social behaviour incident, ${inWords(s(d.occurredOn))}: ${who}${kind ? `, ${kind}` : ''}`, memberIds: about };
    }
    case 'BenefitStarted':
      return {
        on: s(d.on),
        text: `${who} started claiming ${BENEFIT_NAMES[s(d.benefit)] ?? s(d.benefit)}${d.fullWorkSearch === true ? ' (intensive work search)' : ''}, ${inWords(s(d.on))}`,
        memberIds: about,
      };
    case 'BenefitEnded':
      return { on: s(d.on), text: `${who} stopped claiming ${BENEFIT_NAMES[s(d.benefit)] ?? s(d.benefit)}, ${inWords(s(d.on))}`, memberIds: about };
    case 'EmploymentStarted':
      return { on: s(d.on), text: `${who} started work${typeof d.hoursPerWeek === 'number' ? ` (${d.hoursPerWeek} hours a week)` : ''}, ${inWords(s(d.on))}`, memberIds: about };
    case 'EmploymentEnded':
      return { on: s(d.on), text: `${who} left work, ${inWords(s(d.on))}`, memberIds: about };
    case 'DomesticAbuseIncidentRecorded':
      return { on: s(d.occurredOn), text: `Domestic abuse incident, ${inWords(s(d.occurredOn))}${d.memberId ? `: ${who}` : ''}`, memberIds: about };
    case 'HealthConcernIdentified': {
      const description = free(d.description);
      return { on: s(d.on), text: `Health concern identified for ${who}${description ? `: ${description}` : ''}, ${inWords(s(d.on))}`, memberIds: about };
    }
    case 'HealthConcernResolved':
      return { on: s(d.on), text: `Health concern resolved for ${who}, ${inWords(s(d.on))}`, memberIds: about };
    case 'SocialCareStatusChanged':
      return {
        on: s(d.on),
        text: d.status === 'none' ? `${who} no longer has a social care status, ${inWords(s(d.on))}` : `${who}: ${s(d.status).replace(/-/g, ' ')}, ${inWords(s(d.on))}`,
        memberIds: about,
      };
    case 'ConsentRecorded':
      return { on: s(d.on), text: `${who} ${d.given ? 'gave' : 'withdrew'} consent to ${s(d.purpose)}, ${inWords(s(d.on))}`, memberIds: about };
    case 'UcConditionalityChanged':
      return { on: s(d.on), text: `${who}'s Universal Credit regime: ${s(d.regime).replace(/-/g, ' ')}, ${inWords(s(d.on))}`, memberIds: about };
    case 'ActivityChanged':
      return { on: s(d.on), text: `${who} now ${d.activity === 'neet' ? 'not in education, employment or training' : `in ${s(d.activity)}`}, ${inWords(s(d.on))}`, memberIds: about };
    case 'OutcomeMilestoneRecorded': {
      const evidence = free(d.evidence);
      return {
        on: s(d.on),
        text: `Milestone "${s(d.milestone)}" ${d.change === 'reversed' ? 'reversed' : 'achieved'} for ${who}, ${inWords(s(d.on))}${evidence ? ` (evidence: ${evidence})` : ''}`,
        memberIds: about,
      };
    }
    case 'OutcomeOverrideRecorded': {
      const reason = free(d.reason);
      return {
        on: s(d.on),
        text: `Override: ${PROBLEM_NAMES[s(d.problem)] ?? s(d.problem)} counted as met, approved by ${s(d.approvedBy)}, ${inWords(s(d.on))}${reason ? ` (${reason})` : ''}`,
        memberIds: [],
      };
    }
    case 'FamilyCaseClosed': {
      const reason = free(d.reason);
      return { on: s(d.closedOn), text: `Case closed, ${inWords(s(d.closedOn))}${reason ? ` (${reason})` : ''}`, memberIds: [] };
    }
    default:
      return null;
  }
}

/** The England date of an instant (recordedAt), `YYYY-MM-DD`. */
function londonDate(instant: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

/**
 * The timeline: every fact in words, in business-date order (then as recorded). A superseded fact
 * says when it was corrected and by what; its replacement says what it replaced (a correction is
 * recorded with its replacement, in one command).
 */
export function timelineOf(events: readonly RecordedEvent[], nameOf: NameOf): TimelineEntry[] {
  const entries = new Map<string, TimelineEntry>();
  const described = new Map<string, string>();
  for (const e of events) {
    const words = describe(e, nameOf);
    if (!words) continue;
    const recordedOn = londonDate(e.metadata.recordedAt);
    described.set(e.metadata.eventId, words.text);
    entries.set(e.metadata.eventId, {
      eventId: e.metadata.eventId,
      version: e.version,
      type: e.type,
      on: words.on || recordedOn,
      recordedOn,
      text: words.text,
      memberIds: words.memberIds,
      ...(words.problem ? { problem: words.problem } : {}),
    });
  }
  for (const [i, e] of events.entries()) {
    if (e.type !== 'FactCorrected') continue;
    const supersededId = String(e.data.supersededEventId);
    const reason = free(e.data.reason) || undefined;
    // The replacement: the fact recorded by the same command as the correction.
    const replacement = events.slice(i + 1).find((r) => r.metadata.commandId === e.metadata.commandId && entries.has(r.metadata.eventId));
    const correctedOn = londonDate(e.metadata.recordedAt);
    const superseded = entries.get(supersededId);
    if (superseded) superseded.corrected = { on: correctedOn, byEventId: e.metadata.eventId, replacedBy: replacement?.metadata.eventId ?? null, ...(reason ? { reason } : {}) };
    const replacing = replacement ? entries.get(replacement.metadata.eventId) : undefined;
    if (replacing) replacing.replaces = { eventId: supersededId, text: described.get(supersededId) ?? 'an earlier fact', ...(reason ? { reason } : {}) };
    else if (!replacement) {
      entries.set(e.metadata.eventId, {
        eventId: e.metadata.eventId,
        version: e.version,
        type: e.type,
        on: correctedOn,
        recordedOn: correctedOn,
        text: `Withdrawn as wrong: ${described.get(supersededId) ?? 'an earlier fact'}${reason ? ` (${reason})` : ''}`,
        memberIds: superseded?.memberIds ?? [],
      });
    }
  }
  return [...entries.values()].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.version - b.version));
}
