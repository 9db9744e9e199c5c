import type { TableNamer } from './projection';
import { quoteIdent, type SqlTx } from '@ledger/sql';

/**
 * The BI feeds (issue 19.4): read-only views with stable names in a `reporting` schema (or
 * `<schema>_reporting` beside `<schema>_read`), over the live read-model tables, for Power BI,
 * Tableau and Metabase (docs/bi.md). Their names and columns are a contract: add columns, never
 * rename or drop one. Nothing personal: family and claim ids, the council's family references,
 * a keyworker as a pseudonymous reference (the first 16 hex digits of the SHA-256 of the username:
 * caseloads can be counted, a name is not shown), dates, problems, money in pence.
 *
 * Recreated whenever the runner makes or swaps tables (a rebuild drops the old tables, and the
 * views with them); `create or replace` keeps the grants of views that already exist.
 */
export const REPORTING_VIEWS = ['families', 'results', 'claim_lines', 'claims', 'ledger_lines', 'ledger_balances'] as const;

/** `read` → `reporting`, `x_read` → `x_reporting`. */
export function reportingSchemaFor(readModelSchema: string): string {
  return readModelSchema === 'read' ? 'reporting' : readModelSchema.endsWith('_read') ? `${readModelSchema.slice(0, -'_read'.length)}_reporting` : `${readModelSchema}_reporting`;
}

/** Creates (or replaces) every reporting view; `table(projection, base)` names a projection's live table. */
export async function createReportingViews(tx: SqlTx, schema: string, readModelSchema: string, table: (projection: string) => TableNamer): Promise<void> {
  const r = quoteIdent(schema);
  const family = table('family-read-models');
  const ledger = table('ledger');
  await tx.query(`create schema if not exists ${r}`);
  await tx.query(`create or replace view ${r}.families as
    select family_id, reference, status, identified_on, attached_on,
           left(encode(sha256(convert_to(keyworker, 'UTF8')), 'hex'), 16) as keyworker_ref, problems_at_entry, closed_on
      from ${family('family_summary')}`);
  // Results are judged by the domain's rules, so this one reads a snapshot the api refreshes
  // (reporting-results.ts), in a table the runner's migrations made.
  await tx.query(`create or replace view ${r}.results as
    select family_id, as_of, sustained_progress, continuous_employment, plan_version from ${reportingResultsTable(readModelSchema)}`);
  await tx.query(`create or replace view ${r}.claim_lines as
    select claim_id, family_id, amount_pence from ${ledger('ledger_claim_families')}`);
  // A claim's drafted families and total; submission and payment as the ledger booked them.
  await tx.query(`create or replace view ${r}.claims as
    select c.claim_id, c.families, c.drafted_pence,
           s.submitted_on, coalesce(s.submitted_pence, 0)::bigint as submitted_pence,
           p.paid_on, coalesce(p.paid_pence, 0)::bigint as paid_pence
      from (select claim_id, count(*)::int as families, sum(amount_pence)::bigint as drafted_pence from ${ledger('ledger_claim_families')} group by claim_id) c
      left join (select claim_id, min(on_date) as submitted_on, sum(amount_pence) as submitted_pence from ${ledger('ledger_lines')}
                  where account = 'results-receivable' and amount_pence > 0 and description like 'results payment claimed%' group by claim_id) s on s.claim_id = c.claim_id
      left join (select claim_id, min(on_date) as paid_on, sum(amount_pence) as paid_pence from ${ledger('ledger_lines')}
                  where account = 'cash' and description like 'payment received%' group by claim_id) p on p.claim_id = c.claim_id`);
  await tx.query(`create or replace view ${r}.ledger_lines as
    select event_id, posting, line, on_date, financial_year, account, amount_pence, description, claim_id, family_id from ${ledger('ledger_lines')}`);
  // Per account and financial year: the year's movement and the balance at its end (debits positive).
  await tx.query(`create or replace view ${r}.ledger_balances as
    select account, financial_year, movement_pence,
           sum(movement_pence) over (partition by account order by financial_year)::bigint as balance_pence
      from (select account, financial_year, sum(amount_pence)::bigint as movement_pence from ${ledger('ledger_lines')} group by account, financial_year) m`);
}

/** The table behind `reporting.results`, beside the read models (`<read>.reporting_results`). */
export function reportingResultsTable(readModelSchema: string, suffix = ''): string {
  return `${quoteIdent(readModelSchema)}.${quoteIdent(`reporting_results${suffix}`)}`;
}
