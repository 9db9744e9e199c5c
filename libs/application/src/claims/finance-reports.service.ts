import { Inject, Injectable } from '@nestjs/common';
import { decodeProgrammeEvent, evolveProgramme, financialYearOf, frameworks, initialProgrammeState, must, streams, troubledFamilies2015 } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ClaimQueries } from '@ledger/projections';
import { type AttachmentFeesReport, type ReconciledClaim, type ReconciliationReport, reconciliationGroups, reconciliationSums } from '@ledger/reporting';
import { COUNCIL_ID } from '../programme/programme-commands';

/**
 * The finance reports' data as of a business date: the reconciliation from the claims read model
 * (each submitted claim with every payment and recovery and its business date), the attachment
 * fees from the programme's one stream. The api and the cli give the same figures, and a year end
 * gives the same figures whenever it is asked for (DOMAIN.md 5: every figure reproducible for any
 * past as-of date): an event counts when its own business date (submission, payment, recovery,
 * attachment, receipt) is on or before the as-of date.
 */
@Injectable()
export class FinanceReports {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    private readonly claims: ClaimQueries,
  ) {}

  async reconciliation(asOf: string): Promise<ReconciliationReport> {
    const claims: ReconciledClaim[] = [];
    // The claims read model: each submitted claim with its payments and recoveries and their dates.
    for (const claim of await this.claims.submittedClaimsMoney()) {
      const submission = claim.submission;
      if (submission.submittedOn > asOf) continue;
      const payments = claim.payments.filter((p) => p.on <= asOf);
      const paid = payments.length > 0;
      const paidPence = payments.reduce((sum, p) => sum + p.amountPence, 0);
      const recoveredPence = claim.recoveries.filter((r) => r.on <= asOf).reduce((sum, r) => sum + r.amountPence, 0);
      claims.push({
        claimId: claim.claimId,
        windowId: claim.windowId,
        financialYear: financialYearOf(submission.submittedOn),
        status: paid ? 'paid' : 'submitted',
        families: submission.familyIds.length,
        claimedPence: submission.totalPence,
        paidPence,
        differencePence: paid ? paidPence - submission.totalPence : 0,
        recoveredPence,
      });
    }
    claims.sort((a, b) => compare(a.financialYear, b.financialYear) || compare(a.windowId ?? '', b.windowId ?? '') || compare(a.claimId, b.claimId));
    return {
      councilName: await this.councilName(),
      asOf,
      claims,
      byWindow: reconciliationGroups(claims, (c) => c.windowId ?? '(no window)'),
      byFinancialYear: reconciliationGroups(claims, (c) => c.financialYear),
      totals: reconciliationSums(claims),
    };
  }

  async attachmentFees(asOf: string): Promise<AttachmentFeesReport> {
    let state = initialProgrammeState();
    for (const e of (await this.store.readStream(streams.programme(this.councilId))).events) {
      // DOMAIN.md 1: attachments count from their attachment date, fees from the day received.
      if (e.type === 'AllocationPlaceTaken' && dateOf(e.data, ['attachedOn']) > asOf) continue;
      if (e.type === 'AttachmentFeeReceived' && dateOf(e.data, ['receivedOn']) > asOf) continue;
      if (e.type === 'AttachmentProfileSet' && dateOf(e.data, ['setOn']) > asOf) continue;
      state = evolveProgramme(state, decodeProgrammeEvent(e));
    }
    const framework = frameworks[state.framework] ?? troubledFamilies2015;
    const byYear = new Map<string, number>();
    for (const attachedOn of state.attachedFamilies.values()) {
      const year = financialYearOf(attachedOn);
      byYear.set(year, (byYear.get(year) ?? 0) + 1);
    }
    const years = Object.keys(framework.ratesByFinancialYear)
      .sort()
      .map((financialYear) => {
        const attached = byYear.get(financialYear) ?? 0;
        const rate = must(framework.ratesByFinancialYear[financialYear], `rates of ${financialYear}`).attachmentFeePence;
        const profiled = state.profile.get(financialYear) ?? null;
        // On the profile basis the fee is due on the profile; the true-up is what actual attachments would have earned less that.
        const duePence = state.attachmentFeeBasis === 'actual' ? attached * rate : (profiled ?? 0) * rate;
        const receivedPence = state.feesReceived.get(financialYear) ?? 0;
        return {
          financialYear,
          familiesAttached: attached,
          profileFamilies: profiled,
          ratePence: rate,
          duePence,
          receivedPence,
          outstandingPence: duePence - receivedPence,
          // Issue 18.7: more received than due is flagged, never netted away silently.
          overpaid: receivedPence > duePence,
          overpaidPence: Math.max(0, receivedPence - duePence),
          ...(state.attachmentFeeBasis === 'profile' ? { profileReconciliationPence: attached * rate - duePence } : {}),
        };
      });
    const familiesAttached = years.reduce((s, r) => s + r.familiesAttached, 0);
    const duePence = years.reduce((s, r) => s + r.duePence, 0);
    const receivedPence = years.reduce((s, r) => s + r.receivedPence, 0);
    return {
      councilName: state.councilName || this.councilId,
      asOf,
      basis: state.attachmentFeeBasis,
      allocation: state.allocation,
      familiesAttached,
      placesLeft: Math.max(0, state.allocation - familiesAttached),
      years,
      overpaidYears: years.filter((y) => y.overpaid).map((y) => y.financialYear),
      totals: { familiesAttached, duePence, receivedPence, outstandingPence: duePence - receivedPence, overpaidPence: years.reduce((s, r) => s + r.overpaidPence, 0) },
    };
  }

  private async councilName(): Promise<string> {
    let state = initialProgrammeState();
    for (const e of (await this.store.readStream(streams.programme(this.councilId))).events) {
      if (e.type === 'ProgrammeConfigured') state = evolveProgramme(state, decodeProgrammeEvent(e));
    }
    return state.councilName || this.councilId;
  }
}

/** A business date field of an event (the first of `names` present); events without one count from the start. */
function dateOf(data: Record<string, unknown>, names: string[]): string {
  for (const name of names) if (typeof data[name] === 'string') return data[name] as string;
  return '';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
