import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, apiFetch, download, getJson, newIdempotencyKey, sendCommand } from '../api';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, SelectField, TextField, dateOf, partsOf } from '../components/Form';
import { count, todayInLondon, ukDate } from '../format';
import { Done, formErrorOf } from './forms';

interface Transfer {
  transferId: string;
  agreementReference: string;
  from: string;
  to: string;
  transferredOn: string;
  transferredBy: string;
  people: number;
  families: number;
  fileSha256: string;
  optOutsApplied: number;
  destruction: null | { confirmedOn: string; reference: string };
}

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
  const admin = user.role === 'admin';
  const title = analyst ? 'Evaluation and the outcomes report' : admin ? 'ONS transfers' : 'Outcomes report';
  useEffect(() => {
    document.title = `${title} – Family outcomes ledger`;
  }, [title]);
  return (
    <>
      <h1 className="govuk-heading-l">{title}</h1>
      {admin ? null : <OutcomesReport />}
      {analyst || admin ? <OnsTransfer mayTransfer={analyst} /> : null}
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
      <p className="govuk-body">Families by number of headline problems at entry and by headline problem, against the result route. Counts from 1 to below the suppression threshold are withheld as [c], with enough others that no total gives one away: the report may be published.</p>
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

/** The transfers, opt-outs and destruction confirmations (analysts and administrators); the transfer itself is the analyst's. */
function OnsTransfer({ mayTransfer }: { mayTransfer: boolean }) {
  const [from, setFrom] = useState<DateParts>(NO_DATE);
  const [to, setTo] = useState<DateParts>(NO_DATE);
  const [error, setError] = useState<FormError | null>(null);
  const [made, setMade] = useState<{ transferId: string; sha256: string; rows: number; filename: string } | null>(null);
  const [transfers, setTransfers] = useState<Transfer[] | null>(null);
  const [optOuts, setOptOuts] = useState<{ transferId: string; transferredOn: string; memberId: string; optedOutOn: string; fileDestroyed: boolean }[] | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  const load = useCallback(async () => {
    try {
      setTransfers((await getJson<{ transfers: Transfer[] }>('/api/ons-transfers')).transfers);
      setOptOuts((await getJson<{ notifications: { transferId: string; transferredOn: string; memberId: string; optedOutOn: string; fileDestroyed: boolean }[] }>('/api/ons-transfers/opt-outs')).notifications);
    } catch {
      setTransfers((t) => t ?? []);
      setOptOuts((o) => o ?? []);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

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
      await load();
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
      <p className="govuk-body">One row per person of the families identified between the two dates who were assessed as eligible or took part, for linkage by the ONS under the council&rsquo;s data agreement. People who withdrew evaluation consent, and erased people, are left out. Each transfer is recorded, and each person in it is written to the access log.</p>
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
      {mayTransfer ? (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="ons-export">
          <ErrorSummary error={error} />
          <DateField name="from" legend="Families identified from" value={from} onChange={setFrom} error={error?.fields.from} />
          <DateField name="to" legend="To" value={to} onChange={setTo} error={error?.fields.to} />
          <button type="submit" className="govuk-button" disabled={busy}>
            Make the transfer and download the file
          </button>
        </form>
      ) : null}
      <h3 className="govuk-heading-s">Transfers made</h3>
      {transfers && transfers.length > 0 ? (
        <table className="govuk-table" data-testid="transfers">
          <caption className="govuk-table__caption govuk-visually-hidden">Transfers made</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {['On', 'Families identified', 'People', 'By', 'File destroyed'].map((h) => (
                <th key={h} scope="col" className="govuk-table__header">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {transfers.map((t) => (
              <tr key={t.transferId} className="govuk-table__row" data-transfer={t.transferId}>
                <td className="govuk-table__cell">{ukDate(t.transferredOn)}</td>
                <td className="govuk-table__cell">
                  {ukDate(t.from)} to {ukDate(t.to)}
                </td>
                <td className="govuk-table__cell">{count(t.people)}</td>
                <td className="govuk-table__cell">{t.transferredBy}</td>
                <td className="govuk-table__cell">{t.destruction ? `Confirmed ${ukDate(t.destruction.confirmedOn)}` : 'Not yet'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="govuk-body">{transfers === null ? 'Loading…' : 'None yet.'}</p>
      )}
      <h3 className="govuk-heading-s">People to notify to the evaluator</h3>
      {optOuts && optOuts.length > 0 ? (
        <table className="govuk-table" data-testid="opt-outs">
          <caption className="govuk-table__caption govuk-body">People in a transfer who have since withdrawn evaluation consent: tell the evaluator their member id (the file&rsquo;s member_id).</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {['Member id', 'Withdrew on', 'Transfer of', 'File destroyed'].map((h) => (
                <th key={h} scope="col" className="govuk-table__header">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {optOuts.map((o) => (
              <tr key={`${o.transferId}-${o.memberId}`} className="govuk-table__row">
                <td className="govuk-table__cell app-break">{o.memberId}</td>
                <td className="govuk-table__cell">{ukDate(o.optedOutOn)}</td>
                <td className="govuk-table__cell">{ukDate(o.transferredOn)}</td>
                <td className="govuk-table__cell">{o.fileDestroyed ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="govuk-body">{optOuts === null ? 'Loading…' : 'Nobody in a transfer has withdrawn evaluation consent since.'}</p>
      )}
      {transfers && transfers.some((t) => !t.destruction) ? <DestructionForm transfers={transfers.filter((t) => !t.destruction)} onRecorded={load} /> : null}
    </section>
  );
}

const DESTRUCTION_FIELDS = ['d-transferId', 'd-confirmedOn', 'd-reference'];
const destructionField = (f: string) => `d-${f}`;

/** The evaluator's confirmation that a transferred file was destroyed (`POST /api/ons-transfers/:transferId/destruction`). */
function DestructionForm({ transfers, onRecorded }: { transfers: Transfer[]; onRecorded: () => Promise<void> }) {
  const [transferId, setTransferId] = useState(transfers[0]?.transferId ?? '');
  const [confirmedOn, setConfirmedOn] = useState<DateParts>(NO_DATE);
  const [reference, setReference] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    sending.current = true;
    try {
      await sendCommand(`/api/ons-transfers/${encodeURIComponent(transferId)}/destruction`, { confirmedOn: dateOf(confirmedOn), reference: reference.trim() }, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setError(null);
      setReference('');
      await onRecorded();
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      setError(formErrorOf(problem, DESTRUCTION_FIELDS, { 'd-confirmedOn': 'Confirmed on', 'd-reference': "The evaluator's reference" }, destructionField));
    } finally {
      sending.current = false;
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="destruction">
      <h3 className="govuk-heading-s">Record that the evaluator destroyed a file</h3>
      <ErrorSummary error={error} />
      <SelectField name="d-transferId" label="Transfer" value={transferId} onChange={setTransferId} options={transfers.map((t) => ({ value: t.transferId, label: `${ukDate(t.transferredOn)}: families identified ${ukDate(t.from)} to ${ukDate(t.to)}` }))} error={error?.fields['d-transferId']} />
      <DateField name="d-confirmedOn" legend="Confirmed on" value={confirmedOn} onChange={setConfirmedOn} error={error?.fields['d-confirmedOn']} />
      <TextField name="d-reference" label="The evaluator's reference" hint="A code, for example ONS-DEST-2020-017: no names" value={reference} onChange={setReference} error={error?.fields['d-reference']} width={20} />
      <button type="submit" className="govuk-button govuk-button--secondary">
        Record the destruction
      </button>
    </form>
  );
}
