import { clusterUnavailableReason, PrivateCluster } from './cluster';

/**
 * Once per fault-suite run: the PostgreSQL cluster the suite restarts and kills, on a port of its
 * own. Its handle reaches the test files through LEDGER_FAULTS_CLUSTER; global teardown removes it.
 */
export default async function globalSetup(): Promise<void> {
  const reason = clusterUnavailableReason();
  if (reason) {
    if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`the fault suite cannot run: ${reason} (CI=true: this fails the run)`);
    console.warn(`\nthe fault suite is skipped: ${reason}`);
    return;
  }
  const cluster = await PrivateCluster.create();
  process.env.LEDGER_FAULTS_CLUSTER = JSON.stringify(cluster.handle);
  (globalThis as { faultsCluster?: PrivateCluster }).faultsCluster = cluster;
}
