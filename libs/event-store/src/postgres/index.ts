export * from './postgres.event-store';
export * from './schema';
export * from './integrity';
