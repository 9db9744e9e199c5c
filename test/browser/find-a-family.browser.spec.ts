/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { type BrowserRig, DEMO_PASSWORD, expectAccessible, screenshot, startBrowserRig } from '../support/browser';
import { describeWhen, testEnv } from '../support/test-env';

const TODAY = '2019-04-20';

interface Member {
  memberId: string;
  relationship: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
}

/**
 * Issue 20 (items 1, 2, 5 and 6) in Debian's Chromium against the real api on the embedded store
 * with the demo borough: a programme manager finds a family by a member's misspelt name and, once
 * that person is erased, no longer finds them; the family's page tells its timeline in words (a
 * correction shown with what it replaced) and its progress as of a date and as known then, as the
 * API gives them; the work list of families with no result shows the API's list; a keyworker and
 * a finance officer see their own views; axe-core finds no serious or critical violation; each page
 * is saved as a screenshot when LEDGER_TEST_SCREENSHOTS is set (`npm run screenshots`).
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('finding a family and reading its story in a real browser', () => {
  let rig: BrowserRig;
  let base: string;

  beforeAll(async () => {
    rig = await startBrowserRig(TODAY);
    base = rig.base;
  }, 300_000);
  afterAll(async () => {
    await rig?.close();
  });

  const tokenOf = (username: string): Promise<string> => rig.tokenOf(username);
  const signIn = (username: string) => rig.signIn(username);

  async function api<T>(username: string, path: string, query: Record<string, string | number> = {}): Promise<T> {
    return (
      await rig
        .api()
        .get(path)
        .query(query)
        .set('Authorization', `Bearer ${await tokenOf(username)}`)
        .expect(200)
    ).body as T;
  }

  async function post(username: string, path: string, body: object, status = 201): Promise<Record<string, unknown>> {
    return (
      await rig
        .api()
        .post(path)
        .send(body)
        .set('Authorization', `Bearer ${await tokenOf(username)}`)
        .expect(status)
    ).body;
  }

  /** An attached family with a child and a member whose name is theirs alone in the family. */
  async function aFamily(): Promise<{ familyId: string; reference: string; keyworker: string; member: Member; child: Member }> {
    const list = await api<{ families: { familyId: string; attachedOn: string | null; keyworker: string | null }[] }>('demo.pm', '/api/families', { status: 'attached', limit: 1000 });
    for (const f of list.families) {
      const family = await api<{ reference: string; members: Member[] }>('demo.pm', `/api/families/${f.familyId}`);
      const child = family.members.find((m) => m.relationship === 'child');
      const member = family.members.find((m) => family.members.filter((o) => o.givenName === m.givenName && o.familyName === m.familyName).length === 1 && m.familyName.length >= 6);
      if (child && member && f.keyworker) return { familyId: f.familyId, reference: family.reference, keyworker: f.keyworker, member, child };
    }
    throw new Error('the demo borough has no attached family with a child');
  }

  /** `2019-03-31` → "31 March 2019", as the page writes dates. */
  const ukDate = (date: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));

  /** "Sampleton" → "Smapleton": two letters swapped (one typo), the given name in lower case. */
  const misspelt = (m: Member) => `${m.givenName.toLowerCase()} ${m.familyName[0]}${m.familyName[2]}${m.familyName[1]}${m.familyName.slice(3)}`;

  it('finds a family by a member’s misspelt name, opens its page with the timeline in words and progress as of a date and as known then', async () => {
    const chosen = await aFamily();
    // A fact recorded and then corrected, so the timeline shows a correction with what it replaced.
    const offence = await post('demo.pm', `/api/families/${chosen.familyId}/offences`, { memberId: chosen.child.memberId, committedOn: '2019-03-02', proven: true });
    await post('demo.pm', `/api/families/${chosen.familyId}/corrections`, {
      supersedesEventId: offence.eventId,
      replacement: { path: 'offences', body: { memberId: chosen.child.memberId, committedOn: '2019-03-02', proven: false } },
    });

    const { context, page, errors } = await signIn('demo.pm');
    await page.click('a.govuk-service-navigation__link:has-text("Find a family")');
    await page.waitForSelector('#name');
    await page.fill('#name', misspelt(chosen.member));
    await page.selectOption('#sort', 'reference');
    await page.click('button:has-text("Search")');
    await page.waitForSelector(`tr[data-found="${chosen.familyId}"]`, { timeout: 30_000 });
    const apiAnswer = await api<{ total: number; families: { familyId: string }[] }>('demo.pm', '/api/families', { name: misspelt(chosen.member), sort: 'reference', limit: 20 });
    expect(await page.getByTestId('found-count').innerText()).toBe(apiAnswer.total === 1 ? '1 family found' : `${apiAnswer.total} families found`);
    expect(await page.$$eval('tr[data-found]', (rows) => rows.map((r) => r.getAttribute('data-found')))).toEqual(apiAnswer.families.map((f) => f.familyId));
    expect(await page.locator(`tr[data-found="${chosen.familyId}"] td[data-key=matches]`).innerText()).toContain(`${chosen.member.givenName} ${chosen.member.familyName}`);
    // The search is in the address.
    expect(new URL(page.url()).searchParams.get('name')).toBe(misspelt(chosen.member));
    await expectAccessible(page, 'find a family, results');
    await screenshot(page, 'find-a-family');

    // The family's page: members, keyworker, problems at entry, the timeline in words.
    await page.click(`tr[data-found="${chosen.familyId}"] th a`);
    await page.waitForSelector('[data-testid=timeline] li');
    expect(new URL(page.url()).pathname).toBe(`/families/${chosen.familyId}`);
    expect(await page.locator('h1').innerText()).toBe(chosen.reference);
    expect(await page.locator('[data-testid=family-summary] [data-key=keyworker]').innerText()).toBe(chosen.keyworker);
    expect(await page.locator('[data-testid=members]').innerText()).toContain(`${chosen.child.givenName} ${chosen.child.familyName}`);
    expect(await page.locator('[data-testid=problems-at-entry] li').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid=problems-at-entry]').innerText()).toMatch(/: .+, source \w+/);
    const timeline = await api<{ entries: { eventId: string; text: string; corrected?: object; replaces?: { text: string } }[] }>('demo.pm', `/api/families/${chosen.familyId}/timeline`);
    const shownTexts = await page.$$eval('[data-testid=timeline] li .app-timeline__text', (ps) => ps.map((p) => (p.textContent ?? '').replace(/ — corrected .*$/, '')));
    expect(shownTexts).toEqual(timeline.entries.map((e) => e.text));
    expect(shownTexts.some((text) => /^(Autumn|Spring|Summer) term \d{4}: .+ attended \d+% \(\d+ of \d+ sessions\)/.test(text))).toBe(true);
    const wrong = page.locator(`li[data-event="${String(offence.eventId)}"]`);
    expect(await wrong.innerText()).toContain(`Offence, proven, 2 March 2019: ${chosen.child.givenName} — corrected 20 April 2019`);
    expect(await page.locator('li', { hasText: 'Correction: replaces' }).innerText()).toContain(`Offence, not proven, 2 March 2019: ${chosen.child.givenName}`);

    // Progress as of a date, and as known on an earlier day, as the API gives them.
    await page.waitForSelector('[data-testid=progress] tr[data-problem]');
    // Known then: the day the family was first recorded (the demo borough back-fills, so facts arrive later).
    const firstKnown = (timeline.entries[0] as unknown as { recordedOn: string }).recordedOn;
    for (const query of [{ asOf: '2019-03-31' }, { asOf: '2019-03-31', knownAt: firstKnown }] as { asOf: string; knownAt?: string }[]) {
      await page.fill('#asOf', query.asOf);
      await page.fill('#knownAt', query.knownAt ?? '');
      await page.click('button:has-text("Show progress")');
      const summary = `As of 31 March 2019${query.knownAt ? `, as known on ${ukDate(query.knownAt)}` : ''}`;
      await page
        .waitForFunction((text) => document.querySelector('[data-testid=progress-summary]')?.textContent?.startsWith(text), summary, { timeout: 15_000 })
        .catch(async (e: unknown) => {
          throw new Error(`${String(e)}; at ${page.url()}: ${await page.locator('main').innerText()}`);
        });
      const progress = await api<{ problems: { problem: string; met: boolean; detail: string }[]; claimable: boolean }>('demo.pm', `/api/families/${chosen.familyId}/progress`, query);
      const rows = await page.$$eval('[data-testid=progress] tr[data-problem]', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-problem'), ...[...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)]),
      );
      expect(rows.slice(0, -1)).toEqual(progress.problems.map((p) => [p.problem, p.met ? 'Met' : 'Not yet', p.detail]));
      if (!query.knownAt) await screenshot(page, 'family-page');
    }
    expect(new URL(page.url()).searchParams.get('knownAt')).toBe(firstKnown);
    await expectAccessible(page, "a family's page");
    // From the family's page to its forms (issue 20.3), for those who record.
    await page.click('a:has-text("Record what happened")');
    await page.waitForFunction((path) => location.pathname === path, `/families/${chosen.familyId}/record`);
    await page.goBack();
    await page.waitForSelector('[data-testid=timeline] li');
    expect(errors).toEqual([]);

    // Erased, the person is no longer found.
    await post('demo.admin', `/api/people/${chosen.member.memberId}/erasure`, { reason: 'request from the person' }, 202);
    await page.goto(`${base}/find-a-family?name=${encodeURIComponent(misspelt(chosen.member))}`);
    await page.waitForSelector('[data-testid=found-count]');
    expect(await page.locator(`tr[data-found="${chosen.familyId}"]`).count()).toBe(0);
    const after = await api<{ families: { familyId: string }[] }>('demo.pm', '/api/families', { name: misspelt(chosen.member), limit: 1000 });
    expect(after.families.map((f) => f.familyId)).not.toContain(chosen.familyId);
    await context.close();
  }, 240_000);

  it('shows the programme manager the families attached 6 and 12 months with no result, as the API lists them', async () => {
    const { context, page, errors } = await signIn('demo.pm');
    await page.click('a.govuk-service-navigation__link:has-text("No result yet")');
    await page.waitForSelector('section[data-band] tbody tr');
    await page.fill('#asOf', '2017-09-30');
    await page.click('button:has-text("Show the list")');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('asOf') === '2017-09-30');
    const list = await api<{ counts: Record<string, number>; families: { familyId: string; band: string; problemsUnmet: string[] }[] }>('demo.pm', '/api/work-lists/no-result', { asOf: '2017-09-30' });
    expect(list.families.length).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-listed]').length === n, list.families.length);
    for (const band of ['6-to-12-months', 'more-than-12-months']) {
      expect(await page.getByTestId(`count-${band}`).innerText()).toBe(String(list.counts[band]));
      const shown = await page.$$eval(`section[data-band="${band}"] tr[data-listed]`, (rows) => rows.map((r) => r.getAttribute('data-listed')));
      expect(shown).toEqual(list.families.filter((f) => f.band === band).map((f) => f.familyId));
    }
    await expectAccessible(page, 'no-result work list');
    await screenshot(page, 'no-result-work-list');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('gives a keyworker their own families only, and a finance officer references without people', async () => {
    const chosen = await aFamily();
    const kw = await signIn(chosen.keyworker);
    await kw.page.goto(`${base}/find-a-family?name=${encodeURIComponent(chosen.child.givenName)}`);
    await kw.page.waitForSelector('[data-testid=found-count]');
    const theirs = await api<{ families: { familyId: string; keyworker: string }[] }>(chosen.keyworker, '/api/families', { name: chosen.child.givenName, limit: 20 });
    expect(theirs.families.every((f) => f.keyworker === chosen.keyworker)).toBe(true);
    expect(await kw.page.$$eval('tr[data-found]', (rows) => rows.map((r) => r.getAttribute('data-found')))).toEqual(theirs.families.map((f) => f.familyId));
    await expectAccessible(kw.page, 'find a family, keyworker');
    await kw.context.close();

    const fo = await signIn('demo.finance');
    await fo.page.goto(`${base}/find-a-family?reference=${encodeURIComponent(chosen.reference)}`);
    await fo.page.waitForSelector(`tr[data-found="${chosen.familyId}"]`);
    expect(await fo.page.locator('#name').count()).toBe(0);
    await fo.page.click(`tr[data-found="${chosen.familyId}"] th a`);
    await fo.page.waitForSelector('[data-testid=members]');
    expect(await fo.page.locator('[data-testid=members]').innerText()).not.toContain(chosen.child.givenName);
    expect(await fo.page.locator('[data-testid=timeline]').count()).toBe(0);
    expect(await fo.page.locator('a:has-text("Record what happened")').count()).toBe(0);
    await expectAccessible(fo.page, 'family page, finance officer');
    await screenshot(fo.page, 'family-page-finance-officer');
    await fo.context.close();
  }, 120_000);

  it('has a keyworker and a partner of each kind among the demo users', async () => {
    for (const username of ['demo.police', 'demo.school', 'demo.dwp', 'demo.health']) {
      const signedIn = (await rig.api().post('/api/auth/token').send({ username, password: DEMO_PASSWORD }).expect(200)).body;
      expect(signedIn.role).toBe('partner');
    }
    const users = await api<{ users: { username: string; role: string; organisation?: string }[] }>('demo.admin', '/api/users');
    expect(
      users.users
        .filter((u) => u.role === 'partner')
        .map((u) => u.organisation)
        .sort(),
    ).toEqual(['dwp', 'health', 'police', 'school']);
    expect(users.users.some((u) => u.role === 'keyworker' && u.username.startsWith('kw.'))).toBe(true);
  });
});
