import request from 'supertest';
import { oneStoreKinds, startTestApp, type TestApp } from '../support/app';
import { type Client, asAdmin, asProgrammeManager, signedInAs } from '../support/signed-in';

/**
 * Issue 18.10 and API.md "Conventions": unknown query parameters are 400 on every route, never
 * silently ignored (a misspelt filter would answer with everything). The walk takes its routes from
 * the OpenAPI document, so a new GET route is covered the day it is added.
 */
describe.each(oneStoreKinds)('unknown query parameters on %s', (kind) => {
  let t: TestApp;
  let clients: Client[];
  beforeAll(async () => {
    t = await startTestApp(kind);
    clients = [asAdmin(t), asProgrammeManager(t), await signedInAs(t, 'finance-officer'), await signedInAs(t, 'auditor'), await signedInAs(t, 'analyst')];
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('refuses an unknown query parameter on every GET route of the OpenAPI document with 400 naming it', async () => {
    const doc = (await request(t.app.getHttpServer()).get('/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
    const routes = Object.entries(doc.paths).filter(([, methods]) => methods.get !== undefined);
    expect(routes.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [pattern, methods] of routes) {
      const path = pattern.replace(/\{[^}]+\}/g, id);
      const declared = (methods.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      if (declared.includes('colour')) wrong.push(`${pattern} declares the parameter the walk sends`);
      // Every role that may call the route gets the same 400; roles it refuses get their 403 first.
      const statuses: number[] = [];
      for (const client of clients) {
        const res = await client.get(path).query({ colour: 'blue' });
        statuses.push(res.status);
        if (res.status === 400 && !(res.body.details as { field: string }[] | undefined)?.some((d) => d.field === 'colour')) wrong.push(`${pattern}: 400 without naming colour`);
      }
      if (!statuses.includes(400) || statuses.some((s) => s !== 400 && s !== 403)) wrong.push(`${pattern} → ${statuses.join(', ')}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('still answers a route with only its declared parameters', async () => {
    await asProgrammeManager(t).get('/api/families').query({ status: 'attached', limit: 10 }).expect(200);
    const res = await asProgrammeManager(t).get('/api/families').query({ status: 'attached', satus: 'closed' }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringContaining('satus'), details: [expect.objectContaining({ field: 'satus' })] });
  });
});
