import { PgliteSqlClient, PostgresEventStore } from '@ledger/event-store';
import { freshPgliteDataDir, openPgliteStore } from '../support/stores';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('embedded PGlite', {
  open: async (options) => {
    const { store, drop } = await openPgliteStore({ pollIntervalMs: 200, ...options });
    return { store, close: drop };
  },
  unavailable: async () => {
    // The embedded store is unreachable once closed (its process-local database has gone).
    const dir = freshPgliteDataDir();
    const client = await PgliteSqlClient.open(dir.dataDir);
    const store = await PostgresEventStore.open(client);
    await store.close();
    dir.remove();
    return store;
  },
  capabilities: { commitHook: true, atomicBulk: true, holdsTransactionsOpen: false },
  appendsPerWriter: 250,
});
