import { type Benefit, type FamilyCommand, type HeadlineProblem, type Member, type ProgrammeCommand, type Term, ageOn, atIndex, dayNumber, fromDayNumber, must } from '@ledger/domain';
import { Random, seedFor } from './random';

/**
 * Synthetic, clearly labelled demo data: families of a made-up council whose histories look like
 * the Troubled Families programme's (DOMAIN.md 2, 3 and 7), as the commands a council would send.
 * Every name, postcode and identifier is fictional (ZZ postcodes, QQ National Insurance numbers,
 * 999 NHS test numbers). Deterministic from the seed; no clock, no `Math.random`.
 */

/** One command and the day it was recorded (on or after every business date in it). */
export interface SyntheticCommand {
  command: FamilyCommand;
  /** YYYY-MM-DD: the day the command was recorded. */
  recordedOn: string;
}

export interface SyntheticFamily {
  familyId: string;
  /** `SYN-000123`: a plainly synthetic case reference. */
  reference: string;
  /** In recording order (non-decreasing `recordedOn`); the first is `IdentifyFamily`. */
  commands: SyntheticCommand[];
}

export interface SyntheticBorough {
  councilName: string;
  allocation: number;
  programme: Extract<ProgrammeCommand, { type: 'ConfigureProgramme' }>;
  claimWindows: Extract<ProgrammeCommand, { type: 'DefineClaimWindow' }>[];
  families: SyntheticFamily[];
}

export const SYNTHETIC_COUNCIL_NAME = 'Synthetic Borough (demo data)';

/** The whole borough: programme set-up, claim windows 2016–2020 and `families` families. */
export function generateBorough(options: { families: number; seed: number; councilName?: string }): SyntheticBorough {
  const councilName = options.councilName ?? SYNTHETIC_COUNCIL_NAME;
  // DOMAIN.md 1: attachments beyond the allocation are refused, so leave headroom.
  const allocation = Math.max(options.families, Math.round(options.families * 1.2));
  return {
    councilName,
    allocation,
    programme: { type: 'ConfigureProgramme', councilName, framework: 'troubled-families-2015', allocation, attachmentFeeBasis: 'actual' },
    claimWindows: claimWindows(),
    families: [...generateFamilies({ families: options.families, seed: options.seed })],
  };
}

/**
 * Families one at a time (national scale: 400,000 families without holding them). Family `i` is
 * generated from its own seed, so `startIndex` resumes a run exactly where it left off.
 */
export function* generateFamilies(options: { families: number; seed: number; startIndex?: number }): Generator<SyntheticFamily> {
  const start = options.startIndex ?? 0;
  for (let index = start; index < start + options.families; index += 1) yield generateFamily(options.seed, index);
}

/** Two claim windows a financial year, 2016/17 – 2019/20: July and January, paid two months after closing. */
function claimWindows(): Extract<ProgrammeCommand, { type: 'DefineClaimWindow' }>[] {
  const windows: Extract<ProgrammeCommand, { type: 'DefineClaimWindow' }>[] = [];
  for (let year = 2016; year <= 2019; year += 1) {
    const id = `${year}-${String((year + 1) % 100).padStart(2, '0')}`;
    windows.push({ type: 'DefineClaimWindow', windowId: `${id}-w1`, opensOn: `${year}-07-01`, closesOn: `${year}-07-31`, expectedPaymentOn: `${year}-09-30` });
    windows.push({ type: 'DefineClaimWindow', windowId: `${id}-w2`, opensOn: `${year + 1}-01-02`, closesOn: `${year + 1}-01-31`, expectedPaymentOn: `${year + 1}-03-31` });
  }
  return windows;
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on day numbers (days since 1970-01-01): the domain's, without Date.

function dayOf(y: number, m: number, d: number): number {
  return dayNumber(`${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`);
}

function parse(date: string): number {
  return dayNumber(date);
}

const FORMAT_FROM = dayNumber('1930-01-01');
const formatted: string[] = [];

/** `YYYY-MM-DD` for a day number (cached: the same few thousand days are formatted again and again). */
function format(day: number): string {
  const index = day - FORMAT_FROM;
  if (index < 0) return fromDayNumber(day);
  return (formatted[index] ??= fromDayNumber(day));
}

function yearOf(day: number): number {
  return Number(format(day).slice(0, 4));
}

const IDENTIFIED_FROM = parse('2015-04-01');
const IDENTIFIED_TO = parse('2019-06-30');
/** Nothing is recorded after the end of phase two's original term. */
const DATA_ENDS = parse('2020-03-31');
const UC_FROM = parse('2016-01-01');
const YEAR = 365;

// ---------------------------------------------------------------------------------------------
// Plainly made-up names and fictional identifiers.

const GIVEN_FEMALE = ['Ambrelle', 'Brisby', 'Calloway', 'Dorabel', 'Emberly', 'Fennick', 'Glimmer', 'Hollisande', 'Izzabo', 'Jessamoor', 'Kestrella', 'Lunabelle'];
const GIVEN_MALE = ['Arkwright', 'Bodkin', 'Crumley', 'Dunstable', 'Egbertine', 'Fizwick', 'Gorbel', 'Hobnob', 'Inkwell', 'Jubber', 'Knobbly', 'Lumpkin'];
const FAMILY_NAMES = ['Sampleton', 'Demoford', 'Testwell', 'Fakesby', 'Mockridge', 'Placeholder', 'Dummett', 'Synthby', 'Examplar', 'Fictionby', 'Pretendle', 'Madeupson'];
const KEYWORKERS = ['kw.ambrelle', 'kw.bodkin', 'kw.calloway', 'kw.dunstable', 'kw.emberly', 'kw.fizwick', 'kw.glimmer', 'kw.hobnob', 'kw.inkwell', 'kw.jessamoor'];
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

function postcode(rng: Random): string {
  return `ZZ${rng.int(1, 9)} ${rng.int(1, 9)}${rng.pick([...LETTERS])}${rng.pick([...LETTERS])}`;
}

// ---------------------------------------------------------------------------------------------
// One family.

/** Headline problems and how common they are among families on the programme (rough shares). */
const PROBLEM_WEIGHTS: readonly (readonly [HeadlineProblem, number])[] = [
  ['crime-asb', 30],
  ['education', 45],
  ['children-in-need', 50],
  ['worklessness', 60],
  ['domestic-abuse', 30],
  ['health', 55],
];

const PROBLEM_SOURCE: Record<HeadlineProblem, string> = {
  'crime-asb': 'police',
  education: 'school',
  'children-in-need': 'childrens-services',
  worklessness: 'dwp',
  'domestic-abuse': 'police',
  health: 'health',
};

/** Where a second, corroborating indicator usually comes from. */
const SECOND_SOURCE: Record<HeadlineProblem, string> = {
  'crime-asb': 'police',
  education: 'school',
  'children-in-need': 'childrens-services',
  worklessness: 'dwp',
  'domestic-abuse': 'childrens-services',
  health: 'health',
};

interface Person {
  member: Member;
  birth: number;
}

interface Pending {
  command: FamilyCommand;
  recorded: number;
  seq: number;
}

class FamilyHistory {
  private readonly pending: Pending[] = [];
  /** The day `IdentifyFamily` was recorded: nothing else can be recorded before it. */
  floor = 0;

  constructor(private readonly rng: Random) {}

  /**
   * Records `command` about business day `on`, `0..lag` days later (never before `after` or the
   * identification, never after the data ends). Returns the recording day, or null when `on` is
   * after the data ends (the command is dropped).
   */
  add(command: FamilyCommand, on: number, lag: number, after = this.floor): number | null {
    if (on > DATA_ENDS) return null;
    const recorded = Math.min(Math.max(on + this.rng.int(0, lag), after, this.floor), DATA_ENDS);
    this.pending.push({ command, recorded, seq: this.pending.length });
    return recorded;
  }

  /** Every command of `type` so far is recorded no later than `day` (problems before the attachment that counts them). */
  clampBefore(type: FamilyCommand['type'], day: number): void {
    for (const p of this.pending) if (p.command.type === type) p.recorded = Math.min(p.recorded, day);
  }

  commands(): SyntheticCommand[] {
    this.pending.sort((a, b) => a.recorded - b.recorded || a.seq - b.seq);
    return this.pending.map((p) => ({ command: p.command, recordedOn: format(p.recorded) }));
  }
}

function generateFamily(seed: number, index: number): SyntheticFamily {
  const rng = new Random(seedFor(seed, index));
  const familyId = rng.uuid();
  const reference = `SYN-${String(index + 1).padStart(6, '0')}`;
  const history = new FamilyHistory(rng);

  const identified = rng.int(IDENTIFIED_FROM, IDENTIFIED_TO);
  // DOMAIN.md 7: most families identified are attached, within about three months.
  const attaches = rng.chance(0.85);
  const attached = attaches
    ? identified +
      rng.weighted([
        [rng.int(0, 30), 3],
        [rng.int(31, 90), 2],
      ])
    : null;
  /** The reference day the family's story turns on: attachment, or identification when never attached. */
  const pivot = attached ?? identified;
  /** Evidence keeps arriving for about two years. */
  const horizon = Math.min(pivot + 2 * YEAR, DATA_ENDS);

  // Members: 1–2 carers in the household, sometimes a parent living elsewhere, 1–4 children.
  const familyName = rng.pick(FAMILY_NAMES);
  const homePostcode = postcode(rng);
  const person = (relationship: Member['relationship'], female: boolean, birth: number, livesInHousehold: boolean, adult: boolean): Person => {
    const member: Member = {
      memberId: rng.uuid(),
      relationship,
      givenName: rng.pick(female ? GIVEN_FEMALE : GIVEN_MALE),
      familyName,
      dateOfBirth: format(birth),
      gender: female ? 'female' : 'male',
      postcode: livesInHousehold ? homePostcode : postcode(rng),
      livesInHousehold,
    };
    // Reserved test values only: QQ National Insurance numbers, 999 NHS numbers.
    if (adult && rng.chance(0.8)) member.nationalInsuranceNumber = `QQ${rng.digits(6)}${rng.pick(['A', 'B', 'C', 'D'])}`;
    if (rng.chance(0.6)) member.nhsNumber = `999${rng.digits(7)}`;
    return { member, birth };
  };
  const bornAged = (age: number): number => identified - rng.int(Math.floor(age * 365.25) + 1, Math.floor((age + 1) * 365.25) - 1);

  const mainCarer = person('parent', rng.chance(0.82), bornAged(rng.int(19, 46)), true, true);
  const adults: Person[] = [mainCarer];
  if (rng.chance(0.45)) {
    adults.push(person(rng.chance(0.8) ? 'parent' : 'carer', !mainCarer.member.gender?.startsWith('f'), bornAged(rng.int(20, 50)), true, true));
  }
  const absentParent = rng.chance(0.2) ? person('parent', !mainCarer.member.gender?.startsWith('f'), bornAged(rng.int(20, 50)), false, true) : null;
  const children: Person[] = [];
  const childCount = rng.weighted([
    [1, 15],
    [2, 30],
    [3, 30],
    [4, 25],
  ]);
  for (let c = 0; c < childCount; c += 1) {
    // The first child is certainly dependent at attachment (aged 14 or under when identified).
    const age = c === 0 ? rng.int(4, 14) : rng.int(0, 17);
    const child = person('child', rng.chance(0.5), bornAged(age), true, false);
    if (age >= 16) child.member.inEducationOrTraining = rng.chance(0.7);
    children.push(child);
  }
  const members = [...adults, ...(absentParent ? [absentParent] : []), ...children].map((p) => p.member);
  history.floor = identified;
  history.floor = history.add({ type: 'IdentifyFamily', familyId, reference, identifiedOn: format(identified), members }, identified, 2) ?? identified;

  const ageAt = (p: Person, day: number): number => ageOn(p.member.dateOfBirth, format(day));
  const academicYearStart = (day: number): number => {
    const y = yearOf(day);
    return day >= dayOf(y, 9, 1) ? y : y - 1;
  };
  /** Compulsory school age in an academic year: 5–15 on the 31 August before it (Years 1–11). */
  const schoolAgeIn = (p: Person, year: number): boolean => {
    const age = ageOn(p.member.dateOfBirth, `${year}-08-31`);
    return age >= 5 && age <= 15;
  };
  const pivotYear = academicYearStart(pivot);
  const pupils = children.filter((c) => schoolAgeIn(c, pivotYear) && schoolAgeIn(c, pivotYear - 1));
  const olderChildren = children.filter((c) => ageAt(c, pivot) >= 10);
  const householdChildren = children.filter((c) => ageAt(c, pivot) <= 17);

  // Headline problems: 2–4 for attached families (1–3 for those never attached).
  const candidates = PROBLEM_WEIGHTS.filter(([p]) => p !== 'education' || pupils.length > 0);
  const wanted =
    attached !== null
      ? rng.weighted([
          [2, 35],
          [3, 40],
          [4, 25],
        ])
      : rng.weighted([
          [1, 40],
          [2, 40],
          [3, 20],
        ]);
  const problems: HeadlineProblem[] = [];
  while (problems.length < wanted && problems.length < candidates.length) {
    const p = rng.weighted(candidates.filter(([c]) => !problems.includes(c)));
    problems.push(p);
  }
  const has = (p: HeadlineProblem): boolean => problems.includes(p);

  // DOMAIN.md 4.1: roughly half the families make significant and sustained progress: every problem
  // at entry is turned around. Otherwise at least one problem persists.
  const progress = attached !== null && rng.chance(0.62);
  const resolves = new Map<HeadlineProblem, boolean>(problems.map((p) => [p, attached !== null && (progress || rng.chance(0.45))]));
  if (attached !== null && !progress && [...resolves.values()].every(Boolean)) resolves.set(rng.pick(problems), false);
  const turnsAround = (p: HeadlineProblem): boolean => resolves.get(p) === true;

  // Who each problem is about.
  const subject = new Map<HeadlineProblem, Person | undefined>();
  const adultFor = (): Person => rng.pick(adults);
  const offender = absentParent && has('crime-asb') && problems.length >= 3 && rng.chance(0.5) ? absentParent : rng.pick([...adults, ...olderChildren]);
  subject.set('crime-asb', offender);
  subject.set('education', pupils.length > 0 ? rng.pick(pupils) : undefined);
  subject.set('children-in-need', rng.pick(householdChildren.length > 0 ? householdChildren : children));
  subject.set('worklessness', adultFor());
  subject.set('domestic-abuse', mainCarer);
  subject.set('health', rng.chance(0.75) ? adultFor() : rng.pick(children));

  const indicators: Record<HeadlineProblem, readonly string[]> = {
    'crime-asb': ['proven offence in the last 12 months', 'anti-social behaviour intervention', 'repeated police call-outs'],
    education: ['attendance below 90% over the last 3 terms', '3+ fixed-term exclusions in 3 terms'],
    'children-in-need': ['child in need', 'child protection plan', 'early-help assessment'],
    worklessness: ['adult on out-of-work benefits', 'problem debt'],
    'domestic-abuse': ['police call-out for domestic abuse', 'MARAC referral'],
    health: ['mental health problem', 'substance misuse', 'long-term physical health problem'],
  };

  // DOMAIN.md 6: consent to sharing is recorded per person (a parent answers for young children);
  // the adults are also asked about the national evaluation.
  const consentOn = rng.int(identified, attached ?? identified + 30);
  for (const p of [...adults, ...(absentParent ? [absentParent] : []), ...children]) {
    const memberId = p.member.memberId;
    const on = p === absentParent ? consentOn + rng.int(0, 60) : consentOn;
    history.add({ type: 'RecordConsent', memberId, purpose: 'sharing', given: p !== absentParent || rng.chance(0.6), on: format(on) }, on, 3);
    history.add({ type: 'RecordConsent', memberId, purpose: 'evaluation', given: rng.chance(0.9), on: format(on) }, on, 3);
  }
  if (attached !== null) {
    // Consent to sharing is confirmed again at the first annual review of the plan; a few withdraw it.
    const review = attached + rng.int(330, 400);
    for (const adult of adults) history.add({ type: 'RecordConsent', memberId: adult.member.memberId, purpose: 'sharing', given: rng.chance(0.95), on: format(review) }, review, 7);
  }

  // Problems are identified between identification and attachment; attachment records after them.
  const attachRecorded = attached !== null ? Math.max(attached + rng.int(0, 3), history.floor) : DATA_ENDS;
  const identifyProblem = (problem: HeadlineProblem, on: number, indicator: string, source: string): void => {
    const member = subject.get(problem);
    history.add({ type: 'IdentifyHeadlineProblem', problem, indicator, ...(member ? { memberId: member.member.memberId } : {}), identifiedOn: format(on), source }, on, 10);
  };
  for (const problem of problems) {
    const list = must(indicators[problem], `indicators of ${problem}`);
    const i = rng.int(0, list.length - 1);
    const indicator = atIndex(list, i, 'indicator');
    const second = rng.chance(0.5) ? list[(i + rng.int(1, list.length - 1)) % list.length] : undefined;
    const on = attached !== null ? rng.int(identified, attached) : rng.int(identified, identified + 60);
    identifyProblem(problem, on, indicator, must(PROBLEM_SOURCE[problem], `source of ${problem}`));
    // DOMAIN.md 2: a problem is often backed by more than one partner's indicator.
    if (second) identifyProblem(problem, attached !== null ? rng.int(identified, attached) : on, second, must(SECOND_SOURCE[problem], `second source of ${problem}`));
  }
  // A problem must be recorded no later than the attachment that counts it.
  if (attached !== null) {
    history.clampBefore('IdentifyHeadlineProblem', attachRecorded);
    history.add({ type: 'AttachFamily', attachedOn: format(attached), keyworker: rng.pick(KEYWORKERS) }, attached, 0, attachRecorded);
    // DOMAIN.md 4.1 (scope at-entry-plus-later): the keyworker sometimes finds another problem later.
    const later = candidates.filter(([p]) => !has(p) && p !== 'education');
    if (later.length > 0 && rng.chance(0.15)) {
      const problem = rng.weighted(later);
      identifyProblem(problem, attached + rng.int(30, 300), rng.pick(must(indicators[problem], `indicators of ${problem}`)), must(PROBLEM_SOURCE[problem], `source of ${problem}`));
    }
  }

  const spread = (from: number, to: number, gapMin: number, gapMax: number): number[] => {
    const days: number[] = [];
    for (let d = from + rng.int(0, gapMax); d <= to; d += rng.int(gapMin, gapMax)) days.push(d);
    return days;
  };

  // ---- crime and anti-social behaviour (police) --------------------------------------------
  const crimeFamily = has('crime-asb');
  if (crimeFamily || rng.chance(0.25)) {
    const who = subject.get('crime-asb') ?? mainCarer;
    const baselineOffences = crimeFamily ? rng.int(1, 3) : 0;
    for (let i = 0; i < baselineOffences; i += 1) {
      const on = pivot - rng.int(7, 175);
      history.add(
        {
          type: 'RecordOffence',
          memberId: who.member.memberId,
          committedOn: format(on),
          proven: i === 0 || rng.chance(0.7),
          category: rng.pick(['theft', 'criminal damage', 'assault', 'public order']),
        },
        on,
        30,
      );
    }
    for (const on of spread(pivot - 180, pivot - 1, crimeFamily ? 20 : 60, crimeFamily ? 70 : 150)) {
      history.add(
        { type: 'RecordAsbIncident', memberId: rng.pick([who, ...olderChildren]).member.memberId, occurredOn: format(on), kind: rng.pick(['noise', 'nuisance', 'intimidation', 'vandalism']) },
        on,
        21,
      );
    }
    if (crimeFamily && attached !== null && !turnsAround('crime-asb')) {
      for (const on of spread(pivot + 20, horizon, 60, 150)) {
        history.add({ type: 'RecordOffence', memberId: who.member.memberId, committedOn: format(on), proven: rng.chance(0.7), category: rng.pick(['theft', 'criminal damage', 'assault']) }, on, 30);
      }
      for (const on of spread(pivot + 20, horizon, 45, 120)) history.add({ type: 'RecordAsbIncident', occurredOn: format(on), kind: 'nuisance' }, on, 21);
    } else if (crimeFamily && rng.chance(0.3)) {
      // One slip soon after attachment; the 6-month windows later are clear.
      const on = pivot + rng.int(5, 60);
      history.add({ type: 'RecordAsbIncident', memberId: who.member.memberId, occurredOn: format(on), kind: 'nuisance' }, on, 21);
    } else if (!crimeFamily) {
      // Neighbour disputes now and then: not a headline problem for this family.
      for (const on of spread(pivot, horizon, 120, 400)) history.add({ type: 'RecordAsbIncident', occurredOn: format(on), kind: 'noise' }, on, 21);
    }
  }

  // ---- school attendance and exclusions (school census, termly) ------------------------------
  const educationChild = subject.get('education');
  for (const child of children) {
    const struggling = has('education') && child === educationChild;
    const improves = struggling && turnsAround('education');
    for (let year = pivotYear - 2; year <= pivotYear + 3; year += 1) {
      if (!schoolAgeIn(child, year)) continue;
      for (const term of ['autumn', 'spring', 'summer'] as const satisfies readonly Term[]) {
        const [starts, ends] = termDays(year, term);
        if (ends < pivot - 15 * 30 || starts > pivot + 27 * 30 || ends > DATA_ENDS) continue;
        const after = ends > pivot + 60;
        // Brothers and sisters of a struggling pupil often miss school too, and improve with them.
        const slips = struggling ? !(after && (improves || rng.chance(0.15))) : has('education') ? !(after && turnsAround('education')) && rng.chance(0.3) : rng.chance(0.08);
        const rate = slips ? (struggling ? rng.between(0.78, 0.885) : rng.between(0.84, 0.895)) : rng.between(0.91, 0.975);
        const possible = term === 'autumn' ? rng.int(138, 148) : term === 'spring' ? rng.int(118, 128) : rng.int(128, 142);
        const attended = Math.round(possible * rate);
        const unauthorised = Math.floor((possible - attended) * rng.between(0.2, 0.8));
        history.add(
          {
            type: 'RecordSchoolAttendance',
            memberId: child.member.memberId,
            academicYear: `${year}/${String((year + 1) % 100).padStart(2, '0')}`,
            term,
            possibleSessions: possible,
            attendedSessions: attended,
            unauthorisedAbsenceSessions: unauthorised,
          },
          ends,
          40,
        );
        // Fixed-term exclusions: before the keyworker's help for a struggling pupil, and for
        // those who keep struggling.
        if (struggling && (!after || !improves) && rng.chance(after ? 0.2 : 0.3)) {
          const on = rng.int(starts, ends);
          history.add({ type: 'RecordExclusion', memberId: child.member.memberId, kind: 'fixed-term', startedOn: format(on), days: rng.int(1, 5) }, on, 14);
        }
      }
    }
  }

  // ---- benefits and work (DWP) --------------------------------------------------------------
  if (has('worklessness')) {
    const claimant = subject.get('worklessness') ?? mainCarer;
    const memberId = claimant.member.memberId;
    const started = pivot - rng.int(30, 900);
    const benefit: Benefit = rng.weighted<Benefit>([
      ['JSA', 30],
      ['ESA', 25],
      ['UC', started >= UC_FROM ? 30 : 0],
      ['IS', 12],
      ['CA', 3],
    ]);
    const fullWorkSearch = benefit === 'UC' ? rng.chance(0.6) : undefined;
    let last: number | null = history.floor;
    const jobEnded = started - rng.int(400, 900);
    const jobStarted = jobEnded - rng.int(90, 1000);
    if (rng.chance(0.5) && jobStarted >= claimant.birth + 17 * YEAR) {
      // An earlier job, then an earlier claim, before the current spell.
      last = history.add({ type: 'RecordEmploymentChange', memberId, change: 'started', on: format(jobStarted), hoursPerWeek: rng.int(16, 40) }, jobStarted, 30, last);
      last = history.add({ type: 'RecordEmploymentChange', memberId, change: 'ended', on: format(jobEnded) }, jobEnded, 30, last ?? undefined);
      const earlier: Benefit = rng.pick(['JSA', 'ESA'] as const);
      const claimStarts = jobEnded + rng.int(1, 30);
      last = history.add({ type: 'RecordBenefitChange', memberId, benefit: earlier, change: 'started', on: format(claimStarts) }, claimStarts, 21, last ?? undefined);
      const claimEnds = started - rng.int(1, 60);
      last = history.add({ type: 'RecordBenefitChange', memberId, benefit: earlier, change: 'ended', on: format(claimEnds) }, claimEnds, 21, last ?? undefined);
    }
    last = history.add(
      { type: 'RecordBenefitChange', memberId, benefit, change: 'started', on: format(started), ...(fullWorkSearch !== undefined ? { fullWorkSearch } : {}) },
      started,
      21,
      last ?? undefined,
    );
    const jobStarts = pivot + rng.int(45, 300);
    const getsWork = attached !== null && (turnsAround('worklessness') || rng.chance(0.4));
    if (last !== null && getsWork && jobStarts <= DATA_ENDS) {
      // DOMAIN.md 4.2: leaves the benefit the day before the job starts.
      last = history.add({ type: 'RecordBenefitChange', memberId, benefit, change: 'ended', on: format(jobStarts - 1) }, jobStarts - 1, 21, last);
      last = history.add({ type: 'RecordEmploymentChange', memberId, change: 'started', on: format(jobStarts), hoursPerWeek: rng.int(16, 37) }, jobStarts, 21, last ?? undefined);
      if (!turnsAround('worklessness') && last !== null) {
        // The job does not last, and the claim starts again.
        const jobEnds = jobStarts + rng.int(20, 80);
        last = history.add({ type: 'RecordEmploymentChange', memberId, change: 'ended', on: format(jobEnds) }, jobEnds, 21, last);
        const back = jobEnds + rng.int(1, 20);
        const again: Benefit = back >= UC_FROM && rng.chance(0.5) ? 'UC' : benefit;
        if (last !== null) history.add({ type: 'RecordBenefitChange', memberId, benefit: again, change: 'started', on: format(back) }, back, 21, last);
      }
    }
    const partner = adults.find((a) => a !== claimant);
    if (partner && rng.chance(0.5)) {
      // The partner claims too (a joint Universal Credit claim, or a carer's or sickness benefit).
      const partnerBenefit: Benefit = benefit === 'UC' ? 'UC' : rng.pick(['ESA', 'IS', 'CA'] as const);
      const from = Math.min(started + rng.int(0, 90), pivot);
      const opened = history.add({ type: 'RecordBenefitChange', memberId: partner.member.memberId, benefit: partnerBenefit, change: 'started', on: format(from) }, from, 21);
      if (opened !== null && getsWork && turnsAround('worklessness') && rng.chance(0.5)) {
        const off = jobStarts + rng.int(0, 60);
        history.add({ type: 'RecordBenefitChange', memberId: partner.member.memberId, benefit: partnerBenefit, change: 'ended', on: format(off) }, off, 21, opened);
      }
    }
  } else if (rng.chance(0.5)) {
    // A working parent: in work since before identification, sometimes changing jobs.
    const memberId = adultFor().member.memberId;
    const on = identified - rng.int(60, 1500);
    let last = history.add({ type: 'RecordEmploymentChange', memberId, change: 'started', on: format(on), hoursPerWeek: rng.int(16, 40) }, on, 30);
    if (last !== null && rng.chance(0.4)) {
      const leaves = pivot + rng.int(30, 500);
      last = history.add({ type: 'RecordEmploymentChange', memberId, change: 'ended', on: format(leaves) }, leaves, 30, last);
      const next = leaves + rng.int(1, 14);
      if (last !== null) history.add({ type: 'RecordEmploymentChange', memberId, change: 'started', on: format(next), hoursPerWeek: rng.int(16, 40) }, next, 30, last);
    }
  }

  // ---- domestic abuse (police) --------------------------------------------------------------
  if (has('domestic-abuse')) {
    const incidents = rng.int(2, 4);
    for (let i = 0; i < incidents; i += 1) {
      const on = pivot - rng.int(3, 300);
      history.add({ type: 'RecordDomesticAbuseIncident', occurredOn: format(on), memberId: mainCarer.member.memberId }, on, 14);
    }
    if (attached !== null && !turnsAround('domestic-abuse')) {
      for (const on of spread(pivot + 30, horizon, 90, 200)) history.add({ type: 'RecordDomesticAbuseIncident', occurredOn: format(on), memberId: mainCarer.member.memberId }, on, 14);
    }
  }

  // ---- health (GP, mental health and substance misuse services) ------------------------------
  if (has('health') || rng.chance(0.25)) {
    const who = has('health') ? (subject.get('health') ?? mainCarer) : rng.pick([...adults, ...children]);
    const concerns = has('health')
      ? rng.weighted([
          [1, 50],
          [2, 35],
          [3, 15],
        ])
      : 1;
    for (let i = 0; i < concerns; i += 1) {
      const concernId = rng.uuid();
      const on = pivot - rng.int(0, 240);
      const description = has('health')
        ? rng.pick(['anxiety and depression', 'alcohol misuse', 'drug misuse', 'long-term condition', 'post-natal depression'])
        : rng.pick(['asthma', 'back pain', 'eczema', 'low mood']);
      const identifiedAt = history.add({ type: 'RecordHealthChange', memberId: who.member.memberId, change: 'identified', on: format(on), concernId, description }, on, 30);
      const resolved = turnsAround('health') || (!has('health') && rng.chance(0.6)) || (i > 0 && rng.chance(0.5));
      if (identifiedAt !== null && resolved) {
        const end = pivot + rng.int(60, 330);
        history.add({ type: 'RecordHealthChange', memberId: who.member.memberId, change: 'resolved', on: format(end), concernId }, end, 30, identifiedAt);
      }
    }
    if (has('health') && attached !== null && !turnsAround('health') && rng.chance(0.5)) {
      const on = pivot + rng.int(200, 500);
      history.add({ type: 'RecordHealthChange', memberId: who.member.memberId, change: 'identified', on: format(on), concernId: rng.uuid(), description: 'relapse' }, on, 30);
    }
  }

  // ---- children's social care: the plan covers every child in the household -------------------
  if (has('children-in-need')) {
    const protection = rng.chance(0.25);
    const on = pivot - rng.int(0, 180);
    const improves = attached !== null && turnsAround('children-in-need');
    const stepDown = pivot + rng.int(60, 120);
    const closes = stepDown + (protection ? rng.int(60, 120) : 0);
    const rereferred = attached !== null && !improves && rng.chance(0.5);
    const down = pivot + rng.int(90, 240);
    const again = down + rng.int(60, 200);
    for (const child of householdChildren.length > 0 ? householdChildren : children) {
      const memberId = child.member.memberId;
      history.add({ type: 'RecordSocialCareStatus', memberId, status: protection ? 'child-protection' : 'child-in-need', on: format(on) }, on, 7);
      if (improves) {
        if (protection) history.add({ type: 'RecordSocialCareStatus', memberId, status: 'child-in-need', on: format(stepDown) }, stepDown, 7);
        history.add({ type: 'RecordSocialCareStatus', memberId, status: 'none', on: format(closes) }, closes, 7);
      } else if (rereferred) {
        // Stepped down, then referred again.
        history.add({ type: 'RecordSocialCareStatus', memberId, status: 'none', on: format(down) }, down, 7);
        history.add({ type: 'RecordSocialCareStatus', memberId, status: 'child-in-need', on: format(again) }, again, 7);
      }
    }
  }

  // ---- a baby born during the work, a rare override, case closure -----------------------------
  if (attached !== null && rng.chance(0.06)) {
    const born = pivot + rng.int(60, 600);
    const baby = { ...person('child', rng.chance(0.5), born, true, false).member, postcode: homePostcode };
    history.add({ type: 'AddFamilyMember', member: baby }, born, 30);
  }
  if (attached !== null && !progress && rng.chance(0.03)) {
    const problem = problems.find((p) => !turnsAround(p)) ?? atIndex(problems, 0, 'problem');
    const on = pivot + rng.int(400, 600);
    history.add({ type: 'RecordOutcomeOverride', problem, reason: 'keyworker evidence of sustained progress not held by partners', on: format(on) }, on, 7, attachRecorded);
  }
  if (attached !== null ? rng.chance(0.65) : rng.chance(0.6)) {
    const closed = attached !== null ? pivot + rng.int(YEAR, 2 * YEAR) : identified + rng.int(30, 200);
    const reason =
      attached === null
        ? rng.pick(['not eligible', 'declined support'])
        : progress
          ? 'family plan completed'
          : rng.pick(['family disengaged', 'moved out of area', 'stepped down to universal services']);
    history.add({ type: 'CloseFamilyCase', closedOn: format(closed), reason }, closed, 14, attachRecorded < DATA_ENDS ? attachRecorded : history.floor);
  }

  return { familyId, reference, commands: history.commands() };
}

/** DOMAIN.md 3: autumn 1 Sep – 31 Dec, spring 1 Jan – 31 Mar, summer 1 Apr – 31 Aug [config]. */
function termDays(year: number, term: Term): [number, number] {
  if (term === 'autumn') return [dayOf(year, 9, 1), dayOf(year, 12, 31)];
  if (term === 'spring') return [dayOf(year + 1, 1, 1), dayOf(year + 1, 3, 31)];
  return [dayOf(year + 1, 4, 1), dayOf(year + 1, 8, 31)];
}
