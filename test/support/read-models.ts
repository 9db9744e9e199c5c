import type { SqlClient } from '@ledger/event-store';
import { ledgerProjections, type ProjectionRunner } from '@ledger/projections';

/**
 * Row count and an order-independent digest of every table of every ledger projection, as the
 * runner serves them (its live version): two runners over the same log must agree exactly.
 */
export async function readModelFingerprint(sql: SqlClient, runner: ProjectionRunner): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const projection of ledgerProjections()) {
    for (const base of projection.tables) {
      const table = await runner.liveTable(projection.name, base);
      const [row] = await sql.query<{ n: string; digest: string | null }>(`select count(*)::text as n, md5(string_agg(md5(t::text), '' order by md5(t::text))) as digest from ${table} t`);
      out[`${projection.name}/${base}`] = `${row?.n}:${row?.digest}`;
    }
  }
  return out;
}
