import type {
  AllRead,
  AppendOptions,
  AppendResult,
  BulkAppendItem,
  BulkAppendResult,
  EventStore,
  LogFilter,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamRead,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import type { PersonalDataCipher } from './personal-data-cipher';

/**
 * The event store with personal data sealed per person (ARCHITECTURE.md "Privacy"): appends seal
 * the declared personal fields before anything reaches the inner store, reads and subscriptions
 * open them again (or show `ERASED` for an erased person). Ids, versions, positions, metadata and
 * idempotency are the inner store's: a retried command appends the same event ids, so the inner
 * store still recognises it even though its ciphertext differs (fresh IVs).
 *
 * `inner` reads the log as stored, sealed: the projections read through it, so read models never
 * hold personal values in clear.
 */
export class PersonalDataEventStore implements EventStore {
  /** Present when the inner store can count (the port's member is optional). */
  readonly countEvents?: (filter?: LogFilter) => Promise<number>;

  constructor(
    readonly inner: EventStore,
    private readonly cipher: PersonalDataCipher,
  ) {
    const count = inner.countEvents;
    if (count) this.countEvents = (filter) => count.call(inner, filter);
  }

  /** @throws PersonErasedError (recording nothing) when an event carries personal values of an erased person. */
  async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(streamId, await this.sealEvents(events), options);
  }

  /** @throws PersonErasedError (recording nothing) when any item carries personal values of an erased person. */
  async appendMany(items: readonly BulkAppendItem[]): Promise<BulkAppendResult> {
    // One batch for the cipher, so the vault is asked once for every person in the import.
    const sealed = await this.sealEvents(items.flatMap((item) => item.events));
    let next = 0;
    return this.inner.appendMany(items.map((item) => ({ ...item, events: item.events.map(() => sealed[next++]) })));
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StreamRead> {
    const read = await this.inner.readStream(streamId, options);
    return { ...read, events: await this.openEvents(read.events) };
  }

  async readAll(options?: ReadAllOptions): Promise<AllRead> {
    const read = await this.inner.readAll(options);
    return { ...read, events: await this.openEvents(read.events) };
  }

  /** Each batch reaches the handler opened; a failure to open stops the subscription like a handler error. */
  subscribe(options: SubscribeOptions): Subscription {
    return this.inner.subscribe({ ...options, handler: async (events, next) => options.handler(await this.openEvents(events), next) });
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  /** Closes the inner store (which, on PostgreSQL, owns the SQL client the key vault uses). */
  close(): Promise<void> {
    return this.inner.close();
  }

  private async sealEvents(events: readonly NewEvent[]): Promise<NewEvent[]> {
    const data = await this.cipher.seal(events);
    return events.map((event, i) => ({ ...event, data: data[i] }));
  }

  private async openEvents(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const data = await this.cipher.open(events);
    return events.map((event, i) => (data[i] === event.data ? event : { ...event, data: data[i] }));
  }
}
