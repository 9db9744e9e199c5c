import { type FormEvent, type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, download, getJson, getWithEtag, newIdempotencyKey, sendCommand } from '../api';
import { AppLink } from '../components/Layout';
import { type DateParts, ErrorSummary, type FormError, NO_DATE, dateOf, fieldErrorsOf } from '../components/Form';
import { Loading } from '../components/Loading';
import { money, ukDate } from '../format';
import { type FieldSpec, type FormValues } from '../record/evidence-kinds';
import { Field } from '../record/RecordPage';
import { plainReason } from '../record/plain-words';
import { ROUTE_NAMES, STATUS_NAMES } from './ClaimsPage';

interface ClaimFamily {
  familyId: string;
  reference: string;
  route?: string;
  routes: string[];
  amountPence: number;
  auditStatus: string;
  overridden: boolean;
}

export interface Claim {
  claimId: string;
  status: string;
  windowId: string | null;
  asOf: string;
  draftedOn: string;
  totalPence: number;
  totals: { draftedPence: number; removedPence: number; remainingPence: number; receivedPence: number; recoveredPence: number };
  families: ClaimFamily[];
  sample: { seed: number; percent: number; familyIds: string[]; sampledOn: string | null } | null;
  signOffs: { role: string; by: string; signedOn: string | null }[];
  submission: { submittedOn: string; totalPence: number } | null;
  payment: { receivedOn: string; amountPence: number } | null;
  recoveries?: { familyId: string; on: string; amountPence: number }[];
  declarations?: { role: string; text: string }[];
  withdrawal: { reason: string; withdrawnOn: string } | null;
}

const SIGNERS: Record<string, { role: string; name: string }> = {
  'programme-manager': { role: 'programme-lead', name: 'programme lead (Troubled Families Coordinator)' },
  auditor: { role: 'head-of-audit', name: 'head of internal audit' },
};

const ON_THE_DAY = 'Leave empty for today. For example, 20 4 2019';

/**
 * Issue 20.4: one claim through its cycle (DOMAIN.md 5). Each step's form shows only to the role
 * that takes it, in the state that allows it: internal audit draws the sample and records findings,
 * the programme lead and the head of audit sign off with their declarations, the finance officer
 * submits, records the payment, the government's spot checks and recoveries. Every step carries
 * its own business date.
 */
export function ClaimPage({ user, claimId }: { user: User; claimId: string }) {
  const [claim, setClaim] = useState<Claim | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [toRecover, setToRecover] = useState<{ spotCheckId: string; familyId: string; checkedOn: string }[]>([]);
  // Each answer renews the forms (empty fields, a new Idempotency-Key).
  const [rev, setRev] = useState(0);

  useEffect(() => {
    document.title = 'Claim – Family outcomes ledger';
  }, []);

  const load = useCallback(async () => {
    try {
      const read = await getWithEtag<Claim>(`/api/claims/${claimId}`);
      setClaim(read.body);
      setError(null);
      if (user.role === 'finance-officer' && read.body.submission) setToRecover(await spotCheckedInvalid(read.body));
    } catch (e) {
      setError(e instanceof ApiProblem ? plainReason(e) : String(e));
    }
  }, [claimId, user.role]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error) return <p className="govuk-error-message">{error}</p>;
  if (!claim) return <Loading active>Loading the claim…</Loading>;

  const role = user.role;
  const status = claim.status;
  const sampled = new Set(claim.sample?.familyIds ?? []);
  const awaiting = claim.families.filter((f) => f.auditStatus === 'sampled: awaiting finding');
  const signer = SIGNERS[role];
  const signed = (r: string) => claim.signOffs.some((s) => s.role === r);
  // The claim is read again before the page says it is done, so what it shows is the new state.
  const after = (what: string) => () => {
    void load().then(() => {
      setDone(what);
      setRev((r) => r + 1);
    });
  };
  const byReference = new Map(claim.families.map((f) => [f.familyId, f.reference]));

  return (
    <>
      <span className="govuk-caption-l">Results claim{claim.windowId ? ` for window ${claim.windowId}` : ''}</span>
      <h1 className="govuk-heading-l">
        Claim as of {ukDate(claim.asOf)}: <span data-testid="claim-status">{STATUS_NAMES[status] ?? status}</span>
      </h1>
      {done ? (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="claim-done-title" data-testid="claim-done">
          <div className="govuk-notification-banner__header">
            <h2 className="govuk-notification-banner__title" id="claim-done-title">
              Success
            </h2>
          </div>
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      ) : null}
      <dl className="govuk-summary-list" data-testid="claim-summary">
        <Row label="Drafted on">{ukDate(claim.draftedOn)}</Row>
        <Row label="Families">{claim.families.length - claim.families.filter((f) => f.auditStatus === 'sampled: invalid (removed)').length}</Row>
        <Row label="Total claimed">
          <span data-testid="claim-total">{money(claim.totalPence)}</span>
          {claim.totals.removedPence > 0 ? ` (${money(claim.totals.removedPence)} removed by internal audit)` : ''}
        </Row>
        <Row label="Audit sample">
          {claim.sample ? `${claim.sample.familyIds.length} families (${claim.sample.percent}%), drawn ${claim.sample.sampledOn ? ukDate(claim.sample.sampledOn) : ''}` : 'Not drawn yet'}
        </Row>
        <Row label="Sign-offs">
          {claim.signOffs.length === 0
            ? 'None yet'
            : claim.signOffs.map((s) => `${s.role === 'programme-lead' ? 'Programme lead' : 'Head of internal audit'}: ${s.by}${s.signedOn ? ` on ${ukDate(s.signedOn)}` : ''}`).join('; ')}
        </Row>
        <Row label="Submitted">{claim.submission ? `${ukDate(claim.submission.submittedOn)}, ${money(claim.submission.totalPence)}` : 'Not yet'}</Row>
        <Row label="Payment">{claim.payment ? `${money(claim.payment.amountPence)} received ${ukDate(claim.payment.receivedOn)}` : 'Not yet'}</Row>
        <Row label="Recoveries">
          {(claim.recoveries ?? []).length === 0 ? 'None' : (claim.recoveries ?? []).map((r) => `${byReference.get(r.familyId) ?? r.familyId}: ${money(r.amountPence)} on ${ukDate(r.on)}`).join('; ')}
        </Row>
        {claim.withdrawal ? <Row label="Withdrawn">{ukDate(claim.withdrawal.withdrawnOn)}</Row> : null}
      </dl>

      {role === 'auditor' && status === 'draft' ? (
        <CommandForm
          key={`sample-${rev}`}
          id="sample"
          title="Draw the audit sample"
          intro="The sample is drawn reproducibly from a recorded seed, weighted to the riskier families: the framework's 10% by default (at least 5 families, or all if fewer)."
          path={`/api/claims/${claimId}/audit-sample`}
          fields={[
            { name: 'percent', label: 'Share of families to sample, per cent (optional)', kind: 'int', optional: true, hint: "Leave empty for the framework's share. More needs a reason" },
            {
              name: 'reason',
              label: 'Reason for a larger sample',
              kind: 'select',
              optional: true,
              options: [
                { value: '', label: 'No larger sample' },
                { value: 'new-team-or-process', label: 'A new team or process' },
                { value: 'previous-findings', label: 'Previous findings' },
                { value: 'high-risk-claim', label: 'A high-risk claim' },
                { value: 'external-audit-request', label: 'External audit asked' },
                { value: 'spot-check-follow-up', label: 'Following a spot check' },
              ],
            },
            { name: 'sampledOn', label: 'Date the sample is drawn', kind: 'date', optional: true, hint: ON_THE_DAY },
          ]}
          submit="Draw the sample"
          onDone={after('Audit sample drawn')}
        />
      ) : null}

      {role === 'auditor' && status === 'sampled' && awaiting[0] ? (
        <CommandForm
          key={`${awaiting[0].familyId}-${rev}`}
          id="finding"
          title={`Finding for family ${awaiting[0].reference}`}
          intro={
            <>
              {awaiting.length} sampled {awaiting.length === 1 ? 'family awaits' : 'families await'} a finding.{' '}
              <AppLink to={`/claims/${claimId}/families/${awaiting[0].familyId}`}>See the evidence for {awaiting[0].reference}</AppLink>. A family found invalid leaves the claim.
            </>
          }
          path={`/api/claims/${claimId}/audit-findings`}
          fields={[
            { name: 'valid', label: 'Is the result valid?', kind: 'yesno' },
            { name: 'note', label: 'Note', kind: 'textarea', hint: 'What you checked, and what you found' },
            { name: 'foundOn', label: 'Date of the finding', kind: 'date', optional: true, hint: ON_THE_DAY },
          ]}
          fixed={{ familyId: awaiting[0].familyId }}
          submit="Record the finding"
          onDone={after(`Finding recorded for ${awaiting[0].reference}`)}
        />
      ) : null}

      {signer && status === 'audited' && !signed(signer.role) ? (
        <CommandForm
          key={`sign-off-${rev}`}
          id="sign-off"
          title={`Sign off as ${signer.name}`}
          intro={
            <>
              <p className="govuk-body">By signing off you make this declaration:</p>
              <blockquote className="govuk-inset-text" data-testid="declaration">
                {claim.declarations?.find((d) => d.role === signer.role)?.text ?? ''}
              </blockquote>
              <p className="govuk-body">The claim is signed off by the programme lead and the head of internal audit: two different people.</p>
            </>
          }
          path={`/api/claims/${claimId}/sign-offs`}
          fields={[
            { name: 'confirm', label: 'I make this declaration', kind: 'confirm' as FieldSpec['kind'] },
            { name: 'signedOn', label: 'Date of the sign-off', kind: 'date', optional: true, hint: ON_THE_DAY },
          ]}
          fixed={{ role: signer.role }}
          submit="Sign off the claim"
          onDone={after('Signed off')}
        />
      ) : null}

      {role === 'finance-officer' && status === 'signed-off' ? (
        <CommandForm
          key={`submission-${rev}`}
          id="submission"
          title="Submit the claim"
          intro="Once submitted the claim is frozen: its report never changes, and its families cannot be claimed again."
          path={`/api/claims/${claimId}/submission`}
          fields={[{ name: 'submittedOn', label: 'Date submitted to central government', kind: 'date', optional: true, hint: ON_THE_DAY }]}
          submit="Submit the claim"
          onDone={after('Claim submitted')}
        />
      ) : null}

      {role === 'finance-officer' && status === 'submitted' ? (
        <CommandForm
          key={`payment-${rev}`}
          id="payment"
          title="Record the payment received"
          path={`/api/claims/${claimId}/payments`}
          fields={[
            { name: 'receivedOn', label: 'Date received', kind: 'date' },
            { name: 'amountPence', label: 'Amount received, in pounds', kind: 'text', hint: `The claim was for ${money(claim.submission?.totalPence ?? claim.totalPence)}` },
          ]}
          money={['amountPence']}
          submit="Record the payment"
          onDone={after('Payment recorded')}
        />
      ) : null}

      {role === 'finance-officer' && (status === 'submitted' || status === 'paid') ? (
        <>
          <CommandForm
            key={`spot-check-${rev}`}
            id="spot-check"
            title="Record a government spot check of a family"
            intro="Central government checks about 10% of claimed families: a family found ineligible, without evidence of whole-family working or of the result is invalid, and its payment is recovered."
            path="/api/spot-checks"
            fields={[
              { name: 'checkedOn', label: 'Date of the spot check', kind: 'date' },
              {
                name: 'familyId',
                label: 'Family checked',
                kind: 'select',
                options: [
                  { value: '', label: 'Choose a family' },
                  ...claim.families.filter((f) => !f.auditStatus.includes('removed') && f.auditStatus !== 'recovered').map((f) => ({ value: f.familyId, label: f.reference })),
                ],
              },
              { name: 'eligible', label: 'Was the family eligible?', kind: 'yesno' },
              { name: 'wholeFamilyWorking', label: 'Is there evidence of whole-family working?', kind: 'yesno' },
              { name: 'resultEvidenced', label: 'Is there evidence of the result claimed?', kind: 'yesno' },
            ]}
            shape={(body) => {
              const { checkedOn, ...family } = body;
              return { ...(checkedOn !== undefined ? { checkedOn } : {}), families: [family] };
            }}
            prefix="families[0]."
            submit="Record the spot check"
            onDone={after('Spot check recorded')}
          />
          {toRecover.length > 0 ? (
            <CommandForm
              key={`recovery-${rev}-${toRecover.length}`}
              id="recovery"
              title="Recover a family's payment"
              intro="A family the spot check found invalid: its payment is recovered by a reversing entry in the ledger."
              path={`/api/claims/${claimId}/recoveries`}
              fields={[
                {
                  name: 'which',
                  label: 'Family found invalid',
                  kind: 'select',
                  options: toRecover.map((r) => ({ value: `${r.spotCheckId}/${r.familyId}`, label: `${byReference.get(r.familyId) ?? r.familyId} (spot check of ${ukDate(r.checkedOn)})` })),
                },
                { name: 'reason', label: 'Reason', kind: 'textarea' },
                { name: 'on', label: 'Date of the recovery', kind: 'date' },
              ]}
              initial={{ which: `${toRecover[0]?.spotCheckId}/${toRecover[0]?.familyId}` }}
              shape={(body) => {
                const { which, ...rest } = body;
                const [spotCheckId, familyId] = String(which ?? '').split('/');
                return { ...rest, familyId, spotCheckId };
              }}
              submit="Recover the payment"
              onDone={after('Payment recovered')}
            />
          ) : null}
        </>
      ) : null}

      {(role === 'finance-officer' || role === 'admin') && ['draft', 'sampled', 'audited', 'signed-off'].includes(status) ? (
        <CommandForm
          key={`withdrawal-${rev}`}
          id="withdrawal"
          title="Withdraw the draft"
          intro="A claim not yet submitted can be withdrawn; nothing more is recorded on it. A submitted claim is frozen."
          path={`/api/claims/${claimId}/withdrawal`}
          fields={[
            {
              name: 'reason',
              label: 'Why is it withdrawn?',
              kind: 'select',
              options: [
                { value: '', label: 'Choose a reason' },
                { value: 'families-claimed-elsewhere', label: 'Families claimed in another claim' },
                { value: 'drafted-in-error', label: 'Drafted in error' },
                { value: 'superseded-by-new-draft', label: 'Superseded by a new draft' },
                { value: 'window-closed', label: 'The claim window closed' },
                { value: 'audit-found-invalid', label: 'Internal audit found families invalid' },
              ],
            },
            { name: 'withdrawnOn', label: 'Date withdrawn', kind: 'date', optional: true, hint: ON_THE_DAY },
          ]}
          submit="Withdraw the claim"
          secondary
          onDone={after('Claim withdrawn')}
        />
      ) : null}

      <h2 className="govuk-heading-m">Families in the claim</h2>
      <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Families in the claim">
        <table className="govuk-table app-table" data-testid="claim-families">
          <caption className="govuk-table__caption govuk-visually-hidden">Families in the claim</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {['Reference', 'Route', 'Amount', 'Internal audit'].map((h) => (
                <th key={h} scope="col" className="govuk-table__header">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {claim.families.map((f) => (
              <tr key={f.familyId} className="govuk-table__row" data-family={f.familyId}>
                <th scope="row" className="govuk-table__header">
                  {(role === 'auditor' && sampled.has(f.familyId) && claim.submission === null && claim.withdrawal === null) || role === 'programme-manager' ? (
                    <AppLink to={`/claims/${claimId}/families/${f.familyId}`}>{f.reference}</AppLink>
                  ) : (
                    f.reference
                  )}
                </th>
                <td className="govuk-table__cell">{ROUTE_NAMES[f.route ?? f.routes[0] ?? ''] ?? f.route ?? f.routes.join(', ')}</td>
                <td className="govuk-table__cell">{money(f.amountPence)}</td>
                <td className="govuk-table__cell" data-key="audit">
                  {f.auditStatus}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 className="govuk-heading-m">Downloads</h2>
      <p className="govuk-body">The claim report{claim.submission ? ' as submitted (frozen: the same bytes every time)' : ' (a draft is marked DRAFT)'}:</p>
      <div className="govuk-button-group">
        {(['csv', 'xlsx', 'pdf'] as const).map((ext) => (
          <button
            key={ext}
            type="button"
            className="govuk-button govuk-button--secondary"
            data-download={`report.${ext}`}
            onClick={() => void download(`/api/claims/${claimId}/report.${ext}`, `claim-${claimId}.${ext}`)}
          >
            Claim report ({ext.toUpperCase()})
          </button>
        ))}
      </div>
      {claim.submission ? (
        <>
          <p className="govuk-body">The claim's position now (claimed, paid, the difference and recoveries):</p>
          <div className="govuk-button-group">
            {(['csv', 'xlsx', 'pdf'] as const).map((ext) => (
              <button
                key={ext}
                type="button"
                className="govuk-button govuk-button--secondary"
                data-download={`position.${ext}`}
                onClick={() => void download(`/api/claims/${claimId}/position.${ext}`, `claim-${claimId}-position.${ext}`)}
              >
                Position ({ext.toUpperCase()})
              </button>
            ))}
          </div>
        </>
      ) : null}
      <p className="govuk-body">
        <AppLink to="/claims">All claims</AppLink>
      </p>
    </>
  );
}

/** The spot-checked families of this claim found invalid and not yet recovered. */
async function spotCheckedInvalid(claim: Claim): Promise<{ spotCheckId: string; familyId: string; checkedOn: string }[]> {
  const inClaim = new Set(claim.families.map((f) => f.familyId));
  const { spotChecks } = await getJson<{ spotChecks: { spotCheckId: string; toRecover: number }[] }>('/api/spot-checks');
  const out: { spotCheckId: string; familyId: string; checkedOn: string }[] = [];
  for (const check of spotChecks.filter((c) => c.toRecover > 0)) {
    const detail = await getJson<{ checkedOn: string; families: { familyId: string; valid: boolean; recovery: unknown }[] }>(`/api/spot-checks/${check.spotCheckId}`);
    for (const f of detail.families) if (!f.valid && f.recovery === null && inClaim.has(f.familyId)) out.push({ spotCheckId: check.spotCheckId, familyId: f.familyId, checkedOn: detail.checkedOn });
  }
  return out;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="govuk-summary-list__row">
      <dt className="govuk-summary-list__key">{label}</dt>
      <dd className="govuk-summary-list__value">{children}</dd>
    </div>
  );
}

/** "1,600.00" or "£1600" as pence; anything else as typed, for the API to name. */
function penceOf(text: string): number | string {
  const m = /^£?\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m || m[1] === undefined) return text;
  return Number(m[1].replace(/,/g, '')) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/**
 * One step of the cycle as a form: its fields, the body it sends (with `fixed` values), the
 * page's Idempotency-Key (renewed after each answer) and the API's answer shown in the Design
 * System's error pattern. `prefix` is what the API puts before a field's name in its details.
 */
function CommandForm(props: {
  id: string;
  title: string;
  intro?: ReactNode;
  path: string;
  fields: FieldSpec[];
  fixed?: Record<string, unknown>;
  initial?: FormValues;
  money?: string[];
  shape?: (body: Record<string, unknown>) => Record<string, unknown>;
  prefix?: string;
  submit: string;
  /** A step that is not the way forward (a withdrawal): a warning button. */
  secondary?: boolean;
  onDone: () => void;
}) {
  const { id, title, intro, path, fields, fixed, initial, shape, prefix, submit, onDone } = props;
  const [values, setValues] = useState<FormValues>(() => ({ ...Object.fromEntries(fields.map((f) => [f.name, f.kind === 'date' ? NO_DATE : ''])), ...initial }));
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);
  const domName = (name: string) => `${id}-${name}`;

  async function send(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    const confirm = fields.find((f) => (f.kind as string) === 'confirm');
    if (confirm && values[confirm.name] !== 'yes') {
      setError({ fields: { [domName(confirm.name)]: 'Confirm that you make the declaration' } });
      return;
    }
    sending.current = true;
    setBusy(true);
    try {
      let body: Record<string, unknown> = { ...fixed };
      for (const f of fields) {
        const v = values[f.name];
        if ((f.kind as string) === 'confirm' || v === undefined) continue;
        if (typeof v !== 'string') {
          const date = dateOf(v);
          if (date) body[f.name] = date;
        } else if (v.trim() === '') continue;
        else if (props.money?.includes(f.name)) body[f.name] = penceOf(v);
        else if (f.kind === 'int') body[f.name] = /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
        else if (f.kind === 'yesno') body[f.name] = v === 'yes';
        else body[f.name] = f.kind === 'textarea' ? v : v.trim();
      }
      if (shape) body = shape(body);
      await sendCommand(path, body, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setError(null);
      onDone();
    } catch (problem) {
      if (!(problem instanceof ApiProblem)) {
        setError({ message: 'The ledger did not answer. Send it again: it will be recorded once.', fields: {} });
        return;
      }
      key.current = newIdempotencyKey();
      if (problem.status === 400) {
        const { fields: bad, unplaced } = fieldErrorsOf(
          problem,
          fields.map((f) => f.name),
          prefix ?? '',
          Object.fromEntries(fields.map((f) => [f.name, f.label.replace(/ \(optional\)$/, '')])),
        );
        setError({ fields: Object.fromEntries(Object.entries(bad).map(([k, v]) => [domName(k), v])), message: unplaced.join('. ') || undefined });
      } else setError({ message: <span data-testid="refusal">{plainReason(problem)}</span>, fields: {} });
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  return (
    <section className="app-figure" aria-labelledby={`${id}-title`} data-step={id}>
      <h2 className="govuk-heading-m" id={`${id}-title`}>
        {title}
      </h2>
      {typeof intro === 'string' ? <p className="govuk-body">{intro}</p> : intro ? <div className="govuk-body">{intro}</div> : null}
      <form onSubmit={(e) => void send(e)} noValidate>
        <ErrorSummary error={error} />
        {fields.map((f) =>
          (f.kind as string) === 'confirm' ? (
            <div key={f.name} className={`govuk-form-group${error?.fields[domName(f.name)] ? ' govuk-form-group--error' : ''}`}>
              {error?.fields[domName(f.name)] ? (
                <p className="govuk-error-message">
                  <span className="govuk-visually-hidden">Error:</span> {error.fields[domName(f.name)]}
                </p>
              ) : null}
              <div className="govuk-checkboxes">
                <div className="govuk-checkboxes__item">
                  <input
                    className="govuk-checkboxes__input"
                    id={`f-${domName(f.name)}`}
                    name={domName(f.name)}
                    type="checkbox"
                    checked={values[f.name] === 'yes'}
                    onChange={(e) => setValues((old) => ({ ...old, [f.name]: e.target.checked ? 'yes' : '' }))}
                  />
                  <label className="govuk-label govuk-checkboxes__label" htmlFor={`f-${domName(f.name)}`}>
                    {f.label}
                  </label>
                </div>
              </div>
            </div>
          ) : (
            <Field
              key={f.name}
              spec={{ ...f, name: domName(f.name) }}
              value={values[f.name]}
              onChange={(v: string | DateParts) => setValues((old) => ({ ...old, [f.name]: v }))}
              members={[]}
              error={error?.fields[domName(f.name)]}
            />
          ),
        )}
        <button type="submit" className={`govuk-button${props.secondary ? ' govuk-button--warning' : ''}`} disabled={busy} aria-disabled={busy}>
          {submit}
        </button>
      </form>
    </section>
  );
}
