import type { ServiceAccountRole, UserRole } from '@ledger/domain';
import type { SqlClient } from '@ledger/sql';
import type { ProjectionRunner } from './projection-runner';

/** A user as the admins' list shows them (never a password hash). */
export interface UserRow {
  username: string;
  role: UserRole | null;
  organisation?: string;
  active: boolean;
  lockedUntil: string | null;
}

/** A service account as the admins' list shows it (its token is never kept). */
export interface ServiceAccountRow {
  name: string;
  role: ServiceAccountRole | null;
  description?: string;
  issuedBy: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

/**
 * Reads of the users read model (`UsersProjection`). In inline mode (`settle`) each read first
 * applies what is already in the log to this projection, so an admin lists the user they have
 * just created; with an external projector the list lags by the projector's delay.
 */
export class UserQueries {
  constructor(
    private readonly sql: SqlClient,
    private readonly runner: ProjectionRunner,
    private readonly options: { settle: boolean },
  ) {}

  /** Every registered user, their role, whether active and any lock-out, by username. */
  async users(): Promise<UserRow[]> {
    const t = await this.table('users');
    const rows = await this.sql.query<{ username: string; role: UserRole | null; organisation: string | null; active: boolean; locked_until: string | null }>(
      `select username, role, organisation, active, locked_until from ${t} where registered`,
    );
    return rows
      .map((u) => ({ username: u.username, role: u.role, ...(u.organisation ? { organisation: u.organisation } : {}), active: u.active, lockedUntil: u.locked_until }))
      .sort((a, b) => (a.username < b.username ? -1 : 1));
  }

  /** Every service account, revoked ones included, by name. */
  async serviceAccounts(): Promise<ServiceAccountRow[]> {
    const t = await this.table('service_accounts');
    const rows = await this.sql.query<{
      name: string;
      role: ServiceAccountRole | null;
      description: string | null;
      issued_by: string;
      issued_at: string;
      expires_at: string;
      revoked_at: string | null;
    }>(`select name, role, description, issued_by, issued_at, expires_at, revoked_at from ${t} where issued`);
    return rows
      .map((a) => ({
        name: a.name,
        role: a.role,
        ...(a.description ? { description: a.description } : {}),
        issuedBy: a.issued_by,
        issuedAt: a.issued_at,
        expiresAt: a.expires_at,
        revokedAt: a.revoked_at,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private async table(base: string): Promise<string> {
    if (this.options.settle) await this.runner.settle(['users']);
    return this.runner.liveTable('users', base);
  }
}
