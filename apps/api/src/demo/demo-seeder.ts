import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { CommandBus } from '@nestjs/cqrs';
import type { LedgerConfig } from '@ledger/config';
import { type FamilyCommand, type ProgrammeCommand, type Rejection, accept, decodeUserEvent, evolveUser, initialUserState, streams } from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, LEDGER_CONFIG, handleCommand, uuidV5 } from '@ledger/event-store';
import { generateBorough } from '@ledger/synthetic';
import { RecordFamilyCommand } from '../families/family-commands';
import { appendPrivacyRecord, registerStream, registerUser, RecordProgrammeCommand, CLOCK, type Clock, type Recording, derivedId } from '@ledger/application';
import { fold } from '../privacy/partner-agreements';

const DEMO_NAMESPACE = '3c9f6a0e-5d1b-4e7a-9f21-8b4d6c2e0a57';
/** The demo users' password: for the labelled synthetic borough only. */
export const DEMO_PASSWORD = 'demo-borough-only';
/** One demo user per role (the quick start's). */
const DEMO_USERS = [
  ['demo.admin', 'admin'],
  ['demo.pm', 'programme-manager'],
  ['demo.finance', 'finance-officer'],
  ['demo.auditor', 'auditor'],
  ['demo.analyst', 'analyst'],
] as const;
/**
 * Issue 20.5: a partner user per partner kind, so a newcomer can see each partner's view (they
 * record, and read nothing back). The demo borough's keyworkers (`kw.*`, below) are its keyworker users.
 */
const DEMO_PARTNERS = [
  ['demo.police', 'police'],
  ['demo.school', 'school'],
  ['demo.dwp', 'dwp'],
  ['demo.health', 'health'],
] as const;
/**
 * Issue 23.1: the demo borough's partner organisations (its demo partner users' organisations),
 * registered with an information-sharing agreement in force, so their users share within one
 * (a partner not registered has no access). Synthetic agreements, from the programme's start.
 */
const DEMO_PARTNER_ORGANISATIONS = [
  { organisation: 'police', name: 'Synthetic Borough Police', kind: 'police', reference: 'ISA-DEMO-POLICE', gateways: ['cda-1998-s115', 'dpa-2018'], shares: ['crime'], receives: ['family-details'] },
  {
    organisation: 'school',
    name: 'Synthetic Borough Schools',
    kind: 'school',
    reference: 'ISA-DEMO-SCHOOLS',
    gateways: ['children-act-2004', 'children-act-1989', 'dpa-2018'],
    shares: ['education'],
    receives: ['family-details'],
  },
  {
    organisation: 'dwp',
    name: 'Synthetic Borough Jobcentre Plus',
    kind: 'dwp-jobcentre-plus',
    reference: 'ISA-DEMO-DWP',
    gateways: ['wra-2012', 'dpa-2018'],
    shares: ['benefits-employment'],
    receives: ['family-details'],
  },
  {
    organisation: 'health',
    name: 'Synthetic Borough Public Health',
    kind: 'health',
    reference: 'ISA-DEMO-HEALTH',
    gateways: ['children-act-2004', 'dpa-2018'],
    shares: ['health'],
    receives: ['family-details'],
  },
] as const;
/** The demo agreements' term: from the programme's start, long enough for any demo. */
const DEMO_AGREEMENT_TERM = { startsOn: '2015-04-01', endsOn: '2040-03-31' } as const;
const DEMO_USERNAMES: readonly string[] = [...DEMO_USERS.map(([u]) => u), ...DEMO_PARTNERS.map(([u]) => u)];

type SeedEvent = { type: 'DemoSeedStarted' | 'DemoSeedCompleted'; data: { seed: number; families: number } };

export interface SeedReport {
  seeded: boolean;
  families: number;
  commands: number;
  refused: number;
}

/**
 * Seeds an empty store with the synthetic demo borough through the real command handlers, as if
 * its staff had recorded each fact on the day given (the histories run from 2015 to 2020).
 * Deterministic from the seed: command ids derive from it, so a seeding interrupted by a restart
 * resumes where it stopped without recording anything twice.
 */
@Injectable()
export class DemoSeeder implements BeforeApplicationShutdown, OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');
  private stopping = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Issue 16.11: at every start, a warning while any demo user's published password still works. */
  async onApplicationBootstrap(): Promise<void> {
    const working: string[] = [];
    for (const username of DEMO_USERNAMES) {
      let user = initialUserState();
      for (const e of (await this.store.readStream(streams.user(username))).events) user = evolveUser(user, decodeUserEvent(e));
      if (user.exists && user.active && (await bcrypt.compare(DEMO_PASSWORD, user.passwordHash))) working.push(username);
    }
    if (working.length > 0) {
      this.logger.warn(
        `the published demo password still works for ${working.join(', ')}: fine for the synthetic borough, never on a store with real data (deactivate them: npm run cli -- users deactivate <username>)`,
      );
    }
  }

  /** Shutting down stops seeding after the command in hand; a restart resumes where it stopped. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running.catch(() => undefined);
  }

  seedIfEmpty(): Promise<SeedReport> {
    const run = this.seed();
    this.running = run;
    return run;
  }

  private async seed(): Promise<SeedReport> {
    const { demoSeed: seed, demoFamilies: families } = this.config;
    const markerStream = `demoSeed-${this.config.councilId}`;
    const marker = await this.store.readStream(markerStream);
    const completed = marker.events.some((e) => e.type === 'DemoSeedCompleted');
    if (completed) {
      // A demo store seeded before partners needed an agreement (issue 23.1) gets its partners registered now.
      await this.addDemoPartnerOrganisations(seed);
      return { seeded: false, families: 0, commands: 0, refused: 0 };
    }
    if (marker.version === 0) {
      // Users (a bootstrap admin) do not make a store non-empty; programme data does.
      const anything = await this.store.readAll({ limit: 1, filter: { categories: ['programme', 'family', 'outcomePlan', 'claim'] } });
      if (anything.events.length > 0) return { seeded: false, families: 0, commands: 0, refused: 0 };
      await this.mark(markerStream, 'DemoSeedStarted', seed, families);
      if (this.config.demoUsers) await this.addDemoUsers();
      else this.logger.log('demo users not created on PostgreSQL (their password is published): LEDGER_DEMO_USERS=on creates them');
    }

    const borough = generateBorough({ families, seed });
    this.logger.log(`seeding the demo borough "${borough.councilName}": ${borough.families.length} synthetic families (seed ${seed})`);
    await this.addDemoKeyworkers(borough.families.flatMap((f) => f.commands.map((s) => s.command)));
    await this.addDemoPartnerOrganisations(seed);
    let commands = 0;
    let refused = 0;
    const run = async (outcome: Promise<CommandOutcome<Rejection>>, what: string): Promise<void> => {
      const result = await outcome;
      commands += 1;
      if (result.kind !== 'recorded') {
        refused += 1;
        this.logger.warn(`demo command refused (${what}): ${result.kind === 'rejected' ? result.rejection.reason : 'version conflict'}`);
      }
    };

    const setUp: ProgrammeCommand[] = [borough.programme, ...borough.claimWindows];
    for (const [i, command] of setUp.entries()) {
      await run(this.commands.execute(new RecordProgrammeCommand(command, this.recording(seed, `programme:${i}`, '2015-04-01'))), command.type);
    }
    let done = 0;
    for (const family of borough.families) {
      if (this.stopping) {
        this.logger.log(`demo seeding paused at ${done} of ${borough.families.length} families; it resumes on the next start`);
        return { seeded: false, families: done, commands, refused };
      }
      for (const [i, step] of family.commands.entries()) {
        const command: FamilyCommand = step.command;
        await run(this.commands.execute(new RecordFamilyCommand(family.familyId, command, this.recording(seed, `${family.familyId}:${i}`, step.recordedOn))), command.type);
      }
      done += 1;
      // The embedded database does no I/O, so its promises resolve as microtasks: yield to the
      // event loop between families or HTTP requests would wait for the whole seeding.
      await new Promise((resolve) => setImmediate(resolve));
      if (done % 50 === 0 || done === borough.families.length) this.logger.log(`demo borough: ${done} of ${borough.families.length} families recorded`);
    }
    await this.mark(markerStream, 'DemoSeedCompleted', seed, families);
    return { seeded: true, families: borough.families.length, commands, refused };
  }

  /** A recording made on a past day by the demo's own user, with a command id from the seed. */
  private recording(seed: number, key: string, recordedOn: string): Recording {
    const commandId = uuidV5(`${seed}\n${key}`, DEMO_NAMESPACE);
    return {
      keyed: true,
      recordedOn,
      envelope: { commandId, correlationId: commandId, actor: { userId: 'demo-seed', role: 'system' }, recordedAt: `${recordedOn}T12:00:00.000Z` },
    };
  }

  /**
   * Demo users, one per role, so the two-command quick start can sign in and look around. Only on
   * a store being seeded with the labelled synthetic borough (never on real data), and on
   * PostgreSQL only with LEDGER_DEMO_USERS=on (issue 16.11); the password is printed in the log and
   * must never be used anywhere else.
   */
  private async addDemoUsers(): Promise<void> {
    const users = DEMO_USERS;
    for (const [username, role] of users) {
      await registerUser(this.store, this.clock, { username, password: DEMO_PASSWORD, role }, { userId: 'demo-seed', role: 'admin' }, this.config.passwordHashCost);
    }
    for (const [username, organisation] of DEMO_PARTNERS) {
      await registerUser(this.store, this.clock, { username, password: DEMO_PASSWORD, role: 'partner', organisation }, { userId: 'demo-seed', role: 'admin' }, this.config.passwordHashCost);
    }
    this.logger.log(
      `demo users (synthetic data only): ${[...users.map(([u, r]) => `${u} (${r})`), ...DEMO_PARTNERS.map(([u, o]) => `${u} (partner, ${o})`)].join(', ')}; keyworkers kw.*; password "${DEMO_PASSWORD}"`,
    );
  }

  /**
   * Issue 17.5: a family is attached to a keyworker user on record, so the keyworkers the synthetic
   * borough names are registered first (again on a resumed seeding: one already on record is kept).
   */
  private async addDemoKeyworkers(commands: FamilyCommand[]): Promise<void> {
    const names = new Set(commands.flatMap((c) => (c.type === 'AttachFamily' ? [c.keyworker] : [])));
    for (const username of [...names].sort()) {
      const existing = await this.store.readStream(streams.user(username));
      if (existing.version > 0) continue;
      await registerUser(this.store, this.clock, { username, password: DEMO_PASSWORD, role: 'keyworker' }, { userId: 'demo-seed', role: 'admin' }, this.config.passwordHashCost);
    }
  }

  /**
   * Issue 23.1: the demo partner organisations and their agreements, each once (again on a resumed
   * seeding: one already on record is kept; the event ids derive from the seed).
   */
  private async addDemoPartnerOrganisations(seed: number): Promise<void> {
    const stream = registerStream('partnerOrganisation');
    for (const p of DEMO_PARTNER_ORGANISATIONS) {
      const on = DEMO_AGREEMENT_TERM.startsOn;
      if (fold((await this.store.readStream(stream)).events, p.organisation) === null) {
        await appendPrivacyRecord(
          this.store,
          stream,
          'PartnerOrganisationRegistered',
          { organisation: p.organisation, name: p.name, kind: p.kind },
          this.recording(seed, `partner:${p.organisation}`, on),
        );
      }
      if ((fold((await this.store.readStream(stream)).events, p.organisation)?.agreements.length ?? 0) === 0) {
        const recording = this.recording(seed, `agreement:${p.organisation}`, on);
        const agreementId = derivedId(recording.envelope.commandId, 'sharingAgreement');
        const agreement = { organisation: p.organisation, agreementId, reference: p.reference, ...DEMO_AGREEMENT_TERM, gateways: [...p.gateways], shares: [...p.shares], receives: [...p.receives] };
        await appendPrivacyRecord(this.store, stream, 'SharingAgreementRecorded', agreement, recording);
      }
    }
  }

  private async mark(streamId: string, type: SeedEvent['type'], seed: number, families: number): Promise<void> {
    const commandId = uuidV5(`${seed}\n${type}`, DEMO_NAMESPACE);
    await handleCommand(
      this.store,
      streamId,
      { initialState: () => null, evolve: () => null, decide: () => accept<SeedEvent>({ type, data: { seed, families } }), decode: (e) => ({ type: e.type, data: e.data }) as SeedEvent },
      undefined,
      undefined,
      { commandId, correlationId: commandId, actor: { userId: 'demo-seed', role: 'system' }, recordedAt: '2015-04-01T12:00:00.000Z' },
    );
  }
}
