import { deciderSpec } from '../shared/decider-spec';
import {
  type ServiceAccountCommand,
  type ServiceAccountEvent,
  decideServiceAccount,
  decideUser,
  evolveServiceAccount,
  evolveUser,
  initialServiceAccountState,
  initialUserState,
  type UserCommand,
  type UserEvent,
} from './user';

const { given } = deciderSpec({
  decide: (command: UserCommand, state: ReturnType<typeof initialUserState>) => decideUser(command, state),
  evolve: (state: ReturnType<typeof initialUserState>, event: UserEvent) => evolveUser(state, event),
  initialState: initialUserState,
});

describe('users: registering and signing in', () => {
  it('registers a user with a role', () =>
    given()
      .when(register)
      .then({ type: 'UserRegistered', data: { username: 'kw.sam', passwordHash: 'h', role: 'keyworker', registeredBy: 'admin' } }));

  it('refuses a second registration of the same username', () => given(registered).when(register).thenRejected('UserAlreadyExists'));

  it('refuses a partner without an organisation', () =>
    given()
      .when({ ...register, role: 'partner' })
      .thenRejected('OrganisationRequired'));

  it('records a successful sign-in', () =>
    given(registered)
      .when(signIn(true))
      .then({ type: 'SignInSucceeded', data: { at: '2026-01-01T10:00:00.000Z' } }));

  it('locks the user out at the tenth failure within the window', () =>
    given(registered, failed, failed, failed, failed, failed, failed, failed, failed, failed)
      .when(signIn(false))
      .then({ type: 'SignInFailed', data: { at: '2026-01-01T10:00:00.000Z' } }, { type: 'UserLockedOut', data: { at: '2026-01-01T10:00:00.000Z', until: '2026-01-01T10:15:00.000Z' } }));

  it('refuses even the right password while locked out', () =>
    given(registered, { type: 'UserLockedOut', data: { at: '2026-01-01T09:55:00.000Z', until: '2026-01-01T10:10:00.000Z' } })
      .when(signIn(true))
      .thenRejected('LockedOut'));

  it('refuses an unknown user without saying which part was wrong', () => given().when(signIn(true)).thenRejected('SignInRefused'));

  it('does not count failures from before the window towards a lock-out', () =>
    given(registered, oldFailure, oldFailure, oldFailure, oldFailure, oldFailure, oldFailure, oldFailure, oldFailure, oldFailure)
      .when(signIn(false))
      .then({ type: 'SignInFailed', data: { at: '2026-01-01T10:00:00.000Z' } }));

  it('refuses a deactivated user even with the right password, in the words an unknown user gets', () => given(registered, deactivated).when(signIn(true)).thenRejected('SignInRefused'));
});

describe('users: taking sign-in back', () => {
  it('deactivates a user', () => given(registered).when(deactivate('admin.jo')).then(deactivated));

  it('does not let an admin deactivate themselves', () => given(registered).when(deactivate('kw.sam')).thenRejected('CannotDeactivateYourself'));

  it('answers a second deactivation with nothing to record', () => given(registered, deactivated).when(deactivate('admin.jo')).thenNothing());

  it('changes a role', () =>
    given(registered)
      .when(changeRole('analyst'))
      .then({ type: 'UserRoleChanged', data: { at: '2026-01-01T10:00:00.000Z', by: 'admin.jo', role: 'analyst' } }));

  it('refuses a partner role without an organisation', () => given(registered).when(changeRole('partner')).thenRejected('OrganisationRequired'));

  it('refuses to change the role of nobody', () => given().when(changeRole('analyst')).thenRejected('UserNotFound', 'not-found'));

  it('moves the token version on at each deactivation, role change and lock-out', () => {
    const state = given(
      registered,
      deactivated,
      { type: 'UserReactivated', data: { at: 't', by: 'admin.jo' } },
      { type: 'UserRoleChanged', data: { at: 't', by: 'admin.jo', role: 'analyst' } },
      lockedOut,
    ).state;
    expect(state.tokenVersion).toBe(3);
    expect(state.active).toBe(true);
  });
});

// fixtures below the scenarios

const register: Extract<UserCommand, { type: 'RegisterUser' }> = { type: 'RegisterUser', username: 'kw.sam', passwordHash: 'h', role: 'keyworker', registeredBy: 'admin' };
const registered: UserEvent = { type: 'UserRegistered', data: { username: 'kw.sam', passwordHash: 'h', role: 'keyworker', registeredBy: 'admin' } };
const failed: UserEvent = { type: 'SignInFailed', data: { at: '2026-01-01T09:50:00.000Z' } };
const oldFailure: UserEvent = { type: 'SignInFailed', data: { at: '2025-12-30T09:00:00.000Z' } };
const deactivated: UserEvent = { type: 'UserDeactivated', data: { at: '2026-01-01T10:00:00.000Z', by: 'admin.jo' } };
const lockedOut: UserEvent = { type: 'UserLockedOut', data: { at: 't', until: 'u' } };

function deactivate(by: string): UserCommand {
  return { type: 'DeactivateUser', username: 'kw.sam', at: '2026-01-01T10:00:00.000Z', by };
}

function changeRole(role: 'analyst' | 'partner'): UserCommand {
  return { type: 'ChangeUserRole', username: 'kw.sam', role, at: '2026-01-01T10:00:00.000Z', by: 'admin.jo' };
}

function signIn(passwordMatched: boolean): UserCommand {
  return { type: 'RecordSignIn', passwordMatched, at: '2026-01-01T10:00:00.000Z', lockout: { afterFailures: 10, since: '2026-01-01T09:45:00.000Z', untilAt: '2026-01-01T10:15:00.000Z' } };
}

const serviceAccounts = deciderSpec({
  decide: (command: ServiceAccountCommand, state: ReturnType<typeof initialServiceAccountState>) => decideServiceAccount(command, state),
  evolve: (state: ReturnType<typeof initialServiceAccountState>, event: ServiceAccountEvent) => evolveServiceAccount(state, event),
  initialState: initialServiceAccountState,
});

describe('service accounts: BI tools reading with a revocable token', () => {
  it('issues a service account for a role that reads', () =>
    serviceAccounts
      .given()
      .when(issue('finance-officer'))
      .then({ type: 'ServiceAccountIssued', data: { name: 'powerbi', role: 'finance-officer', issuedBy: 'admin.jo', issuedAt: 't0', expiresAt: 't1' } }));

  it('refuses a role that records or administers', () =>
    serviceAccounts
      .given()
      .when(issue('programme-manager' as 'analyst'))
      .thenRejected('NotAReadRole'));

  it('never reuses a name, even once revoked', () => serviceAccounts.given(issued, revoked).when(issue('analyst')).thenRejected('ServiceAccountExists', 'duplicate'));

  it('revokes, and a second revocation records nothing', () => {
    serviceAccounts.given(issued).when(revoke).then(revoked);
    serviceAccounts.given(issued, revoked).when(revoke).thenNothing();
  });

  it('refuses to revoke an account that does not exist', () => serviceAccounts.given().when(revoke).thenRejected('ServiceAccountNotFound', 'not-found'));
});

function issue(role: 'analyst' | 'finance-officer'): ServiceAccountCommand {
  return { type: 'IssueServiceAccount', name: 'powerbi', role, issuedBy: 'admin.jo', issuedAt: 't0', expiresAt: 't1' };
}
const revoke: ServiceAccountCommand = { type: 'RevokeServiceAccount', name: 'powerbi', revokedBy: 'admin.jo', revokedAt: 't2' };
const issued: ServiceAccountEvent = { type: 'ServiceAccountIssued', data: { name: 'powerbi', role: 'analyst', issuedBy: 'admin.jo', issuedAt: 't0', expiresAt: 't1' } };
const revoked: ServiceAccountEvent = { type: 'ServiceAccountRevoked', data: { revokedBy: 'admin.jo', revokedAt: 't2' } };
