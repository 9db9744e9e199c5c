// Personal data (docs/programme-rules.md 6): person keys wrapped by the master key, the cipher sealing each
// person's fields, the event store that seals on the way in and opens on the way out, consent,
// and erasure and the retention schedule (crypto-shredding).
export * from './key-vault';
export * from './master-key';
export * from './personal-data-cipher';
export * from './personal-data.event-store';
export * from './personal-data';
export * from './consent';
export * from './erasure';
export * from './search-tokens';
export * from './blind-index';
