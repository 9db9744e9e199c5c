import { useEffect, useState } from 'react';
import { type User, getJson } from '../api';
import { Loading } from '../components/Loading';
import { AppLink } from '../components/Layout';
import { PROBLEM_NAMES } from '../components/FigureView';
import { ukDate } from '../format';

interface FamilySummary {
  familyId: string;
  reference: string;
  status: string;
  identifiedOn: string;
  attachedOn: string | null;
  keyworker: string | null;
  problemsAtEntry: string[];
}

/** The families a user may see (GET /api/families): a keyworker's own, everyone's for the others. */
export function FamiliesPage({ user }: { user: User }) {
  const [pages, setPages] = useState<string[]>(['']);
  const [answer, setAnswer] = useState<{ families: FamilySummary[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const after = pages[pages.length - 1];

  useEffect(() => {
    document.title = 'Families – Family outcomes ledger';
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    getJson<{ families: FamilySummary[]; next: string | null }>(`/api/families?limit=50${after ? `&after=${after}` : ''}`, controller.signal)
      .then((a) => {
        setAnswer(a);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [after]);

  return (
    <>
      <h1 className="govuk-heading-l">{user.role === 'keyworker' ? 'Your families' : 'Families'}</h1>
      {user.role === 'keyworker' ? <p className="govuk-body">The families assigned to you, {user.username}.</p> : null}
      <Loading active={loading}>Loading families…</Loading>
      {error ? <p className="govuk-error-message">{error}</p> : null}
      {answer ? (
        <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Families">
          <table className="govuk-table app-table" aria-busy={loading}>
            <caption className="govuk-table__caption govuk-visually-hidden">Families</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {['Reference', 'Status', 'Identified on', 'Attached on', 'Keyworker', 'Problems at entry'].map((h) => (
                  <th key={h} scope="col" className="govuk-table__header">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {answer.families.length === 0 ? (
                <tr className="govuk-table__row">
                  <td className="govuk-table__cell" colSpan={6}>
                    No families.
                  </td>
                </tr>
              ) : (
                answer.families.map((f) => (
                  <tr key={f.familyId} className="govuk-table__row" data-family={f.familyId}>
                    <th scope="row" className="govuk-table__header">
                      <AppLink to={`/families/${f.familyId}`}>{f.reference}</AppLink>
                    </th>
                    <td className="govuk-table__cell">{f.status}</td>
                    <td className="govuk-table__cell">{ukDate(f.identifiedOn)}</td>
                    <td className="govuk-table__cell">{f.attachedOn ? ukDate(f.attachedOn) : '–'}</td>
                    <td className="govuk-table__cell" data-key="keyworker">
                      {f.keyworker ?? '–'}
                    </td>
                    <td className="govuk-table__cell">{f.problemsAtEntry.map((p) => PROBLEM_NAMES[p] ?? p).join(', ') || '–'}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="govuk-button-group">
        {pages.length > 1 ? (
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Previous page
          </button>
        ) : null}
        {answer?.next ? (
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setPages([...pages, answer.next as string])}>
            Next page
          </button>
        ) : null}
      </div>
    </>
  );
}
