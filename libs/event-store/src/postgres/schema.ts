import { applyMigrations, type Migration, quoteIdent, type SqlClient } from '@ledger/sql';

/**
 * The event store's tables, as ordered migrations. Applied under an advisory lock so several
 * processes starting together migrate once. A migration is never edited after release: add one.
 */
export function eventStoreMigrations(schema: string): (Migration & { sql: string })[] {
  const s = quoteIdent(schema);
  return [
    {
      id: 1,
      name: 'events and streams',
      sql: `
        create table ${s}.streams (
          stream_id text primary key,
          category text not null,
          version bigint not null check (version >= 0)
        );
        -- global_position orders events inside one transaction; transaction_id orders transactions.
        -- Readers order and checkpoint by (transaction_id, global_position) and never pass a
        -- transaction still in flight, so out-of-order commits never make a reader skip an event.
        create table ${s}.events (
          global_position bigint generated always as identity primary key,
          transaction_id xid8 not null default pg_current_xact_id(),
          stream_id text not null,
          version bigint not null check (version >= 1),
          event_id uuid not null,
          category text not null,
          type text not null,
          data jsonb not null,
          metadata jsonb not null,
          recorded_at timestamptz not null default now()
        );
        create unique index events_stream_version on ${s}.events (stream_id, version);
        create unique index events_event_id on ${s}.events (event_id);
        create index events_log_order on ${s}.events (transaction_id, global_position);
        create index events_category_log_order on ${s}.events (category, transaction_id, global_position);
      `,
    },
    {
      id: 2,
      name: 'append in one call',
      sql: '',
      // One statement (a procedural body: not split on semicolons). The same steps as the store's
      // append used to send one by one: an idempotent retry answers with the first recording;
      // otherwise the stream row is locked, the expected version checked (a conflict is a value),
      // the stream's version moved, the events inserted and the log's listeners woken.
      statements: [appendEventsFunction(s, `perform pg_notify(p_channel, '');`)],
    },
    {
      id: 3,
      name: 'notify after commit',
      sql: '',
      // A NOTIFY inside the writing transaction holds PostgreSQL's one notification lock until the
      // commit is flushed, so every appending transaction waited for every other's fsync, which
      // cut the commit rate of concurrent writers. The store
      // now passes no channel and sends the NOTIFY once the append has committed; a caller that
      // still passes one (an older build during a rolling upgrade) is woken as before.
      statements: [appendEventsFunction(s, `if p_channel is not null then perform pg_notify(p_channel, ''); end if;`)],
    },
    {
      id: 4,
      name: 'append a group in one call',
      sql: '',
      // Group commit (issue 22.2): several appends (to any streams) in one statement and so one
      // transaction and one commit. Each runs append_events in a block of its own (a savepoint):
      // an error rolls back that append only and is answered for it (its SQLSTATE and message),
      // the others go on. They run in order, so an append sees those before it in the group.
      // Events arrive as flat arrays; p_counts says how many belong to each append. The JSON is
      // passed as text and cast inside the block, so bad JSON fails only its own append.
      statements: [appendGroupFunction(s)],
    },
    {
      id: 5,
      name: 'append to several streams at once',
      sql: '',
      // Issue 22.3: appends to a few streams in one statement, all or nothing (an attachment and
      // the place of the allocation it takes, in one round trip). Each runs append_events in turn
      // in one block: a conflict in any rolls the block back, so nothing is recorded, and every
      // append's outcome is answered. Errors are not caught: the statement fails as a whole.
      statements: [appendAtomicFunction(s)],
    },
  ];
}

/** The append_events_atomic function (migration 5). */
function appendAtomicFunction(s: string): string {
  return `create or replace function ${s}.append_events_atomic(p_streams text[], p_categories text[], p_expected text[], p_counts int[], p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[])
           returns table (r_outcome text, r_version bigint, r_transaction_id text, r_global_position text, r_actual bigint)
           language plpgsql as $body$
         declare
           v_from int := 0;
           v_to int;
           v_conflict boolean := false;
           v_outcomes text[] := '{}';
           v_versions bigint[] := '{}';
           v_transactions text[] := '{}';
           v_positions text[] := '{}';
           v_actuals bigint[] := '{}';
           a record;
         begin
           begin
             for i in 1..cardinality(p_streams) loop
               v_to := v_from + p_counts[i];
               select * into a from ${s}.append_events(p_streams[i], p_categories[i], p_expected[i], p_ids[v_from + 1 : v_to], p_types[v_from + 1 : v_to],
                                                      p_data[v_from + 1 : v_to], p_metadata[v_from + 1 : v_to], null);
               v_outcomes := array_append(v_outcomes, a.outcome);
               v_versions := array_append(v_versions, a.version);
               v_transactions := array_append(v_transactions, a.transaction_id);
               v_positions := array_append(v_positions, a.global_position);
               v_actuals := array_append(v_actuals, a.actual);
               if a.outcome = 'conflict' then
                 v_conflict := true;
               end if;
               v_from := v_to;
             end loop;
             if v_conflict then
               raise exception 'a version conflict: nothing is appended' using errcode = 'LD003';
             end if;
           exception when sqlstate 'LD003' then
             -- Every append of the block is rolled back; the outcomes (kept in variables) say which conflicted.
             null;
           end;
           return query select u.o, u.v, u.t, u.g, u.a
             from unnest(v_outcomes, v_versions, v_transactions, v_positions, v_actuals) with ordinality as u(o, v, t, g, a, n) order by u.n;
         end
         $body$`;
}

/** The append_events_group function (migration 4). */
function appendGroupFunction(s: string): string {
  return `create or replace function ${s}.append_events_group(p_streams text[], p_categories text[], p_expected text[], p_counts int[], p_ids uuid[], p_types text[], p_data text[], p_metadata text[])
           returns table (r_outcome text, r_version bigint, r_transaction_id text, r_global_position text, r_actual bigint, r_code text, r_message text)
           language plpgsql as $body$
         declare
           v_from int := 0;
           v_to int;
         begin
           for i in 1..cardinality(p_streams) loop
             v_to := v_from + p_counts[i];
             r_code := null;
             r_message := null;
             begin
               select a.outcome, a.version, a.transaction_id, a.global_position, a.actual
                 into r_outcome, r_version, r_transaction_id, r_global_position, r_actual
                 from ${s}.append_events(p_streams[i], p_categories[i], p_expected[i], p_ids[v_from + 1 : v_to], p_types[v_from + 1 : v_to],
                                         p_data[v_from + 1 : v_to]::jsonb[], p_metadata[v_from + 1 : v_to]::jsonb[], null) a;
             exception when others then
               r_outcome := 'error';
               r_version := null;
               r_transaction_id := null;
               r_global_position := null;
               r_actual := null;
               r_code := sqlstate;
               r_message := sqlerrm;
             end;
             return next;
             v_from := v_to;
           end loop;
         end
         $body$`;
}

/** The append_events function (see migrations 2 and 3), ending with `notify`. */
function appendEventsFunction(s: string, notify: string): string {
  return `create or replace function ${s}.append_events(p_stream text, p_category text, p_expected text, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[], p_channel text)
           returns table (outcome text, version bigint, transaction_id text, global_position text, actual bigint)
           language plpgsql as $body$
         #variable_conflict use_column
         declare
           v_found bigint;
           v_elsewhere boolean;
           v_actual bigint;
           v_count bigint := cardinality(p_ids);
         begin
           for attempt in 1..2 loop
             select count(*), coalesce(bool_or(e.stream_id <> p_stream), false) into v_found, v_elsewhere from ${s}.events e where e.event_id = any(p_ids);
             if v_found > 0 then
               if v_found <> v_count or v_elsewhere then
                 raise exception 'event ids of this append are already recorded for other events (command id reused?)' using errcode = 'LD001';
               end if;
               return query select 'idempotent'::text, max(e.version) over (), e.transaction_id::text, e.global_position::text, null::bigint
                 from ${s}.events e where e.event_id = any(p_ids) order by e.global_position desc limit 1;
               return;
             end if;
             if attempt = 2 then
               return query select 'conflict'::text, null::bigint, null::text, null::text, v_actual;
               return;
             end if;
             select st.version into v_actual from ${s}.streams st where st.stream_id = p_stream for update;
             v_actual := coalesce(v_actual, 0);
             if p_expected = 'any' or (p_expected = 'no_stream' and v_actual = 0) or (p_expected = 'stream_exists' and v_actual > 0) or p_expected = v_actual::text then
               exit;
             end if;
             -- A concurrent try of the same command may have committed while we waited for the lock.
           end loop;
           if v_actual = 0 then
             insert into ${s}.streams (stream_id, category, version) values (p_stream, p_category, v_count) on conflict (stream_id) do nothing;
             if not found then
               raise exception 'stream created concurrently' using errcode = 'LD002';
             end if;
           else
             update ${s}.streams set version = v_actual + v_count where stream_id = p_stream;
           end if;
           return query
             with inserted as (
               insert into ${s}.events (stream_id, category, version, event_id, type, data, metadata)
               select p_stream, p_category, v_actual + u.n, u.id, u.type, u.data, u.metadata
                 from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, n)
               returning events.transaction_id, events.global_position)
             select 'appended'::text, v_actual + v_count, i.transaction_id::text, i.global_position::text, v_actual
               from inserted i order by i.global_position desc limit 1;
           ${notify}
         end
         $body$`;
}

export async function migrateEventStore(client: SqlClient, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await client.transaction(async (tx) => {
    // One lock id per schema so parallel test schemas do not wait for each other.
    await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-event-store:${schema}`]);
    await tx.query(`create schema if not exists ${s}`);
    await applyMigrations(tx, schema, 'event_store_migrations', eventStoreMigrations(schema));
  });
}
