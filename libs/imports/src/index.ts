export * from './csv-reader';
export * from './dates';
export * from './formats';
export * from './matching';
export * from './import.service';
export * from './match-quality';
export * from './borough-files';
