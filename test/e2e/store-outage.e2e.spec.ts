import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import { loadConfig } from '@ledger/config';
import { openStores, PgSqlClient, PostgresEventStore, quoteIdent } from '@ledger/event-store';
import { collectingSubscriber, events, streamName } from '../contract/event-store.contract';
import { uniqueSchema } from '../support/stores';
import { checkLog, commandStream, prepareService, SERVICE_ENV, untilListed } from '../support/command-stream';
import { buildDist, freePort, privateDatabase, type ServiceProcess, sleep, startApiProcess, startService, withApplicationName } from '../support/services';
import { describeWhen, testEnv } from '../support/test-env';

/**
 * Issue 15.1: PostgreSQL dropping the service's connections under load (pg_terminate_backend of
 * every connection of the api, and of the projector, again and again during a stream of HTTP
 * commands). The api must stay up, answer 503 StoreUnavailable meanwhile and 2xx again within a
 * second, lose and repeat no acknowledged command, and its read models must catch up: in both
 * projection modes.
 */
describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')("PostgreSQL dropping the service's connections under load", () => {
  beforeAll(() => buildDist(), 120_000);

  it.each(['inline', 'external'] as const)(
    'with %s projections: stays up, answers 503 then 2xx, loses and repeats nothing',
    async (mode) => {
      const db = await privateDatabase('ledger_outage');
      const name = `ledger_outage_${randomBytes(4).toString('hex')}`;
      const url = withApplicationName(db.url, name);
      const admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
      let api: (ServiceProcess & { baseUrl: string }) | undefined;
      let projector: ServiceProcess | undefined;
      try {
        api = await startApiProcess({ ...SERVICE_ENV, LEDGER_POSTGRES_URL: url, LEDGER_PROJECTIONS: mode, LEDGER_POSTGRES_POOL_SIZE: '8' });
        if (mode === 'external') {
          projector = startService('projector', { LEDGER_POSTGRES_URL: url, LEDGER_DEMO: 'off' });
          await projector.waitFor('following the log');
        }
        const token = await prepareService(api.baseUrl);
        const stream = commandStream(api.baseUrl, token, { clients: 6, reads: true });
        await sleep(1_000);
        let terminated = 0;
        for (let cut = 0; cut < 8; cut += 1) {
          const rows = await admin.query<{ ok: boolean }>(`select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1`, [name]);
          terminated += rows.length;
          await sleep(300);
        }
        const lastCut = Date.now();
        await sleep(2_000);
        const result = await stream.stop();

        expect({ api: api.isRunning(), projector: projector?.isRunning() ?? true }).toEqual({ api: true, projector: true });
        expect(terminated).toBeGreaterThan(10);
        expect(result.unexpected).toEqual([]);
        expect(result.statuses.get(503) ?? 0).toBeGreaterThan(0);
        // Status 0 would be the api not answering at all.
        expect(result.statuses.get(0) ?? 0).toBe(0);
        const firstAfter = result.successesAt.find((at) => at >= lastCut) ?? Infinity;
        expect(firstAfter - lastCut).toBeLessThan(1_000);
        expect(result.acknowledged.size).toBeGreaterThan(20);

        // The projections recovered: every acknowledged family is listed (the runner retried).
        expect(await untilListed(api.baseUrl, token, result.families)).toEqual([]);
        const sql = new PgSqlClient({ connectionString: db.url, max: 1 });
        try {
          const log = await checkLog(sql, 'ledger', result.acknowledged);
          expect({ missing: log.missing, repeated: log.repeated }).toEqual({ missing: [], repeated: 0 });
        } finally {
          await sql.close();
        }
      } finally {
        if (api?.isRunning() === false || projector?.isRunning() === false) {
          console.log(`api output:\n${api?.output().slice(-4_000)}\nprojector output:\n${projector?.output().slice(-4_000) ?? ''}`);
        }
        await projector?.kill('SIGTERM');
        await api?.kill('SIGTERM');
        await admin.close();
        await db.drop();
      }
    },
    120_000,
  );
});

describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('PostgreSQL going away and coming back', () => {
  const serverUrl = testEnv.postgresUrl ?? '';

  it('listens again after its LISTEN connection is terminated: a subscriber is woken by NOTIFY, not by polling', async () => {
    const schema = uniqueSchema('listen');
    const name = `ledger_listen_${randomBytes(4).toString('hex')}`;
    // Polling once a minute: only a NOTIFY can wake the subscriber within the test's seconds.
    const store = await PostgresEventStore.open(new PgSqlClient({ connectionString: withApplicationName(serverUrl, name), max: 4 }), { schema, pollIntervalMs: 60_000 });
    const writer = await PostgresEventStore.open(new PgSqlClient({ connectionString: serverUrl, max: 2 }), { schema });
    const admin = new PgSqlClient({ connectionString: serverUrl, max: 1 });
    const subscription = collectingSubscriber(store);
    const { seen } = subscription;
    const until = async (condition: () => boolean, ms: number): Promise<boolean> => {
      const deadline = Date.now() + ms;
      while (!condition() && Date.now() < deadline) await sleep(20);
      return condition();
    };
    try {
      expect(await until(() => subscription.caughtUp(), 5_000)).toBe(true);
      await sleep(300);
      await writer.append(streamName('family'), events(1));
      expect(await until(() => seen.length === 1, 3_000)).toBe(true);

      const cut = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [name]);
      expect(cut.length).toBeGreaterThan(0);
      await sleep(1_500);
      await writer.append(streamName('family'), events(1));
      // A woken reader sees a commit only once no earlier transaction in the cluster is open (the
      // log's order), and other suites' transactions run beside this one: so the channel is
      // notified again every half second, as later appends would. Only a LISTEN that is back
      // hears any of them; without it the reader waits for its minute's poll.
      const channel = `ledger_events_${schema}`.slice(0, 63);
      const deadline = Date.now() + 10_000;
      while (seen.length < 2 && Date.now() < deadline) {
        await admin.query(`select pg_notify($1, '')`, [channel]);
        await until(() => seen.length === 2, 500);
      }
      expect(seen.length).toBe(2);
    } finally {
      await subscription.stop();
      await store.close();
      await writer.close();
      await admin.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
      await admin.close();
    }
  }, 30_000);

  it('waits at start for a database that does not answer yet, saying so, and gives up after LEDGER_STORE_WAIT_SECONDS', async () => {
    const schema = uniqueSchema('startwait');
    const port = await freePort();
    const target = new URL(serverUrl);
    const url = Object.assign(new URL(serverUrl), { host: `127.0.0.1:${port}` }).toString();
    const env = { LEDGER_POSTGRES_URL: url, LEDGER_POSTGRES_SCHEMA: schema, LEDGER_STORE_WAIT_SECONDS: '30' };
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const lines: string[] = [];
    const opening = openStores(loaded.config, { onWait: (line) => lines.push(line) });
    let proxy: Server | undefined;
    try {
      await sleep(1_500);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines[0]).toMatch(new RegExp(`PostgreSQL at postgres://[^ ]*:${port}/\\S* does not answer \\(.+\\); trying again in [\\d.]+ s, for up to 30 s \\(LEDGER_STORE_WAIT_SECONDS\\)`));
      // The database arrives: a TCP relay to the real server on the port the service waits on.
      proxy = createServer((socket) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      });
      await new Promise<void>((resolve) => proxy?.listen(port, '127.0.0.1', resolve));
      const arrived = Date.now();
      const stores = await opening;
      expect(Date.now() - arrived).toBeLessThan(3_000);
      await stores.eventStore.ping();
      await stores.eventStore.close();
      await stores.sql.close().catch(() => undefined);
    } finally {
      await opening.catch(() => undefined);
      proxy?.close();
      const admin = new PgSqlClient({ connectionString: serverUrl, max: 1 });
      await admin.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
      await admin.close();
    }

    const never = loadConfig({ ...env, LEDGER_POSTGRES_URL: Object.assign(new URL(serverUrl), { host: `127.0.0.1:${await freePort()}` }).toString(), LEDGER_STORE_WAIT_SECONDS: '1' });
    if (!never.ok) throw new Error(never.errors.join('\n'));
    const started = Date.now();
    await expect(openStores(never.config, { onWait: () => undefined })).rejects.toThrow(/did not answer within 1 s \(LEDGER_STORE_WAIT_SECONDS\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
