import { financialYearOf } from '../shared/business-date';
import type { FinancialFramework } from '../programme/troubled-families-2015.framework';

/**
 * The payment-by-results ledger (DOMAIN.md 5): double-entry and append-only. Every posting is a
 * balanced set of lines caused by one event; balances of all accounts always sum to zero.
 * Debits are positive pence, credits negative.
 */
export const ACCOUNTS = {
  attachmentFeesReceivable: 'attachment-fees-receivable',
  resultsReceivable: 'results-receivable',
  cash: 'cash',
  recoveriesPayable: 'recoveries-payable',
  attachmentFeeIncome: 'income:attachment-fees',
  resultsIncome: 'income:results',
  paymentDifferences: 'income:payment-differences',
} as const;

export type Account = (typeof ACCOUNTS)[keyof typeof ACCOUNTS];

export interface PostingLine {
  account: Account;
  /** Debit positive, credit negative; whole pence. */
  amountPence: number;
}

export interface Posting {
  /** The event that caused it. */
  eventId: string;
  /** The business date it belongs to. */
  on: string;
  financialYear: string;
  description: string;
  claimId?: string;
  familyId?: string;
  lines: PostingLine[];
}

/** The ledger-relevant facts, as the events that record them carry them. */
export type LedgerFact =
  | { type: 'FamilyAttached'; eventId: string; familyId: string; attachedOn: string; financialYear: string }
  | { type: 'AttachmentFeeReceived'; eventId: string; receivedOn: string; amountPence: number; financialYear: string }
  | { type: 'AttachmentProfileSet'; eventId: string; financialYear: string; families: number; setOn: string }
  | { type: 'ClaimSubmitted'; eventId: string; claimId: string; submittedOn: string; families: { familyId: string; amountPence: number }[] }
  | { type: 'ClaimPaymentReceived'; eventId: string; claimId: string; receivedOn: string; amountPence: number; expectedPence: number }
  | { type: 'FamilyResultRecovered'; eventId: string; claimId: string; familyId: string; on: string; amountPence: number };

export interface LedgerSettings {
  framework: FinancialFramework;
  attachmentFeeBasis: 'actual' | 'profile';
}

/** The postings one fact causes (none for facts the ledger does not book). */
export function postingsFor(fact: LedgerFact, settings: LedgerSettings): Posting[] {
  switch (fact.type) {
    case 'FamilyAttached': {
      // DOMAIN.md 1: on the 'actual' basis a fee is due per family attached, at the rate of the
      // financial year of attachment. On the 'profile' basis fees follow the annual profile instead.
      if (settings.attachmentFeeBasis !== 'actual') return [];
      const rate = settings.framework.ratesByFinancialYear[fact.financialYear]?.attachmentFeePence ?? 0;
      if (rate === 0) return [];
      return [
        balanced(
          fact.eventId,
          fact.attachedOn,
          `attachment fee due for family ${fact.familyId}`,
          [
            { account: ACCOUNTS.attachmentFeesReceivable, amountPence: rate },
            { account: ACCOUNTS.attachmentFeeIncome, amountPence: credit(rate) },
          ],
          { familyId: fact.familyId },
        ),
      ];
    }
    case 'AttachmentProfileSet': {
      // DOMAIN.md 1, basis 'profile': fees are due on the annual profile, at that year's rate,
      // and reconciled against the families actually attached later (GET /api/reports/attachment-fees).
      if (settings.attachmentFeeBasis !== 'profile') return [];
      const amount = fact.families * (settings.framework.ratesByFinancialYear[fact.financialYear]?.attachmentFeePence ?? 0);
      if (amount === 0) return [];
      return [
        balanced(fact.eventId, fact.setOn, `attachment fees due on the ${fact.financialYear} profile (${fact.families} families)`, [
          { account: ACCOUNTS.attachmentFeesReceivable, amountPence: amount },
          { account: ACCOUNTS.attachmentFeeIncome, amountPence: credit(amount) },
        ]),
      ];
    }
    case 'AttachmentFeeReceived':
      return [
        balanced(fact.eventId, fact.receivedOn, `attachment fees received for ${fact.financialYear}`, [
          { account: ACCOUNTS.cash, amountPence: fact.amountPence },
          { account: ACCOUNTS.attachmentFeesReceivable, amountPence: credit(fact.amountPence) },
        ]),
      ];
    case 'ClaimSubmitted':
      return fact.families.map((family) =>
        balanced(
          fact.eventId,
          fact.submittedOn,
          `results payment claimed for family ${family.familyId}`,
          [
            { account: ACCOUNTS.resultsReceivable, amountPence: family.amountPence },
            { account: ACCOUNTS.resultsIncome, amountPence: credit(family.amountPence) },
          ],
          { claimId: fact.claimId, familyId: family.familyId },
        ),
      );
    case 'ClaimPaymentReceived': {
      // The receivable is cleared in full; any difference from what was claimed is reconciled
      // to its own account, so the claim's receivable never carries a residue.
      const difference = fact.amountPence - fact.expectedPence;
      const lines: PostingLine[] = [
        { account: ACCOUNTS.cash, amountPence: fact.amountPence },
        { account: ACCOUNTS.resultsReceivable, amountPence: credit(fact.expectedPence) },
      ];
      if (difference !== 0) lines.push({ account: ACCOUNTS.paymentDifferences, amountPence: credit(difference) });
      return [balanced(fact.eventId, fact.receivedOn, `payment received for claim ${fact.claimId}`, lines, { claimId: fact.claimId })];
    }
    case 'FamilyResultRecovered':
      // DOMAIN.md 5.5: a recovery is a reversing entry of that family's payment.
      return [
        balanced(
          fact.eventId,
          fact.on,
          `results payment recovered for family ${fact.familyId}`,
          [
            { account: ACCOUNTS.resultsIncome, amountPence: fact.amountPence },
            { account: ACCOUNTS.recoveriesPayable, amountPence: credit(fact.amountPence) },
          ],
          { claimId: fact.claimId, familyId: fact.familyId },
        ),
      ];
  }
}

/** Balances per account of postings on or before a date (every account listed, zero or not). */
export function balancesAsOf(postings: readonly Posting[], asOf: string): { account: Account; balancePence: number }[] {
  const totals = new Map<Account, number>(Object.values(ACCOUNTS).map((a) => [a, 0]));
  for (const posting of postings) {
    if (posting.on > asOf) continue;
    for (const line of posting.lines) totals.set(line.account, (totals.get(line.account) ?? 0) + line.amountPence);
  }
  return [...totals].map(([account, balancePence]) => ({ account, balancePence }));
}

/** A credit of `amount` (negative, never -0). */
function credit(amount: number): number {
  return amount === 0 ? 0 : -amount;
}

function balanced(eventId: string, on: string, description: string, lines: PostingLine[], refs: { claimId?: string; familyId?: string } = {}): Posting {
  const sum = lines.reduce((s, l) => s + l.amountPence, 0);
  if (sum !== 0 || lines.some((l) => !Number.isSafeInteger(l.amountPence))) throw new RangeError(`unbalanced posting for event ${eventId}`);
  return { eventId, on, financialYear: financialYearOf(on), description, ...refs, lines };
}
