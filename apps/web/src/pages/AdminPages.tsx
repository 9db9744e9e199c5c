import { type FormEvent, useEffect, useState } from 'react';
import { ApiProblem, apiFetch, getJson, newIdempotencyKey, sendCommand } from '../api';
import { ErrorSummary, type FormError, type RefusalWording, SelectField, TextField, formErrorOf, inApiWords } from '../components/Form';
import { Table } from '../components/Table';
import { Loading } from '../components/Loading';
import { navigate } from '../router';

/** The admin pages' wording: the API's own message for any other refusal, an unanswered request as its error. */
const ADMIN_WORDING: RefusalWording = { unanswered: (e) => String(e), refused: inApiWords, separator: '. ' };

interface Programme {
  councilName: string;
  framework: string;
  allocation: number;
  attachmentFeeBasis?: string;
  placesLeft?: number;
}

const PROGRAMME_FIELDS = ['councilName', 'framework', 'allocation', 'attachmentFeeBasis'] as const;

/**
 * The administrator's programme set-up (`GET`/`PUT /api/programme`): the council's name, the
 * financial framework, the allocation and how attachment fees are paid. Refusals
 * (`AllocationBelowAttachments`, `FrameworkInUse`) are shown in words.
 */
export function ProgrammePage() {
  const [form, setForm] = useState<Programme | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [saved, setSaved] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);

  useEffect(() => {
    document.title = 'Programme – Family outcomes ledger';
    getJson<Programme>('/api/programme')
      .then((p) => setForm({ councilName: p.councilName, framework: p.framework, allocation: p.allocation, attachmentFeeBasis: p.attachmentFeeBasis ?? 'actual', placesLeft: p.placesLeft }))
      .catch((e: unknown) => {
        if (e instanceof ApiProblem && e.status === 404) setForm({ councilName: '', framework: 'troubled-families-2015', allocation: 0, attachmentFeeBasis: 'actual' });
        else setLoadError(e instanceof Error ? e.message : String(e));
      });
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setSaved(false);
    try {
      const res = await apiFetch('/api/programme', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify({ councilName: form.councilName, framework: form.framework, allocation: Number(form.allocation), attachmentFeeBasis: form.attachmentFeeBasis }),
      });
      const p = (await res.json()) as Programme;
      setForm({ ...form, placesLeft: p.placesLeft });
      setError(null);
      setSaved(true);
    } catch (problem) {
      setError(formErrorOf(problem, PROGRAMME_FIELDS, {}, { wording: ADMIN_WORDING }));
    } finally {
      setKey(newIdempotencyKey());
    }
  };

  return (
    <>
      <h1 className="govuk-heading-l">Programme</h1>
      <Loading active={form === null && loadError === null}>Loading the programme…</Loading>
      {loadError ? <p className="govuk-error-message">{loadError}</p> : null}
      {saved ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" data-testid="done">
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">The programme is saved{form?.placesLeft !== undefined ? `: ${form.placesLeft} places left` : ''}.</p>
          </div>
        </div>
      ) : null}
      {form ? (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="programme">
          <ErrorSummary error={error} />
          <TextField name="councilName" label="Council" value={form.councilName} onChange={(v) => setForm({ ...form, councilName: v })} error={error?.fields.councilName} width={20} />
          <SelectField
            name="framework"
            label="Financial framework"
            value={form.framework}
            onChange={(v) => setForm({ ...form, framework: v })}
            options={[
              { value: 'troubled-families-2015', label: 'Troubled Families, phase two (2015–2020)' },
              { value: 'supporting-families-2022', label: 'Supporting Families (2022–2025)' },
            ]}
            error={error?.fields.framework}
            hint="It cannot change once families are attached."
          />
          <TextField
            name="allocation"
            label="Allocation (families over the programme)"
            numeric
            value={String(form.allocation)}
            onChange={(v) => setForm({ ...form, allocation: v as unknown as number })}
            error={error?.fields.allocation}
            width={10}
          />
          <SelectField
            name="attachmentFeeBasis"
            label="Attachment fees"
            value={form.attachmentFeeBasis ?? 'actual'}
            onChange={(v) => setForm({ ...form, attachmentFeeBasis: v })}
            options={[
              { value: 'actual', label: 'Paid per family attached' },
              { value: 'profile', label: 'Paid on the government’s profile' },
            ]}
            error={error?.fields.attachmentFeeBasis}
          />
          <button type="submit" className="govuk-button">
            Save the programme
          </button>
        </form>
      ) : null}
    </>
  );
}

interface LogEntry {
  id: string | number;
  at: string;
  userId: string;
  role: string;
  organisation?: string | null;
  route: string;
  outcome: string;
  familyId?: string | null;
  memberIds?: string[];
  purpose?: string | null;
}

const LOG_FILTERS = ['memberId', 'familyId', 'userId'] as const;

/**
 * The access log (administrators and auditors, `GET /api/audit/access-log`): every read of
 * personal data and every refusal, filtered by person, family or user, a page at a time.
 */
export function AccessLogPage({ search }: { search: URLSearchParams }) {
  const filters = Object.fromEntries(LOG_FILTERS.map((f) => [f, search.get(f) ?? ''])) as Record<(typeof LOG_FILTERS)[number], string>;
  const after = search.get('after') ?? '';
  const [form, setForm] = useState(filters);
  const [answer, setAnswer] = useState<{ entries: LogEntry[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = new URLSearchParams([...LOG_FILTERS.filter((f) => filters[f]).map((f) => [f, filters[f]] as [string, string]), ...(after ? [['after', after] as [string, string]] : [])]).toString();

  useEffect(() => {
    document.title = 'Access log – Family outcomes ledger';
  }, []);
  useEffect(() => {
    setForm(Object.fromEntries(LOG_FILTERS.map((f) => [f, new URLSearchParams(query).get(f) ?? ''])) as typeof filters);
    const controller = new AbortController();
    setAnswer(null);
    getJson<{ entries: LogEntry[]; next: string | null }>(`/api/audit/access-log?limit=100${query ? `&${query}` : ''}`, controller.signal)
      .then((a) => {
        setAnswer(a);
        setError(null);
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(e instanceof Error ? e.message : String(e)));
    return () => controller.abort();
  }, [query]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams(LOG_FILTERS.filter((f) => form[f].trim()).map((f) => [f, form[f].trim()])).toString();
    navigate(`/access-log${q ? `?${q}` : ''}`);
  };

  return (
    <>
      <h1 className="govuk-heading-l">Access log</h1>
      <p className="govuk-body">Every read of a person’s records and every refusal, newest last. It cannot be changed or deleted.</p>
      <form onSubmit={submit} noValidate>
        <TextField name="memberId" label="Person (member id)" value={form.memberId} onChange={(v) => setForm({ ...form, memberId: v })} width={20} />
        <TextField name="familyId" label="Family id" value={form.familyId} onChange={(v) => setForm({ ...form, familyId: v })} width={20} />
        <TextField name="userId" label="User" value={form.userId} onChange={(v) => setForm({ ...form, userId: v })} width={20} />
        <button type="submit" className="govuk-button govuk-button--secondary">
          Show the log
        </button>
      </form>
      <Loading active={answer === null && error === null}>Loading the log…</Loading>
      {error ? <p className="govuk-error-message">{error}</p> : null}
      {answer ? (
        <>
          <Table
            testId="access-log"
            caption={answer.entries.length === 0 ? 'Nothing in the log for this search' : `${answer.entries.length} entries${answer.next ? ' (more on the next page)' : ''}`}
            captionClass="govuk-table__caption--m"
            head={['When', 'Who', 'What', 'Outcome', 'Why']}
            rows={answer.entries.map((e) => ({
              key: String(e.id),
              data: { 'data-entry': String(e.id) },
              cellData: { 3: { 'data-key': 'outcome' } },
              cells: [
                e.at.replace('T', ' ').slice(0, 19),
                <>
                  {e.userId} ({e.role}
                  {e.organisation ? `, ${e.organisation}` : ''})
                </>,
                <>
                  {e.route}
                  {e.familyId ? <span className="govuk-hint govuk-!-margin-bottom-0">family {e.familyId}</span> : null}
                </>,
                e.outcome,
                e.purpose ?? '',
              ],
            }))}
          />
          {answer.next ? (
            <button
              type="button"
              className="govuk-button govuk-button--secondary"
              onClick={() =>
                navigate(`/access-log?${new URLSearchParams([...LOG_FILTERS.filter((f) => filters[f]).map((f) => [f, filters[f]] as [string, string]), ['after', answer.next as string]]).toString()}`)
              }
            >
              Next page
            </button>
          ) : null}
        </>
      ) : null}
    </>
  );
}

const ERASURE_FIELDS = ['memberId', 'reason'] as const;

/**
 * Erasing a person (administrators, `POST /api/people/:memberId/erasure`): their key is destroyed,
 * so every sealed field of theirs becomes unreadable for good (crypto-shredding). Asks for a
 * confirmation first; the reason must not carry personal data.
 */
export function ErasurePage() {
  const [memberId, setMemberId] = useState('');
  const [reason, setReason] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);

  useEffect(() => {
    document.title = 'Erase a person – Family outcomes ledger';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (!confirmed) {
      setError({ fields: { confirm: 'Confirm that this person’s data is to be erased for good' } });
      return;
    }
    try {
      const answer = await sendCommand<{ status: string }>(`/api/people/${encodeURIComponent(memberId.trim())}/erasure`, { reason }, { idempotencyKey: key });
      setError(null);
      setDone(answer.body.status === 'already-erased' ? 'This person had already been erased.' : 'Erased: this person’s data can no longer be read by anyone.');
      setConfirmed(false);
    } catch (problem) {
      if (problem instanceof ApiProblem && problem.reason === 'PersonNotFound') setError({ fields: { memberId: 'There is no person with this member id' } });
      else setError(formErrorOf(problem, ERASURE_FIELDS, {}, { wording: ADMIN_WORDING }));
    } finally {
      setKey(newIdempotencyKey());
    }
  };

  return (
    <>
      <h1 className="govuk-heading-l">Erase a person</h1>
      <p className="govuk-body">Erasure destroys the person’s key: their names, dates and free text become unreadable for good, in every copy and backup of the log. Facts stay, without the person.</p>
      {done ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" data-testid="done">
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="erasure">
        <ErrorSummary error={error} />
        <TextField name="memberId" label="Member id" hint="From the subject access request or the family’s record" value={memberId} onChange={setMemberId} error={error?.fields.memberId} width={20} />
        <TextField
          name="reason"
          label="Reason"
          hint="For example: request from the data subject (ref DSR-2019-044). Do not put personal data here."
          value={reason}
          onChange={setReason}
          error={error?.fields.reason}
          width={20}
        />
        <div className={`govuk-form-group${error?.fields.confirm ? ' govuk-form-group--error' : ''}`}>
          {error?.fields.confirm ? (
            <p className="govuk-error-message" id="f-confirm-error">
              <span className="govuk-visually-hidden">Error:</span> {error.fields.confirm}
            </p>
          ) : null}
          <div className="govuk-checkboxes" data-module="govuk-checkboxes">
            <div className="govuk-checkboxes__item">
              <input className="govuk-checkboxes__input" id="f-confirm" type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
              <label className="govuk-label govuk-checkboxes__label" htmlFor="f-confirm">
                I understand this cannot be undone
              </label>
            </div>
          </div>
        </div>
        <button type="submit" className="govuk-button govuk-button--warning">
          Erase this person
        </button>
      </form>
    </>
  );
}
