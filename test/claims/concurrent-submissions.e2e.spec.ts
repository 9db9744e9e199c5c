import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { startTestApp, type TestApp } from '../support/app';
import { signedInTeam, TEAM_ENV } from '../support/team';
import { describeWhen, testEnv } from '../support/test-env';

/**
 * DOMAIN.md 4.3, one result per family: two drafts holding the same families, both signed off,
 * submitted at the same moment by parallel requests on PostgreSQL — exactly one is accepted.
 */
describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('submitting two claims for the same families at once', () => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof signedInTeam>>['api'];
  let as: Awaited<ReturnType<typeof signedInTeam>>['as'];
  beforeAll(async () => {
    t = await startTestApp(
      'postgres',
      { ...TEAM_ENV, LEDGER_JWT_SECRET: 'c'.repeat(40), LEDGER_DEMO_FAMILIES: '30', LEDGER_DEMO_SEED: '9' },
      { clock: { now: () => new Date('2019-04-20T10:00:00Z') } },
    );
    await t.app.get(DemoSeeder).seedIfEmpty();
    ({ api, as } = await signedInTeam(t));
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  async function draftedAndSignedOff(): Promise<{ claimId: string; familyIds: string[] }> {
    const draft = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201);
    const claimId: string = draft.body.claimId;
    const sample = await api().post(`/api/claims/${claimId}/audit-sample`).set(as('audit.au')).send({}).expect(201);
    for (const familyId of sample.body.familyIds as string[]) {
      await api().post(`/api/claims/${claimId}/audit-findings`).set(as('audit.au')).send({ familyId, valid: true, note: 'evidence checked' }).expect(201);
    }
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('pm.lead')).send({ role: 'programme-lead' }).expect(201);
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('audit.au')).send({ role: 'head-of-audit' }).expect(201);
    return { claimId, familyIds: draft.body.families.map((f: { familyId: string }) => f.familyId) };
  }

  it('accepts exactly one of them; the other is refused as AlreadyClaimed', async () => {
    const first = await draftedAndSignedOff();
    const second = await draftedAndSignedOff();
    expect(second.familyIds).toEqual(first.familyIds);
    expect(first.familyIds.length).toBeGreaterThan(0);

    const answers = await Promise.all([first, second].map(({ claimId }) => api().post(`/api/claims/${claimId}/submission`).set(as('finance.fo'))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    expect(answers.find((a) => a.status === 422)?.body.reason).toBe('AlreadyClaimed');

    // And the register shows each family claimed once.
    const register = await t.stores.eventStore.readStream('resultClaims-council');
    const claimed = register.events.flatMap((e) => e.data.familyIds as string[]);
    expect(new Set(claimed).size).toBe(claimed.length);
  });
});
