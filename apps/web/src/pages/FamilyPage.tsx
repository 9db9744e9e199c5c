import { type FormEvent, useEffect, useState } from 'react';
import { ApiProblem, type User, getJson } from '../api';
import { PROBLEM_NAMES } from '../components/FigureView';
import { AppLink } from '../components/Layout';
import { Loading } from '../components/Loading';
import { Table } from '../components/Table';
import { todayInLondon, ukDate } from '../format';
import { navigate } from '../router';

interface Member {
  memberId: string;
  relationship: string;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
}

interface Family {
  familyId: string;
  reference: string;
  status: string;
  identifiedOn?: string;
  attachedOn?: string | null;
  keyworker?: string | null;
  problemsAtEntry?: string[];
  closedOn?: string | null;
  members: Member[];
}

interface Entry {
  eventId: string;
  type: string;
  on: string;
  recordedOn: string;
  text: string;
  problem?: string;
  corrected?: { on: string; byEventId: string; replacedBy: string | null; reason?: string };
  replaces?: { eventId: string; text: string; reason?: string };
}

interface Progress {
  asOf: string;
  knownAt?: string;
  planVersion: number;
  attachedOn: string | null;
  problems: { problem: string; met: boolean; detail: string; evidenceEventIds: string[]; overridden?: unknown }[];
  routes: { sustainedProgress: boolean; continuousEmployment: boolean };
  continuousEmployment: { met: boolean; detail: string; evidenceEventIds: string[] };
  claimable: boolean;
  claimedIn?: string;
}

const attachedOnOf = (family: Family) => family.attachedOn ?? null;

/** Age in whole years on a date. */
function ageOn(dateOfBirth: string, on: string): number {
  const [by = NaN, bm = NaN, bd = NaN] = dateOfBirth.split('-').map(Number);
  const [y = NaN, m = NaN, d = NaN] = on.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const ERASED = '[erased]';

/**
 * Issue 20.2: a family's page. Its members (names and ages where the role may see them), keyworker,
 * status and problems at entry with their indicators; the timeline in words
 * (GET /api/families/:id/timeline), corrections shown with what they replaced; progress as of any
 * date, and as known then (`knownAt`), each problem's reason naming people, its evidence linked to
 * the timeline. A finance officer sees the reference and status only.
 */
export function FamilyPage({ user, familyId, search }: { user: User; familyId: string; search: URLSearchParams }) {
  const finance = user.role === 'finance-officer';
  const today = todayInLondon();
  const asOf = search.get('asOf') ?? today;
  const knownAt = search.get('knownAt') ?? '';
  const [family, setFamily] = useState<Family | null>(null);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progressError, setProgressError] = useState<ApiProblem | null>(null);
  const [form, setForm] = useState({ asOf, knownAt });

  useEffect(() => {
    const controller = new AbortController();
    getJson<Family>(`/api/families/${familyId}`, controller.signal)
      .then((f) => {
        setFamily(f);
        document.title = `Family ${f.reference} – Family outcomes ledger`;
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(e instanceof Error ? e.message : String(e)));
    if (!finance) {
      getJson<{ entries: Entry[] }>(`/api/families/${familyId}/timeline`, controller.signal)
        .then((t) => setEntries(t.entries))
        .catch((e: unknown) => !controller.signal.aborted && setError(e instanceof Error ? e.message : String(e)));
    }
    return () => controller.abort();
  }, [familyId, finance]);

  useEffect(() => {
    setForm({ asOf, knownAt });
    if (finance) return;
    const controller = new AbortController();
    const params = new URLSearchParams({ asOf, ...(knownAt ? { knownAt } : {}) });
    getJson<Progress>(`/api/families/${familyId}/progress?${params.toString()}`, controller.signal)
      .then((p) => {
        setProgress(p);
        setProgressError(null);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setProgress(null);
        setProgressError(e instanceof ApiProblem ? e : new ApiProblem(0, String(e)));
      });
    return () => controller.abort();
  }, [familyId, asOf, knownAt, finance]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = new URLSearchParams();
    if (form.asOf) params.set('asOf', form.asOf);
    if (form.knownAt) params.set('knownAt', form.knownAt);
    navigate(`/families/${familyId}?${params.toString()}`);
  };

  if (error) {
    return (
      <>
        <h1 className="govuk-heading-l">Family</h1>
        <p className="govuk-error-message">{error}</p>
      </>
    );
  }
  if (!family) return <Loading active>Loading the family…</Loading>;

  const attachedOn = family.attachedOn ?? null;
  const problemEntries = (entries ?? []).filter((e) => e.type === 'HeadlineProblemIdentified' && !e.corrected && (attachedOn === null || e.on <= attachedOn));
  const evidence = new Set(progress ? [...progress.problems.flatMap((p) => p.evidenceEventIds), ...progress.continuousEmployment.evidenceEventIds] : []);
  const fieldError = (field: string) => progressError?.details.find((d) => d.field === field)?.message;

  return (
    <>
      <span className="govuk-caption-l">Family</span>
      <h1 className="govuk-heading-l">{family.reference}</h1>
      {user.role === 'programme-manager' || user.role === 'keyworker' ? (
        <p className="govuk-body">
          <AppLink to={`/families/${family.familyId}/record`}>Record what happened</AppLink>
          {' · '}
          <AppLink to={`/families/${family.familyId}/manage`}>
            {user.role !== 'programme-manager' ? 'Add a person or a problem' : attachedOnOf(family) ? 'Add a problem or record an override' : 'Add a problem or attach the family'}
          </AppLink>
        </p>
      ) : null}
      <dl className="govuk-summary-list" data-testid="family-summary">
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Status</dt>
          <dd className="govuk-summary-list__value">{family.status}</dd>
        </div>
        {family.identifiedOn ? (
          <div className="govuk-summary-list__row">
            <dt className="govuk-summary-list__key">Identified on</dt>
            <dd className="govuk-summary-list__value">{ukDate(family.identifiedOn)}</dd>
          </div>
        ) : null}
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Attached on</dt>
          <dd className="govuk-summary-list__value">{attachedOn ? ukDate(attachedOn) : 'Not attached'}</dd>
        </div>
        {finance ? null : (
          <div className="govuk-summary-list__row">
            <dt className="govuk-summary-list__key">Keyworker</dt>
            <dd className="govuk-summary-list__value" data-key="keyworker">
              {family.keyworker ?? '–'}
            </dd>
          </div>
        )}
        {family.closedOn ? (
          <div className="govuk-summary-list__row">
            <dt className="govuk-summary-list__key">Case closed on</dt>
            <dd className="govuk-summary-list__value">{ukDate(family.closedOn)}</dd>
          </div>
        ) : null}
      </dl>

      <h2 className="govuk-heading-m">Members</h2>
      <Table
        testId="members"
        caption="Members"
        captionClass="govuk-visually-hidden"
        head={[...(finance ? [] : ['Name', 'Age']), 'Relationship']}
        rows={family.members.map((m) => ({
          key: m.memberId,
          cells: [
            ...(finance
              ? []
              : [
                  m.givenName === ERASED || !m.givenName ? 'Details erased' : `${m.givenName} ${m.familyName ?? ''}`.trim(),
                  m.dateOfBirth && m.dateOfBirth !== ERASED ? `${ageOn(m.dateOfBirth, today)} (born ${ukDate(m.dateOfBirth)})` : '–',
                ]),
            m.relationship,
          ],
        }))}
      />

      {finance ? (
        <p className="govuk-body">Finance officers see a family&rsquo;s reference, status and money only.</p>
      ) : (
        <>
          <h2 className="govuk-heading-m">Problems at entry</h2>
          {(family.problemsAtEntry ?? []).length === 0 ? (
            <p className="govuk-body">None yet: the family is not attached.</p>
          ) : (
            <ul className="govuk-list govuk-list--bullet" data-testid="problems-at-entry">
              {(family.problemsAtEntry ?? []).map((p) => (
                <li key={p}>
                  <strong>{PROBLEM_NAMES[p] ?? p}</strong>
                  {problemEntries
                    .filter((e) => e.problem === p)
                    .map((e) => (
                      <span key={e.eventId}> — {indicatorWords(e.text)}</span>
                    ))}
                </li>
              ))}
            </ul>
          )}

          <h2 className="govuk-heading-m" id="progress">
            Progress
          </h2>
          <form onSubmit={submit} className="app-find-form" noValidate>
            <div className="app-find-form__fields">
              <div className={`govuk-form-group${fieldError('asOf') ? ' govuk-form-group--error' : ''}`}>
                <label className="govuk-label" htmlFor="asOf">
                  As of
                </label>
                {fieldError('asOf') ? <p className="govuk-error-message">{fieldError('asOf')}</p> : null}
                <input className="govuk-input" id="asOf" name="asOf" type="date" value={form.asOf} onChange={(e) => setForm({ ...form, asOf: e.target.value })} />
              </div>
              <div className={`govuk-form-group${fieldError('knownAt') ? ' govuk-form-group--error' : ''}`}>
                <label className="govuk-label" htmlFor="knownAt">
                  As known on (optional)
                </label>
                <div className="govuk-hint" id="knownAt-hint">
                  Only what had been recorded by the end of that day
                </div>
                {fieldError('knownAt') ? <p className="govuk-error-message">{fieldError('knownAt')}</p> : null}
                <input
                  className="govuk-input"
                  id="knownAt"
                  name="knownAt"
                  type="date"
                  aria-describedby="knownAt-hint"
                  value={form.knownAt}
                  onChange={(e) => setForm({ ...form, knownAt: e.target.value })}
                />
              </div>
            </div>
            <button type="submit" className="govuk-button govuk-button--secondary">
              Show progress
            </button>
          </form>
          {progressError ? <p className="govuk-error-message">{progressError.message}</p> : null}
          {progress ? (
            <div data-testid="progress">
              <p className="govuk-body" data-testid="progress-summary">
                As of {ukDate(progress.asOf)}
                {progress.knownAt ? `, as known on ${ukDate(progress.knownAt)}` : ''} (Outcome Plan version {progress.planVersion}):{' '}
                <strong>
                  {progress.claimable
                    ? `a result holds (${[progress.routes.sustainedProgress ? 'significant and sustained progress' : '', progress.routes.continuousEmployment ? 'continuous employment' : ''].filter(Boolean).join(' and ')})`
                    : 'no result yet'}
                </strong>
                {progress.claimedIn ? ', claimed' : ''}.
              </p>
              <table className="govuk-table">
                <caption className="govuk-table__caption govuk-table__caption--s">Each problem in scope</caption>
                <thead className="govuk-table__head">
                  <tr className="govuk-table__row">
                    {['Problem', 'Met', 'Why', 'Evidence'].map((h) => (
                      <th key={h} scope="col" className="govuk-table__header">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="govuk-table__body">
                  {[
                    ...progress.problems.map((p) => ({ key: p.problem, label: PROBLEM_NAMES[p.problem] ?? p.problem, met: p.met, detail: p.detail, ids: p.evidenceEventIds })),
                    {
                      key: 'continuous-employment',
                      label: 'Continuous employment (route)',
                      met: progress.continuousEmployment.met,
                      detail: progress.continuousEmployment.detail,
                      ids: progress.continuousEmployment.evidenceEventIds,
                    },
                  ].map((row) => (
                    <tr key={row.key} className="govuk-table__row" data-problem={row.key}>
                      <th scope="row" className="govuk-table__header">
                        {row.label}
                      </th>
                      <td className="govuk-table__cell">{row.met ? 'Met' : 'Not yet'}</td>
                      <td className="govuk-table__cell">{row.detail}</td>
                      <td className="govuk-table__cell">
                        {row.ids.length === 0
                          ? '–'
                          : row.ids.map((id, i) => (
                              <span key={id}>
                                {i > 0 ? ', ' : ''}
                                <a className="govuk-link" href={`#event-${id}`}>
                                  fact {i + 1}
                                </a>
                              </span>
                            ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}

          <h2 className="govuk-heading-m">Timeline</h2>
          {entries === null ? (
            <Loading active>Loading the timeline…</Loading>
          ) : (
            <ol className="app-timeline" data-testid="timeline">
              {entries.map((e) => (
                <li
                  key={e.eventId}
                  id={`event-${e.eventId}`}
                  className={`app-timeline__item${e.corrected ? ' app-timeline__item--corrected' : ''}${evidence.has(e.eventId) ? ' app-timeline__item--evidence' : ''}`}
                  data-event={e.eventId}
                >
                  <p className="govuk-body-s app-timeline__date">
                    {ukDate(e.on)}
                    {e.recordedOn !== e.on ? ` · recorded ${ukDate(e.recordedOn)}` : ''}
                  </p>
                  <p className="govuk-body app-timeline__text">
                    {e.corrected ? <del>{e.text}</del> : e.text}
                    {e.corrected ? <span className="app-timeline__note"> — corrected {ukDate(e.corrected.on)}</span> : null}
                  </p>
                  {e.replaces ? (
                    <p className="govuk-body-s app-timeline__note">
                      Correction: replaces &ldquo;{e.replaces.text}&rdquo;{e.replaces.reason ? ` (${e.replaces.reason})` : ''}
                    </p>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}

/** "Problem identified: education (Jo), 3+ exclusions, source school" → "Jo: 3+ exclusions, source school". */
function indicatorWords(text: string): string {
  const rest = text.replace(/^Problem identified: [^(,]+/, '').trim();
  const named = /^\(([^)]+)\), (.*)$/.exec(rest);
  return named ? `${named[1]}: ${named[2]}` : rest.replace(/^, /, '');
}
