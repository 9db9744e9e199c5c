import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDeclarations } from '@ledger/config';
import { SQL_CLIENT, type SqlClient } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionRunner, programmeDashboardStatement } from '@ledger/projections';
import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { signedInTeam, TEAM_ENV } from '../support/team';
import { testEnv } from '../support/test-env';

/** Rows a query plan (`explain (analyze, format json)`) read from one table, over every loop. */
function rowsRead(plan: unknown, table: string): number {
  let read = 0;
  const visit = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === table) {
      const n = (key: string) => Number(node[key] ?? 0);
      read += (n('Actual Rows') + n('Rows Removed by Filter') + n('Rows Removed by Index Recheck')) * n('Actual Loops');
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  const parsed = typeof plan === 'string' ? JSON.parse(plan) : plan;
  for (const root of parsed as { Plan: Record<string, unknown> }[]) visit(root.Plan);
  return read;
}

const root = join(__dirname, '..', '..');

/**
 * The finance officer's claim cycle over HTTP, signed in, on the demo borough: draft, audit
 * sample, findings, two sign-offs by two people, submission, payment, recovery, and the report in
 * three formats. Every refusal on the way is checked.
 */
describe.each(storeKinds)('the claim cycle on %s', (kind) => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof signedInTeam>>['api'];
  let as: Awaited<ReturnType<typeof signedInTeam>>['as'];
  // The claim is submitted in April 2019, paid in June and a family recovered in September; the
  // finance officer records it all in December 2019, each step with its own date.
  beforeAll(async () => {
    t = await startTestApp(kind, { ...TEAM_ENV, LEDGER_JWT_SECRET: 'k'.repeat(40), LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2019-12-20T10:00:00Z') } });
    await t.app.get(DemoSeeder).seedIfEmpty();
    ({ api, as } = await signedInTeam(t));
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  it('takes a claim from draft to payment and recovery, refusing each step out of turn', async () => {
    await api().post('/api/claims').send({ asOf: '2019-01-31' }).expect(401);
    await api().post('/api/claims').set(as('audit.au')).send({ asOf: '2019-01-31' }).expect(403);
    const draft = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2019-01-31', windowId: '2018-19-w2', draftedOn: '2019-02-01' });
    expect({ status: draft.status, reason: draft.body.reason, message: draft.body.message }).toMatchObject({ status: 201 });
    const claimId: string = draft.body.claimId;
    const families: { familyId: string; amountPence: number; evidenceEventIds: string[] }[] = draft.body.families;
    expect(families.length).toBeGreaterThan(3);
    expect(draft.body).toMatchObject({ status: 'draft', totalPence: families.length * 80_000 });
    expect(families.every((f) => f.evidenceEventIds.length > 0)).toBe(true);
    const results = await api().get('/api/results').set(as('pm.lead')).query({ asOf: '2019-01-31' }).expect(200);
    expect(families.map((f) => f.familyId).sort()).toEqual(results.body.families.map((f: { familyId: string }) => f.familyId).sort());
    // The draft's answer (folded from the events it recorded) is the claim as it is read back, ETag included.
    const read = await api().get(`/api/claims/${claimId}`).set(as('finance.fo')).expect(200);
    expect(draft.body).toEqual(read.body);
    expect(draft.headers.etag).toBe(read.headers.etag);

    expect((await api().post(`/api/claims/${claimId}/submission`).set(as('finance.fo')).expect(422)).body.reason).toBe('NotSignedOff');
    expect((await api().post(`/api/claims/${claimId}/sign-offs`).set(as('pm.lead')).send({ role: 'programme-lead' }).expect(422)).body.reason).toBe('NoAuditSample');

    const sample = await api().post(`/api/claims/${claimId}/audit-sample`).set(as('audit.au')).send({ seed: 42, sampledOn: '2019-02-10' }).expect(201);
    const again = await api().post(`/api/claims/${claimId}/audit-sample`).set(as('audit.au')).send({ seed: 42, sampledOn: '2019-02-10' }).expect(201);
    expect(again.body.familyIds).toEqual(sample.body.familyIds);
    const sampled: string[] = sample.body.familyIds;
    expect(sampled.length).toBe(Math.min(families.length, Math.max(5, Math.ceil(families.length / 10))));

    expect((await api().post(`/api/claims/${claimId}/sign-offs`).set(as('pm.lead')).send({ role: 'programme-lead' }).expect(422)).body.reason).toBe('FindingsOutstanding');
    for (const [i, familyId] of sampled.entries()) {
      await api()
        .post(`/api/claims/${claimId}/audit-findings`)
        .set(as('audit.au'))
        .send({ familyId, valid: i !== 0, note: i === 0 ? 'attendance evidence missing' : 'evidence checked', foundOn: '2019-03-01' })
        .expect(201);
    }
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('audit.au')).send({ role: 'programme-lead' }).expect(403);
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('pm.lead')).send({ role: 'programme-lead', signedOn: '2019-04-15' }).expect(201);
    await api().post(`/api/claims/${claimId}/payments`).set(as('finance.fo')).send({ receivedOn: '2019-05-01', amountPence: 100 }).expect(422);
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('audit.au')).send({ role: 'head-of-audit', signedOn: '2019-04-16' }).expect(201);
    await api().post(`/api/claims/${claimId}/submission`).set(as('finance.fo')).send({ submittedOn: '2019-04-20' }).expect(201);

    const submitted = await api().get(`/api/claims/${claimId}`).set(as('finance.fo')).expect(200);
    const expected = (families.length - 1) * 80_000;
    expect(submitted.body).toMatchObject({ status: 'submitted', totalPence: expected });

    // One result per family: a later claim takes none of the submitted families again, nor the
    // family the audit found invalid (no evidence about it was recorded since the finding).
    const second = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(422);
    expect(second.body.reason).toBe('NothingToClaim');

    await api()
      .post(`/api/claims/${claimId}/payments`)
      .set(as('finance.fo'))
      .send({ receivedOn: '2019-06-14', amountPence: expected - 80_000 })
      .expect(201);
    const outsider = families.find((f) => f.familyId === sampled[0])?.familyId ?? '';
    const kept = families.find((f) => !sampled.includes(f.familyId) || f.familyId !== sampled[0]);
    const spotCheck = await api()
      .post('/api/spot-checks')
      .set(as('finance.fo'))
      .send({ checkedOn: '2019-08-15', families: [{ familyId: kept?.familyId, eligible: true, wholeFamilyWorking: true, resultEvidenced: false }] })
      .expect(201);
    const spotCheckId: string = spotCheck.body.spotCheckId;
    expect(
      (await api().post(`/api/claims/${claimId}/recoveries`).set(as('finance.fo')).send({ familyId: outsider, reason: 'spot check', on: '2019-09-01', spotCheckId }).expect(422)).body.reason,
    ).toBe('FamilyNotInClaim');
    await api().post(`/api/claims/${claimId}/recoveries`).set(as('finance.fo')).send({ familyId: kept?.familyId, reason: 'spot check found no result', on: '2019-09-01', spotCheckId }).expect(201);
    const paid = await api().get(`/api/claims/${claimId}`).set(as('finance.fo')).expect(200);
    expect(paid.body.status).toBe('paid');
    expect(paid.body.payment).toMatchObject({ amountPence: expected - 80_000, differencePence: -80_000 });
    // Issue 20.4: the recovery with its business date (not its free-text reason), and the declarations the signatories make.
    expect(paid.body.recoveries).toEqual([{ familyId: kept?.familyId, on: '2019-09-01', amountPence: 80_000 }]);
    expect(paid.body.declarations).toEqual([
      { role: 'programme-lead', text: defaultDeclarations.programmeLead },
      { role: 'head-of-audit', text: defaultDeclarations.headOfAudit },
    ]);

    // The ledger: balanced, and agreeing with the claim to the penny.
    const balances = await api().get('/api/ledger/balances').query({ asOf: '2019-12-31' }).set(as('finance.fo')).expect(200);
    const balance = (account: string) => balances.body.accounts.find((a: { account: string }) => a.account === account).balancePence as number;
    expect(balances.body.accounts.reduce((sum: number, a: { balancePence: number }) => sum + a.balancePence, 0)).toBe(0);
    expect(balance('income:results')).toBe(-(expected - 80_000));
    expect(balance('results-receivable')).toBe(0);
    expect(balance('recoveries-payable')).toBe(-80_000);
    expect(balance('income:payment-differences')).toBe(80_000);
    // The programme dashboard's funnel and money, from the same ledger: claimed once submitted, paid once the payment came.
    const dashboard = async (asOf: string) => {
      const figures: { name: string; rows: Record<string, number>[] }[] = (await api().get('/api/dashboards/programme').set(as('pm.lead')).query({ asOf }).expect(200)).body.figures;
      const total = (figure: string, key: string) => (figures.find((f) => f.name === figure)?.rows ?? []).reduce((sum, r) => sum + (r[key] ?? 0), 0);
      return { claimed: total('funnel', 'claimed'), paid: total('funnel', 'paid'), resultsPence: total('money', 'resultsClaimedPence'), receivedPence: total('money', 'receivedPence') };
    };
    expect(await dashboard('2019-04-19')).toMatchObject({ claimed: 0, paid: 0, resultsPence: 0 });
    expect(await dashboard('2019-05-01')).toMatchObject({ claimed: families.length - 1, paid: 0, resultsPence: expected, receivedPence: 0 });
    expect(await dashboard('2019-12-31')).toEqual({ claimed: families.length - 1, paid: families.length - 1, resultsPence: expected - 80_000, receivedPence: expected - 80_000 });
    // However many families a claim holds, the dashboard's statement reads the ledger a few times
    // over, not once more for each family claimed (it did: when each claim was paid was looked up
    // once a family, reading every line each time, minutes at 40,000 families with one claim).
    const sql = t.app.get<SqlClient>(SQL_CLIENT);
    const runner = t.app.get<ProjectionRunner>(PROJECTION_RUNNER);
    const tables = {
      summary: await runner.liveTable('family-read-models', 'family_summary'),
      results: await runner.liveTable('family-read-models', 'family_results'),
      problemResults: await runner.liveTable('family-read-models', 'family_problem_results'),
      ledger: await runner.liveTable('ledger', 'ledger_lines'),
    };
    const statement = programmeDashboardStatement(tables, { asOf: '2019-12-31' });
    const [explained] = await sql.query<Record<string, unknown>>(`explain (analyze, format json) ${statement.text}`, statement.params);
    const ledgerRowsRead = rowsRead(Object.values(explained ?? {})[0], tables.ledger.split('.').pop()?.replace(/"/g, '') ?? '');
    const [counted] = await sql.query<{ lines: string }>(`select count(*)::text as lines from ${tables.ledger}`);
    const lines = Number(counted?.lines);
    expect(ledgerRowsRead).toBeGreaterThan(0);
    expect(ledgerRowsRead).toBeLessThanOrEqual(3 * lines);
    const attached = (await api().get('/api/families').set(as('pm.lead')).query({ limit: 1000 }).expect(200)).body.families.filter(
      (f: { attachedOn: string | null }) => f.attachedOn && f.attachedOn <= '2019-12-31',
    );
    expect(balance('attachment-fees-receivable')).toBe(attached.length * 100_000);
    const entries = await api().get('/api/ledger/entries').query({ from: '2019-04-01', to: '2019-12-31' }).set(as('finance.fo')).expect(200);
    expect(entries.body.entries.some((e: { claimId: string | null }) => e.claimId === claimId)).toBe(true);

    // Attachment fees against the allocation, and the reconciliation, agree with the ledger.
    await api().post('/api/attachment-fees/receipts').set(as('finance.fo')).send({ receivedOn: '2019-04-10', amountPence: 500_000, financialYear: '2016/17' }).expect(201);
    expect((await api().post('/api/attachment-fees/receipts').set(as('finance.fo')).send({ receivedOn: '2019-04-10', amountPence: 1, financialYear: '2031/32' }).expect(422)).body.reason).toBe(
      'UnknownFinancialYear',
    );
    const fees = await api().get('/api/reports/attachment-fees').query({ asOf: '2019-12-31' }).set(as('finance.fo')).expect(200);
    expect(fees.body.familiesAttached).toBe(attached.length);
    expect(fees.body.totals.receivedPence).toBe(500_000);
    const afterReceipt = await api().get('/api/ledger/balances').query({ asOf: '2019-12-31' }).set(as('finance.fo')).expect(200);
    const receivable = afterReceipt.body.accounts.find((a: { account: string }) => a.account === 'attachment-fees-receivable').balancePence;
    expect(receivable).toBe(fees.body.totals.duePence - fees.body.totals.receivedPence);
    const reconciliation = await api().get('/api/reports/reconciliation').query({ asOf: '2019-12-31' }).set(as('finance.fo')).expect(200);
    expect(reconciliation.body.claims).toEqual([expect.objectContaining({ claimId, claimedPence: expected, paidPence: expected - 80_000, differencePence: -80_000, recoveredPence: 80_000 })]);
    const reconciliationCsv = await api().get('/api/reports/reconciliation.csv').query({ asOf: '2019-12-31' }).set(as('finance.fo')).buffer(true).expect(200);
    expect(reconciliationCsv.text).toContain(`${claimId},2018-19-w2,2019/20,paid`);

    // The report: the same bytes every time, the same figures in every format.
    const csv1 = await api().get(`/api/claims/${claimId}/report.csv`).set(as('finance.fo')).buffer(true).expect(200);
    const csv2 = await api().get(`/api/claims/${claimId}/report.csv`).set(as('finance.fo')).buffer(true).expect(200);
    expect(Buffer.from(csv1.text).equals(Buffer.from(csv2.text))).toBe(true);
    const binary = (path: string) =>
      api()
        .get(path)
        .set(as('finance.fo'))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
    const xlsx1 = (await binary(`/api/claims/${claimId}/report.xlsx`)).body as Buffer;
    const xlsx2 = (await binary(`/api/claims/${claimId}/report.xlsx`)).body as Buffer;
    expect(xlsx1.equals(xlsx2)).toBe(true);
    const pdf = (await binary(`/api/claims/${claimId}/report.pdf`)).body as Buffer;
    const text = (await new PDFParse({ data: new Uint8Array(pdf) }).getText()).text;
    const pounds = `£${(expected / 100).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`;
    expect(text).toContain(pounds);
    expect(csv1.text).toContain(String(expected));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx1 as unknown as ArrayBuffer);
    const cells = workbook.worksheets.flatMap((ws) => ws.getSheetValues().flat().map(String));
    // Amounts are numbers of pounds in the workbook (issue 18.5).
    expect(cells).toContain(String(expected / 100));

    // The cli writes the same bytes as the api (PostgreSQL: the cli is another process on the same store).
    if (kind === 'postgres') {
      execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
      const out = join(mkdtempSync(join(tmpdir(), 'ledger-report-')), 'claim.csv');
      const run = spawnSync(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), 'report', 'claim', claimId, '--format', 'csv', '--out', out], {
        env: { PATH: process.env.PATH, LEDGER_POSTGRES_URL: testEnv.postgresUrl, LEDGER_POSTGRES_SCHEMA: t.stores.description.where, LEDGER_PROJECTIONS: 'external' },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(readFileSync(out).equals(Buffer.from(csv1.text))).toBe(true);
    }
  });
});
