import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcryptjs';
import type { LedgerConfig } from '@ledger/config';
import {
  type Rejection,
  type ServiceAccountCommand,
  type ServiceAccountRole,
  type ServiceAccountState,
  type UserCommand,
  type UserRole,
  type UserState,
  decodeServiceAccountEvent,
  decodeUserEvent,
  evolveServiceAccount,
  evolveUser,
  foldStored,
  initialServiceAccountState,
  initialUserState,
  serviceAccountDecider,
  streams,
  userDecider,
} from '@ledger/domain';
import { type CommandOutcome, EVENT_STORE, type EventStore, LEDGER_CONFIG, handleCommand } from '@ledger/event-store';
import { UserQueries } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../recording';
import type { Actor } from '../actor';

/**
 * A user is locked out after this many failed sign-ins within `minutes` (issue 16.2). It is twice
 * what one client address may fail in that time before the address is refused (`SignInThrottle`),
 * so no single outsider can lock anyone out.
 */
export const LOCKOUT = { afterFailures: 10, minutes: 15 };
/** bcrypt's cost when none is configured (LEDGER_PASSWORD_HASH_COST). */
export const DEFAULT_PASSWORD_HASH_COST = 10;
/** How long a user's state read for a token is trusted before the stream's tail is read again. */
const USER_CHECK_MS = 1_000;
/** What a service account's token is for, in its `typ` claim; people's tokens have none. */
const SERVICE_TOKEN = 'service';
/** The actor id of a service account: a prefix no username can have (usernames have no colon). */
export const SERVICE_ACTOR_PREFIX = 'service:';

/** A bearer token just issued. */
export interface IssuedToken {
  accessToken: string;
  /** Seconds until it expires. */
  expiresIn: number;
  role: UserRole;
}

export type SignInResult = IssuedToken | { refused: 'SignInRefused'; message: string };

/** What a person's token carries: who, their role (and organisation), the token version, the expiry. */
interface UserClaims {
  sub: string;
  role: UserRole;
  org?: string;
  ver: number;
  exp: number;
  typ?: undefined;
}

interface ServiceClaims {
  sub: string;
  role: ServiceAccountRole;
  typ: typeof SERVICE_TOKEN;
  exp: number;
}

interface CachedUser {
  state: UserState;
  version: number;
  checkedAt: number;
}

/**
 * Sign-in with hashed passwords (bcrypt) and short-lived JWT bearer tokens that can be taken back.
 * Users are event streams (`user-<username>`), so registrations, failed sign-ins, lock-outs,
 * deactivations and role changes are audited like everything else. `verify` is the one place that
 * turns a bearer token into an Actor (see README "Sign-in"): it checks the token against the
 * user's current state on every request, so a deactivation, a role change or a lock-out stops every
 * token issued before it at once (within `USER_CHECK_MS` on another instance).
 *
 * Reusable by other ways of holding a session (a browser's refresh cookie): `signIn` checks a
 * password and issues a token; `issueFor` issues a fresh token for a user's current state;
 * `verify` checks any token.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  private readonly users = new Map<string, CachedUser>();
  /** A hash compared against when the username is unknown, so an unknown name costs as much as a known one. */
  private readonly dummyHash: string;

  constructor(
    private readonly jwt: JwtService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly userList: UserQueries,
  ) {
    // At the configured cost, so an unknown name costs what a password made now costs.
    this.dummyHash = bcrypt.hashSync(randomUUID(), config.passwordHashCost);
  }

  /** LEDGER_BOOTSTRAP_ADMIN creates the first admin on a store with no users. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.passwordHashCost < DEFAULT_PASSWORD_HASH_COST) {
      this.logger.warn(`LEDGER_PASSWORD_HASH_COST=${this.config.passwordHashCost} is below ${DEFAULT_PASSWORD_HASH_COST}: password hashes are quick to guess; use it for test runs only`);
    }
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    const anyUser = await this.store.readAll({ limit: 1, filter: { categories: ['user'] } });
    if (anyUser.events.length > 0) return;
    const outcome = await this.register({ username: admin.username, password: admin.password, role: 'admin' }, { userId: 'bootstrap', role: 'admin' });
    if (outcome.kind === 'recorded') this.logger.log(`created the first admin, ${admin.username}`);
  }

  register(user: NewUser, by: Actor): Promise<CommandOutcome<Rejection>> {
    return registerUser(this.store, this.clock, user, by, this.config.passwordHashCost);
  }

  /**
   * Checks the password, records the attempt (locking out after repeated failures), issues a
   * token. Every refusal is the same answer, whether the username is unknown, the password wrong,
   * the user deactivated or locked out.
   */
  async signIn(username: string, password: string): Promise<SignInResult> {
    const user = await this.load(username);
    const matched = await bcrypt.compare(password, user.exists ? user.passwordHash : this.dummyHash);
    const refused = { refused: 'SignInRefused', message: 'unknown username or wrong password' } as const;
    if (!user.exists) return refused;
    const now = this.clock.now();
    const since = new Date(now.getTime() - LOCKOUT.minutes * 60_000).toISOString();
    const untilAt = new Date(now.getTime() + LOCKOUT.minutes * 60_000).toISOString();
    const outcome = await this.run(
      username,
      { userId: username, role: user.role ?? 'unauthenticated' },
      {
        type: 'RecordSignIn',
        passwordMatched: matched,
        at: now.toISOString(),
        lockout: { afterFailures: LOCKOUT.afterFailures, since, untilAt },
      },
    );
    if (!matched || outcome.kind !== 'recorded') return refused;
    return (await this.issueFor(username)) ?? refused;
  }

  /**
   * A fresh token for the user's current role and token version, or null when the user does not
   * exist, is deactivated or locked out. (A browser session's refresh issues its tokens here.)
   */
  async issueFor(username: string): Promise<IssuedToken | null> {
    const user = await this.current(username, { fresh: true });
    if (!user.exists || !user.active || !user.role || this.lockedOut(user)) return null;
    const expiresIn = this.config.tokenMinutes * 60;
    const claims = { sub: username, role: user.role, ver: user.tokenVersion, ...(user.organisation ? { org: user.organisation } : {}) };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn });
    return { accessToken, expiresIn, role: user.role };
  }

  /**
   * The actor a bearer token stands for, or null when it is invalid, expired, has no expiry, or
   * its user (or service account) no longer holds it: unknown, deactivated, locked out, another
   * role or organisation now, or revoked.
   */
  async verify(token: string): Promise<Actor | null> {
    let claims: UserClaims | ServiceClaims;
    try {
      claims = await this.jwt.verifyAsync<UserClaims | ServiceClaims>(token);
    } catch {
      return null;
    }
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string') return null;
    if (claims.typ === SERVICE_TOKEN) {
      const account = await readServiceAccount(this.store, claims.sub);
      if (!account.exists || account.revokedAt !== null || account.role !== claims.role) return null;
      return { userId: `${SERVICE_ACTOR_PREFIX}${account.name}`, role: account.role, kind: 'service' };
    }
    if (typeof claims.ver !== 'number') return null;
    const user = await this.current(claims.sub);
    if (!user.exists || !user.active || user.role !== claims.role || user.tokenVersion !== claims.ver || this.lockedOut(user)) return null;
    if ((user.organisation ?? null) !== (claims.org ?? null)) return null;
    return { userId: claims.sub, role: claims.role, ...(claims.org ? { organisation: claims.org } : {}) };
  }

  /** Every user, from the users read model (settled first in inline mode, so a user just added is listed). */
  list(): Promise<UserSummary[]> {
    return this.userList.users();
  }

  deactivate(username: string, by: Actor): Promise<CommandOutcome<Rejection>> {
    return this.run(username, by, { type: 'DeactivateUser', username, by: by.userId, at: this.clock.now().toISOString() });
  }

  reactivate(username: string, by: Actor): Promise<CommandOutcome<Rejection>> {
    return this.run(username, by, { type: 'ReactivateUser', username, by: by.userId, at: this.clock.now().toISOString() });
  }

  changeRole(username: string, role: UserRole, organisation: string | undefined, by: Actor): Promise<CommandOutcome<Rejection>> {
    return this.run(username, by, { type: 'ChangeUserRole', username, role, organisation, by: by.userId, at: this.clock.now().toISOString() });
  }

  /** Issues a service account and its long-lived token (shown once: only its claims are kept). */
  async issueServiceAccount(
    request: { name: string; role: ServiceAccountRole; description?: string; days: number },
    by: Actor,
  ): Promise<CommandOutcome<Rejection> & { accessToken?: string; expiresAt?: string }> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + request.days * 86_400_000);
    const outcome = await runServiceAccountCommand(this.store, this.clock, request.name, by, {
      type: 'IssueServiceAccount',
      name: request.name,
      role: request.role,
      description: request.description,
      issuedBy: by.userId,
      issuedAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    });
    if (outcome.kind !== 'recorded') return outcome;
    const claims = { sub: request.name, role: request.role, typ: SERVICE_TOKEN };
    return { ...outcome, accessToken: await this.jwt.signAsync(claims, { expiresIn: request.days * 86_400 }), expiresAt: expiresAt.toISOString() };
  }

  revokeServiceAccount(name: string, by: Actor): Promise<CommandOutcome<Rejection>> {
    return revokeServiceAccount(this.store, this.clock, name, by);
  }

  /** Every service account, from the users read model. */
  listServiceAccounts(): Promise<ServiceAccountSummary[]> {
    return this.userList.serviceAccounts();
  }

  private lockedOut(user: UserState): boolean {
    return user.lockedUntil !== null && this.clock.now().toISOString() < user.lockedUntil;
  }

  private async load(username: string): Promise<UserState> {
    return this.current(username, { fresh: true });
  }

  /**
   * The user's current state: remembered for `USER_CHECK_MS`, then brought up to date by reading
   * only the events after the version remembered (users' streams grow with every sign-in).
   */
  private async current(username: string, options: { fresh?: boolean } = {}): Promise<UserState> {
    const streamId = streams.user(username);
    const cached = this.users.get(username);
    const now = Date.now();
    if (cached && !options.fresh && now - cached.checkedAt < USER_CHECK_MS) return cached.state;
    let state = cached?.state ?? initialUserState();
    let version = cached?.version ?? 0;
    const tail = await this.store.readStream(streamId, version > 0 ? { afterVersion: version } : undefined);
    if (tail.version < version || (tail.events.length > 0 && tail.events[0]?.version !== version + 1)) {
      // Not the stream remembered (a restored store): read it whole.
      this.users.delete(username);
      return this.current(username, options);
    }
    for (const e of tail.events) state = evolveUser(state, decodeUserEvent(e));
    version = tail.version;
    if (version > 0) {
      this.users.delete(username);
      this.users.set(username, { state, version, checkedAt: now });
      while (this.users.size > 10_000) this.users.delete(this.users.keys().next().value as string);
    }
    return state;
  }

  private async run(username: string, by: Actor, command: UserCommand): Promise<CommandOutcome<Rejection>> {
    const outcome = await runUserCommand(this.store, this.clock, username, by, command);
    // This instance stops the user's old tokens at once, not after USER_CHECK_MS.
    this.users.delete(username);
    return outcome;
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
  active: boolean;
  lockedUntil: string | null;
}

export interface ServiceAccountSummary {
  name: string;
  role: ServiceAccountRole | null;
  description?: string;
  issuedBy: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/** Registers a user with a bcrypt hash of their password (the API's admins and `cli users add`). */
export async function registerUser(store: EventStore, clock: Clock, user: NewUser, by: Actor, hashCost = DEFAULT_PASSWORD_HASH_COST): Promise<CommandOutcome<Rejection>> {
  const passwordHash = await bcrypt.hash(user.password, hashCost);
  return runUserCommand(store, clock, user.username, by, { type: 'RegisterUser', username: user.username, passwordHash, role: user.role, organisation: user.organisation, registeredBy: by.userId });
}

/** Deactivates a user (`cli users deactivate`); the api's AuthService does the same for admins. */
export function deactivateUser(store: EventStore, clock: Clock, username: string, by: Actor): Promise<CommandOutcome<Rejection>> {
  return runUserCommand(store, clock, username, by, { type: 'DeactivateUser', username, by: by.userId, at: clock.now().toISOString() });
}

/** Changes a user's role (`cli users role`). */
export function changeUserRole(store: EventStore, clock: Clock, username: string, role: UserRole, organisation: string | undefined, by: Actor): Promise<CommandOutcome<Rejection>> {
  return runUserCommand(store, clock, username, by, { type: 'ChangeUserRole', username, role, organisation, by: by.userId, at: clock.now().toISOString() });
}

/**
 * Every user, their role, whether active and any lock-out, by username, folded from the log's
 * user streams: for the cli, which runs without the read models (the api lists from `UserQueries`).
 */
export async function listUsers(store: EventStore): Promise<UserSummary[]> {
  const users = new Map<string, UserState>();
  for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
    const read = await store.readAll({ after, limit: 1_000, filter: { categories: ['user'] } });
    for (const e of read.events) users.set(e.streamId, evolveUser(users.get(e.streamId) ?? initialUserState(), decodeUserEvent(e)));
    after = read.next;
    if (read.endOfLog) break;
  }
  return [...users.values()]
    .filter((u) => u.exists)
    .map((u) => ({ username: u.username, role: u.role, ...(u.organisation ? { organisation: u.organisation } : {}), active: u.active, lockedUntil: u.lockedUntil }))
    .sort((a, b) => (a.username < b.username ? -1 : 1));
}

/** A service account's state from its stream. */
export async function readServiceAccount(store: EventStore, name: string): Promise<ServiceAccountState> {
  return foldStored(serviceAccountDecider, (await store.readStream(`serviceAccount-${name}`)).events);
}

/** Revokes a service account: its token stops at once (`cli service-accounts revoke`, and the api). */
export function revokeServiceAccount(store: EventStore, clock: Clock, name: string, by: Actor): Promise<CommandOutcome<Rejection>> {
  return runServiceAccountCommand(store, clock, name, by, { type: 'RevokeServiceAccount', name, revokedBy: by.userId, revokedAt: clock.now().toISOString() });
}

/**
 * Every service account, revoked ones included, by name (never their tokens, which are not kept),
 * folded from the log: for the cli (the api lists from `UserQueries`).
 */
export async function listServiceAccounts(store: EventStore): Promise<ServiceAccountSummary[]> {
  const accounts = new Map<string, ServiceAccountState>();
  for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
    const read = await store.readAll({ after, limit: 1_000, filter: { categories: ['serviceAccount'] } });
    for (const e of read.events) accounts.set(e.streamId, evolveServiceAccount(accounts.get(e.streamId) ?? initialServiceAccountState(), decodeServiceAccountEvent(e)));
    after = read.next;
    if (read.endOfLog) break;
  }
  return [...accounts.values()]
    .filter((a) => a.exists)
    .map((a) => ({ name: a.name, role: a.role, ...(a.description ? { description: a.description } : {}), issuedBy: a.issuedBy, issuedAt: a.issuedAt, expiresAt: a.expiresAt, revokedAt: a.revokedAt }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function runUserCommand(store: EventStore, clock: Clock, username: string, by: Actor, command: UserCommand): Promise<CommandOutcome<Rejection>> {
  const commandId = randomUUID();
  return handleCommand(store, streams.user(username), userDecider, command, undefined, {
    commandId,
    correlationId: commandId,
    actor: actorMetadata(by),
    recordedAt: clock.now().toISOString(),
  });
}

function runServiceAccountCommand(store: EventStore, clock: Clock, name: string, by: Actor, command: ServiceAccountCommand): Promise<CommandOutcome<Rejection>> {
  const commandId = randomUUID();
  return handleCommand(store, `serviceAccount-${name}`, serviceAccountDecider, command, undefined, {
    commandId,
    correlationId: commandId,
    actor: actorMetadata(by),
    recordedAt: clock.now().toISOString(),
  });
}

function actorMetadata(by: Actor) {
  return { userId: by.userId, role: by.role, ...(by.organisation ? { organisation: by.organisation } : {}) };
}
