export * from './random';
export * from './synthetic-borough';
export * from './recorded-histories';
