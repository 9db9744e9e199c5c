/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import request from 'supertest';
import type { TestApp } from '../support/app';
import { startDemoBorough } from '../support/demo-borough';
import { describeWhen, testEnv } from '../support/test-env';
import { must } from '@ledger/domain';

const root = resolve(__dirname, '..', '..');
const PASSWORD = 'demo-borough-only';
const TODAY = '2019-04-20';
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

type Cell = string | number | null;
interface Figure {
  name: string;
  title: string;
  columns: { key: string; label: string; kind: string }[];
  rows: Record<string, Cell>[];
}

/**
 * Issue 19.6: the web app in Debian's Chromium (playwright-core), against the real api on the
 * embedded store with the demo borough. Each role signs in through the page; every figure on the
 * page is checked against the API's answer; a command recorded through the API shows on the open
 * page without a reload; a keyworker sees only their families; axe-core finds no serious or
 * critical violation; each page is saved as a screenshot when LEDGER_TEST_SCREENSHOTS is set.
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('the web app in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    // The api serves the built web app (dist/web): build it as npm start does.
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    t = await startDemoBorough({ today: TODAY, families: '30', users: true });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: testEnv.chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function tokenOf(username: string): Promise<string> {
    const known = tokens.get(username);
    if (known) return known;
    const token = (await request(t.app.getHttpServer()).post('/api/auth/token').send({ username, password: PASSWORD }).expect(200)).body.accessToken as string;
    tokens.set(username, token);
    return token;
  }

  async function dashboardAnswer(username: string, query: Record<string, string> = {}): Promise<{ asOf: string; figures: Figure[] }> {
    return (
      await request(t.app.getHttpServer())
        .get('/api/dashboards/programme')
        .query(query)
        .set('Authorization', `Bearer ${await tokenOf(username)}`)
        .expect(200)
    ).body;
  }

  /** Signs in through the form, with the keyboard only: Tab past the skip link to the fields, Enter to send. */
  async function signIn(username: string, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.waitForSelector('#username');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('username');
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.app-header__user', { timeout: 30_000 });
    expect(errors).toEqual([]);
    return { context, page };
  }

  async function figuresShown(page: Page): Promise<void> {
    await page.waitForSelector('section[data-figure=funnel] tbody tr', { timeout: 60_000 });
  }

  /** Every cell of every figure on the page, as the page shows it, against the API's answer in UK formats. */
  async function expectFiguresMatch(page: Page, answer: { figures: Figure[] }): Promise<void> {
    const shown = await page.$$eval('section[data-figure]', (sections) =>
      sections.map((s) => ({
        name: s.getAttribute('data-figure'),
        rows: [...s.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())),
      })),
    );
    expect(shown.map((s) => s.name)).toEqual(answer.figures.map((f) => f.name));
    for (const figure of answer.figures) {
      const expected = figure.rows.length === 0 ? [['None as of this date.']] : figure.rows.map((r) => figure.columns.map((c) => ukText(c, must(r[c.key], c.key))));
      expect({ figure: figure.name, rows: shown.find((s) => s.name === figure.name)?.rows }).toEqual({ figure: figure.name, rows: expected });
    }
  }

  async function expectAccessible(page: Page, what: string): Promise<void> {
    // Evaluated through the devtools protocol, not a <script> tag: the page's CSP (script-src 'self') stays in force for the app.
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    expect({ what, serious: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ what, serious: [] });
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    if (!testEnv.screenshots) return;
    const dir = resolve(root, testEnv.screenshots);
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  }

  it('signs a programme manager in with the keyboard and shows every figure as the API gives it, in UK formats, accessibly', async () => {
    const { context, page } = await signIn('demo.pm');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await figuresShown(page);
    await expectFiguresMatch(page, await dashboardAnswer('demo.pm'));
    expect(await page.getByTestId('as-of').innerText()).toBe('20 April 2019');
    const money = await page.$$eval('section[data-figure=money] td[data-key=attachmentFeesPence]', (cells) => cells.map((c) => c.textContent ?? ''));
    expect(money.length).toBeGreaterThan(0);
    for (const text of money) expect(text).toMatch(/^-?£\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(await page.locator('section[data-figure=funnel] canvas').count()).toBe(1);
    // The token lives in memory: nothing in web storage, and the refresh cookie is out of scripts' reach.
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, '']);
    await expectAccessible(page, 'programme manager dashboard');
    await screenshot(page, 'dashboard-programme-manager');

    // A reload keeps the session (the refresh cookie), and the filters go into the address.
    await page.selectOption('#financialYear', '2016/17');
    await page.selectOption('#problem', 'education');
    await page.fill('#asOf-day', '30');
    await page.fill('#asOf-month', '9');
    await page.fill('#asOf-year', '2018');
    await page.click('button:has-text("Apply filters")');
    await page.waitForFunction(() => document.querySelector('[data-testid=as-of]')?.textContent === '30 September 2018');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid=as-of]')?.textContent === '30 September 2018', undefined, { timeout: 30_000 });
    await figuresShown(page);
    await expectFiguresMatch(page, await dashboardAnswer('demo.pm', { asOf: '2018-09-30', financialYear: '2016/17', problem: 'education' }));

    // At tablet width nothing runs off the side of the page.
    await page.setViewportSize({ width: 768, height: 1024 });
    // (The charts follow the new width a frame or two later.)
    const fits = await page
      .waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, undefined, { timeout: 5_000 })
      .then(
        () => [],
        () =>
          page.evaluate(() =>
            [...document.querySelectorAll('body *')]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .slice(0, 5)
              .map((e) => `${e.tagName}.${e.className}`),
          ),
      );
    expect(fits).toEqual([]);
    await screenshot(page, 'dashboard-tablet');

    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('#username');
    await page.reload();
    await page.waitForSelector('#username');
    await context.close();
  }, 180_000);

  it('shows a command recorded through the API on the open dashboard without a reload, within seconds, and how far behind the log it is', async () => {
    const { context, page } = await signIn('demo.finance');
    await figuresShown(page);
    await page.waitForSelector('[data-testid=position]', { timeout: 30_000 });
    await expectFiguresMatch(page, await dashboardAnswer('demo.finance'));
    await expectAccessible(page, 'finance officer dashboard');
    await screenshot(page, 'dashboard-finance-officer');
    const cellOf = () =>
      page.$$eval('section[data-figure=funnel] tbody tr', (rows) => rows.find((r) => r.querySelector('th')?.textContent === '2019/20')?.querySelector('td[data-key=identified]')?.textContent ?? '0');
    const before = Number(await cellOf());

    const pm = await tokenOf('demo.pm');
    const started = Date.now();
    await request(t.app.getHttpServer())
      .post('/api/families')
      .set('Authorization', `Bearer ${pm}`)
      .send({ reference: 'LIVE-0001', identifiedOn: '2019-04-15', members: [{ relationship: 'parent', givenName: 'Alex', familyName: 'Example', dateOfBirth: '1985-02-01' }] })
      .expect(201);
    await page.waitForFunction(
      (expected) =>
        document.querySelector('section[data-figure=funnel] tbody tr:last-child td[data-key=identified]')?.textContent === expected &&
        document.querySelector('section[data-figure=funnel] tbody tr:last-child th')?.textContent === '2019/20',
      String(before + 1),
      { timeout: 20_000, polling: 50 },
    );
    const seenAfterMs = Date.now() - started;
    // Issue 19.3: within 2 s, without a reload.
    console.log(`a family recorded through the API showed on the open dashboard after ${seenAfterMs} ms`);
    expect(seenAfterMs).toBeLessThan(2_000);
    expect(await page.getByTestId('live-status').innerText()).toMatch(/^Live\. The figures (include every event recorded so far|are [\d,]+ events? behind the log)/);
    await context.close();
  }, 180_000);

  it('shows an analyst the figures with small numbers withheld and no list of families, renewing an expired token on the way', async () => {
    const { context, page } = await signIn('demo.analyst');
    // The API says the token has run out (as a 15-minute token does): the page renews it through the refresh cookie and asks again.
    const refreshes: number[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/auth/refresh')) refreshes.push(Date.now());
    });
    let expired = false;
    await page.route('**/api/dashboards/programme*', async (route) => {
      if (expired) return route.continue();
      expired = true;
      await route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'the bearer token is invalid or has expired; sign in again', reason: 'InvalidToken' }),
      });
    });
    await page.reload();
    await figuresShown(page);
    expect(expired).toBe(true);
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const answer = await dashboardAnswer('demo.analyst');
    await expectFiguresMatch(page, answer);
    expect(answer.figures.map((f) => f.name)).not.toContain('no-result');
    expect(await page.locator('text=Counts of fewer than 5 families are withheld').count()).toBe(1);
    expect(await page.locator('#keyworker').count()).toBe(0);
    await expectAccessible(page, 'analyst dashboard');
    await screenshot(page, 'dashboard-analyst');
    await context.close();
  }, 120_000);

  it('shows a keyworker only their own families', async () => {
    const pm = await tokenOf('demo.pm');
    const all = (await request(t.app.getHttpServer()).get('/api/families').query({ limit: 1000 }).set('Authorization', `Bearer ${pm}`).expect(200)).body.families as { keyworker: string | null }[];
    const keyworker = all.find((f) => f.keyworker !== null)?.keyworker as string;
    // The demo borough's keyworkers are users already (attachment names a known keyworker), with the demo password.
    const theirs = all.filter((f) => f.keyworker === keyworker).length;
    expect(theirs).toBeLessThan(all.length);

    const { context, page } = await signIn(keyworker);
    expect(new URL(page.url()).pathname).toBe('/families');
    await page.waitForSelector('tr[data-family]');
    const shown = await page.$$eval('tr[data-family] td[data-key=keyworker]', (cells) => cells.map((c) => c.textContent));
    expect(shown.length).toBe(Math.min(theirs, 50));
    expect(new Set(shown)).toEqual(new Set([keyworker]));
    // The dashboard is not theirs: the address sends them back to their families.
    await page.goto(`${base}/dashboard`);
    await page.waitForSelector('tr[data-family]');
    expect(new URL(page.url()).pathname).toBe('/families');
    await expectAccessible(page, 'keyworker families page');
    await screenshot(page, 'families-keyworker');
    await context.close();
  }, 120_000);

  it('tells a user what went wrong at sign-in, beside the field and in a summary at the top', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.waitForSelector('#username');
    await page.click('button:has-text("Sign in")');
    await page.waitForSelector('.govuk-error-summary');
    expect(await page.locator('.govuk-error-summary li').allInnerTexts()).toEqual(['Enter your username', 'Enter your password']);
    expect(await page.locator('#username-error').innerText()).toContain('Enter your username');
    await expectAccessible(page, 'sign-in page with errors');
    await page.fill('#username', 'demo.pm');
    await page.fill('#password', 'not-the-password');
    await page.click('button:has-text("Sign in")');
    await page.waitForSelector('text=The username or password is not right');
    await page.reload();
    await page.waitForSelector('#username');
    await screenshot(page, 'sign-in');
    await context.close();
  }, 60_000);
});

const PROBLEMS: Record<string, string> = {
  'crime-asb': 'Crime and anti-social behaviour',
  education: 'Education',
  'children-in-need': 'Children who need help',
  worklessness: 'Worklessness and financial exclusion',
  'domestic-abuse': 'Domestic violence and abuse',
  health: 'Health',
};

/** A value as the page should show it: £1,234.56, 5 December 2026, April 2019, 1,234; – for none. */
function ukText(column: { key: string; kind: string }, value: Cell): string {
  if (value === null) return '–';
  if (value === '[c]') return '[c]';
  switch (column.kind) {
    case 'count':
    case 'months':
      return new Intl.NumberFormat('en-GB').format(Number(value));
    case 'pence':
      return new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2 }).format(Number(value) / 100);
    case 'date':
      return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${value}T00:00:00Z`));
    default:
      if (column.key === 'month') return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${value}-01T00:00:00Z`));
      if (column.key === 'problem') return PROBLEMS[String(value)] ?? String(value);
      return String(value);
  }
}
