export * from './shared/money';
export * from './shared/business-date';
export * from './shared/streams';
