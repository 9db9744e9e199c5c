import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, apiFetch, download, newIdempotencyKey } from '../api';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, dateOf, partsOf, formErrorOf } from '../components/Form';
import { count, todayInLondon, ukDate } from '../format';
import { AppLink } from '../components/Layout';
import { Done } from './forms';

/** Saves a blob as a file (the answer of a POST cannot be a plain link). */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The analyst's evaluation and publication (issue 20; README "Evaluation and publication"): the
 * ONS evaluation transfer (`POST /api/exports/ons-evaluation`, recorded under the data agreement,
 * its transfer id and the file's SHA-256 shown so they can be checked against what the ONS
 * receives), the transfers made so far, and the de-personalised outcomes report
 * (`GET /api/reports/outcomes.csv`, small counts withheld), which programme managers download too.
 */
export function EvaluationPage({ user }: { user: User }) {
  const analyst = user.role === 'analyst';
  const title = analyst ? 'Evaluation and the outcomes report' : 'Outcomes report';
  useEffect(() => {
    document.title = `${title} – Family outcomes ledger`;
  }, [title]);
  return (
    <>
      <h1 className="govuk-heading-l">{title}</h1>
      <OutcomesReport />
      {analyst ? <OnsTransfer /> : null}
    </>
  );
}

function OutcomesReport() {
  const [asOf, setAsOf] = useState<DateParts>(partsOf(todayInLondon()));
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const date = dateOf(asOf);
    if (!date) return setError({ fields: { asOf: 'Enter the date the report is as of' } });
    try {
      await download(`/api/reports/outcomes.csv?asOf=${encodeURIComponent(date)}`, `outcomes-${date}.csv`);
      setError(null);
      setDone(`The outcomes report as of ${ukDate(date)} is downloaded.`);
    } catch (problem) {
      setError(formErrorOf(problem, ['asOf'], { asOf: 'As of' }));
    }
  };
  return (
    <section className="app-figure" aria-labelledby="outcomes-title">
      <h2 className="govuk-heading-m" id="outcomes-title">
        Outcomes report
      </h2>
      <p className="govuk-body">
        Families by number of headline problems at entry and by headline problem, against the result route. Counts from 1 to below the suppression threshold are withheld as [c], with enough others
        that no total gives one away: the report may be published.
      </p>
      {done ? <Done>{done}</Done> : null}
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="outcomes-report">
        <ErrorSummary error={error} />
        <DateField name="asOf" legend="As of" value={asOf} onChange={setAsOf} error={error?.fields.asOf} />
        <button type="submit" className="govuk-button govuk-button--secondary">
          Download the outcomes report (CSV)
        </button>
      </form>
    </section>
  );
}

/** The analyst's ONS transfer: the file downloaded, its transfer id and SHA-256 shown; the transfers made are on the ONS transfers page. */
function OnsTransfer() {
  const [from, setFrom] = useState<DateParts>(NO_DATE);
  const [to, setTo] = useState<DateParts>(NO_DATE);
  const [error, setError] = useState<FormError | null>(null);
  const [made, setMade] = useState<{ transferId: string; sha256: string; rows: number; filename: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    setMade(null);
    const body = { from: dateOf(from), to: dateOf(to) };
    try {
      const res = await apiFetch('/api/exports/ons-evaluation', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key.current }, body: JSON.stringify(body) });
      const blob = await res.blob();
      key.current = newIdempotencyKey();
      const filename = `ons-evaluation-${body.from}-to-${body.to}.csv`;
      const rows = (await blob.text()).split(/\r?\n/).filter((l) => l.length > 0).length - 1;
      save(blob, filename);
      setMade({ transferId: res.headers.get('X-Transfer-Id') ?? '', sha256: res.headers.get('X-File-Sha256') ?? '', rows, filename });
      setError(null);
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      setError(formErrorOf(problem, ['from', 'to'], { from: 'From', to: 'To' }));
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  return (
    <section className="app-figure" aria-labelledby="ons-title">
      <h2 className="govuk-heading-m" id="ons-title">
        ONS evaluation transfer
      </h2>
      <p className="govuk-body">
        One row per person of the families identified between the two dates who were assessed as eligible or took part, for linkage by the ONS under the council&rsquo;s data agreement. People who
        withdrew evaluation consent, and erased people, are left out. Each transfer is recorded, and each person in it is written to the access log.
      </p>
      {made ? (
        <div data-testid="transfer">
          <Done>
            Transfer recorded: {made.filename}, {count(made.rows)} people
          </Done>
          <dl className="govuk-summary-list">
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Transfer id</dt>
              <dd className="govuk-summary-list__value" data-key="transfer-id">
                {made.transferId}
              </dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">SHA-256 of the file</dt>
              <dd className="govuk-summary-list__value app-break" data-key="sha256">
                {made.sha256}
              </dd>
            </div>
          </dl>
        </div>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="ons-export">
        <ErrorSummary error={error} />
        <DateField name="from" legend="Families identified from" value={from} onChange={setFrom} error={error?.fields.from} />
        <DateField name="to" legend="To" value={to} onChange={setTo} error={error?.fields.to} />
        <button type="submit" className="govuk-button" disabled={busy}>
          Make the transfer and download the file
        </button>
      </form>
      <p className="govuk-body">
        The transfers made, the evaluator&rsquo;s confirmations that files were destroyed and the people to notify since: <AppLink to="/ons-transfers">ONS transfers</AppLink>.
      </p>
    </section>
  );
}
