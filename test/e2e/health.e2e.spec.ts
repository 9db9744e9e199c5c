import request from 'supertest';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { asProgrammeManager } from '../support/signed-in';

describe.each(storeKinds)('operations endpoints on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers liveness', async () => {
    await request(t.app.getHttpServer()).get('/health').expect(200, { status: 'ok' });
  });

  it('answers readiness when the store is reachable', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ready', store: { kind: kind === 'pglite' ? 'embedded' : 'postgres' } });
  });

  it('serves Swagger UI and the OpenAPI document', async () => {
    const ui = await request(t.app.getHttpServer()).get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await request(t.app.getHttpServer()).get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready']));
  });

  it('answers 404 in the error shape for an unknown path', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/nothing-here').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404 });
  });
});

describe('readiness when the store has gone', () => {
  it('answers 503 naming the unavailable store', async () => {
    const t = await startTestApp('pglite');
    try {
      await t.stores.eventStore.close();
      const res = await request(t.app.getHttpServer()).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ statusCode: 503, reason: 'StoreUnavailable' });
      // A command meets the same store: 503, never a 500.
      const command = await asProgrammeManager(t)
        .post('/api/families')
        .send({ reference: 'R-503', identifiedOn: '2016-01-10', members: [{ relationship: 'child', givenName: 'A', familyName: 'B', dateOfBirth: '2008-02-02' }] })
        .expect(503);
      expect(command.body).toMatchObject({ statusCode: 503, reason: 'StoreUnavailable' });
    } finally {
      await t.close();
    }
  });
});
