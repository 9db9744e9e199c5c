import { useEffect, useState } from 'react';
import { Loading } from '../components/Loading';

/** The public answer of `GET /api/privacy-notice` (docs/api.md). */
export interface PrivacyNotice {
  title: string;
  council: string;
  purposes: string[];
  partners: string[];
  agreements: { partner: string; reference: string; endsOn: string; gateways: string[]; shares: string[] }[];
  legalGateways: string[];
  evaluation: { recipient: string; agreementReference: string; terms: string[] };
  retention: { closedYears: number; notAttachedYears: number; inactiveYears: number };
  contact: string;
  sections: { heading: string; text: string }[];
}

const SHARE_NAMES: Record<string, string> = {
  crime: 'crime',
  education: 'education',
  'benefits-employment': 'benefits and employment',
  health: 'health',
  housing: 'housing',
  'family-details': 'family details',
};

/**
 * "How are we using your information?" (DOMAIN.md 6, issue 23.6): the privacy notice, a public
 * page (no sign-in), drawn from the API's notice, itself generated from the ledger's configuration,
 * so what families are told matches what the ledger does.
 */
export function PrivacyNoticePage() {
  const [notice, setNotice] = useState<PrivacyNotice | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    document.title = 'How are we using your information? – Family outcomes ledger';
    const controller = new AbortController();
    fetch('/api/privacy-notice', { signal: controller.signal })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        setNotice((await res.json()) as PrivacyNotice);
      })
      .catch((error: unknown) => {
        if (!(error instanceof DOMException && error.name === 'AbortError')) setFailed(true);
      });
    return () => controller.abort();
  }, []);

  if (failed)
    return (
      <>
        <h1 className="govuk-heading-l">How are we using your information?</h1>
        <p className="govuk-body">The privacy notice cannot be shown at the moment: try again later.</p>
      </>
    );
  if (!notice) return <Loading active>Loading the privacy notice…</Loading>;
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-two-thirds">
        <span className="govuk-caption-l">{notice.council}</span>
        <h1 className="govuk-heading-l">{notice.title}</h1>
        {notice.sections.map((s) => (
          <section key={s.heading} aria-labelledby={`notice-${slug(s.heading)}`}>
            <h2 className="govuk-heading-m" id={`notice-${slug(s.heading)}`}>
              {s.heading}
            </h2>
            <p className="govuk-body">{s.text}</p>
          </section>
        ))}
        <h2 className="govuk-heading-m" id="notice-agreements">
          Information-sharing agreements in force
        </h2>
        {notice.agreements.length === 0 ? (
          <p className="govuk-body">No partner organisation has a registered information-sharing agreement in force today.</p>
        ) : (
          <table className="govuk-table" aria-labelledby="notice-agreements">
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">
                  Partner
                </th>
                <th scope="col" className="govuk-table__header">
                  Agreement
                </th>
                <th scope="col" className="govuk-table__header">
                  Shares
                </th>
                <th scope="col" className="govuk-table__header">
                  Under
                </th>
                <th scope="col" className="govuk-table__header">
                  Until
                </th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {notice.agreements.map((a) => (
                <tr key={`${a.partner}/${a.reference}`} className="govuk-table__row">
                  <th scope="row" className="govuk-table__header">
                    {a.partner}
                  </th>
                  <td className="govuk-table__cell">{a.reference}</td>
                  <td className="govuk-table__cell">{a.shares.map((k) => SHARE_NAMES[k] ?? k).join(', ')}</td>
                  <td className="govuk-table__cell">{a.gateways.join('; ')}</td>
                  <td className="govuk-table__cell">{a.endsOn}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2 className="govuk-heading-m">The laws partners may share under without consent</h2>
        <ul className="govuk-list govuk-list--bullet">
          {notice.legalGateways.map((g) => (
            <li key={g}>{g}</li>
          ))}
        </ul>
        <h2 className="govuk-heading-m">How long we keep your information</h2>
        <dl className="govuk-summary-list">
          <div className="govuk-summary-list__row">
            <dt className="govuk-summary-list__key">After your family's case is closed</dt>
            <dd className="govuk-summary-list__value">{notice.retention.closedYears} years</dd>
          </div>
          <div className="govuk-summary-list__row">
            <dt className="govuk-summary-list__key">If your family never joined the programme</dt>
            <dd className="govuk-summary-list__value">{notice.retention.notAttachedYears} years after we identified it or last recorded anything about it</dd>
          </div>
          <div className="govuk-summary-list__row">
            <dt className="govuk-summary-list__key">If your case was never closed</dt>
            <dd className="govuk-summary-list__value">{notice.retention.inactiveYears} years after we last recorded anything about it</dd>
          </div>
        </dl>
        <h2 className="govuk-heading-m" id="notice-contact-details">
          Who to contact
        </h2>
        <p className="govuk-body" data-testid="privacy-contact">
          {notice.contact}
        </p>
      </div>
    </div>
  );
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
