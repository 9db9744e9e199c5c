import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig, type LedgerConfig } from '@ledger/config';
import { buildApp } from '../../apps/api/src/bootstrap';
import { TEST_ADMIN } from '../support/app';
import { freshPgliteDataDir } from '../support/stores';

// Issue 15.6: the embedded store's master.key wraps every person's data key. A store whose key
// file has gone (a restore that forgot it, a careless clean-up) must refuse to start with what to
// do, never quietly make a new key: that would leave every sealed name and date of birth
// unreadable, and the lost key could no longer simply be put back beside a store it fits.
describe('the embedded store without its master.key', () => {
  const dir = freshPgliteDataDir();
  const keyFile = join(dir.dataDir, 'master.key');
  const config = (): LedgerConfig => {
    const loaded = loadConfig({ LEDGER_DATA_DIR: dir.dataDir, LEDGER_DEMO: 'off', LEDGER_BOOTSTRAP_ADMIN: `${TEST_ADMIN.username}:${TEST_ADMIN.password}` });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    return loaded.config;
  };
  let familyId = '';
  let savedKey = '';

  afterAll(() => dir.remove());

  it('makes master.key on first start and seals a family under it', async () => {
    const { app } = await buildApp(config(), { logger: false });
    try {
      await app.init();
      const server = app.getHttpServer();
      const token = (await request(server).post('/api/auth/token').send(TEST_ADMIN).expect(200)).body.accessToken as string;
      await request(server).post('/api/users').set('Authorization', `Bearer ${token}`).send({ username: 'pm.key', password: 'a-long-password-0', role: 'programme-manager' }).expect(201);
      const pm = (await request(server).post('/api/auth/token').send({ username: 'pm.key', password: 'a-long-password-0' }).expect(200)).body.accessToken as string;
      const created = await request(server)
        .post('/api/families')
        .set('Authorization', `Bearer ${pm}`)
        .send({ reference: 'KEY-1', identifiedOn: '2016-01-10', members: [{ relationship: 'child', givenName: 'Wren', familyName: 'Keyfile', dateOfBirth: '2008-02-02' }] })
        .expect(201);
      familyId = created.body.familyId;
    } finally {
      await app.close();
    }
    expect(existsSync(keyFile)).toBe(true);
    savedKey = readFileSync(keyFile, 'utf8');
  });

  it('refuses to start when master.key is missing beside the existing store, and makes no new key', async () => {
    rmSync(keyFile);
    const start = buildApp(config(), { logger: false });
    await expect(start).rejects.toThrow(/the key file is missing/);
    await expect(start).rejects.toThrow(/restore master\.key|LEDGER_MASTER_KEY/);
    expect(existsSync(keyFile)).toBe(false);
  });

  it('starts again, with every name readable, once the key file is put back', async () => {
    writeFileSync(keyFile, savedKey, { mode: 0o600 });
    const { app } = await buildApp(config(), { logger: false });
    try {
      await app.init();
      const server = app.getHttpServer();
      const pm = (await request(server).post('/api/auth/token').send({ username: 'pm.key', password: 'a-long-password-0' }).expect(200)).body.accessToken as string;
      const family = await request(server).get(`/api/families/${familyId}`).set('Authorization', `Bearer ${pm}`).expect(200);
      expect(family.body.members[0]).toMatchObject({ givenName: 'Wren', familyName: 'Keyfile' });
    } finally {
      await app.close();
    }
  });
});
