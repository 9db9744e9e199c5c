export * from './event-store.port';
export * from './event-ids';
export * from './subscription';
export * from './postgres';
export * from './privacy';
export * from './event-store.module';
export * from './command-handling';
