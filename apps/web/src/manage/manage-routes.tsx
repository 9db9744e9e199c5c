import type { ReactNode } from 'react';
import type { User } from '../api';
import { LegalHoldsPage, ServiceAccountsPage } from './AccountsAndHoldsPages';
import { EvaluationPage } from './EvaluationPage';
import { IdentifyFamilyPage, ManageFamilyPage } from './FamilyManagePages';
import { FinancePage } from './FinancePage';
import { OutcomePlanPage } from './OutcomePlanPage';

/**
 * Issue 20 ("each of the users named in README can do their job in the browser"): the programme
 * manager's identification, problems, attachment, overrides and Outcome Plan; the finance
 * officer's ledger and finance reports; the analyst's evaluation transfer and outcomes report.
 * In one place so the app's router needs two lines (`isManagePath`, `managePage`).
 */
const MANAGE_FAMILY = /^\/families\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/manage$/i;

export const MANAGE_ROLES = ['programme-manager'];
export const FINANCE_PAGE_ROLES = ['finance-officer', 'auditor', 'admin'];
export const EVALUATION_ROLES = ['analyst', 'programme-manager'];
export const LEGAL_HOLD_ROLES = ['admin', 'finance-officer', 'auditor'];

/** The family a `/families/<id>/manage` path names, or null. */
export function manageFamilyIdOf(path: string): string | null {
  const m = MANAGE_FAMILY.exec(path);
  return m ? (m[1] as string).toLowerCase() : null;
}

export function isManagePath(path: string, role: string): boolean {
  if (path === '/families/new' || path === '/outcome-plan') return MANAGE_ROLES.includes(role);
  // A keyworker adds people and problems to their own families (the API refuses any other); attaching and overrides are the programme manager's.
  if (manageFamilyIdOf(path)) return MANAGE_ROLES.includes(role) || role === 'keyworker';
  if (path === '/finance') return FINANCE_PAGE_ROLES.includes(role);
  if (path === '/evaluation') return EVALUATION_ROLES.includes(role);
  if (path === '/service-accounts') return role === 'admin';
  if (path === '/legal-holds') return LEGAL_HOLD_ROLES.includes(role);
  return false;
}

export function managePage(path: string, user: User, search: URLSearchParams): ReactNode | null {
  if (!isManagePath(path, user.role)) return null;
  if (path === '/families/new') return <IdentifyFamilyPage />;
  if (path === '/outcome-plan') return <OutcomePlanPage />;
  if (path === '/finance') return <FinancePage user={user} search={search} />;
  if (path === '/evaluation') return <EvaluationPage user={user} />;
  if (path === '/service-accounts') return <ServiceAccountsPage />;
  if (path === '/legal-holds') return <LegalHoldsPage user={user} />;
  const familyId = manageFamilyIdOf(path);
  return familyId ? <ManageFamilyPage key={familyId} user={user} familyId={familyId} search={search} /> : null;
}
