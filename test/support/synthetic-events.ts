// The cli's generator is the one source of synthetic event batches (`npm run cli -- generate`).
export { syntheticEventBatches } from '../../apps/cli/src/generate';
