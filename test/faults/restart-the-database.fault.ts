import { PgSqlClient, PostgresEventStore } from '@ledger/event-store';
import { ledgerProjectionRunner } from '@ledger/projections';
import { checkLog, commandStream, prepareService, SERVICE_ENV, type StreamResult, untilListed } from '../support/command-stream';
import { readModelFingerprint } from '../support/read-models';
import { type ServiceProcess, sleep, startApiProcess, startService } from '../support/services';
import { describeWhen } from '../support/test-env';
import { suiteCluster } from './support/cluster';

/**
 * Issue 15.1 under a real outage, and 15.7: the suite's own PostgreSQL cluster is restarted
 * (`pg_ctl stop -m fast` and start) and then its postmaster is killed with SIGKILL and started
 * again, while two services take commands: one with inline projections, one with external ones
 * (an api and a projector), each on an event store schema of its own. Neither may exit; they
 * answer 503 StoreUnavailable while the database is away and 2xx within a second of its return;
 * no acknowledged command is lost or repeated, and the read models equal a clean rebuild.
 */
describeWhen(process.env.LEDGER_FAULTS_CLUSTER !== undefined, "no private PostgreSQL cluster (see the suite's global setup)")('restarting and killing the database under load', () => {
  it('keeps both projection modes up, 503 during the outage, 2xx within a second after, nothing lost or repeated', async () => {
    const cluster = suiteCluster();
    const admin = new PgSqlClient({ connectionString: cluster.url(), max: 1 });
    await admin.query('create database ledger_restart');
    await admin.close();
    const url = cluster.url('ledger_restart');
    const modes = ['inline', 'external'] as const;
    const processes: ServiceProcess[] = [];
    try {
      const services = [];
      for (const mode of modes) {
        const schema = `${mode}_mode`;
        const api = await startApiProcess({ ...SERVICE_ENV, LEDGER_POSTGRES_URL: url, LEDGER_POSTGRES_SCHEMA: schema, LEDGER_PROJECTIONS: mode, LEDGER_POSTGRES_POOL_SIZE: '8' });
        processes.push(api);
        let projector: ServiceProcess | null = null;
        if (mode === 'external') {
          projector = startService('projector', { LEDGER_POSTGRES_URL: url, LEDGER_POSTGRES_SCHEMA: schema, LEDGER_DEMO: 'off' });
          processes.push(projector);
          await projector.waitFor('following the log');
        }
        const token = await prepareService(api.baseUrl);
        services.push({ mode, schema, api, projector, token, stream: commandStream(api.baseUrl, token, { clients: 3, reads: true }) });
      }

      await sleep(1_500);
      await cluster.restart();
      const afterRestart = Date.now();
      await sleep(2_000);
      await cluster.killPostmaster();
      await sleep(300);
      await cluster.start();
      const afterKill = Date.now();
      await sleep(2_500);
      const results: StreamResult[] = [];
      for (const service of services) results.push(await service.stream.stop());

      for (const [i, service] of services.entries()) {
        const result = results[i] as StreamResult;
        const firstAfter = (at: number): number => (result.successesAt.find((t) => t >= at) ?? Infinity) - at;
        expect({
          mode: service.mode,
          apiRunning: service.api.isRunning(),
          projectorRunning: service.projector?.isRunning() ?? true,
          unexpected: result.unexpected,
          noAnswer: result.statuses.get(0) ?? 0,
          answeredUnavailable: (result.statuses.get(503) ?? 0) > 0,
          twoHundredWithinASecondOfRestart: firstAfter(afterRestart) < 1_000,
          twoHundredWithinASecondOfKill: firstAfter(afterKill) < 1_000,
        }).toEqual({
          mode: service.mode,
          apiRunning: true,
          projectorRunning: true,
          unexpected: [],
          noAnswer: 0,
          answeredUnavailable: true,
          twoHundredWithinASecondOfRestart: true,
          twoHundredWithinASecondOfKill: true,
        });
        expect(await untilListed(service.api.baseUrl, service.token, result.families)).toEqual([]);
      }

      const sql = new PgSqlClient({ connectionString: url, max: 4 });
      try {
        for (const [i, service] of services.entries()) {
          const log = await checkLog(sql, service.schema, (results[i] as StreamResult).acknowledged);
          expect({ mode: service.mode, missing: log.missing, repeated: log.repeated }).toEqual({ mode: service.mode, missing: [], repeated: 0 });
          const store = await PostgresEventStore.open(sql, { schema: service.schema, migrate: false });
          const served = ledgerProjectionRunner({ eventStore: store, sql, readModelSchema: `${service.schema}_read` });
          // The service's own runner (inline in the api, or the projector) applies the last events
          // within a few seconds; one that lost its place in the log never does.
          const behind = async (): Promise<string[]> => (await served.lag()).filter((l) => l.behindEvents > 0).map((l) => `${l.name}: ${l.behindEvents}`);
          for (const deadline = Date.now() + 10_000; (await behind()).length > 0 && Date.now() < deadline;) await sleep(200);
          expect({ mode: service.mode, behind: await behind() }).toEqual({ mode: service.mode, behind: [] });
          const clean = ledgerProjectionRunner({ eventStore: store, sql, readModelSchema: `${service.schema}_clean` });
          await clean.catchUp();
          expect(await readModelFingerprint(sql, served)).toEqual(await readModelFingerprint(sql, clean));
        }
      } finally {
        await sql.close();
      }
    } catch (error) {
      for (const p of processes) if (!p.isRunning()) console.log(`a service exited:\n${p.output().slice(-3_000)}`);
      throw error;
    } finally {
      for (const p of processes) await p.kill('SIGTERM');
    }
  });
});
