import request from 'supertest';
import { storeKinds, startTestApp, type TestApp } from '../support/app';

/** Sign-in: the bootstrap admin, users added by admins, bearer tokens, lock-out. */
describe.each(storeKinds)('signing in on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { LEDGER_BOOTSTRAP_ADMIN: 'admin.root:correct-horse-battery', LEDGER_JWT_SECRET: 'x'.repeat(40), LEDGER_SIGN_IN_FAILURES_PER_ADDRESS: '100' });
  });
  afterAll(async () => {
    await t.close();
  });

  const signIn = (username: string, password: string) => request(t.app.getHttpServer()).post('/api/auth/token').send({ username, password });

  it('lets the bootstrap admin sign in and add users, and records who acted', async () => {
    const admin = await signIn('admin.root', 'correct-horse-battery').expect(200);
    expect(admin.body).toMatchObject({ tokenType: 'Bearer', role: 'admin', expiresIn: 900 });
    const auth = { Authorization: `Bearer ${admin.body.accessToken}` };
    await request(t.app.getHttpServer()).post('/api/users').set(auth).send({ username: 'finance.lee', password: 'a-long-password-1', role: 'finance-officer' }).expect(201);
    const partner = await request(t.app.getHttpServer()).post('/api/users').set(auth).send({ username: 'police.pc', password: 'a-long-password-2', role: 'partner' }).expect(422);
    expect(partner.body.reason).toBe('OrganisationRequired');
    const list = await request(t.app.getHttpServer()).get('/api/users').set(auth).expect(200);
    expect(list.body.users.map((u: { username: string }) => u.username)).toEqual(['admin.root', 'finance.lee', 'pm.test']);
    expect(JSON.stringify(list.body)).not.toContain('password');

    await request(t.app.getHttpServer()).put('/api/programme').set(auth).send({ councilName: 'Test', framework: 'troubled-families-2015', allocation: 5 }).expect(200);
    const programme = await t.stores.eventStore.readStream('programme-council');
    expect(programme.events[0]?.metadata.actor).toEqual({ userId: 'admin.root', role: 'admin' });
  });

  it('refuses a non-admin adding users (403) and anyone not signed in (401)', async () => {
    const lee = await signIn('finance.lee', 'a-long-password-1').expect(200);
    const body = { username: 'kw.sam', password: 'a-long-password-3', role: 'keyworker' };
    expect(
      (
        await request(t.app.getHttpServer())
          .post('/api/users')
          .set({ Authorization: `Bearer ${lee.body.accessToken}` })
          .send(body)
          .expect(403)
      ).body.reason,
    ).toBe('Forbidden');
    expect((await request(t.app.getHttpServer()).post('/api/users').send(body).expect(401)).body.reason).toBe('NotSignedIn');
  });

  it('answers 401 for a forged or malformed token', async () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbi5yb290Iiwicm9sZSI6ImFkbWluIn0.c2lnbmF0dXJl';
    expect(
      (
        await request(t.app.getHttpServer())
          .get('/api/users')
          .set({ Authorization: `Bearer ${forged}` })
          .expect(401)
      ).body.reason,
    ).toBe('InvalidToken');
    await request(t.app.getHttpServer()).get('/api/users').set({ Authorization: 'Basic abc' }).expect(401);
  });

  it('does not say whether the username or the password was wrong, and locks out after 10 failures in 15 minutes without saying so', async () => {
    const unknown = (await signIn('nobody', 'whatever').expect(401)).body;
    expect(unknown).toMatchObject({ reason: 'SignInRefused', message: 'unknown username or wrong password' });
    for (let i = 0; i < 10; i += 1) expect((await signIn('finance.lee', 'wrong').expect(401)).body.reason).toBe('SignInRefused');
    expect((await signIn('finance.lee', 'a-long-password-1').expect(401)).body).toEqual(unknown);
    const users = (
      await request(t.app.getHttpServer())
        .get('/api/users')
        .set({ Authorization: `Bearer ${(await signIn('admin.root', 'correct-horse-battery')).body.accessToken}` })
        .expect(200)
    ).body.users as { username: string; lockedUntil: string | null }[];
    expect(users.find((u) => u.username === 'finance.lee')?.lockedUntil).toEqual(expect.any(String));
  });
});
