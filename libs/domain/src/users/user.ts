import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { type Decider, type StoredEvent, plainEvent } from '../shared/decider';

/**
 * People who sign in (DOMAIN.md 6: each role sees only what its job needs). Stream `user-<username>`.
 * Passwords arrive already hashed (the edge hashes them); times arrive as data.
 *
 * Sign-in can be taken back (issue 16.2): a deactivation, a change of role and a lock-out each
 * move the user's token version on, and a bearer token carries the version it was issued at, so
 * every token issued before stops working at once.
 */
export const USER_ROLES = ['admin', 'programme-manager', 'keyworker', 'finance-officer', 'auditor', 'partner', 'analyst'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export type UserEvent =
  | DomainEvent<'UserRegistered', { username: string; passwordHash: string; role: UserRole; organisation?: string; registeredBy: string }>
  | DomainEvent<'SignInFailed', { at: string }>
  | DomainEvent<'SignInSucceeded', { at: string }>
  | DomainEvent<'UserLockedOut', { at: string; until: string }>
  | DomainEvent<'UserDeactivated', { at: string; by: string }>
  | DomainEvent<'UserReactivated', { at: string; by: string }>
  | DomainEvent<'UserRoleChanged', { at: string; by: string; role: UserRole; organisation?: string }>;

export interface UserState {
  exists: boolean;
  username: string;
  passwordHash: string;
  role: UserRole | null;
  organisation?: string;
  /** Failed sign-ins since the last success or lock-out, oldest first (their instants). */
  recentFailures: string[];
  lockedUntil: string | null;
  active: boolean;
  /** Moves on at every deactivation, role change and lock-out: tokens of an earlier version are void. */
  tokenVersion: number;
}

export const initialUserState = (): UserState => ({ exists: false, username: '', passwordHash: '', role: null, recentFailures: [], lockedUntil: null, active: false, tokenVersion: 0 });

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return { ...state, exists: true, active: true, username: event.data.username, passwordHash: event.data.passwordHash, role: event.data.role, organisation: event.data.organisation };
    case 'SignInFailed':
      return { ...state, recentFailures: [...state.recentFailures.slice(-49), event.data.at] };
    case 'SignInSucceeded':
      return { ...state, recentFailures: [], lockedUntil: null };
    case 'UserLockedOut':
      return { ...state, recentFailures: [], lockedUntil: event.data.until, tokenVersion: state.tokenVersion + 1 };
    case 'UserDeactivated':
      return { ...state, active: false, tokenVersion: state.tokenVersion + 1 };
    case 'UserReactivated':
      return { ...state, active: true, recentFailures: [], lockedUntil: null };
    case 'UserRoleChanged':
      return { ...state, role: event.data.role, organisation: event.data.organisation, tokenVersion: state.tokenVersion + 1 };
  }
}

export type UserCommand =
  | { type: 'RegisterUser'; username: string; passwordHash: string; role: UserRole; organisation?: string; registeredBy: string }
  | {
      type: 'RecordSignIn';
      /** Whether the password matched (checked at the edge against `passwordHash`). */
      passwordMatched: boolean;
      at: string;
      /**
       * Lock out after this many failures since `since` (the start of the counting window), until
       * `untilAt`. Counted in a window rather than in a row, so failures spread thinly over days
       * (one address's throttled guesses) never add up to a lock-out.
       */
      lockout: { afterFailures: number; since: string; untilAt: string };
    }
  | { type: 'DeactivateUser'; username: string; at: string; by: string }
  | { type: 'ReactivateUser'; username: string; at: string; by: string }
  | { type: 'ChangeUserRole'; username: string; role: UserRole; organisation?: string; at: string; by: string };

export function decideUser(command: UserCommand, state: UserState): Decision<UserEvent> {
  switch (command.type) {
    case 'RegisterUser': {
      if (state.exists) return reject('UserAlreadyExists', `user ${command.username} already exists`, 'duplicate');
      if (!(USER_ROLES as readonly string[]).includes(command.role)) return reject('UnknownRole', `role must be one of ${USER_ROLES.join(', ')}`);
      if (command.role === 'partner' && !command.organisation) return reject('OrganisationRequired', 'a partner user needs an organisation (police, school, dwp, health, …)');
      const { username, passwordHash, role, organisation, registeredBy } = command;
      return accept({ type: 'UserRegistered', data: { username, passwordHash, role, ...(organisation ? { organisation } : {}), registeredBy } });
    }
    case 'RecordSignIn': {
      // One answer for every refusal: whether a username exists, is deactivated or is locked out is
      // never told to the person signing in.
      if (!state.exists || !state.active) return reject('SignInRefused', 'unknown username or wrong password');
      if (state.lockedUntil && command.at < state.lockedUntil) return reject('LockedOut', 'unknown username or wrong password');
      if (command.passwordMatched) return accept({ type: 'SignInSucceeded', data: { at: command.at } });
      const inWindow = state.recentFailures.filter((at) => at >= command.lockout.since).length;
      if (inWindow + 1 >= command.lockout.afterFailures) {
        return accept({ type: 'SignInFailed', data: { at: command.at } }, { type: 'UserLockedOut', data: { at: command.at, until: command.lockout.untilAt } });
      }
      return accept({ type: 'SignInFailed', data: { at: command.at } });
    }
    case 'DeactivateUser': {
      if (!state.exists) return reject('UserNotFound', `no user ${command.username}`, 'not-found');
      if (command.by === command.username) return reject('CannotDeactivateYourself', 'an admin cannot deactivate their own account; ask another admin');
      if (!state.active) return accept();
      return accept({ type: 'UserDeactivated', data: { at: command.at, by: command.by } });
    }
    case 'ReactivateUser': {
      if (!state.exists) return reject('UserNotFound', `no user ${command.username}`, 'not-found');
      if (state.active) return accept();
      return accept({ type: 'UserReactivated', data: { at: command.at, by: command.by } });
    }
    case 'ChangeUserRole': {
      if (!state.exists) return reject('UserNotFound', `no user ${command.username}`, 'not-found');
      if (!(USER_ROLES as readonly string[]).includes(command.role)) return reject('UnknownRole', `role must be one of ${USER_ROLES.join(', ')}`);
      if (command.role === 'partner' && !command.organisation) return reject('OrganisationRequired', 'a partner user needs an organisation (police, school, dwp, health, …)');
      if (command.by === command.username && command.role !== 'admin') return reject('CannotChangeOwnRole', 'an admin cannot take away their own admin role; ask another admin');
      const organisation = command.role === 'partner' ? command.organisation : undefined;
      if (state.role === command.role && state.organisation === organisation) return accept();
      return accept({ type: 'UserRoleChanged', data: { at: command.at, by: command.by, role: command.role, ...(organisation ? { organisation } : {}) } });
    }
  }
}

/** Roles a service account may hold (issue 19.4): roles that read, never record or administer. */
export const SERVICE_ACCOUNT_ROLES = ['analyst', 'finance-officer'] as const satisfies readonly UserRole[];
export type ServiceAccountRole = (typeof SERVICE_ACCOUNT_ROLES)[number];

/**
 * A service account (issue 19.4): a council BI tool (Power BI, Tableau, Metabase) reading with a
 * long-lived bearer token that an admin issued and can revoke. Stream `serviceAccount-<name>`.
 */
export type ServiceAccountEvent =
  | DomainEvent<'ServiceAccountIssued', { name: string; role: ServiceAccountRole; description?: string; issuedBy: string; issuedAt: string; expiresAt: string }>
  | DomainEvent<'ServiceAccountRevoked', { revokedBy: string; revokedAt: string }>;

export interface ServiceAccountState {
  exists: boolean;
  name: string;
  role: ServiceAccountRole | null;
  description?: string;
  issuedBy: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export const initialServiceAccountState = (): ServiceAccountState => ({ exists: false, name: '', role: null, issuedBy: '', issuedAt: '', expiresAt: '', revokedAt: null });

export function evolveServiceAccount(state: ServiceAccountState, event: ServiceAccountEvent): ServiceAccountState {
  switch (event.type) {
    case 'ServiceAccountIssued':
      return { ...state, exists: true, ...event.data, revokedAt: null };
    case 'ServiceAccountRevoked':
      return { ...state, revokedAt: event.data.revokedAt };
  }
}

export type ServiceAccountCommand =
  | { type: 'IssueServiceAccount'; name: string; role: ServiceAccountRole; description?: string; issuedBy: string; issuedAt: string; expiresAt: string }
  | { type: 'RevokeServiceAccount'; name: string; revokedBy: string; revokedAt: string };

export function decideServiceAccount(command: ServiceAccountCommand, state: ServiceAccountState): Decision<ServiceAccountEvent> {
  switch (command.type) {
    case 'IssueServiceAccount': {
      if (state.exists) return reject('ServiceAccountExists', `a service account ${command.name} already exists (revoked ones keep their name)`, 'duplicate');
      if (!(SERVICE_ACCOUNT_ROLES as readonly string[]).includes(command.role)) return reject('NotAReadRole', `a service account's role must be one of ${SERVICE_ACCOUNT_ROLES.join(', ')}`);
      const { name, role, description, issuedBy, issuedAt, expiresAt } = command;
      return accept({ type: 'ServiceAccountIssued', data: { name, role, ...(description ? { description } : {}), issuedBy, issuedAt, expiresAt } });
    }
    case 'RevokeServiceAccount': {
      if (!state.exists) return reject('ServiceAccountNotFound', `no service account ${command.name}`, 'not-found');
      if (state.revokedAt !== null) return accept();
      return accept({ type: 'ServiceAccountRevoked', data: { revokedBy: command.revokedBy, revokedAt: command.revokedAt } });
    }
  }
}

export const decodeUserEvent = (stored: Pick<StoredEvent, 'type' | 'data'>): UserEvent => plainEvent<UserEvent>(stored);

/** The rules of `user-<username>`. */
export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: initialUserState,
  evolve: (state, event) => evolveUser(state, event),
  decide: decideUser,
  decode: decodeUserEvent,
};

export const decodeServiceAccountEvent = (stored: Pick<StoredEvent, 'type' | 'data'>): ServiceAccountEvent => plainEvent<ServiceAccountEvent>(stored);

/** The rules of `serviceAccount-<name>`. */
export const serviceAccountDecider: Decider<ServiceAccountCommand, ServiceAccountEvent, ServiceAccountState> = {
  initialState: initialServiceAccountState,
  evolve: (state, event) => evolveServiceAccount(state, event),
  decide: decideServiceAccount,
  decode: decodeServiceAccountEvent,
};
