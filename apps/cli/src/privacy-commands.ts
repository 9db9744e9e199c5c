import { readFileSync } from 'node:fs';
import type { LedgerConfig } from '@ledger/config';
import { USER_ROLES, type UserRole, isBusinessDate } from '@ledger/domain';
import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type OpenedStores, PgSqlClient, RAW_EVENT_STORE } from '@ledger/event-store';
import { FamilyQueries, PROJECTION_RUNNER, type ProjectionRunner, type UserQueries } from '@ledger/projections';
import {
  changeUserRole,
  deactivateUser,
  installAccessLog,
  londonToday,
  registerUser,
  eraseImportRowsDue,
  importRowsDue,
  retentionPeriods,
  retentionReport,
  revokeServiceAccount,
  runRetention as runRetentionSchedule,
  systemClock,
} from '@ledger/application';
import { Erasure, KeyVault } from '@ledger/privacy';
import { ImportService } from '@ledger/imports';

const CLI_ACTOR = { userId: 'cli', role: 'admin' as const };

const USERS_USAGE = 'usage: users list | users add <username> --role ROLE [--organisation ORG] --password-stdin | users deactivate <username> | users role <username> ROLE [--organisation ORG]';

/**
 * `users list`, `users add <username> --role R [--organisation O] --password-stdin`,
 * `users deactivate <username>` and `users role <username> ROLE [--organisation O]`: user
 * management for the council's IT team without the API (the password is read from standard
 * input, never from the command line, where other users of the machine could see it). A
 * deactivation or role change stops the user's tokens at once (within a second on a running api).
 */
export async function runUsers(config: LedgerConfig, stores: OpenedStores, args: string[], list: Pick<UserQueries, 'users'>): Promise<number> {
  const [what, username] = args;
  if (what === 'list') {
    // From the users read model, caught up with the log first (the cli's context settles its reads).
    for (const u of await list.users()) {
      const status = !u.active ? 'deactivated' : u.lockedUntil ? `locked until ${u.lockedUntil}` : 'active';
      console.log([u.username, u.role ?? '-', u.organisation ?? '-', status].join('\t'));
    }
    return 0;
  }
  if (what === 'deactivate' && username) {
    return refusedOr(await deactivateUser(stores.eventStore, systemClock, username, CLI_ACTOR), `deactivated ${username}: their tokens no longer work`);
  }
  if (what === 'role' && username && args[2] && !args[2].startsWith('--')) {
    const newRole = args[2];
    if (!(USER_ROLES as readonly string[]).includes(newRole)) {
      console.error(`the role must be one of ${USER_ROLES.join(', ')}`);
      return 2;
    }
    const organisation = option(args, 'organisation');
    return refusedOr(
      await changeUserRole(stores.eventStore, systemClock, username, newRole as UserRole, organisation, CLI_ACTOR),
      `${username} is now ${newRole}: tokens of the old role no longer work`,
    );
  }
  const role = option(args, 'role');
  if (what !== 'add' || !username || !role || !args.includes('--password-stdin')) {
    console.error(USERS_USAGE);
    return 2;
  }
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    console.error(`--role must be one of ${USER_ROLES.join(', ')}`);
    return 2;
  }
  const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (password.length < 12) {
    console.error('the password (standard input) must be at least 12 characters');
    return 2;
  }
  const organisation = option(args, 'organisation');
  const outcome = await registerUser(stores.eventStore, systemClock, { username, password, role: role as UserRole, ...(organisation ? { organisation } : {}) }, CLI_ACTOR, config.passwordHashCost);
  if (outcome.kind !== 'recorded') {
    console.error(`refused: ${outcome.kind === 'rejected' ? `${outcome.rejection.reason}: ${outcome.rejection.message}` : 'the user changed meanwhile; try again'}`);
    return 1;
  }
  console.log(`added ${username} (${role}${organisation ? `, ${organisation}` : ''})`);
  return 0;
}

/**
 * `access-log install [--grant-to ROLE]` (issue 16.10): run on PostgreSQL as the role that is to
 * own the access log (not the service's): creates `<schema>.access_log` with its append-only
 * trigger, and grants the service's ROLE insert and select only. Touches nothing else.
 */
export async function runAccessLogInstall(config: LedgerConfig, args: string[]): Promise<number> {
  const grantTo = option(args, 'grant-to');
  if (args[0] !== 'install' || (args.includes('--grant-to') && !grantTo)) {
    console.error('usage: access-log install [--grant-to ROLE]');
    return 2;
  }
  if (!config.postgresUrl) {
    console.error('access-log install is for PostgreSQL (LEDGER_POSTGRES_URL); the embedded store has one user');
    return 2;
  }
  const sql = new PgSqlClient({ connectionString: config.postgresUrl, max: 1 });
  try {
    const done = await installAccessLog(sql, config.postgresSchema, grantTo ? { grantTo } : {});
    console.log(`${config.postgresSchema}.access_log ${done === 'created' ? 'created' : 'already there'}${grantTo ? `; ${grantTo} may insert and select only` : ''}`);
    return 0;
  } finally {
    await sql.close();
  }
}

/**
 * `service-accounts list` and `service-accounts revoke <name>` (issue 19.4): BI tools' tokens,
 * without the API. Issuing one needs the token secret, so only the API's admins issue them.
 */
export async function runServiceAccounts(stores: OpenedStores, args: string[], list: Pick<UserQueries, 'serviceAccounts'>): Promise<number> {
  const [what, name] = args;
  if (what === 'list') {
    for (const a of await list.serviceAccounts()) {
      console.log([a.name, a.role ?? '-', `expires ${a.expiresAt}`, a.revokedAt ? `revoked ${a.revokedAt}` : 'active', a.description ?? ''].join('\t'));
    }
    return 0;
  }
  if (what === 'revoke' && name) return refusedOr(await revokeServiceAccount(stores.eventStore, systemClock, name, CLI_ACTOR), `revoked ${name}: its token no longer works`);
  console.error('usage: service-accounts list | service-accounts revoke <name>');
  return 2;
}

function refusedOr(outcome: Awaited<ReturnType<typeof deactivateUser>>, done: string): number {
  if (outcome.kind !== 'recorded') {
    console.error(`refused: ${outcome.kind === 'rejected' ? `${outcome.rejection.reason}: ${outcome.rejection.message}` : 'it changed meanwhile; try again'}`);
    return 1;
  }
  console.log(done);
  return 0;
}

/**
 * `retention [--as-of DATE] [--dry-run]`: the retention schedule (DOMAIN.md 6, issue 23.5). The
 * report lists every family whose retention date has come (as of DATE, default today in England),
 * with the reason (closed LEDGER_RETENTION_YEARS ago; never attached; never closed and inactive)
 * and any legal hold keeping it; then everyone in the families due and not held is erased by
 * crypto-shredding. A dry run prints the report and changes nothing.
 */
export async function runRetention(config: LedgerConfig, context: INestApplicationContext, args: string[]): Promise<number> {
  const asOf = option(args, 'as-of') ?? londonToday(new Date());
  if (!isBusinessDate(asOf)) {
    console.error('--as-of must be a calendar date YYYY-MM-DD');
    return 2;
  }
  const dryRun = args.includes('--dry-run');
  const vault = context.get(KeyVault);
  const sealing = context.get<EventStore>(EVENT_STORE);
  const families = context.get(FamilyQueries);
  await context.get<ProjectionRunner>(PROJECTION_RUNNER).settle();
  const report = await retentionReport(families, context.get<EventStore>(RAW_EVENT_STORE), vault, asOf, retentionPeriods(config));
  const people = report.due.reduce((n, f) => n + f.memberIds.length, 0);
  console.log(
    `retention: ${config.retentionYears} years after case closure, ${config.retentionNotAttachedYears} after identification or last activity when never attached, ${config.retentionInactiveYears} after last activity when never closed; as of ${asOf}, cases closed on or before ${report.closedOnOrBefore}`,
  );
  for (const f of report.due) console.log(`  due   family ${f.familyId} (${f.rule}, due ${f.dueOn}): ${f.memberIds.length} ${f.memberIds.length === 1 ? 'person' : 'people'}; ${f.reason}`);
  for (const f of report.held) console.log(`  held  family ${f.familyId} (${f.rule}, due ${f.dueOn}): ${f.reason}; held by ${f.holds.map((h) => h.reason).join('; ')}`);
  const imports = context.get(ImportService);
  const rows = await importRowsDue(imports, asOf, report.periods);
  console.log(`  import rows kept for review or candidate families from imports recorded on or before ${rows.recordedOnOrBefore}: ${rows.rows} due`);
  if (dryRun) {
    console.log(`dry run: ${people} people in ${report.due.length} families would be erased; nothing was changed (${report.held.length} families held); and ${rows.rows} import rows`);
    return 0;
  }
  const done = await runRetentionSchedule(report, new Erasure(vault, sealing, [imports]), new Date().toISOString());
  const erasedRows = await eraseImportRowsDue(imports, vault, asOf, report.periods);
  console.log(`erased ${done.people} people in ${done.families} families, and ${erasedRows.rows} import rows`);
  return 0;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
