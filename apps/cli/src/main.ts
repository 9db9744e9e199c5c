import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type LedgerConfig, configOrReport } from '@ledger/config';
import { type EventStore, type OpenedStores, formatPosition, openStores } from '@ledger/event-store';
import { ImportService } from '@ledger/imports';
import { openPersonalData } from '@ledger/privacy';
import { PROJECTION_RUNNER, UserQueries, ledgerProjections, type ProjectionRunner } from '@ledger/projections';
import { CliModule } from './cli.module';
import { runGenerate } from './generate';
import { IMPORT_USAGE, runImport } from './import-command';
import { runAccessLogInstall, runRetention, runServiceAccounts, runUsers } from './privacy-commands';
import { REPORT_USAGE, runReport } from './report-commands';

const USAGE = `usage: npm run cli -- <command>

commands:
  status                 what the event store holds: events, streams per category, last position
  projections            each projection's version, checkpoint and whether it is live
  rebuild [projection]   rebuild read models from position 0 (all, or the one named) while the
                         current tables keep serving; prints progress, events/s and an ETA
${REPORT_USAGE}
${IMPORT_USAGE}
  generate --families N [--seed S] [--start I] [--format events|http]
                         synthetic families as NDJSON (event batches or HTTP command sequences)
  users list             users, roles, organisations, deactivations and lock-outs
  users add <username> --role ROLE [--organisation ORG] --password-stdin
                         add a user; the password is read from standard input
  users deactivate <username>
                         the user can no longer sign in; their tokens stop at once
  users role <username> ROLE [--organisation ORG]
                         change a user's role; tokens of the old role stop at once
  access-log install [--grant-to ROLE]
                         PostgreSQL, run as the access log's owner role: create the access log
                         and let ROLE (the service's) only insert and select (infra/README.md)
  service-accounts list | service-accounts revoke <name>
                         BI tools' long-lived tokens (issued by admins through the API)
  retention [--as-of DATE] [--dry-run]
                         erase the personal data of families closed LEDGER_RETENTION_YEARS
                         (default 6) or more before DATE (default today); --dry-run lists only
  help                   this text`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'generate') return runGenerate(args);
  if (!['status', 'projections', 'rebuild', 'report', 'import', 'users', 'service-accounts', 'access-log', 'retention'].includes(command)) {
    console.error(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const config = configOrReport(process.env);
  if (!config) return 1;
  if (command === 'access-log') return runAccessLogInstall(config, args);
  if (command === 'report') return runReport(config, args, async () => openContext(config, await openStores(config)));
  const stores = await openStores(config);
  const context = await openContext(config, stores, command === 'import' || command === 'retention');
  try {
    if (command === 'status') await printStatus(stores.eventStore, `${stores.description.kind} (${stores.description.where})`);
    const runner = context.get<ProjectionRunner>(PROJECTION_RUNNER);
    if (command === 'projections') {
      for (const p of await runner.status()) console.log(`${p.name} v${p.version} ${p.state} at ${p.position ?? 'the start'}`);
    }
    if (command === 'import') return await runImport(config, context.get(ImportService), args);
    if (command === 'users') return await runUsers(config, stores, args, context.get(UserQueries));
    if (command === 'service-accounts') return await runServiceAccounts(stores, args, context.get(UserQueries));
    if (command === 'retention') return await runRetention(config, context, args);
    if (command === 'rebuild') {
      const names = args.length > 0 ? args : ledgerProjections().map((p) => p.name);
      for (const name of names) await rebuild(runner, stores.eventStore, name);
    }
  } finally {
    await context.close();
  }
  return 0;
}

/**
 * The stores and the cli's application context over them, built from the same Nest modules as the
 * api and the projector (one way to wire the stores, one factory of the runner); with the
 * personal-data parts for the commands that record or erase personal data. Closing the context
 * closes the stores.
 */
async function openContext(config: LedgerConfig, stores: OpenedStores, personalData = false): Promise<INestApplicationContext> {
  try {
    const privacy = personalData ? await openPersonalData(config, stores) : undefined;
    return await NestFactory.createApplicationContext(CliModule.forStores(config, stores, privacy), { logger: ['warn', 'error'], abortOnError: false });
  } catch (error) {
    await stores.eventStore.close().catch(() => undefined);
    await stores.sql.close().catch(() => undefined);
    throw error;
  }
}

async function rebuild(runner: ProjectionRunner, store: EventStore, name: string): Promise<void> {
  const projection = ledgerProjections().find((p) => p.name === name);
  if (!projection)
    throw new Error(
      `no projection named ${name}; known: ${ledgerProjections()
        .map((p) => p.name)
        .join(', ')}`,
    );
  const total = store.countEvents ? await store.countEvents({ categories: projection.categories }) : null;
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  let lastDraw = 0;
  const draw = (done: number, final = false): void => {
    const elapsed = seconds();
    if (!final && elapsed - lastDraw < 0.2) return;
    lastDraw = elapsed;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const width = 30;
    const share = total ? Math.min(1, done / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] ${(share * 100).toFixed(0).padStart(3)}% ` : '';
    const eta = total && rate > 0 ? ` ETA ${Math.max(0, (total - done) / rate).toFixed(0)}s` : '';
    process.stderr.write(
      `\rrebuild ${name} ${bar}${done.toLocaleString('en-GB')}${total ? ` / ${total.toLocaleString('en-GB')}` : ''} events, ${Math.round(rate).toLocaleString('en-GB')} events/s${eta}   `,
    );
  };
  const events = await runner.rebuild(name, (done) => draw(done));
  draw(events, true);
  process.stderr.write('\n');
  const elapsed = seconds();
  console.log(`rebuilt ${name}: ${events} events in ${elapsed.toFixed(2)} s (${Math.round(events / Math.max(elapsed, 1e-9))} events/s)`);
}

async function printStatus(store: EventStore, where: string): Promise<void> {
  const categories = new Map<string, Set<string>>();
  let events = 0;
  let last = null;
  for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
    const read = await store.readAll({ after, limit: 5_000 });
    for (const event of read.events) {
      const category = event.streamId.split('-')[0] ?? event.streamId;
      if (!categories.has(category)) categories.set(category, new Set());
      categories.get(category)?.add(event.streamId);
    }
    events += read.events.length;
    after = read.next;
    last = read.next;
    if (read.endOfLog) break;
  }
  console.log(`event store: ${where}`);
  console.log(`events: ${events}`);
  for (const [category, ids] of [...categories].sort()) console.log(`streams ${category}: ${ids.size}`);
  console.log(`last position: ${last ? formatPosition(last) : 'none'}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
