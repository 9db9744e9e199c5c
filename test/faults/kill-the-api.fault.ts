import { PgSqlClient, PostgresEventStore } from '@ledger/event-store';
import { ledgerProjectionRunner } from '@ledger/projections';
import { checkLog, commandStream, emptyResult, prepareService, resend, SERVICE_ENV, untilListed } from '../support/command-stream';
import { readModelFingerprint } from '../support/read-models';
import { sleep, startApiProcess } from '../support/services';
import { describeWhen } from '../support/test-env';
import { suiteCluster } from './support/cluster';

/**
 * Issue 15.7: kill -9 the api at random points of a stream of HTTP commands (inline projections),
 * restart it, send again the commands whose answers were lost (same Idempotency-Key), and at the
 * end: every acknowledged command is in the log exactly once, and the read models the api kept
 * equal a clean rebuild from the log.
 */
describeWhen(process.env.LEDGER_FAULTS_CLUSTER !== undefined, "no private PostgreSQL cluster (see the suite's global setup)")('kill -9 of the api during a stream of commands', () => {
  it('loses and repeats no acknowledged command over 10 kills, and its read models equal a clean rebuild', async () => {
    const cluster = suiteCluster();
    const admin = new PgSqlClient({ connectionString: cluster.url(), max: 1 });
    await admin.query('create database ledger_kill_api');
    await admin.close();
    const url = cluster.url('ledger_kill_api');
    const env = { ...SERVICE_ENV, LEDGER_POSTGRES_URL: url, LEDGER_PROJECTIONS: 'inline', LEDGER_POSTGRES_POOL_SIZE: '8' };
    const result = emptyResult();
    const kills: number[] = [];
    // Signed with LEDGER_JWT_SECRET, the first token serves every restart.
    let token = '';
    for (let round = 0; round < 10; round += 1) {
      const api = await startApiProcess(env);
      try {
        if (round === 0) token = await prepareService(api.baseUrl);
        await resend(api.baseUrl, token, result);
        const stream = commandStream(api.baseUrl, token, { clients: 4, result, giveUpMs: 300 });
        const killAfter = 200 + Math.floor(Math.random() * 1_200);
        await sleep(killAfter);
        await api.kill('SIGKILL');
        kills.push(killAfter);
        await stream.done;
      } finally {
        await api.kill('SIGKILL');
      }
    }
    // The last start: the lost answers sent again, the read models caught up, a clean stop.
    const api = await startApiProcess(env);
    try {
      await resend(api.baseUrl, token, result);
      expect(await untilListed(api.baseUrl, token, result.families)).toEqual([]);
    } finally {
      await api.kill('SIGTERM');
    }

    expect(kills).toHaveLength(10);
    expect(result.unexpected).toEqual([]);
    expect(result.acknowledged.size).toBeGreaterThan(50);
    const sql = new PgSqlClient({ connectionString: url, max: 4 });
    const store = await PostgresEventStore.open(sql, { migrate: false });
    try {
      const log = await checkLog(sql, 'ledger', result.acknowledged);
      expect({ missing: log.missing, repeated: log.repeated }).toEqual({ missing: [], repeated: 0 });
      const served = ledgerProjectionRunner({ eventStore: store, sql, readModelSchema: 'read' });
      const clean = ledgerProjectionRunner({ eventStore: store, sql, readModelSchema: 'clean_rebuild' });
      await clean.catchUp();
      expect(await readModelFingerprint(sql, served)).toEqual(await readModelFingerprint(sql, clean));
    } finally {
      await store.close();
    }
  });
});
