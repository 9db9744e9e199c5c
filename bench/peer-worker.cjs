'use strict';
// One measure of the peer comparison (bench/peer.cjs) for ONE store, in a process of its own:
// creating an emmett-postgresql store changes how the whole process's `pg` driver parses values
// (dumbo sets global type parsers: int8 -> BigInt, json/jsonb through its own serializer), so our
// store and the peer never share a process. The task comes as argv[2] (JSON), the result goes back
// with process.send, exactly like bench/worker.cjs.
//
// task: { store: 'ours' | 'peer', kind: 'append' | 'read' | 'tail', url, file, families, ... }

const { forEachLine } = require('./lines.cjs');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { createRequire } = require('node:module');

const root = join(__dirname, '..');
const now = () => Number(process.hrtime.bigint()) / 1e9;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const WRITERS = 8;

// ------------------------------------------------------------------------------------ inputs

/**
 * The bulk-append items of the generated file, in file order: the programme item(s) and the first
 * `families` family items (one item = one whole family stream). Both stores get the same list.
 */
function loadItems(file, families) {
  const items = [];
  let familyCount = 0;
  forEachLine(file, (line) => {
    for (const item of JSON.parse(line)) {
      if (item.streamId.startsWith('family-')) {
        if (familyCount >= families) continue;
        familyCount += 1;
      }
      items.push(item);
    }
    return familyCount < families;
  });
  return items;
}

/** Events for the tailing measure: real generated events, each writer on a stream of its own. */
function tailEvents(file, perWriter) {
  const source = [];
  const wanted = perWriter * WRITERS;
  forEachLine(file, (line) => {
    for (const item of JSON.parse(line)) {
      if (!item.streamId.startsWith('family-')) continue;
      for (const e of item.events) if (source.length < wanted) source.push(e);
    }
    return source.length < wanted;
  });
  if (source.length < wanted) throw new Error(`the generated file holds only ${source.length} family events, ${wanted} needed`);
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: WRITERS }, (_, w) => ({
    streamId: `tail-${run}w${w}`,
    // Fresh event ids: the events are re-used on other streams.
    events: source.slice(w * perWriter, (w + 1) * perWriter).map((e) => ({ type: e.type, data: e.data, metadata: { ...e.metadata, eventId: randomUUID() } })),
  }));
}

const countEvents = (items) => items.reduce((n, item) => n + item.events.length, 0);

/** `count` async loops taking work from one shared queue. */
async function concurrently(count, total, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      for (let i = next++; i < total; i = next++) await work(i);
    }),
  );
}

/** Median of a few timed passes (the logs are small: one pass is tens of milliseconds). */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ------------------------------------------------------------------------------------ ours

function ourLibrary() {
  const dist = process.env.LEDGER_BENCH_DIST || join(root, 'dist');
  return require(join(dist, 'libs/event-store/src'));
}

async function openOurs(task, poolSize) {
  const es = ourLibrary();
  const sql = new es.PgSqlClient({ connectionString: task.url, max: poolSize });
  // LEDGER_GROUP_COMMIT=off: each append in a transaction of its own (for an A/B of group commit).
  const store = await es.PostgresEventStore.open(sql, { schema: 'ledger', groupCommit: process.env.LEDGER_GROUP_COMMIT !== 'off' });
  return { sql, store };
}

const ours = {
  async append(task) {
    const items = loadItems(task.file, task.families);
    const { store } = await openOurs(task, WRITERS);
    const t0 = now();
    await concurrently(WRITERS, items.length, async (i) => {
      const item = items[i];
      const result = await store.append(item.streamId, item.events, { expectedVersion: item.expectedVersion });
      if (result.kind !== 'appended') throw new Error(`append conflict on ${item.streamId}: ${JSON.stringify(result)}`);
    });
    const seconds = now() - t0;
    const inStore = await store.countEvents();
    await store.close();
    return { events: countEvents(items), streams: items.length, seconds, inStore };
  },

  async read(task) {
    const { store } = await openOurs(task, 2);
    const pass = async () => {
      const keys = new Set();
      let n = 0;
      let after = null;
      const t0 = now();
      for (;;) {
        const read = await store.readAll({ after, limit: 1000 });
        n += read.events.length;
        for (const e of read.events) keys.add(`${e.streamId}:${e.version}`);
        after = read.next;
        if (read.endOfLog) break;
      }
      return { events: n, distinct: keys.size, seconds: now() - t0 };
    };
    await pass(); // warm-up, not counted
    const passes = [];
    for (let i = 0; i < task.passes; i += 1) passes.push(await pass());
    const inStore = await store.countEvents();
    await store.close();
    return { ...passes[passes.length - 1], seconds: median(passes.map((p) => p.seconds)), passSeconds: passes.map((p) => p.seconds), inStore };
  },

  async tail(task) {
    const streams = tailEvents(task.file, task.perWriter);
    // 8 writers + the subscription's reads (LISTEN uses a connection of its own).
    const { store } = await openOurs(task, WRITERS + 2);
    const reader = newReaderTally();
    const subscription = store.subscribe({
      from: null,
      handler: async (events) => {
        for (const e of events) reader.deliver(`${e.streamId}:${e.version}`);
      },
    });
    const written = new Set();
    const t0 = now();
    await Promise.all(
      streams.map(async (s) => {
        let version = 0;
        for (const event of s.events) {
          const result = await store.append(s.streamId, [event], { expectedVersion: version });
          if (result.kind !== 'appended') throw new Error(`append conflict on ${s.streamId}: ${JSON.stringify(result)}`);
          version = result.nextExpectedVersion;
          written.add(`${s.streamId}:${version}`);
        }
      }),
    );
    const writeSeconds = now() - t0;
    await reader.settle(task, () => false);
    await subscription.stop();
    await store.close();
    return { writeSeconds, ...reader.report(written, t0 + writeSeconds), reader: 'store.subscribe({ from: null }) (batches of 500, LISTEN/NOTIFY wake-up)' };
  },
};

// ------------------------------------------------------------------------------------ the peer

function peerLibrary() {
  const emmett = require('@event-driven-io/emmett-postgresql');
  // dumbo (emmett's SQL layer) is where pools and executors come from; resolve it from the package.
  const dumbo = createRequire(require.resolve('@event-driven-io/emmett-postgresql'))('@event-driven-io/dumbo');
  return { emmett, dumbo };
}

/** 'no_stream' is passed as 0n: 0.42's PostgreSQL store maps STREAM_DOES_NOT_EXIST to "no check". */
function peerExpected(expected) {
  if (expected === undefined || expected === 'any') return 'NO_CONCURRENCY_CHECK';
  if (expected === 'no_stream') return 0n;
  if (expected === 'stream_exists') return 'STREAM_EXISTS';
  return BigInt(expected);
}

async function peerCount(url) {
  // A plain pg client: int4 is parsed the same before and after dumbo's global parsers.
  const pg = require('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('select count(*)::int as n from emt_messages')).rows[0].n;
  } finally {
    await client.end();
  }
}

const peer = {
  async append(task) {
    const items = loadItems(task.file, task.families);
    const { emmett } = peerLibrary();
    const store = emmett.getPostgreSQLEventStore(task.url);
    await store.schema.migrate(); // outside the clock (it would otherwise run on the first append)
    const t0 = now();
    await concurrently(WRITERS, items.length, async (i) => {
      const item = items[i];
      await store.appendToStream(item.streamId, item.events, { expectedStreamVersion: peerExpected(item.expectedVersion) });
    });
    const seconds = now() - t0;
    await store.close();
    return { events: countEvents(items), streams: items.length, seconds, inStore: await peerCount(task.url) };
  },

  async read(task) {
    const { emmett, dumbo } = peerLibrary();
    const pool = dumbo.dumbo({ connectionString: task.url });
    const pass = async () => {
      const keys = new Set();
      let n = 0;
      let after = 0n;
      let pages = 0;
      const t0 = now();
      for (;;) {
        const batch = await emmett.readMessagesBatch(pool.execute, { after, batchSize: 1000 });
        pages += 1;
        n += batch.messages.length;
        for (const m of batch.messages) keys.add(`${m.metadata.streamName}:${m.metadata.streamPosition}`);
        after = batch.currentGlobalPosition;
        if (!batch.areMessagesLeft) break;
      }
      return { events: n, distinct: keys.size, pages, seconds: now() - t0 };
    };
    await pass(); // warm-up, not counted
    const passes = [];
    for (let i = 0; i < task.passes; i += 1) passes.push(await pass());
    await pool.close();
    return { ...passes[passes.length - 1], seconds: median(passes.map((p) => p.seconds)), passSeconds: passes.map((p) => p.seconds), inStore: await peerCount(task.url) };
  },

  async tail(task) {
    const streams = tailEvents(task.file, task.perWriter);
    const { emmett } = peerLibrary();
    const store = emmett.getPostgreSQLEventStore(task.url);
    await store.schema.migrate();
    const reader = newReaderTally();
    // As a user sets it up: a consumer on the store, one reactor (checkpointed in emt_processors
    // after every message by the default PostgreSQL checkpointer), default batch size and polling.
    // 0.42's reactor calls eachMessage; eachBatch is in its types but never called at run time.
    const consumer = store.consumer();
    consumer.reactor({
      processorId: `bench-tail-${randomUUID().slice(0, 8)}`,
      eachMessage: async (message) => {
        reader.deliver(`${message.metadata.streamName}:${message.metadata.streamPosition}`);
      },
    });
    let consumerError = null;
    const running = consumer.start().catch((error) => {
      consumerError = error;
    });
    const written = new Set();
    const t0 = now();
    await Promise.all(
      streams.map(async (s) => {
        let version = 0n;
        for (const event of s.events) {
          const result = await store.appendToStream(s.streamId, [event], { expectedStreamVersion: version });
          version = result.nextExpectedStreamVersion;
          written.add(`${s.streamId}:${version}`);
        }
      }),
    );
    const writeSeconds = now() - t0;
    await reader.settle(task, () => !consumer.isRunning);
    const stoppedEarly = !consumer.isRunning;
    await consumer.stop();
    await running;
    await store.close().catch(() => undefined);
    if (consumerError) throw consumerError;
    return {
      writeSeconds,
      ...reader.report(written, t0 + writeSeconds),
      consumerStoppedByItself: stoppedEarly,
      reader: 'store.consumer() + consumer.reactor({ processorId, eachMessage }) from the beginning (batches of 100, polling 50 ms to 1 s, checkpoint per message)',
    };
  },
};

// ------------------------------------------------------------------------------------ reader tally

function newReaderTally() {
  const seen = new Map();
  let deliveries = 0;
  let lastDelivery = now();
  return {
    deliver(key) {
      deliveries += 1;
      lastDelivery = now();
      seen.set(key, (seen.get(key) ?? 0) + 1);
    },
    /** Waits until the reader has delivered nothing for `idleSeconds` past the writers' end. */
    async settle(task, gaveUp) {
      const end = now();
      while (now() - end < task.maxWaitSeconds && !gaveUp()) {
        if (now() - Math.max(end, lastDelivery) >= task.idleSeconds) return;
        await sleep(50);
      }
    },
    report(written, writersEnd) {
      let delivered = 0;
      let repeated = 0;
      let unexpected = 0;
      for (const [key, n] of seen) {
        if (!written.has(key)) {
          unexpected += n;
          continue;
        }
        delivered += 1;
        repeated += n - 1;
      }
      return {
        written: written.size,
        delivered,
        missed: written.size - delivered,
        repeated,
        unexpected,
        deliveries,
        catchUpSeconds: Math.max(0, lastDelivery - writersEnd),
      };
    },
  };
}

// ------------------------------------------------------------------------------------ main

/** A message to the parent: this file runs only as a forked child, with an IPC channel. */
function toParent(message, callback) {
  if (!process.send) throw new Error('run as a forked child with an IPC channel (by bench/run.mjs or bench/peer.cjs)');
  process.send(message, callback);
}

(async () => {
  const task = JSON.parse(String(process.argv[2]));
  try {
    const impl = task.store === 'peer' ? peer : ours;
    if (!impl[task.kind]) throw new Error(`unknown task ${task.store}/${task.kind}`);
    const result = await impl[task.kind](task);
    toParent({ kind: 'result', result }, () => process.exit(0));
  } catch (error) {
    toParent({ kind: 'error', message: error instanceof Error && error.stack ? error.stack : String(error) }, () => process.exit(1));
  }
})();
