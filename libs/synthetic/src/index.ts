export * from './random';
export * from './synthetic-borough';
