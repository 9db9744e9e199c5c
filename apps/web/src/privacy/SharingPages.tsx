import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiProblem, getJson, newIdempotencyKey, sendCommand } from '../api';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, type RefusalWording, SelectField, TextField, dateOf, fieldId, formErrorOf, inApiWords } from '../components/Form';
import { Loading } from '../components/Loading';

/**
 * Issue 23.1 and 23.4 in the web app: the admin's partner organisations and their
 * information-sharing agreements (register, add an agreement, revoke one), and the ONS transfers
 * (admins and analysts): each evaluation file on record, its destruction confirmed, and the people
 * who opted out after a file included them.
 */

interface Agreement {
  agreementId: string;
  reference: string;
  startsOn: string;
  endsOn: string;
  gateways: string[];
  shares: string[];
  receives: string[];
  revokedOn: string | null;
  inForce: boolean;
}
interface Partner {
  organisation: string;
  name: string;
  kind: string;
  agreements: Agreement[];
}
interface Gateway {
  code: string;
  name: string;
}

/** The API's partner kinds (`PARTNER_ORGANISATION_KINDS`), in words. */
export const PARTNER_KINDS = [
  { value: 'police', label: 'Police' },
  { value: 'probation', label: 'Probation' },
  { value: 'community-rehabilitation-company', label: 'Community rehabilitation company' },
  { value: 'registered-housing-provider', label: 'Registered housing provider' },
  { value: 'dwp-jobcentre-plus', label: 'DWP / Jobcentre Plus' },
  { value: 'health', label: 'Health or public health' },
  { value: 'childrens-centre', label: 'Children’s centre' },
  { value: 'school', label: 'School' },
  { value: 'private-or-voluntary-sector', label: 'Private or voluntary sector' },
];
const KIND_LABEL: Record<string, string> = Object.fromEntries(PARTNER_KINDS.map((k) => [k.value, k.label]));

/** The API's kinds of data shared and received (`SHARED_DATA_KINDS`), in words. */
export const DATA_KINDS = [
  { value: 'crime', label: 'Crime and anti-social behaviour' },
  { value: 'education', label: 'Education (attendance, exclusions)' },
  { value: 'benefits-employment', label: 'Benefits and employment' },
  { value: 'health', label: 'Health' },
  { value: 'housing', label: 'Housing' },
  { value: 'family-details', label: 'Family details' },
];
const DATA_LABEL: Record<string, string> = Object.fromEntries(DATA_KINDS.map((k) => [k.value, k.label]));

function problemText(error: unknown): string {
  return error instanceof ApiProblem ? error.message : 'The ledger could not be reached: try again';
}

/** GOV.UK checkboxes: a fieldset of boxes, each value in or out of `value`. */
function CheckboxesField(props: { name: string; legend: string; value: string[]; onChange: (v: string[]) => void; options: { value: string; label: string }[]; error?: string; hint?: string }) {
  const { name, legend, value, onChange, options, error, hint } = props;
  const describedBy = [hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset className="govuk-fieldset" aria-describedby={describedBy}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
        {hint ? (
          <div className="govuk-hint" id={`${fieldId(name)}-hint`}>
            {hint}
          </div>
        ) : null}
        {error ? (
          <p className="govuk-error-message" id={`${fieldId(name)}-error`}>
            <span className="govuk-visually-hidden">Error:</span> {error}
          </p>
        ) : null}
        <div className="govuk-checkboxes govuk-checkboxes--small">
          {options.map((o, i) => {
            const id = i === 0 ? fieldId(name) : `${fieldId(name)}-${o.value}`;
            return (
              <div key={o.value} className="govuk-checkboxes__item">
                <input
                  className="govuk-checkboxes__input"
                  id={id}
                  name={name}
                  type="checkbox"
                  value={o.value}
                  checked={value.includes(o.value)}
                  onChange={(e) => onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))}
                />
                <label className="govuk-label govuk-checkboxes__label" htmlFor={id}>
                  {o.label}
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

function Banner({ text, testId }: { text: string | null; testId: string }) {
  return text ? (
    <div className="govuk-notification-banner govuk-notification-banner--success" role="status" data-testid={testId}>
      <div className="govuk-notification-banner__content">
        <p className="govuk-notification-banner__heading">{text}</p>
      </div>
    </div>
  ) : null;
}

/** The sharing pages' wording: the API's own message for any other refusal; unplaced field problems joined by "; ". */
const SHARING_WORDING: RefusalWording = { unanswered: problemText, refused: inApiWords, separator: '; ' };

function agreementStatus(a: Agreement): { text: string; colour: string } {
  if (a.inForce) return { text: 'In force', colour: 'green' };
  if (a.revokedOn !== null) return { text: `Revoked from ${a.revokedOn}`, colour: 'red' };
  return { text: 'Not in force today', colour: 'grey' };
}

/**
 * The admin's partner organisations (DOMAIN.md 6, issue 23.1): a partner's users share only within
 * an agreement in force for that kind of data, so the page registers each organisation, records its
 * agreements (dates, the legal gateways it relies on from the register, what it shares and
 * receives), revokes one, and shows which are in force today.
 */
export function PartnersPage() {
  const [partners, setPartners] = useState<Partner[] | null>(null);
  const [gateways, setGateways] = useState<Gateway[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Register a partner.
  const [organisation, setOrganisation] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState('');
  const [registerKey, setRegisterKey] = useState(newIdempotencyKey);

  // Add an agreement.
  const [partner, setPartner] = useState('');
  const [reference, setReference] = useState('');
  const [startsOn, setStartsOn] = useState<DateParts>(NO_DATE);
  const [endsOn, setEndsOn] = useState<DateParts>(NO_DATE);
  const [chosenGateways, setChosenGateways] = useState<string[]>([]);
  const [shares, setShares] = useState<string[]>([]);
  const [receives, setReceives] = useState<string[]>([]);
  const [agreementKey, setAgreementKey] = useState(newIdempotencyKey);

  // Revoke one.
  const [revoking, setRevoking] = useState<{ organisation: string; agreement: Agreement } | null>(null);
  const [revokedOn, setRevokedOn] = useState<DateParts>(NO_DATE);

  const load = useCallback(async () => {
    try {
      const [p, g] = await Promise.all([getJson<{ partners: Partner[] }>('/api/partners'), getJson<{ gateways: Gateway[] }>('/api/legal-gateways')]);
      setPartners(p.partners);
      setGateways(g.gateways);
      setLoadError(null);
    } catch (e) {
      setLoadError(problemText(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'Partner organisations – Family outcomes ledger';
    void load();
  }, [load]);

  async function register(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const fields: Record<string, string> = {};
    if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(organisation.trim())) fields.organisation = 'Enter the organisation’s code: 2 to 40 lower-case letters, digits and -, as its users are registered with';
    if (name.trim().length < 2) fields.name = 'Enter the organisation’s name';
    if (kind === '') fields.kind = 'Choose the kind of organisation';
    if (Object.keys(fields).length > 0) return setError({ fields });
    setBusy(true);
    try {
      const { body } = await sendCommand<Partner>('/api/partners', { organisation: organisation.trim(), name: name.trim(), kind }, { idempotencyKey: registerKey });
      setError(null);
      setDone(`${body.name} registered: add its information-sharing agreement, or its users cannot share`);
      setPartner(body.organisation);
      setOrganisation('');
      setName('');
      setKind('');
      setRegisterKey(newIdempotencyKey());
      await load();
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 409) setError({ fields: { organisation: 'This organisation is already registered' } });
      else setError(formErrorOf(err, ['organisation', 'name', 'kind'], {}, { wording: SHARING_WORDING }));
    } finally {
      setBusy(false);
    }
  }

  async function addAgreement(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const fields: Record<string, string> = {};
    if (partner === '') fields.partner = 'Choose the partner organisation';
    if (reference.trim() === '') fields.reference = 'Enter the agreement’s reference';
    if (dateOf(startsOn) === '') fields.startsOn = 'Enter the day the agreement starts';
    if (dateOf(endsOn) === '') fields.endsOn = 'Enter the day the agreement ends';
    if (chosenGateways.length === 0) fields.gateways = 'Choose at least one legal gateway the agreement relies on';
    if (Object.keys(fields).length > 0) return setError({ fields });
    setBusy(true);
    try {
      const body = { reference: reference.trim(), startsOn: dateOf(startsOn), endsOn: dateOf(endsOn), gateways: chosenGateways, shares, receives };
      const { body: agreement } = await sendCommand<Agreement>(`/api/partners/${encodeURIComponent(partner)}/agreements`, body, { idempotencyKey: agreementKey });
      setError(null);
      setDone(`Agreement ${agreement.reference} recorded, ${agreement.startsOn} to ${agreement.endsOn}`);
      setReference('');
      setStartsOn(NO_DATE);
      setEndsOn(NO_DATE);
      setChosenGateways([]);
      setShares([]);
      setReceives([]);
      setAgreementKey(newIdempotencyKey());
      await load();
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 404) setError({ fields: { partner: 'This organisation is not registered' } });
      else setError(formErrorOf(err, ['reference', 'startsOn', 'endsOn', 'gateways', 'shares', 'receives'], { startsOn: 'Starts on', endsOn: 'Ends on' }, { wording: SHARING_WORDING }));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(e: FormEvent) {
    e.preventDefault();
    if (!revoking) return;
    setDone(null);
    if (dateOf(revokedOn) === '') return setError({ fields: { revokedOn: 'Enter the day from which the agreement no longer holds' } });
    setBusy(true);
    try {
      const { organisation: org, agreement } = revoking;
      const { body } = await sendCommand<Agreement>(
        `/api/partners/${encodeURIComponent(org)}/agreements/${agreement.agreementId}/revocation`,
        { revokedOn: dateOf(revokedOn) },
        { idempotencyKey: newIdempotencyKey() },
      );
      setError(null);
      setDone(`Agreement ${body.reference} revoked from ${body.revokedOn}: the partner’s users lose the access it gave from that day`);
      setRevoking(null);
      setRevokedOn(NO_DATE);
      await load();
    } catch (err) {
      setError(formErrorOf(err, ['revokedOn'], { revokedOn: 'Revoked from' }, { wording: SHARING_WORDING }));
    } finally {
      setBusy(false);
    }
  }

  const gatewayName = (code: string) => gateways.find((g) => g.code === code)?.name ?? code;

  return (
    <>
      <ErrorSummary error={error} />
      <h1 className="govuk-heading-l">Partner organisations</h1>
      <p className="govuk-body">
        A partner’s users record and read only within an information-sharing agreement in force for that kind of data. An organisation not registered here, or with no agreement in force, is refused.
      </p>
      <Banner text={done} testId="partners-done" />
      {loadError ? <p className="govuk-body">{loadError}</p> : null}
      {partners === null && !loadError ? <Loading active>Loading the partners…</Loading> : null}
      {partners !== null && partners.length === 0 ? <p className="govuk-body">No partner organisation is registered.</p> : null}
      {partners?.map((p) => (
        <section key={p.organisation} className="govuk-!-margin-bottom-6" data-partner={p.organisation}>
          <h2 className="govuk-heading-m">
            {p.name} <span className="govuk-caption-m">{`${KIND_LABEL[p.kind] ?? p.kind}; users registered as ${p.organisation}`}</span>
          </h2>
          {p.agreements.length === 0 ? (
            <p className="govuk-body">
              <strong className="govuk-tag govuk-tag--red">No agreement</strong> Its users are refused until an agreement is recorded.
            </p>
          ) : (
            <table className="govuk-table">
              <caption className="govuk-table__caption govuk-visually-hidden">Information-sharing agreements of {p.name}</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {['Agreement', 'Runs', 'Legal gateways', 'Shares', 'Receives', 'Status', ''].map((h, i) => (
                    <th key={i} scope="col" className="govuk-table__header">
                      {h || <span className="govuk-visually-hidden">Action</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {p.agreements.map((a) => {
                  const status = agreementStatus(a);
                  return (
                    <tr key={a.agreementId} className="govuk-table__row" data-agreement={a.reference}>
                      <th scope="row" className="govuk-table__header">
                        {a.reference}
                      </th>
                      <td className="govuk-table__cell">
                        {a.startsOn} to {a.endsOn}
                      </td>
                      <td className="govuk-table__cell">{a.gateways.map(gatewayName).join('; ')}</td>
                      <td className="govuk-table__cell">{a.shares.map((k) => DATA_LABEL[k] ?? k).join('; ') || 'Nothing'}</td>
                      <td className="govuk-table__cell">{a.receives.map((k) => DATA_LABEL[k] ?? k).join('; ') || 'Nothing'}</td>
                      <td className="govuk-table__cell">
                        <strong className={`govuk-tag govuk-tag--${status.colour}`}>{status.text}</strong>
                      </td>
                      <td className="govuk-table__cell">
                        {a.revokedOn === null ? (
                          <button
                            type="button"
                            className="govuk-button govuk-button--warning govuk-!-margin-bottom-0"
                            onClick={() => {
                              setRevoking({ organisation: p.organisation, agreement: a });
                              setRevokedOn(NO_DATE);
                              setError(null);
                            }}
                          >
                            Revoke<span className="govuk-visually-hidden"> {a.reference}</span>
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {revoking?.organisation === p.organisation ? (
            <form noValidate onSubmit={revoke} className="govuk-inset-text" data-testid="revoke-form">
              <h3 className="govuk-heading-s">Revoke {revoking.agreement.reference}</h3>
              <DateField
                name="revokedOn"
                legend="Revoked from"
                value={revokedOn}
                onChange={setRevokedOn}
                error={error?.fields.revokedOn}
                hint="From this day the partner’s users lose the access the agreement gave, for example 1 5 2019"
              />
              <div className="govuk-button-group">
                <button type="submit" className="govuk-button govuk-button--warning" disabled={busy} aria-disabled={busy}>
                  Revoke the agreement
                </button>
                <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setRevoking(null)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : null}
        </section>
      ))}

      <h2 className="govuk-heading-m">Register a partner organisation</h2>
      <form noValidate onSubmit={register}>
        <TextField
          name="organisation"
          label="Organisation code"
          value={organisation}
          onChange={setOrganisation}
          error={error?.fields.organisation}
          hint="The code its users are registered with, for example police"
          width={20}
        />
        <TextField name="name" label="Name" value={name} onChange={setName} error={error?.fields.name} hint="For example, Synthetic Borough Police" />
        <SelectField name="kind" label="Kind of organisation" value={kind} onChange={setKind} error={error?.fields.kind} options={[{ value: '', label: 'Choose a kind' }, ...PARTNER_KINDS]} />
        <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy}>
          Register the partner
        </button>
      </form>

      <h2 className="govuk-heading-m">Add an information-sharing agreement</h2>
      <form noValidate onSubmit={addAgreement}>
        <SelectField
          name="partner"
          label="Partner organisation"
          value={partner}
          onChange={setPartner}
          error={error?.fields.partner}
          options={[{ value: '', label: 'Choose a partner' }, ...(partners ?? []).map((p) => ({ value: p.organisation, label: p.name }))]}
        />
        <TextField
          name="reference"
          label="Agreement reference"
          value={reference}
          onChange={setReference}
          error={error?.fields.reference}
          hint="For example ISA-POLICE-2019: letters, digits and / _ . - only"
          width={20}
        />
        <DateField name="startsOn" legend="Starts on" value={startsOn} onChange={setStartsOn} error={error?.fields.startsOn} hint="For example 1 4 2019" />
        <DateField name="endsOn" legend="Ends on" value={endsOn} onChange={setEndsOn} error={error?.fields.endsOn} hint="The last day it holds, for example 31 3 2020" />
        <CheckboxesField
          name="gateways"
          legend="Legal gateways it relies on"
          value={chosenGateways}
          onChange={setChosenGateways}
          error={error?.fields.gateways}
          hint="From the register of laws partners may share under"
          options={gateways.map((g) => ({ value: g.code, label: g.name }))}
        />
        <CheckboxesField name="shares" legend="Kinds of data the partner shares with the programme" value={shares} onChange={setShares} error={error?.fields.shares} options={DATA_KINDS} />
        <CheckboxesField name="receives" legend="Kinds of data the partner receives" value={receives} onChange={setReceives} error={error?.fields.receives} options={DATA_KINDS} />
        <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy}>
          Record the agreement
        </button>
      </form>
    </>
  );
}

interface Transfer {
  transferId: string;
  agreementReference: string;
  terms: string[];
  from: string;
  to: string;
  transferredOn: string;
  transferredBy: string;
  people: number;
  families: number;
  fileSha256: string;
  optOutsApplied: number;
  destruction: null | { confirmedOn: string; reference: string; recordedBy: string };
}
interface OptOut {
  transferId: string;
  agreementReference: string;
  transferredOn: string;
  memberId: string;
  familyId: string;
  optedOutOn: string;
  fileDestroyed: boolean;
}

/**
 * The ONS transfers (DOMAIN.md 6, issue 23.4), for admins and analysts: every evaluation file on
 * record under the data agreement, the evaluator's destruction confirmation recorded against it,
 * and the people who opted out after a file included them, to notify to the evaluator.
 */
export function OnsTransfersPage() {
  const [transfers, setTransfers] = useState<Transfer[] | null>(null);
  const [optOuts, setOptOuts] = useState<OptOut[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<Transfer | null>(null);
  const [confirmedOn, setConfirmedOn] = useState<DateParts>(NO_DATE);
  const [reference, setReference] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);

  const load = useCallback(async () => {
    try {
      const [t, o] = await Promise.all([getJson<{ transfers: Transfer[] }>('/api/ons-transfers'), getJson<{ notifications: OptOut[] }>('/api/ons-transfers/opt-outs')]);
      setTransfers(t.transfers);
      setOptOuts(o.notifications);
      setLoadError(null);
    } catch (e) {
      setLoadError(problemText(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'ONS transfers – Family outcomes ledger';
    void load();
  }, [load]);

  async function confirm(e: FormEvent) {
    e.preventDefault();
    if (!confirming) return;
    setDone(null);
    const fields: Record<string, string> = {};
    if (dateOf(confirmedOn) === '') fields.confirmedOn = 'Enter the day the ONS confirmed the file destroyed';
    if (reference.trim() === '') fields.destructionReference = 'Enter the reference of the evaluator’s confirmation';
    if (Object.keys(fields).length > 0) return setError({ fields });
    setBusy(true);
    try {
      const { body } = await sendCommand<Transfer>(
        `/api/ons-transfers/${confirming.transferId}/destruction`,
        { confirmedOn: dateOf(confirmedOn), reference: reference.trim() },
        { idempotencyKey: key },
      );
      setError(null);
      setDone(`The file of ${body.transferredOn} is recorded as destroyed on ${body.destruction?.confirmedOn ?? dateOf(confirmedOn)}`);
      setConfirming(null);
      setConfirmedOn(NO_DATE);
      setReference('');
      setKey(newIdempotencyKey());
      await load();
    } catch (err) {
      const placed = formErrorOf(err, ['confirmedOn', 'reference'], { confirmedOn: 'Confirmed on' }, { wording: SHARING_WORDING });
      const { reference: refError, ...others } = placed.fields;
      setError({ ...placed, fields: { ...others, ...(refError ? { destructionReference: refError } : {}) } });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ErrorSummary error={error} />
      <h1 className="govuk-heading-l">ONS transfers</h1>
      <p className="govuk-body">
        Each evaluation file sent to the Office for National Statistics, under the data agreement: research and evaluation only, no re-identification, the linked data never returned, the file
        destroyed after use.
      </p>
      <Banner text={done} testId="transfer-done" />
      {loadError ? <p className="govuk-body">{loadError}</p> : null}
      {transfers === null && !loadError ? <Loading active>Loading the transfers…</Loading> : null}
      {transfers !== null && transfers.length === 0 ? <p className="govuk-body">No file has been sent to the ONS.</p> : null}
      {transfers !== null && transfers.length > 0 ? (
        <table className="govuk-table" data-testid="transfers">
          <caption className="govuk-table__caption govuk-table__caption--m">Transfers ({transfers.length})</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {['Sent on', 'Agreement', 'Families identified', 'People', 'Families', 'Opt-outs left out', 'File SHA-256', 'Destroyed'].map((h) => (
                <th key={h} scope="col" className="govuk-table__header">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {transfers.map((t) => (
              <tr key={t.transferId} className="govuk-table__row" data-transfer={t.transferId}>
                <th scope="row" className="govuk-table__header">
                  {t.transferredOn}
                </th>
                <td className="govuk-table__cell">{t.agreementReference}</td>
                <td className="govuk-table__cell">
                  {t.from} to {t.to}
                </td>
                <td className="govuk-table__cell govuk-table__cell--numeric">{t.people}</td>
                <td className="govuk-table__cell govuk-table__cell--numeric">{t.families}</td>
                <td className="govuk-table__cell govuk-table__cell--numeric">{t.optOutsApplied}</td>
                <td className="govuk-table__cell">
                  <code className="app-code" title={t.fileSha256}>
                    {t.fileSha256.slice(0, 12)}…
                  </code>
                </td>
                <td className="govuk-table__cell">
                  {t.destruction ? (
                    <strong className="govuk-tag govuk-tag--green">
                      Destroyed {t.destruction.confirmedOn} ({t.destruction.reference})
                    </strong>
                  ) : (
                    <button
                      type="button"
                      className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                      onClick={() => {
                        setConfirming(t);
                        setError(null);
                      }}
                    >
                      Record destruction<span className="govuk-visually-hidden"> of the file sent on {t.transferredOn}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {confirming ? (
        <form noValidate onSubmit={confirm} data-testid="destruction-form">
          <h2 className="govuk-heading-m">Record the destruction of the file sent on {confirming.transferredOn}</h2>
          <DateField
            name="confirmedOn"
            legend="Destroyed on"
            value={confirmedOn}
            onChange={setConfirmedOn}
            error={error?.fields.confirmedOn}
            hint="The day the ONS confirmed it destroyed the file, for example 30 6 2019"
          />
          <TextField
            name="destructionReference"
            label="Confirmation reference"
            value={reference}
            onChange={setReference}
            error={error?.fields.destructionReference}
            hint="The evaluator’s reference: letters, digits and / _ . - only"
            width={20}
          />
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={busy} aria-disabled={busy}>
              Record the destruction
            </button>
            <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}

      <h2 className="govuk-heading-m">People who opted out after a transfer</h2>
      <p className="govuk-body">Tell the evaluator to remove these people from the files that included them (the id is the file’s member_id).</p>
      {optOuts !== null && optOuts.length === 0 ? <p className="govuk-body">Nobody has opted out after a file included them.</p> : null}
      {optOuts !== null && optOuts.length > 0 ? (
        <table className="govuk-table" data-testid="opt-outs">
          <caption className="govuk-table__caption govuk-visually-hidden">People to notify to the evaluator</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {['Person (member_id)', 'File sent on', 'Agreement', 'Opted out on', 'File destroyed'].map((h) => (
                <th key={h} scope="col" className="govuk-table__header">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {optOuts.map((o) => (
              <tr key={`${o.transferId}:${o.memberId}`} className="govuk-table__row">
                <th scope="row" className="govuk-table__header">
                  <code className="app-code">{o.memberId}</code>
                </th>
                <td className="govuk-table__cell">{o.transferredOn}</td>
                <td className="govuk-table__cell">{o.agreementReference}</td>
                <td className="govuk-table__cell">{o.optedOutOn}</td>
                <td className="govuk-table__cell">{o.fileDestroyed ? 'Yes' : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
