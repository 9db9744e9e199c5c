import { Logger } from '@nestjs/common';
import { loadConfig } from '@ledger/config';
import { buildApp } from './bootstrap';

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    for (const line of loaded.errors) console.error(`configuration error: ${line}`);
    process.exitCode = 1;
    return;
  }
  const config = loaded.config;
  const { app, stores } = await buildApp(config);
  await app.listen(config.port);
  const logger = new Logger('Ledger');
  const where = stores.description.kind === 'embedded' ? `embedded PGlite in ${stores.description.where} (for trying and development: PGlite does not fsync)` : `${stores.description.kind} at ${stores.description.where}`;
  logger.log(`event store: ${where}`);
  logger.log(`listening on http://localhost:${config.port} — API docs at http://localhost:${config.port}/api/docs`);
}

main().catch((error: unknown) => {
  console.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
