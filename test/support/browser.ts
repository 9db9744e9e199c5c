/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import request from 'supertest';
import type { TestApp } from './app';
import { startDemoBorough } from './demo-borough';
import { testEnv } from './test-env';

/**
 * The browser suites' shared set-up (as test/browser/web-app.browser.spec.ts does it): the built
 * web app served by the real api on the embedded store with the demo borough and its users, a
 * fixed clock, Debian's Chromium, sign-in through the page, axe-core under the page's CSP, and
 * screenshots when LEDGER_TEST_SCREENSHOTS is set.
 */
const root = resolve(__dirname, '..', '..');
export const DEMO_PASSWORD = 'demo-borough-only';
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface BrowserRig {
  t: TestApp;
  base: string;
  browser: Browser;
  tokenOf(username: string): Promise<string>;
  api(): ReturnType<typeof request>;
  signIn(username: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function startBrowserRig(today: string, families = '30'): Promise<BrowserRig> {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
  const t = await startDemoBorough({ today, families, users: true });
  const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: testEnv.chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const tokens = new Map<string, string>();
  const rig: BrowserRig = {
    t,
    base,
    browser,
    api: () => request(t.app.getHttpServer()),
    async tokenOf(username) {
      const known = tokens.get(username);
      if (known) return known;
      const token = (await request(t.app.getHttpServer()).post('/api/auth/token').send({ username, password: DEMO_PASSWORD }).expect(200)).body.accessToken as string;
      tokens.set(username, token);
      return token;
    },
    async signIn(username) {
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
      return { context, page, errors };
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
  return rig;
}

/** axe-core, evaluated through the devtools protocol (the page's CSP stays in force): no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  expect({ what, serious: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ what, serious: [] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (!testEnv.screenshots) return;
  const dir = resolve(root, testEnv.screenshots);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Fills a GOV.UK date input (day, month, year boxes) from `YYYY-MM-DD`. */
export async function fillDate(page: Page, id: string, date: string): Promise<void> {
  const [year, month, day] = date.split('-');
  await page.fill(`#${id}-day`, String(Number(day)));
  await page.fill(`#${id}-month`, String(Number(month)));
  await page.fill(`#${id}-year`, String(year));
}

/**
 * Waits for `selector`; when it does not come, fails saying what the page showed instead (its
 * URL, the error summary and the main text), so a failure in CI can be read without a rerun.
 */
export async function waitShown(page: Page, selector: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (e) {
    const shown = await page.evaluate(() => (document.querySelector('main') ?? document.body).innerText.slice(0, 2000)).catch(() => '(page unreadable)');
    throw new Error(`${selector} was not shown within ${timeout} ms at ${page.url()}; the page showed:\n${shown}\n(${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
}
