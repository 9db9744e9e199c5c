import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import { defaultDeclarations } from '@ledger/config';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { oneStoreKinds, startTestApp, type TestApp } from '../support/app';
import { api as asPm, dates, identifyBody, recordProblem } from '../support/families-fixture';
import { signedInAs } from '../support/signed-in';
import { signedInTeam, TEAM_ENV } from '../support/team';
import { atIndex, must } from '@ledger/domain';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
const FORMULA = '=HYPERLINK("http://x","y")';
/** The formula as a CSV field written as text: a leading apostrophe, then RFC 4180 quoting. */
const NEUTRALISED = `"'=HYPERLINK(""http://x"",""y"")"`;
const AUDIT_DECLARATION = 'Internal audit declares: the sample was validated (configured text).';

/**
 * The claim reports a finance officer sends (issue 18.4, 18.5), the finance reports as of a date
 * (18.6) and formula-safe CSV everywhere (16.5), over HTTP on the demo borough. The clock moves:
 * the claim is submitted on 2019-04-20, paid and recovered by 2019-10-01.
 */
describe.each(oneStoreKinds)('claim and finance reports on %s', (kind) => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof signedInTeam>>['api'];
  let as: Awaited<ReturnType<typeof signedInTeam>>['as'];
  let now = new Date('2019-04-20T10:00:00Z');
  let claimId = '';
  let removedFamilyId = '';
  const atSubmission: Record<string, Buffer> = {};

  beforeAll(async () => {
    t = await startTestApp(
      kind,
      { ...TEAM_ENV, LEDGER_JWT_SECRET: 'k'.repeat(40), LEDGER_DEMO_FAMILIES: '24', LEDGER_DEMO_SEED: '7', LEDGER_DECLARATION_HEAD_OF_AUDIT: AUDIT_DECLARATION },
      { clock: { now: () => now } },
    );
    await t.app.get(DemoSeeder).seedIfEmpty();
    ({ api, as } = await signedInTeam(t));
    // Seeding the demo borough takes minutes on a busy machine.
  }, 400_000);
  afterAll(async () => {
    await t.close();
  });

  const binary = (path: string, who = 'finance.fo', query: Record<string, string> = {}) =>
    api()
      .get(path)
      .query(query)
      .set(as(who))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const bytes = async (path: string, query: Record<string, string> = {}) => {
    const res = await binary(path, 'finance.fo', query);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body as Buffer;
  };

  it('marks a draft DRAFT, and freezes the report as submitted: payment, recovery and a renamed council leave its bytes unchanged', async () => {
    // The claim window 2018-19-w2 runs through January 2019: the claim is judged as of its last day.
    const draft = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201);
    claimId = draft.body.claimId;
    const families: { familyId: string; reference: string }[] = draft.body.families;

    const draftCsv = (await bytes(`/api/claims/${claimId}/report.csv`)).toString('utf8');
    expect(draftCsv).toContain('claim,Status,DRAFT: not submitted (draft)');
    expect(await pdfText(await bytes(`/api/claims/${claimId}/report.pdf`))).toContain('DRAFT');
    expect((await binary(`/api/claims/${claimId}/position.csv`)).status).toBe(422);
    expect((await api().get(`/api/claims/${claimId}/position.pdf`).set(as('finance.fo')).expect(422)).body.reason).toBe('ClaimNotSubmitted');

    const sampled: string[] = (await api().post(`/api/claims/${claimId}/audit-sample`).set(as('audit.au')).send({ seed: 42 }).expect(201)).body.familyIds;
    removedFamilyId = atIndex(sampled, 0, 'sampled family');
    for (const [i, familyId] of sampled.entries()) {
      await api()
        .post(`/api/claims/${claimId}/audit-findings`)
        .set(as('audit.au'))
        .send({ familyId, valid: i !== 0, note: i === 0 ? 'evidence missing' : 'checked' })
        .expect(201);
    }
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('pm.lead')).send({ role: 'programme-lead' }).expect(201);
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('audit.au')).send({ role: 'head-of-audit' }).expect(201);
    await api().post(`/api/claims/${claimId}/submission`).set(as('finance.fo')).expect(201);
    for (const format of ['csv', 'xlsx', 'pdf']) atSubmission[format] = await bytes(`/api/claims/${claimId}/report.${format}`);

    // Later: paid, a family recovered after a spot check, and the council renamed.
    now = new Date('2019-10-01T10:00:00Z');
    const claimed = (families.length - 1) * 80_000;
    await api()
      .post(`/api/claims/${claimId}/payments`)
      .set(as('finance.fo'))
      .send({ receivedOn: '2019-06-14', amountPence: claimed - 80_000 })
      .expect(201);
    const recovered = families.find((f) => f.familyId !== removedFamilyId) ?? atIndex(families, 0, 'family');
    // Recoveries follow from a government spot check that found the family invalid (DOMAIN.md 5).
    const spotCheck = { checkedOn: '2019-08-20', families: [{ familyId: recovered.familyId, eligible: true, wholeFamilyWorking: true, resultEvidenced: false }] };
    const { spotCheckId } = (await api().post('/api/spot-checks').set(as('finance.fo')).send(spotCheck).expect(201)).body;
    await api().post(`/api/claims/${claimId}/recoveries`).set(as('finance.fo')).send({ familyId: recovered.familyId, reason: 'spot check found no result', on: '2019-09-01', spotCheckId }).expect(201);
    const programme = (await asPm(t).get('/api/programme').expect(200)).body;
    await asPm(t).put('/api/programme').send({ councilName: FORMULA, framework: programme.framework, allocation: programme.allocation }).expect(200);

    for (const format of ['csv', 'xlsx', 'pdf']) {
      const again = await bytes(`/api/claims/${claimId}/report.${format}`);
      expect({ format, identical: again.equals(must(atSubmission[format], format)) }).toEqual({ format, identical: true });
    }

    // The report as submitted is fit to send (issue 18.5).
    const csv = must(atSubmission.csv, 'csv').toString('utf8');
    expect(csv).toContain('claim,Submitted on,2019-04-20');
    expect(csv).toContain('claim,Status,submitted');
    expect(csv).toContain(`claim,Claim reference,${claimId}`);
    expect(csv).toMatch(/sign-off,programme-lead,pm\.lead,2019-04-20/);
    expect(csv).toMatch(/sign-off,head-of-audit,audit\.au,2019-04-20/);
    expect(csv).toContain(`declaration,programme-lead,${csvText(defaultDeclarations.programmeLead)}`);
    expect(csv).toContain(`declaration,head-of-audit,${csvText(AUDIT_DECLARATION)}`);
    const removedReference = families.find((f) => f.familyId === removedFamilyId)?.reference;
    expect(csv.split('\r\n').find((line) => line.startsWith(`family,${removedReference},`))).toMatch(/,sampled: invalid \(removed\),,0,£0\.00$/);
    expect(csv).toMatch(new RegExp(`total,Total claimed,,,,,${families.length - 1},${claimed},`));
    expect(csv).not.toContain('recovered');

    const pdf = await pdfText(must(atSubmission.pdf, 'pdf'));
    expect(pdf).toMatch(/Results claim: .+, claim window 2018-19-w2, as of 2019-01-31/);
    expect(pdf.split('\n')[0]).not.toContain(claimId);
    expect(pdf).toContain('Head of internal audit');
    expect(pdf).toContain(AUDIT_DECLARATION);
    expect(pdf).not.toContain('DRAFT');

    const workbook = await readWorkbook(must(atSubmission.xlsx, 'xlsx'));
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Claim', 'Totals', 'Families', 'Sign-offs', 'Declarations']);
    const sheet = workbook.getWorksheet('Families');
    expect(sheet?.autoFilter).toBe(`A1:D${families.length + 1}`);
    const amount = sheet?.getCell('D2');
    expect(amount?.type).toBe(ExcelJS.ValueType.Number);
    expect(amount?.numFmt).toBe('"£"#,##0.00;-"£"#,##0.00');
    for (const ws of workbook.worksheets) expect(ws.pageSetup).toMatchObject({ paperSize: 9, fitToPage: true, fitToWidth: 1, printTitlesRow: '1:1' });

    // The position: claimed, paid, difference, recovered (issue 18.4).
    const position = (await bytes(`/api/claims/${claimId}/position.csv`)).toString('utf8');
    expect(position).toContain(`position,Claimed as submitted,,2019-04-20,,${families.length - 1},${claimed},`);
    expect(position).toContain(`position,Payment received,,2019-06-14,,,${claimed - 80_000},`);
    expect(position).toContain('position,Difference (received less claimed),,,,,-80000,');
    expect(position).toContain(`position,Recovered: ${recovered.reference},,2019-09-01,,1,80000,£800.00`);
    expect(position).toContain(`total,Net (received less recovered),,,,,${claimed - 160_000},`);
    expect(position).toContain(`claim,Council,${NEUTRALISED},`);
    const positionBook = await readWorkbook(await bytes(`/api/claims/${claimId}/position.xlsx`));
    expect(positionBook.worksheets.map((w) => w.name)).toEqual(['Claim', 'Position', 'Families']);
    expect(await pdfText(await bytes(`/api/claims/${claimId}/position.pdf`))).toMatch(/Payment received\s+2019-06-14\s+£/);
  });

  it('gives the reconciliation and attachment fees as of a date, the same every time, as CSV and XLSX with totals rows', async () => {
    const reconciliation = async (asOf: string) => (await api().get('/api/reports/reconciliation').query({ asOf }).set(as('finance.fo')).expect(200)).body;
    expect((await reconciliation('2019-04-19')).claims).toEqual([]);
    expect((await reconciliation('2019-04-30')).claims).toEqual([expect.objectContaining({ claimId, status: 'submitted', paidPence: 0, recoveredPence: 0 })]);
    expect((await reconciliation('2019-06-30')).claims).toEqual([expect.objectContaining({ claimId, status: 'paid', differencePence: -80_000, recoveredPence: 0 })]);
    const yearEnd = await reconciliation('2020-03-31');
    expect(yearEnd.claims).toEqual([expect.objectContaining({ claimId, financialYear: '2019/20', recoveredPence: 80_000 })]);
    expect(yearEnd.totals).toEqual(expect.objectContaining({ recoveredPence: 80_000, differencePence: -80_000 }));

    const csv = await bytes('/api/reports/reconciliation.csv', { asOf: '2020-03-31' });
    expect(csv.equals(await bytes('/api/reports/reconciliation.csv', { asOf: '2020-03-31' }))).toBe(true);
    const text = csv.toString('utf8');
    expect(text).toContain(`claim,${claimId},2018-19-w2,2019/20,paid`);
    expect(text).toContain(`year-total,,,2019/20,,${yearEnd.totals.families},${yearEnd.totals.claimedPence},`);
    expect(text).toMatch(new RegExp(`\\r\\ntotal,,,,,${yearEnd.totals.families},${yearEnd.totals.claimedPence},${yearEnd.totals.paidPence},-80000,80000\\r\\n$`));
    const book = await readWorkbook(await bytes('/api/reports/reconciliation.xlsx', { asOf: '2020-03-31' }));
    expect(book.worksheets.map((w) => w.name)).toEqual(['About', 'Claims', 'By window', 'By financial year']);
    const claims = book.getWorksheet('Claims');
    expect(claims?.getRow(3).getCell(1).value).toBe('Total');
    expect(claims?.getRow(3).getCell(6).value).toBe(yearEnd.totals.claimedPence / 100);
    expect(claims?.getRow(3).getCell(6).numFmt).toBe('"£"#,##0.00;-"£"#,##0.00');

    await api().post('/api/attachment-fees/receipts').set(as('finance.fo')).send({ receivedOn: '2019-04-10', amountPence: 500_000, financialYear: '2016/17' }).expect(201);
    const fees = async (asOf: string) => (await api().get('/api/reports/attachment-fees').query({ asOf }).set(as('finance.fo')).expect(200)).body;
    const early = await fees('2016-03-31');
    const later = await fees('2019-04-30');
    expect(early.familiesAttached).toBeLessThan(later.familiesAttached);
    expect((await fees('2019-04-09')).totals.receivedPence).toBe(0);
    expect(later.totals.receivedPence).toBe(500_000);
    const attached = (await asPm(t).get('/api/families').query({ limit: 1000 }).expect(200)).body.families.filter((f: { attachedOn: string | null }) => f.attachedOn && f.attachedOn <= '2016-03-31');
    expect(early.familiesAttached).toBe(attached.length);
    const feesCsv = (await bytes('/api/reports/attachment-fees.csv', { asOf: '2019-04-30' })).toString('utf8');
    expect(feesCsv).toMatch(new RegExp(`\\r\\ntotal,,${later.familiesAttached},,,${later.totals.duePence},500000,${later.totals.duePence - 500_000},\\r\\n$`));
    const feesBook = await readWorkbook(await bytes('/api/reports/attachment-fees.xlsx', { asOf: '2019-04-30' }));
    const years = feesBook.getWorksheet('Years');
    const total = years?.getRow(years.rowCount);
    expect(total?.getCell(1).value).toBe('Total');
    expect(total?.getCell(6).value).toBe(5_000);

    expect((await api().get('/api/reports/reconciliation.csv').query({ asOf: '2019-02-30' }).set(as('finance.fo')).expect(400)).body.details).toEqual([expect.objectContaining({ field: 'asOf' })]);
  });

  it('writes a council name or family reference that is a formula as text in every CSV (issue 16.5)', async () => {
    const family = (await asPm(t).post('/api/families').send(identifyBody(FORMULA)).expect(201)).body;
    const [parent, child] = family.members as [{ memberId: string }, { memberId: string }];
    let fixture = { familyId: family.familyId, reference: FORMULA, parentId: parent.memberId, childId: child.memberId, version: family.version };
    fixture = await recordProblem(t, fixture, 'education', fixture.childId);
    await recordProblem(t, fixture, 'crime-asb', fixture.parentId);
    const analyst = await signedInAs(t, 'analyst');

    // A second claim, a draft, in the last window of 2019/20: its report carries the renamed council.
    now = new Date('2020-02-10T10:00:00Z');
    const second = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2020-01-31', windowId: '2019-20-w2' });
    expect({ status: second.status, reason: second.body.reason }).toEqual({ status: 201, reason: undefined });
    const csvs: Record<string, string> = {
      'claim report': (await bytes(`/api/claims/${second.body.claimId}/report.csv`)).toString('utf8'),
      position: (await bytes(`/api/claims/${claimId}/position.csv`)).toString('utf8'),
      reconciliation: (await bytes('/api/reports/reconciliation.csv', { asOf: '2020-03-31' })).toString('utf8'),
      'attachment fees': (await bytes('/api/reports/attachment-fees.csv', { asOf: '2020-03-31' })).toString('utf8'),
      outcomes: (await asPm(t).get('/api/reports/outcomes.csv').query({ asOf: '2019-03-31' }).buffer(true).expect(200)).text,
      'ONS export': (await analyst.get('/api/exports/ons-evaluation.csv').query({ from: dates.identifiedOn, to: '2016-12-31' }).buffer(true).expect(200)).text,
    };
    for (const [name, text] of Object.entries(csvs)) {
      expect({ name, neutralised: text.includes(NEUTRALISED) }).toEqual({ name, neutralised: true });
      // No field anywhere starts with a formula character (a quoted field starts after its quote).
      expect({
        name,
        live: text
          .split(/\r\n/)
          .flatMap((line) => line.split(','))
          .filter((field) => /^"?[=+@]/.test(field)),
      }).toEqual({ name, live: [] });
    }
  });

  it('lets the cli write the finance reports while the service holds the store, through its API, then from the store once it has stopped', async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    const dir = mkdtempSync(join(tmpdir(), 'ledger-cli-report-'));
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const store = kind === 'pglite' ? { LEDGER_DATA_DIR: t.stores.description.where } : { LEDGER_POSTGRES_URL: t.config.postgresUrl ?? '', LEDGER_POSTGRES_SCHEMA: t.stores.description.where };
    const token = as('finance.fo').Authorization.slice('Bearer '.length);
    // The cli runs with the service's configuration (the declarations are configuration).
    const cli = (args: string[], env: Record<string, string> = {}) =>
      run(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), 'report', ...args], {
        env: { PATH: process.env.PATH ?? '', ...store, LEDGER_PROJECTIONS: 'external', LEDGER_DECLARATION_HEAD_OF_AUDIT: AUDIT_DECLARATION, ...env },
        encoding: 'utf8',
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    try {
      const viaService = { LEDGER_API_URL: `http://127.0.0.1:${port}`, LEDGER_API_TOKEN: token };
      const outputs: [string, string, string][] = [
        ['reconciliation', 'csv', '/api/reports/reconciliation.csv'],
        ['reconciliation', 'xlsx', '/api/reports/reconciliation.xlsx'],
        ['attachment-fees', 'csv', '/api/reports/attachment-fees.csv'],
        ['attachment-fees', 'xlsx', '/api/reports/attachment-fees.xlsx'],
      ];
      const expected = new Map<string, Buffer>();
      for (const [report, format, path] of outputs) expected.set(`${report}.${format}`, await bytes(path, { asOf: '2020-03-31' }));

      if (kind === 'pglite') {
        // The service holds the embedded store's lock: without a token the cli says what it needs.
        const refused = await cli(['reconciliation', '--as-of', '2020-03-31', '--format', 'csv', '--out', join(dir, 'x.csv')], { LEDGER_API_URL: viaService.LEDGER_API_URL });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/LEDGER_API_TOKEN/);
      }
      for (const [report, format] of outputs) {
        const out = join(dir, `api-${report}.${format}`);
        const res = await cli([report, '--as-of', '2020-03-31', '--format', format, '--out', out, ...(kind === 'pglite' ? [] : ['--via-api'])], viaService);
        expect({ report, format, code: res.code, stderr: res.stderr.replace(/^the embedded store is open in the running service.*\n/, '') }).toEqual({ report, format, code: 0, stderr: '' });
        expect({ report, format, same: readFileSync(out).equals(expected.get(`${report}.${format}`) ?? Buffer.alloc(0)) }).toEqual({ report, format, same: true });
      }
      const claimOut = join(dir, 'claim.pdf');
      expect((await cli(['claim', claimId, '--format', 'pdf', '--out', claimOut, '--via-api'], viaService)).code).toBe(0);
      expect(readFileSync(claimOut).equals(must(atSubmission.pdf, 'pdf'))).toBe(true);

      // Once the service has stopped, the cli opens the store itself and writes the same bytes.
      await t.stop();
      for (const [report, format] of [atIndex(outputs, 0), atIndex(outputs, 3)]) {
        const out = join(dir, `store-${report}.${format}`);
        const res = await cli([report, '--as-of', '2020-03-31', '--format', format, '--out', out]);
        expect({ report, format, code: res.code, stderr: res.stderr }).toEqual({ report, format, code: 0, stderr: '' });
        expect({ report, format, same: readFileSync(out).equals(expected.get(`${report}.${format}`) ?? Buffer.alloc(0)) }).toEqual({ report, format, same: true });
      }
      const frozen = join(dir, 'claim.csv');
      expect((await cli(['claim', claimId, '--format', 'csv', '--out', frozen])).code).toBe(0);
      expect(readFileSync(frozen).equals(must(atSubmission.csv, 'csv'))).toBe(true);
      const bad = await cli(['reconciliation', '--as-of', '2020-13-01', '--format', 'csv', '--out', join(dir, 'y.csv')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--as-of must be a calendar date/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

/** Text as the CSV writer quotes it when it holds a comma or quote. */
function csvText(text: string): string {
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}` : text;
}

async function readWorkbook(xlsx: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(xlsx).buffer);
  return workbook;
}

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}
