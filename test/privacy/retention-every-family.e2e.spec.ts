import request from 'supertest';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { configureProgramme } from '../support/families-fixture';
import { type Client, asAdmin, asProgrammeManager, keyworkerOnRecord, signedInAs } from '../support/signed-in';
import { atIndex } from '@ledger/domain';

/**
 * Issue 23.5: retention for every family. A family identified but never attached reaches its
 * retention date (LEDGER_RETENTION_NOT_ATTACHED_YEARS after its identification or last activity)
 * and is erased on that date, not the day before; the report lists it with its reason first; a
 * legal hold keeps another such family, with the hold shown, until the hold is released; an
 * attached family never closed waits for its own, longer period.
 */
describe.each(storeKinds)('retention for every family on %s', (kind) => {
  let t: TestApp;
  let now = new Date('2019-06-01T10:00:00Z');
  let admin: Client;
  let pm: Client;
  const family = {} as Record<'never' | 'held' | 'open', { familyId: string; memberIds: string[] }>;

  const identify = async (reference: string, identifiedOn: string) => {
    const res = await pm
      .post('/api/families')
      .send({
        reference,
        identifiedOn,
        members: [
          { relationship: 'parent', givenName: 'Perpetua', familyName: reference, dateOfBirth: '1981-03-04' },
          { relationship: 'child', givenName: 'Tamsin', familyName: reference, dateOfBirth: '2010-05-06' },
        ],
      })
      .expect(201);
    return { familyId: res.body.familyId as string, memberIds: (res.body.members as { memberId: string }[]).map((m) => m.memberId) };
  };
  const givenNames = async (familyId: string) => ((await pm.get(`/api/families/${familyId}`).expect(200)).body.members as { givenName: string }[]).map((m) => m.givenName);

  beforeAll(async () => {
    t = await startTestApp(kind, { LEDGER_PRIVACY_CONTACT: 'dpo@borough.example.gov.uk', LEDGER_RETENTION_INACTIVE_YEARS: '6' }, { clock: { now: () => now } });
    await configureProgramme(t);
    admin = asAdmin(t);
    pm = asProgrammeManager(t);
    family.never = await identify('RET-NEVER', '2018-01-10');
    family.held = await identify('RET-HELD', '2018-01-10');
    family.open = await identify('RET-OPEN', '2018-01-10');
    for (const problem of ['education', 'crime-asb'])
      await pm.post(`/api/families/${family.open.familyId}/problems`).send({ problem, indicator: 'at entry', identifiedOn: '2018-01-11', source: 'school' }).expect(201);
    await keyworkerOnRecord(t, 'kw.retention');
    await pm.post(`/api/families/${family.open.familyId}/attachment`).send({ attachedOn: '2018-02-01', keyworker: 'kw.retention' }).expect(201);
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  it('reports a never-attached family due on its retention date, with its reason, and a held one with its hold', async () => {
    const fo = await signedInAs(t, 'finance-officer');
    const hold = await fo.post(`/api/families/${family.held.familyId}/legal-holds`).send({ kind: 'spot-check', reference: 'SC-2019-04', placedOn: '2019-05-31' }).expect(201);
    expect(hold.body).toMatchObject({ familyId: family.held.familyId, kind: 'spot-check', reference: 'SC-2019-04', placedOn: '2019-05-31', releasedOn: null });
    expect((await fo.post(`/api/families/${family.held.familyId}/legal-holds`).send({ kind: 'spot-check', reference: 'SC-2019-04', placedOn: '2019-05-31' }).expect(200)).body.holdId).toBe(
      hold.body.holdId,
    );
    const bad = await fo.post(`/api/families/${family.held.familyId}/legal-holds`).send({ kind: 'whim', reference: 'Mrs Smith complained', placedOn: '2019-06-02' }).expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/kind/);
    expect(JSON.stringify(bad.body)).toMatch(/reference/);
    await pm.post(`/api/families/${family.held.familyId}/legal-holds`).send({ kind: 'spot-check', reference: 'SC-2019-04', placedOn: '2019-05-31' }).expect(403);

    const before = (await admin.get('/api/privacy/retention').query({ asOf: '2021-05-31' }).expect(200)).body;
    expect(before.periods).toEqual({ closedYears: 6, notAttachedYears: 2, inactiveYears: 6 });
    expect(before.due).toEqual([]);
    expect(before.held).toEqual([]);

    const report = (await admin.get('/api/privacy/retention').query({ asOf: '2021-06-01' }).expect(200)).body;
    expect(report.due).toEqual([
      {
        familyId: family.never.familyId,
        reference: 'RET-NEVER',
        rule: 'never-attached',
        from: '2019-06-01',
        dueOn: '2021-06-01',
        reason: 'never attached: 2 years after last activity on 2019-06-01 (identified 2018-01-10)',
        people: 2,
        holds: [],
      },
    ]);
    expect(report.held).toEqual([
      expect.objectContaining({
        familyId: family.held.familyId,
        rule: 'never-attached',
        dueOn: '2021-06-01',
        holds: [{ holdId: hold.body.holdId, kind: 'spot-check', reference: 'SC-2019-04', reason: 'spot-check SC-2019-04 (held since 2019-05-31)' }],
      }),
    ]);
    // The attached family never closed waits six years after its last activity.
    const later = (await admin.get('/api/privacy/retention').query({ asOf: '2025-06-01' }).expect(200)).body;
    expect(later.due.map((f: { familyId: string }) => f.familyId).sort()).toEqual([family.never.familyId, family.open.familyId].sort());
    expect(later.due.find((f: { familyId: string }) => f.familyId === family.open.familyId)).toMatchObject({
      rule: 'never-closed',
      dueOn: '2025-06-01',
      reason: 'case never closed: 6 years after last activity on 2019-06-01 (attached 2018-02-01)',
    });

    await pm.get('/api/privacy/retention').expect(403);
    expect((await admin.get('/api/privacy/retention').query({ asOf: '2021-13-01' }).expect(400)).body.details[0].field).toBe('asOf');
  }, 120_000);

  it('tells families, without signing in, the retention periods and contact the ledger runs with (issue 23.6)', async () => {
    const notice = (await request(t.app.getHttpServer()).get('/api/privacy-notice').expect(200)).body;
    const report = (await admin.get('/api/privacy/retention').expect(200)).body;
    expect(notice).toMatchObject({ title: 'How are we using your information?', council: 'Synthetic Borough (e2e)', contact: 'dpo@borough.example.gov.uk', retention: report.periods });
    expect(notice.legalGateways).toContain('Crime and Disorder Act 1998, section 115');
    const text = (notice.sections as { heading: string; text: string }[]).map((x) => `${x.heading}\n${x.text}`).join('\n');
    expect(text).toContain('2 years after we identified your family');
    expect(text).toContain("6 years after your family's case is closed");
    expect(text).toContain('Contact dpo@borough.example.gov.uk.');
  }, 120_000);

  it('erases the never-attached family on its retention date, not before, and the held one only once its hold is released', async () => {
    expect((await admin.post('/api/privacy/retention/run').send({ asOf: '2021-06-01' }).expect(400)).body.details[0].field).toBe('asOf');
    await admin.post('/api/privacy/retention/run').send({}).expect(400);
    await pm.post('/api/privacy/retention/run').send({ asOf: '2019-06-01' }).expect(403);

    now = new Date('2021-05-31T10:00:00Z');
    expect((await admin.post('/api/privacy/retention/run').send({ asOf: '2021-05-31' }).expect(200)).body.erased).toEqual({ people: 0, families: 0 });
    expect(await givenNames(family.never.familyId)).toEqual(['Perpetua', 'Tamsin']);

    now = new Date('2021-06-01T10:00:00Z');
    const run = (await admin.post('/api/privacy/retention/run').send({ asOf: '2021-06-01' }).expect(200)).body;
    expect(run.erased).toEqual({ people: 2, families: 1 });
    expect(run.held).toEqual([expect.objectContaining({ familyId: family.held.familyId })]);
    expect(await givenNames(family.never.familyId)).toEqual(['[erased]', '[erased]']);
    expect(await givenNames(family.held.familyId)).toEqual(['Perpetua', 'Tamsin']);
    expect(await givenNames(family.open.familyId)).toEqual(['Perpetua', 'Tamsin']);
    // The keys themselves are gone, in the store the app runs on.
    const keys = await t.stores.sql.query<{ person_id: string; live: boolean }>(
      `select person_id, wrapped_key is not null as live from ${t.stores.schema}.person_keys where person_id = any($1::text[])`,
      [[...family.never.memberIds, ...family.held.memberIds]],
    );
    expect(Object.fromEntries(keys.map((k) => [k.person_id, k.live]))).toEqual(
      Object.fromEntries([...family.never.memberIds.map((id) => [id, false]), ...family.held.memberIds.map((id) => [id, true])]),
    );
    expect((await admin.post('/api/privacy/retention/run').send({ asOf: '2021-06-01' }).expect(200)).body.erased).toEqual({ people: 0, families: 0 });

    const holds = (await admin.get('/api/legal-holds').expect(200)).body.holds as { holdId: string }[];
    expect(holds).toHaveLength(1);
    expect(
      (
        await admin
          .post(`/api/legal-holds/${atIndex(holds, 0).holdId}/release`)
          .send({ releasedOn: '2021-06-01' })
          .expect(200)
      ).body,
    ).toMatchObject({ releasedOn: '2021-06-01' });
    await admin.post('/api/legal-holds/00000000-0000-4000-8000-000000000000/release').send({ releasedOn: '2021-06-01' }).expect(404);
    expect((await admin.post('/api/privacy/retention/run').send({ asOf: '2021-06-01' }).expect(200)).body.erased).toEqual({ people: 2, families: 1 });
    expect(await givenNames(family.held.familyId)).toEqual(['[erased]', '[erased]']);
    expect(await givenNames(family.open.familyId)).toEqual(['Perpetua', 'Tamsin']);
  }, 120_000);
});
