import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, getJson, newIdempotencyKey, sendCommand } from '../api';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, SelectField, TextField, dateOf, formErrorOf } from '../components/Form';
import { ROLE_NAMES } from '../components/Layout';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';
import { Done } from './forms';

interface ServiceAccount {
  name: string;
  role: string | null;
  description?: string;
  issuedBy: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

const ACCOUNT_FIELDS = ['name', 'role', 'description', 'days'];

/**
 * The administrator's service accounts (README "Sign-in"): a long-lived token for a council's BI
 * tool, for a role that reads (`analyst`, `finance-officer`) on GET routes only; issued with the
 * token shown once (`POST /api/service-accounts`), listed, and revoked at once.
 */
export function ServiceAccountsPage() {
  const [accounts, setAccounts] = useState<ServiceAccount[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [issued, setIssued] = useState<{ name: string; accessToken: string; expiresAt: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState('analyst');
  const [description, setDescription] = useState('');
  const [days, setDays] = useState('365');
  const [error, setError] = useState<FormError | null>(null);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  const load = useCallback(async () => {
    try {
      setAccounts((await getJson<{ serviceAccounts: ServiceAccount[] }>('/api/service-accounts')).serviceAccounts);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'Service accounts – Family outcomes ledger';
    void load();
  }, [load]);

  async function issue(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    sending.current = true;
    setIssued(null);
    setDone(null);
    try {
      const answer = await sendCommand<{ name: string; accessToken: string; expiresAt: string }>(
        '/api/service-accounts',
        { name: name.trim(), role, ...(description.trim() ? { description: description.trim() } : {}), ...(days.trim() ? { days: Number(days.trim()) } : {}) },
        { idempotencyKey: key.current },
      );
      key.current = newIdempotencyKey();
      setIssued(answer.body);
      setError(null);
      setName('');
      setDescription('');
      await load();
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      setError(formErrorOf(problem, ACCOUNT_FIELDS, { days: 'Days' }));
    } finally {
      sending.current = false;
    }
  }

  async function revoke(account: string) {
    setDone(null);
    setRowError(null);
    try {
      await sendCommand(`/api/service-accounts/${encodeURIComponent(account)}/revocation`, {}, { idempotencyKey: newIdempotencyKey() });
      setDone(`${account} is revoked: its token stopped working at once.`);
      await load();
    } catch (e) {
      setRowError(`${account} was not revoked: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return (
    <>
      <h1 className="govuk-heading-l">Service accounts</h1>
      <p className="govuk-body">A long-lived token for a council&rsquo;s BI tool. It holds a role that reads (analyst or finance officer) and may only read; revoking it stops it at once.</p>
      {done ? <Done>{done}</Done> : null}
      {rowError ? (
        <p className="govuk-error-message" role="alert">
          {rowError}
        </p>
      ) : null}
      {issued ? (
        <div className="govuk-inset-text" data-testid="issued">
          <p className="govuk-body">
            <strong>{issued.name}</strong>&rsquo;s token, valid until {ukDate(issued.expiresAt.slice(0, 10))}. Copy it now into the tool&rsquo;s secret store: it is shown once and not kept.
          </p>
          <label className="govuk-label" htmlFor="issued-token">
            Token
          </label>
          <textarea className="govuk-textarea app-break" id="issued-token" rows={4} readOnly value={issued.accessToken} />
        </div>
      ) : null}
      <Loading active={accounts === null && loadError === null}>Loading the service accounts…</Loading>
      {loadError ? <p className="govuk-error-message">{loadError}</p> : null}
      {accounts ? (
        accounts.length === 0 ? (
          <p className="govuk-body">No service accounts yet.</p>
        ) : (
          <table className="govuk-table" data-testid="service-accounts">
            <caption className="govuk-table__caption govuk-table__caption--m">{accounts.length} service accounts</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {['Name', 'Role', 'Issued', 'Expires', 'Status'].map((h) => (
                  <th key={h} scope="col" className="govuk-table__header">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {accounts.map((a) => (
                <tr key={a.name} className="govuk-table__row" data-account={a.name}>
                  <th scope="row" className="govuk-table__header">
                    {a.name}
                    {a.description ? <span className="govuk-body-s"> ({a.description})</span> : null}
                  </th>
                  <td className="govuk-table__cell">{a.role ? (ROLE_NAMES[a.role] ?? a.role) : '–'}</td>
                  <td className="govuk-table__cell">
                    {ukDate(a.issuedAt.slice(0, 10))} by {a.issuedBy}
                  </td>
                  <td className="govuk-table__cell">{ukDate(a.expiresAt.slice(0, 10))}</td>
                  <td className="govuk-table__cell" data-key="status">
                    {a.revokedAt ? (
                      `Revoked ${ukDate(a.revokedAt.slice(0, 10))}`
                    ) : (
                      <button type="button" className="govuk-button govuk-button--warning app-inline-button" onClick={() => void revoke(a.name)}>
                        Revoke<span className="govuk-visually-hidden"> {a.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      <form onSubmit={(e) => void issue(e)} noValidate data-testid="new-service-account">
        <h2 className="govuk-heading-m">Issue a token</h2>
        <ErrorSummary error={error} />
        <TextField
          name="name"
          label="Name of the tool"
          hint="Lower-case letters, digits, dots, dashes or underscores, e.g. powerbi-finance. Names are never reused"
          value={name}
          onChange={setName}
          error={error?.fields.name}
          width={20}
        />
        <SelectField
          name="role"
          label="Reads as"
          value={role}
          onChange={setRole}
          options={[
            { value: 'analyst', label: 'analyst (dashboards, small counts withheld)' },
            { value: 'finance-officer', label: 'finance officer (claims, ledger, finance reports)' },
          ]}
          error={error?.fields.role}
        />
        <TextField name="description" label="What it is for (optional)" value={description} onChange={setDescription} error={error?.fields.description} />
        <TextField name="days" label="Valid for (days)" hint="1 to 730" numeric value={days} onChange={setDays} error={error?.fields.days} width={4} />
        <button type="submit" className="govuk-button">
          Issue the token
        </button>
      </form>
    </>
  );
}

interface Hold {
  holdId: string;
  familyId: string;
  kind: string;
  reference: string;
  placedOn: string;
  placedBy: string;
  releasedOn: string | null;
}

const HOLD_KINDS = [
  { value: 'claim-audit', label: 'Claim audit' },
  { value: 'spot-check', label: 'Government spot check' },
  { value: 'litigation', label: 'Litigation' },
  { value: 'complaint', label: 'Complaint' },
  { value: 'regulator-inquiry', label: "Regulator's inquiry" },
];
const HOLD_FIELDS = ['familyId', 'kind', 'reference', 'placedOn'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Legal holds (docs/privacy.md "Retention"): a family kept past its retention date while a claim
 * audit, a spot check, litigation, a complaint or a regulator's inquiry needs it. Administrators
 * and finance officers place and release them; auditors read them.
 */
export function LegalHoldsPage({ user }: { user: User }) {
  const mayChange = user.role === 'admin' || user.role === 'finance-officer';
  const [holds, setHolds] = useState<Hold[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [familyId, setFamilyId] = useState('');
  const [kind, setKind] = useState('claim-audit');
  const [reference, setReference] = useState('');
  const [placedOn, setPlacedOn] = useState<DateParts>(NO_DATE);
  const [releaseOn, setReleaseOn] = useState<Record<string, string>>({});
  const [error, setError] = useState<FormError | null>(null);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  const load = useCallback(async () => {
    try {
      setHolds((await getJson<{ holds: Hold[] }>('/api/legal-holds')).holds);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'Legal holds – Family outcomes ledger';
    void load();
  }, [load]);

  async function place(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    setDone(null);
    if (!UUID.test(familyId.trim())) return setError({ fields: { familyId: 'Enter the family id, for example 3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f38' } });
    sending.current = true;
    try {
      await sendCommand(`/api/families/${familyId.trim().toLowerCase()}/legal-holds`, { kind, reference: reference.trim(), placedOn: dateOf(placedOn) }, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setError(null);
      setDone(`The hold ${reference.trim()} is placed.`);
      setReference('');
      await load();
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      setError(formErrorOf(problem, HOLD_FIELDS, { placedOn: 'Placed on', familyId: 'Family id' }));
    } finally {
      sending.current = false;
    }
  }

  async function release(hold: Hold) {
    setDone(null);
    setRowError(null);
    const on = releaseOn[hold.holdId] ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) return setRowError(`Enter the date the hold ${hold.reference} is released`);
    try {
      await sendCommand(`/api/legal-holds/${encodeURIComponent(hold.holdId)}/release`, { releasedOn: on }, { idempotencyKey: newIdempotencyKey() });
      setDone(`The hold ${hold.reference} is released.`);
      await load();
    } catch (e) {
      setRowError(`The hold ${hold.reference} was not released: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return (
    <>
      <h1 className="govuk-heading-l">Legal holds</h1>
      <p className="govuk-body">A family on hold is kept past its retention date, until the hold is released.</p>
      {done ? <Done>{done}</Done> : null}
      {rowError ? (
        <p className="govuk-error-message" role="alert">
          {rowError}
        </p>
      ) : null}
      <Loading active={holds === null && loadError === null}>Loading the holds…</Loading>
      {loadError ? <p className="govuk-error-message">{loadError}</p> : null}
      {holds ? (
        holds.length === 0 ? (
          <p className="govuk-body">No legal holds.</p>
        ) : (
          <table className="govuk-table" data-testid="legal-holds">
            <caption className="govuk-table__caption govuk-visually-hidden">Legal holds</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {['Reference', 'Kind', 'Family id', 'Placed', 'Released'].map((h) => (
                  <th key={h} scope="col" className="govuk-table__header">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {holds.map((h) => (
                <tr key={h.holdId} className="govuk-table__row" data-hold={h.holdId}>
                  <th scope="row" className="govuk-table__header">
                    {h.reference}
                  </th>
                  <td className="govuk-table__cell">{HOLD_KINDS.find((k) => k.value === h.kind)?.label ?? h.kind}</td>
                  <td className="govuk-table__cell app-break">{h.familyId}</td>
                  <td className="govuk-table__cell">
                    {ukDate(h.placedOn)} by {h.placedBy}
                  </td>
                  <td className="govuk-table__cell" data-key="released">
                    {h.releasedOn ? (
                      ukDate(h.releasedOn)
                    ) : mayChange ? (
                      <div className="app-inline-controls">
                        <label className="govuk-label govuk-visually-hidden" htmlFor={`release-${h.holdId}`}>
                          Release {h.reference} on
                        </label>
                        <input
                          className="govuk-input govuk-input--width-10"
                          id={`release-${h.holdId}`}
                          type="date"
                          value={releaseOn[h.holdId] ?? ''}
                          onChange={(e) => setReleaseOn({ ...releaseOn, [h.holdId]: e.target.value })}
                        />
                        <button type="button" className="govuk-button govuk-button--secondary" onClick={() => void release(h)}>
                          Release<span className="govuk-visually-hidden"> {h.reference}</span>
                        </button>
                      </div>
                    ) : (
                      'In force'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {mayChange ? (
        <form onSubmit={(e) => void place(e)} noValidate data-testid="new-hold">
          <h2 className="govuk-heading-m">Place a hold</h2>
          <ErrorSummary error={error} />
          <TextField name="familyId" label="Family id" value={familyId} onChange={setFamilyId} error={error?.fields.familyId} width={20} />
          <SelectField name="kind" label="Why" value={kind} onChange={setKind} options={HOLD_KINDS} error={error?.fields.kind} />
          <TextField
            name="reference"
            label="Reference"
            hint="A code: letters, digits and / _ . - (no names), for example AUD/2019/07"
            value={reference}
            onChange={setReference}
            error={error?.fields.reference}
            width={20}
          />
          <DateField name="placedOn" legend="Placed on" value={placedOn} onChange={setPlacedOn} error={error?.fields.placedOn} />
          <button type="submit" className="govuk-button">
            Place the hold
          </button>
        </form>
      ) : null}
    </>
  );
}
