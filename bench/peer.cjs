'use strict';
// The peer in the benchmark (issue 7): @event-driven-io/emmett-postgresql against our PostgreSQL
// store, on the same database server, with the same generated events. Called by the orchestrator
// (or by bench/peer-check.mjs); every measure runs once per store, each in a process of its own
// (bench/peer-worker.cjs): creating an emmett store changes how the whole process's `pg` parses
// values, so the peer never shares a process with our store (nor with the caller).
//
// Each store gets databases of its own (`ledger_bench_peer_<random>_<store><group>`, created on the
// server of `url` and dropped at the end, also on failure): emmett 0.42 has no schema option (its
// emt_* tables go to the connection's default schema), and the tailing measure needs an empty log.
//
//   append  the generated family streams appended stream by stream (one append = one whole family,
//           with its expected version), 8 concurrent writers taking families from one queue;
//   read    the whole log in pages of 1,000 (ours: store.readAll; the peer: readMessagesBatch),
//           one warm-up pass, then the median of 3 timed passes; counts checked against the log;
//   tail    8 writers append single events to a stream each while a reader follows the log from
//           the start (ours: store.subscribe; the peer: a consumer with one reactor); after the
//           writers end, the reader runs until idle for 2 s; events missed and delivered twice.

const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const WORKER = join(__dirname, 'peer-worker.cjs');
const WRITERS = 8; // as in peer-worker.cjs
const WRITERS_LABEL = `${WRITERS} writers`;
const PROFILES = {
  quick: { families: 200, perWriter: 250, passes: 3, idleSeconds: 2, maxWaitSeconds: 15, taskTimeoutSeconds: 90 },
  default: { families: 1000, perWriter: 500, passes: 3, idleSeconds: 2, maxWaitSeconds: 30, taskTimeoutSeconds: 600 },
};

/** One measure for one store in its own process; never rejects: a failure comes back as { error }. */
function runPeerTask(task, { dist, timeoutSeconds }) {
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (dist) env.LEDGER_BENCH_DIST = dist;
    const child = fork(WORKER, [JSON.stringify(task)], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const settle = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => {
      settle({ error: `${task.store} ${task.kind}: no result after ${timeoutSeconds} s (process killed)` });
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('message', (/** @type {{ kind: string, result?: object, message?: string }} */ m) => {
      if (m.kind === 'result') settle({ result: m.result });
      else if (m.kind === 'error') settle({ error: `${task.store} ${task.kind} failed: ${m.message}` });
    });
    child.on('error', (error) => settle({ error: `${task.store} ${task.kind}: ${error.message}` }));
    child.on('exit', (code, signal) => settle({ error: `${task.store} ${task.kind}: process exited (${signal ?? code}) with no result` }));
  });
}

const rate = (n, seconds) => (seconds > 0 ? n / seconds : null);
const ratio = (a, b) => (a !== null && b !== null && b > 0 ? a / b : null);
const firstLine = (s) => String(s).split('\n')[0];

/**
 * @param {{ url: string, file: string, families?: number, seed?: number, quick?: boolean,
 *           log?: (line: string) => void, dist?: string }} options
 *   url: a scratch database (used only to create and drop the comparison's own databases);
 *   file: the generated NDJSON batches (`cli generate --format events`); families: how many of its
 *   families to append (default 1,000, at most 200 with quick); dist: our compiled code (default
 *   $LEDGER_BENCH_DIST, else dist/).
 * @returns {Promise<{ rows: { measure: string, ours: number|null, peer: number|null, unit: string,
 *   ratio: number|null, error?: string }[], reader: { ours: object, peer: object }, versions: object,
 *   notes: string[], raw: object, seconds: number }>}
 */
async function peerComparison({ url, file, families, seed, quick = false, log = () => undefined, dist }) {
  const started = Date.now();
  const profile = { ...(quick ? PROFILES.quick : PROFILES.default) };
  if (typeof families === 'number' && Number.isInteger(families) && families > 0) profile.families = Math.min(families, quick ? PROFILES.quick.families : Infinity);
  const pg = require('pg');
  const emmettVersion = installedVersion('@event-driven-io/emmett-postgresql');
  const versions = { emmett: emmettVersion, pg: require('pg/package.json').version };
  const notes = [];
  const raw = {};
  const rows = [];
  /** @type {{ ours: object, peer: object }} */
  const reader = { ours: {}, peer: {} };

  const tag = randomBytes(4).toString('hex');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const created = [];
  const database = async (name) => {
    const full = `ledger_bench_peer_${tag}_${name}`;
    await admin.query(`create database ${full}`);
    created.push(full);
    const u = new URL(url);
    u.pathname = `/${full}`;
    return u.toString();
  };
  const options = { dist: dist ?? process.env.LEDGER_BENCH_DIST, timeoutSeconds: profile.taskTimeoutSeconds };
  const run = async (store, kind, task) => {
    log(`peer: ${kind} (${store === 'ours' ? 'ours' : `emmett-postgresql ${emmettVersion}`})`);
    const out = await runPeerTask({ store, kind, file, ...profile, ...task }, options);
    if (out.error) log(`peer: ${out.error.split('\n')[0]}`);
    return out;
  };

  try {
    // ------------------------------------------------------------------ append, then read it all
    const db = { ours: await database('ours1'), peer: await database('peer1') };
    const append = { ours: await run('ours', 'append', { url: db.ours }), peer: await run('peer', 'append', { url: db.peer }) };
    raw.append = append;
    const appendRate = (side) => (append[side].result ? rate(append[side].result.events, append[side].result.seconds) : null);
    const events = append.ours.result?.events ?? append.peer.result?.events;
    rows.push(row(`append, ${WRITERS_LABEL} (whole families, expected version)`, appendRate('ours'), appendRate('peer'), 'events/s', append));
    for (const side of ['ours', 'peer']) {
      const r = append[side].result;
      if (r && r.inStore !== r.events) notes.push(`${side}: appended ${r.events} events but the log holds ${r.inStore}`);
    }

    const read = {
      ours: append.ours.result ? await run('ours', 'read', { url: db.ours }) : { error: 'not run: the append failed' },
      peer: append.peer.result ? await run('peer', 'read', { url: db.peer }) : { error: 'not run: the append failed' },
    };
    raw.read = read;
    const readRate = (side) => (read[side].result ? rate(read[side].result.events, read[side].result.seconds) : null);
    rows.push(row('read the whole log, pages of 1,000', readRate('ours'), readRate('peer'), 'events/s', read));
    for (const side of ['ours', 'peer']) {
      const r = read[side].result;
      if (!r) continue;
      if (r.events !== r.inStore || r.distinct !== r.inStore)
        notes.push(
          `${side} whole-log read: ${r.events} events read (${r.distinct} distinct) of ${r.inStore} in the log` +
            (r.distinct < r.inStore ? `: ${r.inStore - r.distinct} never returned` : '') +
            (r.events > r.distinct ? `, ${r.events - r.distinct} returned twice` : ''),
        );
    }

    // ------------------------------------------------------------------ 8 writers + a tailing reader
    const dbTail = { ours: await database('ours2'), peer: await database('peer2') };
    const tail = { ours: await run('ours', 'tail', { url: dbTail.ours }), peer: await run('peer', 'tail', { url: dbTail.peer }) };
    raw.tail = tail;
    const tailRate = (side) => (tail[side].result ? rate(tail[side].result.written, tail[side].result.writeSeconds) : null);
    rows.push(row(`single-event appends, ${WRITERS_LABEL} (a reader tailing)`, tailRate('ours'), tailRate('peer'), 'events/s', tail));
    for (const side of ['ours', 'peer']) {
      const r = tail[side].result;
      reader[side] = r
        ? { written: r.written, delivered: r.delivered, missed: r.missed, repeated: r.repeated, unexpected: r.unexpected, catchUpSeconds: r.catchUpSeconds, how: r.reader }
        : { error: firstLine(tail[side].error) };
      if (r?.consumerStoppedByItself) notes.push(`${side}: the consumer stopped by itself before the reader settled`);
    }
    const count = (side, key) => (tail[side].result ? tail[side].result[key] : null);
    const written = count('ours', 'written') ?? count('peer', 'written');
    rows.push({ measure: `tailing reader: events missed (of ${written ?? '?'} written)`, ours: count('ours', 'missed'), peer: count('peer', 'missed'), unit: 'events', ratio: null, ...errorOf(tail) });
    rows.push({ measure: 'tailing reader: events delivered twice', ours: count('ours', 'repeated'), peer: count('peer', 'repeated'), unit: 'events', ratio: null, ...errorOf(tail) });

    notes.push(
      `same server, fresh databases per store; ${events ?? '?'} events of ${profile.families} generated families` +
        `${seed !== undefined ? ` (seed ${seed})` : ''}; tailing: ${WRITERS} writers x ${profile.perWriter} single-event appends, reader idle ${profile.idleSeconds} s to finish`,
      'ratio = ours / peer (higher is better for ours); read figures are the median of 3 passes after a warm-up pass',
      "peer expected versions: 'no_stream' is passed as 0n (0.42 maps STREAM_DOES_NOT_EXIST to no check at all), 'any' as NO_CONCURRENCY_CHECK",
    );
  } finally {
    for (const name of created) await admin.query(`drop database if exists ${name} with (force)`).catch((error) => notes.push(`could not drop ${name}: ${error.message}`));
    await admin.end();
  }
  return { rows, reader, versions, notes, raw, seconds: (Date.now() - started) / 1000 };
}

/** The installed version, read from its package.json (never by loading the library here). */
function installedVersion(name) {
  try {
    let dir = dirname(require.resolve(name));
    for (;;) {
      const candidate = join(dir, 'package.json');
      if (existsSync(candidate)) {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8'));
        if (pkg.name === name) return pkg.version;
      }
      if (dirname(dir) === dir) return null;
      dir = dirname(dir);
    }
  } catch {
    return null; // not installed: the peer's tasks then fail and are reported as errors
  }
}

function errorOf(pair) {
  const errors = ['ours', 'peer'].filter((side) => pair[side].error).map((side) => (pair[side].error.startsWith(side) ? pair[side].error : `${side}: ${pair[side].error}`));
  return errors.length > 0 ? { error: errors.map(firstLine).join('; ') } : {};
}

function row(measure, oursValue, peerValue, unit, pair) {
  return { measure, ours: oursValue, peer: peerValue, unit, ratio: ratio(oursValue, peerValue), ...errorOf(pair) };
}

module.exports = { peerComparison };
