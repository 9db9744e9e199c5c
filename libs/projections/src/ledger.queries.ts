import { ACCOUNTS, type Account } from '@ledger/domain';
import type { ProjectionRunner } from './projection-runner';
import type { SqlClient } from '@ledger/sql';

/** Reads of the ledger read model: balances as of a date, postings in a period, totals for reports. */
export class LedgerQueries {
  constructor(
    private readonly sql: SqlClient,
    private readonly runner: ProjectionRunner,
  ) {}

  async balances(asOf: string): Promise<{ account: Account; balancePence: number }[]> {
    const t = await this.runner.liveTable('ledger', 'ledger_lines');
    const rows = await this.sql.query<{ account: string; balance: string }>(`select account, sum(amount_pence)::text as balance from ${t} where on_date <= $1::date group by account`, [asOf]);
    const byAccount = new Map(rows.map((r) => [r.account, Number(r.balance)]));
    return Object.values(ACCOUNTS).map((account) => ({ account, balancePence: byAccount.get(account) ?? 0 }));
  }

  async entries(
    from: string,
    to: string,
  ): Promise<{ eventId: string; on: string; financialYear: string; description: string; claimId: string | null; familyId: string | null; lines: { account: string; amountPence: number }[] }[]> {
    const t = await this.runner.liveTable('ledger', 'ledger_lines');
    const rows = await this.sql.query<Record<string, string | null>>(
      `select event_id::text as event_id, posting, line, on_date::text as on_date, financial_year, account, amount_pence::text as amount_pence, description, claim_id::text as claim_id, family_id::text as family_id
         from ${t} l where l.on_date between $1::date and $2::date order by l.on_date, l.event_id, l.posting, l.line`,
      [from, to],
    );
    const postings = new Map<
      string,
      { eventId: string; on: string; financialYear: string; description: string; claimId: string | null; familyId: string | null; lines: { account: string; amountPence: number }[] }
    >();
    for (const r of rows) {
      const key = `${r.event_id}/${r.posting}`;
      const posting = postings.get(key) ?? {
        eventId: String(r.event_id),
        on: String(r.on_date),
        financialYear: String(r.financial_year),
        description: String(r.description),
        claimId: r.claim_id ?? null,
        familyId: r.family_id ?? null,
        lines: [],
      };
      posting.lines.push({ account: String(r.account), amountPence: Number(r.amount_pence) });
      postings.set(key, posting);
    }
    return [...postings.values()];
  }
}
