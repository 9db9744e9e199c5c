import { storeKinds, startTestApp, TEST_PM, type TestApp } from '../support/app';
import { api, configureProgramme, countEvents, dates, eligibleFamily } from '../support/families-fixture';
import { keyworkerOnRecord } from '../support/signed-in';

/**
 * Issue 17.5 (DOMAIN.md 2): a family is attached to a keyworker user on record, with the dates of
 * its whole-family assessment and family plan, which the family and its history show.
 */
describe.each(storeKinds)('attachment evidence over HTTP on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await configureProgramme(t);
    await keyworkerOnRecord(t, 'kw.evidence');
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a keyworker who is not a keyworker user, recording nothing', async () => {
    const family = await eligibleFamily(t);
    const before = await countEvents(t);
    for (const keyworker of ['kw.nobody', TEST_PM.username]) {
      const res = await api(t).post(`/api/families/${family.familyId}/attachment`).send({ attachedOn: dates.attachedOn, keyworker }).expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, reason: 'UnknownKeyworker' });
      expect(res.body.message).toContain('keyworker');
    }
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses evidence dates out of order or not in the calendar, recording nothing', async () => {
    const family = await eligibleFamily(t);
    const before = await countEvents(t);
    const attach = (body: object) =>
      api(t)
        .post(`/api/families/${family.familyId}/attachment`)
        .send({ attachedOn: dates.attachedOn, keyworker: 'kw.evidence', ...body });
    expect((await attach({ familyPlanOn: '2099-01-01' }).expect(422)).body.reason).toBe('BusinessDateInFuture');
    expect((await attach({ wholeFamilyAssessmentOn: '2000-01-01' }).expect(422)).body.reason).toBe('EvidenceBeforeIdentified');
    const after = (await attach({ familyPlanOn: '2016-12-31' }).expect(422)).body;
    expect(after.reason).toBe('EvidenceAfterAttachment');
    expect(after.message).toContain('familyPlanOn');
    const notADate = (await attach({ wholeFamilyAssessmentOn: '2016-02-30' }).expect(400)).body;
    expect(JSON.stringify(notADate)).toContain('wholeFamilyAssessmentOn');
    expect(await countEvents(t)).toBe(before);
  });

  it('records the assessment and plan dates with the attachment and shows them on the family and in its history', async () => {
    const family = await eligibleFamily(t);
    const evidence = { wholeFamilyAssessmentOn: dates.problemsOn, familyPlanOn: dates.attachedOn };
    await api(t)
      .post(`/api/families/${family.familyId}/attachment`)
      .send({ attachedOn: dates.attachedOn, keyworker: 'kw.evidence', ...evidence })
      .expect(201);
    const shown = (await api(t).get(`/api/families/${family.familyId}`).expect(200)).body;
    expect(shown).toMatchObject({ keyworker: 'kw.evidence', attachmentEvidence: evidence });
    const history = (await api(t).get(`/api/families/${family.familyId}/history`).expect(200)).body.events as { type: string; data: object }[];
    expect(history.find((e) => e.type === 'FamilyAttached')?.data).toMatchObject({ keyworker: 'kw.evidence', ...evidence });
  });
});
