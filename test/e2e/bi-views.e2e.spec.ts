import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PgSqlClient, quoteIdent } from '@ledger/event-store';
import { REPORTING_VIEWS } from '@ledger/projections';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { ReportingRefresher } from '../../apps/api/src/reporting/reporting-refresher';
import { startTestApp, type TestApp } from '../support/app';
import { type Client, asProgrammeManager, signedInAs } from '../support/signed-in';
import { testEnv } from '../support/test-env';
import { must } from '@ledger/domain';

/** infra/postgres/reporting-role.sql with its psql variables filled in, as `psql -v` would. */
function reportingRoleSql(variables: { role: string; password: string; reporting_schema: string; DBNAME: string }): string {
  const text = readFileSync(path.join(__dirname, '../../infra/postgres/reporting-role.sql'), 'utf8');
  return text
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .replace(/:"(\w+)"/g, (_m, name: keyof typeof variables) => quoteIdent(variables[name]))
    .replace(/:'(\w+)'/g, (_m, name: keyof typeof variables) => `'${variables[name].replace(/'/g, "''")}'`);
}

/**
 * Issue 19.4: the BI feeds on PostgreSQL. The reporting views answer the same figures as the API
 * for a seeded borough, and the read-only role made by infra/postgres/reporting-role.sql reads
 * them and nothing else.
 */
const onPostgres = testEnv.postgresUrl ? describe : describe.skip;
onPostgres('the reporting views and the read-only BI role (PostgreSQL; skipped without LEDGER_TEST_POSTGRES_URL)', () => {
  let t: TestApp;
  let admin: PgSqlClient;
  let reporting: string;
  let fo: Client;
  let claim: { claimId: string; totalPence: number; families: { familyId: string; amountPence: number }[] };
  const role = `ledger_bi_test_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    t = await startTestApp('postgres', { LEDGER_DEMO_FAMILIES: '30', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
    await t.app.get(DemoSeeder).seedIfEmpty();
    fo = await signedInAs(t, 'finance-officer');
    claim = (await fo.post('/api/claims').send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201)).body;
    reporting = `${t.stores.schema}_reporting`;
    admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 2 });
  }, 240_000);
  afterAll(async () => {
    await admin.query(`drop owned by ${quoteIdent(role)}`).catch(() => undefined);
    await admin.query(`drop role if exists ${quoteIdent(role)}`);
    await admin.close();
    await t.close();
  });

  it('has every view, with the families the API lists', async () => {
    const views = await admin.query<{ table_name: string }>(`select table_name from information_schema.views where table_schema = $1 order by table_name`, [reporting]);
    expect(views.map((v) => v.table_name)).toEqual([...REPORTING_VIEWS].sort());

    const listed = (await asProgrammeManager(t).get('/api/families').query({ limit: 1000 }).expect(200)).body.families as Record<string, unknown>[];
    const rows = await admin.query<Record<string, unknown>>(
      `select family_id::text, reference, status, attached_on::text, keyworker_ref, problems_at_entry from ${quoteIdent(reporting)}.families order by family_id`,
    );
    expect(rows.length).toBe(listed.length);
    expect(rows.length).toBeGreaterThan(0);
    // Keyworkers appear as a pseudonymous reference: the first 16 hex digits of the SHA-256 of the username.
    const ref = (username: unknown) => (typeof username === 'string' ? createHash('sha256').update(username, 'utf8').digest('hex').slice(0, 16) : null);
    const api = listed
      .map((f) => [f.familyId, f.reference, f.status, f.attachedOn, ref(f.keyworker), [...(f.problemsAtEntry as string[])].sort()])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(rows.map((r) => [r.family_id, r.reference, r.status, r.attached_on, r.keyworker_ref, [...(r.problems_at_entry as string[])].sort()])).toEqual(api);
    expect(rows.some((r) => r.keyworker_ref !== null)).toBe(true);
  });

  it('answers results per family and month end as the dashboards and /progress do', async () => {
    const { rows } = await t.app.get(ReportingRefresher).refresh();
    expect(rows).toBeGreaterThan(0);
    const series = (await asProgrammeManager(t).get('/api/dashboards/results').query({ from: '2016-04-01', to: '2019-03-31' }).expect(200)).body.byMonth as {
      asOf: string;
      families: number;
      sustainedProgress: number;
      continuousEmployment: number;
    }[];
    const counts = await admin.query<{ as_of: string; families: string; sp: string; ce: string }>(
      `select as_of::text, count(*)::text as families, count(*) filter (where sustained_progress)::text as sp, count(*) filter (where continuous_employment)::text as ce
         from ${quoteIdent(reporting)}.results where as_of between '2016-04-01' and '2019-03-31' group by as_of`,
    );
    const byMonth = new Map(counts.map((c) => [c.as_of, [Number(c.families), Number(c.sp), Number(c.ce)]]));
    expect(series.some((p) => p.families > 0)).toBe(true);
    for (const point of series) expect([point.asOf, ...(byMonth.get(point.asOf) ?? [0, 0, 0])]).toEqual([point.asOf, point.families, point.sustainedProgress, point.continuousEmployment]);

    const one = must(
      (
        await admin.query<{ family_id: string; as_of: string; sustained_progress: boolean; continuous_employment: boolean }>(
          `select family_id::text, as_of::text, sustained_progress, continuous_employment from ${quoteIdent(reporting)}.results order by as_of, family_id limit 1`,
        )
      )[0],
      'a result',
    );
    const progress = (await asProgrammeManager(t).get(`/api/families/${one.family_id}/progress`).query({ asOf: one.as_of }).expect(200)).body;
    expect([progress.claimable, progress.routes.sustainedProgress, progress.routes.continuousEmployment]).toEqual([true, one.sustained_progress, one.continuous_employment]);
  });

  it('answers the claim, its lines and the ledger balances as the API does', async () => {
    const [row] = await admin.query<{ families: number; drafted_pence: string }>(`select families, drafted_pence::text from ${quoteIdent(reporting)}.claims where claim_id = $1`, [claim.claimId]);
    expect({ families: Number(row?.families), drafted: Number(row?.drafted_pence) }).toEqual({ families: claim.families.length, drafted: claim.totalPence });
    const lines = await admin.query<{ family_id: string; amount_pence: string }>(
      `select family_id::text, amount_pence::text from ${quoteIdent(reporting)}.claim_lines where claim_id = $1 order by family_id`,
      [claim.claimId],
    );
    expect(lines.map((l) => [l.family_id, Number(l.amount_pence)])).toEqual(claim.families.map((f) => [f.familyId, f.amountPence]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));

    // Balances at the end of financial year 2018/19: the API's as of 31 March 2019.
    const balances = (await fo.get('/api/ledger/balances').query({ asOf: '2019-03-31' }).expect(200)).body.accounts as { account: string; balancePence: number }[];
    const fromView = await admin.query<{ account: string; balance_pence: string }>(
      `select distinct on (account) account, balance_pence::text from ${quoteIdent(reporting)}.ledger_balances where financial_year <= '2018/19' order by account, financial_year desc`,
    );
    const viewBalances = new Map(fromView.map((b) => [b.account, Number(b.balance_pence)]));
    expect(balances.some((b) => b.balancePence !== 0)).toBe(true);
    for (const b of balances) expect([b.account, viewBalances.get(b.account) ?? 0]).toEqual([b.account, b.balancePence]);

    const entries = (await fo.get('/api/ledger/entries').query({ from: '2015-01-01', to: '2019-04-20' }).expect(200)).body.entries as { lines: unknown[] }[];
    const [count] = await admin.query<{ n: string }>(`select count(*)::text as n from ${quoteIdent(reporting)}.ledger_lines where on_date between '2015-01-01' and '2019-04-20'`);
    expect(Number(count?.n)).toBe(entries.reduce((n, e) => n + e.lines.length, 0));
  });

  it('lets the role made by infra/postgres/reporting-role.sql read the views, and nothing else', async () => {
    const url = new URL(testEnv.postgresUrl as string);
    await admin.query(reportingRoleSql({ role, password: randomBytes(12).toString('hex'), reporting_schema: reporting, DBNAME: url.pathname.slice(1) }));
    url.username = role;
    url.password = '';
    const bi = new PgSqlClient({ connectionString: url.toString(), max: 1 });
    try {
      for (const view of REPORTING_VIEWS) await expect(bi.query(`select count(*) from ${quoteIdent(reporting)}.${quoteIdent(view)}`)).resolves.toHaveLength(1);
      const refused = async (sql: string) => expect(bi.query(sql)).rejects.toThrow(/permission denied|read-only transaction|cannot/);
      await refused(`insert into ${quoteIdent(reporting)}.claim_lines (claim_id, family_id, amount_pence) values (gen_random_uuid(), gen_random_uuid(), 1)`);
      await refused(`delete from ${quoteIdent(reporting)}.families`);
      await refused(`create table ${quoteIdent(reporting)}.mine (x int)`);
      await refused(`select count(*) from ${quoteIdent(t.stores.schema as string)}.events`);
      await refused(`select count(*) from ${quoteIdent(t.stores.schema as string)}.person_keys`);
      await refused(`select count(*) from ${quoteIdent(t.stores.readModelSchema as string)}.family_facts_v1`);
    } finally {
      await bi.close();
    }
  });
});
