import { FamilyQueries, FamilyReadModelsProjection, type Projection, ProjectionRunner } from '@ledger/projections';
import { PostgresEventStore, type SqlClient, quoteIdent } from '@ledger/event-store';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { collectAll } from '../contract/event-store.contract';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { uniqueSchema } from '../support/stores';

/**
 * The projection's promises: re-applying a batch changes nothing, a rebuild equals the result of
 * incremental processing, and batch size does not matter.
 */
describe.each(storeKinds)('the family read models on %s', (kind) => {
  let t: TestApp;
  const schemas: string[] = [];
  const schemaFor = (): string => {
    const schema = uniqueSchema('rm');
    schemas.push(schema);
    return schema;
  };
  beforeAll(async () => {
    t = await startTestApp(kind, { LEDGER_DEMO_FAMILIES: '8', LEDGER_DEMO_SEED: '11' });
    await t.app.get(DemoSeeder).seedIfEmpty();
  });
  afterAll(async () => {
    for (const schema of schemas) await t.stores.sql.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
    await t.close();
  });

  it('gives the same tables whatever the batch size, and a rebuild equals the incremental result', async () => {
    const small = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor(), batchSize: 7, inDatabase: false });
    const large = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor(), batchSize: 5_000, inDatabase: false });
    await small.catchUp();
    await large.catchUp();
    const incremental = await snapshot(t.stores.sql, small);
    expect(incremental.family_summary?.length).toBe(8);
    expect(incremental.family_facts?.length).toBeGreaterThan(8 * 10);
    expect((incremental.family_summary as { status: string }[]).some((row) => row.status === 'attached')).toBe(true);
    expect((incremental.family_summary as { status: string }[]).some((row) => row.status === 'closed')).toBe(true);
    expect(incremental.programme_settings?.length).toBe(1);
    expect(await snapshot(t.stores.sql, large)).toEqual(incremental);

    const rebuilt = await small.rebuild('family-read-models');
    expect(rebuilt).toBeGreaterThan(0);
    expect(await snapshot(t.stores.sql, small)).toEqual(incremental);
  });

  it("applies in SQL over the store's own table exactly what it applies event by event, at any batch size", async () => {
    // The store keeps the log in the read models' database, so the runner's default is SQL.
    expect(t.stores.eventStore.logInDatabase?.(t.stores.sql)).toBeTruthy();
    const viaNode = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor(), inDatabase: false });
    const events = await viaNode.catchUp();
    const expected = await snapshot(t.stores.sql, viaNode);
    for (const size of [7, 13, 5_000]) {
      let batches = 0;
      const inSql = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], {
        schema: schemaFor(),
        inDatabaseBatchSize: size,
        onBatch: () => (batches += 1),
      });
      const applied = await inSql.catchUp();
      expect(applied).toBe(events);
      expect(batches).toBe(Math.ceil(applied / size));
      expect(await snapshot(t.stores.sql, inSql)).toEqual(expected);
      if (size === 13) {
        expect(await inSql.rebuild('family-read-models')).toBe(applied);
        const { family_results_due: marks, ...rebuilt } = await snapshot(t.stores.sql, inSql);
        const { family_results_due: expectedMarks, ...rest } = expected;
        expect(rebuilt).toEqual(rest);
        // A rebuild marks every family once, at the end of the log it read: the same families
        // as event by event, each at or after its last change (so any later change moves it on).
        type Mark = { family_id: string; mark_commit: string | number; mark_prepare: string | number };
        const at = (m: Mark): [bigint, bigint] => [BigInt(m.mark_commit), BigInt(m.mark_prepare)];
        expect((marks as Mark[]).map((m) => m.family_id)).toEqual((expectedMarks as Mark[]).map((m) => m.family_id));
        expect(new Set((marks as Mark[]).map((m) => at(m).join('/'))).size).toBe(1);
        for (const [i, mark] of (marks as Mark[]).entries()) {
          const [c, p] = at(mark);
          const [ec, ep] = at((expectedMarks as Mark[])[i] as Mark);
          expect(c > ec || (c === ec && p >= ep)).toBe(true);
        }
        expect((marks as Mark[]).length).toBe(8);
      }
    }
    // A store whose log is elsewhere (another client) is read through the store.
    expect(t.stores.eventStore.logInDatabase?.({})).toBeNull();
  });

  it('rebuilds its tables with the keys and indexes they are made with, from a log of one range, of many, or empty', async () => {
    // A store with an empty log beside the seeded one (on the same client, which the test app closes).
    const empty = await PostgresEventStore.open(t.stores.sql, { schema: schemaFor() });
    for (const [store, size] of [
      [t.stores.eventStore, 50_000],
      [t.stores.eventStore, 13],
      [empty, 50_000],
    ] as const) {
      const runner = new ProjectionRunner(store, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor(), inDatabaseBatchSize: size });
      await runner.prepare();
      const made = await keysAndIndexes(t.stores.sql, runner);
      expect(made.filter((row) => row.startsWith('family_facts_v1:'))).toEqual([
        'family_facts_v1: CREATE UNIQUE INDEX ON family_facts_v1 USING btree (family_id, version)',
        'family_facts_v1: p PRIMARY KEY (family_id, version)',
      ]);
      expect(made.filter((row) => row.startsWith('family_summary_v1:')).length).toBe(5);
      expect((await runner.rebuild('family-read-models')) > 0).toBe(store !== empty);
      expect(await keysAndIndexes(t.stores.sql, runner)).toEqual(made);
    }
  });

  it('reads the attached families a page at a time, each once, whatever the page size', async () => {
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor() });
    await runner.catchUp();
    const queries = new FamilyQueries(t.stores.sql, runner);
    const summary = await runner.liveTable('family-read-models', 'family_summary');
    const attached = (await t.stores.sql.query<{ family_id: string }>(`select family_id::text as family_id from ${summary} where attached_on is not null order by family_id`)).map((r) => r.family_id);
    expect(attached.length).toBeGreaterThan(3);
    const whole = await queries.facts(attached);
    for (const size of [1, 2, 3, attached.length, attached.length + 5]) {
      const pages: Map<string, unknown>[] = [];
      for await (const page of queries.attachedFactPages(undefined, size)) pages.push(page);
      const sizes = Array.from({ length: Math.ceil(attached.length / size) }, (_, i) => Math.min(size, attached.length - i * size));
      expect(pages.map((p) => p.size)).toEqual(sizes);
      expect(pages.flatMap((p) => [...p.keys()])).toEqual(attached);
      expect(new Map(pages.flatMap((p) => [...p]))).toEqual(whole);
    }
    // A caller that stops after the first page leaves the pages read ahead to settle quietly.
    for await (const page of queries.attachedFactPages(undefined, 1)) {
      expect(page.size).toBe(1);
      break;
    }
  });

  it('lists the families a page at a time after the last one given, each once, in family id order', async () => {
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor() });
    await runner.catchUp();
    const queries = new FamilyQueries(t.stores.sql, runner);
    const summary = await runner.liveTable('family-read-models', 'family_summary');
    const all = (await t.stores.sql.query<{ family_id: string }>(`select family_id::text as family_id from ${summary} order by family_id`)).map((r) => r.family_id);
    for (const limit of [1, 3, all.length]) {
      const listed: string[] = [];
      for (let after: string | undefined; ;) {
        const page = await queries.list({ limit, ...(after ? { after } : {}) });
        listed.push(...page.families.map((f) => f.familyId));
        if (!page.next) break;
        after = page.next;
      }
      expect(listed).toEqual(all);
    }
  });

  it('changes nothing when the same range is applied twice in SQL', async () => {
    const projection = new FamilyReadModelsProjection();
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [projection], { schema: schemaFor() });
    await runner.catchUp();
    const before = await snapshot(t.stores.sql, runner);
    const log = t.stores.eventStore.logInDatabase?.(t.stores.sql);
    if (!log) throw new Error('the store should offer its log in SQL');
    const first = await log.nextRange(null, 200, projection.categories);
    const all = await log.nextRange(null, 1_000_000, projection.categories);
    if (!first || !all) throw new Error('the log should not be empty');
    const table = tableOf(runner, projection);
    for (const upTo of [first.upTo, all.upTo]) {
      await t.stores.sql.transaction(async (tx) => {
        for (const part of projection.applyInDatabase) await part(tx, { events: (category, types) => log.events({ after: null, upTo }, category, types) }, table);
      });
    }
    expect(await snapshot(t.stores.sql, runner)).toEqual(before);
  });

  it('changes nothing when the same batch is applied twice', async () => {
    const projection = new FamilyReadModelsProjection();
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [projection], { schema: schemaFor() });
    await runner.catchUp();
    const before = await snapshot(t.stores.sql, runner);
    const events = (await collectAll(t.stores.eventStore, 1_000)).filter((e) => projection.categories.includes(e.streamId.split('-')[0] as never));
    const table = tableOf(runner, projection);
    await t.stores.sql.transaction((tx) => projection.apply(tx, events.slice(0, 200), table));
    await t.stores.sql.transaction((tx) => projection.apply(tx, events, table));
    expect(await snapshot(t.stores.sql, runner)).toEqual(before);
  });

  it('answers callers who ask while a catch-up is still queued with that one catch-up (issue 22.6), never with one already running', async () => {
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor() });
    await runner.catchUp();
    // Twenty reads arrive at once: the first queues a catch-up, the others share it (it starts after all of them asked).
    const calls = Array.from({ length: 20 }, () => runner.catchUp());
    expect(new Set(calls).size).toBe(1);
    await Promise.all(calls);
    // A caller arriving once a catch-up has started gets the next one, which reads what it wrote.
    const started = runner.catchUp();
    await new Promise((resolve) => setImmediate(resolve));
    const next = runner.catchUp();
    expect(next).not.toBe(started);
    await Promise.all([started, next]);
    // Another projection's own catch-up (a rebuild's) is never merged into the whole one.
    const all = runner.catchUp();
    expect(runner.catchUp(['family-read-models'])).not.toBe(all);
    await all;
  });

  it('a second runner on the same tables never applies a batch twice', async () => {
    const schema = schemaFor();
    const a = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema, batchSize: 50 });
    const b = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema, batchSize: 50 });
    await Promise.all([a.catchUp(), b.catchUp()]);
    const alone = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema: schemaFor() });
    await alone.catchUp();
    expect(await snapshot(t.stores.sql, a)).toEqual(await snapshot(t.stores.sql, alone));
  });
});

describe('a new version of a projection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { LEDGER_DEMO_FAMILIES: '5', LEDGER_DEMO_SEED: '3' });
    await t.app.get(DemoSeeder).seedIfEmpty();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is built from position zero into new tables while the old version serves, then replaces it', async () => {
    const schema = uniqueSchema('rm');
    const v1 = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new FamilyReadModelsProjection()], { schema });
    await v1.catchUp();
    const served = await snapshot(t.stores.sql, v1);

    class Version2 extends FamilyReadModelsProjection {
      override readonly version = 2;
    }
    const v2 = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [new Version2()], { schema });
    await v2.prepare();
    // Prepared but not caught up: queries still read version 1.
    expect(await v2.liveTable('family-read-models', 'family_summary')).toBe(`"${schema}"."family_summary_v1"`);
    expect(await snapshot(t.stores.sql, v2)).toEqual(served);

    await v2.catchUp();
    expect(await v2.liveTable('family-read-models', 'family_summary')).toBe(`"${schema}"."family_summary_v2"`);
    expect(await snapshot(t.stores.sql, v2)).toEqual(served);
    const [old] = await t.stores.sql.query<{ found: string | null }>(`select to_regclass($1)::text as found`, [`"${schema}"."family_summary_v1"`]);
    expect(old?.found).toBeNull();
    expect((await v2.status()).map((s) => `${s.name} v${s.version} ${s.state}`)).toEqual(['family-read-models v2 live']);
  });
});

/** Each live table's indexes (without their names) and constraints, as text. */
async function keysAndIndexes(sql: SqlClient, runner: ProjectionRunner): Promise<string[]> {
  const rows: string[] = [];
  for (const base of new FamilyReadModelsProjection().tables) {
    const table = await runner.liveTable('family-read-models', base);
    const name = `${base}_v1`;
    const indexes = await sql.query<{ def: string }>(`select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = $1::regclass`, [table]);
    const constraints = await sql.query<{ def: string }>(`select contype::text || ' ' || pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1::regclass and contype <> 'n'`, [
      table,
    ]);
    for (const { def } of indexes) rows.push(`${name}: ${def.replace(/INDEX \S+ ON \S+/, `INDEX ON ${name}`)}`);
    for (const { def } of constraints) rows.push(`${name}: ${def}`);
  }
  return rows.sort();
}

function tableOf(runner: ProjectionRunner, projection: Projection) {
  const schema = (runner as unknown as { schema: string }).schema;
  return (base: string) => `${quoteIdent(schema)}.${quoteIdent(`${base}_v${projection.version}`)}`;
}

async function snapshot(sql: SqlClient, runner: ProjectionRunner): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const base of new FamilyReadModelsProjection().tables) {
    const table = await runner.liveTable('family-read-models', base);
    out[base] = await sql.query(`select * from ${table} order by 1, 2`);
  }
  return out;
}
