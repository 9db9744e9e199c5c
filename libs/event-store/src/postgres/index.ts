export * from './postgres.event-store';
export * from './sql-client';
export * from './pg.sql-client';
export * from './pglite.sql-client';
export * from './schema';
export * from './integrity';
