import { randomUUID } from 'node:crypto';
import {
  type AppendOptions,
  type AppendResult,
  type CommandEnvelope,
  type CommandOutcome,
  type EventStore,
  type NewEvent,
  type ReadStreamOptions,
  type StreamRead,
  StreamStateCache,
  handleCommand,
  loadStream,
} from '@ledger/event-store';
import { type Decider, type Rejection, accept, reject } from '@ledger/domain';
import { openPgliteStore, openPostgresStore } from '../support/stores';
import { testEnv } from '../support/test-env';

/**
 * A command handler that remembers folded stream states (`StreamStateCache`) must answer exactly
 * as one that folds the whole stream every time: what other writers appended is seen, a retried
 * command is answered as the first time, a stale state is never trusted past its lifetime, and a
 * stream that went back (a restored database) is read whole again. Real stores, no mocks: the
 * store is only wrapped to note which reads were asked for.
 */
type Added = { type: 'Added'; data: { amount: number } };
type Tally = { total: number; count: number };
const LIMIT = 100;

/** Adds an amount (the command) to a stream's tally; refuses to pass LIMIT. */
const tally: Decider<number, Added, Tally> = {
  initialState: () => ({ total: 0, count: 0 }),
  evolve: (s, e) => ({ total: s.total + e.data.amount, count: s.count + 1 }),
  decide: (amount, s) => (s.total + amount > LIMIT ? reject('OverTheLimit', `over the limit at ${s.total}`) : accept<Added>({ type: 'Added', data: { amount } })),
  decode: (e) => ({ type: 'Added', data: e.data as Added['data'] }),
};

function envelope(commandId = randomUUID()): CommandEnvelope {
  return { commandId, correlationId: commandId, actor: { userId: 'u.test', role: 'keyworker' }, recordedAt: '2019-04-01T10:00:00.000Z' };
}

/** The real store, noting the `afterVersion` of every readStream (undefined: the whole stream). */
class NotingStore {
  readonly reads: (number | undefined)[] = [];
  constructor(readonly inner: EventStore) {}
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StreamRead> {
    this.reads.push(options?.afterVersion);
    return this.inner.readStream(streamId, options);
  }
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(streamId, events, options);
  }
  asStore(): EventStore {
    return this as unknown as EventStore;
  }
}

const kinds: ('pglite' | 'postgres')[] = testEnv.postgresUrl ? ['pglite', 'postgres'] : ['pglite'];

describe.each(kinds)('commands with remembered stream states on %s', (kind) => {
  let opened: { store: EventStore; drop: () => Promise<void> };
  beforeAll(async () => {
    opened = kind === 'postgres' ? await openPostgresStore() : await openPgliteStore();
  }, 60_000);
  afterAll(async () => opened.drop());

  it('reads only the tail after the first command, sees other writers, and answers as a whole read does', async () => {
    const streamId = `tally-${randomUUID()}`;
    const noting = new NotingStore(opened.store);
    const cache = new StreamStateCache<Tally>();
    const amounts = [10, 20, 5, 30];
    const outcomes: CommandOutcome<Rejection>[] = [];
    for (const [i, amount] of amounts.entries()) {
      outcomes.push(await handleCommand(noting.asStore(), streamId, tally, amount, undefined, envelope(), { cache }));
      // Another writer, folding the whole stream and remembering nothing, appends in between.
      if (i === 1) expect((await handleCommand(opened.store, streamId, tally, 25, undefined, envelope())).kind).toBe('recorded');
    }
    expect(outcomes.map((o) => (o.kind === 'recorded' ? o.version : o.kind))).toEqual([1, 2, 4, 5]);
    // 10 + 20 + 25 + 5 + 30 = 90: 11 more passes the limit, and only the other writer's 25 makes it so.
    const refused = await handleCommand(noting.asStore(), streamId, tally, 11, undefined, envelope(), { cache });
    expect(refused).toEqual({ kind: 'rejected', rejection: { reason: 'OverTheLimit', message: 'over the limit at 90', kind: 'rule' }, version: 5 });
    const wholeRead = await handleCommand(opened.store, streamId, tally, 11, undefined, envelope());
    expect(wholeRead).toEqual(refused);
    // The first two read the whole stream (an absent stream is not remembered); later ones decide
    // on the state remembered after the last append and read nothing (issue 22.3), except where
    // the stream moved on (the other writer's append was a conflict) or the remembered state
    // refused: then the tail after it is read.
    expect(noting.reads).toEqual([undefined, undefined, 2, 5]);
  });

  it('answers a retried command as the first time, even after later commands, and records nothing new', async () => {
    const streamId = `tally-${randomUUID()}`;
    const cache = new StreamStateCache<Tally>();
    const first = envelope();
    const answer = await handleCommand(opened.store, streamId, tally, 40, undefined, first, { cache });
    await handleCommand(opened.store, streamId, tally, 40, undefined, envelope(), { cache });
    // The retry would now pass the limit (40 + 40 + 40 > 100) if it were decided again.
    const retried = await handleCommand(opened.store, streamId, tally, 40, undefined, first, { cache });
    expect(retried).toEqual({ ...answer, replayed: true });
    expect((await opened.store.readStream(streamId)).version).toBe(2);
  });

  it('reads the whole stream again once the remembered state is older than its lifetime', async () => {
    const streamId = `tally-${randomUUID()}`;
    let now = 1_000_000;
    const noting = new NotingStore(opened.store);
    const cache = new StreamStateCache<Tally>({ ttlMs: 60_000, now: () => now });
    await handleCommand(noting.asStore(), streamId, tally, 1, undefined, envelope(), { cache });
    await handleCommand(noting.asStore(), streamId, tally, 1, undefined, envelope(), { cache });
    now += 59_999;
    await handleCommand(noting.asStore(), streamId, tally, 1, undefined, envelope(), { cache });
    // Used all along, still expired: the lifetime runs from the last whole read.
    now += 1;
    await handleCommand(noting.asStore(), streamId, tally, 1, undefined, envelope(), { cache });
    await handleCommand(noting.asStore(), streamId, tally, 1, undefined, envelope(), { cache });
    expect(noting.reads).toEqual([undefined, undefined, undefined]);
    expect(cache.get(streamId)).toMatchObject({ version: 5, state: { total: 5, count: 5 } });
  });

  it('reads a stream whole again when its version went back (a restored database)', async () => {
    const streamId = `tally-${randomUUID()}`;
    const cache = new StreamStateCache<Tally>();
    for (let i = 0; i < 3; i += 1) await handleCommand(opened.store, streamId, tally, 30, undefined, envelope(), { cache });
    // The same stream id in another store holding less of it, with the same cache.
    const restored = kind === 'postgres' ? await openPostgresStore() : await openPgliteStore();
    try {
      const noting = new NotingStore(restored.store);
      await handleCommand(restored.store, streamId, tally, 30, undefined, envelope());
      const outcome = await handleCommand(noting.asStore(), streamId, tally, 30, undefined, envelope(), { cache });
      expect(outcome).toMatchObject({ kind: 'recorded', version: 2 });
      // The remembered state (version 3) refuses 30 more; read again: the tail after 3 shows a stream at 1.
      expect(noting.reads).toEqual([3, undefined]);
      // The state after its own append is remembered.
      expect(cache.get(streamId)).toMatchObject({ version: 2, state: { total: 60, count: 2 } });
    } finally {
      await restored.drop();
    }
  });

  // Issue 22.3: a remembered state is decided on without a read, so a retry recorded by another
  // process after it, a racing command of this process, and an If-Match newer than it must still
  // be answered as if the stream had been read.
  describe('deciding on the remembered state without a read', () => {
    /** Another process: a handler of its own, remembering nothing. */
    const elsewhere = (command: number, on: string, env = envelope(), decider: Decider<number, Added, Tally> = tally) => handleCommand(opened.store, on, decider, command, undefined, env);

    it('answers a retry recorded elsewhere since as the first time, though the remembered state would refuse it', async () => {
      const streamId = `tally-${randomUUID()}`;
      const cache = new StreamStateCache<Tally>();
      await elsewhere(90, streamId);
      await loadStream(opened.store, streamId, tally, cache);
      await elsewhere(-50, streamId);
      const retried = envelope();
      const first = await elsewhere(30, streamId, retried);
      expect(first).toMatchObject({ kind: 'recorded', version: 3 });
      // Remembered: 90, so 30 more would pass the limit; recorded: 40 + 30.
      expect(await handleCommand(opened.store, streamId, tally, 30, undefined, retried, { cache })).toEqual({ ...first, replayed: true });
      expect((await opened.store.readStream(streamId)).version).toBe(3);
    });

    it('answers a retry recorded elsewhere since as the first time, though the remembered state would decide other events', async () => {
      // 0: one event; another amount: two events (halves) on a stream of an odd number of events, else one.
      const uneven: Decider<number, Added, Tally> = {
        ...tally,
        decide: (amount, s) =>
          amount !== 0 && s.count % 2 === 1
            ? accept<Added>({ type: 'Added', data: { amount: amount / 2 } }, { type: 'Added', data: { amount: amount / 2 } })
            : accept<Added>({ type: 'Added', data: { amount } }),
      };
      // [events before the state remembered, events after it before the retried command, events the retry would decide on the remembered state, events recorded]
      for (const [before, between, decided, recorded] of [
        [2, 1, 1, 2],
        [1, 1, 2, 1],
      ] as const) {
        const streamId = `tally-${randomUUID()}`;
        const cache = new StreamStateCache<Tally>();
        for (let i = 0; i < before; i += 1) await elsewhere(0, streamId, envelope(), uneven);
        expect((await loadStream(opened.store, streamId, uneven, cache)).state.count % 2).toBe(decided === 2 ? 1 : 0);
        for (let i = 0; i < between; i += 1) await elsewhere(0, streamId, envelope(), uneven);
        const retried = envelope();
        const first = await elsewhere(2, streamId, retried, uneven);
        expect(first).toMatchObject({ kind: 'recorded', events: Array.from({ length: recorded }, () => ({ type: 'Added' })) });
        const version = (await opened.store.readStream(streamId)).version;
        expect(await handleCommand(opened.store, streamId, uneven, 2, undefined, retried, { cache })).toEqual({ ...first, replayed: true });
        expect((await opened.store.readStream(streamId)).version).toBe(version);
      }
    });

    it('answers a retry recorded elsewhere since with another body under the same key as reused, recording nothing', async () => {
      const streamId = `tally-${randomUUID()}`;
      const cache = new StreamStateCache<Tally>();
      await elsewhere(10, streamId);
      await loadStream(opened.store, streamId, tally, cache);
      const key = envelope();
      expect(await elsewhere(5, streamId, { ...key, requestHash: 'first body' })).toMatchObject({ kind: 'recorded', version: 2 });
      expect(await handleCommand(opened.store, streamId, tally, 5, undefined, { ...key, requestHash: 'another body' }, { cache })).toEqual({ kind: 'reused' });
      expect(await handleCommand(opened.store, streamId, tally, 5, undefined, { ...key, requestHash: 'first body' }, { cache })).toMatchObject({ kind: 'recorded', version: 2, replayed: true });
      expect((await opened.store.readStream(streamId)).version).toBe(2);
    });

    it('loses no update when commands of one process race on one stream', async () => {
      const streamId = `tally-${randomUUID()}`;
      const cache = new StreamStateCache<Tally>();
      await handleCommand(opened.store, streamId, tally, 1, undefined, envelope(), { cache });
      await handleCommand(opened.store, streamId, tally, 1, undefined, envelope(), { cache });
      // Eight at once on the state remembered at version 2: each append that loses is a conflict,
      // decided again on the tail (a few times; one that loses every time answers a conflict).
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => handleCommand(opened.store, streamId, tally, 1, undefined, envelope(), { cache })));
      const versions = outcomes.flatMap((o) => (o.kind === 'recorded' ? [o.version] : []));
      expect(outcomes.every((o) => o.kind === 'recorded' || o.kind === 'conflict')).toBe(true);
      expect(versions.length).toBeGreaterThanOrEqual(5);
      expect([...versions].sort((a, b) => a - b)).toEqual(versions.map((_, i) => i + 3));
      const read = await opened.store.readStream(streamId);
      expect(read.version).toBe(2 + versions.length);
      expect(read.events.reduce((sum, e) => sum + (e.data as { amount: number }).amount, 0)).toBe(read.version);
      // Whatever is remembered is the stream as it is at some version.
      const remembered = cache.get(streamId);
      expect(remembered && remembered.state.total).toBe(remembered?.version);
    });

    it('decides on the stream as read when If-Match names a version the remembered state has not reached, and refuses a stale one', async () => {
      const streamId = `tally-${randomUUID()}`;
      const cache = new StreamStateCache<Tally>();
      await elsewhere(1, streamId);
      await loadStream(opened.store, streamId, tally, cache);
      await elsewhere(1, streamId);
      // Remembered: version 1; If-Match "2", the stream's version.
      expect(await handleCommand(opened.store, streamId, tally, 1, undefined, { ...envelope(), expectedVersion: 2 }, { cache })).toMatchObject({ kind: 'recorded', version: 3 });
      await elsewhere(1, streamId);
      expect(await handleCommand(opened.store, streamId, tally, 1, undefined, { ...envelope(), expectedVersion: 3 }, { cache })).toEqual({ kind: 'conflict', expected: 3, actual: 4 });
      expect((await opened.store.readStream(streamId)).version).toBe(4);
    });

    it('does not remember again a stream forgotten while a command on it was in flight', async () => {
      const streamId = `tally-${randomUUID()}`;
      const cache = new StreamStateCache<Tally>();
      await handleCommand(opened.store, streamId, tally, 1, undefined, envelope(), { cache });
      await handleCommand(opened.store, streamId, tally, 1, undefined, envelope(), { cache });
      expect(cache.holds(streamId)).toBe(true);
      // Decided on the remembered state (version 2); forgotten (an erasure) before its append answers.
      const inFlight = handleCommand(opened.store, streamId, tally, 1, undefined, envelope(), { cache });
      cache.forget(streamId);
      expect(await inFlight).toMatchObject({ kind: 'recorded', version: 3 });
      expect(cache.holds(streamId)).toBe(false);
    });
  });
});

describe('the stream state cache', () => {
  const entry = (version: number) => ({ version, state: { total: version, count: version }, eventIds: new Set<string>() });

  it('keeps at most maxStreams, dropping the least recently used', () => {
    const cache = new StreamStateCache<Tally>({ maxStreams: 2 });
    cache.remember('a', entry(1));
    cache.remember('b', entry(1));
    expect(cache.get('a')?.version).toBe(1);
    cache.remember('c', entry(1));
    expect([cache.holds('a'), cache.holds('b'), cache.holds('c')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });

  it('lets expired states go as others are remembered, not only once maxStreams are held (issue 15.3)', () => {
    let now = 1_000_000;
    const cache = new StreamStateCache<Tally>({ ttlMs: 60_000, now: () => now });
    cache.remember('a', entry(1));
    cache.remember('b', entry(1));
    now += 60_000;
    cache.remember('c', entry(1));
    expect([cache.holds('a'), cache.holds('b'), cache.holds('c')]).toEqual([false, false, true]);
    expect(cache.size).toBe(1);
  });

  it('never goes back to an older version, and forgets a stream on request', () => {
    const cache = new StreamStateCache<Tally>();
    cache.remember('a', entry(5));
    cache.remember('a', entry(4));
    expect(cache.get('a')?.version).toBe(5);
    cache.forget('a');
    expect(cache.holds('a')).toBe(false);
  });
});
