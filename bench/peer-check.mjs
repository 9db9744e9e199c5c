// Standalone run of the peer comparison (bench/peer.cjs), outside the full suite:
//   node bench/peer-check.mjs [--quick] [--pg-url URL] [--families N] [--seed S] [--json]
// Creates a scratch database on the server, generates the families with `cli generate`, runs the
// comparison, prints a table, and drops the database. Needs a built dist/ (node scripts/build.mjs).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(import.meta.url);
const started = Date.now();

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const quick = flag('quick');
const pgBaseUrl = option('pg-url', 'postgres://postgres@127.0.0.1:5432/test');
const families = Number(option('families', '200'));
const seed = Number(option('seed', '2015'));
const log = (line) => process.stderr.write(`[peer-check ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);

async function main() {
  if (!existsSync(join(root, 'dist/apps/cli/src/main.js'))) {
    log('dist/ is missing: node scripts/build.mjs');
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  }
  // A private copy of dist/ (as bench/run.mjs takes): a build running meanwhile empties dist/.
  const dist = join(here, `.dist-peer-${process.pid}`);
  cpSync(join(root, 'dist'), dist, { recursive: true });
  const temp = mkdtempSync(join(os.tmpdir(), 'ledger-peer-check-'));
  const pg = require('pg');
  const admin = new pg.Client({ connectionString: pgBaseUrl });
  let database = null;
  try {
    const file = join(temp, `events-seed${seed}-families${families}.ndjson`);
    const fd = openSync(file, 'w');
    try {
      execFileSync(process.execPath, [join(dist, 'apps/cli/src/main.js'), 'generate', '--families', String(families), '--seed', String(seed), '--format', 'events'], {
        stdio: ['ignore', fd, 'inherit'],
      });
    } finally {
      closeSync(fd);
    }
    log(`generated ${families} families (seed ${seed})`);

    await admin.connect();
    database = `ledger_bench_peer_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${database}`);
    const url = new URL(pgBaseUrl);
    url.pathname = `/${database}`;
    log(`created database ${database}`);

    const { peerComparison } = require('./peer.cjs');
    const result = await peerComparison({ url: url.toString(), file, families, seed, quick, log, dist });
    print(result);
    if (flag('json')) console.log(JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
  } finally {
    if (database) {
      await admin.query(`drop database if exists ${database} with (force)`);
      log(`dropped database ${database}`);
    }
    await admin.end().catch(() => undefined);
    rmSync(temp, { recursive: true, force: true });
    rmSync(dist, { recursive: true, force: true });
  }
}

const num = (n) => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-GB'));

function print(result) {
  const header = ['measure', 'ours', 'peer', 'unit', 'ours / peer'];
  const body = result.rows.map((r) => [r.measure, num(r.ours), num(r.peer), r.unit, r.ratio === null ? '–' : `${(r.ratio * 100).toFixed(0)}%`]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((v, c) => String(v).padEnd(widths[c])).join(' | ')} |`;
  const out = [
    `peer comparison${quick ? ' (quick)' : ''}: emmett-postgresql ${result.versions.emmett} (pg ${result.versions.pg}), ${result.seconds.toFixed(1)} s; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${os.cpus().length} cores`,
    '',
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...body.map(line),
    '',
  ];
  for (const side of ['ours', 'peer']) {
    const r = result.reader[side];
    out.push(
      r?.error
        ? `reader ${side}: ${r.error}`
        : `reader ${side}: written ${r.written}, delivered ${r.delivered}, missed ${r.missed}, repeated ${r.repeated}, unexpected ${r.unexpected}, caught up ${r.catchUpSeconds.toFixed(1)} s after the writers — ${r.how}`,
    );
  }
  for (const r of result.rows.filter((x) => x.error)) out.push(`error (${r.measure}): ${r.error}`);
  for (const n of result.notes) out.push(`note: ${n}`);
  console.log(out.join('\n'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
