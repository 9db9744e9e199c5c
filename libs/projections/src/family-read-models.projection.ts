import { type RecordedOutcomePlanVersion, storedPlanValue } from '@ledger/domain';
import type { JsonObject, LogPosition, RecordedEvent } from '@ledger/event-store';
import { type InDatabasePart, type LogBatch, type Projection, type TableNamer, tableExists } from './projection';
import type { SqlTx } from '@ledger/sql';

/** An upsert's conflict clause for a due mark: it only moves on in log order. */
const MOVE_MARK_ON = `on conflict (family_id) do update set
           mark_commit = case when (excluded.mark_commit, excluded.mark_prepare) > (d.mark_commit, d.mark_prepare) then excluded.mark_commit else d.mark_commit end,
           mark_prepare = case when (excluded.mark_commit, excluded.mark_prepare) > (d.mark_commit, d.mark_prepare) then excluded.mark_prepare else d.mark_prepare end`;

/** The latest configuration per council in a range of the log (one upsert may not touch a row twice). */
async function programmeSettings(tx: SqlTx, log: LogBatch, table: TableNamer): Promise<void> {
  await tx.query(
    `insert into ${table('programme_settings')} (council_id, council_name, framework, allocation, attachment_fee_basis, version)
     select distinct on (e.stream_key) e.stream_key, e.data->>'councilName', e.data->>'framework', (e.data->>'allocation')::int, e.data->>'attachmentFeeBasis', e.version
       from (${log.events('programme', ['ProgrammeConfigured'])}) e
      order by e.stream_key, e.version desc
     on conflict (council_id) do update set council_name = excluded.council_name, framework = excluded.framework, allocation = excluded.allocation,
       attachment_fee_basis = excluded.attachment_fee_basis, version = excluded.version where ${table('programme_settings')}.version < excluded.version`,
  );
}

/**
 * The family read models:
 * - `family_summary`: one row per family (status, keyworker, problems at entry, dates) for lists
 *   and filters;
 * - `family_facts`: every event of every family stream with its recording instant, which the
 *   outcome queries fold as of a date (and as known on a date);
 * - `outcome_plans` and `programme_settings`: the plan versions and the council's framework.
 * Re-applying a batch changes nothing: events are keyed by (family, version) and summary updates
 * only move forward in stream version.
 */
export class FamilyReadModelsProjection implements Projection {
  readonly name = 'family-read-models';
  readonly version: number = 1;
  /** `personalData`: an erasure changes what the rules can read of a family (a date of birth), so its results are computed again. */
  readonly categories = ['family', 'outcomePlan', 'programme', 'personalData'] as const;
  readonly tables = [
    'family_summary',
    'family_facts',
    'outcome_plans',
    'programme_settings',
    'family_results',
    'family_problem_results',
    'family_result_evidence',
    'family_results_due',
    'family_results_done',
  ] as const;

  /** Part 0 (the facts) writes `family_facts`, part 1 the other tables; without a part, all of them. */
  async createTables(tx: SqlTx, table: TableNamer, options: { deferIndexes?: boolean; part?: number } = {}): Promise<void> {
    const mine = (part: number): boolean => options.part === undefined || options.part === part;
    if (mine(1) && !(await tableExists(tx, table('family_summary')))) {
      await tx.query(`create table ${table('family_summary')} (
        family_id uuid primary key,
        reference text not null,
        status text not null,
        identified_on date not null,
        attached_on date,
        keyworker text,
        problems_at_entry text[] not null default '{}',
        closed_on date,
        version bigint not null)`);
      if (!options.deferIndexes) await this.createSummaryIndexes(tx, table);
    }
    if (mine(0) && !(await tableExists(tx, table('family_facts')))) {
      await tx.query(`create table ${table('family_facts')} (
        family_id uuid not null,
        version bigint not null,
        event_id uuid not null,
        type text not null,
        data jsonb not null,
        recorded_at timestamptz not null${
          options.deferIndexes
            ? ''
            : `,
        primary key (family_id, version)`
        })`);
    }
    if (mine(1) && !(await tableExists(tx, table('outcome_plans')))) {
      await tx.query(`create table ${table('outcome_plans')} (
        council_id text not null, version int not null, effective_from date not null, scope text not null, parameters jsonb not null,
        primary key (council_id, version))`);
    }
    // Result intervals (issue 22.4): the outcome rules run in Node on opened facts, so the
    // intervals are written by `ResultIntervalsReadModel`; here every change to a family (or to
    // the plan or framework, for all families) marks the family due, in the same transaction as
    // the facts. The mark is the log position of the latest change (it only moves on, in log
    // order); `done` keeps the mark each family's intervals were computed at, so an older
    // computation never overwrites a newer one.
    if (mine(1) && !(await tableExists(tx, table('family_results_due')))) {
      await tx.query(`create table ${table('family_results_due')} (family_id uuid primary key, mark_commit bigint not null, mark_prepare bigint not null)`);
    }
    if (mine(1) && !(await tableExists(tx, table('family_results_done')))) {
      await tx.query(`create table ${table('family_results_done')} (family_id uuid primary key, mark_commit bigint not null, mark_prepare bigint not null)`);
    }
    // A results table made on a read model that already has families (an upgrade): every
    // attached family is computed again, whatever was computed before.
    const upgrade = async () => {
      if (!(await tableExists(tx, table('family_summary')))) return;
      await tx.query(`delete from ${table('family_results_done')}`);
      await tx.query(
        `insert into ${table('family_results_due')} (family_id, mark_commit, mark_prepare) select family_id, 0, 0 from ${table('family_summary')} where attached_on is not null on conflict do nothing`,
      );
    };
    if (mine(1) && !(await tableExists(tx, table('family_results')))) {
      await tx.query(`create table ${table('family_results')} (
        family_id uuid not null, from_on date not null, until_on date, sustained_progress boolean not null, continuous_employment boolean not null, plan_version int not null,
        primary key (family_id, from_on))`);
      await upgrade();
    }
    // What a claim records of each interval (the events its result rests on, whether an override
    // meets a problem): read by claim drafts only, so kept apart from the intervals the results,
    // dashboards and feeds scan.
    if (mine(1) && !(await tableExists(tx, table('family_result_evidence')))) {
      await tx.query(
        `create table ${table('family_result_evidence')} (family_id uuid not null, from_on date not null, evidence text[] not null, overridden boolean not null, primary key (family_id, from_on))`,
      );
      await upgrade();
    }
    if (mine(1) && !(await tableExists(tx, table('family_problem_results')))) {
      await tx.query(
        `create table ${table('family_problem_results')} (family_id uuid not null, problem text not null, from_on date not null, until_on date, primary key (family_id, problem, from_on))`,
      );
      await upgrade();
    }
    if (mine(1) && !(await tableExists(tx, table('programme_settings')))) {
      await tx.query(`create table ${table('programme_settings')} (
        council_id text primary key, council_name text not null, framework text not null, allocation int not null, attachment_fee_basis text not null, version bigint not null)`);
    }
  }

  /**
   * A rebuild marks every family due once, at the position it read up to, instead of each
   * family's last event range by range (three statements a range, ~15% of a rebuild at 10k
   * events). The mark only has to be at or after the family's last change, so that any later
   * change moves it on; every family with an event has a summary row. Part 1 (it writes the
   * summaries and the marks).
   */
  async finishRebuild(tx: SqlTx, table: TableNamer, upTo: LogPosition, part?: number): Promise<void> {
    if (part !== undefined && part !== 1) return;
    await tx.query(
      `insert into ${table('family_results_due')} as d (family_id, mark_commit, mark_prepare)
       select family_id, $1::bigint, $2::bigint from ${table('family_summary')}
       ${MOVE_MARK_ON}`,
      [upTo.commit.toString(), upTo.prepare.toString()],
    );
  }

  /** Part 0: the facts' primary key; part 1: the summaries' indexes; without a part, both. */
  async createDeferredIndexes(tx: SqlTx, table: TableNamer, part?: number): Promise<void> {
    if (part === undefined || part === 0) await tx.query(`alter table ${table('family_facts')} add primary key (family_id, version)`);
    if (part === undefined || part === 1) await this.createSummaryIndexes(tx, table);
  }

  private async createSummaryIndexes(tx: SqlTx, table: TableNamer): Promise<void> {
    await tx.query(`create index on ${table('family_summary')} (status, family_id)`);
    await tx.query(`create index on ${table('family_summary')} (keyworker, family_id)`);
    await tx.query(`create index on ${table('family_summary')} using gin (problems_at_entry)`);
  }

  async apply(tx: SqlTx, events: readonly RecordedEvent[], table: TableNamer): Promise<void> {
    const family = events.filter((e) => e.streamId.startsWith('family-'));
    if (family.length > 0) {
      // One JSON document for the batch: PostgreSQL parses it once, where a jsonb[] parameter
      // would be an escaped array literal re-parsed element by element.
      await tx.query(
        `insert into ${table('family_facts')} (family_id, version, event_id, type, data, recorded_at)
         select (r->>'f')::uuid, (r->>'v')::bigint, (r->>'e')::uuid, r->>'t', r->'d', (r->>'r')::timestamptz
           from jsonb_array_elements($1::jsonb) as r
         on conflict do nothing`,
        [JSON.stringify(family.map((e) => ({ f: e.streamId.slice('family-'.length), v: e.version, e: e.metadata.eventId, t: e.type, d: e.data, r: e.metadata.recordedAt })))],
      );
    }
    // Family summaries: one set-based statement per kind of change for the whole batch (a family
    // has one identification, one attachment and one closure, applied in that order; each update
    // only moves a row forward in stream version, so re-applying a batch changes nothing).
    const rows = (type: string): Record<string, unknown>[] =>
      family.filter((e) => e.type === type).map((e) => ({ ...(e.data as Record<string, unknown>), id: e.streamId.slice('family-'.length), version: e.version }));
    const identified = rows('FamilyIdentified');
    if (identified.length > 0) {
      await tx.query(
        `insert into ${table('family_summary')} (family_id, reference, status, identified_on, version)
         select (r->>'id')::uuid, r->>'reference', 'identified', (r->>'identifiedOn')::date, (r->>'version')::bigint from jsonb_array_elements($1::jsonb) as r
         on conflict do nothing`,
        [JSON.stringify(identified.map((r) => ({ id: r.id, reference: r.reference, identifiedOn: r.identifiedOn, version: r.version })))],
      );
    }
    const attached = rows('FamilyAttached');
    if (attached.length > 0) {
      await tx.query(
        `update ${table('family_summary')} s set status = case when s.closed_on is null then 'attached' else s.status end, attached_on = (r->>'attachedOn')::date,
                keyworker = r->>'keyworker', problems_at_entry = array(select jsonb_array_elements_text(r->'problemsAtEntry')), version = (r->>'version')::bigint
           from jsonb_array_elements($1::jsonb) as r
          where s.family_id = (r->>'id')::uuid and s.version < (r->>'version')::bigint`,
        [JSON.stringify(attached.map((r) => ({ id: r.id, attachedOn: r.attachedOn, keyworker: r.keyworker, problemsAtEntry: r.problemsAtEntry, version: r.version })))],
      );
    }
    const closed = rows('FamilyCaseClosed');
    if (closed.length > 0) {
      await tx.query(
        `update ${table('family_summary')} s set status = 'closed', closed_on = (r->>'closedOn')::date, version = (r->>'version')::bigint
           from jsonb_array_elements($1::jsonb) as r
          where s.family_id = (r->>'id')::uuid and s.version < (r->>'version')::bigint`,
        [JSON.stringify(closed.map((r) => ({ id: r.id, closedOn: r.closedOn, version: r.version })))],
      );
    }
    if (family.length > 0) {
      // Log order: the last event of each family in the batch carries its mark.
      const marks = new Map<string, LogPosition>();
      for (const e of family) marks.set(e.streamId.slice('family-'.length), e.position);
      await tx.query(
        `insert into ${table('family_results_due')} as d (family_id, mark_commit, mark_prepare)
         select (r->>'f')::uuid, (r->>'c')::bigint, (r->>'p')::bigint from jsonb_array_elements($1::jsonb) as r
         ${MOVE_MARK_ON}`,
        [JSON.stringify([...marks].map(([f, m]) => ({ f, c: m.commit.toString(), p: m.prepare.toString() })))],
      );
    }
    // A new plan version or framework changes every family's results.
    const rulesChanged = events.filter((e) => e.type === 'OutcomePlanVersionRecorded' || e.type === 'ProgrammeConfigured');
    for (const event of events) {
      const data = event.data as JsonObject & Record<string, never>;
      const id = event.streamId.slice(event.streamId.indexOf('-') + 1);
      switch (event.type) {
        case 'OutcomePlanVersionRecorded':
          await tx.query(`insert into ${table('outcome_plans')} (council_id, version, effective_from, scope, parameters) values ($1, $2, $3, $4, $5) on conflict do nothing`, [
            id,
            data.version,
            data.effectiveFrom,
            data.scope,
            JSON.stringify(storedPlanValue(data as unknown as RecordedOutcomePlanVersion)),
          ]);
          break;
        case 'ProgrammeConfigured':
          await tx.query(
            `insert into ${table('programme_settings')} (council_id, council_name, framework, allocation, attachment_fee_basis, version) values ($1, $2, $3, $4, $5, $6)
             on conflict (council_id) do update set council_name = excluded.council_name, framework = excluded.framework, allocation = excluded.allocation,
               attachment_fee_basis = excluded.attachment_fee_basis, version = excluded.version where ${table('programme_settings')}.version < excluded.version`,
            [id, data.councilName, data.framework, data.allocation, data.attachmentFeeBasis, event.version],
          );
          break;
        default:
          break;
      }
    }
    const erased = events.filter((e) => e.type === 'PersonalDataErased' && typeof (e.data as { familyId?: unknown }).familyId === 'string');
    if (erased.length > 0) {
      await tx.query(
        `insert into ${table('family_results_due')} as d (family_id, mark_commit, mark_prepare)
         select distinct on ((r->>'f')::uuid) (r->>'f')::uuid, (r->>'c')::bigint, (r->>'p')::bigint from jsonb_array_elements($1::jsonb) as r
          order by (r->>'f')::uuid, (r->>'c')::bigint desc, (r->>'p')::bigint desc
         ${MOVE_MARK_ON}`,
        [JSON.stringify(erased.map((e) => ({ f: (e.data as { familyId: string }).familyId, c: e.position.commit.toString(), p: e.position.prepare.toString() })))],
      );
    }
    const last = rulesChanged.at(-1);
    if (last) {
      await tx.query(
        `insert into ${table('family_results_due')} as d (family_id, mark_commit, mark_prepare)
         select family_id, $1::bigint, $2::bigint from ${table('family_summary')} where attached_on is not null
         ${MOVE_MARK_ON}`,
        [last.position.commit.toString(), last.position.prepare.toString()],
      );
    }
  }

  /**
   * The same changes as `apply`, in SQL over the store's table: rows go from the log to the read
   * models without passing through Node (rebuilds and catch-ups on one database). Two parts:
   * the facts, and everything else (summaries, plans, settings), which a rebuild loads side by side.
   */
  readonly applyInDatabase: readonly InDatabasePart[] = [
    async (tx: SqlTx, log: LogBatch, table: TableNamer): Promise<void> => {
      await tx.query(
        `insert into ${table('family_facts')} (family_id, version, event_id, type, data, recorded_at)
         select e.stream_key::uuid, e.version, e.event_id, e.type, e.data, e.recorded_at from (${log.events('family')}) e
         on conflict do nothing`,
      );
    },
    async (tx: SqlTx, log: LogBatch, table: TableNamer): Promise<void> => {
      await tx.query(
        `insert into ${table('family_summary')} (family_id, reference, status, identified_on, version)
         select e.stream_key::uuid, e.data->>'reference', 'identified', (e.data->>'identifiedOn')::date, e.version from (${log.events('family', ['FamilyIdentified'])}) e
         on conflict do nothing`,
      );
      await tx.query(
        `update ${table('family_summary')} s set status = case when s.closed_on is null then 'attached' else s.status end, attached_on = (e.data->>'attachedOn')::date,
                keyworker = e.data->>'keyworker', problems_at_entry = array(select jsonb_array_elements_text(e.data->'problemsAtEntry')), version = e.version
           from (${log.events('family', ['FamilyAttached'])}) e
          where s.family_id = e.stream_key::uuid and s.version < e.version`,
      );
      await tx.query(
        `update ${table('family_summary')} s set status = 'closed', closed_on = (e.data->>'closedOn')::date, version = e.version
           from (${log.events('family', ['FamilyCaseClosed'])}) e
          where s.family_id = e.stream_key::uuid and s.version < e.version`,
      );
      await tx.query(
        `insert into ${table('outcome_plans')} (council_id, version, effective_from, scope, parameters)
         select e.stream_key, (e.data->>'version')::int, (e.data->>'effectiveFrom')::date, e.data->>'scope',
                -- storedPlanValue: the thresholds, or the plan as written (problems and milestones)
                case when e.data ? 'problems' then jsonb_build_object('problems', e.data->'problems', 'milestones', coalesce(e.data->'milestones', '[]'::jsonb)) else coalesce(e.data->'parameters', '{}'::jsonb) end
           from (${log.events('outcomePlan', ['OutcomePlanVersionRecorded'])}) e
          order by e.transaction_id, e.global_position
         on conflict do nothing`,
      );
      // Each family's last event in the range, and the last change of the rules (for every family).
      // A rebuild marks every family once, at its end (`finishRebuild`).
      if (log.rebuild) {
        await programmeSettings(tx, log, table);
        return;
      }
      await tx.query(
        `insert into ${table('family_results_due')} as d (family_id, mark_commit, mark_prepare)
         select distinct on (e.stream_key) e.stream_key::uuid, e.transaction_id::text::bigint, e.global_position
           from (${log.events('family')}) e order by e.stream_key, e.transaction_id desc, e.global_position desc
         ${MOVE_MARK_ON}`,
      );
      await tx.query(
        `insert into ${table('family_results_due')} as d (family_id, mark_commit, mark_prepare)
         select s.family_id, c.commit, c.prepare from ${table('family_summary')} s,
                (select e.transaction_id::text::bigint as commit, e.global_position as prepare
                   from (select transaction_id, global_position from (${log.events('outcomePlan', ['OutcomePlanVersionRecorded'])}) p
                         union all select transaction_id, global_position from (${log.events('programme', ['ProgrammeConfigured'])}) q) e
                  order by e.transaction_id desc, e.global_position desc limit 1) c
          where s.attached_on is not null
         ${MOVE_MARK_ON}`,
      );
      await tx.query(
        `insert into ${table('family_results_due')} as d (family_id, mark_commit, mark_prepare)
         select distinct on (e.data->>'familyId') (e.data->>'familyId')::uuid, e.transaction_id::text::bigint, e.global_position
           from (${log.events('personalData', ['PersonalDataErased'])}) e where e.data ? 'familyId'
          order by e.data->>'familyId', e.transaction_id desc, e.global_position desc
         ${MOVE_MARK_ON}`,
      );
      await programmeSettings(tx, log, table);
    },
  ];
}
