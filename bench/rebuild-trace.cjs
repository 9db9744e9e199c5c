// A rebuild's fixed costs, statement by statement (issue 22: the rebuild at 10k events).
//
//   node scripts/build.mjs && node bench/rebuild-trace.cjs [--events 10000] [--repeats 5] [--trace] [--pg-url URL]
//
// Makes a database of its own holding the bench's generated log (seed 2015) up to --events, then
// rebuilds the family read models --repeats times as `cli rebuild` does (in SQL, on PostgreSQL),
// each followed by the bench's raw keyset scan of the same log, warm. Prints each rebuild's time,
// the scan's and their ratio as JSON; with --trace, also every statement of the last rebuild: when
// it started (ms since the process started), how long it took, on which connection. Drops the
// database at the end.
'use strict';
const { join } = require('node:path');
const { existsSync, mkdirSync, createWriteStream, readFileSync, renameSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const os = require('node:os');

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const EVENTS = Number(option('events', '10000'));
const REPEATS = Number(option('repeats', '5'));
const TRACE = argv.includes('--trace');
const base = option('pg-url', 'postgres://postgres@127.0.0.1:5432/test');

const pg = require('pg');
const { rawScan } = require('./raw-scan.cjs');
const started = performance.now();
/** [start ms, duration ms, connection, statement] of every statement while tracing. */
const statements = [];
let tracing = false;
{
  // Every statement any pool connection runs (the runner's and the store's alike). Untyped: the
  // client's query has many overloads, and this only wraps it.
  /** @type {any} */
  const prototype = pg.Client.prototype;
  const query = prototype.query;
  /** @type {WeakMap<object, number>} */
  const ids = new WeakMap();
  let connections = 0;
  /** @this {object} @param {...any} args */
  prototype.query = function traced(...args) {
    const result = query.apply(this, args);
    if (tracing && result && typeof result.then === 'function') {
      if (!ids.has(this)) ids.set(this, (connections += 1));
      const at = performance.now();
      const id = ids.get(this);
      const text = typeof args[0] === 'string' ? args[0] : String(args[0]?.text ?? '');
      result.then(
        () => statements.push([at - started, performance.now() - at, id, text.replace(/\s+/g, ' ').slice(0, 110)]),
        () => undefined,
      );
    }
    return result;
  };
}
const es = require(join(dist, 'libs/event-store/src'));
const pj = require(join(dist, 'libs/projections/src'));

/** The bench's generated file of 3,000 families (`bench/run.mjs` caches the same one). */
async function generated() {
  const dir = join(os.tmpdir(), 'ledger-bench-cache');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'events-seed2015-families3000-batch100.ndjson');
  if (existsSync(file)) return file;
  const { runGenerate } = require(join(dist, 'apps/cli/src/generate.js'));
  const partial = `${file}.${process.pid}.partial`;
  const out = createWriteStream(partial);
  if ((await runGenerate(['--families', '3000', '--seed', '2015', '--format', 'events'], out)) !== 0) throw new Error('generate failed');
  await new Promise((resolve) => out.end(resolve));
  renameSync(partial, file);
  return file;
}

async function main() {
  const database = `ledger_bench_rebuild_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  const sql = new es.PgSqlClient({ connectionString: url.toString(), max: 10 });
  try {
    const store = await es.PostgresEventStore.open(sql, { schema: 'ledger' });
    let events = 0;
    for (const line of readFileSync(await generated(), 'utf8').split('\n')) {
      if (!line || events >= EVENTS) break;
      const batch = JSON.parse(line);
      const appended = await store.appendMany(batch);
      if (appended.kind !== 'appended') throw new Error('the generated log did not append');
      events += appended.appendedEvents;
    }
    const raw = () => rawScan(sql);
    const runs = [];
    for (let i = 0; i < REPEATS; i += 1) {
      const runner = new pj.ProjectionRunner(store, sql, pj.ledgerProjections(), { schema: 'read', batchSize: 5_000 });
      await runner.prepare();
      tracing = TRACE && i === REPEATS - 1;
      const t0 = performance.now();
      const rebuilt = await runner.rebuild('family-read-models');
      const ms = performance.now() - t0;
      tracing = false;
      await raw();
      const s0 = performance.now();
      const scanned = await raw();
      const scanMs = performance.now() - s0;
      runs.push({ events: rebuilt, rebuildMs: Number(ms.toFixed(1)), scanMs: Number(scanMs.toFixed(1)), ratio: Number((rebuilt / ms / (scanned / scanMs)).toFixed(3)) });
    }
    const sorted = runs.map((r) => r.rebuildMs).sort((a, b) => a - b);
    process.stdout.write(`${JSON.stringify({ events, runs, medianRebuildMs: sorted[Math.floor(sorted.length / 2)] }, null, 2)}\n`);
    for (const [at, ms, id, text] of statements.sort((a, b) => a[0] - b[0])) {
      process.stdout.write(`${at.toFixed(1).padStart(9)} ms ${ms.toFixed(2).padStart(7)} ms  c${id}  ${text}\n`);
    }
  } finally {
    await sql.close();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
