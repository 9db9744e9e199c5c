import { type FormEvent, useEffect, useState } from 'react';
import { ApiProblem, type User, getJson } from '../api';
import { AppLink } from '../components/Layout';
import { Loading } from '../components/Loading';
import { count, ukDate } from '../format';
import { navigate } from '../router';

interface Match {
  memberId: string;
  relationship: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
}

interface Found {
  familyId: string;
  reference: string;
  status: string;
  attachedOn: string | null;
  keyworker?: string | null;
  matches?: Match[];
}

interface Answer {
  families: Found[];
  total: number;
  page: number;
  pages: number;
}

const FIELDS = ['reference', 'name', 'dateOfBirth', 'postcode'] as const;
const LABELS: Record<string, string> = { reference: 'Family reference', name: "A member's name", dateOfBirth: 'Date of birth', postcode: 'Postcode', sort: 'Sort by', order: 'Order', page: 'Page' };
const PAGE_SIZE = 20;

/**
 * Issue 20.1: find a family by reference, a member's name (spelt roughly), date of birth or
 * postcode (GET /api/families), sorted, counted and in pages. The search is in the address, so a
 * result can be bookmarked and the back button returns to it. Finance officers search by reference.
 */
export function FindFamilyPage({ user, search }: { user: User; search: URLSearchParams }) {
  const byReferenceOnly = user.role === 'finance-officer';
  const fields = byReferenceOnly ? (['reference'] as const) : FIELDS;
  const query = search.toString();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries([...fields, 'sort', 'order'].map((f) => [f, search.get(f) ?? ''])));
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    document.title = 'Find a family – Family outcomes ledger';
  }, []);
  useEffect(() => {
    setValues(Object.fromEntries([...fields, 'sort', 'order'].map((f) => [f, search.get(f) ?? ''])));
    const controller = new AbortController();
    const params = new URLSearchParams(search);
    params.set('limit', String(PAGE_SIZE));
    setLoading(true);
    getJson<Answer>(`/api/families?${params.toString()}`, controller.signal)
      .then((a) => {
        setAnswer(a);
        setProblem(null);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setAnswer(null);
        setProblem(e instanceof ApiProblem ? e : new ApiProblem(0, String(e)));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [query]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v.trim() !== '') params.set(k, v.trim());
    navigate(`/find-a-family${params.toString() ? `?${params.toString()}` : ''}`);
  };
  const pageLink = (n: number) => {
    const params = new URLSearchParams(search);
    params.set('page', String(n));
    return `/find-a-family?${params.toString()}`;
  };
  const fieldError = (field: string) => problem?.details.find((d) => d.field === field)?.message;

  return (
    <>
      <h1 className="govuk-heading-l">Find a family</h1>
      {problem && problem.details.length > 0 ? (
        <div className="govuk-error-summary" data-module="govuk-error-summary" role="alert" tabIndex={-1}>
          <h2 className="govuk-error-summary__title">There is a problem</h2>
          <div className="govuk-error-summary__body">
            <ul className="govuk-list govuk-error-summary__list">
              {problem.details.map((d) => (
                <li key={d.field}>
                  <a href={`#${d.field}`}>
                    {LABELS[d.field] ?? d.field}: {d.message}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      <form className="app-find-form" onSubmit={submit} action="/find-a-family" method="get" noValidate>
        <p className="govuk-body">
          {byReferenceOnly
            ? 'Search by family reference (finance officers see references and money only).'
            : 'Search by family reference, or by a member\u2019s name, date of birth or postcode. Names are found in any case, without accents and with a letter wrong.'}
        </p>
        <div className="app-find-form__fields">
          {fields.map((field) => (
            <div key={field} className={`govuk-form-group${fieldError(field) ? ' govuk-form-group--error' : ''}`}>
              <label className="govuk-label" htmlFor={field}>
                {LABELS[field]}
              </label>
              {field === 'dateOfBirth' ? (
                <div className="govuk-hint" id={`${field}-hint`}>
                  For example, 2 October 2007
                </div>
              ) : null}
              {fieldError(field) ? (
                <p className="govuk-error-message" id={`${field}-error`}>
                  <span className="govuk-visually-hidden">Error:</span> {fieldError(field)}
                </p>
              ) : null}
              <input
                className="govuk-input govuk-!-width-full"
                id={field}
                name={field}
                type={field === 'dateOfBirth' ? 'date' : 'text'}
                autoComplete="off"
                spellCheck={false}
                aria-describedby={[field === 'dateOfBirth' ? `${field}-hint` : '', fieldError(field) ? `${field}-error` : ''].filter(Boolean).join(' ') || undefined}
                value={values[field] ?? ''}
                onChange={(e) => setValues({ ...values, [field]: e.target.value })}
              />
            </div>
          ))}
          <div className="govuk-form-group">
            <label className="govuk-label" htmlFor="sort">
              Sort by
            </label>
            <select className="govuk-select" id="sort" name="sort" value={values.sort ?? ''} onChange={(e) => setValues({ ...values, sort: e.target.value })}>
              <option value="">No order</option>
              <option value="reference">Reference</option>
              <option value="attachedOn">Attachment date</option>
              {byReferenceOnly ? null : <option value="keyworker">Keyworker</option>}
            </select>
          </div>
          <div className="govuk-form-group">
            <label className="govuk-label" htmlFor="order">
              Order
            </label>
            <select className="govuk-select" id="order" name="order" value={values.order ?? ''} onChange={(e) => setValues({ ...values, order: e.target.value })}>
              <option value="">Ascending</option>
              <option value="desc">Descending</option>
            </select>
          </div>
        </div>
        <button type="submit" className="govuk-button" data-module="govuk-button">
          Search
        </button>
      </form>
      <Loading active={loading}>Searching…</Loading>
      {problem && problem.details.length === 0 ? <p className="govuk-error-message">{problem.message}</p> : null}
      {answer ? (
        <>
          <h2 className="govuk-heading-m" data-testid="found-count">
            {answer.total === 1 ? '1 family found' : `${count(answer.total)} families found`}
          </h2>
          <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Families found">
            <table className="govuk-table app-table" aria-busy={loading}>
              <caption className="govuk-table__caption govuk-visually-hidden">Families found</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {['Reference', 'Status', 'Attached on', ...(byReferenceOnly ? [] : ['Keyworker', 'People found'])].map((h) => (
                    <th key={h} scope="col" className="govuk-table__header">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {answer.families.map((f) => (
                  <tr key={f.familyId} className="govuk-table__row" data-found={f.familyId}>
                    <th scope="row" className="govuk-table__header">
                      <AppLink to={`/families/${f.familyId}`}>{f.reference}</AppLink>
                    </th>
                    <td className="govuk-table__cell">{f.status}</td>
                    <td className="govuk-table__cell">{f.attachedOn ? ukDate(f.attachedOn) : '–'}</td>
                    {byReferenceOnly ? null : (
                      <>
                        <td className="govuk-table__cell">{f.keyworker ?? '–'}</td>
                        <td className="govuk-table__cell" data-key="matches">
                          {(f.matches ?? []).map((m) => `${m.givenName} ${m.familyName} (${m.relationship}, born ${ukDate(m.dateOfBirth)})`).join('; ') || '–'}
                        </td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {answer.pages > 1 ? (
            <nav className="govuk-pagination" aria-label="Pages of results">
              {answer.page > 1 ? (
                <div className="govuk-pagination__prev">
                  <AppLink to={pageLink(answer.page - 1)} className="govuk-link govuk-pagination__link">
                    <span className="govuk-pagination__link-title">Previous page</span>
                  </AppLink>
                </div>
              ) : null}
              <p className="govuk-body govuk-!-margin-bottom-0">
                Page {answer.page} of {answer.pages}
              </p>
              {answer.page < answer.pages ? (
                <div className="govuk-pagination__next">
                  <AppLink to={pageLink(answer.page + 1)} className="govuk-link govuk-pagination__link">
                    <span className="govuk-pagination__link-title">Next page</span>
                  </AppLink>
                </div>
              ) : null}
            </nav>
          ) : null}
        </>
      ) : null}
    </>
  );
}
