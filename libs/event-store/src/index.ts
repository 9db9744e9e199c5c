export * from './event-store.port';
export * from './event-ids';
export * from './subscription';
export * from './postgres';
export * from './event-store.module';
export * from './command-handling';
// The SQL layer moved to @ledger/sql; handed on here for existing importers of the store's SQL
// clients (new code imports @ledger/sql).
export * from '@ledger/sql';
