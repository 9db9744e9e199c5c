import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcryptjs';
import type { LedgerConfig } from '@ledger/config';
import { type Rejection, type UserEvent, type UserRole, type UserState, decideUser, evolveUser, initialUserState } from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, LEDGER_CONFIG, handleCommand } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../http/recording';
import type { Actor } from './actor';

const LOCKOUT = { afterFailures: 5, minutes: 15 };
const BCRYPT_COST = 10;

/**
 * Sign-in with hashed passwords (bcrypt) and short-lived JWT bearer tokens. Users are event
 * streams (`user-<username>`), so registrations, failed sign-ins and lock-outs are audited like
 * everything else. Replaceable by the council's OIDC provider: `verify` is the one place that turns
 * a bearer token into an Actor (see README "Sign-in").
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly jwt: JwtService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** LEDGER_BOOTSTRAP_ADMIN creates the first admin on a store with no users. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    const anyUser = await this.store.readAll({ limit: 1, filter: { categories: ['user'] } });
    if (anyUser.events.length > 0) return;
    const outcome = await this.register({ username: admin.username, password: admin.password, role: 'admin' }, { userId: 'bootstrap', role: 'admin' });
    if (outcome.kind === 'recorded') this.logger.log(`created the first admin, ${admin.username}`);
  }

  register(user: NewUser, by: Actor): Promise<CommandOutcome<Rejection>> {
    return registerUser(this.store, this.clock, user, by);
  }

  /** Checks the password, records the attempt (locking out after repeated failures), issues a token. */
  async signIn(username: string, password: string): Promise<{ accessToken: string; expiresIn: number; role: UserRole } | { refused: 'SignInRefused' | 'LockedOut'; message: string }> {
    const user = await this.load(username);
    const matched = user.exists ? await bcrypt.compare(password, user.passwordHash) : false;
    const now = this.clock.now();
    const untilAt = new Date(now.getTime() + LOCKOUT.minutes * 60_000).toISOString();
    const outcome = await this.run(username, { userId: username, role: user.role ?? 'unauthenticated' }, (state) =>
      decideUser({ type: 'RecordSignIn', passwordMatched: matched, at: now.toISOString(), lockout: { afterFailures: LOCKOUT.afterFailures, untilAt } }, state),
    );
    if (outcome.kind === 'rejected' && outcome.rejection.reason === 'LockedOut') return { refused: 'LockedOut', message: outcome.rejection.message };
    if (!matched || !user.role || outcome.kind !== 'recorded') return { refused: 'SignInRefused', message: 'unknown username or wrong password' };
    const expiresIn = this.config.tokenMinutes * 60;
    const accessToken = await this.jwt.signAsync({ sub: username, role: user.role, ...(user.organisation ? { org: user.organisation } : {}) }, { expiresIn });
    return { accessToken, expiresIn, role: user.role };
  }

  /** The actor a bearer token stands for, or null when it is invalid or expired. */
  async verify(token: string): Promise<Actor | null> {
    try {
      const claims = await this.jwt.verifyAsync<{ sub: string; role: UserRole; org?: string }>(token);
      return { userId: claims.sub, role: claims.role, ...(claims.org ? { organisation: claims.org } : {}) };
    } catch {
      return null;
    }
  }

  /** A new access token for a user already signed in (the web app's silent refresh), or null when they are no longer a user. */
  async tokenFor(username: string): Promise<{ accessToken: string; expiresIn: number; role: UserRole } | null> {
    const user = await this.load(username);
    if (!user.exists || !user.role) return null;
    const expiresIn = this.config.tokenMinutes * 60;
    const accessToken = await this.jwt.signAsync({ sub: username, role: user.role, ...(user.organisation ? { org: user.organisation } : {}) }, { expiresIn });
    return { accessToken, expiresIn, role: user.role };
  }

  list(): Promise<UserSummary[]> {
    return listUsers(this.store);
  }

  private async load(username: string): Promise<UserState> {
    let state = initialUserState();
    for (const e of (await this.store.readStream(`user-${username}`)).events) state = evolveUser(state, { type: e.type, data: e.data } as unknown as UserEvent);
    return state;
  }

  private run(username: string, by: Actor, decide: (state: UserState) => ReturnType<typeof decideUser>): Promise<CommandOutcome<Rejection>> {
    return runUserCommand(this.store, this.clock, username, by, decide);
  }
}

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
  organisation?: string;
}

export interface UserSummary {
  username: string;
  role: UserRole | null;
  organisation?: string;
  lockedUntil: string | null;
}

/** Registers a user with a bcrypt hash of their password (the API's admins and `cli users add`). */
export async function registerUser(store: EventStore, clock: Clock, user: NewUser, by: Actor): Promise<CommandOutcome<Rejection>> {
  const passwordHash = await bcrypt.hash(user.password, BCRYPT_COST);
  return runUserCommand(store, clock, user.username, by, (state) =>
    decideUser({ type: 'RegisterUser', username: user.username, passwordHash, role: user.role, organisation: user.organisation, registeredBy: by.userId }, state),
  );
}

/** Every user, their role and any lock-out, by username. */
export async function listUsers(store: EventStore): Promise<UserSummary[]> {
  const users = new Map<string, UserState>();
  for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ; ) {
    const read = await store.readAll({ after, limit: 1_000, filter: { categories: ['user'] } });
    for (const e of read.events) users.set(e.streamId, evolveUser(users.get(e.streamId) ?? initialUserState(), { type: e.type, data: e.data } as unknown as UserEvent));
    after = read.next;
    if (read.endOfLog) break;
  }
  return [...users.values()]
    .filter((u) => u.exists)
    .map((u) => ({ username: u.username, role: u.role, ...(u.organisation ? { organisation: u.organisation } : {}), lockedUntil: u.lockedUntil }))
    .sort((a, b) => (a.username < b.username ? -1 : 1));
}

function runUserCommand(store: EventStore, clock: Clock, username: string, by: Actor, decide: (state: UserState) => ReturnType<typeof decideUser>): Promise<CommandOutcome<Rejection>> {
  const commandId = randomUUID();
  return handleCommand(store, `user-${username}`, { initial: initialUserState, evolve: (s, e: UserEvent) => evolveUser(s, e), decide }, {
    commandId,
    correlationId: commandId,
    actor: by,
    recordedAt: clock.now().toISOString(),
  });
}
