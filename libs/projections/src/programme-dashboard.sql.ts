import { ALL_HEADLINE_PROBLEMS } from '@ledger/domain';
import type { SqlClient } from '@ledger/sql';

/** The filters of the programme dashboard (`DashboardFilter`, as SQL parameters). */
export interface DashboardSqlFilter {
  asOf: string;
  financialYear?: string;
  keyworker?: string;
  problem?: string;
}

/** The live tables the programme dashboard reads. */
export interface DashboardTables {
  summary: string;
  results: string;
  problemResults: string;
  ledger: string;
}

/**
 * What the programme dashboard's figures are drawn from, counted by PostgreSQL over every family
 * (`programmeDashboardCounts`): only the counts and the families listed reach Node.
 */
export interface DashboardCounts {
  /** By the financial year families were identified in (the chosen families). */
  funnel: { year: string; identified: number; attached: number; result: number; claimed: number; paid: number }[];
  /** By the month (`YYYY-MM`) a chosen family's result came. */
  byMonth: { month: string; families: number; sustainedProgress: number; continuousEmployment: number }[];
  /** By headline problem at entry: chosen families with it, and those of them with it met at the as-of date. */
  problems: { problem: string; atEntry: number; resolved: number }[];
  /** By whole months from attachment to result. */
  monthsToResult: { months: number; families: number }[];
  /** Open cases by keyworker. */
  caseloads: { keyworker: string; open: number; withResult: number; noResultOver6Months: number }[];
  /** Open families attached 6 months or more with no result and none claimed. */
  noResult: { reference: string; keyworker: string | null; attachedOn: string; monthsAttached: number }[];
  /** Chosen families attached, by the financial year of attachment. */
  attachedByYear: { year: string; families: number }[];
  /** Every family attached (the allocation is used up whatever the filters), by year. */
  usedByYear: { year: string; families: number }[];
  /** The ledger's lines dated by the as-of date (of the chosen families when filtered), by financial year. */
  money: { year: string; fees: number | null; results: number | null; cash: number | null }[];
  financialYears: string[];
  keyworkers: string[];
}

/**
 * A date's financial year (`financialYearOf`: 1 April to 31 March) as the year it starts in, in
 * SQL: arithmetic, where formatting the year's name for each of 400,000 families was not.
 */
const financialYearStart = (d: string) => `(date_part('year', ${d})::int - (date_part('month', ${d}) < 4)::int)`;

/** A financial year's name (`2016/17`) from the year it starts in, in SQL. */
const financialYearName = (start: string) => `(${start}::text || '/' || lpad(((${start} + 1) % 100)::text, 2, '0'))`;

/** The year a financial year's name (`2016/17`) starts in; -1, matching no family, when it names none. */
export function financialYearStartOf(name: string): number {
  const m = /^(\d{4})\/(\d{2})$/.exec(name);
  return m && (Number(m[1]) + 1) % 100 === Number(m[2]) ? Number(m[1]) : -1;
}

/** Whole calendar months from one date to another (`monthsBetween`), in SQL. */
const monthsBetween = (from: string, to: string) =>
  `((date_part('year', ${to})::int - date_part('year', ${from})::int) * 12 + (date_part('month', ${to})::int - date_part('month', ${from})::int)
    - case when date_part('day', ${to}) < date_part('day', ${from}) then 1 else 0 end)`;

/**
 * Each family claimed by the as-of date (`$1`): when it was first claimed, and when a claim holding
 * it was first paid. Each claim's payment is found once a claim: looked up once for each family
 * claimed, it read every ledger line again for each of them (minutes at 40,000 families).
 */
export const claimedFamilies = (ledger: string) => `
       with claims_paid as (
         select claim_id, min(on_date) as paid_on from ${ledger}
          where account = 'cash' and claim_id is not null and on_date <= $1::date
          group by claim_id
       )
       select c.family_id, min(c.on_date) as claimed_on, min(p.paid_on) as paid_on
         from ${ledger} c left join claims_paid p on p.claim_id = c.claim_id
        where c.account = 'results-receivable' and c.amount_pence > 0 and c.family_id is not null and c.on_date <= $1::date
        group by c.family_id`;

/**
 * The first date the exact path judges a family at that falls in an interval starting on `from`:
 * the end of that month, when it is before the as-of date and among the 120 month ends from the
 * attachment's month that `monthEnds` lists; else the as-of date.
 */
const firstDateJudged = (attachedOn: string, from: string) => {
  const monthEnd = `(date_trunc('month', ${from}::timestamp) + interval '1 month' - interval '1 day')::date`;
  const monthIndex = `((date_part('year', ${from})::int * 12 + date_part('month', ${from})::int) - (date_part('year', ${attachedOn})::int * 12 + date_part('month', ${attachedOn})::int))`;
  return `(case when ${monthEnd} < $1::date and ${monthIndex} < 120 then ${monthEnd} else $1::date end)`;
};

/**
 * Every framework's headline problems, each a bit of a family's problems met (at most 63). The
 * commands record no other problem (the decider refuses one outside the council's framework).
 */
const PROBLEM_BITS: readonly string[] = ALL_HEADLINE_PROBLEMS;
if (PROBLEM_BITS.length > 63) throw new Error('more headline problems than bits in a bigint');

/**
 * The programme dashboard's counts in one statement (issue 22: national scale). Each family
 * identified by the as-of date is read as it stood then; a chosen family's result is when the
 * first of its result intervals holds at a date judged (`firstDateJudged`), with that interval's
 * routes; its problems met are the spans holding the as-of date; claimed and paid come from the
 * ledger. The same figures as judging each family in Node, which `DashboardQueries` still does
 * without the result intervals.
 */
export async function programmeDashboardCounts(sql: SqlClient, t: DashboardTables, filter: DashboardSqlFilter): Promise<DashboardCounts> {
  const { text, params } = programmeDashboardStatement(t, filter);
  // Without JIT: the planner's estimates for this statement pass jit_above_cost, and compiling
  // it took 2.1 s of 3.3 s at 40,000 families (EXPLAIN ANALYZE), where the statement itself runs
  // in about a second. A transaction scopes the setting. (More work_mem, so that a national
  // programme's sorts and hashes stay in memory, did not help: 4.2-4.9 s with 4 MB, 4.6-5.2 s
  // with 64 MB, psql at 400,000 families.)
  const [row] = await sql.transaction(async (tx) => {
    await tx.query(`select set_config('jit', 'off', true)`);
    return tx.query<{ counts: string }>(text, params);
  });
  if (!row) throw new Error('the dashboard counts returned no row');
  return JSON.parse(row.counts) as DashboardCounts;
}

/** The statement `programmeDashboardCounts` runs, with its parameters (one row, `counts`: JSON). */
export function programmeDashboardStatement(t: DashboardTables, filter: DashboardSqlFilter): { text: string; params: unknown[] } {
  const filtered = filter.financialYear !== undefined || filter.keyworker !== undefined || filter.problem !== undefined;
  return {
    text: `with families as materialized (
       select f.*, ($2::int is null or f.identified_year = $2) and ($3::text is null or f.keyworker = $3) and ($4::text is null or $4 = any(f.problems_at_entry)) as chosen
         from (select s.family_id, s.reference, s.identified_on, ${financialYearStart('s.identified_on')} as identified_year,
                      case when s.attached_on <= $1::date then s.attached_on end as attached_on,
                      case when s.attached_on <= $1::date then s.keyworker end as keyworker,
                      case when s.attached_on <= $1::date then s.problems_at_entry else '{}'::text[] end as problems_at_entry,
                      case when s.closed_on <= $1::date then s.closed_on end as closed_on
                 from ${t.summary} s where s.identified_on <= $1::date) f
     ),
     claimed as (${claimedFamilies(t.ledger)}),
     -- Each chosen family's first interval holding a date judged. From the summaries themselves,
     -- not the families above, so that PostgreSQL can read and join them on two cores (5-13% less
     -- time in three pairs of runs at 400,000 families).
     results_at as (
       select distinct on (i.family_id) i.family_id, ${firstDateJudged('f.attached_on', 'i.from_on')} as result_on, i.sustained_progress as sp, i.continuous_employment as ce
         from ${t.results} i join ${t.summary} f on f.family_id = i.family_id
        where f.attached_on <= $1::date and i.from_on <= $1::date
          and ($2::int is null or ${financialYearStart('f.identified_on')} = $2) and ($3::text is null or f.keyworker = $3) and ($4::text is null or $4 = any(f.problems_at_entry))
          and (i.until_on is null or ${firstDateJudged('f.attached_on', 'i.from_on')} < i.until_on)
        order by i.family_id, i.from_on
     ),
     chosen as materialized (
       select f.family_id, f.reference, f.identified_year, f.attached_on, f.keyworker, f.problems_at_entry, f.closed_on, r.result_on, r.sp, r.ce, c.claimed_on, c.paid_on
         from families f left join results_at r on r.family_id = f.family_id left join claimed c on c.family_id = f.family_id
        where f.chosen
     ),
     -- The problems each family has met at the as-of date (in scope and met: the span holding
     -- it), as one bit a problem ($6 lists every framework's problems): an array a family cost
     -- PostgreSQL 8 kB of memory while grouping, a national programme's some gigabytes.
     problems_met as (
       select p.family_id, bit_or(1::bigint << (array_position($6::text[], p.problem) - 1)) as met from ${t.problemResults} p
        where p.from_on <= $1::date and (p.until_on is null or p.until_on > $1::date)
        group by p.family_id
     ),
     -- Each chosen family's problems at entry (each once: its first place in the array), and
     -- whether each is met. Joined by family, not by family and problem: sorting problems' names
     -- for a merge join took most of this part's time.
     problems_at_entry as (
       select ($6::text[])[e.bit] as problem, count(*) as at_entry, count(*) filter (where m.met & (1::bigint << (e.bit - 1)) <> 0) as met
         from chosen c cross join lateral (
                select array_position($6::text[], u.problem) as bit from unnest(c.problems_at_entry) with ordinality u(problem, n)
                 where u.n = array_position(c.problems_at_entry, u.problem)) e
         left join problems_met m on m.family_id = c.family_id
        group by e.bit
     ),
     -- The chosen families' figures in one pass: a grouping set for each (grouping() tells them
     -- apart; a family outside a figure has a null key there, and null keys are left out).
     by_chosen as (
       select grouping(identified_year, result_month, months_to_result, open_keyworker, attached_year) as g,
              identified_year, result_month, months_to_result, open_keyworker, attached_year,
              count(*) as families, count(attached_on) as attached, count(*) filter (where has_result) as result,
              count(claimed_on) as claimed, count(paid_on) as paid, count(*) filter (where sp) as sp, count(*) filter (where ce) as ce,
              count(*) filter (where not has_result and ${monthsBetween('attached_on', '$1::date')} >= 6) as no_result_over_6_months
         from (select c.*, result_on is not null or claimed_on is not null as has_result,
                      case when result_on is not null then to_char(result_on, 'YYYY-MM') end as result_month,
                      case when result_on is not null and attached_on is not null then ${monthsBetween('attached_on', 'result_on')} end as months_to_result,
                      case when attached_on is not null and closed_on is null and keyworker <> '' then keyworker end as open_keyworker,
                      case when attached_on is not null then ${financialYearStart('attached_on')} end as attached_year
                 from chosen c) c
        group by grouping sets ((identified_year), (result_month), (months_to_result), (open_keyworker), (attached_year))
     ),
     -- Every family's (the allocation is used up whatever the filters), and the filters' choices.
     by_all as (
       select grouping(identified_year, attached_year, keyworker) as g, identified_year, attached_year, keyworker, count(*) as families
         from (select identified_year, case when attached_on is not null then ${financialYearStart('attached_on')} end as attached_year,
                      case when keyworker <> '' then keyworker end as keyworker
                 from families) f
        group by grouping sets ((identified_year), (attached_year), (keyworker))
     )
     select json_build_object(
       'funnel', (select coalesce(json_agg(x), '[]') from (
          select ${financialYearName('identified_year')} as year, families as identified, attached, result, claimed, paid
            from by_chosen where g = ${0b01111}) x),
       'byMonth', (select coalesce(json_agg(x), '[]') from (
          select result_month as month, families, sp as "sustainedProgress", ce as "continuousEmployment"
            from by_chosen where g = ${0b10111} and result_month is not null) x),
       'problems', (select coalesce(json_agg(x), '[]') from (
          select problem, at_entry as "atEntry", met as resolved from problems_at_entry) x),
       'monthsToResult', (select coalesce(json_agg(x), '[]') from (
          select months_to_result as months, families from by_chosen where g = ${0b11011} and months_to_result is not null) x),
       'caseloads', (select coalesce(json_agg(x), '[]') from (
          select open_keyworker as keyworker, families as open, result as "withResult", no_result_over_6_months as "noResultOver6Months"
            from by_chosen where g = ${0b11101} and open_keyworker is not null) x),
       'noResult', (select coalesce(json_agg(x), '[]') from (
          select reference, keyworker, attached_on::text as "attachedOn", ${monthsBetween('attached_on', '$1::date')} as "monthsAttached"
            from chosen where attached_on is not null and closed_on is null and result_on is null and claimed_on is null
             and ${monthsBetween('attached_on', '$1::date')} >= 6) x),
       'attachedByYear', (select coalesce(json_agg(x), '[]') from (
          select ${financialYearName('attached_year')} as year, families from by_chosen where g = ${0b11110} and attached_year is not null) x),
       'usedByYear', (select coalesce(json_agg(x), '[]') from (
          select ${financialYearName('attached_year')} as year, families from by_all where g = ${0b101} and attached_year is not null) x),
       'money', (select coalesce(json_agg(x), '[]') from (
          select financial_year as year,
                 -sum(amount_pence) filter (where account = 'income:attachment-fees') as fees,
                 -sum(amount_pence) filter (where account = 'income:results') as results,
                 sum(amount_pence) filter (where account = 'cash') as cash
            from ${t.ledger}
           where on_date <= $1::date and (not $5::boolean or family_id in (select family_id from chosen))
           group by financial_year) x),
       'financialYears', (select coalesce(json_agg(${financialYearName('identified_year')}), '[]') from by_all where g = ${0b011}),
       'keyworkers', (select coalesce(json_agg(keyworker), '[]') from by_all where g = ${0b110} and keyworker is not null)
     )::text as counts`,
    params: [filter.asOf, filter.financialYear === undefined ? null : financialYearStartOf(filter.financialYear), filter.keyworker ?? null, filter.problem ?? null, filtered, PROBLEM_BITS],
  };
}
