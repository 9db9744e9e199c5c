import type { ReactNode } from 'react';
import type { User } from '../api';
import { navigate } from '../router';

export const ROLE_NAMES: Record<string, string> = {
  admin: 'administrator',
  'programme-manager': 'programme manager',
  keyworker: 'keyworker',
  'finance-officer': 'finance officer',
  auditor: 'auditor',
  analyst: 'analyst',
  partner: 'partner',
};

const DASHBOARD_ROLES = ['programme-manager', 'finance-officer', 'auditor', 'analyst'];
const FAMILY_ROLES = ['programme-manager', 'keyworker', 'finance-officer'];

/** Issue 20.1 and 20.6: finding a family, and the programme manager's work list. */
const WORK_LIST_ROLES = ['programme-manager'];
const CLAIM_ROLES = ['finance-officer', 'auditor', 'programme-manager', 'admin'];
const IMPORT_ROLES = ['programme-manager', 'partner'];

export function pagesFor(role: string): { path: string; label: string }[] {
  return [
    ...(DASHBOARD_ROLES.includes(role) ? [{ path: '/dashboard', label: 'Dashboard' }] : []),
    ...(FAMILY_ROLES.includes(role) ? [{ path: '/families', label: 'Families' }] : []),
    ...(FAMILY_ROLES.includes(role) ? [{ path: '/find-a-family', label: 'Find a family' }] : []),
    // Issue 20: the programme manager identifies families and keeps the Outcome Plan.
    ...(role === 'programme-manager' ? [{ path: '/families/new', label: 'Identify a family' }] : []),
    ...(WORK_LIST_ROLES.includes(role) ? [{ path: '/no-result', label: 'No result yet' }] : []),
    ...(role === 'programme-manager' ? [{ path: '/outcome-plan', label: 'Outcome Plan' }] : []),
    // Issue 20.4: the claim workspace; issue 20.3: partners record by the family id of a referral.
    ...(CLAIM_ROLES.includes(role) ? [{ path: '/claims', label: 'Claims' }] : []),
    ...(role === 'partner' ? [{ path: '/record', label: 'Record evidence' }] : []),
    // Issue 20: the ledger and finance reports; the analyst's evaluation transfer and the outcomes report.
    ...(['finance-officer', 'auditor', 'admin'].includes(role) ? [{ path: '/finance', label: 'Ledger and reports' }] : []),
    ...(role === 'analyst' ? [{ path: '/evaluation', label: 'Evaluation' }] : []),
    ...(role === 'programme-manager' ? [{ path: '/evaluation', label: 'Outcomes report' }] : []),
    // Issue 21: partner files (programme managers: any source, the review queue and candidate families).
    ...(IMPORT_ROLES.includes(role) ? [{ path: '/imports', label: 'Imports' }] : []),
    ...(role === 'admin' ? [{ path: '/users', label: 'Users' }] : []),
    // PUT /api/programme is the administrator's and the programme manager's.
    ...(role === 'admin' || role === 'programme-manager' ? [{ path: '/programme', label: 'Programme' }] : []),
    ...(role === 'admin' || role === 'auditor' ? [{ path: '/access-log', label: 'Access log' }] : []),
    ...(role === 'admin' ? [{ path: '/erasure', label: 'Erase a person' }] : []),
    // Issue 23.2 and 23.5: the admin's data-protection work.
    ...(role === 'admin' ? [{ path: '/data-subject-requests', label: 'Data subject requests' }] : []),
    ...(role === 'admin' ? [{ path: '/retention', label: 'Retention' }] : []),
    // Issue 23.1 and 23.4: partners and their sharing agreements; ONS transfers (analysts too).
    ...(role === 'admin' ? [{ path: '/partners', label: 'Partners' }] : []),
    ...(role === 'admin' || role === 'analyst' ? [{ path: '/ons-transfers', label: 'ONS transfers' }] : []),
    // Issue 20: the BI tools' tokens, and the legal holds that keep a family past retention.
    ...(role === 'admin' ? [{ path: '/service-accounts', label: 'Service accounts' }] : []),
    ...(['admin', 'finance-officer', 'auditor'].includes(role) ? [{ path: '/legal-holds', label: 'Legal holds' }] : []),
  ];
}

/** A family's own page (`/families/<familyId>`, issue 20.2): its id, or null for any other path. */
export function familyIdOfPath(path: string): string | null {
  const match = /^\/families\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(path);
  return match?.[1] ?? null;
}

/** Whether a role has a page at this path: one of its menu's, or a family's own page for those who see families. */
export function canShow(role: string, path: string): boolean {
  if (pagesFor(role).some((p) => p.path === path)) return true;
  return FAMILY_ROLES.includes(role) && familyIdOfPath(path) !== null;
}

/** A link that moves within the app without a reload (and still works as a plain link). */
export function AppLink({ to, children, className = 'govuk-link' }: { to: string; children: ReactNode; className?: string }) {
  return (
    <a
      href={to}
      className={className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** The GOV.UK-style page: skip link, header, service navigation, main, footer. */
export function Layout({ user, path, onSignOut, children }: { user: User | null; path: string; onSignOut: () => void; children: ReactNode }) {
  return (
    <>
      <a href="#main-content" className="govuk-skip-link">
        Skip to main content
      </a>
      <header className="govuk-header app-header" role="banner">
        <div className="govuk-header__container govuk-width-container app-width-container app-header__container">
          <span className="govuk-header__service-name app-header__name">Family outcomes ledger</span>
          {user ? (
            <div className="app-header__user">
              <span className="app-header__who">
                Signed in as <strong>{user.username}</strong> ({ROLE_NAMES[user.role] ?? user.role})
              </span>
              <button type="button" className="app-header__sign-out" onClick={onSignOut}>
                Sign out
              </button>
            </div>
          ) : null}
        </div>
      </header>
      {user ? (
        <nav className="govuk-service-navigation" aria-label="Menu">
          <div className="govuk-width-container app-width-container">
            <div className="govuk-service-navigation__container">
              <ul className="govuk-service-navigation__list">
                {pagesFor(user.role).map((p) => (
                  <li key={p.path} className={`govuk-service-navigation__item${path === p.path || path.startsWith(`${p.path}/`) ? ' govuk-service-navigation__item--active' : ''}`}>
                    <AppLink to={p.path} className="govuk-service-navigation__link">
                      {path === p.path ? <strong className="govuk-service-navigation__active-fallback">{p.label}</strong> : p.label}
                    </AppLink>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </nav>
      ) : null}
      <div className="govuk-width-container app-width-container">
        <main className="govuk-main-wrapper" id="main-content" tabIndex={-1}>
          {children}
        </main>
      </div>
      <footer className="govuk-footer">
        <div className="govuk-width-container app-width-container">
          <p className="govuk-body-s">
            Figures come from the ledger's read models. The API and its documentation are at{' '}
            <a className="govuk-footer__link" href="/api/docs">
              /api/docs
            </a>
            .
          </p>
          <p className="govuk-body-s">
            <AppLink to="/privacy-notice" className="govuk-footer__link">
              How are we using your information? (privacy notice)
            </AppLink>
          </p>
        </div>
      </footer>
    </>
  );
}
