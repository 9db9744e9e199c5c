/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { startTestApp, type TestApp } from '../support/app';
import { DEMO_PASSWORD, expectAccessible, screenshot } from '../support/browser';
import { asAdmin } from '../support/signed-in';
import { describeWhen, testEnv } from '../support/test-env';

const root = resolve(__dirname, '..', '..');
const TODAY = '2019-04-20';
const CONTACT = 'Data Protection Officer, Synthetic Borough Council, dpo@synthetic-borough.example';

/**
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
    t = await startTestApp('pglite', { LEDGER_DEMO_FAMILIES: '10', LEDGER_DEMO_SEED: '7', LEDGER_DEMO: 'on', LEDGER_DEMO_USERS: 'on', LEDGER_PRIVACY_CONTACT: CONTACT }, { clock: { now: () => new Date(`${TODAY}T10:00:00Z`) } });
    await t.app.get(DemoSeeder).seedIfEmpty();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: testEnv.chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    // A registered partner with an agreement in force today, and one whose agreement has ended.
    const admin = asAdmin(t);
    await admin.post('/api/partners').send({ organisation: 'police', name: 'Synthetic Borough Police', kind: 'police' }).expect(201);
    await admin.post('/api/partners/police/agreements').send({ reference: 'ISA-POLICE-2019', startsOn: '2019-04-01', endsOn: '2020-03-31', gateways: ['cda-1998-s115'], shares: ['crime'], receives: [] }).expect(201);
    await admin.post('/api/partners').send({ organisation: 'school', name: 'Synthetic Borough Schools', kind: 'school' }).expect(201);
    await admin.post('/api/partners/school/agreements').send({ reference: 'ISA-SCHOOL-2018', startsOn: '2018-04-01', endsOn: '2019-03-31', gateways: ['children-act-2004'], shares: ['education'], receives: [] }).expect(201);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

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
    const page = await context.newPage();
    try {
      await page.goto(`${base}/sign-in`);
      await page.waitForSelector('#username');
      await page.fill('#username', 'demo.pm');
      await page.fill('#password', DEMO_PASSWORD);
      await page.click('button:has-text("Sign in")');
      await page.waitForSelector('.app-header__user', { timeout: 30_000 });
      await page.click('footer a:has-text("privacy notice")');
      await noticeShown(page);
      expect(new URL(page.url()).pathname).toBe('/privacy-notice');
      expect(await page.textContent('[data-testid="privacy-contact"]')).toBe(CONTACT);
      // A reload keeps the page (the guard does not send a signed-in user home from it).
      await page.reload();
      await noticeShown(page);
      expect(new URL(page.url()).pathname).toBe('/privacy-notice');
    } finally {
      await context.close();
    }
  }, 120_000);
});
