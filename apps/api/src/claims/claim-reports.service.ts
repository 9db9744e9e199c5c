import { Inject, Injectable } from '@nestjs/common';
import { type ClaimState, claimStatus } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import type { ClaimReport } from '@ledger/reporting';
import { ApiError } from '../http/api-error';
import { COUNCIL_ID, readProgramme } from '../programme/programme-commands';
import { readClaim } from './claim-commands';

/** The claim report's data, from the claim as recorded: the same claim always gives the same report. */
@Injectable()
export class ClaimReports {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  async build(claimId: string): Promise<ClaimReport> {
    const { state } = await readClaim(this.store, claimId);
    if (!state.drafted) throw new ApiError(404, 'no claim with this id', { reason: 'ClaimNotFound' });
    const { state: programme } = await readProgramme(this.store, this.councilId);
    return {
      councilName: programme.councilName,
      claimId,
      ...(state.windowId ? { windowId: state.windowId } : {}),
      asOf: state.asOf,
      frameworkId: state.frameworkId,
      planVersions: [...new Set(state.families.drafted.map((f) => f.planVersion))],
      status: claimStatus(state) ?? 'draft',
      generatedFor: state.submission?.submittedOn ?? state.asOf,
      families: state.families.drafted.map((f) => ({ reference: f.reference, route: f.route, amountPence: f.amountPence, auditStatus: auditStatusOf(state, f.familyId) })),
      signOffs: Object.entries(state.signOffs).map(([role, by]) => ({ role: role as 'programme-lead' | 'head-of-audit', by: by ?? '' })),
      ...(state.payment ? { payment: { receivedOn: state.payment.receivedOn, amountPence: state.payment.amountPence, differencePence: state.payment.differencePence } } : {}),
    };
  }
}

/** Each audit sample's family ids as a set, made once per sample (a claim lists every family against it). */
const sampledSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function sampled(familyIds: readonly string[]): ReadonlySet<string> {
  let set = sampledSets.get(familyIds);
  if (!set) sampledSets.set(familyIds, (set = new Set(familyIds)));
  return set;
}

export function auditStatusOf(state: ClaimState, familyId: string) {
  if (state.families.recovered.has(familyId)) return 'recovered' as const;
  if (state.families.removed.has(familyId)) return 'sampled: invalid (removed)' as const;
  if (!state.sample || !sampled(state.sample.familyIds).has(familyId)) return 'not sampled' as const;
  const finding = state.findings.get(familyId);
  if (!finding) return 'sampled: awaiting finding' as const;
  return finding.valid ? ('sampled: valid' as const) : ('sampled: invalid (removed)' as const);
}
