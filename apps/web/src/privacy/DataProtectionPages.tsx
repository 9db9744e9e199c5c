import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiProblem, download, getJson, newIdempotencyKey, sendCommand } from '../api';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, RadiosField, SelectField, TextField, dateOf, fieldErrorsOf, partsOf } from '../components/Form';
import { Loading } from '../components/Loading';

/** Issue 23.2: a data subject request as `GET /api/data-subject-requests` lists it. */
interface SubjectRequest {
  requestId: string;
  kind: 'access' | 'rectification' | 'objection';
  memberId: string;
  reference: string;
  receivedOn: string;
  dueOn: string;
  respondedOn: string | null;
  status: 'open' | 'overdue' | 'answered';
  /** What was done to answer it (issue 23.3): the consent withdrawn, the facts corrected. */
  actions?: { eventIds: string[]; what: string; on: string }[];
}

const KINDS = [
  { value: 'access', label: 'Subject access: a copy of everything held about them' },
  { value: 'rectification', label: 'Rectification: correct what is recorded' },
  { value: 'objection', label: 'Objection: to the evaluation or to sharing' },
];
const KIND_NAMES: Record<string, string> = { access: 'Subject access', rectification: 'Rectification', objection: 'Objection' };

function problemText(error: unknown): string {
  return error instanceof ApiProblem ? error.message : 'The ledger could not be reached: try again';
}

/**
 * The admin's data subject requests (DOMAIN.md 6, issue 23.2): record a request with the day it was
 * received, see each one's one-month deadline (overdue ones flagged), and download a subject
 * access request's answer as JSON and as a PDF (each download is logged by the API).
 */
export function DataSubjectRequestsPage() {
  const [requests, setRequests] = useState<SubjectRequest[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [memberId, setMemberId] = useState('');
  const [kind, setKind] = useState('access');
  const [reference, setReference] = useState('');
  const [receivedOn, setReceivedOn] = useState<DateParts>(NO_DATE);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const [applying, setApplying] = useState<SubjectRequest | null>(null);
  const [replying, setReplying] = useState<SubjectRequest | null>(null);

  const load = useCallback(async () => {
    try {
      setRequests((await getJson<{ requests: SubjectRequest[] }>('/api/data-subject-requests')).requests);
      setLoadError(null);
    } catch (e) {
      setLoadError(problemText(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'Data subject requests – Family outcomes ledger';
    void load();
  }, [load]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const fields: Record<string, string> = {};
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(memberId.trim()))
      fields.memberId = 'Enter the person’s id (a member id, for example 3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f38)';
    if (reference.trim() === '') fields.reference = 'Enter the council’s reference for the request';
    if (dateOf(receivedOn) === '') fields.receivedOn = 'Enter the day the request was received';
    setDone(null);
    if (Object.keys(fields).length > 0) return setError({ fields });
    setBusy(true);
    try {
      const { body } = await sendCommand<SubjectRequest>(
        '/api/data-subject-requests',
        { memberId: memberId.trim().toLowerCase(), kind, reference: reference.trim(), receivedOn: dateOf(receivedOn) },
        { idempotencyKey: key },
      );
      setError(null);
      setDone(`Request ${body.reference} recorded: answer it by ${body.dueOn}`);
      setMemberId('');
      setReference('');
      setReceivedOn(NO_DATE);
      setKey(newIdempotencyKey());
      await load();
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 400) {
        const { fields: placed, unplaced } = fieldErrorsOf(err, ['memberId', 'kind', 'reference', 'receivedOn']);
        setError({ fields: placed, ...(unplaced.length > 0 ? { message: unplaced.join('; ') } : {}) });
      } else if (err instanceof ApiProblem && err.status === 404) setError({ fields: { memberId: 'No person has this id' } });
      else setError({ fields: {}, message: problemText(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ErrorSummary error={error} />
      <h1 className="govuk-heading-l">Data subject requests</h1>
      <p className="govuk-body">
        People may ask for a copy of what is held about them, for a correction, or object to the evaluation or to sharing. Each request must be answered within one calendar month of the day it was
        received.
      </p>
      {done ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="status" data-testid="request-recorded">
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      ) : null}
      <h2 className="govuk-heading-m">Requests</h2>
      {loadError ? <p className="govuk-body">{loadError}</p> : null}
      {requests === null && !loadError ? <Loading active>Loading the requests…</Loading> : null}
      {requests !== null && requests.length === 0 ? <p className="govuk-body">No request has been recorded.</p> : null}
      {requests !== null && requests.length > 0 ? (
        <table className="govuk-table" data-testid="requests">
          <caption className="govuk-table__caption govuk-visually-hidden">Data subject requests, with their deadlines</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {['Reference', 'Kind', 'Received', 'Answer by', 'Status', 'Done', 'Answer'].map((h) => (
                <th key={h} scope="col" className="govuk-table__header">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {requests.map((r) => (
              <tr key={r.requestId} className="govuk-table__row" data-request={r.reference}>
                <th scope="row" className="govuk-table__header">
                  {r.reference}
                </th>
                <td className="govuk-table__cell">{KIND_NAMES[r.kind] ?? r.kind}</td>
                <td className="govuk-table__cell">{r.receivedOn}</td>
                <td className="govuk-table__cell">{r.dueOn}</td>
                <td className="govuk-table__cell">
                  {r.status === 'overdue' ? (
                    <strong className="govuk-tag govuk-tag--red">Overdue</strong>
                  ) : r.status === 'answered' ? (
                    <strong className="govuk-tag govuk-tag--green">Answered {r.respondedOn}</strong>
                  ) : (
                    <strong className="govuk-tag govuk-tag--blue">Open</strong>
                  )}
                </td>
                <td className="govuk-table__cell">{(r.actions ?? []).length === 0 ? 'Nothing yet' : (r.actions ?? []).map((a) => <div key={`${a.on}:${a.eventIds.join()}`}>{a.what}</div>)}</td>
                <td className="govuk-table__cell">
                  {r.kind === 'access' ? (
                    <>
                      <button
                        type="button"
                        className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1 govuk-!-margin-right-1"
                        onClick={() => void download(`/api/data-subject-requests/${r.requestId}/export.json`, `subject-access-${r.reference}.json`)}
                      >
                        Download JSON<span className="govuk-visually-hidden"> for {r.reference}</span>
                      </button>
                      <button
                        type="button"
                        className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                        onClick={() => void download(`/api/data-subject-requests/${r.requestId}/export.pdf`, `subject-access-${r.reference}.pdf`)}
                      >
                        Download PDF<span className="govuk-visually-hidden"> for {r.reference}</span>
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                      onClick={() => {
                        setApplying(r);
                        setDone(null);
                        setError(null);
                      }}
                    >
                      {r.kind === 'objection' ? 'Record the objection' : 'Correct a fact'}
                      <span className="govuk-visually-hidden"> for {r.reference}</span>
                    </button>
                  )}
                  {r.status !== 'answered' ? (
                    <button
                      type="button"
                      className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                      onClick={() => {
                        setReplying(r);
                        setApplying(null);
                        setDone(null);
                      }}
                    >
                      Record the reply<span className="govuk-visually-hidden"> to {r.reference}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {applying ? (
        <ApplyRequest
          key={applying.requestId}
          request={applying}
          onCancel={() => setApplying(null)}
          onDone={async (text) => {
            setApplying(null);
            setDone(text);
            await load();
          }}
        />
      ) : null}
      {replying ? (
        <ReplyToRequest
          key={replying.requestId}
          request={replying}
          onCancel={() => setReplying(null)}
          onDone={async (text) => {
            setReplying(null);
            setDone(text);
            await load();
          }}
        />
      ) : null}
      <h2 className="govuk-heading-m">Record a request</h2>
      <form noValidate onSubmit={submit}>
        <TextField name="memberId" label="Person (member id)" value={memberId} onChange={setMemberId} error={error?.fields.memberId} hint="The person’s id, as the family’s page shows it" width={20} />
        <RadiosField name="kind" legend="What they ask for" value={kind} onChange={setKind} options={KINDS} error={error?.fields.kind} />
        <TextField
          name="reference"
          label="Reference"
          value={reference}
          onChange={setReference}
          error={error?.fields.reference}
          hint="The council’s reference, for example DSR-2019-044: letters, digits and / _ . - only, no names"
          width={10}
        />
        <DateField
          name="receivedOn"
          legend="Received on"
          value={receivedOn}
          onChange={setReceivedOn}
          error={error?.fields.receivedOn}
          hint="The one-month deadline runs from this day, for example 15 4 2019"
        />
        <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy}>
          Record the request
        </button>
      </form>
    </>
  );
}

const OBJECTIONS = [
  { value: 'evaluation', label: 'To the evaluation: left out of every later ONS file' },
  { value: 'sharing', label: 'To sharing with partners: partners then need a legal gateway' },
];
/** The facts a correction may replace (the API's correction paths), in words. */
const CORRECTABLE = [
  { value: 'school-attendance', label: 'School attendance' },
  { value: 'exclusions', label: 'Exclusion from school' },
  { value: 'offences', label: 'Offence' },
  { value: 'asb-incidents', label: 'Anti-social behaviour' },
  { value: 'benefits', label: 'Benefits' },
  { value: 'employment', label: 'Employment' },
  { value: 'domestic-abuse-incidents', label: 'Domestic abuse incident' },
  { value: 'health', label: 'Health' },
  { value: 'social-care', label: 'Social care' },
  { value: 'consents', label: 'Consent' },
  { value: 'problems', label: 'Problems at entry' },
  { value: 'activities', label: 'Activity' },
  { value: 'milestones', label: 'Milestone' },
];

/**
 * Issue 23.3: answering a rectification or an objection through its request, so what is done
 * carries the request's reference. An objection records the person's consent as withdrawn from a
 * day; a rectification replaces one recorded fact about the person with the corrected one.
 */
function ApplyRequest({ request, onCancel, onDone }: { request: SubjectRequest; onCancel: () => void; onDone: (text: string) => Promise<void> }) {
  const [purpose, setPurpose] = useState('evaluation');
  const [on, setOn] = useState<DateParts>(NO_DATE);
  const [factId, setFactId] = useState('');
  const [path, setPath] = useState('offences');
  const [replacement, setReplacement] = useState(`{ "memberId": "${request.memberId}" }`);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const objection = request.kind === 'objection';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const fields: Record<string, string> = {};
    let body: unknown;
    if (objection) {
      if (dateOf(on) === '') fields.on = 'Enter the day from which the consent is withdrawn';
      body = { purpose, on: dateOf(on) };
    } else {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(factId.trim())) fields.supersedesEventId = 'Enter the id of the fact to correct (its event id)';
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(replacement);
      } catch {
        fields.replacement = 'Enter the corrected fact as JSON, for example { "memberId": "…", "committedOn": "2019-02-01", "proven": false }';
      }
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) fields.replacement = 'Enter the corrected fact as one JSON object { … }';
      body = { supersedesEventId: factId.trim().toLowerCase(), replacement: { path, body: parsed }, ...(reason.trim() ? { reason: reason.trim() } : {}) };
    }
    if (Object.keys(fields).length > 0) return setError({ fields });
    setBusy(true);
    try {
      await sendCommand(`/api/data-subject-requests/${request.requestId}/${objection ? 'objection' : 'corrections'}`, body, { idempotencyKey: key });
      setError(null);
      await onDone(objection ? `Objection ${request.reference} recorded: consent to ${purpose} withdrawn from ${dateOf(on)}` : `Correction recorded for request ${request.reference}`);
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 400) {
        const { fields: placed, unplaced } = fieldErrorsOf(err, ['purpose', 'on', 'supersedesEventId', 'reason'], '', { on: 'Withdrawn from' });
        const replacementProblems = unplaced.filter((u) => /^Replacement/i.test(u));
        const others = unplaced.filter((u) => !/^Replacement/i.test(u));
        setError({ fields: { ...placed, ...(replacementProblems.length > 0 ? { replacement: replacementProblems.join('; ') } : {}) }, ...(others.length > 0 ? { message: others.join('; ') } : {}) });
      } else if (err instanceof ApiProblem && err.status === 404) setError({ fields: { supersedesEventId: 'No fact with this id is recorded about the person’s family' } });
      else if (err instanceof ApiProblem && err.reason === 'NotThisPersonsFact')
        setError({ fields: { supersedesEventId: 'This fact is about someone else: only facts about the request’s person can be corrected through it' } });
      else setError({ fields: {}, message: problemText(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form noValidate onSubmit={submit} className="govuk-inset-text" data-testid="apply-request">
      <ErrorSummary error={error} />
      <h2 className="govuk-heading-m">{objection ? `Record the objection ${request.reference}` : `Correct a fact for ${request.reference}`}</h2>
      {objection ? (
        <>
          <RadiosField name="purpose" legend="What the person objects to" value={purpose} onChange={setPurpose} options={OBJECTIONS} error={error?.fields.purpose} />
          <DateField name="on" legend="Consent withdrawn from" value={on} onChange={setOn} error={error?.fields.on} hint="For example 15 4 2019" />
        </>
      ) : (
        <>
          <TextField
            name="supersedesEventId"
            label="The fact to correct (its id)"
            value={factId}
            onChange={setFactId}
            error={error?.fields.supersedesEventId}
            hint="The fact’s id, as the person’s subject access answer or the family’s timeline lists it"
            width={20}
          />
          <SelectField name="path" label="What kind of fact it is" value={path} onChange={setPath} options={CORRECTABLE} />
          <TextField
            name="replacement"
            label="The corrected fact"
            value={replacement}
            onChange={setReplacement}
            error={error?.fields.replacement}
            hint={'As JSON, with the same fields the fact was recorded with, for example { "memberId": "…", "committedOn": "2019-02-01", "proven": false }'}
            textarea
          />
          <TextField name="reason" label="Why it is corrected (optional)" value={reason} onChange={setReason} error={error?.fields.reason} textarea />
        </>
      )}
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy}>
          {objection ? 'Record the objection' : 'Record the correction'}
        </button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Issue 23.2: the day the council answered a request (`POST /api/data-subject-requests/:id/response`), which closes its deadline. */
function ReplyToRequest({ request, onCancel, onDone }: { request: SubjectRequest; onCancel: () => void; onDone: (text: string) => Promise<void> }) {
  const [respondedOn, setRespondedOn] = useState<DateParts>(NO_DATE);
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newIdempotencyKey);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (dateOf(respondedOn) === '') return setError({ fields: { respondedOn: 'Enter the day the reply was sent' } });
    setBusy(true);
    try {
      await sendCommand(`/api/data-subject-requests/${request.requestId}/response`, { respondedOn: dateOf(respondedOn) }, { idempotencyKey: key });
      setError(null);
      await onDone(`Request ${request.reference} answered on ${dateOf(respondedOn)}`);
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 400) setError({ fields: { respondedOn: fieldErrorsOf(err, ['respondedOn']).fields.respondedOn ?? err.message } });
      else setError({ fields: {}, message: problemText(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form noValidate onSubmit={submit} className="govuk-inset-text" data-testid="reply-to-request">
      <ErrorSummary error={error} />
      <h2 className="govuk-heading-m">Record the reply to {request.reference}</h2>
      <DateField
        name="respondedOn"
        legend="Reply sent on"
        value={respondedOn}
        onChange={setRespondedOn}
        error={error?.fields.respondedOn}
        hint={`The deadline is ${request.dueOn}; for example 15 4 2019`}
      />
      <div className="govuk-button-group">
        <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy}>
          Record the reply
        </button>
        <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface RetentionEntry {
  familyId: string;
  reference: string;
  rule: string;
  from: string;
  dueOn: string;
  reason: string;
  people: number;
  holds: { kind: string; reference: string; reason: string }[];
}
interface RetentionAnswer {
  asOf: string;
  periods: { closedYears: number; notAttachedYears: number; inactiveYears: number };
  due: RetentionEntry[];
  held: RetentionEntry[];
}

/**
 * The retention report (DOMAIN.md 6, issue 23.5): the families whose retention date has come by a
 * day, why, and those a legal hold keeps, before the schedule erases them.
 */
export function RetentionPage({ search }: { search: URLSearchParams }) {
  const asOfParam = search.get('asOf') ?? '';
  const [asOf, setAsOf] = useState<DateParts>(partsOf(asOfParam));
  const [report, setReport] = useState<RetentionAnswer | null>(null);
  const [error, setError] = useState<FormError | null>(null);

  useEffect(() => {
    document.title = 'Retention report – Family outcomes ledger';
    const controller = new AbortController();
    setReport(null);
    getJson<RetentionAnswer>(`/api/privacy/retention${asOfParam ? `?asOf=${encodeURIComponent(asOfParam)}` : ''}`, controller.signal)
      .then((r) => {
        setReport(r);
        setError(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiProblem && err.status === 400) setError({ fields: { asOf: fieldErrorsOf(err, ['asOf']).fields.asOf ?? err.message } });
        else setError({ fields: {}, message: problemText(err) });
      });
    return () => controller.abort();
  }, [asOfParam]);

  const table = (entries: RetentionEntry[], id: string, caption: string, holds: boolean) => (
    <table className="govuk-table" data-testid={id}>
      <caption className="govuk-table__caption govuk-table__caption--m">{caption}</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          {['Family', 'Due on', 'Why', 'People', ...(holds ? ['Held by'] : [])].map((h) => (
            <th key={h} scope="col" className="govuk-table__header">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {entries.map((f) => (
          <tr key={f.familyId} className="govuk-table__row">
            <th scope="row" className="govuk-table__header">
              {f.reference}
            </th>
            <td className="govuk-table__cell">{f.dueOn}</td>
            <td className="govuk-table__cell">{f.reason}</td>
            <td className="govuk-table__cell govuk-table__cell--numeric">{f.people}</td>
            {holds ? <td className="govuk-table__cell">{f.holds.map((h) => h.reason).join('; ')}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <>
      <ErrorSummary error={error} />
      <h1 className="govuk-heading-l">Retention report</h1>
      <p className="govuk-body">Families whose retention date has come: the retention schedule erases their personal data, unless a legal hold keeps it.</p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const date = dateOf(asOf);
          const url = new URL(location.href);
          if (date) url.searchParams.set('asOf', date);
          else url.searchParams.delete('asOf');
          history.pushState(null, '', url.pathname + url.search);
          window.dispatchEvent(new PopStateEvent('popstate'));
        }}
      >
        <DateField name="asOf" legend="As of" value={asOf} onChange={setAsOf} error={error?.fields.asOf} hint="Leave empty for today" />
        <button type="submit" className="govuk-button govuk-button--secondary">
          Show the report
        </button>
      </form>
      {report === null && !error ? <Loading active>Loading the report…</Loading> : null}
      {report ? (
        <>
          <p className="govuk-body" data-testid="retention-periods">
            As of {report.asOf}. Kept {report.periods.closedYears} years after a case closes; {report.periods.notAttachedYears} years after identification or last activity for families never attached;{' '}
            {report.periods.inactiveYears} years after last activity for cases never closed.
          </p>
          {report.due.length === 0 ? <p className="govuk-body">No family is due for erasure.</p> : table(report.due, 'retention-due', `Due for erasure (${report.due.length})`, false)}
          {report.held.length === 0 ? <p className="govuk-body">No family due is kept by a legal hold.</p> : table(report.held, 'retention-held', `Kept by a legal hold (${report.held.length})`, true)}
        </>
      ) : null}
    </>
  );
}
