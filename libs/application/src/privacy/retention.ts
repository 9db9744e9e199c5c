import { addMonths, businessDate } from '@ledger/domain';
import { type EventStore, uuidV5 } from '@ledger/event-store';
import { Erasure, type KeyVault } from '@ledger/privacy';
import type { FamilyQueries } from '@ledger/projections';
import { londonToday } from '../recording';
import { readCategory, readRecords } from './privacy-records';

/** How long each kind of family is kept (LEDGER_RETENTION_YEARS, …_NOT_ATTACHED_YEARS, …_INACTIVE_YEARS). */
export interface RetentionPeriods {
  closedYears: number;
  notAttachedYears: number;
  inactiveYears: number;
}

/**
 * Why a family reaches its retention date (DOMAIN.md 6, issue 23.5):
 * - `closed`: its case closed; kept `closedYears` after closure;
 * - `never-attached`: identified but never attached; kept `notAttachedYears` after identification or its last activity, whichever is later;
 * - `never-closed`: attached, its case never closed; kept `inactiveYears` after its last activity.
 */
export type RetentionRule = 'closed' | 'never-attached' | 'never-closed';

/** The kinds of legal hold an admin or finance officer places on a family. */
export const LEGAL_HOLD_KINDS = ['claim-audit', 'spot-check', 'litigation', 'complaint', 'regulator-inquiry'] as const;
export type LegalHoldKind = (typeof LEGAL_HOLD_KINDS)[number];

export interface LegalHold {
  /** A placed hold's id; absent for a hold that follows from a claim's open internal audit. */
  holdId?: string;
  kind: LegalHoldKind;
  reference: string;
  /** What the report shows, e.g. `claim under internal audit: claim 8c1…` or `spot-check SC-2019-04 (placed 2019-05-01)`. */
  reason: string;
}

export interface RetentionFamily {
  familyId: string;
  reference: string;
  rule: RetentionRule;
  /** The date the period runs from: closure, identification or the last activity. */
  from: string;
  dueOn: string;
  reason: string;
  /** People of the family not yet erased. */
  memberIds: string[];
  /** Legal holds postponing the erasure (empty: erased by the job). */
  holds: LegalHold[];
}

export interface RetentionReport {
  asOf: string;
  periods: RetentionPeriods;
  /** Closed cases due: closed on or before this date. */
  closedOnOrBefore: string;
  /** Due and not held: what the job erases. */
  due: RetentionFamily[];
  /** Due, but held. */
  held: RetentionFamily[];
}

const HOLD_NAMESPACE = '9e3a61c2-4b7f-4d15-8a0e-2f6c9b1d7e43';

/** A hold's id: one per family, kind and reference, so placing the same hold again is the same hold. */
export function legalHoldId(familyId: string, kind: string, reference: string): string {
  return uuidV5(`${familyId}\n${kind}\n${reference.toLowerCase()}`, HOLD_NAMESPACE);
}

export interface PlacedHold {
  holdId: string;
  familyId: string;
  kind: LegalHoldKind;
  reference: string;
  placedOn: string;
  placedBy: string;
  releasedOn: string | null;
}

/** Every legal hold placed, with its release if released (`legalHold-<holdId>` streams). */
export async function placedHolds(store: EventStore): Promise<Map<string, PlacedHold>> {
  const holds = new Map<string, PlacedHold>();
  for (const e of await readRecords(store, 'legalHold')) {
    const holdId = String(e.data.holdId);
    if (e.type === 'LegalHoldPlaced') {
      const existing = holds.get(holdId);
      if (existing && existing.releasedOn === null) continue;
      holds.set(holdId, {
        holdId,
        familyId: String(e.data.familyId),
        kind: e.data.kind as LegalHoldKind,
        reference: String(e.data.reference),
        placedOn: String(e.data.placedOn),
        placedBy: e.metadata.actor.userId,
        releasedOn: null,
      });
    } else if (e.type === 'LegalHoldReleased') {
      const hold = holds.get(holdId);
      if (hold) hold.releasedOn = String(e.data.releasedOn);
    }
  }
  return holds;
}

/** Families in the audit sample of a claim whose internal audit is open (sampled, neither submitted nor withdrawn), with the claim. */
async function familiesUnderAudit(store: EventStore): Promise<Map<string, string[]>> {
  const sampled = new Map<string, string[]>();
  const closed = new Set<string>();
  for (const e of await readCategory(store, 'claim')) {
    const claimId = e.streamId.slice('claim-'.length);
    if (e.type === 'AuditSampleDrawn') sampled.set(claimId, (e.data.familyIds as string[]) ?? []);
    if (e.type === 'ClaimSubmitted' || e.type === 'ClaimWithdrawn') closed.add(claimId);
  }
  const out = new Map<string, string[]>();
  for (const [claimId, familyIds] of sampled) {
    if (closed.has(claimId)) continue;
    for (const familyId of familyIds) out.set(familyId, [...(out.get(familyId) ?? []), claimId]);
  }
  return out;
}

function yearsAfter(date: string, years: number): string {
  return addMonths(businessDate(date), 12 * years);
}

const later = (a: string, b: string | null): string => (b !== null && b > a ? b : a);

/**
 * The retention schedule on `asOf` (DOMAIN.md 6): every family whose retention date has come, with
 * the rule and reason, split into what the job erases and what a legal hold keeps (a claim under
 * internal audit, or a hold placed for a spot check, litigation, a complaint or a regulator).
 * Families whose people are all erased already are left out.
 */
export async function retentionReport(
  queries: FamilyQueries,
  store: EventStore,
  vault: KeyVault,
  asOf: string,
  periods: RetentionPeriods,
  options: { familyIds?: readonly string[] } = {},
): Promise<RetentionReport> {
  const candidates = (await queries.retentionCandidates()).filter((c) => !options.familyIds || options.familyIds.includes(c.familyId));
  const reached: Omit<RetentionFamily, 'memberIds' | 'holds'>[] = [];
  for (const c of candidates) {
    const lastActivity = c.lastRecordedAt === null ? c.identifiedOn : later(c.identifiedOn, londonToday(new Date(c.lastRecordedAt)));
    let entry: Omit<RetentionFamily, 'memberIds' | 'holds'>;
    if (c.closedOn !== null) {
      entry = {
        familyId: c.familyId,
        reference: c.reference,
        rule: 'closed',
        from: c.closedOn,
        dueOn: yearsAfter(c.closedOn, periods.closedYears),
        reason: `${periods.closedYears} years after case closure on ${c.closedOn}`,
      };
    } else if (c.attachedOn === null) {
      const from = later(c.identifiedOn, lastActivity);
      entry = {
        familyId: c.familyId,
        reference: c.reference,
        rule: 'never-attached',
        from,
        dueOn: yearsAfter(from, periods.notAttachedYears),
        reason: `never attached: ${periods.notAttachedYears} years after ${from === c.identifiedOn ? `identification on ${c.identifiedOn}` : `last activity on ${from} (identified ${c.identifiedOn})`}`,
      };
    } else {
      entry = {
        familyId: c.familyId,
        reference: c.reference,
        rule: 'never-closed',
        from: lastActivity,
        dueOn: yearsAfter(lastActivity, periods.inactiveYears),
        reason: `case never closed: ${periods.inactiveYears} years after last activity on ${lastActivity} (attached ${c.attachedOn})`,
      };
    }
    if (entry.dueOn <= asOf) reached.push(entry);
  }
  const members = await queries.memberIdsOf(reached.map((f) => f.familyId));
  const holds = reached.length > 0 ? await placedHolds(store) : new Map<string, PlacedHold>();
  const audits = reached.length > 0 ? await familiesUnderAudit(store) : new Map<string, string[]>();
  const due: RetentionFamily[] = [];
  const held: RetentionFamily[] = [];
  for (const f of reached) {
    const memberIds: string[] = [];
    for (const memberId of members.get(f.familyId) ?? []) if ((await vault.status(memberId)) !== 'erased') memberIds.push(memberId);
    if (memberIds.length === 0) continue;
    const familyHolds: LegalHold[] = [];
    for (const claimId of audits.get(f.familyId) ?? []) familyHolds.push({ kind: 'claim-audit', reference: claimId, reason: `claim ${claimId} under internal audit` });
    for (const h of holds.values()) {
      if (h.familyId !== f.familyId || (h.releasedOn !== null && h.releasedOn <= asOf) || h.placedOn > asOf) continue;
      familyHolds.push({ holdId: h.holdId, kind: h.kind, reference: h.reference, reason: `${h.kind} ${h.reference} (held since ${h.placedOn})` });
    }
    (familyHolds.length > 0 ? held : due).push({ ...f, memberIds, holds: familyHolds });
  }
  return { asOf, periods, closedOnOrBefore: addMonths(businessDate(asOf), -12 * periods.closedYears), due, held };
}

/** Runs the schedule: erases everyone in the families due and not held. */
export async function runRetention(report: RetentionReport, erasure: Erasure, at: string): Promise<{ people: number; families: number }> {
  let people = 0;
  for (const f of report.due) {
    for (const memberId of f.memberIds) {
      await erasure.erase({ memberId, familyId: f.familyId, reason: `retention schedule: ${f.reason}`, by: { userId: 'retention-schedule', role: 'system' }, at });
      people += 1;
    }
  }
  return { people, families: report.due.length };
}

/** What keeps rows of partner files sealed under keys of their own (the import service, issue 21). */
export interface ImportRowsKept {
  rowKeysRecordedOnOrBefore(recordedOnOrBefore: string): Promise<string[]>;
}

export interface ImportRowsDue {
  /** Rows of imports recorded on or before this day are due. */
  recordedOnOrBefore: string;
  /** Rows held for review or kept for candidate families, about people on no family's record (or not known to be), not yet erased. */
  rows: number;
}

/**
 * Rows kept from partner files (held for review, or unmatched and kept for candidate families) are
 * about people the ledger has not identified: they are kept as long as a family identified but
 * never attached, `notAttachedYears` after their import, then their keys are destroyed.
 */
export async function importRowsDue(imports: ImportRowsKept, asOf: string, periods: RetentionPeriods): Promise<ImportRowsDue & { keyIds: string[] }> {
  const recordedOnOrBefore = addMonths(businessDate(asOf), -12 * periods.notAttachedYears);
  const keyIds = await imports.rowKeysRecordedOnOrBefore(recordedOnOrBefore);
  return { recordedOnOrBefore, rows: keyIds.length, keyIds };
}

/** The retention schedule's step for imports: destroys the keys of the rows due (idempotent: erased rows are not found again). */
export async function eraseImportRowsDue(imports: ImportRowsKept, vault: KeyVault, asOf: string, periods: RetentionPeriods): Promise<ImportRowsDue> {
  const due = await importRowsDue(imports, asOf, periods);
  for (const keyId of due.keyIds)
    await vault.erase(keyId, `retention schedule: import rows kept ${periods.notAttachedYears} years after their import (recorded on or before ${due.recordedOnOrBefore})`);
  return { recordedOnOrBefore: due.recordedOnOrBefore, rows: due.rows };
}
