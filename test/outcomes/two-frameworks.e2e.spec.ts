import { supportingFamilies2022, troubledFamilies2015 } from '@ledger/domain';
import { api, countEvents, expectErrorShape } from '../support/families-fixture';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { keyworkerOnRecord, signedInAs } from '../support/signed-in';

/**
 * Issue 17.7: one family run end to end over HTTP through each framework — identify, attach,
 * evidence, progress and results, a claim draft — by the same code; the programme's configuration
 * chooses the framework. Problems are the framework's codes and their indicators the codes of the
 * plan in force (issue 17.3): anything else is 422 naming the field, recording nothing.
 */
jest.setTimeout(180_000);

interface Step {
  path: string;
  body: Record<string, unknown>;
}

async function refused(t: TestApp, path: string, body: Record<string, unknown>, reason: string, field: string): Promise<void> {
  const before = await countEvents(t);
  const res = await api(t).post(path).send(body).expect(422);
  expectErrorShape(res.body, 422);
  expect(res.body.reason).toBe(reason);
  expect(res.body.message.startsWith(`${field}:`)).toBe(true);
  expect(await countEvents(t)).toBe(before);
}

/**
 * On PostgreSQL the inline projections catch up to the log's safe end, which other suites' open
 * transactions on the same server can hold back for a moment: read answers are retried, a
 * bounded number of times, until they hold.
 */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function record(t: TestApp, familyId: string, steps: Step[]): Promise<void> {
  for (const step of steps) await api(t).post(`/api/families/${familyId}/${step.path}`).send(step.body).expect(201);
}

describe.each(storeKinds)('one family through each framework over HTTP on %s', (kind) => {
  describe('Troubled Families phase two (troubled-families-2015)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(kind, {}, { clock: { now: () => new Date('2017-06-01T10:00:00Z') } });
      await api(t).put('/api/programme').send({ councilName: 'Phase two borough', framework: 'troubled-families-2015', allocation: 10 }).expect(200);
    });
    afterAll(async () => {
      await t.close();
    });

    it('identifies with indicator codes of the default plan, attaches on 2 of 6, and claims the result at £800', async () => {
      const family = await api(t)
        .post('/api/families')
        .send({
          reference: 'TWO-FW-2015',
          identifiedOn: '2016-01-04',
          members: [
            { relationship: 'parent', givenName: 'Dee', familyName: 'Two', dateOfBirth: '1984-05-05' },
            { relationship: 'child', givenName: 'Kit', familyName: 'Two', dateOfBirth: '2009-09-09' },
          ],
        })
        .expect(201);
      const familyId: string = family.body.familyId;
      const [parent] = (family.body.members as { memberId: string }[]).map((m) => m.memberId);
      const problems = `/api/families/${familyId}/problems`;
      // A problem of the other framework, and an indicator code the plan does not list.
      await refused(t, problems, { problem: 'housing', indicatorCode: 'housing-risk', identifiedOn: '2016-01-10', source: 'housing' }, 'UnknownHeadlineProblem', 'problem');
      await refused(t, problems, { problem: 'worklessness', indicatorCode: 'housing-risk', memberId: parent, identifiedOn: '2016-01-10', source: 'dwp' }, 'UnknownIndicator', 'indicatorCode');
      await refused(t, problems, { problem: 'worklessness', memberId: parent, identifiedOn: '2016-01-10', source: 'dwp' }, 'NoIndicatorCode', 'indicatorCode');

      await record(t, familyId, [
        { path: 'problems', body: { problem: 'worklessness', indicatorCode: 'out-of-work-benefit', indicator: 'on ESA since 2015', memberId: parent, identifiedOn: '2016-01-10', source: 'dwp' } },
        { path: 'problems', body: { problem: 'domestic-abuse', indicatorCode: 'domestic-abuse', identifiedOn: '2016-01-12', source: 'police' } },
        { path: 'benefits', body: { memberId: parent, benefit: 'ESA', change: 'started', on: '2015-06-01' } },
      ]);
      await keyworkerOnRecord(t, 'kw.twofw');
      await api(t).post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2016-02-01', keyworker: 'kw.twofw' }).expect(201);
      await record(t, familyId, [
        { path: 'domestic-abuse-incidents', body: { occurredOn: '2016-02-20' } },
        { path: 'benefits', body: { memberId: parent, benefit: 'ESA', change: 'ended', on: '2016-03-06' } },
        { path: 'employment', body: { memberId: parent, change: 'started', on: '2016-03-07', hoursPerWeek: 30 } },
      ]);

      const framework = { frameworkId: troubledFamilies2015.id, frameworkVersion: troubledFamilies2015.version };
      const finance = await signedInAs(t, 'finance-officer');
      await eventually(async () => {
        // An incident on 20 February: the 6 months without one end on 20 August.
        const before = (await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2016-08-19' }).expect(200)).body;
        // (Phase two keeps its continuous-employment route: 13 of 15 weeks in work after ESA.)
        expect(before).toMatchObject({ ...framework, problemsInScope: ['worklessness', 'domestic-abuse'], routes: { sustainedProgress: false, continuousEmployment: true } });
        expect(before.problems.map((p: { met: boolean }) => p.met)).toEqual([true, false]);
        const progress = (await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2016-08-31' }).expect(200)).body;
        expect(progress).toMatchObject({ ...framework, problemsInScope: ['worklessness', 'domestic-abuse'], routes: { sustainedProgress: true }, claimable: true });
        expect(progress.problems.map((p: { met: boolean }) => p.met)).toEqual([true, true]);
        expect(progress).not.toHaveProperty('caseClosure');
        const results = (await finance.get('/api/results').query({ asOf: '2016-08-31' }).expect(200)).body;
        expect(results).toMatchObject(framework);
        expect(results.families.map((f: { familyId: string }) => f.familyId)).toEqual([familyId]);
      });
      const draft = (await finance.post('/api/claims').send({ asOf: '2016-08-31' }).expect(201)).body;
      expect(draft).toMatchObject({ ...framework, totalPence: troubledFamilies2015.ratesByFinancialYear['2015/16']?.resultPaymentPence });
    });
  });

  describe('Supporting Families 2022–25 (supporting-families-2022)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(kind, {}, { clock: { now: () => new Date('2024-06-01T10:00:00Z') } });
      await api(t).put('/api/programme').send({ councilName: 'Supporting Families borough', framework: 'supporting-families-2022', allocation: 10 }).expect(200);
    });
    afterAll(async () => {
      await t.close();
    });

    it("lists the framework's own plan as version 1: ten headline outcomes with their needs", async () => {
      const plans = (await api(t).get('/api/outcome-plans').expect(200)).body;
      expect(plans.versions).toHaveLength(1);
      expect(Object.keys(plans.versions[0].problems)).toEqual([...supportingFamilies2022.headlineProblems]);
      expect(plans.versions[0].problems.housing.indicators.map((i: { code: string }) => i.code)).toEqual(['housing-risk']);
    });

    it('identifies an expectant family by codes, attaches on 3 needs, and claims only 6 months after the case closed', async () => {
      const family = await api(t)
        .post('/api/families')
        .send({
          reference: 'TWO-FW-2022',
          identifiedOn: '2022-10-03',
          // No child yet: an expectant parent (chapter 4: "dependent children and/or expectant parents").
          members: [{ relationship: 'parent', givenName: 'Ari', familyName: 'Three', dateOfBirth: '1998-01-20', expectant: true }],
        })
        .expect(201);
      const familyId: string = family.body.familyId;
      const [parent] = (family.body.members as { memberId: string }[]).map((m) => m.memberId);
      const problems = `/api/families/${familyId}/problems`;
      // Phase two's problems are not this framework's; every need names an indicator code of the plan.
      await refused(t, problems, { problem: 'worklessness', indicatorCode: 'out-of-work-benefit', memberId: parent, identifiedOn: '2022-10-05', source: 'dwp' }, 'UnknownHeadlineProblem', 'problem');
      await refused(t, problems, { problem: 'housing', indicator: 'sofa surfing at a friend’s', identifiedOn: '2022-10-05', source: 'housing' }, 'NoIndicatorCode', 'indicatorCode');
      await refused(t, problems, { problem: 'housing', indicatorCode: 'problem-debt', identifiedOn: '2022-10-05', source: 'housing' }, 'UnknownIndicator', 'indicatorCode');

      await record(t, familyId, [
        { path: 'problems', body: { problem: 'housing', indicatorCode: 'housing-risk', indicator: 'notice to quit served', identifiedOn: '2022-10-05', source: 'housing options' } },
        { path: 'problems', body: { problem: 'financial-stability', indicatorCode: 'problem-debt', memberId: parent, identifiedOn: '2022-10-05', source: 'advice service' } },
      ]);
      await keyworkerOnRecord(t, 'kw.twofw');
      // Two needs are not enough under this framework.
      const two = await api(t).post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2022-11-01', keyworker: 'kw.twofw' }).expect(422);
      expect(two.body.message).toContain('at least 3 are needed');
      await record(t, familyId, [{ path: 'problems', body: { problem: 'domestic-abuse', indicatorCode: 'domestic-abuse', identifiedOn: '2022-10-20', source: 'police' } }]);
      await api(t)
        .post(`/api/families/${familyId}/attachment`)
        .send({ attachedOn: '2022-11-01', keyworker: 'kw.twofw', wholeFamilyAssessmentOn: '2022-10-21', familyPlanOn: '2022-10-28' })
        .expect(201);
      await record(t, familyId, [
        { path: 'milestones', body: { memberId: parent, milestone: 'housing-secure', change: 'achieved', on: '2022-12-01', evidence: 'assured tenancy signed' } },
        { path: 'milestones', body: { memberId: parent, milestone: 'financially-stable', change: 'achieved', on: '2022-12-01', evidence: 'debt relief order granted' } },
      ]);

      const framework = { frameworkId: supportingFamilies2022.id, frameworkVersion: supportingFamilies2022.version };
      const inScope = ['domestic-abuse', 'housing', 'financial-stability'];
      await eventually(async () => {
        // Every outcome holds from 1 June 2023, but the case is still open.
        const open = (await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2023-06-30' }).expect(200)).body;
        expect(open).toMatchObject({ ...framework, problemsInScope: inScope, claimable: false, routes: { sustainedProgress: false, continuousEmployment: false } });
        expect(open.problems.map((p: { met: boolean }) => p.met)).toEqual([true, true, true]);
        expect(open.caseClosure).toContain('the case is not closed');
        expect(open.continuousEmployment.detail).toContain('has no continuous-employment route');
      });

      await api(t).post(`/api/families/${familyId}/closure`).send({ closedOn: '2023-07-01', reason: 'plan complete' }).expect(201);
      const finance = await signedInAs(t, 'finance-officer');
      await eventually(async () => {
        const soon = (await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2023-12-31' }).expect(200)).body;
        expect(soon).toMatchObject({ claimable: false });
        expect(soon.caseClosure).toContain('first on 2024-01-01');
        const held = (await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2024-01-31' }).expect(200)).body;
        expect(held).toMatchObject({ ...framework, claimable: true, routes: { sustainedProgress: true } });
        expect(held).not.toHaveProperty('caseClosure');
        const results = (await finance.get('/api/results').query({ asOf: '2024-01-31' }).expect(200)).body;
        expect(results).toMatchObject(framework);
        expect(results.families.map((f: { familyId: string }) => f.familyId)).toEqual([familyId]);
      });
      const draft = (await finance.post('/api/claims').send({ asOf: '2024-01-31' }).expect(201)).body;
      expect(draft).toMatchObject({ ...framework, totalPence: supportingFamilies2022.ratesByFinancialYear['2022/23']?.resultPaymentPence });

      // The programme dashboard names this framework's outcomes, and filters by them.
      const dashboard = (await api(t).get('/api/dashboards/programme').query({ asOf: '2024-01-31', problem: 'housing' }).expect(200)).body;
      expect(dashboard.choices.problems).toEqual([...supportingFamilies2022.headlineProblems]);
      const figure = dashboard.figures.find((f: { name: string }) => f.name === 'problems');
      expect(figure.rows.map((r: { problem: string }) => r.problem)).toEqual([...supportingFamilies2022.headlineProblems]);
      expect(figure.rows.find((r: { problem: string }) => r.problem === 'housing')).toMatchObject({ atEntry: 1, resolved: 1 });
    });
  });
});
