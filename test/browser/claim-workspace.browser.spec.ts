/// <reference lib="dom" />
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { type BrowserRig, expectAccessible, fillDate, screenshot, startBrowserRig } from '../support/browser';
import { describeWhen, testEnv } from '../support/test-env';

const TODAY = '2019-04-20';

interface ClaimView {
  claimId: string;
  status: string;
  totalPence: number;
  families: { familyId: string; reference: string; amountPence: number; auditStatus: string }[];
  sample: { familyIds: string[] } | null;
  signOffs: { role: string; by: string; signedOn: string }[];
  submission: { submittedOn: string; totalPence: number } | null;
  payment: { receivedOn: string; amountPence: number } | null;
  recoveries: { familyId: string; on: string; amountPence: number }[];
}

/**
 * Issue 20.4 and 20.7: a results claim from draft to paid entirely through the pages, in Debian's
 * Chromium against the real api with the demo borough: the finance officer previews and drafts it,
 * internal audit draws the sample, reads each sampled family's evidence and records findings, the
 * programme lead and the head of audit sign off with their declarations (each in their own
 * browser), the finance officer submits, downloads the reports, records the payment, a spot check
 * and a recovery. Each step's form shows only to its role in its state; a refusal is in plain words.
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('the claim workspace, in a real browser', () => {
  let rig: BrowserRig;
  let window: { windowId: string; closesOn: string };
  let expected: { families: { familyId: string; reference: string }[] };

  beforeAll(async () => {
    rig = await startBrowserRig(TODAY);
    // The latest closed claim window with results to claim at its last day.
    const finance = await rig.tokenOf('demo.finance');
    const windows = ((await rig.api().get('/api/claim-windows').set('Authorization', `Bearer ${finance}`).expect(200)).body.windows as { windowId: string; closesOn: string }[])
      .filter((w) => w.closesOn <= TODAY)
      .sort((a, b) => (a.closesOn < b.closesOn ? 1 : -1));
    for (const w of windows) {
      const results = (await rig.api().get('/api/results').query({ asOf: w.closesOn }).set('Authorization', `Bearer ${finance}`).expect(200)).body;
      if (results.families.length >= 2) {
        window = w;
        expected = results;
        break;
      }
    }
    expect(window).toBeDefined();
  }, 300_000);
  afterAll(async () => {
    await rig?.close();
  });

  async function claimOf(claimId: string): Promise<ClaimView> {
    return (
      await rig
        .api()
        .get(`/api/claims/${claimId}`)
        .set('Authorization', `Bearer ${await rig.tokenOf('demo.finance')}`)
        .expect(200)
    ).body;
  }

  async function statusShown(page: Page, status: string): Promise<void> {
    await page.waitForFunction((s) => document.querySelector('[data-testid=claim-status]')?.textContent === s, status, { timeout: 30_000 });
  }

  async function openClaim(page: Page, claimId: string): Promise<void> {
    await page.click('nav[aria-label=Menu] a:has-text("Claims")');
    await page.waitForSelector(`tr[data-claim="${claimId}"] a`);
    await page.click(`tr[data-claim="${claimId}"] a`);
    await page.waitForSelector('[data-testid=claim-status]');
  }

  it('runs a claim from draft to paid through the pages, each role in its own browser', async () => {
    // 1. The finance officer previews the window's families and routes, then drafts the claim.
    const finance = await rig.signIn('demo.finance');
    await finance.page.click('nav[aria-label=Menu] a:has-text("Claims")');
    await finance.page.waitForSelector('[data-testid=claims]');
    await finance.page.selectOption('#f-windowId', window.windowId);
    await fillDate(finance.page, 'f-asOf', window.closesOn);
    await finance.page.click('button:has-text("Preview the families")');
    await finance.page.waitForSelector('[data-testid=preview] tbody tr');
    const previewed = await finance.page.locator('[data-testid=preview] tbody th').allInnerTexts();
    expect(previewed.sort()).toEqual(expected.families.map((f) => f.reference).sort());
    await expectAccessible(finance.page, 'claims: preview of a draft');
    await screenshot(finance.page, 'claims-draft-preview');
    await finance.page.dblclick('button:has-text("Draft the claim")');
    await finance.page.waitForURL(/\/claims\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    const claimId = new URL(finance.page.url()).pathname.split('/').pop() as string;
    await statusShown(finance.page, 'Draft');
    let claim = await claimOf(claimId);
    expect(claim.families.map((f) => f.reference).sort()).toEqual(previewed.sort());
    expect(await finance.page.getByTestId('claim-total').innerText()).toBe(pounds(claim.totalPence));
    // A double click drafted one claim.
    const claims = (
      await rig
        .api()
        .get('/api/claims')
        .set('Authorization', `Bearer ${await rig.tokenOf('demo.finance')}`)
        .expect(200)
    ).body.claims as unknown[];
    expect(claims).toHaveLength(1);
    // Internal audit draws the sample, not the finance officer: their only step on a draft is to withdraw it.
    expect(await finance.page.locator('[data-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['withdrawal']);
    // A second draft of the same families, made before the first is submitted (through the API).
    const rival = (
      await rig
        .api()
        .post('/api/claims')
        .set('Authorization', `Bearer ${await rig.tokenOf('demo.finance')}`)
        .send({ windowId: window.windowId, asOf: window.closesOn })
        .expect(201)
    ).body.claimId as string;
    await expectAccessible(finance.page, 'claim: draft');
    await screenshot(finance.page, 'claim-draft');

    // 2. Internal audit draws the sample and records a finding for each sampled family, its evidence one click away.
    const auditor = await rig.signIn('demo.auditor');
    await openClaim(auditor.page, claimId);
    await auditor.page.click('[data-step=sample] button[type=submit]');
    await statusShown(auditor.page, 'Sampled for audit');
    claim = await claimOf(claimId);
    const sampled = claim.sample?.familyIds ?? [];
    let invalidFamily = '';
    expect(sampled.length).toBeGreaterThan(0);
    for (let i = 0; i < sampled.length; i += 1) {
      // The page offers the families awaiting a finding one at a time.
      const reference = (await auditor.page.locator('[data-step=finding] h2').innerText()).replace('Finding for family ', '');
      const familyId = claim.families.find((f) => f.reference === reference)?.familyId as string;
      expect(sampled).toContain(familyId);
      if (i === 0) await screenshot(auditor.page, 'claim-audit-finding');
      if (i === 0) invalidFamily = familyId;
      await auditor.page.click(`[data-step=finding] a:has-text("See the evidence for ${reference}")`);
      await auditor.page.waitForSelector('section[data-problem]', { timeout: 30_000 });
      expect(await auditor.page.locator('h1').innerText()).toBe(`Family ${reference}`);
      if (i === 0) {
        await expectAccessible(auditor.page, 'claim: a sampled family’s evidence');
        await screenshot(auditor.page, 'claim-family-evidence');
      }
      await auditor.page.click('a:has-text("Back to the claim")');
      await auditor.page.waitForSelector('[data-step=finding]');
      // The first sampled family is found invalid (it leaves the claim); the others valid.
      await auditor.page.check(i === 0 && sampled.length > 1 ? '#f-finding-valid-no' : '#f-finding-valid');
      await auditor.page.fill('#f-finding-note', i === 0 && sampled.length > 1 ? 'no attendance records behind the education result' : 'evidence held and matches the result');
      await auditor.page.click('[data-step=finding] button[type=submit]');
      await auditor.page.waitForSelector(`[data-testid=claim-done]:has-text("Finding recorded for ${reference}")`);
    }
    await statusShown(auditor.page, 'Audited');
    claim = await claimOf(claimId);
    if (sampled.length > 1) expect(claim.families.find((f) => f.familyId === invalidFamily)?.auditStatus).toBe('sampled: invalid (removed)');
    await auditor.page.waitForFunction((total) => document.querySelector('[data-testid=claim-total]')?.textContent === total, pounds(claim.totalPence));

    // 3. The programme lead signs off with the declaration (in two tabs: the second is refused in plain words).
    const pm = await rig.signIn('demo.pm');
    await openClaim(pm.page, claimId);
    const second = await pm.context.newPage();
    await second.goto(`${rig.base}/claims/${claimId}`);
    await second.waitForSelector('[data-step=sign-off]');
    expect(await pm.page.getByTestId('declaration').innerText()).toMatch(/^I confirm that the families in this claim met the eligibility criteria/);
    await pm.page.click('[data-step=sign-off] button[type=submit]');
    await pm.page.waitForSelector('#f-sign-off-confirm-error, .govuk-error-message:has-text("Confirm that you make the declaration")');
    await expectAccessible(pm.page, 'claim: sign-off by the programme lead, with an error');
    await pm.page.check('#f-sign-off-confirm');
    await screenshot(pm.page, 'claim-sign-off');
    await pm.page.click('[data-step=sign-off] button[type=submit]');
    await pm.page.waitForSelector('[data-testid=claim-done]:has-text("Signed off")');
    expect(await pm.page.locator('[data-step=sign-off]').count()).toBe(0);
    await second.check('#f-sign-off-confirm');
    await second.click('[data-step=sign-off] button[type=submit]');
    await second.waitForSelector('[data-testid=refusal]');
    expect(await second.getByTestId('refusal').innerText()).toContain('This sign-off has already been recorded.');
    await second.close();

    // The head of internal audit signs off in the auditor's browser.
    await auditor.page.reload();
    await auditor.page.waitForSelector('[data-step=sign-off]');
    expect(await auditor.page.getByTestId('declaration').innerText()).toMatch(/^I confirm that internal audit has validated a sample/);
    await auditor.page.check('#f-sign-off-confirm');
    await auditor.page.click('[data-step=sign-off] button[type=submit]');
    await statusShown(auditor.page, 'Signed off');
    claim = await claimOf(claimId);
    expect(claim.signOffs.map((s) => [s.role, s.by]).sort()).toEqual([
      ['head-of-audit', 'demo.auditor'],
      ['programme-lead', 'demo.pm'],
    ]);

    // 4. The finance officer submits (dated today), downloads the reports, records the payment.
    await finance.page.reload();
    await finance.page.waitForSelector('[data-step=submission]');
    await finance.page.click('[data-step=submission] button[type=submit]');
    await statusShown(finance.page, 'Submitted');
    claim = await claimOf(claimId);
    expect(claim.submission?.submittedOn).toBe(TODAY);
    for (const ext of ['csv', 'xlsx', 'pdf']) {
      const [file] = await Promise.all([finance.page.waitForEvent('download'), finance.page.click(`[data-download="report.${ext}"]`)]);
      expect(file.suggestedFilename()).toBe(`claim-${claimId}.${ext}`);
      const bytes = readFileSync((await file.path()) as string);
      const answer = await fetch(`${rig.base}/api/claims/${claimId}/report.${ext}`, { headers: { Authorization: `Bearer ${await rig.tokenOf('demo.finance')}` } });
      expect(answer.status).toBe(200);
      const fromApi = Buffer.from(await answer.arrayBuffer());
      // The report as submitted is frozen: the page's download is the API's bytes.
      expect(bytes.equals(fromApi)).toBe(true);
    }
    await expectAccessible(finance.page, 'claim: submitted');
    await fillDate(finance.page, 'f-payment-receivedOn', TODAY);
    await finance.page.fill('#f-payment-amountPence', (claim.submission?.totalPence ?? 0) / 100 + '');
    await screenshot(finance.page, 'claim-payment');
    await finance.page.click('[data-step=payment] button[type=submit]');
    await statusShown(finance.page, 'Paid');
    claim = await claimOf(claimId);
    expect(claim.payment).toMatchObject({ receivedOn: TODAY, amountPence: claim.submission?.totalPence, differencePence: 0 });

    // 5. A government spot check finds a family ineligible: its payment is recovered, dated.
    const remaining = claim.families.filter((f) => !f.auditStatus.includes('removed'));
    const checked = remaining[0] as { familyId: string; reference: string; amountPence: number };
    await fillDate(finance.page, 'f-spot-check-checkedOn', TODAY);
    await finance.page.selectOption('#f-spot-check-familyId', checked.familyId);
    await finance.page.check('#f-spot-check-eligible-no');
    await finance.page.check('#f-spot-check-wholeFamilyWorking');
    await finance.page.check('#f-spot-check-resultEvidenced');
    await finance.page.click('[data-step=spot-check] button[type=submit]');
    await finance.page.waitForSelector('[data-step=recovery]', { timeout: 30_000 });
    await finance.page.fill('#f-recovery-reason', 'spot check: not eligible at attachment');
    await fillDate(finance.page, 'f-recovery-on', TODAY);
    await finance.page.click('[data-step=recovery] button[type=submit]');
    await finance.page.waitForSelector('[data-testid=claim-done]:has-text("Payment recovered")');
    claim = await claimOf(claimId);
    expect(claim.recoveries).toEqual([{ familyId: checked.familyId, on: TODAY, amountPence: checked.amountPence }]);
    await finance.page.waitForSelector(`dd:has-text("${checked.reference}: ${pounds(checked.amountPence)} on 20 April 2019")`);
    await expectAccessible(finance.page, 'claim: paid, with a recovery');
    await screenshot(finance.page, 'claim-paid');

    // The rival draft's families are claimed now: internal audit is refused in plain words, and the finance officer withdraws it.
    await auditor.page.goto(`${rig.base}/claims?status=draft`);
    await auditor.page.waitForSelector(`tr[data-claim="${rival}"] a`);
    await auditor.page.click(`tr[data-claim="${rival}"] a`);
    await auditor.page.click('[data-step=sample] button[type=submit]');
    await auditor.page.waitForSelector('[data-testid=refusal]');
    expect(await auditor.page.getByTestId('refusal').innerText()).toContain('A family in this claim has already been claimed in a submitted claim: a family is claimed once.');
    await expectAccessible(auditor.page, 'claim: a refusal in plain words');
    await screenshot(auditor.page, 'claim-refused');
    await finance.page.goto(`${rig.base}/claims/${rival}`);
    await finance.page.selectOption('#f-withdrawal-reason', 'families-claimed-elsewhere');
    await finance.page.click('[data-step=withdrawal] button[type=submit]');
    await statusShown(finance.page, 'Withdrawn');
    expect(await finance.page.locator('[data-step]').count()).toBe(0);

    // The list by status shows the first claim paid.
    await finance.page.click('a:has-text("All claims")');
    await finance.page.click('nav[aria-label="Claims by status"] a:has-text("Paid")');
    await finance.page.waitForSelector(`tr[data-claim="${claimId}"] [data-key=status]:has-text("Paid")`);
    await expectAccessible(finance.page, 'claims: paid');
    await screenshot(finance.page, 'claims-list');
    for (const who of [finance, auditor, pm]) expect(who.errors).toEqual([]);
    for (const who of [finance, auditor, pm]) await who.context.close();
  }, 600_000);
});

function pounds(pence: number): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2 }).format(pence / 100);
}
