import { useCallback, useEffect, useState } from 'react';
import { ApiProblem, type User, download, getJson, newIdempotencyKey, sendCommand } from '../api';
import { ErrorSummary, type FormError } from '../components/Form';
import { Table } from '../components/Table';
import { AppLink } from '../components/Layout';
import { Loading } from '../components/Loading';
import { count, ukDate } from '../format';
import { plainReason } from '../record/plain-words';

interface ReportLine {
  line: number;
  outcome: string;
  reason?: string;
  message?: string;
  method?: string;
  confidence?: number;
  reviewId?: string;
}

interface ImportReport {
  importId: string;
  source: string;
  organisation: string;
  fileSha256: string;
  recordedOn: string;
  importedBy: string;
  legalBasisRecorded: boolean;
  rows: number;
  recorded: number;
  corrected: number;
  alreadyRecorded: number;
  matched: Record<string, number>;
  queuedForReview: number;
  held: number;
  rejected: number;
  unmatched: number;
  lines: ReportLine[];
}

interface PersonInRow {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode?: string;
  identifiers: Record<string, string>;
}

interface ReviewItem {
  reviewId: string;
  line: number;
  confidence: number;
  why: string;
  candidate: { memberId: string; familyId: string };
  person: PersonInRow | string;
  fact: Record<string, unknown> | string;
  status: 'pending' | 'confirmed' | 'rejected';
  decidedBy?: string;
}

interface FamilyMember {
  memberId: string;
  relationship: string;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
}

const OUTCOMES: Record<string, string> = {
  review: 'Queued for review',
  held: 'Held',
  rejected: 'Rejected',
  unmatched: 'Matched to nobody',
  corrected: 'Corrected',
};

/** Issue 21.2 and 21.6: an import's report, its CSV, and (programme managers) its review queue. */
export function ImportPage({ user, importId, search }: { user: User; importId: string; search: URLSearchParams }) {
  const [report, setReport] = useState<ImportReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = useCallback(() => {
    getJson<ImportReport>(`/api/imports/${importId}`)
      .then(setReport)
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? plainReason(e) : String(e)));
  }, [importId]);
  useEffect(load, [load]);

  if (problem) return <p className="govuk-body">{problem}</p>;
  if (!report) return <Loading active>Loading the import…</Loading>;
  const counts: [string, number][] = [
    ['Rows', report.rows],
    ['Recorded', report.recorded],
    ['Corrections recorded', report.corrected],
    ['Already recorded', report.alreadyRecorded],
    ['Matched by identifier', report.matched.identifier ?? 0],
    ['Matched on name, date of birth and postcode', report.matched.deterministic ?? 0],
    ['Matched probabilistically', report.matched.probabilistic ?? 0],
    ['Queued for review', report.queuedForReview],
    ['Held (sharing consent withdrawn)', report.held],
    ['Matched to nobody', report.unmatched],
    ['Rejected', report.rejected],
  ];
  return (
    <>
      <AppLink to="/imports" className="govuk-back-link">
        Imports
      </AppLink>
      <h1 className="govuk-heading-l">Import of a {report.source} file</h1>
      {search.get('again') ? (
        <div className="govuk-inset-text" data-testid="already-imported">
          This file was imported before: this is its report, and nothing was recorded again.
        </div>
      ) : null}
      <p className="govuk-body">
        Imported by {report.importedBy} on {ukDate(report.recordedOn)}
        {report.legalBasisRecorded ? ', under a legal basis' : ''}. File SHA-256 <code className="app-code">{report.fileSha256.slice(0, 16)}…</code>
      </p>
      <table className="govuk-table" data-testid="report-counts">
        <caption className="govuk-table__caption govuk-table__caption--m">Report</caption>
        <tbody className="govuk-table__body">
          {counts.map(([label, n]) => (
            <tr key={label} className="govuk-table__row">
              <th scope="row" className="govuk-table__header">
                {label}
              </th>
              <td className="govuk-table__cell govuk-table__cell--numeric">{count(n)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="govuk-button govuk-button--secondary" onClick={() => void download(`/api/imports/${report.importId}/report.csv`, `import-${report.importId}.csv`)}>
        Download the report (CSV)
      </button>
      <h2 className="govuk-heading-m">Lines not recorded</h2>
      {report.lines.length === 0 ? (
        <p className="govuk-body">Every row was recorded.</p>
      ) : (
        <Table
          testId="report-lines"
          head={['Line', 'Outcome', 'Reason']}
          rows={report.lines.map((l) => ({
            key: `${l.line} ${l.outcome}`,
            data: { 'data-line': l.line },
            cells: [
              l.line,
              OUTCOMES[l.outcome] ?? l.outcome,
              <>
                {l.reason ?? ''}
                {l.message ? `: ${l.message}` : ''}
                {l.confidence !== undefined ? ` (confidence ${l.confidence.toFixed(2)})` : ''}
              </>,
            ],
          }))}
        />
      )}
      {user.role === 'programme-manager' && report.queuedForReview > 0 ? <ReviewQueue importId={report.importId} onDecided={load} /> : null}
    </>
  );
}

function ReviewQueue({ importId, onDecided }: { importId: string; onDecided: () => void }) {
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [members, setMembers] = useState<Record<string, FamilyMember & { reference?: string }>>({});
  const [error, setError] = useState<FormError | null>(null);
  const [keys, setKeys] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    const body = await getJson<{ items: ReviewItem[] }>(`/api/imports/${importId}/review`);
    setItems(body.items);
    // The candidate as the ledger has them, beside the person as the partner wrote them.
    const known: Record<string, FamilyMember & { reference?: string }> = {};
    for (const familyId of new Set(body.items.map((i) => i.candidate.familyId))) {
      try {
        const family = await getJson<{ reference: string; members: FamilyMember[] }>(`/api/families/${familyId}`);
        for (const m of family.members) known[m.memberId] = { ...m, reference: family.reference };
      } catch {
        // The family may be out of reach (erased); the member id is shown instead.
      }
    }
    setMembers(known);
  }, [importId]);
  useEffect(() => {
    void load().catch((e: unknown) => setError({ message: e instanceof ApiProblem ? plainReason(e) : String(e), fields: {} }));
  }, [load]);

  async function decide(item: ReviewItem, decision: 'confirm' | 'reject') {
    setError(null);
    const key = keys[item.reviewId] ?? newIdempotencyKey();
    setKeys((k) => ({ ...k, [item.reviewId]: key }));
    try {
      await sendCommand(`/api/imports/${importId}/review/${item.reviewId}`, { decision }, { idempotencyKey: key });
      await load();
      onDecided();
    } catch (e) {
      if (!(e instanceof ApiProblem)) throw e;
      setError({ message: plainReason(e), fields: {} });
    }
  }

  return (
    <section data-testid="review-queue">
      <h2 className="govuk-heading-m">Review queue</h2>
      <p className="govuk-body">
        Rows whose person matched a family member below the confidence threshold. Confirm a match to record the row's fact for that member through the family rules, or reject it if the row is about
        somebody else.
      </p>
      <ErrorSummary error={error} />
      {items === null ? <Loading active>Loading the review queue…</Loading> : null}
      {items?.map((item) => {
        const candidate = members[item.candidate.memberId];
        return (
          <div key={item.reviewId} className="govuk-summary-card" data-testid="review-item" data-review-id={item.reviewId} data-status={item.status}>
            <div className="govuk-summary-card__title-wrapper">
              <h3 className="govuk-summary-card__title">
                Line {item.line}: confidence {item.confidence.toFixed(2)} ({item.why})
              </h3>
            </div>
            <div className="govuk-summary-card__content">
              <dl className="govuk-summary-list">
                <div className="govuk-summary-list__row">
                  <dt className="govuk-summary-list__key">In the file</dt>
                  <dd className="govuk-summary-list__value">{personText(item.person)}</dd>
                </div>
                <div className="govuk-summary-list__row">
                  <dt className="govuk-summary-list__key">Proposed match</dt>
                  <dd className="govuk-summary-list__value" data-testid="candidate">
                    {candidate
                      ? `${candidate.givenName ?? ''} ${candidate.familyName ?? ''}, born ${candidate.dateOfBirth ? ukDate(candidate.dateOfBirth) : 'unknown'} (${candidate.relationship}, family ${candidate.reference ?? ''})`
                      : `member ${item.candidate.memberId}`}{' '}
                    <AppLink to={`/families/${item.candidate.familyId}`}>open the family</AppLink>
                  </dd>
                </div>
                <div className="govuk-summary-list__row">
                  <dt className="govuk-summary-list__key">Fact</dt>
                  <dd className="govuk-summary-list__value">{factText(item.fact)}</dd>
                </div>
                <div className="govuk-summary-list__row">
                  <dt className="govuk-summary-list__key">Status</dt>
                  <dd className="govuk-summary-list__value" data-testid="review-status">
                    {item.status === 'pending' ? 'Waiting for review' : `${item.status === 'confirmed' ? 'Confirmed' : 'Rejected'}${item.decidedBy ? ` by ${item.decidedBy}` : ''}`}
                  </dd>
                </div>
              </dl>
              {item.status === 'pending' ? (
                <div className="govuk-button-group">
                  <button type="button" className="govuk-button" onClick={() => void decide(item, 'confirm')}>
                    Confirm the match<span className="govuk-visually-hidden"> for line {item.line}</span>
                  </button>
                  <button type="button" className="govuk-button govuk-button--warning" onClick={() => void decide(item, 'reject')}>
                    Reject the match<span className="govuk-visually-hidden"> for line {item.line}</span>
                  </button>
                </div>
              ) : null}
            </div>
          </div>
        );
      })}
    </section>
  );
}

function personText(person: PersonInRow | string): string {
  if (typeof person === 'string') return person;
  const ids = Object.entries(person.identifiers ?? {}).map(([k, v]) => `${k} ${v}`);
  return [`${person.givenName} ${person.familyName}`, `born ${ukDate(person.dateOfBirth)}`, person.postcode ?? '', ...ids].filter(Boolean).join(', ');
}

function factText(fact: Record<string, unknown> | string): string {
  if (typeof fact === 'string') return fact;
  const { type, memberId: _memberId, ...rest } = fact;
  const words = String(type)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const details = Object.entries(rest).map(([k, v]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} ${String(v)}`);
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${details.length > 0 ? `: ${details.join(', ')}` : ''}`;
}
