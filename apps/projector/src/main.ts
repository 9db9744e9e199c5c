import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configOrReport } from '@ledger/config';
import { formatPosition, openStores } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionRunner, ProjectionWorkerModule } from '@ledger/projections';

/**
 * The projector worker: runs every projection over the global log, catching up from each
 * checkpoint and then following new events. Rows and checkpoint are written in one transaction,
 * so killing it at any moment and starting it again loses and repeats nothing. Run it beside an
 * api started with LEDGER_PROJECTIONS=external (several projectors may run: a batch is applied once).
 * Built from the same Nest modules as the api (`ProjectionWorkerModule`), as an application context.
 */
async function main(): Promise<void> {
  const config = configOrReport(process.env);
  if (!config) {
    process.exitCode = 1;
    return;
  }
  const logger = new Logger('Projector');
  const stores = await openStores(config);
  let applied = 0;
  let lastLog = 0;
  const context = await NestFactory.createApplicationContext(
    ProjectionWorkerModule.forStores(config, stores, {
      batchSize: 2_000,
      onBatch: ({ projection, events, position }) => {
        applied += events;
        const now = Date.now();
        if (now - lastLog > 2_000) {
          lastLog = now;
          logger.log(`${projection}: ${applied} events applied, at ${formatPosition(position)}`);
        }
      },
    }),
    { logger: ['log', 'warn', 'error'], abortOnError: false },
  );
  const runner = context.get<ProjectionRunner>(PROJECTION_RUNNER);
  await runner.start();
  logger.log(`caught up (${applied} events applied); following the log`);
  const stop = async (): Promise<void> => {
    // Stops the runner (ProjectionsModule) and closes the stores (EventStoreModule).
    await context.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`projector failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
