// The suites `npm test` runs on their own after the others (jest.alone.config.cjs), left out of
// the parallel run (jest.config.cjs).
module.exports = ['test/contract/postgres.event-store.spec.ts', 'test/contract/postgres.group-commit.spec.ts', 'test/projections/following-the-log.spec.ts'];
