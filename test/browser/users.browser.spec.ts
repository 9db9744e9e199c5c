/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { type BrowserRig, expectAccessible, screenshot, startBrowserRig } from '../support/browser';
import { describeWhen, testEnv } from '../support/test-env';

/**
 * Issue 20 ("each of the users named in README can do their job in the browser"): the
 * administrator manages users through a page, in Debian's Chromium against the real api. A user
 * added with too short a password is refused beside the field; added properly, they can sign in;
 * a role change and a deactivation take effect on their next request.
 */
describeWhen(existsSync(testEnv.chromium), `no Chromium at ${testEnv.chromium} (apt-get install -y chromium)`)('managing users, in a real browser', () => {
  let rig: BrowserRig;

  beforeAll(async () => {
    rig = await startBrowserRig('2019-04-20', '10');
  }, 300_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('adds a user, changes their role and deactivates them, each taking effect at once', async () => {
    const { context, page, errors } = await rig.signIn('demo.admin');
    await page.click('a.govuk-service-navigation__link:has-text("Users")');
    await page.waitForSelector('[data-testid=users] tr[data-user="demo.pm"]');
    const listed = (
      await rig
        .api()
        .get('/api/users')
        .set('Authorization', `Bearer ${await rig.tokenOf('demo.admin')}`)
        .expect(200)
    ).body.users as { username: string }[];
    expect(await page.$$eval('[data-testid=users] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-user')))).toEqual(listed.map((u) => u.username));
    await expectAccessible(page, 'users');

    // Too short a password: the API's message beside the field, and nobody added.
    await page.fill('#f-username', 'kw.newstarter');
    await page.fill('#f-password', 'short');
    await page.selectOption('#f-role', 'keyworker');
    await page.click('button:has-text("Add user")');
    await page.waitForSelector('[data-testid=error-summary]');
    expect(await page.locator('#f-password-error').innerText()).toMatch(/at least 12 characters/);
    await expectAccessible(page, 'users, with an error');
    expect(await page.locator('tr[data-user="kw.newstarter"]').count()).toBe(0);

    // A double click adds once (one Idempotency-Key per submission).
    await page.fill('#f-password', 'a-long-enough-passphrase');
    await page.dblclick('button:has-text("Add user")');
    await page.waitForSelector('tr[data-user="kw.newstarter"]');
    expect(await page.locator('[data-testid=done]').innerText()).toContain('kw.newstarter added');
    const signIn = () => rig.api().post('/api/auth/token').send({ username: 'kw.newstarter', password: 'a-long-enough-passphrase' });
    const token = (await signIn().expect(200)).body.accessToken as string;
    await rig.api().get('/api/families').set('Authorization', `Bearer ${token}`).expect(200);
    await screenshot(page, 'users');

    // A role change: the old role's token stops at once; a new sign-in carries the new role.
    await page.selectOption('#role-kw\\.newstarter', 'analyst');
    await page.click('tr[data-user="kw.newstarter"] button:has-text("Change role")');
    await page.waitForFunction(() => document.querySelector('[data-testid=done]')?.textContent?.includes('kw.newstarter is now analyst'));
    await rig.api().get('/api/families').set('Authorization', `Bearer ${token}`).expect(401);
    expect((await signIn().expect(200)).body.role).toBe('analyst');

    // Deactivated: no sign-in; reactivated: signs in again.
    await page.click('tr[data-user="kw.newstarter"] button:has-text("Deactivate")');
    await page.waitForFunction(() => document.querySelector('tr[data-user="kw.newstarter"] [data-key=status]')?.textContent === 'Deactivated');
    await signIn().expect(401);
    await page.click('tr[data-user="kw.newstarter"] button:has-text("Reactivate")');
    await page.waitForFunction(() => document.querySelector('tr[data-user="kw.newstarter"] [data-key=status]')?.textContent === 'Active');
    await signIn().expect(200);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('sets up the programme, reads the access log and erases a person, as the API does', async () => {
    const admin = await rig.tokenOf('demo.admin');
    const pmToken = await rig.tokenOf('demo.pm');
    const { context, page, errors } = await rig.signIn('demo.admin');

    // The programme: an allocation below the families attached is refused in words, nothing saved.
    await page.click('a.govuk-service-navigation__link:has-text("Programme")');
    await page.waitForSelector('form[data-testid=programme]');
    const before = (await rig.api().get('/api/programme').set('Authorization', `Bearer ${admin}`).expect(200)).body as { allocation: number; version: number };
    expect(await page.inputValue('#f-allocation')).toBe(String(before.allocation));
    await page.fill('#f-allocation', '1');
    await page.click('button:has-text("Save the programme")');
    await page.waitForSelector('[data-testid=error-summary]');
    expect((await rig.api().get('/api/programme').set('Authorization', `Bearer ${admin}`).expect(200)).body.allocation).toBe(before.allocation);
    await page.fill('#f-allocation', String(before.allocation + 10));
    await page.click('button:has-text("Save the programme")');
    await page.waitForSelector('[data-testid=done]');
    expect((await rig.api().get('/api/programme').set('Authorization', `Bearer ${admin}`).expect(200)).body.allocation).toBe(before.allocation + 10);
    await expectAccessible(page, 'programme');
    await screenshot(page, 'programme');

    // A read of a family's records shows in the access log, filtered by family.
    const family = (await rig.api().get('/api/families').query({ limit: 1, status: 'attached' }).set('Authorization', `Bearer ${pmToken}`).expect(200)).body.families[0] as { familyId: string };
    const members = (await rig.api().get(`/api/families/${family.familyId}`).set('Authorization', `Bearer ${pmToken}`).expect(200)).body.members as { memberId: string }[];
    await page.click('a.govuk-service-navigation__link:has-text("Access log")');
    await page.fill('#f-familyId', family.familyId);
    await page.click('button:has-text("Show the log")');
    await page.waitForFunction((id) => new URL(location.href).searchParams.get('familyId') === id, family.familyId);
    await page.waitForSelector('[data-testid=access-log] tbody tr');
    const logged = (await rig.api().get('/api/audit/access-log').query({ familyId: family.familyId, limit: 100 }).set('Authorization', `Bearer ${admin}`).expect(200)).body.entries as {
      id: string | number;
      userId: string;
    }[];
    expect(await page.$$eval('[data-testid=access-log] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-entry')))).toEqual(logged.map((e) => String(e.id)));
    expect(logged.some((e) => e.userId === 'demo.pm')).toBe(true);
    await expectAccessible(page, 'access log');
    await screenshot(page, 'access-log');

    // Erasure asks for a confirmation, then destroys the person's key: their names are gone.
    const memberId = members[0]?.memberId as string;
    await page.click('a.govuk-service-navigation__link:has-text("Erase a person")');
    await page.fill('#f-memberId', memberId);
    await page.fill('#f-reason', 'request from the data subject (ref DSR-2019-044)');
    await page.click('button:has-text("Erase this person")');
    await page.waitForSelector('#f-confirm-error');
    const stillThere = (await rig.api().get(`/api/families/${family.familyId}`).set('Authorization', `Bearer ${pmToken}`).expect(200)).body.members as { memberId: string; givenName?: string }[];
    expect(stillThere.find((m) => m.memberId === memberId)?.givenName).toEqual(expect.any(String));
    await page.check('#f-confirm');
    await page.click('button:has-text("Erase this person")');
    await page.waitForSelector('[data-testid=done]');
    expect(await page.locator('[data-testid=done]').innerText()).toContain('Erased');
    const after = (await rig.api().get(`/api/families/${family.familyId}`).set('Authorization', `Bearer ${pmToken}`).expect(200)).body.members as { memberId: string; givenName?: string }[];
    expect(after.find((m) => m.memberId === memberId)?.givenName).not.toEqual(stillThere.find((m) => m.memberId === memberId)?.givenName);
    await expectAccessible(page, 'erasure');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('shows the page to administrators only', async () => {
    const { context, page } = await rig.signIn('demo.pm');
    expect(await page.locator('a.govuk-service-navigation__link:has-text("Users")').count()).toBe(0);
    await page.goto(`${rig.base}/users`);
    await page.waitForFunction(() => location.pathname !== '/users');
    await context.close();
  }, 120_000);
});
