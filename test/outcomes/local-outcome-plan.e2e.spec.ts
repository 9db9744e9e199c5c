import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { keyworkerOnRecord } from '../support/signed-in';
import { api, configureProgramme, countEvents, expectErrorShape, uniqueReference } from '../support/families-fixture';

/**
 * DOMAIN.md 4.4 over HTTP: a council publishes an Outcome Plan with local measures (a young person
 * NEET into education, employment or training; a debt plan kept; engaged with treatment) without
 * a code change, records local evidence against the plan's own codes, and progress is judged by it.
 */
const localPlan = {
  effectiveFrom: '2016-04-01',
  scope: 'at-entry',
  milestones: [
    { code: 'debt-plan-agreed', label: 'Debt plan agreed with a money adviser, and kept' },
    { code: 'engaged-with-treatment', label: 'Engaged with treatment (equivalent progress)' },
  ],
  problems: {
    worklessness: {
      combine: 'any',
      indicators: [
        { code: 'out-of-work-benefit', label: 'An adult on an out-of-work benefit', evidence: 'DWP' },
        { code: 'neet', label: 'A young person not in education, employment or training', evidence: 'careers service' },
        { code: 'problem-debt', label: 'Problem debt', evidence: 'advice services' },
        { code: 'rent-arrears', label: 'Rent arrears with a notice seeking possession', evidence: 'housing provider' },
      ],
      measures: [
        { kind: 'into-activity', from: 'out-of-work-benefit', to: ['employment'], weeks: 13 },
        { kind: 'into-activity', from: 'neet', to: ['education', 'training', 'employment'], weeks: 13 },
        { kind: 'milestone-sustained', milestone: 'debt-plan-agreed', months: 6 },
      ],
    },
    health: {
      combine: 'any',
      measures: [
        { kind: 'concerns-resolved', concern: 'health', windowMonths: 6, sustainMonths: 6 },
        { kind: 'milestone-sustained', milestone: 'engaged-with-treatment', months: 6 },
      ],
    },
  },
};

describe.each(storeKinds)('a local Outcome Plan published and evaluated over HTTP on %s', (kind) => {
  let t: TestApp;
  let familyId = '';
  let parentId = '';
  let youngPersonId = '';

  beforeAll(async () => {
    t = await startTestApp(kind);
    await configureProgramme(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['an unknown measure kind', { health: { measures: [{ kind: 'feels-better', months: 6 }] } }, 'problems.health.measures[0].kind must be one of'],
    [
      'a parameter the kind does not take',
      { health: { measures: [{ kind: 'none-in-window', counts: 'asb-incident', windowMonths: 6, percent: 10 }] } },
      'problems.health.measures[0].percent is not a parameter here',
    ],
    [
      'a parameter out of range',
      { worklessness: { measures: [{ kind: 'into-activity', from: 'neet', to: ['training'], weeks: 0 }] } },
      'problems.worklessness.measures[0].weeks must be a whole number from 1 to 104',
    ],
    [
      'a milestone the plan does not list',
      { health: { measures: [{ kind: 'milestone-sustained', milestone: 'joined-a-gym', months: 6 }] } },
      'problems.health.measures[0].milestone joined-a-gym is not in the plan',
    ],
    ['a problem that is not a headline problem', { housing: { measures: [{ kind: 'none-in-window', counts: 'asb-incident', windowMonths: 6 }] } }, 'problems.housing is not a headline problem'],
  ])('refuses %s with 422 naming the path, recording nothing', async (_case, problems, message) => {
    const before = await countEvents(t);
    const res = await api(t)
      .post('/api/outcome-plans')
      .send({ ...localPlan, problems })
      .expect(422);
    expectErrorShape(res.body, 422);
    expect(res.body.reason).toBe('InvalidOutcomePlanParameter');
    expect(res.body.message).toContain(message);
    expect(await countEvents(t)).toBe(before);
  });

  it('publishes the plan as version 2 and lists it with its measures', async () => {
    const res = await api(t).post('/api/outcome-plans').send(localPlan).expect(201);
    expect(res.body.version).toBe(2);
    const list = await api(t).get('/api/outcome-plans').expect(200);
    const v2 = list.body.versions[1];
    expect(v2).toMatchObject({ version: 2, effectiveFrom: '2016-04-01', milestones: localPlan.milestones });
    expect(v2.problems.worklessness).toMatchObject({ combine: 'any', measures: localPlan.problems.worklessness.measures });
    // Problems the plan did not write keep the previous version's measures.
    expect(v2.problems.education.measures).toEqual([{ kind: 'attendance-threshold', termsRequired: 3, thresholdPercent: 90, maxFixedTermExclusions: 2 }]);
  });

  it('identifies and attaches a family with a NEET young person and a parent in treatment', async () => {
    const identified = await api(t)
      .post('/api/families')
      .send({
        reference: uniqueReference('LOCAL'),
        identifiedOn: '2016-04-01',
        members: [
          { relationship: 'parent', givenName: 'Sam', familyName: 'Example', dateOfBirth: '1980-02-11' },
          { relationship: 'child', givenName: 'Jo', familyName: 'Example', dateOfBirth: '1999-03-01', inEducationOrTraining: false },
          { relationship: 'child', givenName: 'Alex', familyName: 'Example', dateOfBirth: '2008-06-15' },
        ],
      })
      .expect(201);
    familyId = identified.body.familyId;
    [parentId, youngPersonId] = (identified.body.members as { memberId: string }[]).map((m) => m.memberId) as [string, string];
    await api(t)
      .post(`/api/families/${familyId}/problems`)
      .send({ problem: 'worklessness', indicator: 'neet', memberId: youngPersonId, identifiedOn: '2016-04-10', source: 'careers service' })
      .expect(201);
    await api(t)
      .post(`/api/families/${familyId}/problems`)
      .send({ problem: 'health', indicator: 'substance-misuse', memberId: parentId, identifiedOn: '2016-04-10', source: 'treatment service' })
      .expect(201);
    await keyworkerOnRecord(t, 'kw.local');
    await api(t).post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2016-05-03', keyworker: 'kw.local' }).expect(201);

    await api(t).post(`/api/families/${familyId}/activities`).send({ memberId: youngPersonId, activity: 'neet', on: '2016-05-01' }).expect(201);
    await api(t).post(`/api/families/${familyId}/activities`).send({ memberId: youngPersonId, activity: 'training', on: '2016-09-01' }).expect(201);
    await api(t).post(`/api/families/${familyId}/health`).send({ memberId: parentId, change: 'identified', on: '2016-04-20' }).expect(201);
    await api(t)
      .post(`/api/families/${familyId}/milestones`)
      .send({ memberId: parentId, milestone: 'engaged-with-treatment', change: 'achieved', on: '2016-06-01', evidence: 'attending the community drug service weekly' })
      .expect(201);
  });

  it.each([
    ['a code the plan in force does not list', { milestone: 'joined-a-gym', on: '2016-06-01' }],
    ['a date before the plan with that code took effect', { milestone: 'engaged-with-treatment', on: '2016-03-31' }],
  ])('refuses a milestone with %s: 422 UnknownMilestone, recording nothing', async (_case, body) => {
    const before = await countEvents(t);
    const res = await api(t)
      .post(`/api/families/${familyId}/milestones`)
      .send({ memberId: parentId, change: 'achieved', evidence: 'a note', ...body })
      .expect(422);
    expect(res.body.reason).toBe('UnknownMilestone');
    expect(await countEvents(t)).toBe(before);
  });

  it.each([
    // 13 weeks in training from 1 September 2016 end on 30 November; 6 months of treatment from 1 June on 1 December.
    ['2016-11-29', false, false],
    ['2016-11-30', true, false],
    ['2016-12-01', true, true],
  ])('judges progress as of %s by the local measures: NEET into training %s, treatment %s', async (asOf, worklessness, health) => {
    const res = await api(t).get(`/api/families/${familyId}/progress`).query({ asOf }).expect(200);
    expect(res.body.planVersion).toBe(2);
    const met = Object.fromEntries((res.body.problems as { problem: string; met: boolean }[]).map((p) => [p.problem, p.met]));
    expect(met).toEqual({ worklessness, health });
    expect(res.body.routes.sustainedProgress).toBe(worklessness && health);
  });

  it('names the evidence: the young person into training, the parent in treatment', async () => {
    const res = await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2016-12-01' }).expect(200);
    const [work, health] = res.body.problems as { detail: string }[];
    // Issue 17.8: a programme manager reads the members by first name and role, not by id.
    expect(work?.detail).toContain('Jo (child) was NEET at or after attachment and has been in education, training or work every day from 2016-09-02 to 2016-12-01');
    expect(health?.detail).toContain('Sam (parent): engaged-with-treatment achieved on 2016-06-01 and not reversed for 6 months');
    expect(`${work?.detail}${health?.detail}`).not.toContain(youngPersonId);
    expect(`${work?.detail}${health?.detail}`).not.toContain(parentId);
    const results = await api(t).get('/api/results').query({ asOf: '2016-12-01' }).expect(200);
    expect((results.body.families as { familyId: string }[]).map((f) => f.familyId)).toContain(familyId);
  });

  it("identifies problems by the plan's own indicator codes (issue 17.3): a code is valid from the version that lists it", async () => {
    const identified = await api(t)
      .post('/api/families')
      .send({
        reference: uniqueReference('DEBT'),
        identifiedOn: '2016-03-01',
        members: [
          { relationship: 'parent', givenName: 'Lee', familyName: 'Example', dateOfBirth: '1979-07-07' },
          { relationship: 'child', givenName: 'Max', familyName: 'Example', dateOfBirth: '2010-01-01' },
        ],
      })
      .expect(201);
    const debtFamily: string = identified.body.familyId;
    const [parent] = (identified.body.members as { memberId: string }[]).map((m) => m.memberId);
    const problems = `/api/families/${debtFamily}/problems`;
    const arrears = { problem: 'worklessness', indicatorCode: 'rent-arrears', indicator: 'two months behind, notice served', memberId: parent, source: 'housing provider' };
    // Version 2 (from 1 April 2016) lists rent-arrears; version 1, in force on 31 March, does not.
    for (const [body, reason, field] of [
      [{ ...arrears, identifiedOn: '2016-03-31' }, 'UnknownIndicator', 'indicatorCode'],
      [{ ...arrears, indicatorCode: 'attendance-below-90', identifiedOn: '2016-04-10' }, 'UnknownIndicator', 'indicatorCode'],
      [{ ...arrears, problem: 'housing', identifiedOn: '2016-04-10' }, 'UnknownHeadlineProblem', 'problem'],
    ] as const) {
      const before = await countEvents(t);
      const res = await api(t).post(problems).send(body).expect(422);
      expectErrorShape(res.body, 422);
      expect(res.body.reason).toBe(reason);
      expect(res.body.message.startsWith(`${field}:`)).toBe(true);
      expect(await countEvents(t)).toBe(before);
    }
    await api(t)
      .post(problems)
      .send({ ...arrears, identifiedOn: '2016-04-10' })
      .expect(201);
    // A problem the council's version wrote without indicators keeps the previous version's codes.
    await api(t).post(problems).send({ problem: 'health', indicatorCode: 'substance-misuse', memberId: parent, identifiedOn: '2016-04-10', source: 'treatment service' }).expect(201);
    await keyworkerOnRecord(t, 'kw.local');
    await api(t).post(`/api/families/${debtFamily}/attachment`).send({ attachedOn: '2016-05-03', keyworker: 'kw.local' }).expect(201);
    for (const milestone of ['debt-plan-agreed', 'engaged-with-treatment']) {
      await api(t).post(`/api/families/${debtFamily}/milestones`).send({ memberId: parent, milestone, change: 'achieved', on: '2016-06-01', evidence: 'agreed with the money adviser' }).expect(201);
    }
    // The debt plan, kept 6 months from 1 June, meets worklessness on 1 December, not before.
    const met = async (asOf: string) =>
      Object.fromEntries(((await api(t).get(`/api/families/${debtFamily}/progress`).query({ asOf }).expect(200)).body.problems as { problem: string; met: boolean }[]).map((p) => [p.problem, p.met]));
    expect(await met('2016-11-30')).toMatchObject({ worklessness: false });
    expect(await met('2016-12-01')).toEqual({ worklessness: true, health: true });
    const history = (await api(t).get(`/api/families/${debtFamily}/history`).expect(200)).body;
    expect(JSON.stringify(history)).toContain('rent-arrears');
  });

  it('a reversed milestone no longer holds', async () => {
    await api(t)
      .post(`/api/families/${familyId}/milestones`)
      .send({ memberId: parentId, milestone: 'engaged-with-treatment', change: 'reversed', on: '2017-01-10', evidence: 'stopped attending' })
      .expect(201);
    const res = await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2017-02-01' }).expect(200);
    const health = (res.body.problems as { problem: string; met: boolean; detail: string }[]).find((p) => p.problem === 'health');
    expect(health).toMatchObject({ met: false });
    expect(health?.detail).toContain('reversed on 2017-01-10');
    // As known before the reversal was recorded, the answer for 1 December stands.
    const before = await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '2016-12-01' }).expect(200);
    expect(before.body.claimable).toBe(true);
  });
});
