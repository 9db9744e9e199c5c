import { EventStoreUnavailableError, PgSqlClient, PostgresEventStore } from '@ledger/event-store';
import { openPostgresStore, uniqueSchema } from '../support/stores';
import { describeWhen, testEnv } from '../support/test-env';
import { eventStoreContract, events, streamName } from './event-store.contract';

describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('PostgreSQL adapter', () => {
  eventStoreContract('PostgreSQL', {
    open: async (options) => {
      const { store, drop } = await openPostgresStore({ pollIntervalMs: 200, ...options });
      return { store, close: drop };
    },
    unavailable: async () => {
      // Nothing listens on port 1: the connection is refused.
      const client = new PgSqlClient({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 1_000 });
      return PostgresEventStore.open(client, { migrate: false });
    },
    capabilities: { commitHook: true, atomicBulk: true, holdsTransactionsOpen: true },
    appendsPerWriter: 500,
  });

  it('wakes a reader in another connection pool after each commit, without waiting for its poll (NOTIFY after commit)', async () => {
    const schema = uniqueSchema();
    const writer = await openPostgresStore({ schema, pollIntervalMs: 200 });
    // Polls only once a minute: anything it sees within the test came from a NOTIFY.
    const reader = await openPostgresStore({ schema, pollIntervalMs: 60_000, migrate: false });
    try {
      const seen: string[] = [];
      let caughtUp!: () => void;
      const ready = new Promise<void>((resolve) => (caughtUp = resolve));
      const subscription = reader.store.subscribe({ handler: async (events) => void seen.push(...events.map((e) => e.streamId)), onCaughtUp: () => caughtUp() });
      await ready;
      const single = streamName('family');
      const bulk = [streamName('family'), streamName('family')];
      await writer.store.append(single, events(2));
      await writer.store.appendMany(bulk.map((streamId) => ({ streamId, events: events(3) })));
      // Appends committed while a NOTIFY is in flight are followed by one more.
      await Promise.all(Array.from({ length: 20 }, () => writer.store.append(streamName('family'), events(1))));
      const deadline = Date.now() + 10_000;
      while (seen.length < 28 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await subscription.stop();
      expect(seen.slice(0, 8)).toEqual([single, single, ...bulk.flatMap((id) => [id, id, id])]);
      expect(seen).toHaveLength(28);
    } finally {
      await reader.store.close();
      await writer.drop();
    }
  });

  it('refuses to open on an unreachable server with EventStoreUnavailableError', async () => {
    const client = new PgSqlClient({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 1_000 });
    await expect(PostgresEventStore.open(client)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await client.close();
  });
});
