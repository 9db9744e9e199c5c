import { EventStoreUnavailableError, PgSqlClient, PostgresEventStore } from '@ledger/event-store';
import { openPostgresStore } from '../support/stores';
import { describeWhen, testEnv } from '../support/test-env';
import { eventStoreContract } from './event-store.contract';

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

  it('refuses to open on an unreachable server with EventStoreUnavailableError', async () => {
    const client = new PgSqlClient({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 1_000 });
    await expect(PostgresEventStore.open(client)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await client.close();
  });
});

