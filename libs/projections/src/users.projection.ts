import {
  type ServiceAccountEvent,
  type ServiceAccountState,
  type UserEvent,
  type UserRole,
  type UserState,
  evolveServiceAccount,
  evolveUser,
  initialServiceAccountState,
  initialUserState,
} from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import type { SqlTx } from '@ledger/sql';
import { type Projection, type TableNamer, tableExists } from './projection';

/**
 * The users read model (issue 14.5): people who sign in and the service accounts of BI tools, as
 * the admins' lists show them, folded by the domain's `evolveUser` / `evolveServiceAccount`.
 * Never a password hash (only the fields the lists show are kept), and no failed sign-in is read
 * (it changes nothing listed). Each row remembers the stream version it has applied, so
 * re-applying a batch changes nothing.
 */
export class UsersProjection implements Projection {
  readonly name = 'users';
  readonly version: number = 1;
  readonly categories = ['user', 'serviceAccount'] as const;
  readonly types = ['UserRegistered', 'SignInSucceeded', 'UserLockedOut', 'UserDeactivated', 'UserReactivated', 'UserRoleChanged', 'ServiceAccountIssued', 'ServiceAccountRevoked'] as const;
  readonly tables = ['users', 'service_accounts'] as const;

  async createTables(tx: SqlTx, table: TableNamer): Promise<void> {
    if (!(await tableExists(tx, table('users')))) {
      await tx.query(`create table ${table('users')} (
        stream_key text primary key, registered boolean not null, username text not null, role text, organisation text, active boolean not null, locked_until text,
        version bigint not null)`);
    }
    if (!(await tableExists(tx, table('service_accounts')))) {
      await tx.query(`create table ${table('service_accounts')} (
        stream_key text primary key, issued boolean not null, name text not null, role text, description text, issued_by text not null, issued_at text not null, expires_at text not null,
        revoked_at text, version bigint not null)`);
    }
  }

  async apply(tx: SqlTx, events: readonly RecordedEvent[], table: TableNamer): Promise<void> {
    const userEvents = events.filter((e) => e.streamId.startsWith('user-') && (this.types as readonly string[]).includes(e.type));
    if (userEvents.length > 0) {
      const keys = [...new Set(userEvents.map((e) => e.streamId.slice('user-'.length)))];
      const stored = await tx.query<{
        stream_key: string;
        registered: boolean;
        username: string;
        role: string | null;
        organisation: string | null;
        active: boolean;
        locked_until: string | null;
        version: string;
      }>(`select stream_key, registered, username, role, organisation, active, locked_until, version::text as version from ${table('users')} where stream_key = any($1::text[])`, [keys]);
      const rows = new Map<string, { state: UserState; version: number; changed: boolean }>(
        stored.map((r) => [
          r.stream_key,
          {
            state: {
              ...initialUserState(),
              exists: r.registered,
              username: r.username,
              role: r.role as UserRole | null,
              ...(r.organisation !== null ? { organisation: r.organisation } : {}),
              active: r.active,
              lockedUntil: r.locked_until,
            },
            version: Number(r.version),
            changed: false,
          },
        ]),
      );
      for (const e of userEvents) {
        const key = e.streamId.slice('user-'.length);
        const row = rows.get(key) ?? { state: initialUserState(), version: 0, changed: false };
        rows.set(key, row);
        if (e.version <= row.version) continue;
        row.state = evolveUser(row.state, { type: e.type, data: e.data } as unknown as UserEvent);
        row.version = e.version;
        row.changed = true;
      }
      const changed = [...rows].filter(([, row]) => row.changed);
      if (changed.length > 0) {
        await tx.query(
          `insert into ${table('users')} (stream_key, registered, username, role, organisation, active, locked_until, version)
           select r->>'key', (r->>'registered')::boolean, r->>'username', r->>'role', r->>'organisation', (r->>'active')::boolean, r->>'lockedUntil', (r->>'version')::bigint
             from jsonb_array_elements($1::jsonb) as r
           on conflict (stream_key) do update set registered = excluded.registered, username = excluded.username, role = excluded.role, organisation = excluded.organisation,
             active = excluded.active, locked_until = excluded.locked_until, version = excluded.version`,
          [
            JSON.stringify(
              // The password hash the registration carries stays out of the row.
              changed.map(([key, { state, version }]) => ({
                key,
                registered: state.exists,
                username: state.username,
                role: state.role,
                organisation: state.organisation ?? null,
                active: state.active,
                lockedUntil: state.lockedUntil,
                version,
              })),
            ),
          ],
        );
      }
    }
    const accountEvents = events.filter((e) => e.streamId.startsWith('serviceAccount-') && (this.types as readonly string[]).includes(e.type));
    if (accountEvents.length > 0) {
      const keys = [...new Set(accountEvents.map((e) => e.streamId.slice('serviceAccount-'.length)))];
      const stored = await tx.query<Record<string, string | boolean | null>>(
        `select stream_key, issued, name, role, description, issued_by, issued_at, expires_at, revoked_at, version::text as version from ${table('service_accounts')} where stream_key = any($1::text[])`,
        [keys],
      );
      const rows = new Map<string, { state: ServiceAccountState; version: number; changed: boolean }>(
        stored.map((r) => [
          String(r.stream_key),
          {
            state: {
              exists: r.issued === true,
              name: String(r.name),
              role: r.role as ServiceAccountState['role'],
              ...(r.description !== null ? { description: String(r.description) } : {}),
              issuedBy: String(r.issued_by),
              issuedAt: String(r.issued_at),
              expiresAt: String(r.expires_at),
              revokedAt: r.revoked_at as string | null,
            },
            version: Number(r.version),
            changed: false,
          },
        ]),
      );
      for (const e of accountEvents) {
        const key = e.streamId.slice('serviceAccount-'.length);
        const row = rows.get(key) ?? { state: initialServiceAccountState(), version: 0, changed: false };
        rows.set(key, row);
        if (e.version <= row.version) continue;
        row.state = evolveServiceAccount(row.state, { type: e.type, data: e.data } as unknown as ServiceAccountEvent);
        row.version = e.version;
        row.changed = true;
      }
      const changed = [...rows].filter(([, row]) => row.changed);
      if (changed.length > 0) {
        await tx.query(
          `insert into ${table('service_accounts')} (stream_key, issued, name, role, description, issued_by, issued_at, expires_at, revoked_at, version)
           select r->>'key', (r->>'issued')::boolean, r->>'name', r->>'role', r->>'description', r->>'issuedBy', r->>'issuedAt', r->>'expiresAt', r->>'revokedAt', (r->>'version')::bigint
             from jsonb_array_elements($1::jsonb) as r
           on conflict (stream_key) do update set issued = excluded.issued, name = excluded.name, role = excluded.role, description = excluded.description, issued_by = excluded.issued_by,
             issued_at = excluded.issued_at, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, version = excluded.version`,
          [
            JSON.stringify(
              changed.map(([key, { state, version }]) => ({
                key,
                issued: state.exists,
                name: state.name,
                role: state.role,
                description: state.description ?? null,
                issuedBy: state.issuedBy,
                issuedAt: state.issuedAt,
                expiresAt: state.expiresAt,
                revokedAt: state.revokedAt,
                version,
              })),
            ),
          ],
        );
      }
    }
  }
}
