import type { UserRole } from '@ledger/domain';

/** Who is acting: from a verified access token, or anonymous. */
export interface Actor {
  userId: string;
  role: UserRole | 'unauthenticated';
  organisation?: string;
  /** `'service'`: a service account's token (issue 19.4), which may only read (GET). Absent for people. */
  kind?: 'service';
}

export const ANONYMOUS: Actor = { userId: 'anonymous', role: 'unauthenticated' };
