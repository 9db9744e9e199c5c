import type { PrivateCluster } from './cluster';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { faultsCluster?: PrivateCluster }).faultsCluster?.destroy();
}
