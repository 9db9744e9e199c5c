import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, getJson, newIdempotencyKey, sendCommand } from '../api';
import { AppLink } from '../components/Layout';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, SelectField, dateOf, fieldErrorsOf } from '../components/Form';
import { Loading } from '../components/Loading';
import { count, money, ukDate } from '../format';
import { plainReason } from '../record/plain-words';
import { ClaimWindowForm } from '../manage/FinanceForms';
import { navigate } from '../router';

export interface ClaimSummary {
  claimId: string;
  status: string;
  windowId: string | null;
  asOf: string;
  totalPence: number;
  draftedOn?: string;
  submission: { submittedOn: string; totalPence: number } | null;
  payment: { receivedOn: string; amountPence: number } | null;
}

interface ClaimWindow {
  windowId: string;
  opensOn: string;
  closesOn: string;
  expectedPaymentOn: string;
}

/** `GET /api/claims/preview`: the families a draft as of the date would hold, with their amounts and the total. */
interface Preview {
  asOf: string;
  families: { familyId: string; reference: string; routes: string[]; route: string | null; planVersion?: number; amountPence: number; afterInvalidFinding?: unknown }[];
  totalPence: number;
}

export const STATUS_NAMES: Record<string, string> = {
  draft: 'Draft',
  sampled: 'Sampled for audit',
  audited: 'Audited',
  'signed-off': 'Signed off',
  submitted: 'Submitted',
  paid: 'Paid',
  withdrawn: 'Withdrawn',
};

export const ROUTE_NAMES: Record<string, string> = {
  'sustained-progress': 'Significant and sustained progress',
  'continuous-employment': 'Continuous employment',
};

/** Issue 20.4: the claims by status, and (for a finance officer) a draft for a window, previewed first. */
export function ClaimsPage({ user, search }: { user: User; search: URLSearchParams }) {
  const status = search.get('status') ?? '';
  const [claims, setClaims] = useState<ClaimSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    document.title = 'Claims – Family outcomes ledger';
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    getJson<{ claims: ClaimSummary[] }>(`/api/claims${status ? `?status=${encodeURIComponent(status)}` : ''}`, controller.signal)
      .then((a) => {
        setClaims(a.claims);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [status]);

  return (
    <>
      <h1 className="govuk-heading-l">Results claims</h1>
      <nav aria-label="Claims by status">
        <ul className="govuk-list app-status-filter">
          {['', ...Object.keys(STATUS_NAMES)].map((s) => (
            <li key={s || 'all'}>
              {s === status ? (
                <strong aria-current="page">{s ? STATUS_NAMES[s] : 'All claims'}</strong>
              ) : (
                <AppLink to={s ? `/claims?status=${s}` : '/claims'}>{s ? STATUS_NAMES[s] : 'All claims'}</AppLink>
              )}
            </li>
          ))}
        </ul>
      </nav>
      <Loading active={loading}>Loading claims…</Loading>
      {error ? <p className="govuk-error-message">{error}</p> : null}
      {claims ? (
        <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Claims">
          <table className="govuk-table app-table" data-testid="claims">
            <caption className="govuk-table__caption govuk-table__caption--m">{status ? `${STATUS_NAMES[status] ?? status} claims` : 'All claims'}</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {['Window', 'As of', 'Status', 'Total', 'Submitted', 'Paid'].map((h) => (
                  <th key={h} scope="col" className="govuk-table__header">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {claims.length === 0 ? (
                <tr className="govuk-table__row">
                  <td className="govuk-table__cell" colSpan={6}>
                    No claims.
                  </td>
                </tr>
              ) : (
                claims.map((c) => (
                  <tr key={c.claimId} className="govuk-table__row" data-claim={c.claimId}>
                    <th scope="row" className="govuk-table__header">
                      <AppLink to={`/claims/${c.claimId}`}>{c.windowId ?? 'No window'}</AppLink>
                    </th>
                    <td className="govuk-table__cell">{ukDate(c.asOf)}</td>
                    <td className="govuk-table__cell" data-key="status">
                      {STATUS_NAMES[c.status] ?? c.status}
                    </td>
                    <td className="govuk-table__cell">{money(c.totalPence)}</td>
                    <td className="govuk-table__cell">{c.submission ? ukDate(c.submission.submittedOn) : '–'}</td>
                    <td className="govuk-table__cell">{c.payment ? `${money(c.payment.amountPence)} on ${ukDate(c.payment.receivedOn)}` : '–'}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      ) : null}
      {user.role === 'finance-officer' || user.role === 'admin' ? <DraftClaim /> : null}
      {/* POST /api/claim-windows is the programme manager's too (finance officers add windows on the ledger page). */}
      {user.role === 'programme-manager' ? (
        <section className="app-figure">
          <ClaimWindowForm onRecorded={() => undefined} />
        </section>
      ) : null}
    </>
  );
}

/** A finance officer drafts a claim for a window as of a date, after a preview of the families and routes. */
function DraftClaim() {
  const [windows, setWindows] = useState<ClaimWindow[]>([]);
  const [windowId, setWindowId] = useState('');
  const [asOf, setAsOf] = useState<DateParts>(NO_DATE);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  useEffect(() => {
    getJson<{ windows: ClaimWindow[] }>('/api/claim-windows')
      .then((a) => setWindows(a.windows))
      .catch(() => setWindows([]));
  }, []);

  const chosen = windows.find((w) => w.windowId === windowId);

  async function showPreview(e: FormEvent) {
    e.preventDefault();
    setPreview(null);
    const date = dateOf(asOf);
    if (!date) {
      setError({ fields: { asOf: 'Enter the date the claim is as of' } });
      return;
    }
    try {
      setPreview(await getJson<Preview>(`/api/claims/preview?asOf=${encodeURIComponent(date)}`));
      setError(null);
    } catch (problem) {
      if (problem instanceof ApiProblem && problem.status === 400) {
        const { fields, unplaced } = fieldErrorsOf(problem, ['asOf'], '', { asOf: 'As of' });
        setError({ fields, message: unplaced.join('. ') || undefined });
      } else setError({ message: problem instanceof ApiProblem ? plainReason(problem) : String(problem), fields: {} });
    }
  }

  async function draft() {
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    try {
      const answer = await sendCommand<{ claimId: string }>('/api/claims', { ...(windowId ? { windowId } : {}), asOf: dateOf(asOf) }, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      navigate(`/claims/${answer.body.claimId}`);
    } catch (problem) {
      if (!(problem instanceof ApiProblem)) {
        setError({ message: 'The ledger did not answer. Send it again: the claim will be drafted once.', fields: {} });
        return;
      }
      key.current = newIdempotencyKey();
      const { fields, unplaced } = problem.status === 400 ? fieldErrorsOf(problem, ['windowId', 'asOf'], '', { windowId: 'Claim window', asOf: 'As of' }) : { fields: {}, unplaced: [] };
      setError({ fields, message: problem.status === 400 ? unplaced.join('. ') || undefined : plainReason(problem) });
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  const routesCount = (route: string) => preview?.families.filter((f) => (f.route ?? f.routes[0]) === route).length ?? 0;
  return (
    <section className="app-figure" aria-labelledby="draft-title">
      <h2 className="govuk-heading-m" id="draft-title">
        Draft a claim
      </h2>
      <form onSubmit={(e) => void showPreview(e)} noValidate>
        <ErrorSummary error={error} />
        <SelectField
          name="windowId"
          label="Claim window"
          value={windowId}
          onChange={(v) => {
            setWindowId(v);
            setPreview(null);
          }}
          error={error?.fields.windowId}
          options={[{ value: '', label: 'Choose a window' }, ...windows.map((w) => ({ value: w.windowId, label: `${w.windowId}: ${ukDate(w.opensOn)} to ${ukDate(w.closesOn)}` }))]}
        />
        <DateField
          name="asOf"
          legend="As of"
          hint={chosen ? `A date from ${ukDate(chosen.opensOn)} to ${ukDate(chosen.closesOn)}, for example the window's last day` : 'The date the results are judged at'}
          value={asOf}
          onChange={(v) => {
            setAsOf(v);
            setPreview(null);
          }}
          error={error?.fields.asOf}
        />
        <button type="submit" className="govuk-button govuk-button--secondary">
          Preview the families
        </button>
      </form>
      {preview ? (
        <div data-testid="preview">
          <h3 className="govuk-heading-s">
            {count(preview.families.length)} {preview.families.length === 1 ? 'family has' : 'families have'} a result as of {ukDate(preview.asOf)} and {preview.families.length === 1 ? 'is' : 'are'}{' '}
            not yet claimed
          </h3>
          <p className="govuk-body">
            {ROUTE_NAMES['sustained-progress']}: {count(routesCount('sustained-progress'))} · {ROUTE_NAMES['continuous-employment']}: {count(routesCount('continuous-employment'))}. Each family is
            priced at the framework's rate for the year it was attached in; families found invalid by internal audit are left out unless new evidence was recorded since.
          </p>
          <p className="govuk-body govuk-!-font-weight-bold" data-testid="preview-total" data-pence={preview.totalPence}>
            Total: {money(preview.totalPence)}
          </p>
          {preview.families.length > 0 ? (
            <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Families in the preview">
              <table className="govuk-table app-table">
                <caption className="govuk-table__caption govuk-visually-hidden">Families in the preview</caption>
                <thead className="govuk-table__head">
                  <tr className="govuk-table__row">
                    <th scope="col" className="govuk-table__header">
                      Reference
                    </th>
                    <th scope="col" className="govuk-table__header">
                      Route claimed
                    </th>
                    <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody className="govuk-table__body">
                  {preview.families.map((f) => (
                    <tr key={f.familyId} className="govuk-table__row">
                      <th scope="row" className="govuk-table__header">
                        {f.reference}
                      </th>
                      <td className="govuk-table__cell">{f.route ? (ROUTE_NAMES[f.route] ?? f.route) : f.routes.map((r) => ROUTE_NAMES[r] ?? r).join(', ')}</td>
                      <td className="govuk-table__cell govuk-table__cell--numeric">{money(f.amountPence)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <button type="button" className="govuk-button" disabled={busy || preview.families.length === 0} aria-disabled={busy || preview.families.length === 0} onClick={() => void draft()}>
            Draft the claim
          </button>
        </div>
      ) : null}
    </section>
  );
}
