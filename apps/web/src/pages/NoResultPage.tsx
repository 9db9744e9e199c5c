import { type FormEvent, useEffect, useState } from 'react';
import { getJson } from '../api';
import { PROBLEM_NAMES } from '../components/FigureView';
import { AppLink } from '../components/Layout';
import { Loading } from '../components/Loading';
import { count, todayInLondon, ukDate } from '../format';
import { navigate } from '../router';

interface Listed {
  familyId: string;
  reference: string;
  keyworker: string;
  attachedOn: string;
  monthsAttached: number;
  band: '6-to-12-months' | 'more-than-12-months';
  problemsUnmet: string[];
}

interface Answer {
  asOf: string;
  counts: Record<Listed['band'], number>;
  families: Listed[];
}

const BANDS: { band: Listed['band']; title: string }[] = [
  { band: 'more-than-12-months', title: 'Attached more than 12 months' },
  { band: '6-to-12-months', title: 'Attached 6 to 12 months' },
];

/**
 * Issue 20.6, DOMAIN.md 4.3: the programme manager's work list of families attached 6 and 12
 * months with no result, with the problems still unmet (GET /api/work-lists/no-result).
 */
export function NoResultPage({ search }: { search: URLSearchParams }) {
  const asOf = search.get('asOf') ?? todayInLondon();
  const [form, setForm] = useState(asOf);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    document.title = 'Families with no result yet – Family outcomes ledger';
  }, []);
  useEffect(() => {
    setForm(asOf);
    const controller = new AbortController();
    setLoading(true);
    getJson<Answer>(`/api/work-lists/no-result?asOf=${encodeURIComponent(asOf)}`, controller.signal)
      .then((a) => {
        setAnswer(a);
        setError(null);
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [asOf]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/no-result?asOf=${encodeURIComponent(form)}`);
  };

  return (
    <>
      <h1 className="govuk-heading-l">Families with no result yet</h1>
      <p className="govuk-body">Open families attached for 6 months or more with no result and not claimed, longest attached first, with the problems still unmet.</p>
      <form onSubmit={submit} noValidate>
        <div className="govuk-form-group">
          <label className="govuk-label" htmlFor="asOf">
            As of
          </label>
          <input className="govuk-input govuk-input--width-10" id="asOf" name="asOf" type="date" value={form} onChange={(e) => setForm(e.target.value)} />
        </div>
        <button type="submit" className="govuk-button govuk-button--secondary">
          Show the list
        </button>
      </form>
      <Loading active={loading}>Loading the list…</Loading>
      {error ? <p className="govuk-error-message">{error}</p> : null}
      {answer
        ? BANDS.map(({ band, title }) => {
            const families = answer.families.filter((f) => f.band === band);
            return (
              <section key={band} data-band={band}>
                <h2 className="govuk-heading-m">
                  {title}: <span data-testid={`count-${band}`}>{count(answer.counts[band])}</span>
                </h2>
                <div className="app-table-scroll" tabIndex={0} role="region" aria-label={title}>
                  <table className="govuk-table app-table">
                    <caption className="govuk-table__caption govuk-visually-hidden">{title}</caption>
                    <thead className="govuk-table__head">
                      <tr className="govuk-table__row">
                        {['Reference', 'Keyworker', 'Attached on', 'Months attached', 'Problems still unmet'].map((h) => (
                          <th key={h} scope="col" className="govuk-table__header">
                            {h}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody className="govuk-table__body">
                      {families.length === 0 ? (
                        <tr className="govuk-table__row">
                          <td className="govuk-table__cell" colSpan={5}>
                            None as of this date.
                          </td>
                        </tr>
                      ) : (
                        families.map((f) => (
                          <tr key={f.familyId} className="govuk-table__row" data-listed={f.familyId}>
                            <th scope="row" className="govuk-table__header">
                              <AppLink to={`/families/${f.familyId}?asOf=${answer.asOf}`}>{f.reference}</AppLink>
                            </th>
                            <td className="govuk-table__cell">{f.keyworker}</td>
                            <td className="govuk-table__cell">{ukDate(f.attachedOn)}</td>
                            <td className="govuk-table__cell">{f.monthsAttached}</td>
                            <td className="govuk-table__cell">{f.problemsUnmet.map((p) => PROBLEM_NAMES[p] ?? p).join(', ') || '–'}</td>
                          </tr>
                        ))
                      )}
                    </tbody>
                  </table>
                </div>
              </section>
            );
          })
        : null}
    </>
  );
}
