import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  type EventStore,
  EventStoreUnavailableError,
  eventIdsFor,
  formatPosition,
  type LogPosition,
  type NewEvent,
  parsePosition,
  type RecordedEvent,
  type SqlClient,
} from '@ledger/event-store';
import { atIndex } from '@ledger/domain';

/** What an adapter's spec hands the contract suite. */
export interface EventStoreUnderTest {
  /** A store with an empty log. `beforeCommit` delays an append's commit (adapters that support it). */
  open(options?: { beforeCommit?: (streamId: string) => Promise<void> }): Promise<{ store: EventStore; close: () => Promise<void> }>;
  /** A store whose server cannot be reached. */
  unavailable(): Promise<EventStore>;
  capabilities: {
    /** `appendMany` is all-or-nothing across streams (PostgreSQL: yes; EventStoreDB: per stream). */
    atomicBulk: boolean;
    /** `open` honours `beforeCommit` (the PostgreSQL adapters; EventStoreDB has no such hook). */
    commitHook: boolean;
    /** `beforeCommit` can hold one transaction open while others commit (not on one-connection PGlite). */
    holdsTransactionsOpen: boolean;
  };
  /** How many appends each of the 8 concurrent writers makes. */
  appendsPerWriter: number;
}

/**
 * The one contract every EventStore adapter passes: PGlite, PostgreSQL, EventStoreDB.
 * Shaped after emmett's `eventStore/features.ts`: the same scenarios, many adapters.
 */
export function eventStoreContract(adapterName: string, subject: EventStoreUnderTest): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await subject.open());
    });
    afterEach(async () => {
      await close();
    });

    describe('appending to a stream', () => {
      it('creates a new stream with versions counting from 1', async () => {
        const stream = streamName('family');
        const result = await store.append(stream, events(3), { expectedVersion: 'no_stream' });
        expect(result).toMatchObject({ kind: 'appended', streamId: stream, nextExpectedVersion: 3, idempotent: false });
        const read = await store.readStream(stream);
        expect(read.version).toBe(3);
        expect(read.events.map((e) => e.version)).toEqual([1, 2, 3]);
      });

      it('reads many streams at once as readStream reads each, in the order asked (where the store offers readStreams)', async () => {
        if (!store.readStreams) return;
        const [a, b, absent] = [streamName('family'), streamName('family'), streamName('family')];
        await store.append(a, events(3));
        await store.append(b, events(1));
        await store.appendMany([{ streamId: b, events: events(2) }]);
        const reads = await store.readStreams([b, absent, a]);
        expect(reads).toEqual([await store.readStream(b), { streamId: absent, version: 0, events: [] }, await store.readStream(a)]);
        expect(reads.map((r) => r.version)).toEqual([3, 0, 3]);
        expect(await store.readStreams([])).toEqual([]);
      });

      it('reads an absent stream as empty at version 0', async () => {
        const read = await store.readStream(streamName('family'));
        expect(read).toMatchObject({ version: 0, events: [] });
      });

      it('appends at the exact expected version and refuses a stale one as a conflict value', async () => {
        const stream = streamName('family');
        await store.append(stream, events(2), { expectedVersion: 'no_stream' });
        const next = await store.append(stream, events(1), { expectedVersion: 2 });
        expect(next).toMatchObject({ kind: 'appended', nextExpectedVersion: 3 });
        const stale = await store.append(stream, events(1), { expectedVersion: 2 });
        expect(stale).toEqual({ kind: 'conflict', streamId: stream, expected: 2, actual: 3 });
        expect((await store.readStream(stream)).version).toBe(3);
      });

      it('refuses no_stream when the stream exists', async () => {
        const stream = streamName('family');
        await store.append(stream, events(1));
        expect(await store.append(stream, events(1), { expectedVersion: 'no_stream' })).toMatchObject({ kind: 'conflict', actual: 1 });
      });

      it('refuses stream_exists when the stream is absent, and accepts it once the stream exists', async () => {
        const stream = streamName('family');
        expect(await store.append(stream, events(1), { expectedVersion: 'stream_exists' })).toMatchObject({ kind: 'conflict', actual: 0 });
        await store.append(stream, events(1), { expectedVersion: 'no_stream' });
        expect(await store.append(stream, events(1), { expectedVersion: 'stream_exists' })).toMatchObject({ kind: 'appended', nextExpectedVersion: 2 });
      });

      it('appends with any whatever the version', async () => {
        const stream = streamName('family');
        expect(await store.append(stream, events(1), { expectedVersion: 'any' })).toMatchObject({ kind: 'appended', nextExpectedVersion: 1 });
        expect(await store.append(stream, events(2))).toMatchObject({ kind: 'appended', nextExpectedVersion: 3 });
      });

      it('records nothing when the expected version conflicts', async () => {
        const stream = streamName('family');
        await store.append(stream, events(1));
        const before = await collectAll(store);
        await store.append(stream, events(3), { expectedVersion: 5 });
        expect(await collectAll(store)).toEqual(before);
      });

      it('reads a stream back in order, with its data and metadata, from a version and up to a limit', async () => {
        const stream = streamName('family');
        // More than 9 events, so a version or position sorted as text would come back out of order.
        const written = events(12);
        await store.append(stream, written);
        const all = await store.readStream(stream);
        expect(all.events.map((e) => e.type)).toEqual(written.map((e) => e.type));
        expect(all.events.map((e) => e.data)).toEqual(written.map((e) => e.data));
        expect(all.events[0]?.metadata).toMatchObject({ eventId: atIndex(written, 0).metadata.eventId, actor: { userId: 'contract' } });
        const tail = await store.readStream(stream, { afterVersion: 2, limit: 2 });
        expect(tail.events.map((e) => e.version)).toEqual([3, 4]);
        expect(tail.version).toBe(12);
        const log = await collectAll(store, 5);
        expect(log.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      });
    });

    describe('retrying a command', () => {
      it('records a retried append once and answers as the first time', async () => {
        const stream = streamName('family');
        const commandId = randomUUID();
        const first = await store.append(stream, events(2, commandId), { expectedVersion: 'no_stream' });
        const retry = await store.append(stream, events(2, commandId), { expectedVersion: 'no_stream' });
        expect(first).toMatchObject({ kind: 'appended', idempotent: false });
        expect(retry).toMatchObject({ kind: 'appended', idempotent: true, nextExpectedVersion: 2 });
        expect(retry.kind === 'appended' && first.kind === 'appended' && retry.eventIds).toEqual(first.kind === 'appended' && first.eventIds);
        expect((await store.readStream(stream)).events).toHaveLength(2);
        expect((await collectAll(store)).filter((e) => e.streamId === stream)).toHaveLength(2);
      });

      it('recognises a retry even after the stream has moved on', async () => {
        const stream = streamName('family');
        const commandId = randomUUID();
        await store.append(stream, events(1, commandId), { expectedVersion: 'no_stream' });
        await store.append(stream, events(1), { expectedVersion: 1 });
        const retry = await store.append(stream, events(1, commandId), { expectedVersion: 'no_stream' });
        expect(retry).toMatchObject({ kind: 'appended', idempotent: true, nextExpectedVersion: 1 });
        expect((await store.readStream(stream)).version).toBe(2);
      });

      it('records concurrent tries of one command once', async () => {
        const stream = streamName('family');
        await store.append(stream, events(1), { expectedVersion: 'no_stream' });
        const commandId = randomUUID();
        const tries = await Promise.all(Array.from({ length: 5 }, () => store.append(stream, events(1, commandId), { expectedVersion: 1 })));
        expect(tries.every((t) => t.kind === 'appended')).toBe(true);
        expect(tries.filter((t) => t.kind === 'appended' && !t.idempotent)).toHaveLength(1);
        expect((await store.readStream(stream)).version).toBe(2);
      });
    });

    describe('the global log', () => {
      it('keeps global order across streams and resumes from a checkpoint without gaps or repeats', async () => {
        const written: string[] = [];
        for (let i = 0; i < 12; i += 1) {
          const batch = events(1 + (i % 3));
          await store.append(streamName(i % 2 === 0 ? 'family' : 'claim'), batch);
          written.push(...batch.map((e) => e.metadata.eventId));
        }
        const everything = await collectAll(store, 4);
        expect(everything.map((e) => e.metadata.eventId)).toEqual(written);
        for (let i = 1; i < everything.length; i += 1) {
          expect(comparePositions(atIndex(everything, i - 1).position, atIndex(everything, i).position)).toBeLessThan(0);
        }
        // A checkpoint survives being stored as text, and resuming from it gives exactly the rest.
        const checkpoint = parsePosition(formatPosition(atIndex(everything, 6).position));
        const rest = await collectAll(store, 5, checkpoint);
        expect(rest.map((e) => e.metadata.eventId)).toEqual(written.slice(7));
        const atEnd = await store.readAll({ after: atIndex(everything, everything.length - 1).position });
        expect(atEnd).toMatchObject({ events: [], endOfLog: true });
      });

      it('filters the log by stream category', async () => {
        await store.append(streamName('family'), events(2));
        await store.append(streamName('claim'), events(1));
        await store.append(streamName('family'), events(1));
        const read = await store.readAll({ filter: { categories: ['claim'] } });
        expect(read.events.map((e) => e.streamId.split('-')[0])).toEqual(['claim']);
      });

      it('may leave out events of other types when asked for some types only, and misses none of those', async () => {
        const family = streamName('family');
        await store.append(family, events(5));
        await store.append(streamName('claim'), events(2));
        await store.append(family, events(3));
        const all = await collectAll(store, 1000);
        const offences = all.filter((e) => e.streamId === family && e.type === 'OffenceRecorded').map((e) => e.metadata.eventId);
        // Small pages, so resuming from the last position of a page is exercised too.
        const seen: string[] = [];
        let after = null;
        for (;;) {
          const page = await store.readAll({ after, limit: 1, filter: { categories: ['family'], types: ['OffenceRecorded'] } });
          seen.push(...page.events.filter((e) => e.type === 'OffenceRecorded' && e.streamId === family).map((e) => e.metadata.eventId));
          if (adapterName !== 'EventStoreDB') expect(page.events.every((e) => e.type === 'OffenceRecorded')).toBe(true);
          after = page.next;
          if (page.endOfLog) break;
        }
        expect(seen).toEqual(offences);
        // Resuming where the last read said finds nothing new, and then exactly what comes next.
        const again = await store.readAll({ after, filter: { categories: ['family'], types: ['OffenceRecorded'] } });
        expect(again.events).toEqual([]);
        await store.append(family, events(2));
        const later = await store.readAll({ after, filter: { categories: ['family'], types: ['OffenceRecorded'] } });
        expect(later.events.filter((e) => e.streamId === family).map((e) => e.type)).toEqual(['OffenceRecorded']);
      });

      it('appends many streams in bulk, skipping retried items', async () => {
        const items = Array.from({ length: 30 }, () => ({ streamId: streamName('family'), events: events(3), expectedVersion: 'no_stream' as const }));
        expect(await store.appendMany(items)).toMatchObject({ kind: 'appended', appendedEvents: 90, skippedRetries: 0 });
        expect(await store.appendMany(items)).toMatchObject({ kind: 'appended', appendedEvents: 0, skippedRetries: 30 });
        expect((await store.readStream(atIndex(items, 7).streamId)).events.map((e) => e.version)).toEqual([1, 2, 3]);
        expect(await collectAll(store, 1000)).toHaveLength(90);
      });

      it('keeps awkward text exactly, in bulk and one by one (backslashes, tabs, newlines, quotes, non-ASCII)', async () => {
        const awkward = ['C:\\temp\\new', 'tab\there', 'line\nbreak\r\nand return', 'quote " and \\" and \\\\n', 'Zoë Ó’Brien 🏠', '\\N', '\\.', ' \u2028 '];
        const withText = (list: NewEvent[]) =>
          list.map((e, i) => ({ ...e, data: { ...e.data, note: atIndex(awkward, i % awkward.length), all: awkward, [`key\t${i}\\`]: atIndex(awkward, i % awkward.length) } }));
        // Enough events that a bulk append sends its text in several pieces (500 rows each on PostgreSQL).
        const bulk = Array.from({ length: 150 }, () => ({ streamId: streamName('family'), events: withText(events(awkward.length)) }));
        expect(await store.appendMany(bulk)).toMatchObject({ kind: 'appended', appendedEvents: 150 * awkward.length });
        const single = streamName('family');
        const singleEvents = withText(events(awkward.length));
        await store.append(single, singleEvents);
        for (const item of [...bulk, { streamId: single, events: singleEvents }]) {
          const read = await store.readStream(item.streamId);
          expect(read.events.map((e) => e.data)).toEqual(item.events.map((e) => e.data));
          expect(read.events.map((e) => e.metadata)).toEqual(item.events.map((e) => e.metadata));
        }
      });

      if (subject.capabilities.atomicBulk) {
        it('records nothing from a bulk append when one stream conflicts', async () => {
          const taken = streamName('family');
          await store.append(taken, events(1));
          const result = await store.appendMany([
            { streamId: streamName('family'), events: events(2), expectedVersion: 'no_stream' },
            { streamId: taken, events: events(1), expectedVersion: 'no_stream' },
          ]);
          expect(result).toEqual({ kind: 'conflict', conflicts: [{ kind: 'conflict', streamId: taken, expected: 'no_stream', actual: 1 }] });
          expect(await collectAll(store)).toHaveLength(1);
        });
      }
    });

    // Issue 22.3: an attachment and the place of the allocation it takes, in one transaction.
    // EventStoreDB cannot write two streams at once and offers no appendAtomically.
    describe('appending to several streams at once (where the store offers appendAtomically)', () => {
      it('appends every stream at its expected version in one transaction, and answers each in the order given', async () => {
        if (!store.appendAtomically) return;
        const [programme, family] = [streamName('programme'), streamName('family')];
        await store.append(programme, events(2));
        const result = await store.appendAtomically([
          { streamId: programme, events: events(1), expectedVersion: 2 },
          { streamId: family, events: events(3), expectedVersion: 'no_stream' },
        ]);
        expect(result).toMatchObject({
          kind: 'appended',
          results: [
            { kind: 'appended', streamId: programme, nextExpectedVersion: 3, idempotent: false },
            { kind: 'appended', streamId: family, nextExpectedVersion: 3, idempotent: false },
          ],
        });
        const [onProgramme, onFamily] = [(await store.readStream(programme)).events, (await store.readStream(family)).events];
        expect(onProgramme.map((e) => e.version)).toEqual([1, 2, 3]);
        expect(onFamily.map((e) => e.version)).toEqual([1, 2, 3]);
        // One transaction: the same commit part of the position (PostgreSQL's transaction id).
        expect(new Set([atIndex(onProgramme, 2), ...onFamily].map((e) => e.position.commit)).size).toBe(1);
        expect(await store.appendAtomically([])).toEqual({ kind: 'appended', results: [] });
      });

      it('records nothing when one stream conflicts, and answers every conflict', async () => {
        if (!store.appendAtomically) return;
        const [programme, family, other] = [streamName('programme'), streamName('family'), streamName('family')];
        await store.append(programme, events(2));
        await store.append(other, events(1));
        const before = await collectAll(store);
        const result = await store.appendAtomically([
          { streamId: family, events: events(1), expectedVersion: 'no_stream' },
          { streamId: programme, events: events(1), expectedVersion: 1 },
          { streamId: other, events: events(1), expectedVersion: 'no_stream' },
        ]);
        expect(result.kind).toBe('conflict');
        expect(result.kind === 'conflict' && [...result.conflicts].sort((a, b) => a.streamId.localeCompare(b.streamId))).toEqual(
          [
            { kind: 'conflict', streamId: programme, expected: 1, actual: 2 },
            { kind: 'conflict', streamId: other, expected: 'no_stream', actual: 1 },
          ].sort((a, b) => a.streamId.localeCompare(b.streamId)),
        );
        expect(await collectAll(store)).toEqual(before);
        expect((await store.readStream(family)).version).toBe(0);
      });

      it('answers a retry as the first time (idempotent), whatever the streams did since, and records nothing new', async () => {
        if (!store.appendAtomically) return;
        const [programme, family] = [streamName('programme'), streamName('family')];
        const items = [
          { streamId: programme, events: events(1), expectedVersion: 'no_stream' as const },
          { streamId: family, events: events(2), expectedVersion: 'no_stream' as const },
        ];
        await store.appendAtomically(items);
        await store.append(programme, events(1));
        expect(await store.appendAtomically(items)).toMatchObject({
          kind: 'appended',
          results: [
            { streamId: programme, nextExpectedVersion: 1, idempotent: true },
            { streamId: family, nextExpectedVersion: 2, idempotent: true },
          ],
        });
        expect((await store.readStream(programme)).version).toBe(2);
        expect((await store.readStream(family)).version).toBe(2);
      });

      it('refuses ids recorded for other events, as append does', async () => {
        if (!store.appendAtomically) return;
        const commandId = randomUUID();
        await store.append(streamName('family'), events(1, commandId));
        await expect(store.appendAtomically([{ streamId: streamName('family'), events: events(1, commandId) }])).rejects.toThrow(/already recorded/);
      });

      it('loses no update when concurrent callers share a stream (attachments taking places of one programme)', async () => {
        if (!store.appendAtomically) return;
        const appendAtomically = store.appendAtomically.bind(store);
        const programme = streamName('programme');
        const families = Array.from({ length: 16 }, () => streamName('family'));
        await Promise.all(
          families.map(async (family) => {
            for (;;) {
              const version = (await store.readStream(programme, { limit: 0 })).version;
              const result = await appendAtomically([
                { streamId: family, events: events(1), expectedVersion: 'no_stream' },
                { streamId: programme, events: events(1), expectedVersion: version === 0 ? 'no_stream' : version },
              ]);
              if (result.kind === 'appended') return;
            }
          }),
        );
        expect((await store.readStream(programme)).events.map((e) => e.version)).toEqual(families.map((_, i) => i + 1));
        for (const family of families) expect((await store.readStream(family)).version).toBe(1);
      });
    });

    describe('concurrent writers and a tailing reader', () => {
      it(`misses and repeats nothing while 8 writers commit out of order (${8 * subject.appendsPerWriter} appends)`, async () => {
        await close();
        // Some commits are delayed after their rows (and positions) were taken, so later
        // positions commit first: the reader must wait for the earlier transactions, not pass them.
        let delayed = 0;
        ({ store, close } = await subject.open({
          beforeCommit: async () => {
            if (Math.random() < 0.2) {
              delayed += 1;
              await sleep(Math.floor(Math.random() * 4));
            }
          },
        }));
        const reader = tailingReader(store);
        const { seen } = reader;
        const written: string[] = [];
        await Promise.all(
          Array.from({ length: 8 }, async (_, writer) => {
            for (let i = 0; i < subject.appendsPerWriter; i += 1) {
              const batch = events(1 + ((i + writer) % 3));
              const result = await store.append(`family-w${writer}-${i % 10}-${randomUUID()}`, batch, { expectedVersion: 'no_stream' });
              expect(result.kind).toBe('appended');
              written.push(...batch.map((e) => e.metadata.eventId));
            }
          }),
        );
        // On a timeout the counts below say what went wrong, so the wait's own error is not needed.
        await waitFor(() => seen.size >= written.length, 30_000).catch(() => undefined);
        await reader.stop();
        const missing = written.filter((id) => !seen.has(id));
        const repeated = [...seen.values()].filter((n) => n > 1).length;
        expect({ missing: missing.length, repeated, outOfOrder: reader.outOfOrder(), unexpected: seen.size - written.length }).toEqual({
          missing: 0,
          repeated: 0,
          outOfOrder: 0,
          unexpected: 0,
        });
        expect(written.length).toBeGreaterThan(8 * subject.appendsPerWriter);
        if (subject.capabilities.commitHook) expect(delayed).toBeGreaterThan(0);
      });

      if (subject.capabilities.holdsTransactionsOpen) {
        it('does not pass a transaction still in flight, so a checkpoint after a later commit skips nothing', async () => {
          await close();
          let release: () => void = () => undefined;
          const held = new Promise<void>((resolve) => {
            release = resolve;
          });
          let holding: () => void = () => undefined;
          const isHolding = new Promise<void>((resolve) => {
            holding = resolve;
          });
          ({ store, close } = await subject.open({
            beforeCommit: async (streamId) => {
              if (streamId.startsWith('family-early')) {
                holding();
                await held;
              }
            },
          }));
          const early = store.append(`family-early-${randomUUID()}`, events(1));
          try {
            await isHolding;
            const late = events(1);
            await store.append(streamName('family'), late);
            // The late event is committed, but an earlier transaction is still open: not visible yet.
            const whileHeld = await store.readAll();
            expect(whileHeld.events).toHaveLength(0);
            release();
            await early;
            const afterwards = await store.readAll({ after: whileHeld.next });
            expect(afterwards.events).toHaveLength(2);
            expect(afterwards.events[1]?.metadata.eventId).toBe(atIndex(late, 0).metadata.eventId);
          } finally {
            release();
            await early.catch(() => undefined);
          }
        });
      }
    });

    describe('live subscription', () => {
      it('catches up from a checkpoint, then delivers new events as they are appended', async () => {
        const stream = streamName('family');
        await store.append(stream, events(3));
        // The checkpoint is after the first event. A transaction begun earlier elsewhere on the server
        // (another suite's) can hide the three from the log's safe end for a moment: read until shown.
        let firstRead = await store.readAll({ limit: 1 });
        for (const deadline = Date.now() + 10_000; firstRead.events.length === 0 && Date.now() < deadline;) {
          await sleep(20);
          firstRead = await store.readAll({ limit: 1 });
        }
        expect(firstRead.events).toHaveLength(1);
        const received: RecordedEvent[] = [];
        let caughtUp = false;
        const subscription = store.subscribe({
          from: firstRead.next,
          handler: async (batch) => {
            received.push(...batch);
          },
          onCaughtUp: () => {
            caughtUp = true;
          },
        });
        await waitFor(() => caughtUp && received.length === 2, 10_000);
        await store.append(stream, events(2));
        await waitFor(() => received.length === 4, 10_000);
        await subscription.stop();
        expect(received.map((e) => e.version)).toEqual([2, 3, 4, 5]);
        await subscription.done;
      });

      it('stops with the handler error when a handler fails', async () => {
        await store.append(streamName('family'), events(1));
        const subscription = store.subscribe({
          handler: async () => {
            throw new Error('projection failed');
          },
        });
        await expect(subscription.done).rejects.toThrow('projection failed');
      });
    });

    describe('an unreachable store', () => {
      it('reports appends and reads as EventStoreUnavailableError', async () => {
        const unreachable = await subject.unavailable();
        try {
          await expect(unreachable.append(streamName('family'), events(1))).rejects.toBeInstanceOf(EventStoreUnavailableError);
          await expect(unreachable.readStream(streamName('family'))).rejects.toBeInstanceOf(EventStoreUnavailableError);
          await expect(unreachable.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
          await expect(unreachable.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
        } finally {
          await unreachable.close().catch(() => undefined);
        }
      });
    });
  });
}

// fixtures below the scenarios

export function streamName(category: string): string {
  return `${category}-${randomUUID()}`;
}

export function events(count: number, commandId: string = randomUUID()): NewEvent[] {
  const ids = eventIdsFor(commandId, count);
  return ids.map((eventId, i) => ({
    type: i % 2 === 0 ? 'SchoolAttendanceRecorded' : 'OffenceRecorded',
    data: { index: i, attendedSessions: 100 + i, note: `event ${i} of ${commandId}` },
    metadata: {
      eventId,
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: { userId: 'contract', role: 'admin' },
      recordedAt: '2016-05-03T10:00:00.000Z',
      schemaVersion: 1,
    },
  }));
}

/**
 * The whole log from `from`, read in pages. `endOfLog` is the *safe* end: on PostgreSQL, events
 * committed after a transaction that is still running anywhere on the server (another test
 * suite's, say) stay out of sight until it ends. So a read from the start goes on until it has
 * as many events as the store counts (waiting up to 20 s for such a transaction), then returns.
 */
export async function collectAll(store: EventStore, batch = 100, from: LogPosition | null = null): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = from;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const read = await store.readAll({ after, limit: batch });
    out.push(...read.events);
    after = read.next;
    if (!read.endOfLog) continue;
    if (from !== null || !store.countEvents || out.length >= (await store.countEvents()) || Date.now() > deadline) return out;
    await sleep(50);
  }
}

/**
 * A reader following the log from the start, as a subscriber does: how often it saw each event
 * id, and how many events came at or before the position of the one before them.
 */
export function tailingReader(store: EventStore): { seen: Map<string, number>; outOfOrder(): number; stop(): Promise<void> } {
  const seen = new Map<string, number>();
  let last: LogPosition | null = null;
  let outOfOrder = 0;
  const subscription = store.subscribe({
    batchSize: 100,
    handler: async (batch) => {
      for (const event of batch) {
        seen.set(event.metadata.eventId, (seen.get(event.metadata.eventId) ?? 0) + 1);
        if (last && comparePositions(last, event.position) >= 0) outOfOrder += 1;
        last = event.position;
      }
    },
  });
  return { seen, outOfOrder: () => outOfOrder, stop: () => subscription.stop() };
}

/** A subscriber from the start of the log: the event ids it was given, in order, and whether it has caught up. */
export function collectingSubscriber(store: EventStore): { seen: string[]; caughtUp(): boolean; stop(): Promise<void> } {
  const seen: string[] = [];
  let caughtUp = false;
  const subscription = store.subscribe({
    from: null,
    handler: async (batch) => {
      seen.push(...batch.map((e) => e.metadata.eventId));
    },
    onCaughtUp: () => {
      caughtUp = true;
    },
  });
  return { seen, caughtUp: () => caughtUp, stop: () => subscription.stop() };
}

/**
 * A transaction with an id, begun on another connection and held open until `release`: what
 * holds a reader of the log back. `started` resolves once it has its id; `ended` when it has ended.
 */
export function olderTransaction(sql: SqlClient): { started: Promise<void>; release(): void; ended: Promise<void> } {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let begun: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (begun = resolve));
  const ended = sql.transaction(async (tx) => {
    await tx.query('select pg_current_xact_id()');
    begun();
    await held;
  });
  return { started, release: () => release(), ended };
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
