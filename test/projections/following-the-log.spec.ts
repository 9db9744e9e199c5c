import { registerUser } from '@ledger/application';
import { PgSqlClient, PostgresEventStore, type RecordedEvent, type SqlTx, quoteIdent } from '@ledger/event-store';
import { type Projection, ProjectionRunner, type TableNamer, tableExists, UserQueries, UsersProjection } from '@ledger/projections';
import { collectingSubscriber, events, olderTransaction, streamName } from '../contract/event-store.contract';
import { openPostgresStore, uniqueSchema } from '../support/stores';
import { describeWhen, testEnv } from '../support/test-env';

/** A projection that keeps the ids of the events of one category it was given. */
class Seen implements Projection {
  readonly version = 1;
  readonly tables: readonly string[];
  readonly categories: readonly string[];
  constructor(
    readonly name: string,
    category: string,
    private readonly onApply: (events: readonly RecordedEvent[]) => Promise<void> = async () => undefined,
  ) {
    this.categories = [category];
    this.tables = [`seen_${name}`];
  }
  async createTables(tx: SqlTx, table: TableNamer): Promise<void> {
    const seen = table(`seen_${this.name}`);
    if (!(await tableExists(tx, seen))) await tx.query(`create table ${seen} (event_id text primary key)`);
  }
  async apply(tx: SqlTx, events: readonly RecordedEvent[], table: TableNamer): Promise<void> {
    await this.onApply(events);
    for (const e of events) await tx.query(`insert into ${table(`seen_${this.name}`)} (event_id) values ($1) on conflict do nothing`, [e.metadata.eventId]);
  }
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The runner's reads of the log on PostgreSQL, where other connections append and hold
 * transactions open while it reads: following the log misses nothing appended during its first
 * catch-up, and a settled read waits for a write that committed before it began.
 */
describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('following the log on PostgreSQL', () => {
  let opened: { store: PostgresEventStore; drop: () => Promise<void> };
  const schemas: string[] = [];
  const schemaFor = (): string => {
    const schema = uniqueSchema('follow');
    schemas.push(schema);
    return schema;
  };
  beforeAll(async () => {
    opened = await openPostgresStore();
  });
  afterAll(async () => {
    for (const schema of schemas) await opened.store.sqlClient.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
    await opened.drop();
  });

  it('delivers an event appended while an earlier projection caught up and a later one read past it (the 15.1 restart under load)', async () => {
    const { store } = opened;
    const alpha = `alpha${uniqueSchema('')}`;
    const xray = `xray${uniqueSchema('')}`;
    await store.append(`${alpha}-1`, events(1));
    // Shown in the log first: a transaction begun earlier elsewhere on the server (another suite's)
    // can hide it for a moment, and the runner's first catch-up would then find nothing to apply.
    expect(await until(async () => (await store.readAll({ filter: { categories: [alpha] } })).events.length === 1, 10_000)).toBe(true);
    let injected = false;
    // While the first projection applies its batch, another writer appends one event of each
    // category: the first projection has already read, the second reads both.
    const first = new Seen('first', alpha, async () => {
      if (injected) return;
      injected = true;
      await store.append(`${alpha}-2`, events(1));
      await store.append(`${xray}-1`, events(1));
    });
    const second = new Seen('second', xray);
    const runner = new ProjectionRunner(store, store.sqlClient, [first, second], { schema: schemaFor() });
    await runner.start();
    try {
      expect(injected).toBe(true);
      const seen = async (): Promise<number> => Number((await store.sqlClient.query<{ n: string }>(`select count(*)::text as n from ${await runner.liveTable('first', 'seen_first')}`))[0]?.n);
      expect(await until(async () => (await seen()) === 2, 3_000)).toBe(true);
    } finally {
      await runner.stop();
    }
  });

  it('wakes a subscriber for an event that committed behind an older open transaction once that transaction ends, without a NOTIFY or a poll', async () => {
    const schema = schemaFor();
    // Polling once a minute: only the store's own re-read can deliver within the test's seconds.
    const store = await PostgresEventStore.open(new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 4 }), { schema, pollIntervalMs: 60_000 });
    const subscription = collectingSubscriber(store);
    const older = olderTransaction(store.sqlClient);
    try {
      expect(await until(async () => subscription.caughtUp(), 5_000)).toBe(true);
      await older.started;
      // Its NOTIFY wakes the subscriber while the event cannot yet be read; the older transaction
      // then ends with no NOTIFY of its own.
      await store.append(streamName('family'), events(1));
      await new Promise((resolve) => setTimeout(resolve, 300));
      older.release();
      await older.ended;
      expect(await until(async () => subscription.seen.length === 1, 3_000)).toBe(true);
    } finally {
      older.release();
      await older.ended;
      await subscription.stop();
      await store.close();
    }
  });

  it("answers a settled read at once when its projections have applied everything committed, not behind another projection's catch-up", async () => {
    const { store } = opened;
    const alpha = `alpha${uniqueSchema('')}`;
    const bravo = `bravo${uniqueSchema('')}`;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let blocking = false;
    const slow = new Seen('slow', alpha, async () => {
      if (blocking) await gate;
    });
    const quick = new Seen('quick', bravo);
    const runner = new ProjectionRunner(store, store.sqlClient, [slow, quick], { schema: schemaFor() });
    await store.append(`${bravo}-1`, events(1));
    await runner.catchUp();
    // A catch-up of the slow projection is under way (its batch waits at the gate).
    blocking = true;
    await store.append(`${alpha}-1`, events(1));
    const busy = runner.catchUp(['slow']);
    try {
      const answered = await Promise.race([runner.settle(['quick']).then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('waited'), 1_000))]);
      expect(answered).toBe('settled');
    } finally {
      open();
      await busy;
    }
    // A write to its own category still makes it wait for (and apply) that write.
    await store.append(`${bravo}-2`, events(1));
    await runner.settle(['quick']);
    const seen = Number((await store.sqlClient.query<{ n: string }>(`select count(*)::text as n from ${await runner.liveTable('quick', 'seen_quick')}`))[0]?.n);
    expect(seen).toBe(2);
  });

  it('settles a read after a write that committed while an older transaction was still open', async () => {
    const { store } = opened;
    const runner = new ProjectionRunner(store, store.sqlClient, [new UsersProjection()], { schema: schemaFor() });
    await runner.prepare();
    const users = new UserQueries(store.sqlClient, runner, { settle: true });
    const username = `kw.${uniqueSchema('u').slice(2)}`;
    // Another connection's transaction, with an id, begun before the write and still open after it.
    const older = olderTransaction(store.sqlClient);
    await older.started;
    const registered = await registerUser(
      store,
      { now: () => new Date('2019-05-01T09:00:00Z') },
      { username, password: 'a-long-password-0', role: 'keyworker' },
      { userId: 'admin.root', role: 'admin' },
      4,
    );
    expect(registered.kind).toBe('recorded');
    const timer = setTimeout(older.release, 300);
    try {
      expect((await users.users()).map((u) => u.username)).toContain(username);
    } finally {
      clearTimeout(timer);
      older.release();
      await older.ended;
    }
  });
});
