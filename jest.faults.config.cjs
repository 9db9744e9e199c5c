// The fault suite (`npm run test:faults`, issue 15.7): kills the api and the projector, restarts
// and kills a PostgreSQL cluster of its own, restores a backup. Its files end in `.fault.ts`, so
// the default run (`npm test`, `*.spec.ts`) never picks them up and nothing runs twice.
const base = require('./jest.config.cjs');

module.exports = {
  ...base,
  roots: ['<rootDir>/test'],
  testMatch: ['**/test/faults/**/*.fault.ts'],
  globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/faults/support/global-teardown.ts',
  testTimeout: 240_000,
};
