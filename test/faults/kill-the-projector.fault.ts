import { PgSqlClient, PostgresEventStore } from '@ledger/event-store';
import { ledgerProjectionRunner } from '@ledger/projections';
import { readModelFingerprint } from '../support/read-models';
import { sleep, startService } from '../support/services';
import { syntheticEventBatches } from '../support/synthetic-events';
import { describeWhen } from '../support/test-env';
import { suiteCluster } from './support/cluster';

/**
 * Issue 15.7: kill -9 of the projector at random points of a catch-up, on an event store schema
 * of its own (issue 14.2: it must fill `<schema>_read`), restarting it each time; the read models
 * it ends with equal a clean rebuild (rows and checkpoint commit together).
 */
describeWhen(process.env.LEDGER_FAULTS_CLUSTER !== undefined, "no private PostgreSQL cluster (see the suite's global setup)")('kill -9 of the projector during a catch-up', () => {
  it('ends with read models equal to a clean rebuild', async () => {
    const cluster = suiteCluster();
    const admin = new PgSqlClient({ connectionString: cluster.url(), max: 1 });
    await admin.query('create database ledger_kill_projector');
    await admin.close();
    const url = cluster.url('ledger_kill_projector');
    const schema = 'projector_faults';
    const sql = new PgSqlClient({ connectionString: url, max: 4 });
    const store = await PostgresEventStore.open(sql, { schema });
    try {
      let total = 0;
      for (const batch of syntheticEventBatches({ families: 600, seed: 15, familiesPerBatch: 150 })) {
        const result = await store.appendMany(batch);
        if (result.kind !== 'appended') throw new Error('fixture conflict');
        total += result.appendedEvents;
      }
      expect(total).toBeGreaterThan(20_000);

      const env = { LEDGER_POSTGRES_URL: url, LEDGER_POSTGRES_SCHEMA: schema, LEDGER_DEMO: 'off' };
      let kills = 0;
      for (let round = 0; round < 3; round += 1) {
        const projector = startService('projector', env);
        // Killed while it writes a batch (a statement of its own on the read models is running or
        // its transaction is open), at a random moment after that: a fixed delay after its first
        // progress line missed the whole catch-up on an idle machine.
        const deadline = Date.now() + 60_000;
        while (projector.isRunning() && !projector.output().includes('caught up') && Date.now() < deadline) {
          const [writing] = await sql.query<{ n: string }>(
            `select count(*)::text as n from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid() and state in ('active', 'idle in transaction') and query like $1`,
            [`%${schema}_read%`],
          );
          if (Number(writing?.n) > 0) break;
          await sleep(2);
        }
        await sleep(Math.floor(Math.random() * 30));
        if (projector.isRunning() && !projector.output().includes('caught up')) kills += 1;
        await projector.kill('SIGKILL');
      }
      const last = startService('projector', env);
      await last.waitFor('caught up', 120_000);
      await last.kill('SIGTERM');
      expect(kills).toBeGreaterThan(0);

      const served = ledgerProjectionRunner({ eventStore: store, sql, readModelSchema: `${schema}_read` });
      const clean = ledgerProjectionRunner({ eventStore: store, sql, readModelSchema: `${schema}_clean` }, { batchSize: 5_000 });
      await clean.catchUp();
      expect(await readModelFingerprint(sql, served)).toEqual(await readModelFingerprint(sql, clean));
    } finally {
      await store.close();
    }
  });
});
