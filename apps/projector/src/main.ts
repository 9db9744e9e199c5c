import { Logger } from '@nestjs/common';
import { loadConfig } from '@ledger/config';
import { formatPosition, openStores } from '@ledger/event-store';

/**
 * The projector worker: follows the global log and hands batches to the projections.
 * The projection runner and read models arrive with the outcomes work (issue 4); until then this
 * worker follows the log and reports how far it has read, which is what `/health/ready` will
 * compare against.
 */
async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    for (const line of loaded.errors) console.error(`configuration error: ${line}`);
    process.exitCode = 1;
    return;
  }
  const logger = new Logger('Projector');
  const stores = await openStores(loaded.config);
  let seen = 0;
  const subscription = stores.eventStore.subscribe({
    batchSize: 1_000,
    handler: async (events, next) => {
      seen += events.length;
      logger.log(`read ${seen} events, at ${formatPosition(next)}`);
    },
    onCaughtUp: (position) => logger.log(`caught up at ${position ? formatPosition(position) : 'the start'}; following the log`),
  });
  const stop = async (): Promise<void> => {
    await subscription.stop();
    await stores.eventStore.close();
    await stores.sql.close().catch(() => undefined);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await subscription.done;
}

main().catch((error: unknown) => {
  console.error(`projector failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
