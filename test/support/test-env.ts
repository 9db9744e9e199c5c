/**
 * The test run's view of its environment. Tests read their settings here, never from
 * `process.env` directly, so the rules for skipping are in one place:
 * - PGlite runs always.
 * - PostgreSQL runs when LEDGER_TEST_POSTGRES_URL is set; with CI=true an unreachable server
 *   fails the run in global setup (it never skips).
 * - EventStoreDB runs when LEDGER_ESDB_URL is set, and is reported as skipped otherwise.
 */
export const testEnv = {
  postgresUrl: nonEmpty(process.env.LEDGER_TEST_POSTGRES_URL),
  esdbUrl: nonEmpty(process.env.LEDGER_ESDB_URL),
  ci: process.env.CI === 'true' || process.env.CI === '1',
  pgliteTemplate: nonEmpty(process.env.LEDGER_TEST_PGLITE_TEMPLATE),
  /** This run's copies of seeded demo boroughs (test/support/demo-borough.ts); unset: each suite seeds its own. */
  seededCache: nonEmpty(process.env.LEDGER_TEST_SEEDED_CACHE),
  /** Where the browser suite saves a screenshot of each page (`npm run screenshots`: docs/screenshots); unset: none saved. */
  screenshots: nonEmpty(process.env.LEDGER_TEST_SCREENSHOTS),
  /** Debian's Chromium, driven by playwright-core (ARCHITECTURE.md "Stack notes"). */
  chromium: nonEmpty(process.env.LEDGER_TEST_CHROMIUM) ?? '/usr/bin/chromium',
};

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * `describe` when the condition holds, otherwise the suite is registered as skipped with a title
 * saying why (the summary reporter lists it), so a missing database is visible, never silent.
 */
export function describeWhen(condition: boolean, reason: string): jest.Describe {
  if (condition) return describe;
  const skip = describe.skip;
  return ((name: string, fn: () => void) => skip(`${name} [skipped: ${reason}]`, fn)) as unknown as jest.Describe;
}
