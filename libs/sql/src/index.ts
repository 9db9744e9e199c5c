// The SQL layer: one client interface over PostgreSQL (pg) and the embedded PGlite, shared by the
// event store, the projections and the privacy lib (person keys, access log).
export * from './errors';
export * from './sql-client';
export * from './pg.sql-client';
export * from './pglite.sql-client';
export * from './migrations';
