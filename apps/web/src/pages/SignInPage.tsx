import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, signIn } from '../api';
import { AppLink } from '../components/Layout';

interface FieldError {
  field: 'username' | 'password';
  message: string;
}

/** Sign-in, with errors summarised at the top and shown beside each field (the Design System's pattern). */
export function SignInPage({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.title = `${errors.length > 0 || refusal ? 'Error: ' : ''}Sign in – Family outcomes ledger`;
    if (errors.length > 0 || refusal) summary.current?.focus();
  }, [errors, refusal]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: FieldError[] = [];
    if (username.trim() === '') found.push({ field: 'username', message: 'Enter your username' });
    if (password === '') found.push({ field: 'password', message: 'Enter your password' });
    setErrors(found);
    setRefusal(null);
    if (found.length > 0) return;
    setBusy(true);
    try {
      onSignedIn(await signIn(username.trim(), password));
    } catch (error) {
      setRefusal(
        error instanceof ApiProblem && error.status === 401
          ? error.reason === 'LockedOut'
            ? error.message
            : 'The username or password is not right'
          : 'Sign-in is not working at the moment: try again',
      );
    } finally {
      setBusy(false);
    }
  }

  const errorOf = (field: FieldError['field']) => errors.find((e) => e.field === field);
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        {errors.length > 0 || refusal ? (
          <div className="govuk-error-summary" ref={summary} tabIndex={-1} role="alert" aria-labelledby="error-summary-title">
            <div role="alert">
              <h2 className="govuk-error-summary__title" id="error-summary-title">
                There is a problem
              </h2>
              <div className="govuk-error-summary__body">
                <ul className="govuk-list govuk-error-summary__list">
                  {errors.map((e) => (
                    <li key={e.field}>
                      <a href={`#${e.field}`}>{e.message}</a>
                    </li>
                  ))}
                  {refusal ? (
                    <li>
                      <a href="#username">{refusal}</a>
                    </li>
                  ) : null}
                </ul>
              </div>
            </div>
          </div>
        ) : null}
        <h1 className="govuk-heading-l">Sign in</h1>
        <p className="govuk-body">Sign in with the username and password your council gave you.</p>
        <form onSubmit={submit} noValidate>
          {(['username', 'password'] as const).map((field) => {
            const error = errorOf(field);
            return (
              <div key={field} className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
                <label className="govuk-label" htmlFor={field}>
                  {field === 'username' ? 'Username' : 'Password'}
                </label>
                {error ? (
                  <p id={`${field}-error`} className="govuk-error-message">
                    <span className="govuk-visually-hidden">Error:</span> {error.message}
                  </p>
                ) : null}
                <input
                  className={`govuk-input govuk-!-width-two-thirds${error ? ' govuk-input--error' : ''}`}
                  id={field}
                  name={field}
                  type={field === 'password' ? 'password' : 'text'}
                  autoComplete={field === 'password' ? 'current-password' : 'username'}
                  spellCheck={false}
                  autoCapitalize="none"
                  aria-describedby={error ? `${field}-error` : undefined}
                  value={field === 'username' ? username : password}
                  onChange={(e) => (field === 'username' ? setUsername(e.target.value) : setPassword(e.target.value))}
                />
              </div>
            );
          })}
          <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="govuk-body">
          <AppLink to="/privacy-notice">How are we using your information?</AppLink> Read the privacy notice: what the council records about families, who it shares it with, and for how long.
        </p>
      </div>
    </div>
  );
}
