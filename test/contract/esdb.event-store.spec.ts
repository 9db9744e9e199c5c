import { EventStoreUnavailableError } from '@ledger/event-store';
import { EsdbEventStore } from '@ledger/event-store/esdb';
import { describeWhen, testEnv } from '../support/test-env';
import { eventStoreContract, events, streamName } from './event-store.contract';

// EventStoreDB cannot run on the build machines: the contract runs only against a real server
// named by LEDGER_ESDB_URL (e.g. `docker compose up eventstoredb`), and is reported as skipped
// otherwise. Streams are unique per test, so a shared server needs no cleaning.
describeWhen(testEnv.esdbUrl !== undefined, 'LEDGER_ESDB_URL is not set')('EventStoreDB adapter', () => {
  eventStoreContract('EventStoreDB', {
    open: async () => {
      const store = EsdbEventStore.connect(testEnv.esdbUrl ?? '', { pollIntervalMs: 200, quietMs: 300 });
      return { store, close: () => store.close() };
    },
    unavailable: async () => EsdbEventStore.connect('esdb://127.0.0.1:1?tls=false'),
    capabilities: { commitHook: false, atomicBulk: false, holdsTransactionsOpen: false },
    appendsPerWriter: 250,
  });
});

// No server is needed to check that the real client's "unavailable" is mapped to the port's type.
describe('EventStoreDB adapter without a server', () => {
  it('maps the client’s unavailable errors to EventStoreUnavailableError', async () => {
    const store = EsdbEventStore.connect('esdb://127.0.0.1:1?tls=false');
    try {
      await expect(store.append(streamName('family'), events(1))).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.readStream(streamName('family'))).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
