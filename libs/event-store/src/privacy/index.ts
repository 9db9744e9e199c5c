export * from './key-vault';
export * from './master-key';
export * from './personal-data-cipher';
export * from './personal-data.event-store';
export * from './search-tokens';
export * from './blind-index';
