import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiProblem, apiFetch, getJson, newIdempotencyKey, sendCommand } from '../api';
import { ErrorSummary, type FormError, SelectField, TextField, fieldErrorsOf, fieldId } from '../components/Form';
import { ROLE_NAMES } from '../components/Layout';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';

interface ListedUser {
  username: string;
  role: string | null;
  organisation?: string;
  active: boolean;
  lockedUntil: string | null;
}

const ROLES = Object.keys(ROLE_NAMES);
const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_NAMES[role] ?? role }));
const NEW_USER_FIELDS = ['username', 'password', 'role', 'organisation'] as const;

/**
 * The administrator's users (issue 20: every user named in the README does their job in the
 * browser): who may sign in and as what, through the same API an admin's script would use
 * (`GET /api/users`, `POST /api/users`, deactivation, reactivation and role changes). Each change
 * takes effect at once: a deactivated user's or a changed role's tokens stop working.
 */
export function UsersPage() {
  const [users, setUsers] = useState<ListedUser[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setUsers((await getJson<{ users: ListedUser[] }>('/api/users')).users);
      setLoadError(null);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    document.title = 'Users – Family outcomes ledger';
    void load();
  }, [load]);

  const act = async (what: string, run: () => Promise<unknown>) => {
    setDone(null);
    setRowError(null);
    try {
      await run();
      setDone(what);
      await load();
    } catch (e) {
      setRowError(e instanceof ApiProblem ? `${what}: not done. ${e.message}` : String(e));
    }
  };

  return (
    <>
      <h1 className="govuk-heading-l">Users</h1>
      <p className="govuk-body">Who may sign in, and as what. A change takes effect at once: a deactivated user, or one whose role changed, is signed out of every session.</p>
      {done ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" data-testid="done">
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      ) : null}
      {rowError ? (
        <p className="govuk-error-message" role="alert" data-testid="row-error">
          {rowError}
        </p>
      ) : null}
      <Loading active={users === null && loadError === null}>Loading the users…</Loading>
      {loadError ? <p className="govuk-error-message">{loadError}</p> : null}
      {users ? (
        <table className="govuk-table" data-testid="users">
          <caption className="govuk-table__caption govuk-table__caption--m">{users.length} users</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">
                Username
              </th>
              <th scope="col" className="govuk-table__header">
                Role
              </th>
              <th scope="col" className="govuk-table__header">
                Status
              </th>
              <th scope="col" className="govuk-table__header">
                Change
              </th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {users.map((u) => (
              <UserRow key={u.username} user={u} act={act} />
            ))}
          </tbody>
        </table>
      ) : null}
      <NewUserForm onAdded={(username) => act(`${username} added`, () => Promise.resolve())} />
    </>
  );
}

function UserRow({ user, act }: { user: ListedUser; act: (what: string, run: () => Promise<unknown>) => Promise<void> }) {
  const [role, setRole] = useState(user.role ?? 'keyworker');
  const [organisation, setOrganisation] = useState(user.organisation ?? '');
  const id = `role-${user.username}`;
  const status = !user.active ? 'Deactivated' : user.lockedUntil ? `Locked out until ${ukDate(user.lockedUntil.slice(0, 10))}` : 'Active';
  const changeRole = () =>
    act(`${user.username} is now ${ROLE_NAMES[role] ?? role}`, () =>
      apiFetch(`/api/users/${encodeURIComponent(user.username)}/role`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ role, ...(role === 'partner' && organisation ? { organisation } : {}) }),
      }),
    );
  return (
    <tr className="govuk-table__row" data-user={user.username}>
      <th scope="row" className="govuk-table__header">
        {user.username}
      </th>
      <td className="govuk-table__cell">
        {user.role ? (ROLE_NAMES[user.role] ?? user.role) : '–'}
        {user.organisation ? ` (${user.organisation})` : ''}
      </td>
      <td className="govuk-table__cell" data-key="status">
        {status}
      </td>
      <td className="govuk-table__cell">
        <div className="app-inline-controls">
          <label className="govuk-label govuk-visually-hidden" htmlFor={id}>
            New role for {user.username}
          </label>
          <select className="govuk-select" id={id} value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {role === 'partner' ? (
            <>
              <label className="govuk-label govuk-visually-hidden" htmlFor={`${id}-org`}>
                Organisation of {user.username}
              </label>
              <input className="govuk-input govuk-input--width-10" id={`${id}-org`} value={organisation} placeholder="organisation" onChange={(e) => setOrganisation(e.target.value)} />
            </>
          ) : null}
          <button
            type="button"
            className="govuk-button govuk-button--secondary"
            onClick={() => void changeRole()}
            disabled={role === user.role && (role !== 'partner' || organisation === (user.organisation ?? ''))}
          >
            Change role<span className="govuk-visually-hidden"> of {user.username}</span>
          </button>
          {user.active ? (
            <button
              type="button"
              className="govuk-button govuk-button--warning"
              onClick={() => void act(`${user.username} deactivated`, () => sendCommand(`/api/users/${encodeURIComponent(user.username)}/deactivation`, {}, { idempotencyKey: newIdempotencyKey() }))}
            >
              Deactivate<span className="govuk-visually-hidden"> {user.username}</span>
            </button>
          ) : (
            <button
              type="button"
              className="govuk-button govuk-button--secondary"
              onClick={() => void act(`${user.username} reactivated`, () => sendCommand(`/api/users/${encodeURIComponent(user.username)}/reactivation`, {}, { idempotencyKey: newIdempotencyKey() }))}
            >
              Reactivate<span className="govuk-visually-hidden"> {user.username}</span>
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

function NewUserForm({ onAdded }: { onAdded: (username: string) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('keyworker');
  const [organisation, setOrganisation] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const [sending, setSending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    setSending(true);
    try {
      await sendCommand('/api/users', { username, password, role, ...(role === 'partner' && organisation ? { organisation } : {}) }, { idempotencyKey: key });
      setError(null);
      setUsername('');
      setPassword('');
      setOrganisation('');
      await onAdded(username);
    } catch (problem) {
      if (problem instanceof ApiProblem) {
        const { fields, unplaced } = fieldErrorsOf(problem, NEW_USER_FIELDS);
        setError({ fields, message: unplaced.length > 0 || Object.keys(fields).length === 0 ? [...unplaced, ...(Object.keys(fields).length === 0 ? [problem.message] : [])].join('. ') : undefined });
      } else setError({ fields: {}, message: String(problem) });
    } finally {
      setKey(newIdempotencyKey());
      setSending(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="new-user">
      <h2 className="govuk-heading-m">Add a user</h2>
      <ErrorSummary error={error} />
      <TextField
        name="username"
        label="Username"
        hint="Lower-case letters, digits, dots, dashes or underscores, e.g. kw.sam"
        value={username}
        onChange={setUsername}
        error={error?.fields.username}
        width={20}
      />
      <div className={`govuk-form-group${error?.fields.password ? ' govuk-form-group--error' : ''}`}>
        <label className="govuk-label" htmlFor={fieldId('password')}>
          Password
        </label>
        <div className="govuk-hint" id={`${fieldId('password')}-hint`}>
          At least 12 characters. Give it to the person by a separate channel.
        </div>
        {error?.fields.password ? (
          <p className="govuk-error-message" id={`${fieldId('password')}-error`}>
            <span className="govuk-visually-hidden">Error:</span> {error.fields.password}
          </p>
        ) : null}
        <input
          className="govuk-input govuk-input--width-20"
          id={fieldId('password')}
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={`${fieldId('password')}-hint${error?.fields.password ? ` ${fieldId('password')}-error` : ''}`}
        />
      </div>
      <SelectField name="role" label="Role" value={role} onChange={setRole} options={ROLE_OPTIONS} error={error?.fields.role} />
      {role === 'partner' ? (
        <TextField name="organisation" label="Organisation" hint="police, school, dwp, health, …" value={organisation} onChange={setOrganisation} error={error?.fields.organisation} width={10} />
      ) : null}
      <button type="submit" className="govuk-button" disabled={sending}>
        Add user
      </button>
    </form>
  );
}
