import {
  type FamilyCommand,
  type FamilyState,
  type ProgrammeState,
  addMonths,
  atIndex,
  dayNumber,
  businessDate,
  decideFamily,
  decideProgramme,
  evolveFamily,
  evolveProgramme,
  initialFamilyState,
  must,
  termStartOn,
} from '@ledger/domain';
import { Random, seedFor } from './random';
import { type SyntheticFamily, generateBorough, generateFamilies } from './synthetic-borough';
import { configuredProgramme } from './recorded-histories';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DATA_ENDS = '2020-03-31';

describe('synthetic borough: a seeded generator of family histories', () => {
  describe('every command is accepted by the family decider, replayed in recording order', () => {
    it.each([1, 2])('300 families of seed %i replay without a single rejection', (seed) => {
      const borough = generateBorough({ families: 300, seed });
      let programme = configuredProgramme(borough.programme, borough.claimWindows);
      let attached = 0;
      for (const family of borough.families) {
        const replayed = replay(family, programme);
        expect(replayed.rejections).toEqual([]);
        programme = replayed.programme;
        if (replayed.state.attachment) attached += 1;
      }
      expect(programme.attachedFamilies.size).toBe(attached);
      expect(attached).toBeLessThanOrEqual(borough.allocation);
    });
  });

  describe('reproducible from the seed', () => {
    it('generates identical boroughs from the same seed', () => {
      expect(generateBorough({ families: 50, seed: 7 })).toEqual(generateBorough({ families: 50, seed: 7 }));
    });

    it('generates different families from different seeds', () => {
      const one = generateBorough({ families: 20, seed: 1 }).families;
      const two = generateBorough({ families: 20, seed: 2 }).families;
      expect(one.map((f) => f.familyId)).not.toEqual(two.map((f) => f.familyId));
      expect(one).not.toEqual(two);
    });

    it('streams the same families a borough holds, resuming at any index', () => {
      const borough = generateBorough({ families: 40, seed: 3 });
      expect([...generateFamilies({ families: 15, seed: 3, startIndex: 20 })]).toEqual(borough.families.slice(20, 35));
    });

    it('never reads the clock or Math.random', () => {
      const random = jest.spyOn(Math, 'random').mockImplementation(() => {
        throw new Error('Math.random called');
      });
      const now = jest.spyOn(Date, 'now').mockImplementation(() => {
        throw new Error('Date.now called');
      });
      try {
        expect(() => generateBorough({ families: 30, seed: 11 })).not.toThrow();
      } finally {
        random.mockRestore();
        now.mockRestore();
      }
    });

    it('draws version-4-shaped UUIDs from the seeded generator', () => {
      const rng = new Random(seedFor(1, 0));
      const ids = Array.from({ length: 1000 }, () => rng.uuid());
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('plainly synthetic and labelled', () => {
    const borough = generateBorough({ families: 200, seed: 1 });

    it('names the council as demo data and sets up phase two with headroom and claim windows', () => {
      expect(borough.councilName).toBe('Synthetic Borough (demo data)');
      expect(borough.programme).toEqual({
        type: 'ConfigureProgramme',
        councilName: 'Synthetic Borough (demo data)',
        framework: 'troubled-families-2015',
        allocation: 240,
        attachmentFeeBasis: 'actual',
      });
      expect(borough.claimWindows.length).toBeGreaterThanOrEqual(4);
      for (const w of borough.claimWindows) {
        expect(w.opensOn <= w.closesOn && w.closesOn <= w.expectedPaymentOn).toBe(true);
        expect(w.opensOn >= '2016-01-01' && w.expectedPaymentOn <= '2020-12-31').toBe(true);
      }
      expect(generateBorough({ families: 1, seed: 1, councilName: 'Demo Shire (synthetic)' }).programme.councilName).toBe('Demo Shire (synthetic)');
    });

    it('uses SYN references, ZZ postcodes, QQ National Insurance numbers and 999 NHS numbers', () => {
      const references = new Set<string>();
      const wrong: string[] = [];
      const check = (value: string | undefined, pattern: RegExp, what: string): void => {
        if (value !== undefined && !pattern.test(value)) wrong.push(`${what}: ${value}`);
      };
      for (const family of borough.families) {
        check(family.familyId, UUID, 'familyId');
        check(family.reference, /^SYN-\d{6}$/, 'reference');
        references.add(family.reference);
        for (const member of membersOf(family)) {
          check(member.memberId, UUID, 'memberId');
          check(member.postcode, /^ZZ\d \d[A-Z]{2}$/, 'postcode');
          check(member.nationalInsuranceNumber, /^QQ\d{6}[A-D]$/, 'NI number');
          check(member.nhsNumber, /^999\d{7}$/, 'NHS number');
        }
        for (const { command } of family.commands) if (command.type === 'RecordHealthChange') check(command.concernId, UUID, 'concernId');
      }
      expect(wrong).toEqual([]);
      expect(references.size).toBe(borough.families.length);
      expect(borough.families[122]?.reference).toBe('SYN-000123');
    });
  });

  describe('histories that look like the programme (DOMAIN.md 2, 3, 7)', () => {
    const families = [...generateFamilies({ families: 1000, seed: 5 })];

    it('records in order, no later than March 2020, starting with the identification', () => {
      const wrong: string[] = [];
      for (const family of families) {
        if (family.commands[0]?.command.type !== 'IdentifyFamily') wrong.push(`${family.reference} starts with ${family.commands[0]?.command.type}`);
        for (let i = 1; i < family.commands.length; i += 1) {
          if (atIndex(family.commands, i - 1).recordedOn > atIndex(family.commands, i).recordedOn) wrong.push(`${family.reference} #${i} recorded out of order`);
        }
        if (atIndex(family.commands, family.commands.length - 1).recordedOn > DATA_ENDS) wrong.push(`${family.reference} recorded after March 2020`);
      }
      expect(wrong).toEqual([]);
    });

    it('identifies families from April 2015 to June 2019 and attaches about 85% of them within 90 days', () => {
      let attachedCount = 0;
      for (const family of families) {
        const identify = first(family, 'IdentifyFamily');
        expect(identify.identifiedOn >= '2015-04-01' && identify.identifiedOn <= '2019-06-30').toBe(true);
        const attach = family.commands.find((c) => c.command.type === 'AttachFamily')?.command as Extract<FamilyCommand, { type: 'AttachFamily' }> | undefined;
        if (!attach) continue;
        attachedCount += 1;
        expect(days(identify.identifiedOn, attach.attachedOn)).toBeLessThanOrEqual(90);
        expect(attach.keyworker).toMatch(/^kw\.[a-z]+$/);
      }
      expect(attachedCount / families.length).toBeGreaterThan(0.8);
      expect(attachedCount / families.length).toBeLessThan(0.9);
    });

    it('records termly attendance between 78% and 98% with absences that fit the sessions missed', () => {
      let records = 0;
      const wrong: string[] = [];
      for (const family of families) {
        for (const { command, recordedOn } of family.commands) {
          if (command.type !== 'RecordSchoolAttendance') continue;
          records += 1;
          const { possibleSessions: possible, attendedSessions: attended, unauthorisedAbsenceSessions: unauthorised } = command;
          const rate = attended / possible;
          const fits = rate >= 0.77 && rate <= 0.99 && possible >= 110 && possible <= 150 && unauthorised <= possible - attended;
          if (!fits || recordedOn < termStartOn(command.academicYear, command.term)) wrong.push(`${family.reference} ${JSON.stringify(command)} on ${recordedOn}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(records / families.length).toBeGreaterThan(5);
    });

    it('averages 45–100 commands a family', () => {
      const mean = families.reduce((sum, f) => sum + f.commands.length, 0) / families.length;
      expect(mean).toBeGreaterThanOrEqual(45);
      expect(mean).toBeLessThanOrEqual(100);
    });

    it('has about half of the attached families achieving significant and sustained progress 18 months on', () => {
      let judged = 0;
      let achieved = 0;
      for (const family of families) {
        const attach = family.commands.find((c) => c.command.type === 'AttachFamily')?.command as Extract<FamilyCommand, { type: 'AttachFamily' }> | undefined;
        if (!attach) continue;
        const asOf = addMonths(businessDate(attach.attachedOn), 18);
        if (asOf > DATA_ENDS) continue;
        judged += 1;
        if (significantAndSustainedProgress(family, attach.attachedOn, asOf)) achieved += 1;
      }
      expect(judged).toBeGreaterThan(500);
      expect(achieved / judged).toBeGreaterThan(0.45);
      expect(achieved / judged).toBeLessThan(0.8);
    });

    it('has some adults leaving out-of-work benefits for work that lasts 26 weeks (continuous employment)', () => {
      const lasting = families.filter((family) => {
        const ended = family.commands.some((c) => c.command.type === 'RecordBenefitChange' && c.command.change === 'ended');
        const starts = family.commands.filter((c) => c.command.type === 'RecordEmploymentChange' && c.command.change === 'started');
        const stops = family.commands.some((c) => c.command.type === 'RecordEmploymentChange' && c.command.change === 'ended');
        return ended && !stops && starts.some((c) => c.command.type === 'RecordEmploymentChange' && days(c.command.on, DATA_ENDS) >= 26 * 7);
      });
      expect(lasting.length / families.length).toBeGreaterThan(0.1);
    });

    it('closes some cases 12–24 months after attachment', () => {
      let closed = 0;
      for (const family of families) {
        const attach = family.commands.find((c) => c.command.type === 'AttachFamily')?.command as Extract<FamilyCommand, { type: 'AttachFamily' }> | undefined;
        const close = family.commands.find((c) => c.command.type === 'CloseFamilyCase')?.command as Extract<FamilyCommand, { type: 'CloseFamilyCase' }> | undefined;
        if (!attach || !close) continue;
        closed += 1;
        const after = days(attach.attachedOn, close.closedOn);
        expect(after).toBeGreaterThanOrEqual(365);
        expect(after).toBeLessThanOrEqual(730);
      }
      expect(closed).toBeGreaterThan(200);
    });
  });

  describe('at national scale', () => {
    // Its speed is measured by the benchmark suite, not asserted here.
    it('generates a council of 3,000 families with realistic volumes of evidence', () => {
      let commands = 0;
      for (const family of generateFamilies({ families: 3000, seed: 9 })) commands += family.commands.length;
      expect(commands).toBeGreaterThan(3000 * 45);
    });

    it('streams 400,000 families lazily: nothing is generated before it is asked for', () => {
      const national = generateFamilies({ families: 400_000, seed: 1 });
      const firstTwo = [national.next().value, national.next().value] as SyntheticFamily[];
      expect(firstTwo.map((f) => f.reference)).toEqual(['SYN-000001', 'SYN-000002']);
      const last = generateFamilies({ families: 1, seed: 1, startIndex: 399_999 }).next().value as SyntheticFamily;
      expect(last.reference).toBe('SYN-400000');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Fixtures: replay through the real deciders, and a plain reading of the default Outcome Plan.

function replay(family: SyntheticFamily, programmeBefore: ProgrammeState): { rejections: string[]; state: FamilyState; programme: ProgrammeState } {
  let state = initialFamilyState();
  let programme = programmeBefore;
  const rejections: string[] = [];
  family.commands.forEach(({ command, recordedOn }, index) => {
    if (command.type === 'AttachFamily') {
      const place = decideProgramme({ type: 'TakeAllocationPlace', familyId: family.familyId, attachedOn: command.attachedOn }, programme);
      if (!place.ok) rejections.push(`${family.reference} #${index} TakeAllocationPlace: ${place.rejection.reason}`);
      else for (const event of place.events) programme = evolveProgramme(programme, event);
    }
    const decision = decideFamily(command, state, { recordedOn, actorId: 'demo', programme, programmeStartsOn: '2015-04-01' });
    if (!decision.ok) {
      rejections.push(`${family.reference} #${index} ${command.type} on ${recordedOn}: ${decision.rejection.reason} (${decision.rejection.message})`);
      return;
    }
    decision.events.forEach((event, n) => {
      state = evolveFamily(state, event, `${family.familyId}-${index}-${n}`);
    });
  });
  return { rejections, state, programme };
}

type Of<T extends FamilyCommand['type']> = Extract<FamilyCommand, { type: T }>;

function commandsOf<T extends FamilyCommand['type']>(family: SyntheticFamily, type: T): Of<T>[] {
  return family.commands.map((c) => c.command).filter((c): c is Of<T> => c.type === type);
}

function first<T extends FamilyCommand['type']>(family: SyntheticFamily, type: T): Of<T> {
  return atIndex(commandsOf(family, type), 0, type);
}

function membersOf(family: SyntheticFamily) {
  return [...first(family, 'IdentifyFamily').members, ...commandsOf(family, 'AddFamilyMember').map((c) => c.member)];
}

function days(from: string, to: string): number {
  return dayNumber(businessDate(to)) - dayNumber(businessDate(from));
}

/** `date` in the window of `months` months ending at `end`: (end − months, end]. */
function within(date: string, end: string, months: number): boolean {
  return date > addMonths(businessDate(end), -months) && date <= end;
}

/** DOMAIN.md 3: the terms (autumn, spring, summer) that ended before `asOf`, oldest first. */
function termsEndedBefore(asOf: string): { academicYear: string; term: 'autumn' | 'spring' | 'summer'; starts: string; ends: string }[] {
  const terms = [];
  for (let year = 2013; year <= 2020; year += 1) {
    const academicYear = `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
    for (const [term, ends] of [
      ['autumn', `${year}-12-31`],
      ['spring', `${year + 1}-03-31`],
      ['summer', `${year + 1}-08-31`],
    ] as const) {
      if (ends < asOf) terms.push({ academicYear, term, starts: termStartOn(academicYear, term), ends });
    }
  }
  return terms;
}

/**
 * The default Outcome Plan (DOMAIN.md 4.1) read plainly from the commands, for the problems at
 * entry: enough to show the generator tells stories of progress and of problems that persist.
 */
function significantAndSustainedProgress(family: SyntheticFamily, attachedOn: string, asOf: string): boolean {
  const problems = new Set(
    commandsOf(family, 'IdentifyHeadlineProblem')
      .filter((p) => p.identifiedOn <= attachedOn)
      .map((p) => p.problem),
  );
  const tests: Record<string, () => boolean> = {
    'crime-asb': () => {
      const offences = commandsOf(family, 'RecordOffence').filter((o) => o.proven);
      const asb = commandsOf(family, 'RecordAsbIncident');
      const fewer = (before: number, now: number, reduction: number): boolean => (before === 0 ? now === 0 : now <= before * (1 - reduction));
      return (
        fewer(offences.filter((o) => within(o.committedOn, attachedOn, 6)).length, offences.filter((o) => within(o.committedOn, asOf, 6)).length, 0.33) &&
        fewer(asb.filter((a) => within(a.occurredOn, attachedOn, 6)).length, asb.filter((a) => within(a.occurredOn, asOf, 6)).length, 0.6)
      );
    },
    education: () => {
      const records = commandsOf(family, 'RecordSchoolAttendance');
      const exclusions = commandsOf(family, 'RecordExclusion');
      // The last 3 terms of the calendar that ended before the as-of date, all since attachment.
      const ended = termsEndedBefore(asOf).slice(-3);
      if (ended.length < 3 || atIndex(ended, 0).ends < attachedOn) return false;
      for (const child of new Set(records.map((r) => r.memberId))) {
        const inWindow = records.filter((r) => r.memberId === child && ended.some((t) => t.academicYear === r.academicYear && t.term === r.term));
        if (inWindow.some((r) => r.attendedSessions / r.possibleSessions < 0.9)) return false;
        const excluded = exclusions.filter((e) => e.memberId === child && e.startedOn >= atIndex(ended, 0).starts && e.startedOn <= atIndex(ended, 2).ends);
        if (excluded.some((e) => e.kind === 'permanent') || excluded.length >= 3) return false;
      }
      return true;
    },
    'children-in-need': () => {
      const changes = commandsOf(family, 'RecordSocialCareStatus').filter((c) => c.on <= asOf);
      const latest = new Map<string, string>();
      for (const c of [...changes].sort((a, b) => (a.on < b.on ? -1 : 1))) latest.set(c.memberId, c.status);
      if ([...latest.values()].some((s) => s !== 'none')) return false;
      return !changes.some((c) => c.status !== 'none' && within(c.on, asOf, 6));
    },
    worklessness: () => {
      const jobs = commandsOf(family, 'RecordEmploymentChange');
      const benefits = commandsOf(family, 'RecordBenefitChange');
      const claimants = new Set(benefits.map((b) => b.memberId));
      return [...claimants].some((memberId) => {
        const starts = jobs.filter((j) => j.memberId === memberId && j.change === 'started' && j.on <= asOf);
        const current = starts[starts.length - 1];
        if (!current || days(current.on, asOf) < 13 * 7) return false;
        return !jobs.some((j) => j.memberId === memberId && j.change === 'ended' && j.on >= current.on && j.on <= asOf);
      });
    },
    'domestic-abuse': () => !commandsOf(family, 'RecordDomesticAbuseIncident').some((i) => within(i.occurredOn, asOf, 6)),
    health: () => {
      const changes = commandsOf(family, 'RecordHealthChange').filter((c) => c.on <= asOf);
      const resolved = new Set(changes.filter((c) => c.change === 'resolved').map((c) => c.concernId));
      const identified = changes.filter((c) => c.change === 'identified');
      return identified.every((c) => resolved.has(c.concernId)) && !identified.some((c) => within(c.on, asOf, 6));
    },
  };
  return [...problems].every((problem) => must(tests[problem], problem)());
}
