// The benchmark suite (issue 7), separate from `npm test`. Run with `npm run bench` (builds first)
// or `node bench/run.mjs [--quick|--full] [--pg-url URL] [--no-pglite] [--no-postgres]` after
// `node scripts/build.mjs`. See bench/README.md for what each figure means.
import { fork } from 'node:child_process';
import { createWriteStream, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(import.meta.url);
const started = Date.now();
// Workers load a private copy of dist/ (node_modules still resolves from the repository): a build
// running meanwhile (npm test, npm start) deletes and rewrites dist/.
const dist = join(here, `.dist-${process.pid}`);

// ------------------------------------------------------------------------------------ options

const FAMILIES_PER_BATCH_OF_GENERATOR = 100;
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const mode = flag('full') ? 'full' : flag('quick') ? 'quick' : 'default';
const PROFILES = {
  // seconds per HTTP level / per limit measure; rebuild sizes per backend; COPY rows
  quick: { httpSeconds: 3, warmupSeconds: 0.5, limitSeconds: 2, copyRows: 50_000, soakSeconds: 60, sizes: { postgres: [10_000, 100_000], pglite: [10_000] } },
  default: { httpSeconds: 8, warmupSeconds: 1, limitSeconds: 5, copyRows: 200_000, soakSeconds: 180, sizes: { postgres: [10_000, 100_000], pglite: [10_000, 100_000] } },
  full: { httpSeconds: 10, warmupSeconds: 1, limitSeconds: 5, copyRows: 200_000, soakSeconds: 600, sizes: { postgres: [10_000, 100_000, 1_000_000], pglite: [10_000, 100_000, 1_000_000] } },
};
const profile = { ...PROFILES[mode] };
// The soak (issue 15.3): steady load for soakSeconds, memory sampled; --soak-seconds N overrides,
// --soak-rate R sets commands per second (default 40), --soak-only runs nothing else.
profile.soakSeconds = Number(option('soak-seconds', String(profile.soakSeconds)));
profile.soakRate = Number(option('soak-rate', '40'));
const soakOnly = flag('soak-only');
// --claims-only: only the claim cycle (with --claim-families N or --national), on PostgreSQL.
const claimsOnly = flag('claims-only');
// --matching-only: only the person matcher's precision and recall (issue 21.7), no store.
const matchingOnly = flag('matching-only');
// --imports-only: only the partner attendance file's import rate (issue 21.5) on each backend.
const importsOnly = flag('imports-only');
// Rows of the partner attendance file (issue 21.5: 100,000 rows in under 2 minutes).
const PARTNER_ROWS = { quick: 20_000, default: 100_000, full: 100_000 };
// PGlite's import run seeds its families through the sealing store first: too long for --quick.
const importBackends = mode === 'quick' ? ['postgres'] : ['postgres', 'pglite'];
const pgBaseUrl = option('pg-url', 'postgres://postgres@127.0.0.1:5432/test');
const backends = matchingOnly ? [] : [...(flag('no-postgres') ? [] : ['postgres']), ...(flag('no-pglite') ? [] : ['pglite'])];
const SEED = Number(option('seed', '2015'));
const CONCURRENCY = [1, 8, 32];
const HTTP_FAMILIES = 320; // distinct families, split between clients: no two clients share a stream
const REBUILD_BATCH = 5_000; // the cli's rebuild batch size
// A council's claim cycle: 3,000 families (~146k events); --national: England's 400,000.
// --claim-families N: the claim cycle at another scale (a multiple of 100), e.g. to watch its memory
// grow between a council's and the national scale without a national import.
const CLAIM_FAMILIES = Number(option('claim-families', flag('national') ? '400000' : '3000'));
if (!Number.isSafeInteger(CLAIM_FAMILIES) || CLAIM_FAMILIES < 100 || CLAIM_FAMILIES % FAMILIES_PER_BATCH_OF_GENERATOR !== 0)
  throw new Error('--claim-families: a whole number of hundreds of families');
const CLAIM_AS_OF = '2019-03-31';
// PGlite's claim run (import + catch-up of ~146k events) does not fit the quick profile's 3 minutes.
const claimBackends = mode === 'quick' ? ['postgres'] : flag('national') ? ['postgres'] : ['postgres', 'pglite'];
const FAMILIES_PER_BATCH = FAMILIES_PER_BATCH_OF_GENERATOR; // the generator's bulk-append batch: ~4,900 events

const log = (line) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

// ------------------------------------------------------------------------------------ helpers

function runTask(task, onMessage) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'worker.cjs'), [JSON.stringify(task)], {
      env: { ...process.env, LEDGER_BENCH_DIST: dist },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--expose-gc'],
    });
    let settled = false;
    child.on('message', (m) => {
      if (m.kind === 'result') {
        settled = true;
        resolve(m.result);
      } else if (m.kind === 'error') {
        settled = true;
        reject(new Error(`${task.kind} (${task.backend}) failed:\n${m.message}`));
      } else onMessage?.(m, child);
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`${task.kind} (${task.backend}) exited with ${code} and no result`));
    });
  });
}

/** The generated batches for `families` families, cached in the temp dir (deterministic from the seed). */
async function generatedFile(families) {
  const dir = join(os.tmpdir(), 'ledger-bench-cache');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `events-seed${SEED}-families${families}-batch${FAMILIES_PER_BATCH}.ndjson`);
  if (existsSync(file)) return file;
  const { runGenerate } = require(join(dist, 'apps/cli/src/generate.js'));
  const partial = `${file}.${process.pid}.partial`;
  const out = createWriteStream(partial);
  const t0 = Date.now();
  const code = await runGenerate(['--families', String(families), '--seed', String(SEED), '--format', 'events'], out);
  await new Promise((resolve) => out.end(resolve));
  if (code !== 0) throw new Error('generate failed');
  renameSync(partial, file);
  log(`generated ${families} families in ${((Date.now() - t0) / 1000).toFixed(1)} s (cached in ${file})`);
  return file;
}

/** How many lines (batches) of the file reach each size; line 0 is the programme. */
function batchBoundaries(file, sizes) {
  const { forEachLine } = require(join(here, 'lines.cjs'));
  let sum = 0;
  const ends = [];
  let s = 0;
  // Stops reading once the largest size is reached (the --national file is ~20 GB).
  forEachLine(file, (l, i) => {
    sum += JSON.parse(l).reduce((n, item) => n + item.events.length, 0);
    while (s < sizes.length && sum >= sizes[s]) {
      ends.push(i + 1);
      s += 1;
    }
    return s < sizes.length;
  });
  if (ends.length < sizes.length) throw new Error(`generated file holds only ${sum} events`);
  return ends;
}

function percentiles(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

/**
 * `clients` concurrent HTTP clients, each recording offences on families of its own. With
 * `refused`, every body carries an impossible date, so the api answers 400 at validation: the
 * same request through the same HTTP server, sign-in check, role guard and validation, without
 * the store — the ceiling of the HTTP stack itself on this machine.
 */
async function httpLoad(port, token, targets, clients, seconds, warmupSeconds, { refused = false } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const post = (target) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ memberId: target.memberId, committedOn: refused ? '2018-02-30' : '2018-05-01', proven: true, category: 'bench' });
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/api/families/${target.familyId}/offences`,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const run = async (until, latencies, statuses) => {
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const mine = targets.filter((_, i) => i % clients === c);
        for (let k = 0; performance.now() < until; k += 1) {
          const t = performance.now();
          const status = await post(mine[k % mine.length]);
          latencies?.push(performance.now() - t);
          statuses?.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
  };
  await run(performance.now() + warmupSeconds * 1000);
  const latencies = [];
  const statuses = new Map();
  const t0 = performance.now();
  await run(t0 + seconds * 1000, latencies, statuses);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  const ok = statuses.get(refused ? 400 : 201) ?? 0;
  return {
    clients,
    refused,
    requests: latencies.length,
    created: refused ? 0 : ok,
    statuses: Object.fromEntries(statuses),
    seconds: elapsed,
    commandsPerSecond: ok / elapsed,
    ...percentiles(latencies),
  };
}

/**
 * The soak's load: `rate` commands a second, paced (open loop, at most 64 in flight): one in four
 * identifies a new family of two people (personal fields sealed: two new person keys), the others
 * record an offence on one of the last 200 families; plus one read for every four commands, a
 * family's record (personal data opened, access logged) or the first page of the family list.
 */
async function soakLoad(port, token, seconds, rate) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const call = (method, path, body) =>
    new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', () => resolve({ status: 'error', text: '' }));
      req.end(payload);
    });
  const families = [];
  const statuses = {};
  let inFlight = 0;
  let skipped = 0;
  let created = 0;
  let n = 0;
  const tag = randomBytes(3).toString('hex');
  const one = async (i) => {
    let r;
    if (i % 5 === 4) {
      const f = families[(i * 7) % Math.max(1, families.length)];
      r = f && i % 2 === 0 ? await call('GET', `/api/families/${f.familyId}`) : await call('GET', '/api/families?limit=20');
      statuses[`read ${r.status}`] = (statuses[`read ${r.status}`] ?? 0) + 1;
      return;
    }
    if (i % 4 === 0 || families.length === 0) {
      const k = n;
      r = await call('POST', '/api/families', {
        reference: `SOAK-${tag}-${k}`,
        identifiedOn: '2016-01-04',
        members: [
          { relationship: 'parent', givenName: `Soak${k}`, familyName: `Family${tag}`, dateOfBirth: '1984-03-07', postcode: 'ZZ9 9ZZ' },
          { relationship: 'child', givenName: `Child${k}`, familyName: `Family${tag}`, dateOfBirth: '2008-11-30' },
        ],
      });
      if (r.status === 201) {
        const body = JSON.parse(r.text);
        created += 1;
        families.push({ familyId: body.familyId, memberId: body.members[0].memberId });
        if (families.length > 200) families.shift();
      }
    } else {
      const f = families[i % families.length];
      r = await call('POST', `/api/families/${f.familyId}/offences`, { memberId: f.memberId, committedOn: '2018-05-01', proven: true, category: 'soak' });
    }
    statuses[`command ${r.status}`] = (statuses[`command ${r.status}`] ?? 0) + 1;
  };
  // 5 requests for every 4 commands: the fifth is a read.
  const perSecond = rate * 1.25;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed >= seconds) return resolve();
      while (n < elapsed * perSecond) {
        const i = n;
        n += 1;
        if (inFlight >= 64) {
          skipped += 1;
          continue;
        }
        inFlight += 1;
        one(i).finally(() => (inFlight -= 1));
      }
      setTimeout(tick, 10);
    };
    tick();
  });
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
  agent.destroy();
  const commandsAnswered = Object.entries(statuses)
    .filter(([k]) => k.startsWith('command'))
    .reduce((a, [, v]) => a + v, 0);
  return { seconds, rate, requests: n, skippedAtCap: skipped, commandsAnswered, familiesCreated: created, statuses };
}

/** Least-squares slope of `key` over samples after `warmup` seconds, and the fitted growth over that span. */
function memoryTrend(samples, key, warmup) {
  const xs = samples.filter((s) => s.t >= warmup && typeof s[key] === 'number');
  if (xs.length < 3) return null;
  const n = xs.length;
  const mt = xs.reduce((a, s) => a + s.t, 0) / n;
  const mv = xs.reduce((a, s) => a + s[key], 0) / n;
  const slope = xs.reduce((a, s) => a + (s.t - mt) * (s[key] - mv), 0) / xs.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  const first = mv + slope * (xs[0].t - mt);
  const last = mv + slope * (xs[n - 1].t - mt);
  return { key, from: first, to: last, mibPerMinute: (slope * 60) / 2 ** 20, growthPercent: first > 0 ? ((last - first) / first) * 100 : null, max: Math.max(...xs.map((s) => s[key])) };
}

async function soakRun(backend, base) {
  const seconds = profile.soakSeconds;
  // Warm-up: the first quarter, at most a minute (caches fill, the JIT settles, WASM memory grows once).
  const warmup = Math.min(60, seconds / 4);
  log(`${backend}: soak, ${profile.soakRate} commands/s plus reads for ${seconds} s (projections inline), memory sampled every 2 s`);
  let load;
  const result = await runTask({ ...base, kind: 'soak', sampleMs: 2_000 }, async (m, child) => {
    if (m.kind !== 'ready') return;
    try {
      load = await soakLoad(m.port, m.token, seconds, profile.soakRate);
    } finally {
      child.send('stop');
    }
  });
  const trends = Object.fromEntries(['rss', 'heapUsed', 'arrayBuffers', 'external', 'wasm'].map((k) => [k, memoryTrend(result.samples, k, warmup)]));
  const rss = trends.rss;
  log(`${backend}: soak done: RSS ${mib(rss?.from)} → ${mib(rss?.to)} after warm-up (${rss?.growthPercent?.toFixed(1)}%, ${rss?.mibPerMinute?.toFixed(2)} MiB/min); ${JSON.stringify(load?.statuses)}`);
  return { seconds, warmupSeconds: warmup, load, trends, serverVersion: result.serverVersion, eventsInStoreAfter: result.eventsInStoreAfter, vmHwmBytes: result.vmHwmBytes, samples: result.samples };
}

// ------------------------------------------------------------------------------------ the run

function claimCycle(backend, file, where) {
  log(`${backend}: a council's claim cycle on ${CLAIM_FAMILIES.toLocaleString('en-GB')} families (import, projection catch-up, results and claim draft over HTTP)`);
  const claimsWhere = backend === 'postgres' ? { backend, url: where.claimsUrl } : { backend, dataDir: where.claimsDir };
  // Best of three at a council's scale; once each at the national scale (minutes per call).
  return runTask({ ...claimsWhere, kind: 'claims', file, from: 0, to: 1 + CLAIM_FAMILIES / FAMILIES_PER_BATCH, asOf: CLAIM_AS_OF, repeats: CLAIM_FAMILIES > 50_000 ? 1 : 3 });
}

async function benchBackend(backend, file, ends, sizes, where) {
  const base = backend === 'postgres' ? { backend, url: where.url } : { backend, dataDir: where.dataDir };
  const out = { backend };
  const partnerImport = async () => {
    const rows = PARTNER_ROWS[mode];
    log(`${backend}: a partner's attendance file of ${rows.toLocaleString('en-GB')} rows through the import service, against the store's bulk append of the same events`);
    const importsWhere = backend === 'postgres' ? { backend, url: where.importsUrl } : { backend, dataDir: where.importsDir };
    return runTask({ ...importsWhere, kind: 'partnerImport', rows, families: Math.ceil(rows / 15), seed: SEED });
  };
  if (importsOnly) {
    out.partnerImport = await partnerImport();
    return out;
  }
  if (soakOnly) {
    out.soak = await soakRun(backend, base);
    return out;
  }
  if (claimsOnly) {
    out.claims = await claimCycle(backend, file, where);
    return out;
  }

  log(`${backend}: limits (COPY, 100-row prepared inserts, single-row commits at ${CONCURRENCY.join('/')})`);
  const limitsTask = backend === 'postgres' ? { ...base } : { ...base, dataDir: where.limitsDir };
  out.limits = await runTask({ ...limitsTask, kind: 'limits', file, seconds: profile.limitSeconds, copyRows: profile.copyRows, concurrency: CONCURRENCY });

  out.import = [];
  out.rebuild = [];
  let from = 0;
  for (const [i, size] of sizes.entries()) {
    log(`${backend}: bulk import to ~${size.toLocaleString('en-GB')} events (store.appendMany, ${FAMILIES_PER_BATCH} families a call)`);
    const imported = await runTask({ ...base, kind: 'import', file, from, to: ends[i] });
    out.import.push({ targetEvents: size, ...imported });
    from = ends[i];
    log(`${backend}: rebuild family-read-models at ${imported.totalInStore.toLocaleString('en-GB')} events`);
    const rebuilt = await runTask({ ...base, kind: 'rebuild', batchSize: REBUILD_BATCH });
    out.rebuild.push({ logEvents: imported.totalInStore, ...rebuilt });
    if (size <= 100_000) {
      // The other path, for a log the read models' database cannot query (EventStoreDB).
      log(`${backend}: rebuild family-read-models through store.readAll at ${imported.totalInStore.toLocaleString('en-GB')} events`);
      const through = await runTask({ ...base, kind: 'rebuild', batchSize: REBUILD_BATCH, inDatabase: false });
      out.rebuild.push({ logEvents: imported.totalInStore, ...through });
    }
  }

  log(`${backend}: scan of the global log in pages of 1,000 (raw SQL and store.readAll)`);
  out.scan = await runTask({ ...base, kind: 'scan' });

  log(`${backend}: HTTP offences at ${CONCURRENCY.join('/')} clients, ${profile.httpSeconds} s each`);
  out.http = [];
  await runTask({ ...base, kind: 'serve', file, families: HTTP_FAMILIES, importedLines: from, poolSize: 32 }, async (m, child) => {
    if (m.kind !== 'ready') return;
    try {
      for (const clients of CONCURRENCY) out.http.push(await httpLoad(m.port, m.token, m.targets, clients, profile.httpSeconds, profile.warmupSeconds));
      const top = CONCURRENCY[CONCURRENCY.length - 1];
      out.httpRefused = await httpLoad(m.port, m.token, m.targets, top, profile.httpSeconds, profile.warmupSeconds, { refused: true });
    } finally {
      child.send('stop');
    }
  });

  if (claimBackends.includes(backend)) out.claims = await claimCycle(backend, file, where);
  if (importBackends.includes(backend)) out.partnerImport = await partnerImport();
  if (profile.soakSeconds > 0) out.soak = await soakRun(backend, base);
  return out;
}

function machine(pgVersion, pgliteVersion) {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) osName = `${pretty[1]} (${os.type()} ${os.release()})`;
  } catch {}
  return {
    os: osName,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    postgres: pgVersion,
    pglite: pgliteVersion,
  };
}

const rate = (n, s) => (s > 0 ? n / s : 0);
const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-GB'));
const ms = (n) => (n === null || n === undefined ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const pct = (a, b) => (b > 0 ? `${((a / b) * 100).toFixed(0)}%` : '–');
const mib = (b) => (b ? `${Math.round(b / 2 ** 20)} MiB` : '–');

function soakRows(soak) {
  if (!soak) return [];
  const t = soak.trends;
  const span = (x) => (x ? `${mib(x.from)} → ${mib(x.to)} (${x.growthPercent >= 0 ? '+' : ''}${x.growthPercent.toFixed(1)}%, ${x.mibPerMinute.toFixed(2)} MiB/min)` : '–');
  const met = t.rss && t.rss.growthPercent <= 5;
  return [
    [
      `soak: ${soak.load?.rate} cmd/s + reads asked (${fmt(soak.load?.commandsAnswered / soak.seconds)} answered), ${soak.seconds} s; RSS after ${soak.warmupSeconds} s warm-up`,
      span(t.rss),
      'target (issue 15.3)',
      '≤ 5% growth',
      met ? 'met' : 'missed',
    ],
    ['soak: JS heap used', span(t.heapUsed), '', '', ''],
    ['soak: ArrayBuffers (Buffers outside the heap)', span(t.arrayBuffers), '', '', ''],
    ...(t.wasm ? [['soak: PGlite WebAssembly memory', span(t.wasm), '', '', '']] : []),
  ];
}

/** Issue 21.5: the partner file's rows/s against the store's own bulk append of the same events. */
function partnerImportRows(p) {
  if (!p) return [];
  const ours = p.recorded / p.importSeconds;
  const bulk = p.bulkEvents / p.bulkSeconds;
  return [
    [
      `partner attendance file, ${fmt(p.rows)} rows (${fmt(p.recorded)} recorded, ${fmt(p.review)} review, ${fmt(p.rejected)} refused)`,
      `${ms(p.importSeconds)} s (${fmt(ours)} rows/s)`,
      'bulk append, same events',
      `${fmt(bulk)} events/s`,
      pct(ours, bulk),
    ],
    [`  its ${fmt(p.families)}-family store seeded through the sealing store`, `${fmt(p.seededEvents / p.seedSeconds)} events/s`, '', '', ''],
  ];
}

/** The claim cycle's rows: results, draft, dashboards, import, catch-up, and each phase's peak RSS. */
function claimRows(c) {
  if (!c) return [];
  const rows = [];
  const best = (xs) => Math.min(...xs);
  rows.push([`results query, ${fmt(c.families)} families`, `${ms(best(c.resultsSeconds) * 1000)} ms (best of ${c.resultsSeconds.length}; ${fmt(c.familiesWithResult)} with a result)`, '', '', '']);
  const council = c.families <= 3_000;
  rows.push([
    `claim draft, ${fmt(c.families)} families`,
    `${ms(best(c.draftSeconds) * 1000)} ms (best of ${c.draftSeconds.length}; ${fmt(c.familiesInDraft)} families claimed)`,
    council ? 'target (issue 7)' : '',
    council ? '< 1,000 ms' : '',
    council ? (best(c.draftSeconds) < 1 ? 'met' : 'missed') : '',
  ]);
  if (c.dashboardSeconds?.length) {
    rows.push([
      `dashboard page (every figure), ${fmt(c.families)} families`,
      `${ms(best(c.dashboardSeconds) * 1000)} ms (best of ${c.dashboardSeconds.length}, the first ${ms(c.dashboardSeconds[0] * 1000)} ms; ${c.dashboardFigures} figures); 2016/17 cohort ${ms(c.dashboardFilteredSeconds * 1000)} ms`,
      'target (issue 22)',
      council ? '< 300 ms' : '< 2,000 ms',
      best(c.dashboardSeconds) < (council ? 0.3 : 2) ? 'met' : 'missed',
    ]);
  }
  if (c.importSeconds) rows.push([`import through the sealing store, ${fmt(c.events)} events`, `${ms(c.importSeconds)} s (${fmt(c.events / c.importSeconds)} events/s)`, '', '', '']);
  rows.push([`projection catch-up, ${fmt(c.events)} events`, `${ms(c.catchUpSeconds)} s (${fmt(c.events / c.catchUpSeconds)} events/s, app start included)`, '', '', '']);
  if (c.intervalsSeconds !== undefined) {
    rows.push([`result intervals computed, ${fmt(c.intervalFamilies)} families`, `${ms(c.intervalsSeconds)} s (${fmt(c.intervalFamilies / c.intervalsSeconds)} families/s)`, '', '', '']);
  }
  if (c.phasePeakRssBytes) {
    const phases = Object.entries(c.phasePeakRssBytes).map(([phase, bytes]) => `${phase} ${mib(bytes)}`);
    rows.push([`peak RSS of the claim cycle, by phase`, `${mib(c.cyclePeakRssBytes)} without the import (${phases.join(', ')})`, '', '', '']);
  }
  return rows;
}

function summarise(r) {
  if (!r.limits) return { rows: [...claimRows(r.claims), ...partnerImportRows(r.partnerImport), ...soakRows(r.soak)], figures: {} };
  const L = r.limits;
  const copy = rate(L.copy.rows, L.copy.seconds);
  const prepared = rate(L.prepared100.rows, L.prepared100.seconds);
  const imported = r.import.reduce((a, i) => ({ events: a.events + i.events, seconds: a.seconds + i.seconds }), { events: 0, seconds: 0 });
  const bulk = rate(imported.events, imported.seconds);
  const rawScan = rate(r.scan.raw.events, r.scan.raw.seconds);
  const ourScan = rate(r.scan.ours.events, r.scan.ours.seconds);
  const rows = [];
  rows.push(['bulk import (appendMany)', `${fmt(bulk)} events/s`, 'COPY', `${fmt(copy)} rows/s`, pct(bulk, copy)]);
  rows.push(['', '', '100-row prepared insert', `${fmt(prepared)} rows/s`, pct(bulk, prepared)]);
  // An HTTP level against single-row commits at the same concurrency.
  const httpRow = (label, h, unit) => {
    const limit = L.singleCommits[h.clients];
    const commits = rate(limit.commits, limit.seconds);
    return [
      label,
      `${fmt(h.commandsPerSecond)} ${unit}, p50 ${ms(h.p50Ms)} ms, p99 ${ms(h.p99Ms)} ms`,
      `single-row commits, ${h.clients} conn`,
      `${fmt(commits)}/s, p50 ${ms(limit.p50Ms)} ms`,
      pct(h.commandsPerSecond, commits),
    ];
  };
  for (const h of r.http) rows.push(httpRow(`HTTP offence, ${h.clients} client${h.clients > 1 ? 's' : ''}`, h, 'cmd/s'));
  if (r.httpRefused) rows.push(httpRow(`HTTP ceiling: offence refused at validation (400), ${r.httpRefused.clients} clients`, r.httpRefused, 'req/s'));
  rows.push(['log scan, store.readAll', `${fmt(ourScan)} events/s`, 'raw keyset scan, pages of 1,000', `${fmt(rawScan)} events/s`, pct(ourScan, rawScan)]);
  for (const b of r.rebuild) {
    const eps = rate(b.events, b.seconds);
    rows.push([
      `rebuild at ${fmt(b.logEvents)} events${b.path === 'through the store' ? ', via readAll' : ''}`,
      `${fmt(eps)} events/s, peak RSS ${mib(Math.max(b.vmHwmBytes ?? 0, b.peakRssSampledBytes))} (before ${mib(b.rssBeforeBytes)})`,
      'raw keyset scan',
      `${fmt(rawScan)} events/s`,
      pct(eps, rawScan),
    ]);
  }
  rows.push(...claimRows(r.claims));
  rows.push(...partnerImportRows(r.partnerImport));
  rows.push(...soakRows(r.soak));
  return { rows, figures: { bulkImportEventsPerSecond: bulk, copyRowsPerSecond: copy, prepared100RowsPerSecond: prepared, rawScanEventsPerSecond: rawScan, readAllScanEventsPerSecond: ourScan } };
}

function peerTable(peer) {
  const header = ['shared measure (PostgreSQL)', 'ours', 'emmett-postgresql 0.42.0', 'ours / peer'];
  const unitFmt = (v, unit) => (v === null || v === undefined ? '–' : `${fmt(v)}${unit ? ` ${unit}` : ''}`);
  const rows = peer.rows.map((r) => [
    r.measure,
    r.error ? `error: ${String(r.error).slice(0, 60)}` : unitFmt(r.ours, r.unit),
    r.error ? '' : unitFmt(r.peer, r.unit),
    r.ratio === null || r.ratio === undefined ? '–' : `${(r.ratio * 100).toFixed(0)}%`,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((v, c) => String(v).padEnd(widths[c])).join(' | ')} |`;
  return ['### The peer', '', line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * Issue 22's targets, each as a ratio (or a figure) from this run with its status: `met`,
 * `missed`, or `not measured` with why (a row is never left out because the run did not reach it).
 */
function targetsTable(results, peer, national) {
  const r = results.postgres;
  const rows = [];
  const status = (ok) => (ok === null ? 'not measured' : ok ? 'met' : 'missed');
  const ratioRow = (measure, ours, limit, target, why) => {
    const ratio = ours !== null && limit ? ours / limit : null;
    rows.push([measure, ratio === null ? why : `${(ratio * 100).toFixed(1)}% (${fmt(ours)} / ${fmt(limit)})`, `≥ ${(target * 100).toFixed(0)}%`, status(ratio === null ? null : ratio >= target)]);
  };
  const http32 = r?.http?.find((h) => h.clients === 32) ?? null;
  const commits32 = r?.limits?.singleCommits?.[32] ?? null;
  ratioRow(
    'HTTP commands at 32 clients / single-row commits at 32 connections',
    http32?.commandsPerSecond ?? null,
    commits32 ? rate(commits32.commits, commits32.seconds) : null,
    0.3,
    'no PostgreSQL run',
  );
  ratioRow("HTTP commands at 32 clients / the stack's ceiling (refused at validation)", http32?.commandsPerSecond ?? null, r?.httpRefused?.commandsPerSecond ?? null, 0.6, 'no PostgreSQL run');
  const tail = peer?.rows?.find((row) => row.measure.startsWith('single-event appends')) ?? null;
  const missed = peer?.rows?.find((row) => row.measure.startsWith('tailing reader: events missed')) ?? null;
  const tailRatio = tail && tail.ours !== null && tail.peer ? tail.ours / tail.peer : null;
  rows.push([
    'single-event appends, 8 writers, a reader tailing / the peer',
    tailRatio === null ? 'peer not run' : `${(tailRatio * 100).toFixed(1)}% (${fmt(tail.ours)} / ${fmt(tail.peer)} events/s), ${missed?.ours ?? '?'} missed`,
    '≥ 120%, 0 missed',
    status(tailRatio === null ? null : tailRatio >= 1.2 && missed?.ours === 0),
  ]);
  const rebuild = r?.rebuild?.reduce((best, b) => (!best || Math.abs(b.logEvents - 10_000) < Math.abs(best.logEvents - 10_000) ? b : best), null) ?? null;
  const rawScan = r?.scan ? rate(r.scan.raw.events, r.scan.raw.seconds) : null;
  ratioRow(`rebuild at ${rebuild ? fmt(rebuild.logEvents) : '10,000'} events / raw scan`, rebuild ? rate(rebuild.events, rebuild.seconds) : null, rawScan, 0.5, 'no PostgreSQL rebuild');
  const c = r?.claims ?? null;
  const isNational = national && c && c.families >= 400_000;
  const why = 'runs with --national';
  rows.push(['national: results query (400,000 families)', isNational ? `${ms(Math.min(...c.resultsSeconds))} s` : why, '< 30 s', status(isNational ? Math.min(...c.resultsSeconds) < 30 : null)]);
  rows.push(['national: claim draft', isNational ? `${ms(Math.min(...c.draftSeconds))} s` : why, '< 60 s', status(isNational ? Math.min(...c.draftSeconds) < 60 : null)]);
  // The cycle's own peak (catch-up, results, draft, dashboards) where phases were measured, not the bench's import before it.
  const cyclePeak = c ? (c.cyclePeakRssBytes ?? c.peakRssBytes) : null;
  rows.push(['national: peak RSS of the claim cycle', isNational ? mib(cyclePeak) : why, '< 1,536 MiB', status(isNational ? cyclePeak < 1.5 * 2 ** 30 : null)]);
  // The dashboard page's call, best of the repeats, at whichever scale this run's claim cycle ran.
  const dash = c?.dashboardSeconds?.length ? Math.min(...c.dashboardSeconds) : null;
  const dashLimit = isNational ? 2 : 0.3;
  rows.push([
    `dashboard page, ${c ? fmt(c.families) : '3,000'} families${isNational ? ' (national)' : ''}`,
    dash === null
      ? 'no claim cycle in this run (or one from before the dashboards were timed)'
      : `${(dash * 1000).toFixed(0)} ms best; first call ${(c.dashboardSeconds[0] * 1000).toFixed(0)} ms; cohort filter ${(c.dashboardFilteredSeconds * 1000).toFixed(0)} ms`,
    isNational ? '< 2 s' : '< 300 ms (national: < 2 s)',
    status(dash === null ? null : dash < dashLimit),
  ]);
  const header = ['target (issue 22)', 'this run', 'target', 'status'];
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => String(row[col]).length)));
  const line = (row) => `| ${row.map((v, col) => String(v).padEnd(widths[col])).join(' | ')} |`;
  return ['### Targets', '', line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

function table(backend, rows) {
  const header = ['ours', 'figure', 'limit', 'limit figure', 'ours / limit'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((v, c) => String(v).padEnd(widths[c])).join(' | ')} |`;
  return [`### ${backend}`, '', line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

// ------------------------------------------------------------------------------------ matching

// Issue 21.7: people in the population and records about them (10% about people not on record).
const MATCHING_SIZE = { quick: 20_000, default: 50_000, full: 100_000 };

/** The matcher's precision and recall at three thresholds (the default in the middle), on records of known truth. */
function matchingQuality(size) {
  const { noisyPopulation } = require(join(dist, 'libs/synthetic/src'));
  const { measureMatching, DEFAULT_MATCH_OPTIONS } = require(join(dist, 'libs/imports/src'));
  const { people, records } = noisyPopulation({ people: size, records: size, seed: SEED });
  const known = people.map((p) => ({
    memberId: p.personId,
    familyId: p.householdId,
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    postcode: p.postcode,
    identifiers: p.identifiers,
  }));
  const labelled = records.map((r) => ({
    truth: r.truth,
    person: { givenName: r.givenName, familyName: r.familyName, dateOfBirth: r.dateOfBirth, ...(r.postcode ? { postcode: r.postcode } : {}), identifiers: r.identifiers },
  }));
  const thresholds = [0.85, DEFAULT_MATCH_OPTIONS.threshold, 0.99];
  return {
    people: size,
    records: size,
    strangers: records.filter((r) => r.truth === null).length,
    defaultThreshold: DEFAULT_MATCH_OPTIONS.threshold,
    runs: thresholds.map((threshold) => {
      const t0 = performance.now();
      const q = measureMatching(known, labelled, { ...DEFAULT_MATCH_OPTIONS, threshold });
      return { threshold, seconds: (performance.now() - t0) / 1000, ...q };
    }),
  };
}

function matchingTable(m) {
  const pctOf = (x) => `${(x * 100).toFixed(2)}%`;
  const rows = m.runs.map((r) => [
    `${r.threshold}${r.threshold === m.defaultThreshold ? ' (default)' : ''}`,
    pctOf(r.precision),
    pctOf(r.recall),
    pctOf(r.recallWithReview),
    `${fmt(r.matchedWrong)} wrong / ${fmt(r.matchedRight + r.matchedWrong)} matched`,
    `${fmt(r.review)} review, ${fmt(r.unmatched)} unmatched`,
    `${fmt(r.records / r.seconds)} rows/s`,
  ]);
  const header = ['threshold', 'precision', 'recall', 'recall with review', 'wrong matches', 'the rest', 'speed (index built and matched)'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((v, c) => String(v).padEnd(widths[c])).join(' | ')} |`;
  return [
    `### person matching: ${fmt(m.people)} people, ${fmt(m.records)} records (${fmt(m.strangers)} about people not on record)`,
    '',
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

async function main() {
  const loadBefore = os.loadavg();
  log(`mode ${mode}; backends ${backends.join(', ')}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  if (!existsSync(join(root, 'dist/apps/cli/src/generate.js'))) throw new Error('dist/ is missing or stale: run node scripts/build.mjs first (npm run bench does)');
  cpSync(join(root, 'dist'), dist, { recursive: true });
  const allSizes = [...new Set(backends.flatMap((b) => profile.sizes[b]))].sort((a, b) => a - b);
  const maxEvents = allSizes[allSizes.length - 1];
  // ~48.7 events a family with this generator; generous so the largest size is reached.
  const file =
    soakOnly || matchingOnly || importsOnly ? null : await generatedFile(claimsOnly ? CLAIM_FAMILIES : Math.max(CLAIM_FAMILIES, Math.ceil(maxEvents / 45 / FAMILIES_PER_BATCH) * FAMILIES_PER_BATCH));
  const results = {};
  let pgVersion = null;
  let pgliteVersion = null;
  const pg = require('pg');

  for (const backend of backends) {
    const sizes = profile.sizes[backend];
    const ends = soakOnly || importsOnly || claimsOnly ? [] : batchBoundaries(file, sizes);
    if (backend === 'postgres') {
      const database = `ledger_bench_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgBaseUrl });
      await admin.connect();
      await admin.query(`create database ${database}`);
      await admin.query(`create database ${database}_claims`);
      await admin.query(`create database ${database}_imports`);
      const url = new URL(pgBaseUrl);
      url.pathname = `/${database}`;
      const claimsUrl = new URL(pgBaseUrl);
      claimsUrl.pathname = `/${database}_claims`;
      const importsUrl = new URL(pgBaseUrl);
      importsUrl.pathname = `/${database}_imports`;
      log(`postgres: created databases ${database} and ${database}_claims`);
      try {
        results.postgres = await benchBackend('postgres', file, ends, sizes, { url: url.toString(), claimsUrl: claimsUrl.toString(), importsUrl: importsUrl.toString() });
        pgVersion = results.postgres.limits?.serverVersion ?? results.postgres.soak?.serverVersion ?? results.postgres.claims?.serverVersion ?? null;
      } finally {
        if (flag('keep')) {
          // --keep: left for bench/claims-again.mjs (the claim cycle measured again, without the import).
          log(`postgres: kept databases ${database} and ${database}_claims (--keep): drop them when done`);
        } else {
          await admin.query(`drop database if exists ${database} with (force)`);
          await admin.query(`drop database if exists ${database}_claims with (force)`);
          await admin.query(`drop database if exists ${database}_imports with (force)`);
          log(`postgres: dropped databases ${database} and ${database}_claims`);
        }
        await admin.end();
      }
    } else {
      const temp = mkdtempSync(join(os.tmpdir(), 'ledger-bench-pglite-'));
      try {
        log('pglite: initialising an empty database (template for the run)');
        const template = join(temp, 'template');
        const init = await runTask({ backend, kind: 'init', dataDir: template });
        log(`pglite: initialised in ${init.seconds.toFixed(1)} s`);
        cpSync(template, join(temp, 'store'), { recursive: true });
        cpSync(template, join(temp, 'limits'), { recursive: true });
        cpSync(template, join(temp, 'claims'), { recursive: true });
        cpSync(template, join(temp, 'imports'), { recursive: true });
        results.pglite = await benchBackend('pglite', file, ends, sizes, {
          dataDir: join(temp, 'store'),
          limitsDir: join(temp, 'limits'),
          claimsDir: join(temp, 'claims'),
          importsDir: join(temp, 'imports'),
        });
        results.pglite.initSeconds = init.seconds;
        pgliteVersion = results.pglite.limits?.serverVersion ?? results.pglite.soak?.serverVersion ?? null;
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    }
  }

  // The peer, on the same PostgreSQL server and the same generated events (bench/peer.cjs: ours
  // and emmett-postgresql each in processes of their own, on databases of their own).
  let peer = null;
  if (backends.includes('postgres') && !flag('no-peer') && !soakOnly && !importsOnly) {
    log('peer: @event-driven-io/emmett-postgresql against ours (append, whole-log read, 8 writers with a tailing reader)');
    const { peerComparison } = require(join(here, 'peer.cjs'));
    peer = await peerComparison({ url: pgBaseUrl, file, seed: SEED, quick: mode === 'quick', log, dist });
  }

  log(`matching: precision and recall of the person matcher on a noisy synthetic population (${fmt(MATCHING_SIZE[mode])} people, as many records)`);
  const matching = claimsOnly ? null : matchingQuality(MATCHING_SIZE[mode]);

  const date = new Date().toISOString().slice(0, 10);
  const report = {
    date,
    mode,
    totalSeconds: (Date.now() - started) / 1000,
    machine: machine(pgVersion, pgliteVersion),
    // Other processes on the machine share its cores: a load average above the core count means
    // every figure below (ours and the limits alike) was measured under contention.
    loadAverage: { atStart: loadBefore, atEnd: os.loadavg() },
    settings: { seed: SEED, concurrency: CONCURRENCY, httpFamilies: HTTP_FAMILIES, rebuildBatchSize: REBUILD_BATCH, familiesPerAppendMany: FAMILIES_PER_BATCH, ...profile },
    notMeasured: {
      ...(peer ? {} : { peer: 'not run (--no-peer, or no PostgreSQL backend)' }),
      ...(flag('national') ? {} : { national: 'the claim cycle at 400,000 families runs with --national (not part of the default or quick runs)' }),
    },
    peer,
    matching,
    backends: {},
  };
  const tables = [];
  for (const [backend, r] of Object.entries(results)) {
    const s = summarise(r);
    report.backends[backend] = { ...r, figures: s.figures };
    tables.push(table(backend === 'postgres' ? `PostgreSQL ${pgVersion}` : `PGlite (${pgliteVersion?.split(' on ')[0]}, in-process, no fsync)`, s.rows));
  }
  const m = report.machine;
  const text = [
    `bench ${mode}, ${date}, ${report.totalSeconds.toFixed(0)} s — ${m.os}, ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}`,
    `load average (1/5/15 min) at start ${report.loadAverage.atStart.map((l) => l.toFixed(2)).join(' ')}, at end ${report.loadAverage.atEnd.map((l) => l.toFixed(2)).join(' ')} (${m.cpus} cores)`,
    '',
    ...tables.flatMap((t) => [t, '']),
    ...(peer ? [peerTable(peer), ''] : []),
    ...(results.postgres?.limits || results.postgres?.claims ? [targetsTable(results, peer, flag('national')), ''] : []),
    ...(matching ? [matchingTable(matching)] : []),
    '',
  ].join('\n');
  console.log(text);
  mkdirSync(join(here, 'results'), { recursive: true });
  // One file per day and kind of run: a national run and an ordinary one on the same day keep both.
  const path = join(
    here,
    'results',
    `${date}${flag('national') ? '-national' : claimsOnly ? `-claims-${CLAIM_FAMILIES}` : matchingOnly ? '-matching' : importsOnly ? `-imports-${mode}` : soakOnly ? `-soak-${profile.soakSeconds}s` : mode === 'full' ? '' : `-${mode}`}${option('tag', '') ? `-${option('tag', '')}` : ''}.json`,
  );
  writeFileSync(path, `${JSON.stringify({ ...report, table: text }, null, 2)}\n`);
  log(`wrote ${path}`);
}

main()
  .catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dist, { recursive: true, force: true }));
