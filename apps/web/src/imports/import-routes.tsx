import type { ReactNode } from 'react';
import type { User } from '../api';
import { ImportPage } from './ImportPage';
import { ImportsPage } from './ImportsPage';

/** Issue 21: the imports pages, in one place so the app's router needs two lines. */
const IMPORT = /^\/imports\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
export const IMPORT_ROLES = ['programme-manager', 'partner'];

export function isImportsPath(path: string, role: string): boolean {
  return (path === '/imports' || IMPORT.test(path)) && IMPORT_ROLES.includes(role);
}

export function importsPage(path: string, user: User, search: URLSearchParams): ReactNode | null {
  if (!isImportsPath(path, user.role)) return null;
  if (path === '/imports') return <ImportsPage user={user} />;
  const m = IMPORT.exec(path);
  return m ? <ImportPage key={m[1]} user={user} importId={(m[1] as string).toLowerCase()} search={search} /> : null;
}
