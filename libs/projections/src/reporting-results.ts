import { reportingResultsTable } from './reporting-views';
import type { MonthEndResult, OutcomeQueries } from './outcomes.queries';
import type { SqlClient } from '@ledger/sql';

/**
 * Results per family at each month end, for BI tools (issue 19.4). Outcomes are judged by the
 * pure rules in `libs/domain` (not expressible in SQL), so this is a snapshot the api refreshes
 * (`LEDGER_REPORTING_REFRESH_SECONDS`) from the read models: computed into a scratch table a page
 * of families at a time, then swapped in in one transaction, so a BI tool never reads half a refresh.
 */
export class ReportingResults {
  constructor(
    private readonly sql: SqlClient,
    private readonly outcomes: OutcomeQueries,
    private readonly readModelSchema: string,
  ) {}

  /** Recomputes every month end from April 2015 (the programme's phase two) to `through` (a business date: today). */
  async refresh(through: string, from = '2015-04-30'): Promise<{ rows: number }> {
    const table = reportingResultsTable(this.readModelSchema);
    const scratch = reportingResultsTable(this.readModelSchema, '_next');
    // The table itself is made by the projection runner's migrations; the scratch copies its shape.
    await this.sql.query(`drop table if exists ${scratch}`);
    await this.sql.query(`create table ${scratch} (like ${table} including all)`);
    let rows = 0;
    let batch: MonthEndResult[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await this.sql.query(
        `insert into ${scratch} (family_id, as_of, sustained_progress, continuous_employment, plan_version)
         select (r->>'f')::uuid, (r->>'a')::date, (r->>'s')::boolean, (r->>'c')::boolean, (r->>'p')::int from jsonb_array_elements($1::jsonb) r`,
        [JSON.stringify(batch.map((b) => ({ f: b.familyId, a: b.asOf, s: b.sustainedProgress, c: b.continuousEmployment, p: b.planVersion })))],
      );
      rows += batch.length;
      batch = [];
    };
    // Month ends up to `through` only: a month not yet over has no month-end figure.
    for await (const family of this.outcomes.resultsByMonthEnd(from, through)) {
      batch.push(...family.filter((r) => r.asOf <= through));
      if (batch.length >= 5_000) await flush();
    }
    await flush();
    await this.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`ledger-reporting-results:${this.readModelSchema}`]);
      await tx.query(`delete from ${table}`);
      await tx.query(`insert into ${table} select * from ${scratch}`);
      await tx.query(`drop table ${scratch}`);
    });
    return { rows };
  }
}
