import { randomUUID } from 'node:crypto';
import { LEGAL_GATEWAY_RULE } from '@ledger/application';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { api, dates, eligibleFamily, identifiedFamily, identifyBody } from '../support/families-fixture';

// The command headers (API.md "Conventions") as a client meets them: each bad one is a 400 naming
// it, a bad body is named before a bad header, and the ETag of an answer is the version If-Match
// takes back; a refusal carries no ETag at all.

const VERSION = /^"\d+"$/;

describe.each(storeKinds)('command headers on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const problem = (memberId: string) => ({ problem: 'education', indicator: 'persistent absence', memberId, identifiedOn: dates.problemsOn, source: 'e2e' });

  it.each([
    ['Idempotency-Key', '', { message: 'invalid Idempotency-Key', details: [{ field: 'Idempotency-Key', message: 'must be 1 to 200 characters' }] }],
    ['Idempotency-Key', 'k'.repeat(201), { message: 'invalid Idempotency-Key', details: [{ field: 'Idempotency-Key', message: 'must be 1 to 200 characters' }] }],
    ['If-Match', 'three', { message: 'invalid If-Match', details: [{ field: 'If-Match', message: 'must be an ETag given by this API, e.g. "3"' }] }],
    ['X-Legal-Basis', 'because', { message: 'invalid X-Legal-Basis', details: [{ field: 'X-Legal-Basis', message: LEGAL_GATEWAY_RULE }] }],
    ['X-Correlation-Id', 'case of J Smith', { message: 'invalid X-Correlation-Id', details: [{ field: 'X-Correlation-Id', message: 'must be a UUID, e.g. 3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f38' }] }],
  ])('a bad %s (%j) is 400 naming it, and records nothing', async (name, value, expected) => {
    const f = await identifiedFamily(t);
    const res = await api(t).post(`/api/families/${f.familyId}/problems`).set(name, value).send(problem(f.childId)).expect(400);
    expect(res.body).toEqual(expect.objectContaining({ statusCode: 400, ...expected }));
    expect(res.headers.etag ?? '').not.toMatch(VERSION);
    const after = await api(t).get(`/api/families/${f.familyId}`).expect(200);
    expect(after.headers.etag).toBe(`"${f.version}"`);
  });

  it('names a bad body or path before a bad header', async () => {
    const f = await identifiedFamily(t);
    const res = await api(t)
      .post(`/api/families/${f.familyId}/problems`)
      .set('If-Match', 'three')
      .set('Idempotency-Key', '')
      .send({ ...problem(f.childId), indicator: 42 })
      .expect(400);
    expect(res.body.message).toBe('invalid request: indicator');
    const identify = await api(t)
      .post('/api/families')
      .set('X-Correlation-Id', 'not a uuid')
      .send({ ...identifyBody(), identifiedOn: 'yesterday' })
      .expect(400);
    expect(identify.body.message).toBe('invalid request: identifiedOn');
    const path = await api(t).post('/api/families/not-a-family/problems').set('If-Match', 'three').send(problem(randomUUID())).expect(404);
    expect(path.body.reason).toBe('FamilyNotFound');
  });

  it('answers a command with its version as ETag, which If-Match takes back; a stale one is 409 without one', async () => {
    const f = await eligibleFamily(t);
    const read = await api(t).get(`/api/families/${f.familyId}`).expect(200);
    expect(read.headers.etag).toBe(`"${f.version}"`);
    const recorded = await api(t)
      .post(`/api/families/${f.familyId}/offences`)
      .set('If-Match', String(read.headers.etag))
      .send({ memberId: f.parentId, committedOn: '2016-02-01', proven: true })
      .expect(201);
    expect(recorded.headers.etag).toBe(`"${f.version + 1}"`);
    expect(recorded.body).toEqual({ eventId: expect.any(String), version: f.version + 1 });
    const stale = await api(t)
      .post(`/api/families/${f.familyId}/offences`)
      .set('If-Match', String(read.headers.etag))
      .send({ memberId: f.parentId, committedOn: '2016-02-02', proven: true })
      .expect(409);
    expect(stale.headers.etag ?? '').not.toMatch(VERSION);
    const identified = await api(t).post('/api/families').send(identifyBody()).expect(201);
    expect(identified.headers.etag).toBe('"1"');
    expect(identified.headers.location).toBe(`/api/families/${identified.body.familyId}`);
    expect(Object.keys(identified.body).sort()).toEqual(['eventId', 'familyId', 'members', 'version']);
  });
});
