// Runs the suites that take longest first, so neither worker is left finishing one long file
// alone at the end. Without timings of earlier runs (a fresh clone in CI) Jest orders files by
// size, and several of the slowest are short files (a seeded borough, the PGlite contract suite),
// which it started last. With timings from earlier runs on this machine, Jest's own order is kept
// behind the named files. The list is from CI's "slowest files" (test/support/summary-reporter.cjs).
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST_FIRST = [
  'test/outcomes/demo-borough-outcomes.e2e.spec.ts',
  'test/contract/pglite.event-store.spec.ts',
  'test/privacy/personal-data-store.spec.ts',
  'test/browser/record-forms.browser.spec.ts',
  'test/e2e/dashboards.e2e.spec.ts',
  'test/privacy/role-matrix.e2e.spec.ts',
  'test/imports/seed-from-files.e2e.spec.ts',
  'test/browser/privacy.browser.spec.ts',
  'test/browser/web-app.browser.spec.ts',
  'test/claims/claim-reports.e2e.spec.ts',
  'test/browser/programme-manager.browser.spec.ts',
  'test/e2e/families.e2e.spec.ts',
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const rank = (test) => {
      const i = SLOWEST_FIRST.findIndex((path) => test.path.endsWith(path));
      return i === -1 ? SLOWEST_FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
