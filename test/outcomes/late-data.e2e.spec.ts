import { api } from '../support/families-fixture';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { keyworkerOnRecord } from '../support/signed-in';

/**
 * Late data is normal: a summer-term attendance return recorded in October changes the answer
 * for as-of dates after the term, but asking "as we knew it" on a date before it was recorded
 * gives the answer we had then.
 */
describe.each(storeKinds)('late attendance on %s', (kind) => {
  let t: TestApp;
  let now = new Date('2016-08-20T10:00:00Z');
  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock: { now: () => now } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('changes later as-of answers but not the answer as known on an earlier date', async () => {
    await api(t).put('/api/programme').send({ councilName: 'Test borough', framework: 'troubled-families-2015', allocation: 10 }).expect(200);
    const family = await api(t)
      .post('/api/families')
      .send({
        reference: 'LATE-1',
        identifiedOn: '2016-08-01',
        members: [
          { relationship: 'parent', givenName: 'Pat', familyName: 'Example', dateOfBirth: '1980-03-03' },
          { relationship: 'child', givenName: 'Sam', familyName: 'Example', dateOfBirth: '2007-06-06' },
        ],
      })
      .expect(201);
    const familyId: string = family.body.familyId;
    const child: string = family.body.members[1].memberId;
    for (const problem of ['education', 'health']) {
      await api(t).post(`/api/families/${familyId}/problems`).send({ problem, indicator: 'at entry', identifiedOn: '2016-08-10', source: 'school' }).expect(201);
    }
    const concern = await api(t).post(`/api/families/${familyId}/health`).send({ memberId: child, change: 'identified', on: '2016-08-10' }).expect(201);
    await keyworkerOnRecord(t, 'kw.test');
    await api(t).post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2016-08-15', keyworker: 'kw.test' }).expect(201);
    await api(t).post(`/api/families/${familyId}/health`).send({ memberId: child, change: 'resolved', on: '2016-08-19', concernId: concern.body.concernId }).expect(201);

    now = new Date('2017-05-01T10:00:00Z');
    for (const term of ['autumn', 'spring']) {
      await api(t)
        .post(`/api/families/${familyId}/school-attendance`)
        .send({ memberId: child, academicYear: '2016/17', term, possibleSessions: 140, attendedSessions: 133, unauthorisedAbsenceSessions: 1 })
        .expect(201);
    }
    const education = async (query: Record<string, string>) => {
      const res = await api(t).get(`/api/families/${familyId}/progress`).query(query).expect(200);
      return res.body.problems.find((p: { problem: string }) => p.problem === 'education') as { met: boolean; detail: string };
    };
    const before = await education({ asOf: '2017-09-30' });
    expect(before.met).toBe(false);

    // The summer return arrives in October.
    now = new Date('2017-10-16T10:00:00Z');
    await api(t)
      .post(`/api/families/${familyId}/school-attendance`)
      .send({ memberId: child, academicYear: '2016/17', term: 'summer', possibleSessions: 120, attendedSessions: 114, unauthorisedAbsenceSessions: 0 })
      .expect(201);

    expect((await education({ asOf: '2017-09-30' })).met).toBe(true);
    expect(await education({ asOf: '2017-09-30', knownAt: '2017-10-01' })).toEqual(before);
    const results = await api(t).get('/api/results').query({ asOf: '2017-09-30' }).expect(200);
    expect(results.body.families.map((f: { familyId: string }) => f.familyId)).toContain(familyId);
    const known = await api(t).get('/api/results').query({ asOf: '2017-09-30', knownAt: '2017-10-01' }).expect(200);
    expect(known.body.families.map((f: { familyId: string }) => f.familyId)).not.toContain(familyId);
  });

  it('names a bad as-of or known-at date in a 400', async () => {
    const res = await api(t).get('/api/results').query({ asOf: '2017-02-30', knownAt: 'yesterday' }).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['asOf', 'knownAt']);
  });
});
