/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { type BrowserRig, expectAccessible, fillDate, screenshot, startBrowserRig } from '../support/browser';
import { describeWhen, testEnv } from '../support/test-env';

const TODAY = '2019-04-20';

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), click()]);
  return { download, bytes: readFileSync((await download.path()) as string) };
}

/**
 * Issue 20 ("each of the users named in README can do their job in the browser without Swagger or
 * curl"), in Debian's Chromium against the real api with the demo borough: the programme manager
 * identifies a family with its members, records its problems at entry with the Outcome Plan's
 * indicators, attaches it to a keyworker chosen from the keyworkers who may sign in, records an
 * override and publishes a new version of the Outcome Plan; the finance officer previews a draft
 * with its total, reads the ledger and downloads the finance reports and a claim's report; the
 * analyst makes the ONS evaluation transfer and sees its transfer id and the file's SHA-256.
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('programme manager, finance officer and analyst pages, in a real browser', () => {
  let rig: BrowserRig;
  const as = async (username: string) => ({ Authorization: `Bearer ${await rig.tokenOf(username)}` });

  beforeAll(async () => {
    rig = await startBrowserRig(TODAY, '20');
  }, 300_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('identifies a family, adds its problems, attaches it, records an override and publishes an Outcome Plan version', async () => {
    const pm = await as('demo.pm');
    const { context, page, errors } = await rig.signIn('demo.pm');

    // Identify: a missing name is refused beside its field, and nothing is recorded.
    await page.click('nav[aria-label=Menu] a:has-text("Identify a family")');
    await page.waitForSelector('form[data-testid=identify]');
    await page.fill('#f-reference', 'PM-BROWSER-0001');
    await fillDate(page, 'f-identifiedOn', '2019-03-01');
    await page.selectOption('#f-m0-relationship', 'parent');
    await page.fill('#f-m0-givenName', 'Rowena');
    await page.fill('#f-m0-familyName', 'Quillfeather');
    await fillDate(page, 'f-m0-dateOfBirth', '1985-06-12');
    await page.fill('#f-m0-postcode', 'ZZ1 2AB');
    await page.selectOption('#f-m1-relationship', 'child');
    await page.fill('#f-m1-familyName', 'Quillfeather');
    await fillDate(page, 'f-m1-dateOfBirth', '2009-02-03');
    await page.click('button:has-text("Identify the family")');
    await page.waitForSelector('#f-m1-givenName-error');
    expect(await page.locator('#f-m1-givenName-error').innerText()).toMatch(/given name/i);
    expect((await rig.api().get('/api/families').query({ reference: 'PM-BROWSER' }).set(pm).expect(200)).body.total).toBe(0);
    await expectAccessible(page, 'identify a family, with an error');
    await page.fill('#f-m1-givenName', 'Tamsin');
    await screenshot(page, 'identify-a-family');
    await page.dblclick('button:has-text("Identify the family")');
    await page.waitForURL(/\/families\/[0-9a-f-]{36}\/manage/, { timeout: 60_000 });
    const familyId = new URL(page.url()).pathname.split('/')[2] as string;
    const found = (await rig.api().get('/api/families').query({ reference: 'PM-BROWSER' }).set(pm).expect(200)).body;
    expect(found.total).toBe(1); // a double click identified one family
    expect(found.families[0].familyId).toBe(familyId);
    await page.waitForSelector('[data-testid=done]');

    // A person who joined the household since.
    await page.click('button:has-text("Add a person to the household")');
    await page.selectOption('#f-a-relationship', 'child');
    await page.fill('#f-a-givenName', 'Milo');
    await page.fill('#f-a-familyName', 'Quillfeather');
    await fillDate(page, 'f-a-dateOfBirth', '2012-09-30');
    await page.click('button:has-text("Add the person")');
    await page.waitForFunction(() => document.querySelector('[data-testid=members]')?.textContent?.includes('Milo'));
    expect((await rig.api().get(`/api/families/${familyId}`).set(pm).expect(200)).body.members).toHaveLength(3);

    // Problems at entry, each with an indicator of the plan in force on the date.
    const plans = (await rig.api().get('/api/outcome-plans').set(pm).expect(200)).body.versions as {
      version: number;
      effectiveFrom: string;
      problems: Record<string, { indicators: { code: string }[] }>;
      parameters?: Record<string, Record<string, number>>;
    }[];
    const inForce = [...plans].sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom)).find((v) => v.effectiveFrom <= '2019-03-01');
    if (!inForce) throw new Error('no Outcome Plan version in force on 2019-03-01');
    for (const [problem, source] of [
      ['education', 'school'],
      ['crime-asb', 'police'],
    ] as const) {
      const indicator = inForce.problems[problem]?.indicators[0]?.code;
      await fillDate(page, 'f-identifiedOn', '2019-03-01');
      await page.selectOption('#f-problem', problem);
      if (indicator) await page.selectOption('#f-indicatorCode', indicator);
      await page.fill('#f-source', source);
      await page.click('button:has-text("Add the problem")');
      await page.waitForSelector(`[data-testid=problems] li[data-problem="${problem}"]`);
    }
    await expectAccessible(page, 'manage a family: problems');

    // Attach to a keyworker chosen from those who may sign in.
    const keyworkers = (await rig.api().get('/api/keyworkers').set(pm).expect(200)).body.keyworkers as { username: string }[];
    expect(keyworkers.length).toBeGreaterThan(0);
    const options = await page.locator('#f-keyworker option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value).filter(Boolean));
    expect(options).toEqual(keyworkers.map((k) => k.username));
    const keyworker = keyworkers[0]?.username as string;
    await fillDate(page, 'f-attachedOn', '2019-03-15');
    await page.selectOption('#f-keyworker', keyworker);
    await page.click('button:has-text("Attach the family")');
    await page.waitForFunction(() => document.querySelector('[data-key=attached]')?.textContent?.includes('keyworker'));
    const family = (await rig.api().get(`/api/families/${familyId}`).set(pm).expect(200)).body;
    expect(family).toEqual(expect.objectContaining({ status: 'attached', attachedOn: '2019-03-15', keyworker }));
    expect([...family.problemsAtEntry].sort()).toEqual(['crime-asb', 'education']);

    // An override: refused in words before its date is valid, then recorded with its reason.
    await page.selectOption('#f-o-problem', 'education');
    await fillDate(page, 'f-o-on', '2019-03-10');
    await page.fill('#f-o-reason', 'attending well after a managed move; the school confirms');
    await page.click('button:has-text("Record the override")');
    await page.waitForSelector('[data-testid=error-summary]');
    expect((await rig.api().get(`/api/families/${familyId}`).set(pm).expect(200)).body.overrides).toEqual([]);
    // Someone records for the family after the page read it: the page's override is refused as stale.
    await rig.api().post(`/api/families/${familyId}/asb-incidents`).set(pm).send({ occurredOn: '2019-04-02' }).expect(201);
    await fillDate(page, 'f-o-on', '2019-04-01');
    await page.click('button:has-text("Record the override")');
    await page.waitForFunction(() => document.querySelector('[data-testid=error-summary]')?.textContent?.includes('Someone else recorded something for this family'));
    expect((await rig.api().get(`/api/families/${familyId}`).set(pm).expect(200)).body.overrides).toEqual([]);
    await page.reload();
    await page.waitForSelector('form[data-testid=override]');
    await page.selectOption('#f-o-problem', 'education');
    await fillDate(page, 'f-o-on', '2019-04-01');
    await page.fill('#f-o-reason', 'attending well after a managed move; the school confirms');
    await page.click('button:has-text("Record the override")');
    await page.waitForSelector('[data-testid=overrides] tbody tr');
    expect((await rig.api().get(`/api/families/${familyId}`).set(pm).expect(200)).body.overrides).toEqual([
      expect.objectContaining({ problem: 'education', on: '2019-04-01', reason: 'attending well after a managed move; the school confirms', approvedBy: 'demo.pm' }),
    ]);
    await expectAccessible(page, 'manage a family: attached, with an override');
    await screenshot(page, 'manage-a-family');

    // The family's page links here.
    await page.goto(`${rig.base}/families/${familyId}`);
    await page.waitForSelector(`a[href="/families/${familyId}/manage"]`);

    // Its keyworker adds a person and a problem there, and is offered neither attachment nor overrides.
    const kw = await rig.signIn(keyworker);
    await kw.page.goto(`${rig.base}/families/${familyId}`);
    await kw.page.click(`a[href="/families/${familyId}/manage"]`);
    await kw.page.waitForSelector('[data-testid=add-problem]');
    expect(await kw.page.locator('[data-testid=override], [data-testid=attach]').count()).toBe(0);
    await kw.page.click('button:has-text("Add a person to the household")');
    await kw.page.selectOption('#f-a-relationship', 'parent');
    await kw.page.fill('#f-a-givenName', 'Jory');
    await kw.page.fill('#f-a-familyName', 'Quillfeather');
    await fillDate(kw.page, 'f-a-dateOfBirth', '1983-01-20');
    await kw.page.click('button:has-text("Add the person")');
    await kw.page.waitForFunction(() => document.querySelector('[data-testid=members]')?.textContent?.includes('Jory'));
    await expectAccessible(kw.page, 'a keyworker adds people and problems');
    expect(kw.errors).toEqual([]);
    await kw.context.close();

    // The Outcome Plan: a threshold changed, checked on the page, then published.
    const latest = [...plans].sort((a, b) => b.version - a.version)[0];
    if (!latest?.parameters) throw new Error('the latest Outcome Plan version has no thresholds to change');
    expect(latest.effectiveFrom < '2019-04-01').toBe(true);
    await page.click('nav[aria-label=Menu] a:has-text("Outcome Plan")');
    await page.waitForSelector('[data-testid=versions]');
    expect(await page.locator('[data-testid=versions] tbody tr').count()).toBe(plans.length);
    await fillDate(page, 'f-effectiveFrom', '2019-04-01');
    await page.fill('#f-p-education-attendanceThresholdPercent', '92');
    await page.click('button:has-text("Check the changes")');
    await page.waitForSelector('[data-testid=draft-version]');
    expect(await page.locator('[data-testid=draft-version]').innerText()).toContain(`${latest.parameters.education?.attendanceThresholdPercent} → 92`);
    await expectAccessible(page, 'outcome plan: a draft version');
    await screenshot(page, 'outcome-plan');
    await page.click(`button:has-text("Publish version ${latest.version + 1}")`);
    await page.waitForSelector(`[data-testid=versions] tr[data-version="${latest.version + 1}"]`);
    const after = (await rig.api().get('/api/outcome-plans').set(pm).expect(200)).body.versions as {
      version: number;
      effectiveFrom: string;
      parameters?: { education: { attendanceThresholdPercent: number } };
    }[];
    expect(after).toHaveLength(plans.length + 1);
    expect(after.find((v) => v.version === latest.version + 1)).toEqual(
      expect.objectContaining({ effectiveFrom: '2019-04-01', parameters: expect.objectContaining({ education: expect.objectContaining({ attendanceThresholdPercent: 92 }) }) }),
    );

    // A claim window, added on the claims page.
    await page.click('nav[aria-label=Menu] a:has-text("Claims")');
    await page.waitForSelector('form[data-testid=claim-window]');
    await page.fill('#f-w-windowId', '2019-20-w8');
    await fillDate(page, 'f-w-opensOn', '2019-04-01');
    await fillDate(page, 'f-w-closesOn', '2019-09-30');
    await fillDate(page, 'f-w-expectedPaymentOn', '2019-10-31');
    await page.click('button:has-text("Add the window")');
    await page.waitForSelector('[data-testid=claim-window] [data-testid=done]');
    expect(((await rig.api().get('/api/claim-windows').set(pm).expect(200)).body.windows as { windowId: string }[]).map((w) => w.windowId)).toContain('2019-20-w8');
    await expectAccessible(page, 'claims, as a programme manager');
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it("previews a draft with its total, reads the ledger and downloads the finance reports and a claim's report", async () => {
    const fo = await as('demo.finance');
    const { context, page, errors } = await rig.signIn('demo.finance');

    // The draft's preview shows the families, their routes and the total the draft then holds.
    const windows = ((await rig.api().get('/api/claim-windows').set(fo).expect(200)).body.windows as { windowId: string; closesOn: string }[])
      .filter((w) => w.closesOn <= TODAY)
      .sort((a, b) => b.closesOn.localeCompare(a.closesOn));
    let chosen: { windowId: string; closesOn: string } | undefined;
    let preview: { totalPence: number; families: { reference: string; amountPence: number }[] } | undefined;
    for (const w of windows) {
      const answer = (await rig.api().get('/api/claims/preview').query({ asOf: w.closesOn }).set(fo).expect(200)).body;
      if (answer.families.length > 0) {
        chosen = w;
        preview = answer;
        break;
      }
    }
    if (!chosen || !preview) throw new Error('the demo borough has no claim window with results to claim');
    expect(preview.totalPence).toBe(preview.families.reduce((s, f) => s + f.amountPence, 0));
    await page.click('nav[aria-label=Menu] a:has-text("Claims")');
    await page.waitForSelector('[data-testid=claims]');
    await page.selectOption('#f-windowId', chosen.windowId);
    await fillDate(page, 'f-asOf', chosen.closesOn);
    await page.click('button:has-text("Preview the families")');
    await page.waitForSelector('[data-testid=preview-total]');
    expect(Number(await page.getAttribute('[data-testid=preview-total]', 'data-pence'))).toBe(preview.totalPence);
    expect((await page.locator('[data-testid=preview] tbody th').allInnerTexts()).sort()).toEqual(preview.families.map((f) => f.reference).sort());
    const drafted = (await rig.api().post('/api/claims').set(fo).send({ windowId: chosen.windowId, asOf: chosen.closesOn }).expect(201)).body as { claimId: string; totalPence: number };
    expect(drafted.totalPence).toBe(preview.totalPence);

    // The ledger and the finance reports, as the API answers them.
    await page.click('nav[aria-label=Menu] a:has-text("Ledger and reports")');
    await page.fill('#asOf', TODAY);
    await page.click('button:has-text("Show")');
    await page.waitForFunction((d) => new URL(location.href).searchParams.get('asOf') === d, TODAY);
    await page.waitForSelector('[data-testid=balances] tbody tr');
    const balances = (await rig.api().get('/api/ledger/balances').query({ asOf: TODAY }).set(fo).expect(200)).body.accounts as { account: string; balancePence: number }[];
    const shown = await page
      .locator('[data-testid=balances] tbody tr')
      .evaluateAll((rows) => rows.map((r) => ({ account: r.getAttribute('data-account'), balancePence: Number(r.querySelector('td')?.getAttribute('data-pence')) })));
    expect(shown).toEqual(balances.map((b) => ({ account: b.account, balancePence: b.balancePence })));
    expect(shown.reduce((s, b) => s + b.balancePence, 0)).toBe(0);
    await page.waitForSelector('[data-testid=reconciliation]');
    await page.waitForSelector('[data-testid=attachment-fees]');
    await page.waitForSelector(`[data-testid=claim-reports] tr[data-claim="${drafted.claimId}"]`);
    await expectAccessible(page, 'ledger and finance reports');
    await screenshot(page, 'ledger-and-reports');

    const reconciliation = await downloaded(page, () => page.click('button:has-text("Download the reconciliation (CSV)")'));
    expect(reconciliation.download.suggestedFilename()).toBe(`reconciliation-${TODAY}.csv`);
    const api = await rig.api().get('/api/reports/reconciliation.csv').query({ asOf: TODAY }).set(fo).expect(200);
    expect(reconciliation.bytes.toString('utf8')).toBe(api.text);
    const fees = await downloaded(page, () => page.click('button:has-text("Download the attachment fees (XLSX)")'));
    expect(fees.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const pdf = await downloaded(page, () => page.click(`[data-testid=claim-reports] tr[data-claim="${drafted.claimId}"] button:has-text("PDF")`));
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Attachment fees received: a double click records one receipt, in pence, shown in the report.
    const feesReceived = async () => (await rig.api().get('/api/reports/attachment-fees').query({ asOf: TODAY }).set(fo).expect(200)).body.totals.receivedPence as number;
    const receivedBefore = await feesReceived();
    await fillDate(page, 'f-r-receivedOn', '2019-04-10');
    await page.fill('#f-r-amountPence', '£1,234.56');
    await page.fill('#f-r-financialYear', '2018/19');
    await page.dblclick('button:has-text("Record the receipt")');
    await page.waitForSelector('[data-testid=fee-receipt] [data-testid=done]');
    expect(await feesReceived()).toBe(receivedBefore + 123_456);

    // A year's attachment profile: set once; a second is refused in words.
    await page.fill('#f-p-financialYear', '2019/20');
    await page.fill('#f-p-families', '40');
    await page.click('button:has-text("Set the profile")');
    await page.waitForSelector('[data-testid=fee-profile] [data-testid=done]');
    await page.fill('#f-p-families', '41');
    await page.click('button:has-text("Set the profile")');
    await page.waitForFunction(() => document.querySelector('[data-testid=fee-profile] [data-testid=error-summary]')?.textContent?.includes('already set'));

    // A claim window: one closing before it opens is refused in words, a good one is listed.
    await page.fill('#f-w-windowId', '2019-20-w9');
    await fillDate(page, 'f-w-opensOn', '2019-04-01');
    await fillDate(page, 'f-w-closesOn', '2019-03-01');
    await fillDate(page, 'f-w-expectedPaymentOn', '2019-10-31');
    await page.click('button:has-text("Add the window")');
    await page.waitForSelector('[data-testid=claim-window] [data-testid=error-summary]');
    await fillDate(page, 'f-w-closesOn', '2019-09-30');
    await page.click('button:has-text("Add the window")');
    await page.waitForSelector('[data-testid=claim-windows] tr[data-window="2019-20-w9"]');
    await expectAccessible(page, 'ledger and finance reports, after recording');
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('makes the ONS evaluation transfer and shows its transfer id and the SHA-256 of the file downloaded', async () => {
    const { context, page, errors } = await rig.signIn('demo.analyst');
    await page.click('nav[aria-label=Menu] a:has-text("Evaluation")');
    await page.waitForSelector('form[data-testid=ons-export]');
    // A period ending before it starts is refused beside the field; nothing is transferred.
    await fillDate(page, 'f-from', '2019-03-31');
    await fillDate(page, 'f-to', '2015-04-01');
    await page.click('button:has-text("Make the transfer")');
    await page.waitForSelector('#f-to-error');
    expect(
      (
        await rig
          .api()
          .get('/api/ons-transfers')
          .set(await as('demo.analyst'))
          .expect(200)
      ).body.transfers,
    ).toEqual([]);
    await fillDate(page, 'f-from', '2015-04-01');
    await fillDate(page, 'f-to', '2019-03-31');
    const file = await downloaded(page, () => page.click('button:has-text("Make the transfer")'));
    await page.waitForSelector('[data-testid=transfer] [data-key=sha256]');
    const transfers = (
      await rig
        .api()
        .get('/api/ons-transfers')
        .set(await as('demo.analyst'))
        .expect(200)
    ).body.transfers as { transferId: string; fileSha256: string; people: number }[];
    expect(transfers).toHaveLength(1);
    expect(await page.locator('[data-key=transfer-id]').innerText()).toBe(transfers[0]?.transferId);
    expect(await page.locator('[data-key=sha256]').innerText()).toBe(createHash('sha256').update(file.bytes).digest('hex'));
    expect(transfers[0]?.fileSha256).toBe(createHash('sha256').update(file.bytes).digest('hex'));
    expect(file.bytes.toString('utf8').split(/\r?\n/)[0]).toMatch(/^family_id,family_reference,member_id/);
    await expectAccessible(page, 'evaluation');
    await screenshot(page, 'evaluation');

    // The outcomes report, small counts withheld, as the API serves it.
    await fillDate(page, 'f-asOf', TODAY);
    const report = await downloaded(page, () => page.click('button:has-text("Download the outcomes report")'));
    expect(report.bytes.toString('utf8')).toBe(
      (
        await rig
          .api()
          .get('/api/reports/outcomes.csv')
          .query({ asOf: TODAY })
          .set(await as('demo.analyst'))
          .expect(200)
      ).text,
    );
    // The transfer made is listed on the ONS transfers page (its destruction: test/browser/privacy.browser.spec.ts).
    await page.click('nav[aria-label=Menu] a:has-text("ONS transfers")');
    await page.waitForSelector(`[data-testid=transfers] tr[data-transfer="${transfers[0]?.transferId}"]`);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
  it("issues and revokes a BI tool's token and places and releases a legal hold, as the administrator", async () => {
    const { context, page, errors } = await rig.signIn('demo.admin');
    await page.click('nav[aria-label=Menu] a:has-text("Service accounts")');
    await page.waitForSelector('form[data-testid=new-service-account]');
    await page.fill('#f-name', 'powerbi-finance');
    await page.selectOption('#f-role', 'finance-officer');
    await page.click('button:has-text("Issue the token")');
    await page.waitForSelector('#issued-token');
    const token = await page.inputValue('#issued-token');
    await rig.api().get('/api/ledger/balances').set('Authorization', `Bearer ${token}`).expect(200);
    await rig.api().post('/api/attachment-fees/receipts').set('Authorization', `Bearer ${token}`).send({}).expect(403);
    await expectAccessible(page, 'service accounts');
    await screenshot(page, 'service-accounts');
    await page.click('tr[data-account="powerbi-finance"] button:has-text("Revoke")');
    await page.waitForFunction(() => document.querySelector('tr[data-account="powerbi-finance"] [data-key=status]')?.textContent?.startsWith('Revoked'));
    await rig.api().get('/api/ledger/balances').set('Authorization', `Bearer ${token}`).expect(401);

    const family = (
      await rig
        .api()
        .get('/api/families')
        .query({ limit: 1, status: 'attached' })
        .set(await as('demo.pm'))
        .expect(200)
    ).body.families[0] as { familyId: string };
    await page.click('nav[aria-label=Menu] a:has-text("Legal holds")');
    await page.waitForSelector('form[data-testid=new-hold]');
    await page.fill('#f-familyId', family.familyId);
    await page.selectOption('#f-kind', 'complaint');
    await page.fill('#f-reference', 'bad reference with spaces');
    await fillDate(page, 'f-placedOn', '2019-04-01');
    await page.click('button:has-text("Place the hold")');
    await page.waitForSelector('#f-reference-error');
    await page.fill('#f-reference', 'CMP/2019/014');
    await page.click('button:has-text("Place the hold")');
    await page.waitForSelector('[data-testid=legal-holds] tbody tr');
    const holds = (
      await rig
        .api()
        .get('/api/legal-holds')
        .set(await as('demo.admin'))
        .expect(200)
    ).body.holds as { holdId: string; familyId: string; reference: string; releasedOn: string | null }[];
    expect(holds).toEqual([expect.objectContaining({ familyId: family.familyId, reference: 'CMP/2019/014', releasedOn: null })]);
    await expectAccessible(page, 'legal holds');
    await page.fill(`#release-${holds[0]?.holdId}`, TODAY);
    await page.click(`tr[data-hold="${holds[0]?.holdId}"] button:has-text("Release")`);
    await page.waitForFunction((id) => document.querySelector(`tr[data-hold="${id}"] [data-key=released]`)?.textContent?.includes('2019'), holds[0]?.holdId);
    expect(
      (
        await rig
          .api()
          .get('/api/legal-holds')
          .set(await as('demo.admin'))
          .expect(200)
      ).body.holds[0].releasedOn,
    ).toBe(TODAY);

    // Partners and ONS transfers, the administrator's too: test/browser/privacy.browser.spec.ts.
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
