import { troubledFamilies2015 } from '@ledger/domain';
import { api } from '../support/families-fixture';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { asProgrammeManager, signedInAs } from '../support/signed-in';

/**
 * Issue 17.6 (DOMAIN.md 4.5): an early starter configured to start in September 2014
 * (LEDGER_PROGRAMME_STARTS_ON) attaches a family in 2014/15, and the result is paid at the 2014/15
 * rate; the framework's id and version are on the family's progress, the results and the claim.
 * Progress details name the members for those allowed to see names (issue 17.8).
 */
describe.each(storeKinds)("the framework's own fields over HTTP on %s", (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { LEDGER_PROGRAMME_STARTS_ON: '2014-09-01' }, { clock: { now: () => new Date('2015-03-10T10:00:00Z') } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('attaches an early starter in 2014/15 and carries the framework id and version on progress, results and the claim', async () => {
    await api(t).put('/api/programme').send({ councilName: 'Early borough', framework: 'troubled-families-2015', allocation: 10 }).expect(200);
    const family = await api(t)
      .post('/api/families')
      .send({
        reference: 'EARLY-1',
        identifiedOn: '2014-09-01',
        members: [
          { relationship: 'parent', givenName: 'Pat', familyName: 'Early', dateOfBirth: '1980-03-03' },
          { relationship: 'child', givenName: 'Sam', familyName: 'Early', dateOfBirth: '2007-06-06' },
        ],
      })
      .expect(201);
    const familyId: string = family.body.familyId;
    const [parent, child] = (family.body.members as { memberId: string }[]).map((m) => m.memberId);
    await api(t).post(`/api/families/${familyId}/problems`).send({ problem: 'education', indicator: 'at entry', memberId: child, identifiedOn: '2014-09-05', source: 'school' }).expect(201);
    await api(t).post(`/api/families/${familyId}/problems`).send({ problem: 'worklessness', indicator: 'at entry', memberId: parent, identifiedOn: '2014-09-05', source: 'dwp' }).expect(201);
    await api(t).post(`/api/families/${familyId}/benefits`).send({ memberId: parent, benefit: 'ESA', change: 'started', on: '2014-01-06' }).expect(201);
    const keyworker = await signedInAs(t, 'keyworker', { username: 'kw.early' });
    const attached = await api(t).post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2014-09-15', keyworker: 'kw.early' }).expect(201);
    expect(attached.body).toBeDefined();
    await api(t).post(`/api/families/${familyId}/benefits`).send({ memberId: parent, benefit: 'ESA', change: 'ended', on: '2014-09-21' }).expect(201);
    await api(t).post(`/api/families/${familyId}/employment`).send({ memberId: parent, change: 'started', on: '2014-09-22', hoursPerWeek: 20 }).expect(201);

    const framework = { frameworkId: troubledFamilies2015.id, frameworkVersion: troubledFamilies2015.version };
    const progress = (await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2015-02-28' }).expect(200)).body;
    expect(progress).toMatchObject({ ...framework, attachedOn: '2014-09-15', routes: { continuousEmployment: true } });

    const finance = await signedInAs(t, 'finance-officer');
    const results = (await finance.get('/api/results').query({ asOf: '2015-02-28' }).expect(200)).body;
    expect(results).toMatchObject(framework);
    expect(results.families.map((f: { familyId: string }) => f.familyId)).toEqual([familyId]);

    const draft = (await finance.post('/api/claims').send({ asOf: '2015-02-28' }).expect(201)).body;
    // 2014/15 is one of the framework's years: the result is paid at that year's rate, not nothing.
    expect(draft).toMatchObject({ ...framework, totalPence: troubledFamilies2015.ratesByFinancialYear['2014/15']?.resultPaymentPence });
    expect((await finance.get(`/api/claims/${draft.claimId}`).expect(200)).body).toMatchObject(framework);

    // Issue 17.8: details name members by first name and role for a programme manager or the
    // family's keyworker, and by member id for internal audit (here through its sample).
    const details = (body: { problems: { detail: string }[]; continuousEmployment: { detail: string } }) => [...body.problems.map((p) => p.detail), body.continuousEmployment.detail].join('\n');
    for (const named of [asProgrammeManager(t), keyworker]) {
      const text = details((await named.get(`/api/families/${familyId}/progress`).query({ asOf: '2015-02-28' }).expect(200)).body);
      expect(text).toContain('Pat (parent) left ESA on 2014-09-21');
      expect(text).not.toContain(parent);
    }
    const auditor = await signedInAs(t, 'auditor');
    await auditor.post(`/api/claims/${draft.claimId}/audit-sample`).send({}).expect(201);
    const audited = details((await auditor.get(`/api/families/${familyId}/progress`).query({ asOf: '2015-02-28' }).expect(200)).body);
    expect(audited).toContain(`${parent} left ESA on 2014-09-21`);
    expect(audited).not.toContain('Pat');
  });
});
