import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiProblem, type User, apiFetch, getJson } from '../api';
import { ErrorSummary, type FormError, SelectField, fieldId } from '../components/Form';
import { Table } from '../components/Table';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';
import { plainReason } from '../record/plain-words';
import { navigate } from '../router';

/** Each source's file and the partner organisation it comes from (docs/imports.md, `SOURCE_ORGANISATION`). */
export const IMPORT_SOURCES: { source: string; label: string; organisation: string }[] = [
  { source: 'school-attendance', label: 'Schools: attendance per pupil per term', organisation: 'school' },
  { source: 'school-exclusions', label: 'Schools: exclusions', organisation: 'school' },
  { source: 'police-offences', label: 'Police: offences', organisation: 'police' },
  { source: 'police-asb', label: 'Police: anti-social behaviour incidents', organisation: 'police' },
  { source: 'dwp-benefits', label: 'DWP: benefit spells and UC conditionality', organisation: 'dwp' },
  { source: 'dwp-employment', label: 'DWP: employment spells', organisation: 'dwp' },
  { source: 'health', label: 'Health: concerns identified or resolved', organisation: 'health' },
  { source: 'social-care', label: "Children's social care: status changes", organisation: 'social-care' },
  { source: 'housing', label: 'Housing: tenancies at risk', organisation: 'housing' },
];

/** The sources a user may upload: every one for a programme manager, their organisation's for a partner. */
export function sourcesFor(user: User): typeof IMPORT_SOURCES {
  return user.role === 'programme-manager' ? IMPORT_SOURCES : IMPORT_SOURCES.filter((s) => s.organisation === user.organisation);
}

interface CandidateFamily {
  postcode: string;
  familyName: string;
  problems: string[];
  people: { givenName: string; familyName: string; dateOfBirth: string }[];
  evidence: { importId: string; line: number; source: string; problem: string; shownOn: string }[];
}

/**
 * Issue 21.2, 21.3 and 21.6: upload a partner file (its report follows on the import's page) and,
 * for programme managers, the candidate families: people matched to no family who show two or
 * more headline problems at one address.
 */
export function ImportsPage({ user }: { user: User }) {
  const sources = sourcesFor(user);
  const [source, setSource] = useState(sources[0]?.source ?? '');
  const [error, setError] = useState<FormError | null>(null);
  const [sending, setSending] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);

  async function upload(e: FormEvent) {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) return setError({ fields: { file: 'Choose the CSV file to import' } });
    setSending(true);
    setError(null);
    try {
      const form = new FormData();
      form.append('file', file);
      const res = await apiFetch(`/api/imports/${encodeURIComponent(source)}`, { method: 'POST', body: form });
      const report = (await res.json()) as { importId: string; alreadyImported: boolean };
      navigate(`/imports/${report.importId}${report.alreadyImported ? '?again=1' : ''}`);
    } catch (problem) {
      if (!(problem instanceof ApiProblem)) throw problem;
      const columns = problem.reason === 'MissingColumns' ? problem.details.map((d) => d.field) : [];
      setError({ message: columns.length > 0 ? `The file was not imported: these columns are missing or named twice: ${columns.join(', ')}.` : plainReason(problem), fields: {} });
    } finally {
      setSending(false);
    }
  }

  return (
    <>
      <h1 className="govuk-heading-l">Imports</h1>
      {sources.length === 0 ? (
        <p className="govuk-body">Your organisation sends no files the ledger imports.</p>
      ) : (
        <form noValidate onSubmit={(e) => void upload(e)} data-testid="upload">
          <ErrorSummary error={error} />
          <h2 className="govuk-heading-m">Import a partner file</h2>
          <p className="govuk-body">
            A CSV file in the source's layout (see{' '}
            <a className="govuk-link" href="/api/docs">
              the API documentation
            </a>{' '}
            and docs/imports.md). Each row is matched to a family member and recorded through the family rules; the report lists every row not recorded, with its line and reason.
          </p>
          <SelectField name="source" label="Kind of file" value={source} onChange={setSource} options={sources.map((s) => ({ value: s.source, label: s.label }))} />
          <div className={`govuk-form-group${error?.fields.file ? ' govuk-form-group--error' : ''}`}>
            <label className="govuk-label" htmlFor={fieldId('file')}>
              CSV file
            </label>
            {error?.fields.file ? (
              <p className="govuk-error-message" id={`${fieldId('file')}-error`}>
                <span className="govuk-visually-hidden">Error:</span> {error.fields.file}
              </p>
            ) : null}
            <input
              className={`govuk-file-upload${error?.fields.file ? ' govuk-file-upload--error' : ''}`}
              id={fieldId('file')}
              name="file"
              type="file"
              accept=".csv,text/csv"
              ref={fileRef}
              aria-describedby={error?.fields.file ? `${fieldId('file')}-error` : undefined}
            />
          </div>
          <button type="submit" className="govuk-button" disabled={sending}>
            Import file
          </button>
          <Loading active={sending}>Importing the file…</Loading>
        </form>
      )}
      <PastImports user={user} />
      {user.role === 'programme-manager' ? <CandidateFamilies /> : null}
    </>
  );
}

/** An import as `GET /api/imports` lists it: its report without the lines. */
interface ImportSummary {
  importId: string;
  source: string;
  organisation: string;
  fileSha256: string;
  recordedOn: string;
  rows: number;
  recorded: number;
  corrected: number;
  alreadyRecorded: number;
  queuedForReview: number;
  held: number;
  rejected: number;
  unmatched: number;
}

const PAGE = 20;

/** Past imports, newest first (a partner's own organisation's only), each linking to its report; more a page at a time. */
function PastImports({ user }: { user: User }) {
  const [imports, setImports] = useState<ImportSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  async function load(after: string | null, signal?: AbortSignal) {
    setLoading(true);
    try {
      const body = await getJson<{ imports: ImportSummary[]; next: string | null }>(`/api/imports?limit=${PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`, signal);
      setImports((shown) => [...(after ? (shown ?? []) : []), ...body.imports]);
      setNext(body.next);
      setProblem(null);
    } catch (e) {
      if (e instanceof ApiProblem) setProblem(plainReason(e));
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => {
    const abort = new AbortController();
    void load(null, abort.signal);
    return () => abort.abort();
  }, []);

  const label = (source: string) => IMPORT_SOURCES.find((s) => s.source === source)?.label ?? source;
  return (
    <section data-testid="past-imports">
      <h2 className="govuk-heading-m">Past imports</h2>
      <p className="govuk-body">{user.role === 'partner' ? "Your organisation's files" : 'Every file'} imported so far, newest first. Open one for its report.</p>
      {problem ? <p className="govuk-body">{problem}</p> : null}
      {imports === null && !problem ? <Loading active>Loading past imports…</Loading> : null}
      {imports && imports.length === 0 ? <p className="govuk-body">No files have been imported yet.</p> : null}
      {imports && imports.length > 0 ? (
        <Table
          caption="Past imports, newest first"
          captionClass="govuk-table__caption--s govuk-visually-hidden"
          head={['Imported on', 'Kind of file', 'Organisation', 'File (SHA-256)', 'Rows', 'Recorded', 'For review', 'Not recorded']}
          numeric={[4, 5, 6, 7]}
          rows={imports.map((i) => ({
            key: i.importId,
            data: { 'data-import-id': i.importId },
            cells: [
              <a
                className="govuk-link"
                href={`/imports/${i.importId}`}
                onClick={(ev) => {
                  ev.preventDefault();
                  navigate(`/imports/${i.importId}`);
                }}
              >
                {ukDate(i.recordedOn)}
                <span className="govuk-visually-hidden">: the report of this {label(i.source)} file</span>
              </a>,
              label(i.source),
              i.organisation,
              <code title={i.fileSha256}>{i.fileSha256.slice(0, 12)}…</code>,
              i.rows,
              i.recorded + i.corrected,
              i.queuedForReview,
              i.held + i.rejected + i.unmatched,
            ],
          }))}
        />
      ) : null}
      {next ? (
        <button type="button" className="govuk-button govuk-button--secondary" disabled={loading} onClick={() => void load(next)}>
          Show more imports
        </button>
      ) : null}
    </section>
  );
}

function CandidateFamilies() {
  const [families, setFamilies] = useState<CandidateFamily[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    getJson<{ families: CandidateFamily[] }>('/api/imports/candidate-families', abort.signal)
      .then((body) => setFamilies(body.families))
      .catch((e: unknown) => {
        if (e instanceof ApiProblem) setProblem(plainReason(e));
      });
    return () => abort.abort();
  }, []);
  return (
    <section data-testid="candidate-families">
      <h2 className="govuk-heading-m">Candidate families</h2>
      <p className="govuk-body">
        People matched to no family who show two or more headline problems at one address, from every import so far. Review each and, if it is a family, identify it: its people then match and it
        leaves this list.
      </p>
      {problem ? <p className="govuk-body">{problem}</p> : null}
      {families === null && !problem ? <Loading active>Loading candidate families…</Loading> : null}
      {families && families.length === 0 ? <p className="govuk-body">No candidate families.</p> : null}
      {families?.map((f) => (
        <div key={`${f.postcode} ${f.familyName}`} className="govuk-summary-card" data-testid="candidate-family">
          <div className="govuk-summary-card__title-wrapper">
            <h3 className="govuk-summary-card__title">
              {f.familyName}, {f.postcode}
            </h3>
          </div>
          <div className="govuk-summary-card__content">
            <p className="govuk-body">Headline problems: {f.problems.join(', ')}</p>
            <ul className="govuk-list govuk-list--bullet">
              {f.people.map((p) => (
                <li key={`${p.givenName} ${p.familyName} ${p.dateOfBirth}`}>
                  {p.givenName} {p.familyName}, born {ukDate(p.dateOfBirth)}
                </li>
              ))}
            </ul>
            <Table
              caption="Rows behind each problem"
              captionClass="govuk-table__caption--s"
              head={['Problem', 'Source', 'Shown on', 'Import, line']}
              rows={f.evidence.map((e) => ({
                key: `${e.importId} ${e.line}`,
                cells: [
                  e.problem,
                  e.source,
                  ukDate(e.shownOn),
                  <a
                    className="govuk-link"
                    href={`/imports/${e.importId}`}
                    onClick={(ev) => {
                      ev.preventDefault();
                      navigate(`/imports/${e.importId}`);
                    }}
                  >
                    line {e.line}
                  </a>,
                ],
              }))}
            />
          </div>
        </div>
      ))}
    </section>
  );
}
