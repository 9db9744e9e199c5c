import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';

/**
 * People who sign in (DOMAIN.md 6: each role sees only what its job needs). Stream `user-<username>`.
 * Passwords arrive already hashed (the edge hashes them); times arrive as data.
 */
export const USER_ROLES = ['admin', 'programme-manager', 'keyworker', 'finance-officer', 'auditor', 'partner', 'analyst'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export type UserEvent =
  | DomainEvent<'UserRegistered', { username: string; passwordHash: string; role: UserRole; organisation?: string; registeredBy: string }>
  | DomainEvent<'SignInFailed', { at: string }>
  | DomainEvent<'SignInSucceeded', { at: string }>
  | DomainEvent<'UserLockedOut', { at: string; until: string }>;

export interface UserState {
  exists: boolean;
  username: string;
  passwordHash: string;
  role: UserRole | null;
  organisation?: string;
  consecutiveFailures: number;
  lockedUntil: string | null;
}

export const initialUserState = (): UserState => ({ exists: false, username: '', passwordHash: '', role: null, consecutiveFailures: 0, lockedUntil: null });

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return { ...state, exists: true, username: event.data.username, passwordHash: event.data.passwordHash, role: event.data.role, organisation: event.data.organisation };
    case 'SignInFailed':
      return { ...state, consecutiveFailures: state.consecutiveFailures + 1 };
    case 'SignInSucceeded':
      return { ...state, consecutiveFailures: 0, lockedUntil: null };
    case 'UserLockedOut':
      return { ...state, consecutiveFailures: 0, lockedUntil: event.data.until };
  }
}

export type UserCommand =
  | { type: 'RegisterUser'; username: string; passwordHash: string; role: UserRole; organisation?: string; registeredBy: string }
  | {
      type: 'RecordSignIn';
      /** Whether the password matched (checked at the edge against `passwordHash`). */
      passwordMatched: boolean;
      at: string;
      /** Lock out after this many failures in a row, for this long. */
      lockout: { afterFailures: number; untilAt: string };
    };

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
      if (!state.exists) return reject('SignInRefused', 'unknown username or wrong password');
      if (state.lockedUntil && command.at < state.lockedUntil) return reject('LockedOut', `too many failed sign-ins; try again after ${state.lockedUntil}`);
      if (command.passwordMatched) return accept({ type: 'SignInSucceeded', data: { at: command.at } });
      if (state.consecutiveFailures + 1 >= command.lockout.afterFailures) {
        return accept({ type: 'SignInFailed', data: { at: command.at } }, { type: 'UserLockedOut', data: { at: command.at, until: command.lockout.untilAt } });
      }
      return accept({ type: 'SignInFailed', data: { at: command.at } });
    }
  }
}
