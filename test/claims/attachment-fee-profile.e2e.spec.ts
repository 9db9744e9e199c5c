import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

/** DOMAIN.md 1: on the `profile` basis attachment fees are due on the annual profile and reconciled later. */
describe('attachment fees on the profile basis', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  beforeAll(async () => {
    t = await startTestApp('pglite', { LEDGER_BOOTSTRAP_ADMIN: 'admin.root:correct-horse-battery', LEDGER_JWT_SECRET: 'p'.repeat(40) });
    const api = request(t.app.getHttpServer());
    const admin = (await api.post('/api/auth/token').send({ username: 'admin.root', password: 'correct-horse-battery' }).expect(200)).body.accessToken;
    await request(t.app.getHttpServer())
      .post('/api/users')
      .set({ Authorization: `Bearer ${admin}` })
      .send({ username: 'finance.fo', password: 'a-long-password-9', role: 'finance-officer' })
      .expect(201);
    auth = { Authorization: `Bearer ${(await request(t.app.getHttpServer()).post('/api/auth/token').send({ username: 'finance.fo', password: 'a-long-password-9' }).expect(200)).body.accessToken}` };
  });
  afterAll(async () => {
    await t.close();
  });

  it('books the profile as due, records receipts, and shows the true-up against actual attachments', async () => {
    const api = () => request(t.app.getHttpServer());
    await api()
      .put('/api/programme')
      .set({ Authorization: `Bearer ${t.tokens.get('pm.test')}` })
      .send({ councilName: 'Profile borough', framework: 'troubled-families-2015', allocation: 500, attachmentFeeBasis: 'profile' })
      .expect(200);
    await api().post('/api/attachment-fees/profile').set(auth).send({ financialYear: '2016/17', families: 120 }).expect(201);
    expect((await api().post('/api/attachment-fees/profile').set(auth).send({ financialYear: '2016/17', families: 130 }).expect(409)).body.reason).toBe('ProfileAlreadySet');
    await api().post('/api/attachment-fees/receipts').set(auth).send({ receivedOn: '2016-10-01', amountPence: 6_000_000, financialYear: '2016/17' }).expect(201);

    const report = await api().get('/api/reports/attachment-fees').set(auth).expect(200);
    expect(report.body.basis).toBe('profile');
    expect(report.body.years.find((y: { financialYear: string }) => y.financialYear === '2016/17')).toMatchObject({
      profileFamilies: 120,
      familiesAttached: 0,
      duePence: 12_000_000,
      receivedPence: 6_000_000,
      outstandingPence: 6_000_000,
      profileReconciliationPence: -12_000_000,
    });
    const balances = await api().get('/api/ledger/balances').set(auth).query({ asOf: '2030-01-01' }).expect(200);
    const balance = (account: string) => balances.body.accounts.find((a: { account: string }) => a.account === account).balancePence;
    expect(balance('attachment-fees-receivable')).toBe(6_000_000);
    expect(balance('cash')).toBe(6_000_000);
    expect(balance('income:attachment-fees')).toBe(-12_000_000);
  });
});
