import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@ledger/config';
import { type OpenedStores, PgSqlClient, PostgresEventStore, quoteIdent } from '@ledger/event-store';
import { ledgerProjectionRunner, PROJECTION_RUNNER, type ProjectionRunner } from '@ledger/projections';
import { buildApp } from '../../apps/api/src/bootstrap';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { startTestApp, TEST_MASTER_KEY, type TestApp } from '../support/app';
import { readModelFingerprint } from '../support/read-models';
import { signedInTeam, TEAM_ENV } from '../support/team';
import { describeWhen } from '../support/test-env';
import { suiteCluster } from './support/cluster';

const JWT_SECRET = 'b'.repeat(40);
const clock = { now: () => new Date('2019-04-20T10:00:00Z') };

/**
 * Issue 15.8: a dump of a running service's database (pg_dump, custom format), restored with
 * pg_restore into a fresh database, its read models dropped: a rebuild from the restored log
 * reproduces every read model, and every submitted claim's report (CSV, XLSX, PDF) byte for byte.
 * The master key is not in the dump: the restored service is given it apart (infra/README.md).
 */
describeWhen(process.env.LEDGER_FAULTS_CLUSTER !== undefined, "no private PostgreSQL cluster (see the suite's global setup)")('backing up and restoring the event store', () => {
  it('restores a dump into a fresh database whose rebuild reproduces every read model and claim report', async () => {
    const cluster = suiteCluster();
    const admin = new PgSqlClient({ connectionString: cluster.url(), max: 1 });
    await admin.query('create database ledger_backup');
    await admin.query('create database ledger_restored');
    await admin.close();
    const dir = mkdtempSync(join(tmpdir(), 'ledger-backup-'));
    let original: TestApp | undefined;
    let restored: Awaited<ReturnType<typeof buildApp>> | undefined;
    try {
      // A council's claim cycle on the demo borough, up to submission.
      original = await startTestApp(
        'postgres',
        { ...TEAM_ENV, LEDGER_JWT_SECRET: JWT_SECRET, LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7' },
        { clock, postgresUrl: cluster.url('ledger_backup') },
      );
      await original.app.get(DemoSeeder).seedIfEmpty();
      const team = await signedInTeam(original);
      const { api, as } = team;
      const draft = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201);
      const claimId: string = draft.body.claimId;
      const sample = await api().post(`/api/claims/${claimId}/audit-sample`).set(as('audit.au')).send({ seed: 42 }).expect(201);
      for (const familyId of sample.body.familyIds as string[]) {
        await api().post(`/api/claims/${claimId}/audit-findings`).set(as('audit.au')).send({ familyId, valid: true, note: 'evidence checked' }).expect(201);
      }
      await api().post(`/api/claims/${claimId}/sign-offs`).set(as('pm.lead')).send({ role: 'programme-lead' }).expect(201);
      await api().post(`/api/claims/${claimId}/sign-offs`).set(as('audit.au')).send({ role: 'head-of-audit' }).expect(201);
      await api().post(`/api/claims/${claimId}/submission`).set(as('finance.fo')).expect(201);
      const reportsOf = async (server: Parameters<typeof request>[0], token: string): Promise<Record<string, string>> => {
        const claims = await request(server)
          .get('/api/claims')
          .set({ Authorization: `Bearer ${token}` })
          .expect(200);
        const submitted = (claims.body.claims as { claimId: string; status: string }[]).filter((c) => c.status === 'submitted').map((c) => c.claimId);
        const out: Record<string, string> = {};
        for (const id of submitted.sort()) {
          for (const format of ['csv', 'xlsx', 'pdf']) {
            const res = await request(server)
              .get(`/api/claims/${id}/report.${format}`)
              .set({ Authorization: `Bearer ${token}` })
              .buffer(true)
              .parse((r, done) => {
                const chunks: Buffer[] = [];
                r.on('data', (c: Buffer) => chunks.push(c));
                r.on('end', () => done(null, Buffer.concat(chunks)));
              })
              .expect(200);
            out[`${id}.${format}`] = (res.body as Buffer).toString('base64');
          }
        }
        return out;
      };
      const signIn = async (server: Parameters<typeof request>[0]) =>
        (await request(server).post('/api/auth/token').send({ username: 'finance.fo', password: 'a-long-password-9' }).expect(200)).body.accessToken as string;
      const originalReports = await reportsOf(original.app.getHttpServer(), await signIn(original.app.getHttpServer()));
      expect(Object.keys(originalReports).sort()).toEqual([`${claimId}.csv`, `${claimId}.pdf`, `${claimId}.xlsx`]);
      const originalRunner = original.app.get<ProjectionRunner>(PROJECTION_RUNNER);
      await originalRunner.catchUp();
      const originalModels = await readModelFingerprint(original.stores.sql, originalRunner);

      // The backup, taken while the service runs, and its restore into a fresh database.
      const dump = join(dir, 'ledger.dump');
      const connection = ['-h', '127.0.0.1', '-p', String(cluster.handle.port), '-U', 'postgres'];
      await cluster.client('pg_dump', [...connection, '--format=custom', '--file', dump, 'ledger_backup']);
      await cluster.client('pg_restore', [...connection, '--no-owner', '--dbname', 'ledger_restored', dump]);

      // The restored read models are dropped: the restored service rebuilds them from its log.
      const schema = original.stores.schema ?? '';
      const sql = new PgSqlClient({ connectionString: cluster.url('ledger_restored'), max: 8 });
      await sql.query(`drop schema ${quoteIdent(`${schema}_read`)} cascade`);
      const loaded = loadConfig({ LEDGER_POSTGRES_URL: cluster.url('ledger_restored'), LEDGER_MASTER_KEY: TEST_MASTER_KEY, LEDGER_JWT_SECRET: JWT_SECRET, LEDGER_DEMO: 'off' });
      if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
      const eventStore = await PostgresEventStore.open(sql, { schema });
      const stores: OpenedStores = { eventStore, sql, description: { kind: 'postgres', where: 'restored' }, readModelSchema: `${schema}_read`, schema };
      restored = await buildApp(loaded.config, { stores, logger: false, clock });
      await restored.app.listen(0, '127.0.0.1');
      const restoredRunner = restored.app.get<ProjectionRunner>(PROJECTION_RUNNER);
      await restoredRunner.catchUp();
      expect(await readModelFingerprint(sql, restoredRunner)).toEqual(originalModels);
      // The same as a rebuild of the original's own log.
      const rebuilt = ledgerProjectionRunner({ eventStore: original.stores.eventStore, sql: original.stores.sql, readModelSchema: `${schema}_rebuilt` });
      await rebuilt.catchUp();
      expect(await readModelFingerprint(original.stores.sql, rebuilt)).toEqual(originalModels);

      const restoredServer = restored.app.getHttpServer();
      expect(await reportsOf(restoredServer, await signIn(restoredServer))).toEqual(originalReports);
    } finally {
      await restored?.app.close();
      await original?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
