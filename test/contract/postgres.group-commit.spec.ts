import { randomUUID } from 'node:crypto';
import { type AppendResult, type AppendSuccess, comparePositions, type LogPosition, type PostgresEventStore } from '@ledger/event-store';
import { atIndex } from '@ledger/domain';
import { openPostgresStore, uniqueSchema } from '../support/stores';
import { describeWhen, testEnv } from '../support/test-env';
import { events, streamName, tailingReader, waitFor } from './event-store.contract';

/**
 * Issue 22.2: group commit on PostgreSQL. Appends made together (in one tick, or while others are
 * being written) share one transaction: the same commit position, each with its own answer.
 */
describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('PostgreSQL group commit', () => {
  let store: PostgresEventStore;
  let drop: () => Promise<void>;
  let schema: string;

  const open = async (options: Parameters<typeof openPostgresStore>[0] = {}): Promise<void> => {
    schema = uniqueSchema();
    ({ store, drop } = await openPostgresStore({ schema, pollIntervalMs: 200, ...options }));
  };
  afterEach(async () => {
    await drop();
  });

  const appended = (result: AppendResult): AppendSuccess => {
    if (result.kind !== 'appended') throw new Error(`expected an append, got ${JSON.stringify(result)}`);
    return result;
  };
  const commits = (results: AppendResult[]): Set<bigint> => new Set(results.map((r) => appended(r).position.commit));

  it('writes concurrent appends to different streams in one transaction, each with its own answer', async () => {
    await open();
    const streams = Array.from({ length: 20 }, () => streamName('family'));
    const results = await Promise.all(streams.map((stream, i) => store.append(stream, events(1 + (i % 3)), { expectedVersion: 'no_stream' })));
    expect(results.map((r) => appended(r).nextExpectedVersion)).toEqual(streams.map((_, i) => 1 + (i % 3)));
    expect(results.map((r) => appended(r).streamId)).toEqual(streams);
    expect(commits(results).size).toBe(1);
    for (const [i, stream] of streams.entries()) {
      const read = await store.readStream(stream);
      expect(read.events.map((e) => e.metadata.eventId)).toEqual(appended(atIndex(results, i)).eventIds);
      // Each answer's position is that of its own last event.
      expect(read.events.at(-1)?.position).toEqual(appended(atIndex(results, i)).position);
    }
  });

  it('writes each append in a transaction of its own when group commit is off', async () => {
    await open({ groupCommit: false });
    const results = await Promise.all(Array.from({ length: 10 }, () => store.append(streamName('family'), events(1), { expectedVersion: 'no_stream' })));
    expect(commits(results).size).toBe(10);
  });

  it('fails a conflicting or failing append alone while the rest of its group commits', async () => {
    await open();
    const stale = streamName('family');
    await store.append(stale, events(1), { expectedVersion: 'no_stream' });
    const taken = events(1);
    await store.append(streamName('family'), taken);
    // A stream whose first version is already in the log but not in the stream table: the append
    // creates the stream row, then its event collides; its savepoint must take the row back too.
    const broken = streamName('family');
    await store.sqlClient.query(`insert into "${schema}".events (stream_id, category, version, event_id, type, data, metadata) values ($1, 'family', 1, $2, 'SchoolAttendanceRecorded', '{}', '{}')`, [
      broken,
      randomUUID(),
    ]);
    const good = [streamName('family'), streamName('claim'), streamName('family')];
    const badJson = events(1);
    (badJson[0] as { data: Record<string, unknown> }).data = { note: 'a NUL \u0000 PostgreSQL refuses in jsonb' };

    const [first, conflict, reused, nul, partial, second, third] = await Promise.allSettled([
      store.append(atIndex(good, 0), events(2), { expectedVersion: 'no_stream' }),
      store.append(stale, events(1), { expectedVersion: 5 }),
      store.append(streamName('family'), taken),
      store.append(streamName('family'), badJson),
      store.append(broken, events(1), { expectedVersion: 'no_stream' }),
      store.append(atIndex(good, 1), events(1), { expectedVersion: 'no_stream' }),
      store.append(atIndex(good, 2), events(3), { expectedVersion: 'no_stream' }),
    ]);
    const value = (s: PromiseSettledResult<AppendResult> | undefined): AppendResult => {
      if (s?.status !== 'fulfilled') throw new Error(`expected an answer, got ${String(s?.status === 'rejected' ? s.reason : s)}`);
      return s.value;
    };
    expect(value(conflict)).toEqual({ kind: 'conflict', streamId: stale, expected: 5, actual: 1 });
    expect(reused?.status === 'rejected' && (reused.reason as Error).name).toBe('EventStoreUsageError');
    expect(nul?.status).toBe('rejected');
    expect(partial?.status).toBe('rejected');
    const winners = [value(first), value(second), value(third)];
    expect(winners.map((r) => appended(r).nextExpectedVersion)).toEqual([2, 1, 3]);
    expect(commits(winners).size).toBe(1);

    expect((await store.readStream(stale)).version).toBe(1);
    expect(await store.sqlClient.query(`select 1 from "${schema}".streams where stream_id = $1`, [broken])).toHaveLength(0);
    for (const [i, stream] of good.entries()) expect((await store.readStream(stream)).version).toBe([2, 1, 3][i]);
    expect(await store.countEvents()).toBe(1 + 1 + 1 + 2 + 1 + 3);
  });

  it('lets appends to one stream in a group see each other, in order, with one winner per expected version', async () => {
    await open();
    const stream = streamName('family');
    const chained = await Promise.all([
      store.append(stream, events(1), { expectedVersion: 'no_stream' }),
      store.append(stream, events(2), { expectedVersion: 1 }),
      store.append(stream, events(1), { expectedVersion: 3 }),
    ]);
    expect(chained.map((r) => appended(r).nextExpectedVersion)).toEqual([1, 3, 4]);
    expect(commits(chained).size).toBe(1);

    const contested = streamName('family');
    for (let version = 0; version < 5; version += 1) {
      const tries = await Promise.all(Array.from({ length: 8 }, () => store.append(contested, events(1), { expectedVersion: version === 0 ? 'no_stream' : version })));
      expect(tries.filter((t) => t.kind === 'appended')).toHaveLength(1);
      expect(tries.filter((t) => t.kind === 'conflict').map((t) => t.kind === 'conflict' && t.actual)).toEqual(Array.from({ length: 7 }, () => version + 1));
    }
    // And from writers that race rather than start together: each version still has one winner.
    const raced = streamName('family');
    const wins: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = 0; i < 15; i += 1) {
          const { version } = await store.readStream(raced);
          const result = await store.append(raced, events(1), { expectedVersion: version === 0 ? 'no_stream' : version });
          if (result.kind === 'appended') wins.push(result.nextExpectedVersion);
        }
      }),
    );
    const read = await store.readStream(raced);
    expect([...wins].sort((a, b) => a - b)).toEqual(read.events.map((e) => e.version));
    expect(read.events.map((e) => e.version)).toEqual(Array.from({ length: read.version }, (_, i) => i + 1));
  });

  it('answers a retry of grouped appends idempotently, alone or grouped again', async () => {
    await open();
    const tries = Array.from({ length: 6 }, () => ({ stream: streamName('family'), commandId: randomUUID() }));
    const first = await Promise.all(tries.map((t) => store.append(t.stream, events(2, t.commandId), { expectedVersion: 'no_stream' })));
    expect(commits(first).size).toBe(1);
    const again = await Promise.all(tries.map((t) => store.append(t.stream, events(2, t.commandId), { expectedVersion: 'no_stream' })));
    const alone = await store.append(atIndex(tries, 0).stream, events(2, atIndex(tries, 0).commandId), { expectedVersion: 'no_stream' });
    for (const [i, result] of [...again, alone].entries()) {
      const original = appended(atIndex(first, i % tries.length));
      expect(result).toEqual({ ...original, idempotent: true });
    }
    expect(await store.countEvents()).toBe(12);
  });

  it('gives every append of a group the error when the group cannot commit, records none, and a retry records each once', async () => {
    let failCommit = true;
    await open({
      beforeCommit: async (streamId) => {
        if (failCommit && streamId.startsWith('claim-')) throw new Error('the commit failed');
      },
    });
    const tries = [streamName('family'), streamName('claim'), streamName('family')].map((stream) => ({ stream, commandId: randomUUID() }));
    const settled = await Promise.allSettled(tries.map((t) => store.append(t.stream, events(1, t.commandId), { expectedVersion: 'no_stream' })));
    expect(settled.map((s) => s.status === 'rejected' && (s.reason as Error).message)).toEqual(['the commit failed', 'the commit failed', 'the commit failed']);
    expect(await store.countEvents()).toBe(0);
    failCommit = false;
    const retried = await Promise.all(tries.map((t) => store.append(t.stream, events(1, t.commandId), { expectedVersion: 'no_stream' })));
    expect(retried.map((r) => appended(r).idempotent)).toEqual([false, false, false]);
    expect(await store.countEvents()).toBe(3);
  });

  it('forms groups under 8 concurrent writers, and a tailing reader misses and repeats nothing', async () => {
    // One group in flight at a time: every append that arrives meanwhile waits for the next.
    await open({ groupCommit: { maxInFlight: 1 } });
    const reader = tailingReader(store);
    const { seen } = reader;
    const written: string[] = [];
    const results: AppendResult[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        const stream = streamName('family');
        for (let i = 0; i < 60; i += 1) {
          const batch = events(1 + ((i + writer) % 2));
          const result = await store.append(stream, batch, { expectedVersion: i === 0 ? 'no_stream' : 'stream_exists' });
          results.push(result);
          written.push(...batch.map((e) => e.metadata.eventId));
        }
      }),
    );
    await waitFor(() => seen.size >= written.length, 30_000).catch(() => undefined);
    await reader.stop();
    expect({ missing: written.filter((id) => !seen.has(id)).length, repeated: [...seen.values()].filter((n) => n > 1).length, outOfOrder: reader.outOfOrder() }).toEqual({
      missing: 0,
      repeated: 0,
      outOfOrder: 0,
    });
    // 480 appends in far fewer transactions: the groups formed.
    expect(commits(results).size).toBeLessThan(results.length / 2);
  });
});
