import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, getJson, newIdempotencyKey, sendCommand } from '../api';
import { PROBLEM_NAMES } from '../components/FigureView';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, RadiosField, TextField, dateOf, formErrorOf } from '../components/Form';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';
import { Done } from './forms';

type Parameters = Record<string, Record<string, number>>;

interface PlanVersion {
  version: number;
  effectiveFrom: string;
  scope: string;
  problems: Record<string, { indicators: { code: string; label: string }[]; measures: { kind: string }[]; combine: string }>;
  milestones: { code: string; label: string }[];
  parameters?: Parameters;
}

const SCOPES = [
  { value: 'at-entry', label: 'Problems at entry only' },
  { value: 'at-entry-plus-later', label: 'Problems at entry and those identified later' },
];

/** The default plan's thresholds in words (docs/outcome-plans.md). */
const GROUPS: Record<string, string> = {
  crimeAsb: 'Crime and anti-social behaviour',
  education: 'Education',
  childrenInNeed: 'Children who need help',
  worklessness: 'Worklessness',
  domesticAbuse: 'Domestic violence and abuse',
  health: 'Health',
};
const NAMES: Record<string, string> = {
  windowMonths: 'window (months)',
  offenceReductionPercent: 'offences down by at least (%)',
  asbReductionPercent: 'anti-social behaviour down by at least (%)',
  attendanceThresholdPercent: 'attendance at least (%)',
  termsRequired: 'terms required',
  maxFixedTermExclusions: 'fixed-term exclusions at most',
  sustainMonths: 'sustained for (months)',
  employedWeeks: 'weeks in work',
};
const labelOf = (group: string, name: string) => `${GROUPS[group] ?? group}: ${NAMES[name] ?? name}`;
const fieldOf = (group: string, name: string) => `p-${group}-${name}`;

/**
 * The programme manager's Outcome Plan (DOMAIN.md 4.4, docs/outcome-plans.md): every version with
 * the date it is in force from, and a new version drafted on the page (the thresholds of the
 * default plan changed, or the plan as the council wrote it, in JSON), checked, then published
 * with `POST /api/outcome-plans`. Old versions never change: a claim is judged by the version in
 * force at its as-of date.
 */
export function OutcomePlanPage() {
  const [versions, setVersions] = useState<PlanVersion[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setVersions((await getJson<{ versions: PlanVersion[] }>('/api/outcome-plans')).versions);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    document.title = 'Outcome Plan – Family outcomes ledger';
    void load();
  }, [load]);

  const latest = versions ? [...versions].sort((a, b) => b.version - a.version)[0] : undefined;
  return (
    <>
      <h1 className="govuk-heading-l">Outcome Plan</h1>
      <p className="govuk-body">
        The council&rsquo;s measures of significant and sustained progress. Each version is in force from its date; a family&rsquo;s progress and a claim are judged by the version in force at their
        as-of date, so a published version never changes.
      </p>
      {done ? <Done>{done}</Done> : null}
      <Loading active={versions === null && loadError === null}>Loading the plan…</Loading>
      {loadError ? <p className="govuk-error-message">{loadError}</p> : null}
      {versions ? (
        <table className="govuk-table" data-testid="versions">
          <caption className="govuk-table__caption govuk-table__caption--m">Versions</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {['Version', 'In force from', 'Scope', 'Problems and indicators', 'Milestones'].map((h) => (
                <th key={h} scope="col" className="govuk-table__header">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {versions.map((v) => (
              <tr key={v.version} className="govuk-table__row" data-version={v.version}>
                <th scope="row" className="govuk-table__header">
                  {v.version}
                </th>
                <td className="govuk-table__cell">{ukDate(v.effectiveFrom)}</td>
                <td className="govuk-table__cell">{SCOPES.find((s) => s.value === v.scope)?.label ?? v.scope}</td>
                <td className="govuk-table__cell">
                  <ul className="govuk-list govuk-body-s">
                    {Object.entries(v.problems).map(([code, p]) => (
                      <li key={code}>
                        <strong>{PROBLEM_NAMES[code] ?? code}</strong>: {p.indicators.length} indicators, {p.measures.length} measures ({p.combine === 'all' ? 'all' : 'any'} to be met)
                      </li>
                    ))}
                  </ul>
                  {v.parameters ? (
                    <details className="govuk-details">
                      <summary className="govuk-details__summary">
                        <span className="govuk-details__summary-text">Thresholds of version {v.version}</span>
                      </summary>
                      <div className="govuk-details__text">
                        <ul className="govuk-list govuk-body-s">
                          {Object.entries(v.parameters).flatMap(([group, values]) =>
                            Object.entries(values).map(([name, value]) => <li key={`${group}.${name}`}>{`${labelOf(group, name)}: ${value}`}</li>),
                          )}
                        </ul>
                      </div>
                    </details>
                  ) : null}
                </td>
                <td className="govuk-table__cell">{v.milestones.length === 0 ? '–' : v.milestones.map((m) => m.label).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {latest ? (
        <NewVersion
          key={latest.version}
          latest={latest}
          onPublished={async (version) => {
            setDone(`Version ${version} of the Outcome Plan is published.`);
            await load();
          }}
        />
      ) : null}
    </>
  );
}

function NewVersion({ latest, onPublished }: { latest: PlanVersion; onPublished: (version: number) => Promise<void> }) {
  const [effectiveFrom, setEffectiveFrom] = useState<DateParts>(NO_DATE);
  const [scope, setScope] = useState(latest.scope);
  const [how, setHow] = useState(latest.parameters ? 'thresholds' : 'written');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(latest.parameters ?? {}).flatMap(([g, v]) => Object.entries(v).map(([n, x]) => [fieldOf(g, n), String(x)]))),
  );
  const [written, setWritten] = useState('{\n  "problems": {},\n  "milestones": []\n}');
  const [checked, setChecked] = useState<{ body: Record<string, unknown>; changes: string[] } | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  const parameterFields = Object.entries(latest.parameters ?? {}).flatMap(([g, v]) => Object.keys(v).map((n) => ({ group: g, name: n, field: fieldOf(g, n), was: v[n] as number })));

  /** The draft: what changes against the latest version, checked on the page before anything is sent. */
  function check(e: FormEvent) {
    e.preventDefault();
    setChecked(null);
    const fields: Record<string, string> = {};
    const date = dateOf(effectiveFrom);
    if (!date) fields.effectiveFrom = 'Enter the date the version is in force from';
    else if (date <= latest.effectiveFrom) fields.effectiveFrom = `The date must be after ${ukDate(latest.effectiveFrom)}, when version ${latest.version} came into force`;
    let body: Record<string, unknown> = { effectiveFrom: date, scope };
    const changes: string[] = [];
    if (scope !== latest.scope) changes.push(`Scope: ${SCOPES.find((s) => s.value === scope)?.label ?? scope}`);
    if (how === 'thresholds') {
      const patch: Parameters = {};
      for (const p of parameterFields) {
        const raw = (values[p.field] ?? '').trim();
        if (!/^\d+(\.\d+)?$/.test(raw)) {
          fields[p.field] = `${labelOf(p.group, p.name)} must be a number`;
          continue;
        }
        if (Number(raw) !== p.was) {
          patch[p.group] = { ...(patch[p.group] ?? {}), [p.name]: Number(raw) };
          changes.push(`${labelOf(p.group, p.name)}: ${p.was} → ${raw}`);
        }
      }
      body = { ...body, parameters: patch };
    } else {
      try {
        const plan = JSON.parse(written) as unknown;
        if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) throw new Error('not an object');
        body = { ...body, ...(plan as Record<string, unknown>) };
        changes.push('The plan as written below');
      } catch {
        fields.written = 'The plan must be JSON: an object with "problems" and "milestones" (docs/outcome-plans.md)';
      }
    }
    if (Object.keys(fields).length === 0 && changes.length === 0) fields[parameterFields[0]?.field ?? 'effectiveFrom'] = 'Change at least one threshold, or the scope';
    if (Object.keys(fields).length > 0) return setError({ fields });
    setError(null);
    setChecked({ body, changes });
  }

  async function publish() {
    if (!checked || sending.current) return;
    sending.current = true;
    setBusy(true);
    try {
      const answer = await sendCommand<{ version: number }>('/api/outcome-plans', checked.body, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setChecked(null);
      await onPublished(answer.body.version);
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      setError(formErrorOf(problem, ['effectiveFrom', 'scope'], { effectiveFrom: 'In force from' }));
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  return (
    <section className="app-figure" aria-labelledby="new-version-title">
      <h2 className="govuk-heading-m" id="new-version-title">
        Draft version {latest.version + 1}
      </h2>
      <form onSubmit={check} noValidate data-testid="new-version">
        <ErrorSummary error={error} />
        <DateField
          name="effectiveFrom"
          legend="In force from"
          hint={`After ${ukDate(latest.effectiveFrom)}, when version ${latest.version} came into force`}
          value={effectiveFrom}
          onChange={(v) => {
            setEffectiveFrom(v);
            setChecked(null);
          }}
          error={error?.fields.effectiveFrom}
        />
        <RadiosField
          name="scope"
          legend="Which problems count"
          value={scope}
          onChange={(v) => {
            setScope(v);
            setChecked(null);
          }}
          options={SCOPES}
          error={error?.fields.scope}
        />
        <RadiosField
          name="how"
          legend="What changes"
          value={how}
          onChange={(v) => {
            setHow(v);
            setChecked(null);
          }}
          options={[...(latest.parameters ? [{ value: 'thresholds', label: "The default plan's thresholds" }] : []), { value: 'written', label: 'The plan as the council wrote it (JSON)' }]}
        />
        {how === 'thresholds' ? (
          <fieldset className="govuk-fieldset">
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Thresholds (version {latest.version}&rsquo;s values shown)</legend>
            {parameterFields.map((p) => (
              <TextField
                key={p.field}
                name={p.field}
                label={labelOf(p.group, p.name)}
                numeric
                width={4}
                value={values[p.field] ?? ''}
                onChange={(v) => {
                  setValues({ ...values, [p.field]: v });
                  setChecked(null);
                }}
                error={error?.fields[p.field]}
              />
            ))}
          </fieldset>
        ) : (
          <TextField
            name="written"
            label="The plan"
            hint="Problems and milestones as docs/outcome-plans.md describes; a problem left out keeps its measures"
            value={written}
            onChange={(v) => {
              setWritten(v);
              setChecked(null);
            }}
            error={error?.fields.written}
            textarea
          />
        )}
        <button type="submit" className="govuk-button govuk-button--secondary">
          Check the changes
        </button>
      </form>
      {checked ? (
        <div data-testid="draft-version">
          <h3 className="govuk-heading-s">
            Version {latest.version + 1}, in force from {ukDate(String(checked.body.effectiveFrom))}
          </h3>
          <ul className="govuk-list govuk-list--bullet">
            {checked.changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <button type="button" className="govuk-button" disabled={busy} onClick={() => void publish()}>
            Publish version {latest.version + 1}
          </button>
        </div>
      ) : null}
    </section>
  );
}
