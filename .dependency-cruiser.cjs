// Module boundaries (ARCHITECTURE.md "Layout"), checked by `npm run boundaries` inside `npm test`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports nothing outside itself: no Nest, no TypeORM, no node built-ins (no clock, no randomness, no I/O).',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: '^libs/domain/' },
    },
    {
      name: 'only-esdb-adapter-imports-eventstoredb-client',
      comment: 'Only libs/event-store/src/esdb may import the EventStoreDB client.',
      severity: 'error',
      from: { pathNot: '^libs/event-store/src/esdb/' },
      to: { path: 'node_modules/@eventstore/' },
    },
    {
      name: 'only-the-sql-layer-imports-sql-drivers',
      comment: 'pg, pg-copy-streams and PGlite are imported by libs/sql only; the event store, projections and privacy layers use its SqlClient.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '^libs/sql/' },
      to: { path: 'node_modules/(pg|pg-copy-streams|@electric-sql/pglite|typeorm)/' },
    },
    {
      name: 'the-sql-layer-stands-alone',
      comment: 'libs/sql knows nothing of the event store, projections, privacy or the apps above it.',
      severity: 'error',
      from: { path: '^libs/sql/' },
      to: { path: '^(apps|libs/(?!sql/))' },
    },
    {
      name: 'the-event-store-knows-nothing-of-privacy-or-projections',
      comment: 'Privacy (sealing) and projections are built on the event store port, not the other way round.',
      severity: 'error',
      from: { path: '^libs/event-store/' },
      to: { path: '^libs/(privacy|projections|application)/' },
    },
    {
      name: 'no-deep-imports-into-other-libs',
      comment: 'Apps and other libs import a lib through its alias (@ledger/x), not its internals.',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/', pathNot: '^libs/event-store/' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: ['^libs/[^/]+/src/index\\.ts$', '^libs/event-store/src/esdb/index\\.ts$', '^libs/$2/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-imports-another-app',
      comment: 'An app (api, cli, projector, web) imports libs, never another app: what two apps share lives in a lib (libs/application for the application services).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'web-app-talks-to-the-api-over-http-only',
      comment: 'apps/web (the browser app) imports nothing of the api, the other apps or the libs: it reads and writes through the public HTTP API.',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: { path: '^(apps/(?!web/)|libs/|test/)' },
    },
    {
      name: 'nothing-imports-the-web-app',
      severity: 'error',
      from: { pathNot: '^apps/web/' },
      to: { path: '^apps/web/' },
    },
    {
      name: 'apps-do-not-import-tests',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
