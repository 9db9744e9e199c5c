import request from 'supertest';
import { oneStoreKinds, startTestApp, type TestApp } from '../support/app';
import { api, attachedFamily, configureProgramme, countEvents, identifyBody, uniqueReference } from '../support/families-fixture';
import { asAdmin, signedInAs } from '../support/signed-in';

/**
 * Issue 16.9: security headers (helmet), `Cache-Control: no-store` on every answer carrying
 * personal data and on every report or export, Swagger only when `LEDGER_API_DOCS` is on, a NUL
 * character or JSON nested too deep is 400 (never a 500) and records nothing, and business dates
 * before 1900 are refused wherever a business date is taken.
 */
describe.each(oneStoreKinds)('headers and limits on %s', (kind) => {
  let t: TestApp;
  let familyId: string;

  beforeAll(async () => {
    t = await startTestApp(kind);
    await configureProgramme(t);
    familyId = (await attachedFamily(t)).familyId;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('sends helmet headers: no X-Powered-By, nosniff, no framing; HSTS only behind TLS', async () => {
    for (const res of [await request(t.app.getHttpServer()).get('/health'), await api(t).get(`/api/families/${familyId}`), await request(t.app.getHttpServer()).get('/api/families')]) {
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
    const behindTls = await request(t.app.getHttpServer()).get('/health').set('X-Forwarded-Proto', 'https');
    expect(behindTls.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('marks every answer carrying personal data, and every report and export, Cache-Control: no-store', async () => {
    const analyst = await signedInAs(t, 'analyst');
    const answers: [string, request.Response][] = [
      ['family', await api(t).get(`/api/families/${familyId}`).expect(200)],
      ['history', await api(t).get(`/api/families/${familyId}/history`).expect(200)],
      ['families', await api(t).get('/api/families').expect(200)],
      ['outcomes report', await analyst.get('/api/reports/outcomes.csv').query({ asOf: '2017-03-31' }).expect(200)],
      ['ONS export', await analyst.get('/api/exports/ons-evaluation.csv').query({ from: '2016-01-01', to: '2016-12-31' }).expect(200)],
      ['access log', await asAdmin(t).get('/api/audit/access-log').expect(200)],
      ['an error', await api(t).get('/api/families/not-a-family-id')],
    ];
    for (const [what, res] of answers) expect({ what, cache: res.headers['cache-control'] }).toEqual({ what, cache: 'no-store' });
  });

  it('refuses a NUL character anywhere in a body, or JSON nested too deep, with 400 naming the field, recording nothing', async () => {
    const before = await countEvents(t);
    const body = identifyBody(uniqueReference('NUL')) as { members: Record<string, unknown>[] };
    const cases: [string, string][] = [
      [JSON.stringify({ ...body, reference: 'REF\u0000X' }), 'reference'],
      [JSON.stringify({ ...body, members: [{ ...body.members[0], givenName: 'Jo\u0000' }, ...body.members.slice(1)] }), 'members[0].givenName'],
      [JSON.stringify(body).replace('{', '{"a\\u0000b":1,'), 'a\\u0000b'],
    ];
    // Built as text: JSON.stringify itself recurses.
    for (const depth of [17, 10_000]) cases.push([JSON.stringify({ ...body, extra: 'DEEP' }).replace('"DEEP"', `${'['.repeat(depth)}"x"${']'.repeat(depth)}`), 'extra']);
    cases.push([JSON.stringify({ ...body, extra: 'DEEP' }).replace('"DEEP"', `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`), 'extra']);
    for (const [text, field] of cases) {
      const res = await api(t).post('/api/families').set('Content-Type', 'application/json').send(text);
      expect({ status: res.status, shape: res.body.statusCode }).toEqual({ status: 400, shape: 400 });
      expect((res.body.details ?? []).map((d: { field: string }) => d.field).join(' ')).toContain(field.split('[')[0]);
    }
    const offence = await api(t).post(`/api/families/${familyId}/problems`).send({ problem: 'health', indicator: 'gp\u0000', identifiedOn: '2016-04-12', source: 'g\u0000p' });
    expect(offence.status).toBe(400);
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses business dates before 1900 in bodies and in queries', async () => {
    const before = await countEvents(t);
    const early = await api(t)
      .post('/api/families')
      .send({ ...identifyBody(uniqueReference('OLD')), identifiedOn: '1899-12-31' });
    expect({ status: early.status, fields: early.body.details?.map((d: { field: string }) => d.field) }).toEqual({ status: 400, fields: ['identifiedOn'] });
    expect(early.body.details[0].message).toContain('1900-01-01');
    const body = identifyBody(uniqueReference('OLD')) as { members: Record<string, unknown>[] };
    const born = await api(t)
      .post('/api/families')
      .send({ ...body, members: [{ ...body.members[0], dateOfBirth: '0001-01-01' }, ...body.members.slice(1)] });
    expect(born.status).toBe(400);
    expect(
      (
        await api(t)
          .post(`/api/families/${familyId}/offences`)
          .send({ memberId: (await api(t).get(`/api/families/${familyId}`)).body.members[0].memberId, committedOn: '1066-10-14', proven: true })
      ).status,
    ).toBe(400);
    expect((await api(t).get(`/api/families/${familyId}/progress`).query({ asOf: '1899-12-31' })).status).toBe(400);
    expect(await countEvents(t)).toBe(before);
  });
});

describe('API docs switched off (LEDGER_API_DOCS=off)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { LEDGER_API_DOCS: 'off' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('serves neither Swagger UI nor the OpenAPI document', async () => {
    const server = t.app.getHttpServer();
    expect((await request(server).get('/api/docs-json')).status).toBe(404);
    expect((await request(server).get('/api/docs')).status).toBe(404);
    expect((await request(server).get('/api/docs/')).status).toBe(404);
  });
});
