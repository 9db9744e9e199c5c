import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { PRIVACY_SCHEMA, SQL_CLIENT, STORE_DESCRIPTION, type StoreDescription } from '@ledger/event-store';
import type { IncomingHttpHeaders } from 'node:http';
import type { Actor } from '../actor';
import { ApiError } from '../api-error';
import { CLOCK, type Clock } from '../recording';
import { applyMigrations, type Migration, type SqlClient, quoteIdent } from '@ledger/sql';

export interface AccessEntry {
  actor: Actor;
  /** The route pattern, e.g. `GET /api/families/:familyId`. */
  route: string;
  familyId?: string;
  /** Whose personal data the response carried (pseudonymous member ids, never their values). */
  memberIds: readonly string[];
  outcome: 'served' | 'denied';
  /** Why: the caller's `X-Access-Purpose`, the role's purpose, or the reason for a denial. */
  purpose: string;
}

export interface AccessLogRow {
  id: string;
  at: string;
  userId: string;
  role: string;
  organisation: string | null;
  route: string;
  outcome: string;
  familyId: string | null;
  memberIds: string[];
  purpose: string;
}

/** Why a request reads personal data: its `X-Access-Purpose`, else its role's purpose. */
export function purposeOf(req: { headers: IncomingHttpHeaders }, actor: Actor): string {
  return accessPurposeOf(req, actor.role);
}

/** What each role reads personal data for, when the request does not say. */
export const ROLE_PURPOSES: Record<string, string> = {
  admin: 'administration',
  'programme-manager': 'programme management',
  keyworker: 'casework',
  'finance-officer': 'claims',
  auditor: 'claim audit',
  partner: 'partner evidence',
  analyst: 'evaluation',
};

/**
 * Why a user reads personal data, as `X-Access-Purpose` may give it: a code list, not free text
 * (DOMAIN.md 6: a purpose typed by a person can name a person, and the access log is kept for
 * ever, beyond any erasure). The roles' own purposes are among them.
 */
export const ACCESS_PURPOSES: readonly string[] = [
  ...new Set([...Object.values(ROLE_PURPOSES), 'home visit planning', 'safeguarding', 'subject access request', 'complaint', 'court order', 'data quality']),
];

/**
 * The purpose of a read: the request's `X-Access-Purpose` (one of `ACCESS_PURPOSES`), else the
 * role's. @throws ApiError 400 naming the header for any other value.
 */
export function accessPurposeOf(req: { headers: IncomingHttpHeaders }, role: string): string {
  const raw = req.headers['x-access-purpose'];
  const given = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (given === undefined || given === '') return ROLE_PURPOSES[role] ?? role;
  if (!ACCESS_PURPOSES.includes(given)) {
    throw ApiError.badRequest('invalid X-Access-Purpose', [{ field: 'X-Access-Purpose', message: `must be one of: ${ACCESS_PURPOSES.join(', ')}` }]);
  }
  return given;
}

/**
 * The access log's table, as migrations of its own (`<schema>.access_log_migrations`): the table
 * may belong to another role than the service's (see `installAccessLog`), so it is not among the
 * person keys' `privacy_migrations`. The first adopts a log made before there was a runner: every
 * step is idempotent, and its indexes keep the names PostgreSQL gave them then.
 */
export function accessLogMigrations(schema: string): Migration[] {
  const s = quoteIdent(schema);
  const table = `${s}.access_log`;
  return [
    {
      id: 1,
      name: 'access log',
      statements: [
        `create table if not exists ${table} (
          id bigserial primary key,
          at timestamptz not null,
          user_id text not null,
          role text not null,
          organisation text,
          route text not null,
          outcome text not null,
          family_id uuid,
          member_ids text[] not null default '{}',
          purpose text not null)`,
        `create index if not exists access_log_member_ids_idx on ${table} using gin (member_ids)`,
        `create index if not exists access_log_family_id_id_idx on ${table} (family_id, id)`,
        `create or replace function ${s}.access_log_is_append_only() returns trigger language plpgsql as $$
          begin raise exception 'the access log is append-only'; end $$`,
        `create or replace trigger access_log_no_rewrite before update or delete on ${table} for each row execute function ${s}.access_log_is_append_only()`,
        `create or replace trigger access_log_no_truncate before truncate on ${table} for each statement execute function ${s}.access_log_is_append_only()`,
      ],
    },
  ];
}

const ACCESS_LOG_LEDGER = 'access_log_migrations';

/** The access log's migrations not yet recorded in `<schema>.access_log_migrations` (all, if it is absent). */
export async function pendingAccessLogMigrations(sql: SqlClient, schema: string): Promise<Migration[]> {
  const [ledger] = await sql.query<{ found: string | null }>(`select to_regclass($1)::text as found`, [`${quoteIdent(schema)}.${ACCESS_LOG_LEDGER}`]);
  const all = accessLogMigrations(schema);
  if (!ledger?.found) return all;
  const applied = new Set((await sql.query<{ id: number }>(`select id from ${quoteIdent(schema)}.${ACCESS_LOG_LEDGER}`)).map((r) => Number(r.id)));
  return all.filter((m) => !applied.has(m.id));
}

/**
 * Applies the access log's migrations (`accessLogMigrations`) by the one migration runner, so the
 * table belongs to the role connected: a trigger refuses UPDATE, DELETE and TRUNCATE. On
 * PostgreSQL the table should belong to a role other than the service's (issue 16.10,
 * infra/README.md "The access log's two roles"): its owner runs this
 * (`npm run cli -- access-log install --grant-to <service role>`), granting the service only
 * INSERT and SELECT (and a read of the migrations applied), so the service itself can neither
 * rewrite the log nor drop its trigger. 'created' when the table was not there before.
 */
export async function installAccessLog(sql: SqlClient, schema: string, options: { grantTo?: string } = {}): Promise<'created' | 'existed'> {
  const s = quoteIdent(schema);
  const table = `${s}.access_log`;
  return sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-access-log:${schema}`]);
    // The owner role of a two-role set-up may lack CREATE on the database: its schema is made for it.
    const [schemaFound] = await tx.query<{ found: boolean }>(`select exists (select 1 from pg_namespace where nspname = $1) as found`, [schema]);
    if (!schemaFound?.found) await tx.query(`create schema ${s}`);
    const exists = await tx.query<{ found: string | null }>(`select to_regclass($1)::text as found`, [`${schema}.access_log`]);
    const created = !exists[0]?.found;
    await applyMigrations(tx, schema, ACCESS_LOG_LEDGER, accessLogMigrations(schema));
    if (options.grantTo !== undefined) {
      const role = quoteIdent(options.grantTo);
      await tx.query(`grant usage on schema ${s} to ${role}`);
      await tx.query(`revoke all on ${table} from ${role}`);
      await tx.query(`grant insert, select on ${table} to ${role}`);
      await tx.query(`grant usage on sequence ${s}.access_log_id_seq to ${role}`);
      await tx.query(`grant select on ${s}.${ACCESS_LOG_LEDGER} to ${role}`);
    }
    return created ? 'created' : 'existed';
  });
}

/**
 * The access log (DOMAIN.md 6): who read whose personal data, when, through which route and
 * why, plus every refused request. Append-only in the database itself: a trigger refuses
 * UPDATE, DELETE and TRUNCATE; on PostgreSQL set up with two roles (infra/README.md) the table
 * belongs to another role and the service may only insert and select, so not even a compromised
 * service can rewrite it. Holds ids, never values.
 */
@Injectable()
export class AccessLog implements OnModuleInit {
  private readonly table: string;
  private readonly logger = new Logger('AccessLog');

  constructor(
    @Inject(SQL_CLIENT) private readonly sql: SqlClient,
    @Inject(PRIVACY_SCHEMA) private readonly schema: string,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(STORE_DESCRIPTION) private readonly description: StoreDescription,
  ) {
    this.table = `${quoteIdent(schema)}.access_log`;
  }

  async onModuleInit(): Promise<void> {
    const pending = await pendingAccessLogMigrations(this.sql, this.schema);
    if (pending.length > 0) {
      // A single-role install migrates at start; a log of another role is its owner's to migrate.
      const [owner] = await this.sql.query<{ other: boolean }>(`select pg_get_userbyid(relowner) <> current_user as other from pg_class where oid = to_regclass($1)`, [`${this.schema}.access_log`]);
      if (owner?.other) {
        this.logger.warn(
          `the access log's migrations ${pending.map((m) => `${m.id} (${m.name})`).join(', ')} are not recorded in ${this.schema}.${ACCESS_LOG_LEDGER}: run \`npm run cli -- access-log install\` as the log's owner role (infra/README.md)`,
        );
      } else {
        await installAccessLog(this.sql, this.schema);
      }
    }
    if (this.description.kind === 'embedded') return;
    // Issue 16.10: said at every start until the two-role set-up is done.
    const [owner] = await this.sql.query<{ own: boolean }>(`select pg_get_userbyid(relowner) = current_user as own from pg_class where oid = to_regclass($1)`, [`${this.schema}.access_log`]);
    if (owner?.own) {
      this.logger.warn(
        `the access log ${this.schema}.access_log belongs to this service's own database role, which could drop its append-only trigger: give it to another role (infra/README.md "The access log's two roles")`,
      );
    }
  }

  /** Several entries of one actor in one statement (a list read by finance: one entry per family shown). */
  async recordMany(actor: Actor, entries: readonly Omit<AccessEntry, 'actor'>[]): Promise<void> {
    if (entries.length === 0) return;
    const at = this.clock.now().toISOString();
    await this.sql.query(
      `insert into ${this.table} (at, user_id, role, organisation, route, outcome, family_id, member_ids, purpose)
       select $1, $2, $3, $4, e.route, e.outcome, e.family_id::uuid, array(select jsonb_array_elements_text(e.member_ids)), e.purpose
       from jsonb_to_recordset($5::jsonb) as e(route text, outcome text, family_id text, member_ids jsonb, purpose text)`,
      [
        at,
        actor.userId,
        actor.role,
        actor.organisation ?? null,
        JSON.stringify(
          entries.map((e) => ({
            route: e.route,
            outcome: e.outcome,
            family_id: e.familyId !== undefined && /^[0-9a-f-]{36}$/i.test(e.familyId) ? e.familyId : null,
            member_ids: [...e.memberIds],
            purpose: e.purpose.slice(0, 200),
          })),
        ),
      ],
    );
  }

  async record(entry: AccessEntry): Promise<void> {
    await this.sql.query(`insert into ${this.table} (at, user_id, role, organisation, route, outcome, family_id, member_ids, purpose) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      this.clock.now().toISOString(),
      entry.actor.userId,
      entry.actor.role,
      entry.actor.organisation ?? null,
      entry.route,
      entry.outcome,
      entry.familyId !== undefined && /^[0-9a-f-]{36}$/i.test(entry.familyId) ? entry.familyId : null,
      [...entry.memberIds],
      entry.purpose.slice(0, 200),
    ]);
  }

  /** Newest first, filtered by person, family or user; cursor `after` is the last id seen. */
  async list(filter: { memberId?: string; familyId?: string; userId?: string; after?: string; limit: number }): Promise<{ entries: AccessLogRow[]; next: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.memberId) where.push(`member_ids @> array[$${params.push(filter.memberId)}]::text[]`);
    if (filter.familyId) where.push(`family_id = $${params.push(filter.familyId)}`);
    if (filter.userId) where.push(`user_id = $${params.push(filter.userId)}`);
    if (filter.after) where.push(`id < $${params.push(filter.after)}`);
    const rows = await this.sql.query<Record<string, unknown>>(
      `select id::text as id, at, user_id, role, organisation, route, outcome, family_id::text as family_id, member_ids, purpose from ${this.table}
       ${where.length ? `where ${where.join(' and ')}` : ''} order by ${this.table}.id desc limit ${filter.limit + 1}`,
      params,
    );
    const entries = rows.slice(0, filter.limit).map((r) => ({
      id: String(r.id),
      at: new Date(r.at as string).toISOString(),
      userId: String(r.user_id),
      role: String(r.role),
      organisation: (r.organisation as string | null) ?? null,
      route: String(r.route),
      outcome: String(r.outcome),
      familyId: (r.family_id as string | null) ?? null,
      memberIds: (r.member_ids as string[]) ?? [],
      purpose: String(r.purpose),
    }));
    return { entries, next: rows.length > filter.limit ? (entries.at(-1)?.id ?? null) : null };
  }
}
