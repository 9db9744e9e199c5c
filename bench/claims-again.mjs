// The claim cycle's calls measured again on a database that already holds the imported log (one
// kept by `bench/run.mjs --keep`, or a claims database left by an interrupted run), so newer code
// can be timed at the national scale without a 20-minute import. Catches the projections up
// (quick when they are current), then times the results query and a claim draft over HTTP.
//
//   node scripts/build.mjs && node bench/claims-again.mjs --url postgres://…/ledger_bench_…_claims --families 400000 [--repeats 1]
//
// Prints each call as it ends and the task's result as JSON. Nothing is dropped.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const url = arg('url');
if (!url) throw new Error('--url of the database holding the imported log is required');
const task = { kind: 'claims', backend: 'postgres', url, imported: true, families: Number(arg('families', '0')), asOf: arg('as-of', '2019-03-31'), repeats: Number(arg('repeats', '1')) };
const child = fork(join(here, 'worker.cjs'), [JSON.stringify(task)], {
  env: { ...process.env, LEDGER_BENCH_DIST: process.env.LEDGER_BENCH_DIST ?? join(here, '..', 'dist') },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execArgv: ['--expose-gc'],
});
child.on('message', (m) => {
  console.log(JSON.stringify(m.kind === 'result' ? m.result : m, null, 2));
  if (m.kind !== 'result') process.exitCode = 1;
});
