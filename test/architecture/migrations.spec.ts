import { randomBytes, randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/projections';
import { KeyVault } from '@ledger/privacy';
import { PgliteSqlClient, type SqlClient } from '@ledger/sql';

/**
 * Issue 14.3: every layer's tables come from the one migration runner (libs/sql), each layer
 * recording what it applied; a table made before there was a runner is adopted, not refused.
 */
describe('the migration runner', () => {
  let sql: SqlClient;
  beforeEach(async () => {
    sql = await PgliteSqlClient.open('memory://');
  });
  afterEach(async () => {
    await sql.close();
  });

  const applied = async (table: string): Promise<string[]> => (await sql.query<{ name: string }>(`select name from ${table} order by id`)).map((r) => r.name);

  it('makes the event store, the person keys, the search tokens and the projection bookkeeping, each recorded once', async () => {
    const store = await PostgresEventStore.open(sql, { schema: 'ledger' });
    const masterKey = randomBytes(32);
    await KeyVault.open(sql, { schema: 'ledger', masterKey });
    await KeyVault.open(sql, { schema: 'ledger', masterKey });
    const runner = new ProjectionRunner(store, sql, [], { schema: 'read' });
    await runner.prepare();
    expect((await applied('ledger.event_store_migrations')).length).toBeGreaterThan(0);
    expect(await applied('ledger.privacy_migrations')).toEqual(['person keys', 'person search tokens']);
    expect(await applied('read.projection_migrations')).toEqual(['checkpoints and live versions']);
    const tables = (await sql.query<{ t: string }>(`select table_schema || '.' || table_name as t from information_schema.tables where table_schema in ('ledger', 'read') order by 1`)).map((r) => r.t);
    expect(tables).toEqual(expect.arrayContaining(['ledger.events', 'ledger.streams', 'ledger.person_keys', 'ledger.person_search_tokens', 'read.projection_checkpoints', 'read.projection_versions']));
  });

  it('adopts a person-key table made before there was a runner, keeping its keys', async () => {
    await sql.query(`create schema ledger`);
    await sql.query(`create table ledger.person_keys (person_id text primary key, wrapped_key bytea, created_at timestamptz not null default now(), erased_at timestamptz, erasure_reason text)`);
    const masterKey = randomBytes(32);
    const person = randomUUID();
    const first = await KeyVault.open(sql, { schema: 'ledger', masterKey });
    const made = await first.keysFor([person], { create: true });
    await sql.query(`drop table ledger.privacy_migrations`);
    const again = await KeyVault.open(sql, { schema: 'ledger', masterKey });
    expect((await again.keysFor([person], { create: false })).get(person)).toEqual(made.get(person));
    expect(await applied('ledger.privacy_migrations')).toEqual(['person keys', 'person search tokens']);
  });
});
