import type { LoggerService } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { PgSqlClient, quoteIdent } from '@ledger/event-store';
import { installAccessLog } from '@ledger/application';
import { startTestApp } from '../support/app';
import { asAdmin, asProgrammeManager } from '../support/signed-in';
import { describeWhen, testEnv } from '../support/test-env';
import { must } from '@ledger/domain';

/**
 * Issue 16.10: on PostgreSQL the access log is append-only against the service itself. Set up as
 * infra/README.md says, with two roles (made here with unique names): the table belongs to an
 * owner role; the service's role may only insert and select, so an UPDATE, DELETE or TRUNCATE by
 * the service is refused by the database's privileges, and it can neither drop the append-only
 * trigger nor the table. A service that owns the log itself is warned about at start.
 */
class Warnings implements LoggerService {
  readonly seen: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.seen.push(String(message));
  }
}

function urlAs(role: string): string {
  const url = new URL(testEnv.postgresUrl as string);
  url.username = role;
  url.password = '';
  return url.toString();
}

describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('the access log with two database roles', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `ledger_owner_${suffix}`;
  const service = `ledger_app_${suffix}`;
  const schema = `alog_${suffix}`;
  let superuser: PgSqlClient;
  let database: string;

  beforeAll(async () => {
    superuser = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
    database = must((await superuser.query<{ db: string }>('select current_database() as db'))[0], 'the database').db;
    await superuser.query(`create role ${owner} login`);
    await superuser.query(`create role ${service} login`);
    // The service makes its own read-model schema; the log's schema belongs to the owner.
    await superuser.query(`grant create on database ${quoteIdent(database)} to ${service}`);
    await superuser.query(`create schema ${schema} authorization ${owner}`);
    await superuser.query(`grant usage, create on schema ${schema} to ${service}`);
  });
  afterAll(async () => {
    await superuser.query(`drop schema if exists ${schema} cascade`);
    await superuser.query(`drop schema if exists ${schema}_read cascade`);
    for (const role of [service, owner]) {
      await superuser.query(`drop owned by ${role} cascade`);
      await superuser.query(`drop role if exists ${role}`);
    }
    await superuser.close();
  });

  it('lets the service insert and read the log but never rewrite it, drop its trigger or drop it', async () => {
    const asOwner = new PgSqlClient({ connectionString: urlAs(owner), max: 1 });
    expect(await installAccessLog(asOwner, schema, { grantTo: service })).toBe('created');
    await asOwner.close();

    const warnings = new Warnings();
    const t = await startTestApp('postgres', {}, { postgresUrl: urlAs(service), schema, logger: warnings });
    try {
      expect(warnings.seen.filter((w) => /access log/.test(w))).toEqual([]);
      // A refusal and a read, each written by the service's role.
      await asProgrammeManager(t).get('/api/audit/access-log').expect(403);
      const entries = (await asAdmin(t).get('/api/audit/access-log').expect(200)).body.entries as { userId: string; outcome: string }[];
      expect(entries).toContainEqual(expect.objectContaining({ userId: 'pm.test', outcome: 'denied' }));

      const asService = new PgSqlClient({ connectionString: urlAs(service), max: 1 });
      try {
        const table = `${schema}.access_log`;
        await expect(asService.query(`update ${table} set user_id = 'someone-else'`)).rejects.toThrow(/permission denied/);
        await expect(asService.query(`delete from ${table}`)).rejects.toThrow(/permission denied/);
        await expect(asService.query(`truncate ${table}`)).rejects.toThrow(/permission denied/);
        await expect(asService.query(`alter table ${table} disable trigger all`)).rejects.toThrow(/must be owner/);
        await expect(asService.query(`drop table ${table}`)).rejects.toThrow(/must be owner/);
        const [count] = await asService.query<{ n: string }>(`select count(*)::text as n from ${table}`);
        expect(Number(count?.n)).toBeGreaterThan(0);
      } finally {
        await asService.close();
      }
    } finally {
      await t.stop();
    }
  }, 120_000);

  it("starts beside a log its owner made before the migration runner, saying the owner is to record the log's migrations", async () => {
    // As installed before issue 14.3: the table, its grants, and no access_log_migrations.
    const asOwner = new PgSqlClient({ connectionString: urlAs(owner), max: 1 });
    await asOwner.query(`drop table ${schema}.access_log_migrations`);
    await asOwner.close();
    const warnings = new Warnings();
    // Its users are there from the first start: no bootstrap admin this time.
    const t = await startTestApp('postgres', { LEDGER_BOOTSTRAP_ADMIN: '' }, { postgresUrl: urlAs(service), schema, logger: warnings });
    try {
      expect(warnings.seen.filter((w) => /access log's migrations 1 \(access log\) are not recorded/.test(w))).toHaveLength(1);
      await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    } finally {
      await t.stop();
    }
    const again = new PgSqlClient({ connectionString: urlAs(owner), max: 1 });
    expect(await installAccessLog(again, schema, { grantTo: service })).toBe('existed');
    expect((await again.query<{ name: string }>(`select name from ${schema}.access_log_migrations`)).map((r) => r.name)).toEqual(['access log']);
    await again.close();
  }, 120_000);

  it('warns at start when the service owns the access log itself', async () => {
    const warnings = new Warnings();
    const t = await startTestApp('postgres', {}, { logger: warnings });
    try {
      expect(warnings.seen.filter((w) => /access log .* belongs to this service's own database role/.test(w))).toHaveLength(1);
    } finally {
      await t.close();
    }
  }, 120_000);
});
