import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { type User, getJson } from '../api';
import { type Figure, FigureView, PROBLEM_NAMES } from '../components/FigureView';
import { Loading } from '../components/Loading';
import { ROLE_NAMES } from '../components/Layout';
import { count, todayInLondon, ukDate, ukTime } from '../format';
import { type Checkpoint, followCheckpoints } from '../live';
import { navigate } from '../router';

interface Dashboard {
  asOf: string;
  filters: { financialYear: string | null; keyworker: string | null; problem: string | null };
  choices: { financialYears: string[]; keyworkers: string[]; problems: string[] };
  allocation: number | null;
  position: string | null;
  suppressed: boolean;
  figures: Figure[];
}

const FILTERS = ['asOf', 'financialYear', 'keyworker', 'problem'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** The GOV.UK date pattern: day, month and year in fields of their own. */
function partsOf(date: string | undefined): { day: string; month: string; year: string } {
  const [year = '', month = '', day = ''] = (date ?? '').split('-');
  return { day: day.replace(/^0/, ''), month: month.replace(/^0/, ''), year };
}

/** `YYYY-MM-DD`, '' when all three are empty, null when they do not make a real date. */
function dateOf(parts: { day: string; month: string; year: string }): string | null {
  const [d, m, y] = [parts.day.trim(), parts.month.trim(), parts.year.trim()];
  if (d === '' && m === '' && y === '') return '';
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const check = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(check.getTime()) && check.toISOString().slice(0, 10) === iso ? iso : null;
}

function queryOf(filters: Filters): string {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (filters[k]) q.set(k, filters[k] as string);
  return q.toString();
}

/**
 * The programme dashboard (issue 19.2 and 19.3): every figure the role may see, as of a date and
 * filtered, re-read whenever the projections move (a command recorded anywhere shows within
 * seconds), with how far behind the log the figures are.
 */
export function DashboardPage({ user, search }: { user: User; search: URLSearchParams }) {
  const filters: Filters = Object.fromEntries(FILTERS.flatMap((k) => (search.get(k) ? [[k, search.get(k) as string]] : [])));
  const query = queryOf(filters);
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null>(null);
  const [connected, setConnected] = useState(false);
  const [form, setForm] = useState<Filters>(filters);
  const [date, setDate] = useState(partsOf(filters.asOf));
  const [dateError, setDateError] = useState<string | null>(null);
  const inFlight = useRef(false);
  const stale = useRef(false);
  const current = useRef(query);
  current.current = query;

  const load = useCallback(async () => {
    if (inFlight.current) {
      stale.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        stale.current = false;
        const asked = current.current;
        try {
          const answer = await getJson<Dashboard>(`/api/dashboards/programme${asked ? `?${asked}` : ''}`);
          if (asked === current.current) {
            setDashboard(answer);
            setError(null);
          } else stale.current = true;
        } catch (e) {
          setError(e instanceof Error ? e.message : String(e));
        }
      } while (stale.current);
    } finally {
      inFlight.current = false;
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    document.title = 'Dashboard – Family outcomes ledger';
  }, []);
  useEffect(() => {
    setLoading(true);
    setForm(filters);
    setDate(partsOf(filters.asOf));
    setDateError(null);
    void load();
    // eslint-style note: filters derive from query
  }, [query]);
  useEffect(
    () =>
      followCheckpoints((c) => {
        setCheckpoint(c);
        void load();
      }, setConnected),
    [load],
  );

  function apply(e: FormEvent) {
    e.preventDefault();
    const asOf = dateOf(date);
    if (asOf === null) {
      setDateError('The as-of date must be a real date, for example 31 3 2019');
      document.getElementById('asOf-day')?.focus();
      return;
    }
    const q = queryOf({ ...form, asOf: asOf || undefined });
    navigate(`/dashboard${q ? `?${q}` : ''}`);
  }

  const asOf = dashboard?.asOf ?? filters.asOf ?? todayInLondon();
  const figures = dashboard?.figures ?? [];
  const csvBase = `/api/dashboards/programme?${query ? `${query}&` : ''}format=csv&figure=`;
  const allocationRemaining = dashboard?.figures.find((f) => f.name === 'money')?.rows.at(-1)?.allocationRemaining;
  return (
    <>
      <span className="govuk-caption-l">{capitalised(ROLE_NAMES[user.role] ?? user.role)}</span>
      <h1 className="govuk-heading-l">Programme dashboard</h1>
      <p className="govuk-body-l">
        Figures as of <strong data-testid="as-of">{ukDate(asOf)}</strong>
        {dashboard?.allocation !== null && dashboard?.allocation !== undefined ? (
          <>
            {' '}
            · allocation {count(dashboard.allocation)} families{typeof allocationRemaining === 'number' ? `, ${count(allocationRemaining)} left` : ''}
          </>
        ) : null}
      </p>
      <div className="govuk-inset-text app-live" aria-live="polite" data-testid="live-status">
        {connected && checkpoint ? (
          <>
            <strong>Live.</strong>{' '}
            {checkpoint.behindEvents === 0
              ? 'The figures include every event recorded so far'
              : `The figures are ${checkpoint.behindEvents >= 1000 ? 'more than 1,000' : count(checkpoint.behindEvents)} event${checkpoint.behindEvents === 1 ? '' : 's'} behind the log`}{' '}
            (checked at {ukTime(checkpoint.at)}; log position <span data-testid="position">{dashboard?.position ?? checkpoint.position}</span>).
          </>
        ) : (
          <>Connecting to live updates…</>
        )}
      </div>
      {dashboard?.suppressed ? (
        <div className="govuk-warning-text">
          <span className="govuk-warning-text__icon" aria-hidden="true">
            !
          </span>
          <strong className="govuk-warning-text__text">
            <span className="govuk-visually-hidden">Warning</span>
            Counts of fewer than 5 families are withheld ([c]), as in the published outcomes report.
          </strong>
        </div>
      ) : null}
      <form className="app-filters" onSubmit={apply} aria-label="Filters">
        <div className={`govuk-form-group${dateError ? ' govuk-form-group--error' : ''}`}>
          <fieldset className="govuk-fieldset" role="group" aria-describedby={`asOf-hint${dateError ? ' asOf-error' : ''}`}>
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">As of</legend>
            <div id="asOf-hint" className="govuk-hint">
              For example, 31 3 2019. Leave empty for today.
            </div>
            {dateError ? (
              <p id="asOf-error" className="govuk-error-message">
                <span className="govuk-visually-hidden">Error:</span> {dateError}
              </p>
            ) : null}
            <div className="govuk-date-input" id="asOf">
              {(['day', 'month', 'year'] as const).map((part) => (
                <div key={part} className="govuk-date-input__item">
                  <div className="govuk-form-group">
                    <label className="govuk-label govuk-date-input__label" htmlFor={`asOf-${part}`}>
                      {part.charAt(0).toUpperCase() + part.slice(1)}
                    </label>
                    <input
                      className={`govuk-input govuk-date-input__input govuk-input--width-${part === 'year' ? 4 : 2}${dateError ? ' govuk-input--error' : ''}`}
                      id={`asOf-${part}`}
                      name={`asOf-${part}`}
                      type="text"
                      inputMode="numeric"
                      value={date[part]}
                      onChange={(e) => setDate({ ...date, [part]: e.target.value })}
                    />
                  </div>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <div className="govuk-form-group">
          <label className="govuk-label" htmlFor="financialYear">
            Identified in (financial year)
          </label>
          <select className="govuk-select" id="financialYear" name="financialYear" value={form.financialYear ?? ''} onChange={(e) => setForm({ ...form, financialYear: e.target.value || undefined })}>
            <option value="">All years</option>
            {(dashboard?.choices.financialYears ?? []).map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </div>
        {dashboard && !dashboard.suppressed ? (
          <div className="govuk-form-group">
            <label className="govuk-label" htmlFor="keyworker">
              Keyworker
            </label>
            <select className="govuk-select" id="keyworker" name="keyworker" value={form.keyworker ?? ''} onChange={(e) => setForm({ ...form, keyworker: e.target.value || undefined })}>
              <option value="">All keyworkers</option>
              {dashboard.choices.keyworkers.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="govuk-form-group">
          <label className="govuk-label" htmlFor="problem">
            Problem at entry
          </label>
          <select className="govuk-select" id="problem" name="problem" value={form.problem ?? ''} onChange={(e) => setForm({ ...form, problem: e.target.value || undefined })}>
            <option value="">All problems</option>
            {Object.entries(PROBLEM_NAMES).map(([k, name]) => (
              <option key={k} value={k}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="govuk-button-group">
          <button type="submit" className="govuk-button">
            Apply filters
          </button>
          <a
            className="govuk-link"
            href="/dashboard"
            onClick={(e) => {
              e.preventDefault();
              navigate('/dashboard');
            }}
          >
            Clear filters
          </a>
        </div>
      </form>
      <Loading active={loading}>Loading the figures…</Loading>
      {error ? (
        <div className="govuk-error-summary" role="alert">
          <h2 className="govuk-error-summary__title">The figures could not be loaded</h2>
          <div className="govuk-error-summary__body">
            <p className="govuk-body">{error}</p>
          </div>
        </div>
      ) : null}
      {figures.length > 0 ? (
        <nav aria-label="Figures on this page" className="app-contents">
          <h2 className="govuk-heading-s">On this page</h2>
          <ul className="govuk-list">
            {figures.map((f) => (
              <li key={f.name}>
                <a className="govuk-link" href={`#figure-${f.name}`}>
                  {f.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <div aria-busy={loading}>
        {figures.map((f) => (
          <FigureView key={f.name} figure={f} csvPath={`${csvBase}${f.name}`} withheldNote={dashboard?.suppressed ?? false} />
        ))}
      </div>
    </>
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
