/*
 * The database's faults, raised by the SQL clients and by the event store built on them (the
 * names keep "EventStore": the api maps them to 503 / 507 wherever they come from).
 */

/** Thrown when the store cannot be reached (HTTP 503). */
export class EventStoreUnavailableError extends Error {
  override readonly name: string = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The store is reachable but cannot do what was asked until someone acts (issue 15): its disk
 * is full (HTTP 507, writes refused, reads served) or its data is damaged (HTTP 503). The message
 * says what happened and what to do; `reason` is the API's `reason`.
 */
export class StoreFaultError extends EventStoreUnavailableError {
  override readonly name: string = 'StoreFaultError';
  constructor(
    readonly reason: 'InsufficientStorage' | 'StoreCorrupted',
    readonly status: 503 | 507,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
