import { useEffect, useState } from 'react';
import { ApiProblem, type User, getJson } from '../api';
import { AppLink } from '../components/Layout';
import { PROBLEM_NAMES } from '../components/FigureView';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';
import { type HistoryEvent, type Member, describe } from '../record/RecordPage';
import { plainReason } from '../record/plain-words';
import type { Claim } from './ClaimPage';

interface Progress {
  asOf: string;
  problems: { problem: string; met: boolean; detail: string; evidenceEventIds: string[] }[];
  routes: { sustainedProgress: boolean; continuousEmployment: boolean };
}

/**
 * Issue 20.4: a claimed family's evidence, one click from the claim: the result at the claim's
 * as-of date, each problem's reason and the recorded facts behind it. An auditor reads it only
 * while the family is in the sample of a claim under audit (the API refuses otherwise).
 */
export function ClaimFamilyPage({ claimId, familyId }: { user: User; claimId: string; familyId: string }) {
  const [claim, setClaim] = useState<Claim | null>(null);
  const [family, setFamily] = useState<{ reference: string; attachedOn: string | null; members: Member[] } | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [history, setHistory] = useState<HistoryEvent[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Evidence for a claimed family – Family outcomes ledger';
    void (async () => {
      try {
        const c = await getJson<Claim>(`/api/claims/${claimId}`);
        setClaim(c);
        const [f, p, h] = await Promise.all([
          getJson<{ reference: string; attachedOn: string | null; members: Member[] }>(`/api/families/${familyId}`),
          getJson<Progress>(`/api/families/${familyId}/progress?asOf=${c.asOf}`),
          getJson<{ events: HistoryEvent[] }>(`/api/families/${familyId}/history`),
        ]);
        setFamily(f);
        setProgress(p);
        setHistory(h.events);
      } catch (e) {
        setError(e instanceof ApiProblem ? plainReason(e) : String(e));
      }
    })();
  }, [claimId, familyId]);

  const byId = new Map(history.map((e) => [e.eventId, e]));
  const named = new Map((family?.members ?? []).map((m) => [m.memberId, [m.givenName, m.familyName].filter(Boolean).join(' ') || m.relationship]));
  return (
    <>
      <span className="govuk-caption-l">Evidence for the claim as of {claim ? ukDate(claim.asOf) : '…'}</span>
      <h1 className="govuk-heading-l">Family {family?.reference ?? ''}</h1>
      {error ? <p className="govuk-error-message">{error}</p> : null}
      {!error && !progress ? <Loading active>Loading the evidence…</Loading> : null}
      {family && progress ? (
        <>
          <p className="govuk-body">
            Attached on {family.attachedOn ? ukDate(family.attachedOn) : '–'}. Routes at {ukDate(progress.asOf)}: {progress.routes.sustainedProgress ? 'significant and sustained progress' : ''}
            {progress.routes.sustainedProgress && progress.routes.continuousEmployment ? ', ' : ''}
            {progress.routes.continuousEmployment ? 'continuous employment' : ''}
            {!progress.routes.sustainedProgress && !progress.routes.continuousEmployment ? 'none' : ''}.
          </p>
          {progress.problems.map((p) => (
            <section key={p.problem} className="app-figure" data-problem={p.problem} aria-labelledby={`problem-${p.problem}`}>
              <h2 className="govuk-heading-m" id={`problem-${p.problem}`}>
                {PROBLEM_NAMES[p.problem] ?? p.problem}: {p.met ? 'met' : 'not met'}
              </h2>
              <p className="govuk-body">{p.detail}</p>
              {p.evidenceEventIds.length > 0 ? (
                <ul className="govuk-list govuk-list--bullet" data-testid="evidence">
                  {p.evidenceEventIds.map((id) => {
                    const e = byId.get(id);
                    return <li key={id}>{e ? `${describe(e, named)} (recorded ${ukDate(e.recordedAt.slice(0, 10))})` : `Event ${id}`}</li>;
                  })}
                </ul>
              ) : (
                <p className="govuk-body">No recorded facts: the test holds because nothing happened in its window.</p>
              )}
            </section>
          ))}
        </>
      ) : null}
      <p className="govuk-body">
        <AppLink to={`/claims/${claimId}`}>Back to the claim</AppLink>
      </p>
    </>
  );
}
