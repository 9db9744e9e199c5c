// Child process of pglite-lock.spec.ts: one of many openers racing for one embedded data
// directory. Waits for a common start instant, takes the directory lock as PgliteSqlClient.open
// does (the compiled store in dist/, as a deployed process), and reports on stdout, as JSON lines,
// when it held the lock and when it let go, or that it was refused.
const { takeDirectoryLock, DataDirectoryLockedError } = require('../../dist/libs/sql/src/pglite.sql-client');

const [dir, startAt, holdMs] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${JSON.stringify({ pid: process.pid, at: Date.now(), ...line })}\n`);

async function main() {
  // Sleep most of the way, then spin: every racer leaves the line within a millisecond or so.
  const start = Number(startAt);
  if (start - Date.now() > 20) await new Promise((r) => setTimeout(r, start - Date.now() - 20));
  while (Date.now() < start) {
    // spin
  }
  let lock;
  try {
    lock = takeDirectoryLock(dir);
  } catch (error) {
    if (error instanceof DataDirectoryLockedError) return say({ outcome: 'refused', message: error.message });
    throw error;
  }
  // What PgliteSqlClient.open does between taking the lock and using the directory.
  await new Promise((r) => setTimeout(r, 200));
  try {
    lock.confirm();
  } catch (error) {
    if (error instanceof DataDirectoryLockedError) return say({ outcome: 'lost', message: error.message });
    throw error;
  }
  say({ outcome: 'holding' });
  await new Promise((r) => setTimeout(r, Number(holdMs)));
  say({ outcome: 'releasing' });
  lock.release();
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
