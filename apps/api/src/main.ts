import { Logger } from '@nestjs/common';
import { configOrReport } from '@ledger/config';
import { buildApp } from './bootstrap';
import { DemoSeeder } from './demo/demo-seeder';

async function main(): Promise<void> {
  const config = configOrReport(process.env);
  if (!config) {
    process.exitCode = 1;
    return;
  }
  const { app, stores } = await buildApp(config);
  // Every IPv4 interface, as a container needs (Fastify alone would listen on localhost only).
  await app.listen(config.port, '0.0.0.0');
  const logger = new Logger('Ledger');
  const where =
    stores.description.kind === 'embedded'
      ? `embedded PGlite in ${stores.description.where} (for trying and development: PGlite does not fsync)`
      : `${stores.description.kind} at ${stores.description.where}`;
  logger.log(`event store: ${where}`);
  logger.log(`listening on http://localhost:${config.port}${config.apiDocs ? ` — API docs at http://localhost:${config.port}/api/docs` : ' (API docs off: LEDGER_API_DOCS=on serves them)'}`);
  if (config.demo) {
    // Seeded after the service is up, so /health answers at once; families appear as they are recorded.
    const started = Date.now();
    app
      .get(DemoSeeder)
      .seedIfEmpty()
      .then(
        (report) => {
          if (report.seeded) logger.log(`demo borough ready: ${report.families} families, ${report.commands} commands (${report.refused} refused) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        },
        (error: unknown) => logger.error(`demo seeding stopped: ${error instanceof Error ? error.message : String(error)}`),
      );
  }
}

main().catch((error: unknown) => {
  console.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
