import { loadConfig } from '@ledger/config';
import { type EventStore, formatPosition, openStores } from '@ledger/event-store';

const USAGE = `usage: npm run cli -- <command>

commands:
  status     what the event store holds: events, streams per category, last position
  help       this text`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    for (const line of loaded.errors) console.error(`configuration error: ${line}`);
    return 1;
  }
  if (command !== 'status') {
    console.error(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const stores = await openStores(loaded.config);
  try {
    await printStatus(stores.eventStore, `${stores.description.kind} (${stores.description.where})`);
  } finally {
    await stores.eventStore.close();
    await stores.sql.close().catch(() => undefined);
  }
  return 0;
}

async function printStatus(store: EventStore, where: string): Promise<void> {
  const categories = new Map<string, Set<string>>();
  let events = 0;
  let last = null;
  for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ; ) {
    const read = await store.readAll({ after, limit: 5_000 });
    for (const event of read.events) {
      const category = event.streamId.split('-')[0];
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
