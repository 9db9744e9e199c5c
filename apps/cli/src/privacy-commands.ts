import { readFileSync } from 'node:fs';
import type { LedgerConfig } from '@ledger/config';
import { USER_ROLES, type UserRole, isBusinessDate } from '@ledger/domain';
import type { OpenedStores } from '@ledger/event-store';
import { FamilyQueries, ledgerProjectionRunner } from '@ledger/projections';
import { listUsers, registerUser } from '../../api/src/auth/auth.service';
import { openPersonalData } from '../../api/src/bootstrap';
import { systemClock, londonToday } from '../../api/src/http/recording';
import { Erasure, planRetention } from '../../api/src/privacy/erasure';

const CLI_ACTOR = { userId: 'cli', role: 'admin' as const };

/**
 * `users list` and `users add <username> --role R [--organisation O] --password-stdin`: user
 * management for the council's IT team without the API (the password is read from standard
 * input, never from the command line, where other users of the machine could see it).
 */
export async function runUsers(stores: OpenedStores, args: string[]): Promise<number> {
  const [what, username] = args;
  if (what === 'list') {
    for (const u of await listUsers(stores.eventStore)) {
      console.log([u.username, u.role ?? '-', u.organisation ?? '-', u.lockedUntil ? `locked until ${u.lockedUntil}` : 'active'].join('\t'));
    }
    return 0;
  }
  const role = option(args, 'role');
  if (what !== 'add' || !username || !role || !args.includes('--password-stdin')) {
    console.error('usage: users list | users add <username> --role ROLE [--organisation ORG] --password-stdin');
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
  const outcome = await registerUser(stores.eventStore, systemClock, { username, password, role: role as UserRole, ...(organisation ? { organisation } : {}) }, CLI_ACTOR);
  if (outcome.kind !== 'recorded') {
    console.error(`refused: ${outcome.kind === 'rejected' ? `${outcome.rejection.reason}: ${outcome.rejection.message}` : 'the user changed meanwhile; try again'}`);
    return 1;
  }
  console.log(`added ${username} (${role}${organisation ? `, ${organisation}` : ''})`);
  return 0;
}

/**
 * `retention [--as-of DATE] [--dry-run]`: the retention schedule (DOMAIN.md 6). Everyone in a
 * family whose case closed LEDGER_RETENTION_YEARS or more before the as-of date (default today in
 * England) is erased by crypto-shredding; a dry run lists what would be erased and changes nothing.
 */
export async function runRetention(config: LedgerConfig, stores: OpenedStores, args: string[]): Promise<number> {
  const asOf = option(args, 'as-of') ?? londonToday(new Date());
  if (!isBusinessDate(asOf)) {
    console.error('--as-of must be a calendar date YYYY-MM-DD');
    return 2;
  }
  const dryRun = args.includes('--dry-run');
  const { vault, sealing } = await openPersonalData(config, stores);
  const runner = ledgerProjectionRunner(stores, { batchSize: 5_000 });
  await runner.prepare();
  await runner.catchUp();
  const plan = await planRetention(new FamilyQueries(stores.sql, runner), vault, asOf, config.retentionYears);
  const people = plan.families.reduce((n, f) => n + f.memberIds.length, 0);
  console.log(`retention: ${config.retentionYears} years after case closure; as of ${asOf}, cases closed on or before ${plan.closedOnOrBefore}`);
  for (const f of plan.families) console.log(`  family ${f.familyId} closed ${f.closedOn}: ${f.memberIds.length} ${f.memberIds.length === 1 ? 'person' : 'people'}`);
  if (dryRun) {
    console.log(`dry run: ${people} people in ${plan.families.length} families would be erased; nothing was changed`);
    return 0;
  }
  const erasure = new Erasure(vault, sealing);
  const at = new Date().toISOString();
  for (const f of plan.families) {
    for (const memberId of f.memberIds) {
      await erasure.erase({ memberId, familyId: f.familyId, reason: `retention schedule: ${config.retentionYears} years after case closure on ${f.closedOn}`, by: { userId: 'retention-schedule', role: 'system' }, at });
    }
  }
  console.log(`erased ${people} people in ${plan.families.length} families`);
  return 0;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
