import { rmSync } from 'node:fs';

/** Once per test run, at its end: the run's seeded demo boroughs (test/support/demo-borough.ts) are removed. */
export default function globalTeardown(): void {
  const cache = process.env.LEDGER_TEST_SEEDED_CACHE;
  if (cache) rmSync(cache, { recursive: true, force: true });
}
