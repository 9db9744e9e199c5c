import type {
  AllRead,
  AppendOptions,
  AppendResult,
  AtomicAppendResult,
  BulkAppendItem,
  BulkAppendResult,
  EventStore,
  LogFilter,
  LogPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamRead,
  SubscribeOptions,
  Subscription,
} from '@ledger/event-store';
import type { BlindIndex } from './blind-index';
import { atIndex } from '@ledger/domain';
import { METADATA_RECORD, SEALED, type PersonalDataCipher } from './personal-data-cipher';

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
  /** Present when the inner store has it. */
  readonly committedHeads?: (categories: readonly string[]) => Promise<Map<string, LogPosition>>;

  /** Present when the inner store can append to several streams in one transaction. */
  readonly appendAtomically?: (items: readonly BulkAppendItem[]) => Promise<AtomicAppendResult>;

  constructor(
    readonly inner: EventStore,
    private readonly cipher: PersonalDataCipher,
    /** Issue 20.1: people's searchable values are indexed (as HMACs) once their events are recorded. */
    private readonly search?: BlindIndex,
  ) {
    const count = inner.countEvents;
    if (count) this.countEvents = (filter) => count.call(inner, filter);
    const heads = inner.committedHeads;
    if (heads) this.committedHeads = (categories) => heads.call(inner, categories);
    const atomically = inner.appendAtomically;
    if (atomically) this.appendAtomically = (items) => this.appendSealed(items, (sealed) => atomically.call(inner, sealed));
  }

  /** @throws PersonErasedError (recording nothing) when an event carries personal values of an erased person. */
  async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const result = await this.inner.append(streamId, await this.sealEvents(events), options);
    // After the append, from the plaintext: a failed append indexes nothing, and a retried command
    // (answered as recorded) indexes again, idempotently, mending an index write lost to a crash.
    await this.search?.index(
      streamId,
      events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown> })),
    );
    return result;
  }

  /** @throws PersonErasedError (recording nothing) when any item carries personal values of an erased person. */
  async appendMany(items: readonly BulkAppendItem[]): Promise<BulkAppendResult> {
    // One batch for the cipher, so the vault is asked once for every person in the import.
    const sealed = await this.sealEvents(items.flatMap((item) => item.events));
    let next = 0;
    const result = await this.inner.appendMany(items.map((item) => ({ ...item, events: item.events.map(() => atIndex(sealed, next++, 'sealed event')) })));
    await this.search?.indexMany(items.map((item) => ({ streamId: item.streamId, events: item.events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown> })) })));
    return result;
  }

  /** Seals every item's events in one batch, appends them with `write`, and indexes them once recorded. */
  private async appendSealed(items: readonly BulkAppendItem[], write: (sealed: BulkAppendItem[]) => Promise<AtomicAppendResult>): Promise<AtomicAppendResult> {
    const sealed = await this.sealEvents(items.flatMap((item) => item.events));
    let next = 0;
    const result = await write(items.map((item) => ({ ...item, events: item.events.map(() => atIndex(sealed, next++, 'sealed event')) })));
    if (result.kind === 'appended') {
      for (const item of items)
        await this.search?.index(
          item.streamId,
          item.events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown> })),
        );
    }
    return result;
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

  /**
   * Seals the declared personal fields of the data and the free text of the metadata: the legal
   * basis, sealed with the family's key (DOMAIN.md 6). An event about no family does not keep a
   * legal basis (it is the basis for recording a family's personal data without consent; nothing
   * else needs it, and nobody's erasure could reach it).
   */
  private async sealEvents(events: readonly NewEvent[]): Promise<NewEvent[]> {
    const data = await this.cipher.seal(events);
    const carrying = events.flatMap((event, i) => (typeof event.metadata.legalBasis === 'string' ? [i] : []));
    const metadata = events.map((event) => event.metadata);
    if (carrying.length > 0) {
      const records = await this.cipher.seal(
        carrying
          .map((i) => atIndex(events, i, 'event'))
          .map((event) => ({ type: METADATA_RECORD, data: { familyId: typeof event.data.familyId === 'string' ? event.data.familyId : '', legalBasis: event.metadata.legalBasis as string } })),
      );
      carrying.forEach((i, k) => {
        const { legalBasis: _clear, ...rest } = atIndex(metadata, i, 'metadata');
        const sealed = atIndex(records, k, 'sealed legal basis')[SEALED];
        metadata[i] = sealed === undefined ? rest : { ...rest, [SEALED]: sealed };
      });
    }
    return events.map((event, i) => ({ ...event, data: atIndex(data, i, 'sealed data'), metadata: atIndex(metadata, i, 'metadata') }));
  }

  private async openEvents(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const data = await this.cipher.open(events);
    const carrying = events.flatMap((event, i) => (event.metadata[SEALED] !== undefined ? [i] : []));
    const metadata = events.map((event) => event.metadata);
    if (carrying.length > 0) {
      const opened = await this.cipher.open(
        carrying
          .map((i) => atIndex(events, i, 'event'))
          .map((event) => ({ type: METADATA_RECORD, data: { familyId: event.data.familyId, [SEALED]: event.metadata[SEALED] } as Record<string, unknown> })),
      );
      carrying.forEach((i, k) => {
        const { [SEALED]: _sealed, ...rest } = atIndex(metadata, i, 'metadata');
        metadata[i] = { ...rest, legalBasis: atIndex(opened, k, 'opened legal basis').legalBasis as string };
      });
    }
    return events.map((event, i) => {
      const [opened, meta] = [atIndex(data, i, 'opened data'), atIndex(metadata, i, 'metadata')];
      return opened === event.data && meta === event.metadata ? event : { ...event, data: opened, metadata: meta };
    });
  }
}
