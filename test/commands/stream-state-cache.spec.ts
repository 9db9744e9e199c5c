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
    // The first two read the whole stream (an absent stream is not remembered), each later one
    // its tail only, after the state remembered from the read before (not its own append).
    expect(noting.reads).toEqual([undefined, undefined, 1, 3, 4]);
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
    expect(noting.reads).toEqual([undefined, undefined, 1, undefined, 3]);
    expect(cache.get(streamId)).toMatchObject({ version: 4, state: { total: 4, count: 4 } });
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
      expect(noting.reads).toEqual([2, undefined]);
      expect(cache.get(streamId)).toMatchObject({ version: 1, state: { total: 30, count: 1 } });
    } finally {
      await restored.drop();
    }
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
