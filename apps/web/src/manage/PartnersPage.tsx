import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, getJson, newIdempotencyKey, sendCommand } from '../api';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, SelectField, TextField, dateOf, fieldId } from '../components/Form';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';
import { Done, formErrorOf } from './forms';

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

const KINDS = ['police', 'probation', 'community-rehabilitation-company', 'registered-housing-provider', 'dwp-jobcentre-plus', 'health', 'childrens-centre', 'school', 'private-or-voluntary-sector'];
const DATA_KINDS = [
  { value: 'crime', label: 'Crime' },
  { value: 'education', label: 'Education' },
  { value: 'benefits-employment', label: 'Benefits and employment' },
  { value: 'health', label: 'Health' },
  { value: 'housing', label: 'Housing' },
  { value: 'family-details', label: 'Family details' },
];

function Checkboxes({ name, legend, options, value, onChange, error, hint }: { name: string; legend: string; options: { value: string; label: string }[]; value: string[]; onChange: (v: string[]) => void; error?: string; hint?: string }) {
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset className="govuk-fieldset" aria-describedby={[hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean).join(' ') || undefined}>
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
        <div className="govuk-checkboxes govuk-checkboxes--small" id={fieldId(name)}>
          {options.map((o) => (
            <div key={o.value} className="govuk-checkboxes__item">
              <input className="govuk-checkboxes__input" id={`${fieldId(name)}-${o.value}`} type="checkbox" checked={value.includes(o.value)} onChange={(e) => onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))} />
              <label className="govuk-label govuk-checkboxes__label" htmlFor={`${fieldId(name)}-${o.value}`}>
                {o.label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

/**
 * The administrator's partner organisations and their information-sharing agreements (DOMAIN.md 6,
 * docs/privacy.md): once a partner is registered its users record only the kinds of data an
 * agreement in force shares, under the legal gateways it relies on.
 */
export function PartnersPage() {
  const [partners, setPartners] = useState<Partner[] | null>(null);
  const [gateways, setGateways] = useState<{ code: string; name: string }[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [revokeOn, setRevokeOn] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    try {
      setPartners((await getJson<{ partners: Partner[] }>('/api/partners')).partners);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'Partners and sharing agreements – Family outcomes ledger';
    void load();
    getJson<{ gateways: { code: string; name: string }[] }>('/api/legal-gateways')
      .then((a) => setGateways(a.gateways))
      .catch(() => setGateways([]));
  }, [load]);

  const recorded = async (what: string) => {
    setDone(what);
    setRowError(null);
    await load();
  };

  async function revoke(partner: Partner, agreement: Agreement) {
    setDone(null);
    setRowError(null);
    const on = revokeOn[agreement.agreementId] ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) return setRowError(`Enter the date ${agreement.reference} is revoked from`);
    try {
      await sendCommand(`/api/partners/${encodeURIComponent(partner.organisation)}/agreements/${encodeURIComponent(agreement.agreementId)}/revocation`, { revokedOn: on }, { idempotencyKey: newIdempotencyKey() });
      await recorded(`${agreement.reference} is revoked from ${ukDate(on)}.`);
    } catch (e) {
      setRowError(`${agreement.reference} was not revoked: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return (
    <>
      <h1 className="govuk-heading-l">Partners and sharing agreements</h1>
      <p className="govuk-body">Once a partner is registered, its users may record only the kinds of data an agreement in force shares with the ledger.</p>
      {done ? <Done>{done}</Done> : null}
      {rowError ? (
        <p className="govuk-error-message" role="alert">
          {rowError}
        </p>
      ) : null}
      <Loading active={partners === null && loadError === null}>Loading the partners…</Loading>
      {loadError ? <p className="govuk-error-message">{loadError}</p> : null}
      {partners?.length === 0 ? <p className="govuk-body">No partners registered: partner users record the kinds of data of their organisation.</p> : null}
      {partners?.map((p) => (
        <section key={p.organisation} className="app-figure" data-partner={p.organisation} aria-labelledby={`partner-${p.organisation}`}>
          <h2 className="govuk-heading-m" id={`partner-${p.organisation}`}>
            {p.name} <span className="govuk-caption-m">{`${p.organisation}, ${p.kind}`}</span>
          </h2>
          {p.agreements.length === 0 ? (
            <p className="govuk-body">No agreement: its users can record nothing.</p>
          ) : (
            <table className="govuk-table">
              <caption className="govuk-table__caption govuk-visually-hidden">Agreements of {p.name}</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {['Agreement', 'Dates', 'Shares', 'Receives', 'Gateways', 'In force'].map((h) => (
                    <th key={h} scope="col" className="govuk-table__header">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {p.agreements.map((a) => (
                  <tr key={a.agreementId} className="govuk-table__row" data-agreement={a.reference}>
                    <th scope="row" className="govuk-table__header">
                      {a.reference}
                    </th>
                    <td className="govuk-table__cell">
                      {ukDate(a.startsOn)} to {ukDate(a.endsOn)}
                      {a.revokedOn ? `, revoked from ${ukDate(a.revokedOn)}` : ''}
                    </td>
                    <td className="govuk-table__cell">{a.shares.join(', ') || '–'}</td>
                    <td className="govuk-table__cell">{a.receives.join(', ') || '–'}</td>
                    <td className="govuk-table__cell">{a.gateways.join(', ')}</td>
                    <td className="govuk-table__cell" data-key="in-force">
                      {a.inForce ? 'Yes' : 'No'}
                      {a.revokedOn ? null : (
                        <div className="app-inline-controls">
                          <label className="govuk-label govuk-visually-hidden" htmlFor={`revoke-${a.agreementId}`}>
                            Revoke {a.reference} from
                          </label>
                          <input className="govuk-input govuk-input--width-10" id={`revoke-${a.agreementId}`} type="date" value={revokeOn[a.agreementId] ?? ''} onChange={(e) => setRevokeOn({ ...revokeOn, [a.agreementId]: e.target.value })} />
                          <button type="button" className="govuk-button govuk-button--warning" onClick={() => void revoke(p, a)}>
                            Revoke<span className="govuk-visually-hidden"> {a.reference}</span>
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
      {partners && partners.length > 0 ? <AgreementForm partners={partners} gateways={gateways} onRecorded={recorded} /> : null}
      <PartnerForm onRecorded={recorded} />
    </>
  );
}

function useKey() {
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);
  return { key, sending };
}

function PartnerForm({ onRecorded }: { onRecorded: (what: string) => Promise<void> }) {
  const [organisation, setOrganisation] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState('police');
  const [error, setError] = useState<FormError | null>(null);
  const { key, sending } = useKey();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    sending.current = true;
    try {
      await sendCommand('/api/partners', { organisation: organisation.trim(), name: name.trim(), kind }, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setError(null);
      setOrganisation('');
      setName('');
      await onRecorded(`${name.trim()} is registered.`);
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      setError(formErrorOf(problem, ['organisation', 'name', 'kind']));
    } finally {
      sending.current = false;
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="new-partner">
      <h2 className="govuk-heading-m">Register a partner</h2>
      <ErrorSummary error={error} />
      <TextField name="organisation" label="Organisation code" hint="The code its users are registered with, for example police" value={organisation} onChange={setOrganisation} error={error?.fields.organisation} width={20} />
      <TextField name="name" label="Name" value={name} onChange={setName} error={error?.fields.name} width={20} />
      <SelectField name="kind" label="Kind of organisation" value={kind} onChange={setKind} options={KINDS.map((k) => ({ value: k, label: k }))} error={error?.fields.kind} />
      <button type="submit" className="govuk-button govuk-button--secondary">
        Register the partner
      </button>
    </form>
  );
}

const AGREEMENT_FIELDS = ['g-reference', 'g-startsOn', 'g-endsOn', 'g-gateways', 'g-shares', 'g-receives'];
const agreementField = (f: string) => `g-${f.replace(/\[\d+\]$/, '')}`;

function AgreementForm({ partners, gateways, onRecorded }: { partners: Partner[]; gateways: { code: string; name: string }[]; onRecorded: (what: string) => Promise<void> }) {
  const [organisation, setOrganisation] = useState(partners[0]?.organisation ?? '');
  const [reference, setReference] = useState('');
  const [startsOn, setStartsOn] = useState<DateParts>(NO_DATE);
  const [endsOn, setEndsOn] = useState<DateParts>(NO_DATE);
  const [chosen, setChosen] = useState<string[]>([]);
  const [shares, setShares] = useState<string[]>([]);
  const [receives, setReceives] = useState<string[]>([]);
  const [error, setError] = useState<FormError | null>(null);
  const { key, sending } = useKey();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    if (chosen.length === 0) return setError({ fields: { 'g-gateways': 'Choose at least one legal gateway' } });
    sending.current = true;
    try {
      await sendCommand(`/api/partners/${encodeURIComponent(organisation)}/agreements`, { reference: reference.trim(), startsOn: dateOf(startsOn), endsOn: dateOf(endsOn), gateways: chosen, shares, receives }, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setError(null);
      await onRecorded(`The agreement ${reference.trim()} is recorded.`);
      setReference('');
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      setError(formErrorOf(problem, AGREEMENT_FIELDS, { 'g-reference': 'Reference', 'g-startsOn': 'Starts on', 'g-endsOn': 'Ends on', 'g-gateways': 'Legal gateways', 'g-shares': 'Shares', 'g-receives': 'Receives' }, agreementField));
    } finally {
      sending.current = false;
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="new-agreement">
      <h2 className="govuk-heading-m">Record a sharing agreement</h2>
      <ErrorSummary error={error} />
      <SelectField name="g-organisation" label="Partner" value={organisation} onChange={setOrganisation} options={partners.map((p) => ({ value: p.organisation, label: p.name }))} />
      <TextField name="g-reference" label="Agreement reference" hint="A code, for example ISA-POLICE-2019" value={reference} onChange={setReference} error={error?.fields['g-reference']} width={20} />
      <DateField name="g-startsOn" legend="Starts on" value={startsOn} onChange={setStartsOn} error={error?.fields['g-startsOn']} />
      <DateField name="g-endsOn" legend="Ends on" value={endsOn} onChange={setEndsOn} error={error?.fields['g-endsOn']} />
      <Checkboxes name="g-gateways" legend="Legal gateways it relies on" options={gateways.map((g) => ({ value: g.code, label: g.name }))} value={chosen} onChange={setChosen} error={error?.fields['g-gateways']} />
      <Checkboxes name="g-shares" legend="Data the partner shares with the ledger" options={DATA_KINDS} value={shares} onChange={setShares} error={error?.fields['g-shares']} />
      <Checkboxes name="g-receives" legend="Data the partner receives" options={DATA_KINDS} value={receives} onChange={setReceives} error={error?.fields['g-receives']} />
      <button type="submit" className="govuk-button govuk-button--secondary">
        Record the agreement
      </button>
    </form>
  );
}
