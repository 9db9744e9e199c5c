import { api } from '../support/families-fixture';
import request from 'supertest';
import { DEMO_PASSWORD, DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import type { LedgerConfig } from '@ledger/config';
import { LEDGER_CONFIG } from '@ledger/event-store';
import { startTestApp, type TestApp } from '../support/app';
import { asAdmin } from '../support/signed-in';

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

  it('registers its partner organisations under agreements in force, so its partner users record (issue 23.1)', async () => {
    const partners = (await asAdmin(first).get('/api/partners').expect(200)).body.partners as { organisation: string; agreements: { reference: string; shares: string[]; inForce: boolean }[] }[];
    expect(partners.map((p) => [p.organisation, p.agreements.map((a) => [a.reference, a.shares, a.inForce])])).toEqual([
      ['police', [['ISA-DEMO-POLICE', ['crime'], true]]],
      ['school', [['ISA-DEMO-SCHOOLS', ['education'], true]]],
      ['dwp', [['ISA-DEMO-DWP', ['benefits-employment'], true]]],
      ['health', [['ISA-DEMO-HEALTH', ['health'], true]]],
    ]);
    const family = (await api(first).get('/api/families').expect(200)).body.families[0] as { familyId: string };
    const memberId = (await api(first).get(`/api/families/${family.familyId}`).expect(200)).body.members[0].memberId as string;
    const police = (await request(first.app.getHttpServer()).post('/api/auth/token').send({ username: 'demo.police', password: DEMO_PASSWORD }).expect(200)).body.accessToken as string;
    await request(first.app.getHttpServer())
      .post(`/api/families/${family.familyId}/offences`)
      .set('Authorization', `Bearer ${police}`)
      .set('X-Legal-Basis', 'cda-1998-s115')
      .send({ memberId, committedOn: '2019-02-01', proven: true, category: 'theft' })
      .expect(201);
  });

  it('registers the partners of a demo store seeded before agreements were needed, once', async () => {
    const older = await startTestApp('pglite', { LEDGER_DEMO: 'on', LEDGER_DEMO_FAMILIES: '12', LEDGER_DEMO_SEED: '7' });
    try {
      // A completed demo seeding with no partner on record (as stores seeded before issue 23.1 are).
      const envelope = {
        eventId: '0b6c2d5e-1f3a-4c8b-9d7e-2a4f6b8c0d1e',
        commandId: '0b6c2d5e-1f3a-4c8b-9d7e-2a4f6b8c0d1f',
        correlationId: '0b6c2d5e-1f3a-4c8b-9d7e-2a4f6b8c0d1f',
        causationId: '0b6c2d5e-1f3a-4c8b-9d7e-2a4f6b8c0d1f',
        actor: { userId: 'demo-seed', role: 'system' },
        recordedAt: '2015-04-01T12:00:00.000Z',
        schemaVersion: 1,
      };
      await older.stores.eventStore.append(`demoSeed-${older.app.get<LedgerConfig>(LEDGER_CONFIG).councilId}`, [{ type: 'DemoSeedCompleted', data: { seed: 7, families: 12 }, metadata: envelope }], {
        expectedVersion: 'any',
      });
      expect(await older.app.get(DemoSeeder).seedIfEmpty()).toMatchObject({ seeded: false });
      expect(await older.app.get(DemoSeeder).seedIfEmpty()).toMatchObject({ seeded: false });
      const register = (await older.stores.eventStore.readStream('partnerOrganisation-register')).events;
      expect(register.map((e) => e.type)).toEqual([...Array(4)].flatMap(() => ['PartnerOrganisationRegistered', 'SharingAgreementRecorded']));
    } finally {
      await older.close();
    }
  });

  it('does not seed a store that already holds events, and seeds identically from the same seed', async () => {
    expect(await first.app.get(DemoSeeder).seedIfEmpty()).toMatchObject({ seeded: false });
    await second.app.get(DemoSeeder).seedIfEmpty();
    const a = await api(first).get('/api/families').expect(200);
    const b = await api(second).get('/api/families').expect(200);
    expect(b.body).toEqual(a.body);
  });
});
