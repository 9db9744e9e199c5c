// Suites that read PostgreSQL's log right after they append, run after the others with the
// server to themselves (`npm test` runs them second). The log is read up to its safe end, and
// any transaction begun earlier anywhere on the server (another suite's, running alongside)
// holds that end back for a moment: these suites would sometimes read too early.
const base = require('./jest.config.cjs');

const SERVER_ALONE = require('./test/support/server-alone.cjs');

module.exports = {
  ...base,
  testMatch: SERVER_ALONE.map((path) => `<rootDir>/${path}`),
  testPathIgnorePatterns: ['/node_modules/'],
};
