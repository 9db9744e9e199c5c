// The static checks `npm test` runs before jest: the type check, the lint, the dependency rules
// and the formatting (Prettier), run side by side (each is one process; together they use both cores of a small CI
// machine instead of one after another). Each one's output is printed whole when it ends;
// the exit code is non-zero when any of them failed.
import { spawn } from 'node:child_process';

const checks = [
  ['typecheck', ['run', '-s', 'typecheck']],
  ['lint', ['run', '-s', 'lint']],
  ['boundaries', ['run', '-s', 'boundaries']],
  ['format', ['run', '-s', 'format:check']],
];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results = await Promise.all(
  checks.map(
    ([name, args]) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(npm, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('close', (code) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          process.stdout.write(`checks: ${name} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s\n${output.trim() ? `${output.trimEnd()}\n` : ''}`);
          resolve(code === 0);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
