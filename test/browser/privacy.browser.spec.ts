/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import request from 'supertest';
import type { TestApp } from '../support/app';
import { startDemoBorough } from '../support/demo-borough';
import { DEMO_PASSWORD, expectAccessible, screenshot } from '../support/browser';
import { asAdmin, asProgrammeManager } from '../support/signed-in';
import { describeWhen, testEnv } from '../support/test-env';
import { must } from '@ledger/domain';

const root = resolve(__dirname, '..', '..');
const TODAY = '2019-04-20';
const CONTACT = 'Data Protection Officer, Synthetic Borough Council, dpo@synthetic-borough.example';

/**
 * Issue 23.1, 23.3 and 23.4 in the web app: the admin's partners page (register, agreement,
 * revocation), an objection recorded through its request, an ONS transfer's destruction confirmed
 * and the opt-outs after it (admins and analysts).
 *
 * Issue 23.6: the privacy notice is a page of the web app, public (no sign-in), drawn from the
 * configuration through `GET /api/privacy-notice`: the configured contact and a partner's
 * agreement in force show on it, signed out, reached from the sign-in page; a signed-in user
 * finds it in the footer. Debian's Chromium through playwright-core, axe-core on the page.
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('the privacy notice in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    t = await startDemoBorough({ today: TODAY, families: '10', users: true, env: { LEDGER_PRIVACY_CONTACT: CONTACT } });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: testEnv.chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    // The demo borough registers its partners (issue 23.1); one more agreement in force today, and one that has ended.
    const admin = asAdmin(t);
    await admin.post('/api/partners').send({ organisation: 'police', name: 'Synthetic Borough Police', kind: 'police' }).expect(409);
    await admin
      .post('/api/partners/police/agreements')
      .send({ reference: 'ISA-POLICE-2019', startsOn: '2019-04-01', endsOn: '2020-03-31', gateways: ['cda-1998-s115'], shares: ['crime'], receives: [] })
      .expect(201);
    await admin
      .post('/api/partners/school/agreements')
      .send({ reference: 'ISA-SCHOOL-2018', startsOn: '2018-04-01', endsOn: '2019-03-31', gateways: ['children-act-2004'], shares: ['education'], receives: [] })
      .expect(201);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(username: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London', acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/sign-in`);
    await page.waitForSelector('#username');
    await page.fill('#username', username);
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForSelector('.app-header__user', { timeout: 30_000 });
    return { page, errors, close: () => context.close() };
  }

  async function noticeShown(page: Page): Promise<string> {
    await page.waitForSelector('h1:has-text("How are we using your information?")', { timeout: 30_000 });
    return (await page.textContent('main')) ?? '';
  }

  it('shows, signed out, the configured contact and the agreements in force (not those ended), reached from the sign-in page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      // Straight to the address: no sign-in asked for.
      await page.goto(`${base}/privacy-notice`);
      const text = await noticeShown(page);
      expect(new URL(page.url()).pathname).toBe('/privacy-notice');
      expect(await page.locator('#username').count()).toBe(0);
      expect(await page.textContent('[data-testid="privacy-contact"]')).toBe(CONTACT);
      const row = page.locator('table.govuk-table tbody tr', { hasText: 'ISA-POLICE-2019' });
      expect(await row.count()).toBe(1);
      expect(await row.textContent()).toContain('Synthetic Borough Police');
      expect(await row.textContent()).toContain('Crime and Disorder Act 1998, section 115');
      expect(await row.textContent()).toContain('2020-03-31');
      expect(text).not.toContain('ISA-SCHOOL-2018');
      // The page says what the API says: every section of the notice, every gateway of the register.
      const notice = (await (await context.request.get(`${base}/api/privacy-notice`)).json()) as { sections: { heading: string; text: string }[]; legalGateways: string[] };
      for (const s of notice.sections) {
        expect(text).toContain(s.heading);
        expect(text).toContain(s.text);
      }
      for (const g of notice.legalGateways) expect(text).toContain(g);
      await expectAccessible(page, 'privacy notice, signed out');
      await screenshot(page, 'privacy-notice');

      // From the sign-in page, by its link.
      await page.goto(`${base}/sign-in`);
      await page.waitForSelector('#username');
      await page.click('main a:has-text("How are we using your information?")');
      await noticeShown(page);
      expect(new URL(page.url()).pathname).toBe('/privacy-notice');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('is in the footer for a signed-in user, and stays open to them', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    await context.close();
    const { page, close } = await signedIn('demo.pm');
    try {
      await page.click('footer a:has-text("privacy notice")');
      await noticeShown(page);
      expect(new URL(page.url()).pathname).toBe('/privacy-notice');
      expect(await page.textContent('[data-testid="privacy-contact"]')).toBe(CONTACT);
      // A reload keeps the page (the guard does not send a signed-in user home from it).
      await page.reload();
      await noticeShown(page);
      expect(new URL(page.url()).pathname).toBe('/privacy-notice');
    } finally {
      await close();
    }
  }, 120_000);

  it('gives the admin the data subject requests: record one with its receipt date, due dates and the overdue flag, the JSON and PDF answers', async () => {
    const pm = asProgrammeManager(t);
    const family = await pm
      .post('/api/families')
      .send({ reference: 'DSR-FAMILY', identifiedOn: '2019-01-10', members: [{ relationship: 'parent', givenName: 'Orla', familyName: 'Subject', dateOfBirth: '1980-06-07' }] })
      .expect(201);
    const memberId = family.body.members[0].memberId as string;
    // One received long ago, through the API: overdue today.
    await asAdmin(t).post('/api/data-subject-requests').send({ memberId, kind: 'objection', reference: 'DSR-OLD-1', receivedOn: '2019-03-01' }).expect(201);
    const { page, errors, close } = await signedIn('demo.admin');
    try {
      await page.click('nav a:has-text("Data subject requests")');
      await page.waitForSelector('h1:has-text("Data subject requests")');
      const old = page.locator('tr[data-request="DSR-OLD-1"]');
      await old.waitFor();
      expect(await old.textContent()).toContain('2019-04-01');
      expect(await old.textContent()).toContain('Overdue');
      // Bad input: the page says which field, nothing recorded.
      await page.click('button:has-text("Record the request")');
      await page.waitForSelector('[data-testid="error-summary"]');
      expect(await page.textContent('[data-testid="error-summary"]')).toContain('Enter the person’s id');
      await page.fill('#f-memberId', memberId);
      await page.check('input[value="access"]');
      await page.fill('#f-reference', 'DSR-2019-044');
      await page.fill('#f-receivedOn-day', '15');
      await page.fill('#f-receivedOn-month', '4');
      await page.fill('#f-receivedOn-year', '2019');
      await page.click('button:has-text("Record the request")');
      await page.waitForSelector('[data-testid="request-recorded"]');
      const row = page.locator('tr[data-request="DSR-2019-044"]');
      await row.waitFor();
      expect(await row.textContent()).toContain('2019-05-15');
      expect(await row.textContent()).toContain('Open');
      const listed = (await asAdmin(t).get('/api/data-subject-requests').expect(200)).body.requests as { reference: string; memberId: string; status: string }[];
      expect(listed.filter((r) => r.reference === 'DSR-2019-044')).toEqual([expect.objectContaining({ memberId, status: 'open' })]);
      await expectAccessible(page, 'data subject requests');
      await screenshot(page, 'data-subject-requests');

      const [json] = await Promise.all([page.waitForEvent('download'), row.locator('button:has-text("Download JSON")').click()]);
      const answer = JSON.parse(readFileSync((await json.path()) as string, 'utf8')) as Record<string, unknown>;
      expect(JSON.stringify(answer)).toContain('Orla');
      expect(JSON.stringify(answer)).toContain('DSR-2019-044');
      const [pdf] = await Promise.all([page.waitForEvent('download'), row.locator('button:has-text("Download PDF")').click()]);
      expect(pdf.suggestedFilename()).toBe('subject-access-DSR-2019-044.pdf');
      expect(
        readFileSync((await pdf.path()) as string)
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('gives the admin the retention report: what is due, why, and what a legal hold keeps', async () => {
    const pm = asProgrammeManager(t);
    const held = (
      await pm
        .post('/api/families')
        .send({ reference: 'HELD-FAMILY', identifiedOn: '2019-01-11', members: [{ relationship: 'parent', givenName: 'Hal', familyName: 'Held', dateOfBirth: '1979-01-02' }] })
        .expect(201)
    ).body.familyId as string;
    await asAdmin(t).post(`/api/families/${held}/legal-holds`).send({ kind: 'spot-check', reference: 'SC-2019-04', placedOn: '2019-04-19' }).expect(201);
    const asOf = '2040-01-01';
    const api = (await asAdmin(t).get('/api/privacy/retention').query({ asOf }).expect(200)).body as { due: { reference: string; reason: string }[]; held: { reference: string }[] };
    expect(api.due.length).toBeGreaterThan(0);
    const { page, errors, close } = await signedIn('demo.admin');
    try {
      await page.click('nav a:has-text("Retention")');
      await page.waitForSelector('h1:has-text("Retention report")');
      await page.waitForSelector('[data-testid="retention-periods"]');
      await page.fill('#f-asOf-day', '1');
      await page.fill('#f-asOf-month', '1');
      await page.fill('#f-asOf-year', '2040');
      await page.click('button:has-text("Show the report")');
      await page.waitForSelector('[data-testid="retention-periods"]:has-text("As of 2040-01-01")');
      expect(await page.locator('[data-testid="retention-due"] tbody tr').count()).toBe(api.due.length);
      const dueText = (await page.textContent('[data-testid="retention-due"]')) ?? '';
      for (const f of api.due) {
        expect(dueText).toContain(f.reference);
        expect(dueText).toContain(f.reason);
      }
      const heldRow = page.locator('[data-testid="retention-held"] tbody tr', { hasText: 'HELD-FAMILY' });
      expect(await heldRow.count()).toBe(1);
      expect(await heldRow.textContent()).toContain('SC-2019-04');
      expect(dueText).not.toContain('HELD-FAMILY');
      expect(new URL(page.url()).searchParams.get('asOf')).toBe(asOf);
      await expectAccessible(page, 'retention report');
      await screenshot(page, 'retention-report');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('gives the admin the partners page: registers a partner and its agreement, shows it in force, revokes it', async () => {
    const { page, errors, close } = await signedIn('demo.admin');
    try {
      await page.click('nav a:has-text("Partners")');
      await page.waitForSelector('h1:has-text("Partner organisations")');
      // The demo borough's partners, each under an agreement in force (issue 23.1).
      const demoPolice = page.locator('[data-partner="police"] tr[data-agreement="ISA-DEMO-POLICE"]');
      await demoPolice.waitFor();
      expect(await demoPolice.textContent()).toContain('In force');

      // Bad input: the page names the fields, nothing recorded.
      await page.click('button:has-text("Register the partner")');
      await page.waitForSelector('[data-testid="error-summary"]');
      expect(await page.textContent('[data-testid="error-summary"]')).toContain('Enter the organisation’s code');
      await page.fill('#f-organisation', 'probation');
      await page.fill('#f-name', 'Synthetic Borough Probation');
      await page.selectOption('#f-kind', 'probation');
      await page.click('button:has-text("Register the partner")');
      await page.waitForSelector('[data-testid="partners-done"]:has-text("Synthetic Borough Probation registered")');
      await page.waitForSelector('[data-partner="probation"]:has-text("No agreement")');

      // An agreement: dates, gateways from the register, what it shares and receives.
      expect(await page.inputValue('#f-partner')).toBe('probation');
      await page.fill('#f-reference', 'ISA-PROBATION-2019');
      await page.click('button:has-text("Record the agreement")');
      await page.waitForSelector('[data-testid="error-summary"]:has-text("Enter the day the agreement starts")');
      expect(await page.textContent('[data-testid="error-summary"]')).toContain('Choose at least one legal gateway');
      await page.fill('#f-startsOn-day', '1');
      await page.fill('#f-startsOn-month', '4');
      await page.fill('#f-startsOn-year', '2019');
      await page.fill('#f-endsOn-day', '31');
      await page.fill('#f-endsOn-month', '3');
      await page.fill('#f-endsOn-year', '2019');
      await page.check('input[name="gateways"][value="cda-1998-s115"]');
      await page.check('input[name="shares"][value="crime"]');
      await page.check('input[name="receives"][value="family-details"]');
      // Ends before it starts: the API's refusal, beside the field.
      await page.click('button:has-text("Record the agreement")');
      await page.waitForSelector('[data-testid="error-summary"]:has-text("must not be before startsOn")');
      await page.fill('#f-endsOn-year', '2020');
      await page.click('button:has-text("Record the agreement")');
      await page.waitForSelector('[data-testid="partners-done"]:has-text("Agreement ISA-PROBATION-2019 recorded")');
      const row = page.locator('tr[data-agreement="ISA-PROBATION-2019"]');
      await row.waitFor();
      expect(await row.textContent()).toContain('Crime and Disorder Act 1998, section 115');
      expect(await row.textContent()).toContain('2019-04-01 to 2020-03-31');
      expect(await row.textContent()).toContain('In force');
      await expectAccessible(page, 'partners');
      await screenshot(page, 'partners');

      // Revoked from today: no longer in force.
      await row.locator('button:has-text("Revoke")').click();
      await page.waitForSelector('[data-testid="revoke-form"]');
      await page.fill('#f-revokedOn-day', '20');
      await page.fill('#f-revokedOn-month', '4');
      await page.fill('#f-revokedOn-year', '2019');
      await expectAccessible(page, 'revoking an agreement');
      await page.click('button:has-text("Revoke the agreement")');
      await page.waitForSelector('[data-testid="partners-done"]:has-text("revoked from 2019-04-20")');
      await page.waitForSelector('tr[data-agreement="ISA-PROBATION-2019"]:has-text("Revoked from 2019-04-20")');
      expect(await row.locator('button:has-text("Revoke")').count()).toBe(0);
      const partners = (await asAdmin(t).get('/api/partners').expect(200)).body.partners as {
        organisation: string;
        kind: string;
        agreements: { reference: string; gateways: string[]; shares: string[]; receives: string[]; revokedOn: string | null; inForce: boolean }[];
      }[];
      expect(partners.find((p) => p.organisation === 'probation')).toMatchObject({
        kind: 'probation',
        agreements: [{ reference: 'ISA-PROBATION-2019', gateways: ['cda-1998-s115'], shares: ['crime'], receives: ['family-details'], revokedOn: '2019-04-20', inForce: false }],
      });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 180_000);

  it('records an objection and a correction through their requests, and the ONS transfer the objection follows: destruction confirmed, the person listed for the evaluator', async () => {
    // The analyst sends a file to the ONS (through the API); someone in it then objects to the evaluation.
    const analyst = (await request(t.app.getHttpServer()).post('/api/auth/token').send({ username: 'demo.analyst', password: DEMO_PASSWORD }).expect(200)).body.accessToken as string;
    const file = await request(t.app.getHttpServer())
      .post('/api/exports/ons-evaluation')
      .set('Authorization', `Bearer ${analyst}`)
      .send({ from: '2015-01-01', to: '2019-03-31' })
      .buffer(true)
      .expect(201);
    const transferId = file.headers['x-transfer-id'] as string;
    const [headerLine, firstLine] = file.text.split('\n');
    const header = must(headerLine, 'the header').split(',');
    const memberId = must(firstLine, 'the first row').split(',')[header.indexOf('member_id')];
    expect(memberId).toMatch(/^[0-9a-f-]{36}$/);
    await asAdmin(t).post('/api/data-subject-requests').send({ memberId, kind: 'objection', reference: 'DSR-OBJ-7', receivedOn: '2019-04-18' }).expect(201);

    const admin = await signedIn('demo.admin');
    try {
      const { page } = admin;
      await page.click('nav a:has-text("Data subject requests")');
      const row = page.locator('tr[data-request="DSR-OBJ-7"]');
      await row.waitFor();
      expect(await row.textContent()).toContain('Nothing yet');
      await row.locator('button:has-text("Record the objection")').click();
      await page.waitForSelector('[data-testid="apply-request"]');
      await page.click('[data-testid="apply-request"] button:has-text("Record the objection")');
      await page.waitForSelector('[data-testid="error-summary"]:has-text("Enter the day from which the consent is withdrawn")');
      await page.check('input[name="purpose"][value="evaluation"]');
      await page.fill('#f-on-day', '19');
      await page.fill('#f-on-month', '4');
      await page.fill('#f-on-year', '2019');
      await expectAccessible(page, 'recording an objection');
      await screenshot(page, 'objection');
      await page.click('[data-testid="apply-request"] button:has-text("Record the objection")');
      await page.waitForSelector('[data-testid="request-recorded"]:has-text("Objection DSR-OBJ-7 recorded")');
      await page.waitForSelector('tr[data-request="DSR-OBJ-7"]:has-text("consent to evaluation withdrawn from 2019-04-19")');
      const requests = (await asAdmin(t).get('/api/data-subject-requests').expect(200)).body.requests as { reference: string; actions: { what: string }[] }[];
      expect(requests.find((r) => r.reference === 'DSR-OBJ-7')?.actions).toEqual([expect.objectContaining({ what: expect.stringContaining('consent to evaluation withdrawn from 2019-04-19') })]);

      // The reply sent: the request is answered and its deadline closed (no day is refused beside the field).
      await page.locator('tr[data-request="DSR-OBJ-7"] button:has-text("Record the reply")').click();
      await page.click('[data-testid="reply-to-request"] button:has-text("Record the reply")');
      await page.waitForSelector('#f-respondedOn-error, [data-testid="error-summary"]');
      await page.fill('#f-respondedOn-day', '20');
      await page.fill('#f-respondedOn-month', '4');
      await page.fill('#f-respondedOn-year', '2019');
      await expectAccessible(page, 'recording the reply to a request');
      await page.click('[data-testid="reply-to-request"] button:has-text("Record the reply")');
      await page.waitForSelector('[data-testid="request-recorded"]:has-text("DSR-OBJ-7 answered on 2019-04-20")');
      await page.waitForSelector('tr[data-request="DSR-OBJ-7"]:has-text("Answered 2019-04-20")');
      expect(await page.locator('tr[data-request="DSR-OBJ-7"] button:has-text("Record the reply")').count()).toBe(0);
      const answered = (await asAdmin(t).get('/api/data-subject-requests').expect(200)).body.requests as { reference: string; status: string; respondedOn: string | null }[];
      expect(answered.find((r) => r.reference === 'DSR-OBJ-7')).toMatchObject({ status: 'answered', respondedOn: '2019-04-20' });
      expect(admin.errors).toEqual([]);

      // The ONS transfers page: the file, its destruction confirmed, the person to notify.
      await page.click('nav a:has-text("ONS transfers")');
      await page.waitForSelector('h1:has-text("ONS transfers")');
      const transfer = page.locator(`tr[data-transfer="${transferId}"]`);
      await transfer.waitFor();
      expect(await transfer.textContent()).toContain('2015-01-01 to 2019-03-31');
      const optOut = page.locator('[data-testid="opt-outs"] tr', { hasText: memberId });
      expect(await optOut.count()).toBe(1);
      expect(await optOut.textContent()).toContain('2019-04-19');
      expect(await optOut.textContent()).toContain('No');
      await transfer.locator('button:has-text("Record destruction")').click();
      await page.waitForSelector('[data-testid="destruction-form"]');
      await page.fill('#f-confirmedOn-day', '20');
      await page.fill('#f-confirmedOn-month', '4');
      await page.fill('#f-confirmedOn-year', '2019');
      await page.fill('#f-destructionReference', 'ONS CONF 1');
      await page.click('button:has-text("Record the destruction")');
      await page.waitForSelector('[data-testid="error-summary"]');
      expect(await page.textContent('[data-testid="error-summary"]')).toMatch(/reference/i);
      await page.fill('#f-destructionReference', 'ONS-CONF-2019-1');
      await page.click('button:has-text("Record the destruction")');
      await page.waitForSelector('[data-testid="transfer-done"]');
      await page.waitForSelector(`tr[data-transfer="${transferId}"]:has-text("Destroyed 2019-04-20 (ONS-CONF-2019-1)")`);
      await page.waitForSelector(`[data-testid="opt-outs"] tr:has-text("${memberId}"):has-text("Yes")`);
      await expectAccessible(page, 'ONS transfers');
      await screenshot(page, 'ons-transfers');
      const listed = (await asAdmin(t).get('/api/ons-transfers').expect(200)).body.transfers as { transferId: string; destruction: { confirmedOn: string; reference: string } | null }[];
      expect(listed.find((x) => x.transferId === transferId)?.destruction).toMatchObject({ confirmedOn: '2019-04-20', reference: 'ONS-CONF-2019-1' });
      expect(admin.errors).toEqual([]);
    } finally {
      await admin.close();
    }

    // A rectification: the wrong fact replaced through its request, the request naming the correction.
    const pm = asProgrammeManager(t);
    const family = await pm
      .post('/api/families')
      .send({ reference: 'RECT-FAMILY', identifiedOn: '2019-01-10', members: [{ relationship: 'parent', givenName: 'Rhian', familyName: 'Rect', dateOfBirth: '1981-03-04' }] })
      .expect(201);
    const person = family.body.members[0].memberId as string;
    const wrong = (await pm.post(`/api/families/${family.body.familyId}/offences`).send({ memberId: person, committedOn: '2019-02-01', proven: true, category: 'theft' }).expect(201)).body
      .eventId as string;
    await asAdmin(t).post('/api/data-subject-requests').send({ memberId: person, kind: 'rectification', reference: 'DSR-RECT-1', receivedOn: '2019-04-18' }).expect(201);
    const rect = await signedIn('demo.admin');
    try {
      const { page } = rect;
      await page.click('nav a:has-text("Data subject requests")');
      await page.locator('tr[data-request="DSR-RECT-1"] button:has-text("Correct a fact")').click();
      await page.waitForSelector('[data-testid="apply-request"]');
      await page.fill('#f-supersedesEventId', wrong);
      await page.selectOption('#f-path', 'offences');
      await page.fill('#f-replacement', '{ "memberId": "');
      await page.click('button:has-text("Record the correction")');
      await page.waitForSelector('[data-testid="error-summary"]:has-text("Enter the corrected fact as JSON")');
      // The API's refusal of the replacement's own fields, in words beside it.
      await page.fill('#f-replacement', JSON.stringify({ memberId: person, committedOn: '2019-02-31', proven: false, category: 'theft' }));
      await page.click('button:has-text("Record the correction")');
      await page.waitForSelector('#f-replacement-error');
      expect(await page.textContent('#f-replacement-error')).toContain('committedOn');
      await page.fill('#f-replacement', JSON.stringify({ memberId: person, committedOn: '2019-02-01', proven: false, category: 'theft' }));
      await expectAccessible(page, 'correcting a fact');
      await page.click('button:has-text("Record the correction")');
      await page.waitForSelector('[data-testid="request-recorded"]:has-text("Correction recorded for request DSR-RECT-1")');
      await page.waitForSelector('tr[data-request="DSR-RECT-1"]:has-text("corrected (request DSR-RECT-1)")');
      const history = (await pm.get(`/api/families/${family.body.familyId}/history`).expect(200)).body.events as { eventId: string; type: string; data: { proven?: boolean } }[];
      expect(history.filter((e) => e.type === 'OffenceRecorded').map((e) => e.data.proven)).toEqual([true, false]);
      expect(history.some((e) => e.type === 'FactCorrected')).toBe(true);
      expect(rect.errors).toEqual([]);
    } finally {
      await rect.close();
    }

    // The analyst has the page too (not the partners page).
    const other = await signedIn('demo.analyst');
    try {
      await other.page.click('nav a:has-text("ONS transfers")');
      await other.page.waitForSelector(`tr[data-transfer="${transferId}"]:has-text("Destroyed 2019-04-20")`);
      expect(await other.page.locator('nav a:has-text("Partners")').count()).toBe(0);
    } finally {
      await other.close();
    }
  }, 240_000);

  it('keeps the data-protection pages from other roles', async () => {
    const { page, close } = await signedIn('demo.pm');
    try {
      await page.goto(`${base}/data-subject-requests`);
      await page.waitForSelector('.app-header__user');
      await page.waitForFunction(() => location.pathname !== '/data-subject-requests');
      expect(await page.locator('nav a:has-text("Data subject requests")').count()).toBe(0);
      for (const path of ['/partners', '/ons-transfers']) {
        await page.goto(`${base}${path}`);
        await page.waitForSelector('.app-header__user');
        await page.waitForFunction((p) => location.pathname !== p, path);
      }
      expect(await page.locator('nav a:has-text("Partners")').count()).toBe(0);
      expect(await page.locator('nav a:has-text("ONS transfers")').count()).toBe(0);
    } finally {
      await close();
    }
  }, 120_000);
});
