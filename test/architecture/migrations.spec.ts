import { randomBytes, randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/projections';
import { installAccessLog } from '@ledger/application';
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
    expect(await applied('read.projection_migrations')).toEqual(['checkpoints and live versions', 'reporting results']);
    const tables = (await sql.query<{ t: string }>(`select table_schema || '.' || table_name as t from information_schema.tables where table_schema in ('ledger', 'read') order by 1`)).map((r) => r.t);
    expect(tables).toEqual(
      expect.arrayContaining([
        'ledger.events',
        'ledger.streams',
        'ledger.person_keys',
        'ledger.person_search_tokens',
        'read.projection_checkpoints',
        'read.projection_versions',
        'read.reporting_results',
      ]),
    );
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

  it('makes the access log by its own migrations, once, however often it is installed', async () => {
    expect(await installAccessLog(sql, 'ledger')).toBe('created');
    expect(await installAccessLog(sql, 'ledger')).toBe('existed');
    expect(await applied('ledger.access_log_migrations')).toEqual(['access log']);
    await sql.query(`insert into ledger.access_log (at, user_id, role, route, outcome, purpose) values (now(), 'u', 'admin', 'GET /x', 'served', 'administration')`);
    await expect(sql.query(`update ledger.access_log set user_id = 'v'`)).rejects.toThrow(/append-only/);
  });

  it('adopts an access log made at start before there was a runner, without a second index or trigger', async () => {
    // The log as the api made it at start before issue 14.3: unnamed indexes, the same triggers.
    await sql.query(`create schema ledger`);
    await sql.query(`create table ledger.access_log (id bigserial primary key, at timestamptz not null, user_id text not null, role text not null, organisation text,
      route text not null, outcome text not null, family_id uuid, member_ids text[] not null default '{}', purpose text not null)`);
    await sql.query(`create index on ledger.access_log using gin (member_ids)`);
    await sql.query(`create index on ledger.access_log (family_id, id)`);
    await sql.query(`create or replace function ledger.access_log_is_append_only() returns trigger language plpgsql as $$ begin raise exception 'the access log is append-only'; end $$`);
    await sql.query(`create trigger access_log_no_rewrite before update or delete on ledger.access_log for each row execute function ledger.access_log_is_append_only()`);
    await sql.query(`create trigger access_log_no_truncate before truncate on ledger.access_log for each statement execute function ledger.access_log_is_append_only()`);
    await sql.query(`insert into ledger.access_log (at, user_id, role, route, outcome, purpose) values (now(), 'u', 'admin', 'GET /x', 'served', 'administration')`);

    expect(await installAccessLog(sql, 'ledger')).toBe('existed');
    expect(await applied('ledger.access_log_migrations')).toEqual(['access log']);
    const indexes = await sql.query<{ n: number }>(`select count(*)::int as n from pg_indexes where schemaname = 'ledger' and tablename = 'access_log'`);
    expect(indexes[0]?.n).toBe(3);
    const triggers = await sql.query<{ n: number }>(`select count(*)::int as n from pg_trigger where tgrelid = 'ledger.access_log'::regclass and not tgisinternal`);
    expect(triggers[0]?.n).toBe(2);
    expect((await sql.query<{ n: number }>(`select count(*)::int as n from ledger.access_log`))[0]?.n).toBe(1);
    await expect(sql.query(`delete from ledger.access_log`)).rejects.toThrow(/append-only/);
  });

  it('adopts reporting results made at start before there was a migration, keeping its rows', async () => {
    const store = await PostgresEventStore.open(sql, { schema: 'ledger' });
    await sql.query(`create schema read`);
    await sql.query(
      `create table read.reporting_results (family_id uuid not null, as_of date not null, sustained_progress boolean not null, continuous_employment boolean not null, plan_version int not null, primary key (family_id, as_of))`,
    );
    await sql.query(`insert into read.reporting_results values ($1, '2026-03-31', true, false, 1)`, [randomUUID()]);
    await new ProjectionRunner(store, sql, [], { schema: 'read' }).prepare();
    expect(await applied('read.projection_migrations')).toEqual(['checkpoints and live versions', 'reporting results']);
    expect((await sql.query<{ n: number }>(`select count(*)::int as n from read.reporting_results`))[0]?.n).toBe(1);
  });
});
