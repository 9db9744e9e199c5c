export * from './random';
export * from './synthetic-borough';
export * from './recorded-histories';
export * from './noisy-population';
