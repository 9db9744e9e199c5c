import { api } from '../support/families-fixture';
import request from 'supertest';
import { DEMO_PASSWORD, DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { startTestApp, type TestApp } from '../support/app';

/**
 * The demo borough is recorded through the real command handlers; every synthetic command must
 * be accepted, the families must then be visible through the API, and seeding is deterministic
 * and happens once. (A small borough keeps CI fast; `npm start` seeds 300 families.)
 */
describe('seeding the demo borough on an empty store', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await startTestApp('pglite', { LEDGER_DEMO: 'on', LEDGER_DEMO_FAMILIES: '12', LEDGER_DEMO_SEED: '7' });
    second = await startTestApp('pglite', { LEDGER_DEMO: 'on', LEDGER_DEMO_FAMILIES: '12', LEDGER_DEMO_SEED: '7' });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('records every synthetic command and shows the families through the API', async () => {
    const report = await first.app.get(DemoSeeder).seedIfEmpty();
    expect(report).toMatchObject({ seeded: true, families: 12, refused: 0 });
    expect(report.commands).toBeGreaterThan(12 * 10);

    const programme = await api(first).get('/api/programme').expect(200);
    expect(programme.body.councilName).toMatch(/demo data/);
    const list = await api(first).get('/api/families').expect(200);
    expect(list.body.families).toHaveLength(12);
    expect(list.body.families.every((f: { reference: string }) => f.reference.startsWith('SYN-'))).toBe(true);
    expect(list.body.families.some((f: { status: string }) => f.status !== 'identified')).toBe(true);
    const one = await api(first).get(`/api/families/${list.body.families[0].familyId}`).expect(200);
    expect(one.body.members.length).toBeGreaterThan(1);

    // The quick start's demo users can sign in, each with its own role.
    const token = await request(first.app.getHttpServer()).post('/api/auth/token').send({ username: 'demo.pm', password: DEMO_PASSWORD }).expect(200);
    expect(token.body.role).toBe('programme-manager');
    await request(first.app.getHttpServer()).get('/api/families').set('Authorization', `Bearer ${token.body.accessToken}`).expect(200);
    const analyst = await request(first.app.getHttpServer()).post('/api/auth/token').send({ username: 'demo.analyst', password: DEMO_PASSWORD }).expect(200);
    await request(first.app.getHttpServer()).get('/api/families').set('Authorization', `Bearer ${analyst.body.accessToken}`).expect(403);
  });

  it('does not seed a store that already holds events, and seeds identically from the same seed', async () => {
    expect(await first.app.get(DemoSeeder).seedIfEmpty()).toMatchObject({ seeded: false });
    await second.app.get(DemoSeeder).seedIfEmpty();
    const a = await api(first).get('/api/families').expect(200);
    const b = await api(second).get('/api/families').expect(200);
    expect(b.body).toEqual(a.body);
  });
});
