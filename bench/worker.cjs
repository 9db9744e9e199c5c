'use strict';
// One benchmark task in a process of its own (forked by bench/run.mjs): its memory is its own, a
// PGlite directory is opened by one process at a time, and the load generator never shares a
// process with the server it measures. The task comes as argv[2] (JSON); the result goes back
// with process.send. Requires the compiled code in dist/ (node scripts/build.mjs).

const { readFileSync, writeFileSync, rmSync, createReadStream } = require('node:fs');
const { pipeline } = require('node:stream/promises');
const { from: copyFrom } = require('pg-copy-streams');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const root = join(__dirname, '..');
const { readLines, streamLines } = require('./lines.cjs');
const { rawScan } = require('./raw-scan.cjs');
// A private copy of dist/ taken by run.mjs at start: a concurrent build (npm test) empties dist/.
const dist = process.env.LEDGER_BENCH_DIST || join(root, 'dist');
const es = require(join(dist, 'libs/event-store/src'));

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Opens the ledger's store: PostgreSQL (`url`, schema `ledger`) or PGlite (`dataDir`). */
async function openStore(task, poolSize = 10) {
  const sql = task.backend === 'postgres' ? new es.PgSqlClient({ connectionString: task.url, max: poolSize }) : await es.PgliteSqlClient.open(task.dataDir);
  // LEDGER_GROUP_COMMIT=off: each append in a transaction of its own (for an A/B of group commit).
  const store = await es.PostgresEventStore.open(sql, { schema: 'ledger', groupCommit: process.env.LEDGER_GROUP_COMMIT !== 'off' });
  return { sql, store };
}

/** Lines [from, to) of the generated batches file, parsed before any clock starts. */
function readBatches(file, from, to) {
  return readLines(file, from, to);
}

// ---------------------------------------------------------------------------------------------
// init: creates an empty PGlite database (used as the run's template) and the store's tables.

async function init(task) {
  const t0 = now();
  const { store } = await openStore(task);
  const seconds = now() - t0;
  await store.close();
  return { seconds };
}

// ---------------------------------------------------------------------------------------------
// import: store.appendMany of batches [from, to) of the generated file (100 families a batch).

async function importBatches(task) {
  const { store } = await openStore(task);
  let events = 0;
  let busy = 0;
  let calls = 0;
  // Line by line: the --full file does not fit in memory at once. Only appendMany is timed.
  for await (const { value: batch } of streamLines(task.file, task.from, task.to)) {
    const t0 = now();
    const result = await store.appendMany(batch);
    busy += now() - t0;
    calls += 1;
    if (result.kind !== 'appended') throw new Error(`bulk import conflict: ${JSON.stringify(result.conflicts.slice(0, 3))}`);
    events += result.appendedEvents;
  }
  const total = await store.countEvents();
  await store.close();
  return { events, seconds: busy, totalInStore: total, appendManyCalls: calls };
}

// ---------------------------------------------------------------------------------------------
// rebuild: the family read models from position zero; peak RSS sampled and VmHWM read.

function vmHwmBytes() {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : null;
}

/**
 * Peak RSS per phase: Linux resets the process's peak (VmHWM) to its current RSS when 5 is written
 * to /proc/self/clear_refs, so each phase's peak is read at its end. Null where that is refused.
 */
function phasePeaks() {
  const peaks = {};
  let resettable = true;
  const reset = () => {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
    } catch {
      resettable = false;
    }
  };
  reset();
  return {
    end(phase) {
      peaks[phase] = resettable ? vmHwmBytes() : null;
      reset();
    },
    peaks,
  };
}

async function rebuild(task) {
  const pj = require(join(dist, 'libs/projections/src'));
  const { sql, store } = await openStore(task);
  // In SQL over the store's table (the default where the log and the read models share a
  // database), or through store.readAll as with EventStoreDB or a read-model database elsewhere.
  const inDatabase = task.inDatabase !== false;
  const runner = new pj.ProjectionRunner(store, sql, pj.ledgerProjections(), { schema: inDatabase ? 'read' : 'read_through_store', batchSize: task.batchSize, inDatabase });
  await runner.prepare();
  if (global.gc) global.gc();
  const rssBefore = process.memoryUsage().rss;
  const hwmBefore = vmHwmBytes();
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const t0 = now();
  const events = await runner.rebuild('family-read-models');
  const seconds = now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const result = {
    path: inDatabase && store.logInDatabase(sql) ? 'in-database' : 'through the store',
    events,
    seconds,
    rssBeforeBytes: rssBefore,
    peakRssSampledBytes: peak,
    vmHwmBeforeBytes: hwmBefore,
    vmHwmBytes: vmHwmBytes(),
  };
  await store.close();
  return result;
}

// ---------------------------------------------------------------------------------------------
// scan: the whole global log in pages of 1,000, through store.readAll and as raw keyset SQL.

async function scan(task) {
  const { sql, store } = await openStore(task, 2);
  // Raw: the same order and index as readAll, without the snapshot guard and text casts (raw-scan.cjs).
  const raw = async () => {
    const t0 = now();
    const events = await rawScan(sql);
    return { events, seconds: now() - t0 };
  };
  const ours = async () => {
    let after = null;
    let n = 0;
    const t0 = now();
    for (;;) {
      const read = await store.readAll({ after, limit: 1000 });
      n += read.events.length;
      after = read.next;
      if (read.endOfLog) break;
    }
    return { events: n, seconds: now() - t0 };
  };
  await raw(); // warm the cache once: both measures then read a warm table
  const rawRead = await raw();
  const ourScan = await ours();
  await store.close();
  return { raw: rawRead, ours: ourScan };
}

// ---------------------------------------------------------------------------------------------
// limits: what the database itself does, into a table shaped and indexed like the events table
// (schema bench_limits, created by the store's own migration), with rows made of real events.

function limitRows(sampleEvents, count, tag) {
  const rows = [];
  for (let i = 0; i < count; i += 1) {
    const e = sampleEvents[i % sampleEvents.length];
    rows.push([`bench-${tag}-${i}`, 'bench', 1, randomUUID(), e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)]);
  }
  return rows;
}

const COLUMNS = '(stream_id, category, version, event_id, type, data, metadata)';

function csvField(v) {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function limits(task) {
  const sampleEvents = readBatches(task.file, 1, 2)
    .flat()
    .flatMap((item) => item.events);
  const opened = await openStore(task, 2);
  await opened.store.close();
  const out = {};
  const table = 'bench_limits.events';
  let tag = 0;
  const nextTag = () => `${process.pid}-${(tag += 1)}`;

  if (task.backend === 'postgres') {
    const pg = require('pg');
    const admin = new pg.Client({ connectionString: task.url });
    await admin.connect();
    await admin.query(`create schema if not exists bench_limits`);
    await admin.query(`drop table if exists ${table}`);
    await admin.query(`create table ${table} (like ledger.events including all)`);
    const truncate = () => admin.query(`truncate ${table}`);

    // COPY FROM STDIN (pg-copy-streams), streaming a CSV file of real events, one transaction.
    const csvPath = join(tmpdir(), `ledger-bench-copy-${process.pid}.csv`);
    writeFileSync(
      csvPath,
      limitRows(sampleEvents, task.copyRows, nextTag())
        .map((r) => r.map(csvField).join(','))
        .join('\n') + '\n',
    );
    const t0 = now();
    await pipeline(createReadStream(csvPath), admin.query(copyFrom(`copy ${table} ${COLUMNS} from stdin with (format csv)`)));
    out.copy = { rows: task.copyRows, seconds: now() - t0, via: 'COPY FROM STDIN (pg-copy-streams), CSV file streamed' };
    rmSync(csvPath, { force: true });
    await truncate();

    // 100-row prepared multi-row INSERT (named statement, parsed once), autocommit.
    const placeholders = Array.from({ length: 100 }, (_, r) => `(${Array.from({ length: 7 }, (_, c) => `$${r * 7 + c + 1}`).join(',')})`).join(',');
    const text = `insert into ${table} ${COLUMNS} values ${placeholders}`;
    const rows100 = limitRows(sampleEvents, 100 * 400, nextTag());
    let done = 0;
    const t1 = now();
    while (now() - t1 < task.seconds && done + 100 <= rows100.length) {
      await admin.query({ name: 'bench_insert_100', text, values: rows100.slice(done, done + 100).flat() });
      done += 100;
    }
    out.prepared100 = { rows: done, seconds: now() - t1 };
    await truncate();

    // Single-row commits on 1, 8 and 32 connections (each INSERT its own transaction).
    out.singleCommits = {};
    for (const connections of task.concurrency) {
      const clients = [];
      for (let i = 0; i < connections; i += 1) {
        const c = new pg.Client({ connectionString: task.url });
        await c.connect();
        clients.push(c);
      }
      const rows = limitRows(sampleEvents, 2_000, nextTag());
      let counter = 0;
      const latencies = [];
      const end = now() + task.seconds;
      const t2 = now();
      await Promise.all(
        clients.map(async (c) => {
          while (now() < end) {
            const i = counter++;
            const r = nth(rows, i % rows.length).slice();
            r[0] = `${r[0]}-${i}`;
            r[3] = randomUUID();
            const s = now();
            await c.query({ name: 'bench_insert_1', text: `insert into ${table} ${COLUMNS} values ($1,$2,$3,$4,$5,$6,$7)`, values: r });
            latencies.push(now() - s);
          }
        }),
      );
      out.singleCommits[connections] = { commits: counter, seconds: now() - t2, ...percentiles(latencies) };
      await Promise.all(clients.map((c) => c.end()));
      await truncate();
    }
    out.serverVersion = (await admin.query('show server_version')).rows[0].server_version;
    out.settings = Object.fromEntries(
      (await admin.query(`select name, setting from pg_settings where name in ('fsync','synchronous_commit','shared_buffers','wal_level','max_connections')`)).rows.map((r) => [r.name, r.setting]),
    );
    await admin.query(`drop schema bench_limits cascade`);
    await admin.end();
    return out;
  }

  // PGlite: one connection in this process; "connections" are concurrent callers queued on it.
  const { sql } = await openStore(task, 1);
  const db = sql.db;
  await db.exec(`create schema if not exists bench_limits; drop table if exists ${table}; create table ${table} (like ledger.events including all);`);
  const truncate = () => db.exec(`truncate ${table}`);

  const csv =
    limitRows(sampleEvents, task.copyRows, nextTag())
      .map((r) => r.map(csvField).join(','))
      .join('\n') + '\n';
  const t0 = now();
  await db.query(`copy ${table} ${COLUMNS} from '/dev/blob' with (format csv)`, [], { blob: new Blob([csv]) });
  out.copy = { rows: task.copyRows, seconds: now() - t0, via: "PGlite COPY FROM '/dev/blob' (CSV in memory)" };
  await truncate();

  const placeholders = Array.from({ length: 100 }, (_, r) => `(${Array.from({ length: 7 }, (_, c) => `$${r * 7 + c + 1}`).join(',')})`).join(',');
  const text = `insert into ${table} ${COLUMNS} values ${placeholders}`;
  const rows100 = limitRows(sampleEvents, 100 * 400, nextTag());
  let done = 0;
  const t1 = now();
  while (now() - t1 < task.seconds && done + 100 <= rows100.length) {
    await db.query(text, rows100.slice(done, done + 100).flat());
    done += 100;
  }
  out.prepared100 = { rows: done, seconds: now() - t1 };
  await truncate();

  out.singleCommits = {};
  for (const connections of task.concurrency) {
    const rows = limitRows(sampleEvents, 2_000, nextTag());
    let counter = 0;
    const latencies = [];
    const end = now() + task.seconds;
    const t2 = now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (now() < end) {
          const i = counter++;
          const r = nth(rows, i % rows.length).slice();
          r[0] = `${r[0]}-${i}`;
          r[3] = randomUUID();
          const s = now();
          await db.query(`insert into ${table} ${COLUMNS} values ($1,$2,$3,$4,$5,$6,$7)`, r);
          latencies.push(now() - s);
        }
      }),
    );
    out.singleCommits[connections] = { commits: counter, seconds: now() - t2, ...percentiles(latencies) };
    await truncate();
  }
  out.serverVersion = (await db.query('select version() as v')).rows[0].v;
  await db.exec(`drop schema bench_limits cascade`);
  await sql.close();
  return out;
}

function percentiles(latencies) {
  if (latencies.length === 0) return { p50Ms: null, p99Ms: null };
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => nth(sorted, Math.min(sorted.length - 1, Math.floor(q * sorted.length))) * 1000;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

// ---------------------------------------------------------------------------------------------
const BENCH_ADMIN = 'bench.admin:bench-admin-password';
const BENCH_MASTER_KEY = Buffer.alloc(32, 11).toString('base64');

/** The api on the task's store, signed in: the bootstrap admin adds `role` and signs them in. */
async function signedInApp(task, env, role) {
  const { loadConfig } = require(join(dist, 'libs/config/src'));
  const { buildApp } = require(join(dist, 'apps/api/src/bootstrap'));
  const loaded = loadConfig({
    LEDGER_DEMO: 'off',
    LEDGER_BOOTSTRAP_ADMIN: BENCH_ADMIN,
    LEDGER_MASTER_KEY: BENCH_MASTER_KEY,
    LEDGER_POSTGRES_POOL_SIZE: String(task.poolSize ?? 20),
    ...(task.backend === 'postgres' ? { LEDGER_POSTGRES_URL: task.url } : { LEDGER_DATA_DIR: task.dataDir }),
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const { sql, store } = await openStore(task, task.poolSize ?? 20);
  const stores = {
    eventStore: store,
    sql,
    schema: 'ledger',
    readModelSchema: 'read',
    description: task.backend === 'postgres' ? { kind: 'postgres', where: 'bench' } : { kind: 'embedded', where: task.dataDir },
  };
  const { app } = await buildApp(loaded.config, { stores, logger: false });
  await app.listen(0, '127.0.0.1');
  const port = app.getHttpServer().address().port;
  // node:http, not fetch: fetch (undici) gives up waiting for headers after 300 s, and a
  // national results call takes longer (the first --national run failed there).
  const call = (method, path, body, token) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = require('node:http').request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: { 'content-type': 'application/json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const [adminName, adminPassword] = BENCH_ADMIN.split(':');
  const admin = (await call('POST', '/api/auth/token', { username: adminName, password: adminPassword })).body.accessToken;
  const username = `bench.${role}`;
  await call('POST', '/api/users', { username, password: 'bench-user-password', role }, admin);
  // Tokens last LEDGER_TOKEN_MINUTES (15): a national claim cycle takes longer, so its calls sign in afresh.
  const signIn = async () => {
    const fresh = (await call('POST', '/api/auth/token', { username, password: 'bench-user-password' })).body.accessToken;
    if (!fresh) throw new Error(`could not sign in as ${role}`);
    return fresh;
  };
  const token = await signIn();
  return { app, port, store, sql, token, call, signIn };
}

// serve: the api in this process, signed in as a programme manager, projections external (the
// load generator measures recording, not the projection of the whole imported log inside the api
// while it is being measured). Sends { port, targets, token } and serves until the parent sends 'stop'.

async function serve(task) {
  const { app, port, store, token } = await signedInApp(task, { LEDGER_PROJECTIONS: 'external' }, 'programme-manager');
  // Families to write to: the first imported ones, with a member each (offences name a member).
  const targets = [];
  for (const batch of readBatches(task.file, 1, Math.min(task.importedLines, 1 + Math.ceil(task.families / 100)))) {
    for (const item of batch) {
      if (targets.length >= task.families) break;
      const identified = item.events.find((e) => e.type === 'FamilyIdentified');
      targets.push({ familyId: identified.data.familyId, memberId: identified.data.members[0].memberId });
    }
  }
  // LEDGER_BENCH_SERVE_PROFILE=<file.cpuprofile>: a CPU profile of the api while it serves the load.
  const profilePath = process.env.LEDGER_BENCH_SERVE_PROFILE;
  const profiler = profilePath ? await startProfile() : null;
  toParent({ kind: 'ready', port, targets, token });
  await /** @type {Promise<void>} */ (new Promise((resolve) => process.on('message', (m) => m === 'stop' && resolve())));
  if (profiler && profilePath) writeFileSync(profilePath, JSON.stringify(await profiler.stop()));
  const appendedEvents = await store.countEvents();
  await app.close();
  await store.close().catch(() => undefined);
  return { eventsInStoreAfter: appendedEvents };
}

// ---------------------------------------------------------------------------------------------
// soak: the api as it is run (projections inline, the default) under a steady load driven by the
// parent for task.seconds; this process samples its own memory every task.sampleMs and sends the
// samples back. RSS, the JS heap, ArrayBuffers/Buffers outside the heap, and (PGlite) the
// WebAssembly memory of the embedded PostgreSQL are each sampled, so a slope can be told apart.

function wasmBytes(sql) {
  const mod = sql && sql.db && sql.db.mod;
  const heap = mod && (mod.HEAPU8 || mod.HEAP8);
  return heap ? heap.byteLength : null;
}

async function soak(task) {
  const { app, port, token, store, sql } = await signedInApp(task, {}, 'programme-manager');
  const samples = [];
  const t0 = now();
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ t: now() - t0, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, wasm: wasmBytes(sql) });
  };
  sample();
  const timer = setInterval(sample, task.sampleMs ?? 2_000);
  toParent({ kind: 'ready', port, token });
  await /** @type {Promise<void>} */ (new Promise((resolve) => process.on('message', (m) => m === 'stop' && resolve())));
  clearInterval(timer);
  sample();
  const eventsInStoreAfter = await store.countEvents();
  const [{ v: serverVersion }] = await sql.query('select version() as v');
  await app.close();
  await store.close().catch(() => undefined);
  return { samples, eventsInStoreAfter, vmHwmBytes: vmHwmBytes(), serverVersion };
}

// ---------------------------------------------------------------------------------------------
// claims: a council's claim cycle questions over HTTP, on a log of `families` imported families
// (in a schema of its own): the results query and a claim draft, each timed end to end as the
// finance officer sees it, after the projections have caught up (catch-up timed separately).

async function claims(task) {
  const phases = phasePeaks();
  let families = 0;
  const importStarted = now();
  // task.imported: the log is already in the database (a kept national database, measured again
  // with newer code): no import, and the families are counted from the store.
  if (!task.imported) {
    // Imported as the api records them: personal fields sealed per person (the draft then opens
    // the members' records to judge ages, as it does in production). Line by line, so the
    // --national log (400,000 families) never sits in memory.
    const { sql, store } = await openStore(task);
    const { familyPersonalData, familySearchableData } = require(join(dist, 'libs/domain/src'));
    const privacy = require(join(dist, 'libs/privacy/src'));
    const masterKey = Buffer.from(BENCH_MASTER_KEY, 'base64');
    const vault = await privacy.KeyVault.open(sql, { schema: 'ledger', masterKey });
    // As the api records: sealed per person, and (issue 20.1) the people's search tokens written
    // with each batch, so the api does not index the whole log when it starts.
    const search = new privacy.BlindIndex(sql, 'ledger', privacy.blindIndexKey(masterKey), familySearchableData);
    const sealing = new privacy.PersonalDataEventStore(store, new privacy.PersonalDataCipher(vault, familyPersonalData), search);
    // Two batches in flight (their families differ, so they never conflict): one is sealed in
    // this process while the other is written by PostgreSQL. The programme's line goes first.
    const inFlight = new Set();
    for await (const { index: i, value: batch } of streamLines(task.file, task.from, task.to)) {
      const append = sealing.appendMany(batch).then((result) => {
        if (result.kind !== 'appended') throw new Error('claims import conflict');
        families += batch.filter((item) => item.streamId.startsWith('family-')).length;
      });
      inFlight.add(append);
      append.then(
        () => inFlight.delete(append),
        () => undefined,
      );
      if (i === 0 || inFlight.size >= 2) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    await store.close();
  }
  const importSeconds = now() - importStarted;
  const pj = require(join(dist, 'libs/projections/src'));
  phases.end('import');
  const t0 = now();
  // The BI feed's refresher (every 300 s on PostgreSQL) judges every family at every month end in
  // this same process: off, so it neither competes with nor adds to the calls measured.
  const { app, store, sql, call, signIn } = await signedInApp(task, { LEDGER_PROJECTIONS: 'external', LEDGER_REPORTING_REFRESH_SECONDS: '0' }, 'finance-officer');
  const [{ v: serverVersion }] = await sql.query("select current_setting('server_version') as v");
  const runner = app.get(pj.PROJECTION_RUNNER);
  await runner.catchUp();
  const catchUpSeconds = now() - t0;
  phases.end('catchUp');
  // Issue 22.4: every family's result intervals, computed from the read models (the api does
  // this in the background as the projections move; here once, timed, before the calls).
  const t1 = now();
  const intervalFamilies = await app.get(pj.ResultIntervalsReadModel).refresh();
  const intervalsSeconds = now() - t1;
  phases.end('intervals');
  process.stderr.write(`[claims] result intervals of ${intervalFamilies} families computed in ${intervalsSeconds.toFixed(1)} s\n`);
  const events = await store.countEvents();
  if (task.imported) families = task.families ?? 0;
  // Each call signed in just before (not timed), and reported on stderr as it ends, so a run
  // that fails later still shows what was measured.
  const timed = async (label, method, path, body) => {
    const token = await signIn();
    const t = now();
    const out = await call(method, path, body, token);
    const seconds = now() - t;
    process.stderr.write(`[claims] ${label}: ${seconds.toFixed(2)} s, HTTP ${out.status}\n`);
    if (out.status >= 300) throw new Error(`claims: ${label} HTTP ${out.status} ${JSON.stringify(out.body).slice(0, 300)}`);
    return { seconds, out };
  };
  process.stderr.write(`[claims] ${families} families imported in ${importSeconds.toFixed(1)} s; caught up in ${catchUpSeconds.toFixed(1)} s\n`);
  const results = [];
  const repeats = task.repeats ?? 3;
  for (let i = 0; i < repeats; i += 1) results.push(await timed(`results ${i + 1}`, 'GET', `/api/results?asOf=${task.asOf}`));
  phases.end('results');
  const drafts = [];
  // LEDGER_BENCH_CPU_PROFILE=<file.cpuprofile>: a CPU profile of the three drafts (this process
  // serves them), for DevTools or speedscope.
  const profilePath = process.env.LEDGER_BENCH_CPU_PROFILE;
  const profiler = profilePath ? await startProfile() : null;
  for (let i = 0; i < repeats; i += 1) drafts.push(await timed(`claim draft ${i + 1}`, 'POST', '/api/claims', { asOf: task.asOf }));
  if (profiler && profilePath) writeFileSync(profilePath, JSON.stringify(await profiler.stop()));
  phases.end('draft');
  // The web app's dashboard page (issue 22): its one call, as a finance officer opens it at the
  // claim's date (every figure, families listed), and the same for a filtered cohort.
  const dashboards = [];
  // LEDGER_BENCH_DASHBOARD_PROFILE=<file.cpuprofile>: a CPU profile of the first dashboard call.
  const dashboardProfilePath = process.env.LEDGER_BENCH_DASHBOARD_PROFILE;
  for (let i = 0; i < repeats; i += 1) {
    const dashboardProfiler = i === 0 && dashboardProfilePath ? await startProfile() : null;
    dashboards.push(await timed(`dashboard ${i + 1}`, 'GET', `/api/dashboards/programme?asOf=${task.asOf}`));
    if (dashboardProfiler && dashboardProfilePath) writeFileSync(dashboardProfilePath, JSON.stringify(await dashboardProfiler.stop()));
  }
  const filtered = await timed('dashboard, 2016/17 cohort', 'GET', `/api/dashboards/programme?asOf=${task.asOf}&financialYear=2016%2F17`);
  phases.end('dashboards');
  await app.close();
  await store.close().catch(() => undefined);
  return {
    families,
    events,
    asOf: task.asOf,
    importSeconds,
    catchUpSeconds,
    intervalsSeconds,
    intervalFamilies,
    resultsSeconds: results.map((r) => r.seconds),
    familiesWithResult: nth(results, 0).out.body.families.length,
    draftSeconds: drafts.map((r) => r.seconds),
    familiesInDraft: nth(drafts, 0).out.body.families.length,
    draftTotalPence: nth(drafts, 0).out.body.totalPence,
    dashboardSeconds: dashboards.map((r) => r.seconds),
    dashboardFilteredSeconds: filtered.seconds,
    dashboardFigures: (nth(dashboards, 0).out.body.figures ?? []).length,
    peakRssBytes: Math.max(...Object.values(phases.peaks).filter((b) => b !== null), vmHwmBytes() ?? 0),
    phasePeakRssBytes: phases.peaks,
    serverVersion,
    // The claim cycle as a council runs it (the api's catch-up, results, draft, dashboards), without
    // the bench's own import of the log into the store before it.
    cyclePeakRssBytes: Object.entries(phases.peaks).some(([phase, b]) => phase !== 'import' && b !== null)
      ? Math.max(...Object.entries(phases.peaks).flatMap(([phase, b]) => (phase !== 'import' && b !== null ? [b] : [])))
      : null,
  };
}

async function startProfile() {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return { stop: async () => (await post('Profiler.stop')).profile };
}

/**
 * Issue 21.5: a partner's termly attendance file imported through the import service (parse, match
 * each pupil, decide each row with the family's rules, one sealed bulk append), against the store's
 * own bulk append of the same events. The families are first recorded through the sealing store
 * (so matching opens sealed names, as in service); the file holds `rows` rows, one per child and
 * term from 2020/21 on, named as the families record them.
 */
async function partnerImport(task) {
  const { randomBytes } = require('node:crypto');
  const domain = require(join(dist, 'libs/domain/src'));
  const imports = require(join(dist, 'libs/imports/src'));
  const { syntheticEventBatches } = require(join(dist, 'apps/cli/src/generate'));
  const { sql, store } = await openStore(task, 10);
  try {
    const privacy = require(join(dist, 'libs/privacy/src'));
    const vault = await privacy.KeyVault.open(sql, { schema: 'ledger', masterKey: randomBytes(32) });
    const sealing = new privacy.PersonalDataEventStore(store, new privacy.PersonalDataCipher(vault, domain.familyPersonalData));
    const children = [];
    let seeded = 0;
    const seedStarted = now();
    const years = ['2020/21', '2021/22', '2022/23', '2023/24', '2024/25'];
    const need = Math.ceil(task.rows / (years.length * 3));
    for (const batch of syntheticEventBatches({ families: task.families, seed: task.seed })) {
      const result = await sealing.appendMany(batch);
      if (result.kind !== 'appended') throw new Error('partner import: seeding conflict');
      seeded += result.appendedEvents;
      for (const item of batch) for (const e of item.events) if (e.type === 'FamilyIdentified') for (const m of e.data.members) if (m.relationship === 'child') children.push(m);
      if (children.length >= need) break;
    }
    const seedSeconds = now() - seedStarted;
    const lines = ['given_name,family_name,date_of_birth,postcode,academic_year,term,possible_sessions,attended_sessions,unauthorised_absence_sessions'];
    outer: for (const year of years) {
      for (const term of ['autumn', 'spring', 'summer']) {
        for (const [i, c] of children.entries()) {
          if (lines.length > task.rows) break outer;
          const [y, m, d] = c.dateOfBirth.split('-');
          const attended = 100 + ((i * 7 + lines.length) % 40);
          lines.push(`${c.givenName.toUpperCase()},${c.familyName},${d}/${m}/${y},${c.postcode ?? ''},${year},${term},140,${attended},${Math.min(5, 140 - attended)}`);
        }
      }
    }
    const bytes = Buffer.from(lines.join('\r\n') + '\r\n');
    const before = await store.countEvents();
    const started = now();
    const outcome = await new imports.ImportService(sealing, store).run({
      source: 'school-attendance',
      bytes,
      actor: { userId: 'bench', role: 'programme-manager' },
      recordedAt: new Date().toISOString(),
      recordedOn: new Date().toISOString().slice(0, 10),
    });
    const importSeconds = now() - started;
    const recordedEvents = (await store.countEvents()) - before;
    // The same events through the store's own bulk append (raw, new streams and ids), in 100-family batches.
    const recorded = [];
    for (let after = null; ;) {
      const read = await store.readAll({ after, limit: 5_000, filter: { types: ['SchoolAttendanceRecorded'] } });
      for (const e of read.events) if (e.metadata.import) recorded.push(e);
      after = read.next;
      if (read.endOfLog) break;
    }
    const byStream = new Map();
    for (const e of recorded) {
      const copy = `family-copy${e.streamId.slice(6)}`;
      if (!byStream.has(copy)) byStream.set(copy, []);
      byStream.get(copy).push({ type: e.type, data: e.data, metadata: { ...e.metadata, eventId: randomUUID() } });
    }
    const items = [...byStream].map(([streamId, events]) => ({ streamId, events, expectedVersion: 'any' }));
    const bulkStarted = now();
    for (let i = 0; i < items.length; i += 100) {
      const result = await store.appendMany(items.slice(i, i + 100));
      if (result.kind !== 'appended') throw new Error('partner import: bulk comparison conflict');
    }
    const bulkSeconds = now() - bulkStarted;
    const r = outcome.report;
    return {
      rows: r.rows,
      recorded: r.recorded,
      recordedEvents,
      rejected: r.rejected,
      review: r.queuedForReview,
      unmatched: r.unmatched,
      matched: r.matched,
      families: task.families,
      seededEvents: seeded,
      seedSeconds,
      importSeconds,
      bulkEvents: recorded.length,
      bulkSeconds,
    };
  } finally {
    await store.close();
    await sql.close().catch(() => undefined);
  }
}

const tasks = { init, import: importBatches, rebuild, scan, limits, serve, claims, soak, partnerImport };

/**
 * `items[i]` for an index this file keeps in range.
 * @template T
 * @param {ArrayLike<T>} items
 * @param {number} i
 * @returns {T}
 */
function nth(items, i) {
  const item = items[i];
  if (item === undefined) throw new RangeError(`no item ${i} of ${items.length}`);
  return item;
}

/** A message to the parent: this file runs only as a forked child, with an IPC channel. */
function toParent(message, callback) {
  if (!process.send) throw new Error('run as a forked child with an IPC channel (by bench/run.mjs or bench/peer.cjs)');
  process.send(message, callback);
}

(async () => {
  const task = JSON.parse(String(process.argv[2]));
  try {
    const result = await tasks[task.kind](task);
    toParent({ kind: 'result', result }, () => process.exit(0));
  } catch (error) {
    toParent({ kind: 'error', message: error instanceof Error && error.stack ? error.stack : String(error) }, () => process.exit(1));
  }
})();
