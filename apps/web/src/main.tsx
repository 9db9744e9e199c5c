import 'govuk-frontend/dist/govuk/govuk-frontend.min.css';
import './styles.css';
import { StrictMode, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { type User, refresh, signOut, whenSignedOut } from './api';
import { Layout, canShow, familyIdOfPath, pagesFor } from './components/Layout';
import { Loading } from './components/Loading';
import { importsPage, isImportsPath } from './imports/import-routes';
import { DashboardPage } from './pages/DashboardPage';
import { FamiliesPage } from './pages/FamiliesPage';
import { FamilyPage } from './pages/FamilyPage';
import { FindFamilyPage } from './pages/FindFamilyPage';
import { NoResultPage } from './pages/NoResultPage';
import { DataSubjectRequestsPage, RetentionPage } from './privacy/DataProtectionPages';
import { OnsTransfersPage, PartnersPage } from './privacy/SharingPages';
import { PrivacyNoticePage } from './pages/PrivacyNoticePage';
import { SignInPage } from './pages/SignInPage';
import { UsersPage } from './pages/UsersPage';
import { AccessLogPage, ErasurePage, ProgrammePage } from './pages/AdminPages';
import { navigate, useLocation } from './router';
import { isWorkspacePath, workspacePage } from './workspace-routes';
import { isManagePath, managePage } from './manage/manage-routes';

/** The one page anyone may read, signed in or not. */
const PUBLIC_PATH = '/privacy-notice';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');

function App() {
  const { path, search } = useLocation();
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(true);
  const shownPath = useRef<string | null>(null);

  // A reload keeps the session: the refresh cookie gives a new access token.
  useEffect(() => {
    whenSignedOut(() => {
      setUser(null);
      navigate('/sign-in', true);
    });
    void refresh()
      .then(setUser)
      .finally(() => setChecking(false));
  }, []);

  const home = user ? (pagesFor(user.role)[0]?.path ?? '/nothing') : '/sign-in';
  useEffect(() => {
    if (checking) return;
    // The privacy notice is public (issue 23.6): no sign-in, and any role may read it.
    if (path === PUBLIC_PATH) {
      if (shownPath.current !== null && shownPath.current !== path) document.getElementById('main-content')?.focus({ preventScroll: true });
      shownPath.current = path;
      return;
    }
    if (!user && path !== '/sign-in') return navigate('/sign-in', true);
    if (user && (path === '/' || path === '/sign-in')) return navigate(home, true);
    if (user && !canShow(user.role, path) && !isWorkspacePath(path, user.role) && !isImportsPath(path, user.role) && !isManagePath(path, user.role) && path !== '/nothing') return navigate(home, true);
    // After a change of page (not on the first, nor on a redirect), focus moves to the new page's
    // content, so screen readers and keyboard users start there; a fresh load's first Tab still
    // finds the skip link.
    if (shownPath.current !== null && shownPath.current !== path) document.getElementById('main-content')?.focus({ preventScroll: true });
    shownPath.current = path;
  }, [checking, user, path, home]);

  let page;
  if (checking) page = <Loading active>Checking your session…</Loading>;
  else if (path === PUBLIC_PATH) page = <PrivacyNoticePage />;
  else if (!user) page = <SignInPage onSignedIn={setUser} />;
  else if (path === '/dashboard') page = <DashboardPage user={user} search={search} />;
  else if (path === '/families') page = <FamiliesPage user={user} />;
  else if (path === '/find-a-family') page = <FindFamilyPage user={user} search={search} />;
  else if (path === '/data-subject-requests' && user.role === 'admin') page = <DataSubjectRequestsPage />;
  else if (path === '/retention' && user.role === 'admin') page = <RetentionPage search={search} />;
  else if (path === '/partners' && user.role === 'admin') page = <PartnersPage />;
  else if (path === '/ons-transfers' && (user.role === 'admin' || user.role === 'analyst')) page = <OnsTransfersPage />;
  else if (path === '/no-result') page = <NoResultPage search={search} />;
  else if (path === '/users') page = <UsersPage />;
  else if (path === '/programme') page = <ProgrammePage />;
  else if (path === '/access-log') page = <AccessLogPage search={search} />;
  else if (path === '/erasure') page = <ErasurePage />;
  else if (isManagePath(path, user.role)) page = managePage(path, user, search);
  else if (familyIdOfPath(path)) page = <FamilyPage user={user} familyId={familyIdOfPath(path) as string} search={search} />;
  else if (isWorkspacePath(path, user.role)) page = workspacePage(path, user, search);
  else if (isImportsPath(path, user.role)) page = importsPage(path, user, search);
  else
    page = (
      <>
        <h1 className="govuk-heading-l">Nothing to show yet</h1>
        <p className="govuk-body">
          There are no pages for your role in the web app yet. The API documentation is at{' '}
          <a className="govuk-link" href="/api/docs">
            /api/docs
          </a>
          .
        </p>
      </>
    );
  return (
    <Layout
      user={user}
      path={path}
      onSignOut={async () => {
        await signOut();
        setUser(null);
        navigate('/sign-in', true);
      }}
    >
      {page}
    </Layout>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
