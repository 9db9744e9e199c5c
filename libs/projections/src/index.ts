export * from './projection';
export * from './projection-runner';
export * from './family-read-models.projection';
export * from './projections.module';
export * from './family.queries';
export * from './outcomes.queries';
export * from './ledger.projection';
export * from './ledger.queries';
