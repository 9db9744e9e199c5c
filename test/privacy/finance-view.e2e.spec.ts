import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { startSeededTestApp } from '../support/demo-borough';
import { type Client, asAdmin, asProgrammeManager, signedInAs } from '../support/signed-in';

/**
 * Issue 16.6, what finance sees: family references, routes and money; never problems at entry
 * (special-category flags) nor keyworkers, in the family list, a family's summary, the results and
 * a claim's detail. Each of those reads is written to the access log, family by family, like any
 * other read of personal data.
 */
const HIDDEN = ['keyworker', 'problemsAtEntry', 'problemsIdentified', 'overrides'];

describe.each(storeKinds)('what a finance officer sees on %s', (kind) => {
  let t: TestApp;
  let fo: Client;
  let pm: Client;
  let claimId: string;
  let familyId: string;

  beforeAll(async () => {
    t = await startSeededTestApp(kind, { LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
    pm = asProgrammeManager(t);
    fo = await signedInAs(t, 'finance-officer', { username: 'fo.view' });
    const draft = await fo.post('/api/claims').send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201);
    claimId = draft.body.claimId;
    familyId = draft.body.families[0].familyId;
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  it('lists families by reference and status, without keyworkers or problems, and refuses those filters', async () => {
    const seen = (await fo.get('/api/families').query({ limit: 1000 }).expect(200)).body.families as Record<string, unknown>[];
    expect(seen.length).toBeGreaterThan(0);
    for (const f of seen) {
      expect(f).toEqual(expect.objectContaining({ familyId: expect.any(String), reference: expect.any(String), status: expect.any(String) }));
      for (const field of HIDDEN) expect(f).not.toHaveProperty(field);
    }
    const managers = (await pm.get('/api/families').query({ limit: 1000 }).expect(200)).body.families as Record<string, unknown>[];
    expect(managers[0]).toHaveProperty('problemsAtEntry');
    await fo.get('/api/families').query({ problem: 'health' }).expect(403);
    await fo.get('/api/families').query({ keyworker: 'kw.someone' }).expect(403);
  });

  it("shows a family's summary without keyworker or problems", async () => {
    const family = (await fo.get(`/api/families/${familyId}`).expect(200)).body as Record<string, unknown>;
    expect(family.reference).toEqual(expect.any(String));
    for (const field of HIDDEN) expect(family).not.toHaveProperty(field);
  });

  it('shows results and a claim by reference, route and money only', async () => {
    const results = (await fo.get('/api/results').query({ asOf: '2019-03-31' }).expect(200)).body.families as Record<string, unknown>[];
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) for (const field of HIDDEN) expect(r).not.toHaveProperty(field);
    const claim = (await fo.get(`/api/claims/${claimId}`).expect(200)).body as { families: Record<string, unknown>[] };
    for (const f of claim.families) {
      expect(f).toEqual(expect.objectContaining({ reference: expect.any(String), route: expect.any(String), amountPence: expect.any(Number) }));
      for (const field of HIDDEN) expect(f).not.toHaveProperty(field);
    }
  });

  it('writes each of those reads to the access log, with the family read', async () => {
    await fo.get('/api/families').query({ limit: 1000 }).expect(200);
    await fo.get(`/api/families/${familyId}`).expect(200);
    await fo.get('/api/results').query({ asOf: '2019-03-31' }).expect(200);
    await fo.get(`/api/claims/${claimId}`).expect(200);
    const log = (await asAdmin(t).get('/api/audit/access-log').query({ familyId, userId: 'fo.view', limit: 1000 }).expect(200)).body.entries as { route: string; outcome: string; familyId: string }[];
    const routes = new Set(log.filter((e) => e.outcome === 'served' && e.familyId === familyId).map((e) => e.route));
    expect([...routes].sort()).toEqual(['GET /api/claims/:claimId', 'GET /api/families', 'GET /api/families/:familyId', 'GET /api/results']);
  });
});
