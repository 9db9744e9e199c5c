import { Inject, Injectable } from '@nestjs/common';
import type { LedgerConfig } from '@ledger/config';
import {
  type ClaimState,
  type ProgrammeState,
  claimStatus,
  decodeClaimEvent,
  decodeProgrammeEvent,
  evolveClaim,
  evolveProgramme,
  initialClaimState,
  initialProgrammeState,
  streams,
} from '@ledger/domain';
import { EVENT_STORE, type EventStore, LEDGER_CONFIG, type RecordedEvent, comparePositions } from '@ledger/event-store';
import type { ClaimDeclaration, ClaimPositionReport, ClaimReport, ClaimReportSignOff, ClaimSignOffRole } from '@ledger/reporting';
import { ApiError } from '../api-error';
import { londonToday } from '../recording';
import { COUNCIL_ID } from '../programme/programme-commands';

/**
 * The claim reports' data, from the claim as recorded.
 *
 * The report as submitted is frozen (DOMAIN.md 5): it is built from the claim's events up to and
 * including `ClaimSubmitted`, and from the programme's events recorded before that, so a payment,
 * a recovery or a later change of the council's name never changes its bytes. The claim's
 * position after submission (payments, recoveries) is a report of its own (`position`).
 */
@Injectable()
export class ClaimReports {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    @Inject(LEDGER_CONFIG) private readonly config: Pick<LedgerConfig, 'declarations'>,
  ) {}

  /** The claim report: as submitted once submitted (frozen), otherwise the draft as it stands (watermarked DRAFT). */
  async build(claimId: string): Promise<ClaimReport> {
    const events = (await this.store.readStream(streams.claim(claimId))).events;
    const submittedAt = events.findIndex((e) => e.type === 'ClaimSubmitted');
    // The submission with the parts of its family list recorded with it (issue 22.5).
    let submittedTo = submittedAt;
    while (submittedAt >= 0 && events[submittedTo + 1]?.type === 'ClaimFamiliesSubmitted') submittedTo += 1;
    const frozen = submittedAt >= 0 ? events.slice(0, submittedTo + 1) : events;
    const state = foldClaim(frozen);
    if (!state.drafted) throw notFound();
    const programme = await this.programme(submittedAt >= 0 ? events[submittedAt] : undefined);
    const window = state.windowId ? programme.claimWindows.find((w) => w.windowId === state.windowId) : undefined;
    const signOffs = signOffsOf(state, frozen);
    return {
      councilName: programme.councilName || this.councilId,
      claimId,
      ...(state.windowId ? { windowId: state.windowId } : {}),
      ...(window ? { window: { opensOn: window.opensOn, closesOn: window.closesOn } } : {}),
      asOf: state.asOf,
      frameworkId: state.frameworkId,
      ...(state.frameworkVersion !== undefined ? { frameworkVersion: state.frameworkVersion } : {}),
      planVersions: [...new Set(state.families.drafted.map((f) => f.planVersion))],
      status: claimStatus(state) ?? 'draft',
      ...(state.submission ? { submittedOn: state.submission.submittedOn } : {}),
      generatedFor: state.submission?.submittedOn ?? state.asOf,
      families: state.families.drafted.map((f) => ({ reference: f.reference, route: f.route, amountPence: f.amountPence, auditStatus: auditStatusOf(state, f.familyId) })),
      signOffs,
      declarations: this.declarations(frozen),
    };
  }

  /** The claim's position after submission: payments received and recoveries (DOMAIN.md 5.4, 5.5). */
  async position(claimId: string): Promise<ClaimPositionReport> {
    const events = (await this.store.readStream(streams.claim(claimId))).events;
    const state = foldClaim(events);
    if (!state.drafted) throw notFound();
    if (!state.submission) throw new ApiError(422, 'the claim has not been submitted: its position starts at submission (see its report for the draft)', { reason: 'ClaimNotSubmitted' });
    const programme = await this.programme(undefined);
    const drafted = new Map(state.families.drafted.map((f) => [f.familyId, f]));
    // Recoveries and payments from the events themselves, so each one keeps its own business date.
    const recoveries = new Map<string, { on: string; amountPence: number }>();
    const payments: { receivedOn: string; amountPence: number }[] = [];
    for (const e of events) {
      if (e.type === 'FamilyResultRecovered') {
        const on = dateField(e.data, ['on', 'recoveredOn']) ?? recordedDay(e);
        recoveries.set(String(e.data.familyId), { on, amountPence: Number(e.data.amountPence) });
      }
      if (e.type === 'ClaimPaymentReceived') payments.push({ receivedOn: dateField(e.data, ['receivedOn']) ?? recordedDay(e), amountPence: Number(e.data.amountPence) });
    }
    const submittedOn = state.submission.submittedOn;
    const dates = [submittedOn, ...payments.map((p) => p.receivedOn), ...[...recoveries.values()].map((r) => r.on)];
    return {
      councilName: programme.councilName || this.councilId,
      claimId,
      ...(state.windowId ? { windowId: state.windowId } : {}),
      asOf: state.asOf,
      submittedOn,
      positionOn: dates.reduce((latest, d) => (d > latest ? d : latest)),
      families: state.submission.familyIds.flatMap((familyId) => {
        const f = drafted.get(familyId);
        if (!f) return [];
        const recovered = recoveries.get(familyId);
        return [{ reference: f.reference, route: f.route, claimedPence: f.amountPence, ...(recovered ? { recovered } : {}) }];
      }),
      payments,
    };
  }

  /** The programme (council name, claim windows) as recorded up to an event of the claim, or now. */
  private async programme(upTo: RecordedEvent | undefined): Promise<ProgrammeState> {
    let state = initialProgrammeState();
    for (const e of (await this.store.readStream(streams.programme(this.councilId))).events) {
      if (upTo && comparePositions(e.position, upTo.position) > 0) break;
      state = evolveProgramme(state, decodeProgrammeEvent(e));
    }
    return state;
  }

  /**
   * The declarations: the text a sign-off event recorded, where it recorded one (so a submitted
   * report keeps the words that were signed), otherwise the configured text.
   */
  private declarations(events: readonly RecordedEvent[]): ClaimDeclaration[] {
    const configured: Record<ClaimSignOffRole, string> = { 'programme-lead': this.config.declarations.programmeLead, 'head-of-audit': this.config.declarations.headOfAudit };
    const signed = new Map<string, string>();
    for (const e of events) if (e.type === 'ClaimSignedOff' && typeof e.data.declaration === 'string') signed.set(String(e.data.role), e.data.declaration);
    return (['programme-lead', 'head-of-audit'] as const).map((role) => ({ role, text: signed.get(role) ?? configured[role] }));
  }
}

function notFound(): ApiError {
  return new ApiError(404, 'no claim with this id', { reason: 'ClaimNotFound' });
}

function foldClaim(events: readonly RecordedEvent[]): ClaimState {
  let state = initialClaimState();
  for (const e of events) state = evolveClaim(state, decodeClaimEvent(e));
  return state;
}

/**
 * Each current sign-off with its signatory and date. The signatory comes from the claim's state
 * (a user id, or an object with `by` where the state keeps more); the date is the sign-off's
 * business date where the event carries one (`signedOn`), else the day it was recorded.
 */
function signOffsOf(state: ClaimState, events: readonly RecordedEvent[]): ClaimReportSignOff[] {
  const lastEvent = new Map<string, RecordedEvent>();
  for (const e of events) if (e.type === 'ClaimSignedOff') lastEvent.set(String(e.data.role), e);
  return Object.entries(state.signOffs as Record<string, unknown>).flatMap(([role, value]) => {
    if (value === undefined || value === null) return [];
    const held = typeof value === 'object' ? (value as Record<string, unknown>) : {};
    const by = typeof value === 'string' ? value : String(held.name ?? held.by ?? '');
    const event = lastEvent.get(role);
    const on = dateField(held, ['signedOn', 'on']) ?? (event ? (dateField(event.data, ['signedOn', 'on']) ?? recordedDay(event)) : undefined);
    return [{ role: role as ClaimSignOffRole, by, ...(on ? { on } : {}) }];
  });
}

function dateField(data: Record<string, unknown>, names: string[]): string | undefined {
  for (const name of names) {
    const value = data[name];
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  }
  return undefined;
}

/** The calendar day (Europe/London) an event was recorded: the date of a step that carries none of its own. */
function recordedDay(event: RecordedEvent): string {
  return londonToday(new Date(event.metadata.recordedAt));
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
