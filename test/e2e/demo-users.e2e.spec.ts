import type { LoggerService } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@ledger/config';
import { buildApp } from '../../apps/api/src/bootstrap';
import { DEMO_PASSWORD, DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { TEST_MASTER_KEY, startTestApp, type StoreKind, type TestApp } from '../support/app';
import { asAdmin } from '../support/signed-in';
import { describeWhen, testEnv } from '../support/test-env';

/**
 * Issue 16.11, demo users never on a real store: `LEDGER_DEMO=on` on PostgreSQL seeds the
 * synthetic borough without the `demo.*` users (one published password) unless
 * `LEDGER_DEMO_USERS=on` asks for them, and the service warns at every start while a demo password
 * still works.
 */
class Captured implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

/** Starts the api again on the stores a stopped test app left behind, with a logger that keeps warnings. */
async function restart(t: TestApp, kind: StoreKind): Promise<string[]> {
  await t.stop();
  const loaded = loadConfig({
    LEDGER_MASTER_KEY: TEST_MASTER_KEY,
    LEDGER_DEMO: 'off',
    ...(kind === 'pglite' ? { LEDGER_DATA_DIR: t.stores.description.where } : { LEDGER_POSTGRES_URL: testEnv.postgresUrl, LEDGER_POSTGRES_SCHEMA: t.stores.schema }),
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const logger = new Captured();
  const { app } = await buildApp(loaded.config, { logger });
  await app.init();
  await app.close();
  return logger.warnings;
}

const demoWarning = (warnings: string[]) => warnings.filter((w) => /demo password/i.test(w) && /demo\.pm/.test(w));

describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('demo users on PostgreSQL', () => {
  it('seeds the demo borough without demo users unless LEDGER_DEMO_USERS=on', async () => {
    const t = await startTestApp('postgres', { LEDGER_DEMO: 'on', LEDGER_DEMO_FAMILIES: '2', LEDGER_DEMO_SEED: '7' });
    try {
      expect(t.config.demoUsers).toBe(false);
      expect(await t.app.get(DemoSeeder).seedIfEmpty()).toMatchObject({ seeded: true, families: 2 });
      expect((await request(t.app.getHttpServer()).post('/api/auth/token').send({ username: 'demo.pm', password: DEMO_PASSWORD }).expect(401)).body.reason).toBe('SignInRefused');
      const users = (await asAdmin(t).get('/api/users').expect(200)).body.users as { username: string }[];
      expect(users.filter((u) => u.username.startsWith('demo.'))).toEqual([]);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('creates them when asked, and warns at every start while their password works', async () => {
    const t = await startTestApp('postgres', { LEDGER_DEMO: 'on', LEDGER_DEMO_USERS: 'on', LEDGER_DEMO_FAMILIES: '2', LEDGER_DEMO_SEED: '7' });
    try {
      await t.app.get(DemoSeeder).seedIfEmpty();
      await request(t.app.getHttpServer()).post('/api/auth/token').send({ username: 'demo.pm', password: DEMO_PASSWORD }).expect(200);
      expect(demoWarning(await restart(t, 'postgres'))).toHaveLength(1);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('demo users on the embedded store', () => {
  it('warns at every start while a demo password works, and stops warning once they are deactivated', async () => {
    const t = await startTestApp('pglite', { LEDGER_DEMO: 'on', LEDGER_DEMO_FAMILIES: '2', LEDGER_DEMO_SEED: '7' });
    try {
      await t.app.get(DemoSeeder).seedIfEmpty();
      for (const u of ['demo.admin', 'demo.pm', 'demo.finance', 'demo.auditor', 'demo.analyst']) {
        if (u !== 'demo.pm') await asAdmin(t).post(`/api/users/${u}/deactivation`).send({}).expect(200);
      }
      const warnings = demoWarning(await restart(t, 'pglite'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).not.toMatch(/demo\.admin/);
    } finally {
      await t.close();
    }
  }, 120_000);
});
