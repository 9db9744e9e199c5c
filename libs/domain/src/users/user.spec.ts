import { deciderSpec } from '../shared/decider-spec';
import { decideUser, evolveUser, initialUserState, type UserCommand, type UserEvent } from './user';

const { given } = deciderSpec({
  decide: (command: UserCommand, state: ReturnType<typeof initialUserState>) => decideUser(command, state),
  evolve: (state: ReturnType<typeof initialUserState>, event: UserEvent) => evolveUser(state, event),
  initialState: initialUserState,
});

describe('users: registering and signing in', () => {
  it('registers a user with a role', () =>
    given().when(register).then({ type: 'UserRegistered', data: { username: 'kw.sam', passwordHash: 'h', role: 'keyworker', registeredBy: 'admin' } }));

  it('refuses a second registration of the same username', () => given(registered).when(register).thenRejected('UserAlreadyExists'));

  it('refuses a partner without an organisation', () => given().when({ ...register, role: 'partner' }).thenRejected('OrganisationRequired'));

  it('records a successful sign-in', () => given(registered).when(signIn(true)).then({ type: 'SignInSucceeded', data: { at: '2026-01-01T10:00:00.000Z' } }));

  it('locks the user out at the fifth failure in a row', () =>
    given(registered, failed, failed, failed, failed)
      .when(signIn(false))
      .then({ type: 'SignInFailed', data: { at: '2026-01-01T10:00:00.000Z' } }, { type: 'UserLockedOut', data: { at: '2026-01-01T10:00:00.000Z', until: '2026-01-01T10:15:00.000Z' } }));

  it('refuses even the right password while locked out', () =>
    given(registered, { type: 'UserLockedOut', data: { at: '2026-01-01T09:55:00.000Z', until: '2026-01-01T10:10:00.000Z' } }).when(signIn(true)).thenRejected('LockedOut'));

  it('refuses an unknown user without saying which part was wrong', () => given().when(signIn(true)).thenRejected('SignInRefused'));
});

// fixtures below the scenarios

const register: Extract<UserCommand, { type: 'RegisterUser' }> = { type: 'RegisterUser', username: 'kw.sam', passwordHash: 'h', role: 'keyworker', registeredBy: 'admin' };
const registered: UserEvent = { type: 'UserRegistered', data: { username: 'kw.sam', passwordHash: 'h', role: 'keyworker', registeredBy: 'admin' } };
const failed: UserEvent = { type: 'SignInFailed', data: { at: '2026-01-01T09:00:00.000Z' } };

function signIn(passwordMatched: boolean): UserCommand {
  return { type: 'RecordSignIn', passwordMatched, at: '2026-01-01T10:00:00.000Z', lockout: { afterFailures: 5, untilAt: '2026-01-01T10:15:00.000Z' } };
}
