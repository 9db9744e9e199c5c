import type { SqlClient } from '@ledger/event-store';
import { ledgerProjections, type ProjectionRunner } from '@ledger/projections';

/**
 * Row count and an order-independent digest of every table of every ledger projection, as the
 * runner serves them (its live version): two runners over the same log must agree exactly.
 */
const COMPUTED_BY_THE_API = new Set(['family_results', 'family_problem_results', 'family_result_evidence', 'family_results_due', 'family_results_done']);

export async function readModelFingerprint(sql: SqlClient, runner: ProjectionRunner): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const projection of ledgerProjections()) {
    for (const base of projection.tables) {
      // The result intervals and their marks are computed by the api from the facts (when it
      // refreshes them, with the marks' log positions), not folded from the log: the facts they
      // come from are compared, and test/projections/result-intervals.spec.ts checks the intervals.
      if (COMPUTED_BY_THE_API.has(base)) continue;
      const table = await runner.liveTable(projection.name, base);
      const [row] = await sql.query<{ n: string; digest: string | null }>(`select count(*)::text as n, md5(string_agg(md5(t::text), '' order by md5(t::text))) as digest from ${table} t`);
      out[`${projection.name}/${base}`] = `${row?.n}:${row?.digest}`;
    }
  }
  return out;
}
