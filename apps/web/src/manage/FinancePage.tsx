import { type FormEvent, useEffect, useState } from 'react';
import { type User, download, getJson } from '../api';
import { AppLink } from '../components/Layout';
import { Loading } from '../components/Loading';
import { count, money, todayInLondon, ukDate } from '../format';
import { navigate } from '../router';
import { AttachmentProfileForm, ClaimWindowForm, FeeReceiptForm } from './FinanceForms';

const ACCOUNTS: Record<string, string> = {
  'attachment-fees-receivable': 'Attachment fees receivable',
  'results-receivable': 'Results receivable',
  cash: 'Cash',
  'recoveries-payable': 'Recoveries payable',
  'income:attachment-fees': 'Income: attachment fees',
  'income:results': 'Income: results',
  'income:payment-differences': 'Income: payment differences',
};

interface Balances {
  asOf: string;
  accounts: { account: string; balancePence: number }[];
}
interface Entries {
  entries: { eventId: string; on: string; financialYear: string; description: string; claimId: string | null; familyId: string | null; lines: { account: string; amountPence: number }[] }[];
}
interface Group {
  key: string;
  families: number;
  claimedPence: number;
  paidPence: number;
  differencePence: number;
  recoveredPence: number;
}
interface Reconciliation {
  asOf: string;
  byWindow: Group[];
  byFinancialYear: Group[];
  totals: Omit<Group, 'key'>;
}
interface AttachmentFees {
  asOf: string;
  basis: string;
  allocation: number;
  familiesAttached: number;
  placesLeft: number;
  years: { financialYear: string; familiesAttached: number; ratePence: number; duePence: number; receivedPence: number; outstandingPence: number; overpaid: boolean; overpaidPence: number }[];
  totals: { familiesAttached: number; duePence: number; receivedPence: number; outstandingPence: number; overpaidPence: number };
}
interface ClaimSummary {
  claimId: string;
  status: string;
  windowId: string | null;
  asOf: string;
  totalPence: number;
  submission: { submittedOn: string } | null;
}

/** The first day of the financial year a date falls in (1 April). */
function yearStart(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return `${m >= 4 ? y : y - 1}-04-01`;
}

const SHOWN_ENTRIES = 200;

/**
 * The finance officer's ledger and finance reports (issue 20: the users named in README do their
 * job in the browser): the ledger's balances and the year's entries as of a date
 * (`GET /api/ledger/balances`, `/entries`), the reconciliation of claims against payments and
 * recoveries, the attachment fees against the allocation, and every claim's report; each as the
 * API answers it, with its CSV or XLSX (and the claim's PDF) downloaded through the bearer token.
 */
export function FinancePage({ user, search }: { user: User; search: URLSearchParams }) {
  const asOf = search.get('asOf') ?? todayInLondon();
  const [form, setForm] = useState(asOf);
  const [balances, setBalances] = useState<Balances | null>(null);
  const [entries, setEntries] = useState<Entries | null>(null);
  const [reconciliation, setReconciliation] = useState<Reconciliation | null>(null);
  const [fees, setFees] = useState<AttachmentFees | null>(null);
  const [claims, setClaims] = useState<ClaimSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [windows, setWindows] = useState<{ windowId: string; opensOn: string; closesOn: string; expectedPaymentOn: string }[] | null>(null);
  // Moved on by each receipt or window recorded on the page, so the figures are read again.
  const [recorded, setRecorded] = useState(0);
  const financeOfficer = user.role === 'finance-officer';
  const readsLedger = ['finance-officer', 'auditor', 'admin'].includes(user.role);
  const from = yearStart(asOf);

  useEffect(() => {
    document.title = 'Ledger and finance reports – Family outcomes ledger';
  }, []);
  useEffect(() => {
    setForm(asOf);
    const controller = new AbortController();
    const q = `asOf=${encodeURIComponent(asOf)}`;
    const fail = (e: unknown) => {
      if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    };
    setError(null);
    if (readsLedger) {
      getJson<Balances>(`/api/ledger/balances?${q}`, controller.signal).then(setBalances, fail);
      getJson<Entries>(`/api/ledger/entries?from=${from}&to=${encodeURIComponent(asOf)}`, controller.signal).then(setEntries, fail);
    }
    getJson<Reconciliation>(`/api/reports/reconciliation?${q}`, controller.signal).then(setReconciliation, fail);
    getJson<AttachmentFees>(`/api/reports/attachment-fees?${q}`, controller.signal).then(setFees, fail);
    getJson<{ claims: ClaimSummary[] }>('/api/claims', controller.signal).then((a) => setClaims(a.claims), fail);
    getJson<{ windows: { windowId: string; opensOn: string; closesOn: string; expectedPaymentOn: string }[] }>('/api/claim-windows', controller.signal).then((a) => setWindows(a.windows), fail);
    return () => controller.abort();
  }, [asOf, from, readsLedger, recorded]);

  const get = (path: string, filename: string) => {
    setDownloadError(null);
    download(path, filename).catch((e: unknown) => setDownloadError(`${filename} was not downloaded: ${e instanceof Error ? e.message : String(e)}`));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (/^\d{4}-\d{2}-\d{2}$/.test(form)) navigate(`/finance?asOf=${form}`);
  };
  const groupRows = (groups: Group[]) =>
    groups.map((g) => (
      <tr key={g.key} className="govuk-table__row">
        <th scope="row" className="govuk-table__header">
          {g.key}
        </th>
        <td className="govuk-table__cell govuk-table__cell--numeric">{count(g.families)}</td>
        <td className="govuk-table__cell govuk-table__cell--numeric">{money(g.claimedPence)}</td>
        <td className="govuk-table__cell govuk-table__cell--numeric">{money(g.paidPence)}</td>
        <td className="govuk-table__cell govuk-table__cell--numeric">{money(g.differencePence)}</td>
        <td className="govuk-table__cell govuk-table__cell--numeric">{money(g.recoveredPence)}</td>
      </tr>
    ));

  return (
    <>
      <h1 className="govuk-heading-l">Ledger and finance reports</h1>
      <form onSubmit={submit} className="app-find-form" noValidate>
        <div className="govuk-form-group">
          <label className="govuk-label" htmlFor="asOf">
            As of
          </label>
          <input className="govuk-input govuk-input--width-10" id="asOf" name="asOf" type="date" value={form} onChange={(e) => setForm(e.target.value)} />
        </div>
        <button type="submit" className="govuk-button govuk-button--secondary">
          Show
        </button>
      </form>
      {error ? <p className="govuk-error-message">{error}</p> : null}
      {downloadError ? (
        <p className="govuk-error-message" role="alert">
          {downloadError}
        </p>
      ) : null}

      {readsLedger ? (
        <section className="app-figure" aria-labelledby="balances-title">
          <h2 className="govuk-heading-m" id="balances-title">
            Ledger balances on {ukDate(asOf)}
          </h2>
          <Loading active={balances === null}>Loading the balances…</Loading>
          {balances ? (
            <table className="govuk-table" data-testid="balances">
              <caption className="govuk-table__caption govuk-visually-hidden">Balances by account (debits positive; they sum to zero)</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  <th scope="col" className="govuk-table__header">
                    Account
                  </th>
                  <th scope="col" className="govuk-table__header govuk-table__header--numeric">
                    Balance (debit positive)
                  </th>
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {balances.accounts.map((a) => (
                  <tr key={a.account} className="govuk-table__row" data-account={a.account}>
                    <th scope="row" className="govuk-table__header">
                      {ACCOUNTS[a.account] ?? a.account}
                    </th>
                    <td className="govuk-table__cell govuk-table__cell--numeric" data-pence={a.balancePence}>
                      {money(a.balancePence)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <h3 className="govuk-heading-s">
            Entries from {ukDate(from)} to {ukDate(asOf)}
          </h3>
          {entries ? (
            <>
              <p className="govuk-body" data-testid="entries-count">
                {count(entries.entries.length)} entries{entries.entries.length > SHOWN_ENTRIES ? `; the latest ${SHOWN_ENTRIES} are shown, the CSV has them all` : ''}.{' '}
                <button
                  type="button"
                  className="govuk-button govuk-button--secondary app-inline-button"
                  onClick={() => get(`/api/ledger/entries?format=csv&from=${from}&to=${asOf}`, `ledger-entries-${from}-to-${asOf}.csv`)}
                >
                  Download the entries (CSV)
                </button>
              </p>
              <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Ledger entries">
                <table className="govuk-table app-table" data-testid="entries">
                  <caption className="govuk-table__caption govuk-visually-hidden">Ledger entries</caption>
                  <thead className="govuk-table__head">
                    <tr className="govuk-table__row">
                      {['On', 'Description', 'Lines'].map((h) => (
                        <th key={h} scope="col" className="govuk-table__header">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody className="govuk-table__body">
                    {entries.entries
                      .slice(-SHOWN_ENTRIES)
                      .reverse()
                      .map((e) => (
                        <tr key={e.eventId} className="govuk-table__row">
                          <td className="govuk-table__cell">{ukDate(e.on)}</td>
                          <td className="govuk-table__cell">{e.claimId ? <AppLink to={`/claims/${e.claimId}`}>{e.description}</AppLink> : e.description}</td>
                          <td className="govuk-table__cell govuk-body-s">{e.lines.map((l) => `${ACCOUNTS[l.account] ?? l.account} ${money(l.amountPence)}`).join('; ')}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : (
            <Loading active>Loading the entries…</Loading>
          )}
        </section>
      ) : null}

      <section className="app-figure" aria-labelledby="reconciliation-title">
        <h2 className="govuk-heading-m" id="reconciliation-title">
          Reconciliation of claims
        </h2>
        <p className="govuk-body">Claims submitted on or before {ukDate(asOf)}, with the payments and recoveries dated by then.</p>
        <div className="govuk-button-group">
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => get(`/api/reports/reconciliation.csv?asOf=${asOf}`, `reconciliation-${asOf}.csv`)}>
            Download the reconciliation (CSV)
          </button>
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => get(`/api/reports/reconciliation.xlsx?asOf=${asOf}`, `reconciliation-${asOf}.xlsx`)}>
            Download the reconciliation (XLSX)
          </button>
        </div>
        {reconciliation ? (
          <table className="govuk-table" data-testid="reconciliation">
            <caption className="govuk-table__caption govuk-table__caption--s">By financial year</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {['Financial year', 'Families', 'Claimed', 'Paid', 'Difference', 'Recovered'].map((h, i) => (
                  <th key={h} scope="col" className={`govuk-table__header${i > 0 ? ' govuk-table__header--numeric' : ''}`}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {groupRows(reconciliation.byFinancialYear)}
              {groupRows([{ key: 'Total', ...reconciliation.totals }])}
            </tbody>
          </table>
        ) : (
          <Loading active>Loading the reconciliation…</Loading>
        )}
      </section>

      <section className="app-figure" aria-labelledby="fees-title">
        <h2 className="govuk-heading-m" id="fees-title">
          Attachment fees
        </h2>
        <div className="govuk-button-group">
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => get(`/api/reports/attachment-fees.csv?asOf=${asOf}`, `attachment-fees-${asOf}.csv`)}>
            Download the attachment fees (CSV)
          </button>
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => get(`/api/reports/attachment-fees.xlsx?asOf=${asOf}`, `attachment-fees-${asOf}.xlsx`)}>
            Download the attachment fees (XLSX)
          </button>
        </div>
        {fees ? (
          <>
            <p className="govuk-body" data-testid="allocation">
              {count(fees.familiesAttached)} families attached of an allocation of {count(fees.allocation)}: {count(fees.placesLeft)} places left.
            </p>
            <table className="govuk-table" data-testid="attachment-fees">
              <caption className="govuk-table__caption govuk-table__caption--s">Fees per financial year ({fees.basis === 'profile' ? 'on the profile' : 'per family attached'})</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {['Financial year', 'Attached', 'Rate', 'Due', 'Received', 'Outstanding'].map((h, i) => (
                    <th key={h} scope="col" className={`govuk-table__header${i > 0 ? ' govuk-table__header--numeric' : ''}`}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {fees.years.map((y) => (
                  <tr key={y.financialYear} className="govuk-table__row">
                    <th scope="row" className="govuk-table__header">
                      {y.financialYear}
                      {y.overpaid ? ` (overpaid by ${money(y.overpaidPence)})` : ''}
                    </th>
                    <td className="govuk-table__cell govuk-table__cell--numeric">{count(y.familiesAttached)}</td>
                    <td className="govuk-table__cell govuk-table__cell--numeric">{money(y.ratePence)}</td>
                    <td className="govuk-table__cell govuk-table__cell--numeric">{money(y.duePence)}</td>
                    <td className="govuk-table__cell govuk-table__cell--numeric">{money(y.receivedPence)}</td>
                    <td className="govuk-table__cell govuk-table__cell--numeric">{money(y.outstandingPence)}</td>
                  </tr>
                ))}
                <tr className="govuk-table__row">
                  <th scope="row" className="govuk-table__header">
                    Total
                  </th>
                  <td className="govuk-table__cell govuk-table__cell--numeric">{count(fees.totals.familiesAttached)}</td>
                  <td className="govuk-table__cell govuk-table__cell--numeric">–</td>
                  <td className="govuk-table__cell govuk-table__cell--numeric">{money(fees.totals.duePence)}</td>
                  <td className="govuk-table__cell govuk-table__cell--numeric">{money(fees.totals.receivedPence)}</td>
                  <td className="govuk-table__cell govuk-table__cell--numeric">{money(fees.totals.outstandingPence)}</td>
                </tr>
              </tbody>
            </table>
          </>
        ) : (
          <Loading active>Loading the attachment fees…</Loading>
        )}
        {financeOfficer ? <FeeReceiptForm onRecorded={() => setRecorded((n) => n + 1)} /> : null}
        {financeOfficer ? <AttachmentProfileForm onRecorded={() => setRecorded((n) => n + 1)} /> : null}
      </section>

      <section className="app-figure" aria-labelledby="windows-title">
        <h2 className="govuk-heading-m" id="windows-title">
          Claim windows
        </h2>
        {windows && windows.length > 0 ? (
          <table className="govuk-table" data-testid="claim-windows">
            <caption className="govuk-table__caption govuk-visually-hidden">Claim windows</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {['Window', 'Opens', 'Closes', 'Payment expected'].map((h) => (
                  <th key={h} scope="col" className="govuk-table__header">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {windows.map((w) => (
                <tr key={w.windowId} className="govuk-table__row" data-window={w.windowId}>
                  <th scope="row" className="govuk-table__header">
                    {w.windowId}
                  </th>
                  <td className="govuk-table__cell">{ukDate(w.opensOn)}</td>
                  <td className="govuk-table__cell">{ukDate(w.closesOn)}</td>
                  <td className="govuk-table__cell">{ukDate(w.expectedPaymentOn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="govuk-body">{windows === null ? 'Loading…' : 'No claim windows yet.'}</p>
        )}
        {financeOfficer ? <ClaimWindowForm onRecorded={() => setRecorded((n) => n + 1)} /> : null}
      </section>

      <section className="app-figure" aria-labelledby="claim-reports-title">
        <h2 className="govuk-heading-m" id="claim-reports-title">
          Claim reports
        </h2>
        <p className="govuk-body">Each claim&rsquo;s report, frozen as submitted (a draft&rsquo;s is marked DRAFT); the claim&rsquo;s own page has its position after payment.</p>
        {claims ? (
          claims.length === 0 ? (
            <p className="govuk-body">No claims yet.</p>
          ) : (
            <table className="govuk-table" data-testid="claim-reports">
              <caption className="govuk-table__caption govuk-visually-hidden">Claim reports</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {['Claim', 'Status', 'Total', 'Report'].map((h) => (
                    <th key={h} scope="col" className="govuk-table__header">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {claims.map((c) => (
                  <tr key={c.claimId} className="govuk-table__row" data-claim={c.claimId}>
                    <th scope="row" className="govuk-table__header">
                      <AppLink to={`/claims/${c.claimId}`}>{`${c.windowId ?? 'No window'}, as of ${ukDate(c.asOf)}`}</AppLink>
                    </th>
                    <td className="govuk-table__cell">{c.status}</td>
                    <td className="govuk-table__cell">{money(c.totalPence)}</td>
                    <td className="govuk-table__cell">
                      {(['csv', 'xlsx', 'pdf'] as const).map((f) => (
                        <button
                          key={f}
                          type="button"
                          className="govuk-button govuk-button--secondary app-inline-button"
                          onClick={() => get(`/api/claims/${c.claimId}/report.${f}`, `claim-${c.windowId ?? c.claimId}.${f}`)}
                        >
                          {f.toUpperCase()}
                          <span className="govuk-visually-hidden"> report of the claim {c.windowId ?? c.claimId}</span>
                        </button>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : (
          <Loading active>Loading the claims…</Loading>
        )}
      </section>
    </>
  );
}
