/**
 * Issue 14.3: the EventStoreDB client (gRPC and all) is loaded only when LEDGER_EVENT_STORE=esdb
 * chooses it. Here loading it fails, and the api, the cli's libs and the projector's libs must
 * still load: none of them may import the adapter statically.
 */
describe('the EventStoreDB client', () => {
  beforeEach(() => {
    jest.resetModules();
    jest.doMock('@eventstore/db-client', () => {
      throw new Error('the EventStoreDB client was loaded');
    });
  });
  afterEach(() => jest.dontMock('@eventstore/db-client'));

  it('is not loaded by the api, the application, privacy, projections or the event store', () => {
    expect(() =>
      jest.isolateModules(() => {
        require('@ledger/event-store');
        require('@ledger/projections');
        require('@ledger/privacy');
        require('@ledger/application');
        require('../../apps/api/src/bootstrap');
      }),
    ).not.toThrow();
  });

  it('is loaded by the adapter itself (so the test above would see a static import)', () => {
    expect(() => jest.isolateModules(() => require('@ledger/event-store/esdb'))).toThrow('the EventStoreDB client was loaded');
  });
});
