import { type LedgerFact, type Posting, frameworks, postingsFor, troubledFamilies2015 } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';
import { type Projection, type TableNamer, tableExists } from './projection';
import type { SqlTx } from '@ledger/sql';

/**
 * The double-entry ledger (DOMAIN.md 5) as a read model: every posting line with the event that
 * caused it. Postings come from the pure rules in `libs/domain/src/ledger`; the programme's
 * framework and fee basis are tracked from its own events, which precede the facts they price.
 * Lines are keyed by (event, posting, line), so re-applying a batch changes nothing.
 */
export class LedgerProjection implements Projection {
  readonly name = 'ledger';
  readonly version: number = 1;
  readonly categories = ['programme', 'family', 'claim'] as const;
  // Of a family's events only its attachment is priced: the rest stay in the database.
  readonly types = [
    'ProgrammeConfigured',
    'ClaimDrafted',
    'ClaimFamiliesListed',
    'FamilyAttached',
    'AttachmentProfileSet',
    'AttachmentFeeReceived',
    'ClaimSubmitted',
    'ClaimFamiliesSubmitted',
    'ClaimPaymentReceived',
    'FamilyResultRecovered',
  ] as const;
  readonly tables = ['ledger_lines', 'ledger_settings', 'ledger_claim_families'] as const;

  async createTables(tx: SqlTx, table: TableNamer): Promise<void> {
    if (!(await tableExists(tx, table('ledger_lines')))) {
      await tx.query(`create table ${table('ledger_lines')} (
        event_id uuid not null, posting int not null, line int not null,
        on_date date not null, financial_year text not null, account text not null, amount_pence bigint not null,
        description text not null, claim_id uuid, family_id uuid,
        primary key (event_id, posting, line))`);
      await tx.query(`create index on ${table('ledger_lines')} (on_date)`);
    }
    // The lines of one account to a date (the dashboard's claimed families: results receivable
    // among every attachment fee); made on a ledger from before it too.
    const [byAccount] = await tx.query(`select 1 from pg_index i where i.indrelid = to_regclass($1) and pg_get_indexdef(i.indexrelid) like '%(account, on_date)%'`, [table('ledger_lines')]);
    if (!byAccount) await tx.query(`create index on ${table('ledger_lines')} (account, on_date)`);
    if (!(await tableExists(tx, table('ledger_claim_families')))) {
      // What each drafted family was claimed for, to price the submission that names them.
      await tx.query(`create table ${table('ledger_claim_families')} (claim_id uuid not null, family_id uuid not null, amount_pence bigint not null, primary key (claim_id, family_id))`);
    }
    if (!(await tableExists(tx, table('ledger_settings')))) {
      await tx.query(`create table ${table('ledger_settings')} (council_id text primary key, framework text not null, attachment_fee_basis text not null)`);
    }
  }

  async apply(tx: SqlTx, events: readonly RecordedEvent[], table: TableNamer): Promise<void> {
    const postings: Posting[] = [];
    for (const event of events) {
      const data = event.data as Record<string, never>;
      if (event.type === 'ProgrammeConfigured') {
        await tx.query(
          `insert into ${table('ledger_settings')} (council_id, framework, attachment_fee_basis) values ($1, $2, $3)
           on conflict (council_id) do update set framework = excluded.framework, attachment_fee_basis = excluded.attachment_fee_basis`,
          [event.streamId.slice('programme-'.length), data.framework, data.attachmentFeeBasis],
        );
        continue;
      }
      // A draft's families, in the draft and (issue 22.5) the parts appended with it.
      if (event.type === 'ClaimDrafted' || event.type === 'ClaimFamiliesListed') {
        const families = (event.data.families ?? []) as { familyId: string; amountPence: number }[];
        await tx.query(`insert into ${table('ledger_claim_families')} (claim_id, family_id, amount_pence) select $1, * from unnest($2::uuid[], $3::bigint[]) on conflict do nothing`, [
          event.streamId.slice('claim-'.length),
          families.map((f) => f.familyId),
          families.map((f) => f.amountPence),
        ]);
        continue;
      }
      let fact = toFact(event);
      if (!fact) continue;
      // Each part of a submission prices its own families (issue 22.5).
      if (fact.type === 'ClaimSubmitted') {
        const priced = await tx.query<{ family_id: string; amount_pence: string }>(
          `select family_id::text as family_id, amount_pence::text as amount_pence from ${table('ledger_claim_families')} where claim_id = $1 and family_id = any($2::uuid[]) order by family_id`,
          [fact.claimId, (event.data.familyIds ?? []) as string[]],
        );
        fact = { ...fact, families: priced.map((r) => ({ familyId: r.family_id, amountPence: Number(r.amount_pence) })) };
      }
      const [settings] = await tx.query<{ framework: string; attachment_fee_basis: 'actual' | 'profile' }>(`select framework, attachment_fee_basis from ${table('ledger_settings')} limit 1`);
      postings.push(...postingsFor(fact, { framework: frameworks[settings?.framework ?? ''] ?? troubledFamilies2015, attachmentFeeBasis: settings?.attachment_fee_basis ?? 'actual' }));
    }
    // Each posting's position among those of its own event (an event may cause several: a
    // submission one per family), counted in one pass.
    const seen = new Map<string, number>();
    const indexes = postings.map((p) => {
      const n = seen.get(p.eventId) ?? 0;
      seen.set(p.eventId, n + 1);
      return n;
    });
    const rows = postings.flatMap((p, posting) =>
      p.lines.map((l, line) => ({
        eventId: p.eventId,
        posting: indexes[posting] ?? 0,
        line,
        on: p.on,
        fy: p.financialYear,
        account: l.account,
        amount: l.amountPence,
        description: p.description,
        claimId: p.claimId ?? null,
        familyId: p.familyId ?? null,
      })),
    );
    if (rows.length === 0) return;
    await tx.query(
      `insert into ${table('ledger_lines')} (event_id, posting, line, on_date, financial_year, account, amount_pence, description, claim_id, family_id)
       select * from unnest($1::uuid[], $2::int[], $3::int[], $4::date[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::uuid[], $10::uuid[])
       on conflict do nothing`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.posting),
        rows.map((r) => r.line),
        rows.map((r) => r.on),
        rows.map((r) => r.fy),
        rows.map((r) => r.account),
        rows.map((r) => r.amount),
        rows.map((r) => r.description),
        rows.map((r) => r.claimId),
        rows.map((r) => r.familyId),
      ],
    );
  }
}

function toFact(event: RecordedEvent): LedgerFact | null {
  const d = event.data as Record<'familyId' | 'attachedOn' | 'financialYear' | 'families' | 'setOn' | 'receivedOn' | 'amountPence' | 'submittedOn' | 'expectedPence' | 'on', never>;
  const eventId = event.metadata.eventId;
  const claimId = event.streamId.startsWith('claim-') ? event.streamId.slice('claim-'.length) : '';
  switch (event.type) {
    case 'FamilyAttached':
      return { type: 'FamilyAttached', eventId, familyId: d.familyId, attachedOn: d.attachedOn, financialYear: d.financialYear };
    case 'AttachmentProfileSet':
      return { type: 'AttachmentProfileSet', eventId, financialYear: d.financialYear, families: d.families, setOn: d.setOn };
    case 'AttachmentFeeReceived':
      return { type: 'AttachmentFeeReceived', eventId, receivedOn: d.receivedOn, amountPence: d.amountPence, financialYear: d.financialYear };
    case 'ClaimSubmitted':
    case 'ClaimFamiliesSubmitted':
      return { type: 'ClaimSubmitted', eventId, claimId, submittedOn: d.submittedOn, families: [] };
    case 'ClaimPaymentReceived':
      return { type: 'ClaimPaymentReceived', eventId, claimId, receivedOn: d.receivedOn, amountPence: d.amountPence, expectedPence: d.expectedPence };
    case 'FamilyResultRecovered':
      return { type: 'FamilyResultRecovered', eventId, claimId, familyId: d.familyId, on: d.on, amountPence: d.amountPence };
    default:
      return null;
  }
}
