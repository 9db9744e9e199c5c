import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, getJson, getWithEtag, newIdempotencyKey, sendCommand } from '../api';
import { AppLink } from '../components/Layout';
import { PROBLEM_NAMES } from '../components/FigureView';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, RadiosField, SelectField, TextField, dateOf, fieldErrorsOf, partsOf } from '../components/Form';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';
import { navigate } from '../router';
import { type EvidenceKind, type FieldSpec, type FormValues, bodyOf, kindOfEvent, kindsFor, valuesOfEvent } from './evidence-kinds';
import { plainReason } from './plain-words';

export interface Member {
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
  keyworker?: string | null;
  members: Member[];
}

export interface HistoryEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
  supersededBy?: string;
}

interface Progress {
  asOf: string;
  problems: { problem: string; met: boolean; detail: string; evidenceEventIds: string[] }[];
  claimable: boolean;
}

export const STALE_MESSAGE = 'Someone else recorded something for this family since you opened it.';

/**
 * Issue 20.3: record what happened to a family, through the API's commands. The family is read
 * once (its ETag kept), each submission carries the page's Idempotency-Key (a double click or a
 * resend after a lost answer records once; a new key after each answer) and If-Match, so an edit
 * made on a stale page is refused and the user reloads. Partners read nothing back (docs/api.md):
 * they record their own kinds by member id, without a family read.
 */
export function RecordPage({ user, familyId, search }: { user: User; familyId: string; search: URLSearchParams }) {
  const kinds = kindsFor(user.role, user.organisation);
  const reads = user.role !== 'partner';
  const kind = kinds.find((k) => k.kind === search.get('kind'));
  const correcting = search.get('correct');

  const [family, setFamily] = useState<Family | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [history, setHistory] = useState<HistoryEvent[]>([]);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loading, setLoading] = useState(reads);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    document.title = `Record what happened – Family outcomes ledger`;
  }, []);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      if (!reads) return;
      setLoading(true);
      try {
        const read = await getWithEtag<Family>(`/api/families/${familyId}`, signal);
        setFamily(read.body);
        setEtag(read.etag);
        const [h, p] = await Promise.all([
          getJson<{ events: HistoryEvent[] }>(`/api/families/${familyId}/history`, signal).catch(() => ({ events: [] })),
          getJson<Progress>(`/api/families/${familyId}/progress`, signal).catch(() => null),
        ]);
        setHistory(h.events);
        setProgress(p);
        setLoadError(null);
      } catch (e) {
        if (signal?.aborted) return;
        setLoadError(
          e instanceof ApiProblem && e.status === 403
            ? 'This family is not one of yours: you can record only for the families assigned to you.'
            : e instanceof ApiProblem && e.status === 404
              ? 'There is no family with this id.'
              : String(e instanceof Error ? e.message : e),
        );
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [familyId, reads],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  useEffect(() => {
    if (kind) setDone(null);
  }, [kind]);

  const base = `/families/${familyId}/record`;
  const correctedEvent = correcting ? history.find((e) => e.eventId === correcting) : undefined;

  return (
    <>
      <span className="govuk-caption-l">{family ? `Family ${family.reference}` : reads ? 'Family' : `Family ${familyId}`}</span>
      <h1 className="govuk-heading-l">{kind ? (correcting ? `Correct: ${kind.title.toLowerCase()}` : kind.title) : 'Record what happened'}</h1>
      {done ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="record-done-title" data-testid="recorded">
          <div className="govuk-notification-banner__header">
            <h2 className="govuk-notification-banner__title" id="record-done-title">
              Success
            </h2>
          </div>
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      ) : null}
      <Loading active={loading}>Loading the family…</Loading>
      {loadError ? <p className="govuk-error-message">{loadError}</p> : null}
      {kinds.length === 0 ? (
        <p className="govuk-body">Your role does not record evidence about families. Keyworkers record for their families; partners record their own kinds of data.</p>
      ) : loadError ? null : !kind ? (
        <>
          <h2 className="govuk-heading-m">What happened?</h2>
          <ul className="govuk-list app-kinds" data-testid="kinds">
            {kinds.map((k) => (
              <li key={k.kind}>
                <AppLink to={`${base}?kind=${k.kind}`}>{k.title}</AppLink>
              </li>
            ))}
          </ul>
        </>
      ) : reads && !family ? null : correcting && reads && !correctedEvent ? (
        <p className="govuk-body">There is no such fact in this family's history to correct.</p>
      ) : (
        <EvidenceForm
          key={`${kind.kind}:${correcting ?? ''}`}
          kind={kind}
          familyId={familyId}
          members={family?.members ?? null}
          etag={etag}
          corrected={correctedEvent ?? null}
          correctedId={correcting}
          onRecorded={(newEtag) => {
            setDone(correcting ? 'Correction recorded' : kind.done);
            if (newEtag) setEtag(newEtag);
            navigate(base);
            void load();
          }}
          onReload={() => {
            setDone(null);
            void load();
          }}
        />
      )}
      {kind ? (
        <p className="govuk-body">
          <AppLink to={base}>Record something else</AppLink>
        </p>
      ) : null}
      {progress ? <ProgressTable progress={progress} /> : null}
      {reads && family && history.length > 0 ? <RecentFacts history={history} members={family.members} base={base} kinds={kinds} /> : null}
    </>
  );
}

function memberName(m: Member): string {
  const name = [m.givenName, m.familyName].filter(Boolean).join(' ') || m.memberId;
  return `${name} (${m.relationship}${m.dateOfBirth ? `, born ${ukDate(m.dateOfBirth)}` : ''})`;
}

function initialValues(kind: EvidenceKind, corrected: HistoryEvent | null): FormValues {
  if (corrected) return valuesOfEvent(kind, corrected.type, corrected.data, partsOf);
  const values: FormValues = {};
  for (const f of kind.fields) values[f.name] = f.kind === 'date' ? NO_DATE : '';
  return values;
}

function EvidenceForm(props: {
  kind: EvidenceKind;
  familyId: string;
  members: Member[] | null;
  etag: string | null;
  corrected: HistoryEvent | null;
  correctedId: string | null;
  onRecorded: (etag: string | null) => void;
  onReload: () => void;
}) {
  const { kind, familyId, members, etag, corrected, correctedId, onRecorded, onReload } = props;
  const [values, setValues] = useState<FormValues>(() => initialValues(kind, corrected));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per form load, kept across resends of the same submission, renewed after each answer.
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);
  const names = kind.fields.map((f) => f.name);
  // A label as the start of a sentence ("Sessions attended must be …"), without "(optional)".
  const labels = Object.fromEntries(kind.fields.map((f) => [f.name, f.label.replace(/ \(optional\)$/, '')]));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    try {
      const body = bodyOf(kind, values, dateOf);
      const path = correctedId ? `/api/families/${familyId}/corrections` : `/api/families/${familyId}/${kind.path}`;
      const sent = correctedId ? { supersedesEventId: correctedId, replacement: { path: kind.path, body }, ...(reason.trim() ? { reason: reason.trim() } : {}) } : body;
      const answer = await sendCommand(path, sent, { idempotencyKey: key.current, ifMatch: etag });
      key.current = newIdempotencyKey();
      setError(null);
      onRecorded(answer.etag);
    } catch (problem) {
      if (!(problem instanceof ApiProblem)) {
        // The answer was lost (network): the same key goes with a resend, so it is recorded once.
        setError({ message: 'The ledger did not answer. Check your connection and send it again: it will be recorded once.', fields: {} });
        return;
      }
      key.current = newIdempotencyKey();
      if (problem.status === 409 && problem.reason === 'VersionConflict') {
        setError({
          message: (
            <>
              <p className="govuk-body" data-testid="stale">
                {STALE_MESSAGE} Nothing was recorded.
              </p>
              <p className="govuk-body">
                <a
                  href={location.pathname + location.search}
                  className="govuk-link"
                  onClick={(ev) => {
                    ev.preventDefault();
                    setError(null);
                    onReload();
                  }}
                >
                  Reload the family to see what changed
                </a>
                , then check your entry and send it again.
              </p>
            </>
          ),
          fields: {},
        });
        return;
      }
      if (problem.status === 400) {
        const { fields, unplaced } = fieldErrorsOf(problem, [...names, 'reason'], correctedId ? 'replacement.body.' : '', { ...labels, reason: 'The reason' });
        setError({ fields, message: unplaced.length > 0 ? unplaced.join('. ') : undefined });
        return;
      }
      setError({ message: plainReason(problem), fields: {} });
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  const set = (name: string) => (v: string | DateParts) => setValues((old) => ({ ...old, [name]: v }));
  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-kind={kind.kind}>
      <ErrorSummary error={error} />
      {corrected ? <p className="govuk-inset-text">The fact recorded on {ukDate(corrected.recordedAt.slice(0, 10))} is replaced by what you send; the family's history keeps both.</p> : null}
      {kind.fields.map((f) => (
        <Field key={f.name} spec={f} value={values[f.name]} onChange={set(f.name)} members={members} error={error?.fields[f.name]} />
      ))}
      {correctedId ? <TextField name="reason" label="Why is it being corrected? (optional)" value={reason} onChange={setReason} error={error?.fields.reason} textarea /> : null}
      <button type="submit" className="govuk-button" data-module="govuk-button" disabled={busy} aria-disabled={busy}>
        {correctedId ? 'Record the correction' : 'Record'}
      </button>
    </form>
  );
}

export function Field({
  spec,
  value,
  onChange,
  members,
  error,
}: {
  spec: FieldSpec;
  value: FormValues[string] | undefined;
  onChange: (v: string | DateParts) => void;
  members: Member[] | null;
  error?: string;
}) {
  const text = typeof value === 'string' ? value : '';
  switch (spec.kind) {
    case 'member':
    case 'child': {
      if (members === null)
        return <TextField name={spec.name} label={`${spec.label}: member id`} hint="The member's id, as given in the referral" value={text} onChange={onChange} error={error} width={20} />;
      const shown = members.filter((m) => spec.kind === 'member' || m.relationship === 'child');
      return (
        <SelectField
          name={spec.name}
          label={spec.label}
          hint={spec.hint}
          value={text}
          onChange={onChange}
          error={error}
          options={[
            { value: '', label: spec.optional ? 'No one in particular' : `Choose ${spec.kind === 'child' ? 'a child' : 'a member'}` },
            ...shown.map((m) => ({ value: m.memberId, label: memberName(m) })),
          ]}
        />
      );
    }
    case 'date':
      return <DateField name={spec.name} legend={spec.label} hint={spec.hint ?? 'For example, 27 3 2019'} value={typeof value === 'object' ? value : NO_DATE} onChange={onChange} error={error} />;
    case 'radios':
      return <RadiosField name={spec.name} legend={spec.label} hint={spec.hint} value={text} onChange={onChange} options={spec.options ?? []} error={error} />;
    case 'yesno':
      return (
        <RadiosField
          name={spec.name}
          legend={spec.label}
          hint={spec.hint}
          value={text}
          onChange={onChange}
          options={[
            { value: 'yes', label: 'Yes' },
            { value: 'no', label: 'No' },
          ]}
          error={error}
          inline
        />
      );
    case 'select':
      return <SelectField name={spec.name} label={spec.label} hint={spec.hint} value={text} onChange={onChange} options={spec.options ?? []} error={error} />;
    case 'int':
      return <TextField name={spec.name} label={spec.label} hint={spec.hint} value={text} onChange={onChange} error={error} width={4} numeric />;
    case 'textarea':
      return <TextField name={spec.name} label={spec.label} hint={spec.hint} value={text} onChange={onChange} error={error} textarea />;
    default:
      return <TextField name={spec.name} label={spec.label} hint={spec.hint} value={text} onChange={onChange} error={error} width={10} />;
  }
}

function ProgressTable({ progress }: { progress: Progress }) {
  return (
    <section className="app-figure" data-testid="progress" aria-labelledby="progress-title">
      <h2 className="govuk-heading-m" id="progress-title">
        Progress as of {ukDate(progress.asOf)}
      </h2>
      <p className="govuk-body">{progress.claimable ? 'A result is achieved and can be claimed.' : 'No result to claim yet.'}</p>
      <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Progress">
        <table className="govuk-table app-table">
          <caption className="govuk-table__caption govuk-visually-hidden">Progress against each problem</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">
                Problem
              </th>
              <th scope="col" className="govuk-table__header">
                Met
              </th>
              <th scope="col" className="govuk-table__header">
                Why
              </th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {progress.problems.map((p) => (
              <tr key={p.problem} className="govuk-table__row" data-problem={p.problem}>
                <th scope="row" className="govuk-table__header">
                  {PROBLEM_NAMES[p.problem] ?? p.problem}
                </th>
                <td className="govuk-table__cell">{p.met ? 'Yes' : 'Not yet'}</td>
                <td className="govuk-table__cell" data-key="detail">
                  {p.detail}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The facts recorded most recently that the user may correct, newest first. */
function RecentFacts({ history, members, base, kinds }: { history: HistoryEvent[]; members: Member[]; base: string; kinds: EvidenceKind[] }) {
  const named = new Map(members.map((m) => [m.memberId, [m.givenName, m.familyName].filter(Boolean).join(' ') || m.relationship]));
  const facts = history
    .filter((e) => !e.supersededBy && kindOfEvent(e.type) !== undefined && kinds.includes(kindOfEvent(e.type) as EvidenceKind))
    .slice(-12)
    .reverse();
  if (facts.length === 0) return null;
  return (
    <section className="app-figure" aria-labelledby="facts-title">
      <h2 className="govuk-heading-m" id="facts-title">
        Recent facts
      </h2>
      <ul className="govuk-list" data-testid="facts">
        {facts.map((e) => {
          const kind = kindOfEvent(e.type) as EvidenceKind;
          return (
            <li key={e.eventId} data-event={e.eventId}>
              {describe(e, named)} ·{' '}
              <AppLink to={`${base}?kind=${kind.kind}&correct=${e.eventId}`}>
                Correct this<span className="govuk-visually-hidden"> {kind.title.toLowerCase()}</span>
              </AppLink>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function describe(e: HistoryEvent, named: Map<string, string>): string {
  const d = e.data;
  const who = typeof d.memberId === 'string' ? (named.get(d.memberId) ?? 'a member') : 'the family';
  const on = (k: string) => (typeof d[k] === 'string' ? ukDate(d[k] as string) : '');
  switch (e.type) {
    case 'SchoolAttendanceRecorded':
      return `${cap(String(d.term))} term ${String(d.academicYear)}: ${who} attended ${String(d.attendedSessions)} of ${String(d.possibleSessions)} sessions`;
    case 'ExclusionRecorded':
      return `${who}: ${String(d.kind)} exclusion from ${on('startedOn')}`;
    case 'OffenceRecorded':
      return `${who}: offence${d.proven ? ', proven' : ', not proven'}, ${on('committedOn')}`;
    case 'AsbIncidentRecorded':
      return `Anti-social behaviour (${who}), ${on('occurredOn')}`;
    case 'BenefitStarted':
    case 'BenefitEnded':
      return `${who}: ${String(d.benefit)} ${e.type === 'BenefitStarted' ? 'started' : 'ended'} ${on('on')}`;
    case 'EmploymentStarted':
    case 'EmploymentEnded':
      return `${who}: work ${e.type === 'EmploymentStarted' ? 'started' : 'ended'} ${on('on')}`;
    case 'HealthConcernIdentified':
    case 'HealthConcernResolved':
      return `${who}: health concern ${e.type === 'HealthConcernIdentified' ? 'identified' : 'resolved'} ${on('on')} (reference ${String(d.concernId)})`;
    case 'SocialCareStatusChanged':
      return `${who}: social care status ${String(d.status)} from ${on('on')}`;
    case 'DomesticAbuseIncidentRecorded':
      return `Domestic abuse incident, ${on('occurredOn')}`;
    case 'ConsentRecorded':
      return `${who}: consent to ${String(d.purpose)} ${d.given ? 'given' : 'withdrawn'} ${on('on')}`;
    default:
      return `${e.type.replace(/([a-z])([A-Z])/g, '$1 $2')}${Object.keys(d).find((k) => k.endsWith('On')) ? `, ${on(Object.keys(d).find((k) => k.endsWith('On')) as string)}` : ''}`;
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
