// Child process of kill-during-appends.spec.ts: appends events as fast as it can and writes each
// acknowledged append's event ids to stdout, one line per append, until it is killed.
// Runs the compiled store (dist/), as a deployed process would.
const { randomUUID } = require('node:crypto');
const { PgliteSqlClient, PgSqlClient } = require('../../dist/libs/sql/src');
const { PostgresEventStore } = require('../../dist/libs/event-store/src/postgres');
const { eventIdsFor } = require('../../dist/libs/event-store/src/event-ids');

async function main() {
  const [kind, target, schema] = process.argv.slice(2);
  const client = kind === 'pglite' ? await PgliteSqlClient.open(target) : new PgSqlClient({ connectionString: target, max: 2 });
  const store = await PostgresEventStore.open(client, { schema });
  process.stdout.write('ready\n');
  for (let i = 0; ; i += 1) {
    const commandId = randomUUID();
    const ids = eventIdsFor(commandId, 1 + (i % 3));
    const events = ids.map((eventId, n) => ({
      type: 'SchoolAttendanceRecorded',
      data: { n, i },
      metadata: { eventId, commandId, correlationId: commandId, causationId: commandId, actor: { userId: 'crash-test', role: 'admin' }, recordedAt: '2016-01-01T00:00:00.000Z', schemaVersion: 1 },
    }));
    const result = await store.append(`family-crash-${i % 40}`, events, { expectedVersion: 'any' });
    if (result.kind !== 'appended') throw new Error('unexpected conflict');
    process.stdout.write(`${ids.join(',')}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
