/// <reference lib="dom" />
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserRig, expectAccessible, screenshot, startBrowserRig } from '../support/browser';
import { describeWhen, testEnv } from '../support/test-env';

const TODAY = '2019-04-20';
const root = join(__dirname, '..', '..');
const sample = (source: string) => join(root, 'docs', 'samples', `${source}.csv`);

/** The family docs/samples are about (docs/imports.md), identified in the demo borough. */
const FLETCHERS = {
  reference: 'IMP-FLETCHER-WEB',
  identifiedOn: '2016-01-15',
  members: [
    { relationship: 'parent', givenName: 'Dana', familyName: 'Fletcher', dateOfBirth: '1985-03-14', postcode: 'BN1 1AA', nationalInsuranceNumber: 'QQ123456A', nhsNumber: '9434765919' },
    { relationship: 'parent', givenName: 'Lee', familyName: 'Fletcher', dateOfBirth: '1983-11-02', postcode: 'BN1 1AA', nationalInsuranceNumber: 'QQ654321B' },
    { relationship: 'child', givenName: 'Kai', familyName: 'Fletcher', dateOfBirth: '2006-09-21', postcode: 'BN1 1AA', uniquePupilNumber: 'A123456789012' },
    { relationship: 'child', givenName: 'Mia', familyName: 'Fletcher', dateOfBirth: '2009-05-07', postcode: 'BN1 1AA' },
  ],
};

/**
 * Issue 21.2 and 21.6 in the web app: a programme manager uploads a partner file, reads its report
 * (counts, the lines not recorded with their reasons, the CSV), and confirms the match the review
 * queue proposes, which records the row's fact for the family; a police partner may upload police
 * files only and sees no review queue or candidate families. In Debian's Chromium against the real
 * api with the demo borough; axe-core finds nothing serious.
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('importing partner files, in a real browser', () => {
  let rig: BrowserRig;
  let familyId: string;
  let dana: string;

  beforeAll(async () => {
    rig = await startBrowserRig(TODAY, '10');
    const pm = await rig.tokenOf('demo.pm');
    const identified = await rig.api().post('/api/families').set('Authorization', `Bearer ${pm}`).send(FLETCHERS).expect(201);
    familyId = identified.body.familyId;
    dana = identified.body.members[0].memberId;
  }, 300_000);
  afterAll(async () => {
    await rig?.close();
  });

  const history = async () =>
    (
      await rig
        .api()
        .get(`/api/families/${familyId}/history`)
        .set('Authorization', `Bearer ${await rig.tokenOf('demo.pm')}`)
        .expect(200)
    ).body.events as { type: string; data: Record<string, unknown> }[];

  it('lets a programme manager upload a file, read its report and CSV, and confirm a match from the review queue', async () => {
    const { context, page, errors } = await rig.signIn('demo.pm');
    await page.click('.govuk-service-navigation a:has-text("Imports")');
    await page.waitForSelector('[data-testid=upload]');
    await page.waitForSelector('[data-testid=candidate-families] h2');
    await expectAccessible(page, 'imports page');

    // No file chosen: the form says so, and nothing is sent.
    await page.click('button:has-text("Import file")');
    await page.waitForSelector('[data-testid=error-summary] a:has-text("Choose the CSV file")');

    await page.selectOption('#f-source', 'police-asb');
    await page.setInputFiles('#f-file', sample('police-asb'));
    await page.click('button:has-text("Import file")');
    await page.waitForSelector('[data-testid=report-counts]', { timeout: 60_000 });
    const counts = Object.fromEntries(
      await page.$$eval('[data-testid=report-counts] tr', (rows) => rows.map((r) => [r.querySelector('th')?.textContent?.trim() ?? '', r.querySelector('td')?.textContent?.trim() ?? ''])),
    );
    expect(counts).toMatchObject({ Rows: '2', Recorded: '1', 'Matched on name, date of birth and postcode': '1', 'Queued for review': '1', Rejected: '0' });
    expect(await page.textContent('[data-testid=report-lines] tr[data-line="3"]')).toContain('Queued for review');
    expect(await page.textContent('[data-testid=report-lines] tr[data-line="3"]')).toContain('BelowMatchThreshold');

    // The report as CSV, downloaded with the session's token.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Download the report (CSV)")')]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv).toContain('3,review,BelowMatchThreshold');
    expect(csv).toContain(',queued for review,1,');

    // The review queue: the person as the file has them beside the member the ledger proposes.
    await page.waitForSelector('[data-testid=review-item] [data-testid=candidate]:has-text("Dana Fletcher")');
    const item = await page.textContent('[data-testid=review-item]');
    expect(item).toContain('Dana Smith');
    expect(item).toContain('14 March 1985');
    expect(item).toContain('Line 3');
    await expectAccessible(page, 'import report and review queue');
    await screenshot(page, 'import-report');
    expect((await history()).filter((e) => e.type === 'AsbIncidentRecorded' && e.data.occurredOn === '2016-04-20')).toEqual([]);

    await page.click('[data-testid=review-item] button:has-text("Confirm the match")');
    await page.waitForSelector('[data-testid=review-item][data-status=confirmed] [data-testid=review-status]:has-text("Confirmed by demo.pm")', { timeout: 60_000 });
    expect(await page.$('[data-testid=review-item] button:has-text("Confirm the match")')).toBeNull();
    const recorded = (await history()).filter((e) => e.type === 'AsbIncidentRecorded' && e.data.occurredOn === '2016-04-20');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.data.memberId).toBe(dana);

    // The same file again: its report, nothing recorded twice.
    await page.goto(`${rig.base}/imports`);
    await page.waitForSelector('[data-testid=upload]');
    await page.selectOption('#f-source', 'police-asb');
    await page.setInputFiles('#f-file', sample('police-asb'));
    await page.click('button:has-text("Import file")');
    await page.waitForSelector('[data-testid=already-imported]', { timeout: 60_000 });
    expect((await history()).filter((e) => e.type === 'AsbIncidentRecorded')).toHaveLength(2);
    // The past imports, newest first, each linking to its report.
    const importId = new URL(page.url()).pathname.split('/').pop() as string;
    await page.goto(`${rig.base}/imports`);
    await page.waitForSelector(`[data-testid=past-imports] tr[data-import-id="${importId}"]`);
    const row = await page.textContent(`[data-testid=past-imports] tr[data-import-id="${importId}"]`);
    expect(row).toContain('Police: anti-social behaviour incidents');
    expect(row).toContain('20 April 2019');
    await expectAccessible(page, 'imports page with past imports');
    await page.click(`[data-testid=past-imports] tr[data-import-id="${importId}"] a`);
    await page.waitForSelector('[data-testid=report-counts]');
    expect(new URL(page.url()).pathname).toBe(`/imports/${importId}`);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('lets a police partner upload only police files, and shows them no review queue or candidate families', async () => {
    const { context, page, errors } = await rig.signIn('demo.police');
    await page.goto(`${rig.base}/imports`);
    await page.waitForSelector('[data-testid=upload]');
    const options = await page.$$eval('#f-source option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(['police-offences', 'police-asb']);
    expect(await page.$('[data-testid=candidate-families]')).toBeNull();
    await page.selectOption('#f-source', 'police-offences');
    await page.setInputFiles('#f-file', sample('police-offences'));
    await page.click('button:has-text("Import file")');
    await page.waitForSelector('[data-testid=report-counts]', { timeout: 60_000 });
    expect(await page.$('[data-testid=review-queue]')).toBeNull();
    await expectAccessible(page, 'partner import report');
    // Past imports: the police's own only (the programme manager's police-asb file included), none of another organisation's.
    await page.goto(`${rig.base}/imports`);
    await page.waitForSelector('[data-testid=past-imports] tbody tr');
    const kinds = await page.$$eval('[data-testid=past-imports] tbody tr td:nth-child(3)', (cells) => cells.map((c) => c.textContent));
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    expect(new Set(kinds)).toEqual(new Set(['police']));
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
