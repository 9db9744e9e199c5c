// Jest on Node 20 with NestJS 12 (ESM-only packages): @swc/jest compiles our TypeScript and the
// ESM packages below to CommonJS (Fastify's plugins bring some: issue 22.1). PGlite needs NODE_OPTIONS=--experimental-vm-modules (set by
// the npm scripts).
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const esmPackages = ['@nestjs', '@apidevtools', 'file-type', 'load-esm', 'uid', 'strtok3', 'token-types', '@tokenizer', 'path-to-regexp', 'content-disposition', 'cookie'].join('|');

module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // These run on their own afterwards, with the PostgreSQL server to themselves (jest.alone.config.cjs).
  testPathIgnorePatterns: ['/node_modules/', ...require('./test/support/server-alone.cjs').map((path) => `<rootDir>/${path}`)],
  transform: { '^.+\\.(t|j|mj|cj)s$': ['@swc/jest', swc] },
  // The last node_modules of a path decides (@fastify/middie's own path-to-regexp is ESM).
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages})/)(?!.*/node_modules/)`],
  moduleNameMapper: {
    '^@ledger/event-store/esdb$': '<rootDir>/libs/event-store/src/esdb/index.ts',
    '^@ledger/(domain|event-store|projections|config|synthetic|reporting|application|sql|privacy|imports)$': '<rootDir>/libs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/support/sequencer.cjs',
  testTimeout: 60_000,
  // Each test file leaves ~30 MB behind in its worker (module registries); a worker that has grown
  // past this is replaced between files rather than collecting an ever larger heap.
  workerIdleMemoryLimit: '700MB',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
