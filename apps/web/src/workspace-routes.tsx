import { type ReactNode, useState } from 'react';
import type { User } from './api';
import { ClaimFamilyPage } from './claims/ClaimFamilyPage';
import { ClaimPage } from './claims/ClaimPage';
import { ClaimsPage } from './claims/ClaimsPage';
import { TextField } from './components/Form';
import { RecordPage } from './record/RecordPage';
import { navigate } from './router';

/**
 * Issue 20.3 and 20.4: the pages for recording what happened and for the claim workspace, kept
 * in one place so the app's router needs two lines (`workspacePage`, `isWorkspacePath`).
 */
const UUID = '[0-9a-fA-F-]{36}';
const RECORD = new RegExp(`^/families/(${UUID})/record$`);
const CLAIM = new RegExp(`^/claims/(${UUID})$`);
const CLAIM_FAMILY = new RegExp(`^/claims/(${UUID})/families/(${UUID})$`);

export const RECORD_ROLES = ['programme-manager', 'keyworker', 'partner'];
export const CLAIM_ROLES = ['finance-officer', 'auditor', 'programme-manager', 'admin'];

export function isWorkspacePath(path: string, role: string): boolean {
  if (RECORD.test(path) || path === '/record') return RECORD_ROLES.includes(role);
  if (path === '/claims' || CLAIM.test(path)) return CLAIM_ROLES.includes(role);
  if (CLAIM_FAMILY.test(path)) return role === 'auditor' || role === 'programme-manager';
  return false;
}

export function workspacePage(path: string, user: User, search: URLSearchParams): ReactNode | null {
  if (!isWorkspacePath(path, user.role)) return null;
  let m = RECORD.exec(path);
  if (m) return <RecordPage key={m[1]} user={user} familyId={(m[1] as string).toLowerCase()} search={search} />;
  if (path === '/record') return <FindFamilyToRecord />;
  if (path === '/claims') return <ClaimsPage user={user} search={search} />;
  m = CLAIM.exec(path);
  if (m) return <ClaimPage key={m[1]} user={user} claimId={m[1] as string} />;
  m = CLAIM_FAMILY.exec(path);
  if (m) return <ClaimFamilyPage user={user} claimId={m[1] as string} familyId={m[2] as string} />;
  return null;
}

/** A partner reads no family back (docs/api.md): they open a family by the id their referral gives. */
function FindFamilyToRecord() {
  const [id, setId] = useState('');
  const [error, setError] = useState<string | undefined>();
  return (
    <>
      <h1 className="govuk-heading-l">Record evidence for a family</h1>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!new RegExp(`^${UUID}$`).test(id.trim())) return setError('Enter the family id from the referral, for example 3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f38');
          navigate(`/families/${id.trim().toLowerCase()}/record`);
        }}
      >
        <TextField name="familyId" label="Family id" value={id} onChange={setId} error={error} width={20} />
        <button type="submit" className="govuk-button">
          Continue
        </button>
      </form>
    </>
  );
}
