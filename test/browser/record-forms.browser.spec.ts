/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { type BrowserRig, expectAccessible, fillDate, screenshot, startBrowserRig, waitShown } from '../support/browser';
import { describeWhen, testEnv } from '../support/test-env';

const TODAY = '2019-04-20';

interface HistoryEvent {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Issue 20.3 and 20.7: a keyworker records what happened through the forms, in Debian's Chromium
 * against the real api with the demo borough. An attendance return changes the family's progress
 * on the page; a double click and a resend after a lost answer record once (Idempotency-Key); an
 * edit made on a stale page is refused (If-Match) and recorded after a reload; the API's
 * validation messages show beside their fields; axe-core finds nothing serious.
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('recording what happened, in a real browser', () => {
  let rig: BrowserRig;
  let keyworker: string;
  let familyId: string;
  let child: { memberId: string; givenName: string };

  beforeAll(async () => {
    rig = await startBrowserRig(TODAY);
    // A keyworker of the demo borough (a user already, with the demo password) and one of their
    // attached families with a child, attached before the school year whose terms are recorded.
    const pm = await rig.tokenOf('demo.pm');
    const all = (await rig.api().get('/api/families').query({ limit: 1000, status: 'attached' }).set('Authorization', `Bearer ${pm}`).expect(200)).body.families as {
      familyId: string;
      keyworker: string;
      attachedOn: string;
    }[];
    const candidates = all.filter((f) => f.keyworker && f.attachedOn < '2018-01-01');
    for (const f of candidates) {
      const family = (await rig.api().get(`/api/families/${f.familyId}`).set('Authorization', `Bearer ${pm}`).expect(200)).body as {
        members: { memberId: string; relationship: string; givenName: string }[];
      };
      const kid = family.members.find((m) => m.relationship === 'child');
      if (!kid) continue;
      familyId = f.familyId;
      keyworker = f.keyworker;
      child = kid;
      break;
    }
    expect(familyId).toBeDefined();
  }, 300_000);
  afterAll(async () => {
    await rig?.close();
  });

  async function history(): Promise<HistoryEvent[]> {
    return (
      await rig
        .api()
        .get(`/api/families/${familyId}/history`)
        .set('Authorization', `Bearer ${await rig.tokenOf('demo.pm')}`)
        .expect(200)
    ).body.events;
  }

  async function openForm(page: Page, kind: string): Promise<void> {
    await page.goto(`${rig.base}/families/${familyId}/record`);
    await page.waitForSelector('[data-testid=kinds]');
    await page.click(`[data-testid=kinds] a[href$="kind=${kind}"]`);
    await page.waitForSelector(`form[data-kind=${kind}]`);
  }

  /** An attendance term of the child not recorded yet (a return for a recorded term is refused: it is corrected instead). */
  function freeTerm(events: HistoryEvent[]): { academicYear: string; term: string } {
    const taken = new Set(events.filter((e) => e.type === 'SchoolAttendanceRecorded' && e.data.memberId === child.memberId).map((e) => `${String(e.data.academicYear)} ${String(e.data.term)}`));
    const free = [
      ['2018/19', 'spring'],
      ['2018/19', 'autumn'],
      ['2017/18', 'summer'],
      ['2017/18', 'spring'],
      ['2017/18', 'autumn'],
      ['2018/19', 'summer'],
    ].find(([y, t]) => !taken.has(`${y} ${t}`));
    if (!free) throw new Error('no free term for the test child');
    return { academicYear: free[0] as string, term: free[1] as string };
  }

  it('lets a keyworker record an attendance return through the form, and shows the progress change', async () => {
    const { context, page, errors } = await rig.signIn(keyworker);
    await page.goto(`${rig.base}/families/${familyId}/record`);
    await page.waitForSelector('[data-testid=progress] tr[data-problem]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=kinds]');
    // A keyworker records every kind; the nav and the page say whose family it is.
    expect(await page.locator('[data-testid=kinds] a').count()).toBe(11);
    await expectAccessible(page, 'record: what happened');
    await screenshot(page, 'record-what-happened');
    const progressBefore = await page.locator('[data-testid=progress] tbody').innerText();

    const before = await history();
    const { academicYear, term } = freeTerm(before);
    await page.click('[data-testid=kinds] a[href$="kind=attendance"]');
    await page.waitForSelector('form[data-kind=attendance]');
    await page.selectOption('#f-memberId', child.memberId);
    await page.fill('#f-academicYear', academicYear);
    await page.check(`#f-term${term === 'autumn' ? '' : `-${term}`}`);
    await page.fill('#f-possibleSessions', '120');
    await page.fill('#f-attendedSessions', '60');
    await page.fill('#f-unauthorisedAbsenceSessions', '40');
    await screenshot(page, 'record-attendance-form');
    await page.click('form[data-kind=attendance] button[type=submit]');
    await waitShown(page, '[data-testid=recorded]');
    expect(await page.locator('[data-testid=recorded]').innerText()).toContain('Attendance return recorded');

    const recorded = (await history()).slice(before.length);
    expect(recorded.map((e) => [e.type, e.data.memberId, e.data.academicYear, e.data.term, e.data.possibleSessions, e.data.attendedSessions])).toEqual([
      ['SchoolAttendanceRecorded', child.memberId, academicYear, term, 120, 60],
    ]);
    // The progress on the page is read again: the return (50% attendance) changes it.
    await page.waitForFunction((old) => (document.querySelector('[data-testid=progress] tbody') as HTMLElement | null)?.innerText !== old, progressBefore, { timeout: 30_000 });
    // The rule now reads the return: "<child> (child): attendance 50% in spring 2018/19, below 90%".
    expect(await page.locator('[data-testid=progress] tr[data-problem=education] [data-key=detail]').innerText()).toContain(
      `${child.givenName} (child): attendance 50% in ${term} ${academicYear}, below 90%`,
    );
    expect(progressBefore).not.toContain(`attendance 50% in ${term} ${academicYear}`);
    // The new fact is listed, and can be corrected through the same form.
    await page.waitForSelector(`[data-testid=facts] li[data-event="${recorded[0]?.eventId}"]`);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("shows the API's validation messages beside each field and in a summary at the top, recording nothing", async () => {
    const { context, page } = await rig.signIn(keyworker);
    await openForm(page, 'attendance');
    const before = (await history()).length;
    await page.selectOption('#f-memberId', child.memberId);
    await page.fill('#f-academicYear', 'last year');
    await page.fill('#f-possibleSessions', 'many');
    await page.click('form[data-kind=attendance] button[type=submit]');
    await page.waitForSelector('[data-testid=error-summary]');
    // Every field the API named: beside the field, and as a link in the summary (focused).
    expect(await page.locator('#f-academicYear-error').innerText()).toContain('must be an academic year like 2016/17');
    expect(await page.locator('#f-possibleSessions-error').innerText()).toMatch(/Possible sessions/);
    expect(await page.locator('#f-term-error').count()).toBe(1);
    expect(await page.locator('#f-attendedSessions-error').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('error-summary');
    const links = await page.locator('.govuk-error-summary__list a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(expect.arrayContaining(['#f-academicYear', '#f-possibleSessions', '#f-term']));
    await expectAccessible(page, 'record: attendance form with errors');
    await screenshot(page, 'record-attendance-errors');

    // A rule the API applies (more attended than possible) is said in plain words.
    await page.fill('#f-academicYear', '2016/17');
    await page.check('#f-term');
    await page.fill('#f-possibleSessions', '100');
    await page.fill('#f-attendedSessions', '150');
    await page.fill('#f-unauthorisedAbsenceSessions', '0');
    await page.click('form[data-kind=attendance] button[type=submit]');
    await page.waitForSelector('text=Sessions attended cannot be more than the possible sessions');
    expect((await history()).length).toBe(before);
    await context.close();
  }, 180_000);

  it('records a double-clicked form once, and a resend after a lost answer once', async () => {
    const { context, page } = await rig.signIn(keyworker);
    await openForm(page, 'asb');
    const before = (await history()).length;
    // The first answer is lost on the way back (the server has recorded it): the user sends again.
    let lost = 0;
    const keys: string[] = [];
    await page.route('**/api/families/*/asb-incidents', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (lost > 0) return route.continue();
      lost += 1;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.selectOption('#f-memberId', child.memberId);
    await fillDate(page, 'f-occurredOn', '2019-04-02');
    await page.fill('#f-kind', 'noise nuisance');
    await page.dblclick('form[data-kind=asb] button[type=submit]');
    await page.waitForSelector('text=The ledger did not answer');
    expect((await history()).length).toBe(before + 1);
    await page.click('form[data-kind=asb] button[type=submit]');
    await waitShown(page, '[data-testid=recorded]');
    // One key for the submission and its resend; the double click sent one request.
    expect(keys.length).toBe(2);
    expect(new Set(keys).size).toBe(1);
    const added = (await history()).slice(before);
    expect(added.map((e) => [e.type, e.data.occurredOn])).toEqual([['AsbIncidentRecorded', '2019-04-02']]);

    // A second incident from the same (reloaded) form is a new submission with a new key: recorded.
    await page.unroute('**/api/families/*/asb-incidents');
    await page.click('[data-testid=kinds] a[href$="kind=asb"]');
    await page.waitForSelector('form[data-kind=asb]');
    await fillDate(page, 'f-occurredOn', '2019-04-03');
    await page.dblclick('form[data-kind=asb] button[type=submit]');
    await waitShown(page, '[data-testid=recorded]');
    expect((await history()).slice(before).map((e) => e.data.occurredOn)).toEqual(['2019-04-02', '2019-04-03']);
    await context.close();
  }, 180_000);

  it('refuses an edit made on a stale page, says someone else recorded since, and records it after a reload', async () => {
    const { context, page } = await rig.signIn(keyworker);
    await openForm(page, 'offence');
    await page.selectOption('#f-memberId', child.memberId);
    await fillDate(page, 'f-committedOn', '2019-03-30');
    await page.check('#f-proven');
    // Meanwhile the programme manager records something for this family.
    await rig
      .api()
      .post(`/api/families/${familyId}/domestic-abuse-incidents`)
      .set('Authorization', `Bearer ${await rig.tokenOf('demo.pm')}`)
      .send({ occurredOn: '2019-04-01' })
      .expect(201);
    const before = (await history()).length;
    await page.click('form[data-kind=offence] button[type=submit]');
    await page.waitForSelector('[data-testid=stale]');
    expect(await page.locator('[data-testid=stale]').innerText()).toContain('Someone else recorded something for this family since you opened it');
    expect((await history()).length).toBe(before);
    await expectAccessible(page, 'record: stale edit refused');
    await screenshot(page, 'record-stale-edit');

    // The reload link reads the family again (with its new ETag); the entry is kept and sent again.
    await page.click('text=Reload the family to see what changed');
    await page.waitForSelector('[data-testid=error-summary]', { state: 'detached' });
    await page.waitForFunction(() => document.querySelector('[data-testid=facts]')?.textContent?.includes('Domestic abuse incident'), undefined, { timeout: 30_000 });
    await page.click('form[data-kind=offence] button[type=submit]');
    await waitShown(page, '[data-testid=recorded]');
    expect((await history()).slice(before).map((e) => [e.type, e.data.committedOn, e.data.proven])).toEqual([['OffenceRecorded', '2019-03-30', true]]);
    await context.close();
  }, 180_000);

  it('corrects a recorded fact through its form, and shows a partner only the kinds their organisation records', async () => {
    const { context, page } = await rig.signIn(keyworker);
    const before = await history();
    const offence = [...before].reverse().find((e) => e.type === 'OffenceRecorded' && e.data.committedOn === '2019-03-30') as HistoryEvent;
    await page.goto(`${rig.base}/families/${familyId}/record?kind=offence&correct=${offence.eventId}`);
    await page.waitForSelector('form[data-kind=offence]');
    expect(await page.inputValue('#f-committedOn-day')).toBe('30');
    await page.check('#f-proven-no');
    await page.fill('#f-reason', 'the court did not convict');
    await page.click('form[data-kind=offence] button[type=submit]');
    await waitShown(page, '[data-testid=recorded]');
    expect((await history()).slice(before.length).map((e) => [e.type, e.data.proven ?? e.data.supersededEventId])).toEqual([
      ['FactCorrected', offence.eventId],
      ['OffenceRecorded', false],
    ]);
    await context.close();

    // Another keyworker's family offers this keyworker no form.
    const pm = await rig.tokenOf('demo.pm');
    const others = (await rig.api().get('/api/families').query({ limit: 1000, status: 'attached' }).set('Authorization', `Bearer ${pm}`).expect(200)).body.families as {
      familyId: string;
      keyworker: string;
    }[];
    const notTheirs = others.find((f) => f.keyworker !== keyworker) as { familyId: string };
    const kw = await rig.signIn(keyworker);
    await kw.page.goto(`${rig.base}/families/${notTheirs.familyId}/record?kind=attendance`);
    await kw.page.waitForSelector('text=This family is not one of yours');
    expect(await kw.page.locator('form[data-kind], [data-testid=kinds]').count()).toBe(0);
    // A finance officer records nothing: the address sends them home.
    const finance = await rig.signIn('demo.finance');
    await finance.page.goto(`${rig.base}/families/${familyId}/record`);
    await finance.page.waitForURL((url) => url.pathname === '/dashboard');
    await kw.context.close();
    await finance.context.close();

    // A school partner (made by the admin) records attendance and exclusions only, and reads nothing back.
    const admin = await rig.tokenOf('demo.admin');
    await rig.api().post('/api/users').set('Authorization', `Bearer ${admin}`).send({ username: 'school.office', password: 'demo-borough-only', role: 'partner', organisation: 'school' }).expect(201);
    const partner = await rig.signIn('school.office');
    expect(new URL(partner.page.url()).pathname).toBe('/record');
    await partner.page.fill('#f-familyId', familyId);
    await partner.page.click('button:has-text("Continue")');
    await partner.page.waitForSelector('[data-testid=kinds]');
    expect(await partner.page.locator('[data-testid=kinds] a').allInnerTexts()).toEqual(['School attendance return', 'Exclusion from school']);
    await expectAccessible(partner.page, 'record: partner');
    await screenshot(partner.page, 'record-partner');
    await partner.context.close();
  }, 180_000);
});
