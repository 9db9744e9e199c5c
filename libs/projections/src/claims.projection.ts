import { type ClaimEvent, type ClaimState, claimStatus, evolveClaim, initialClaimState, upcastClaimEvent } from '@ledger/domain';
import { formatPosition, type RecordedEvent } from '@ledger/event-store';
import type { SqlTx } from '@ledger/sql';
import { type Projection, type TableNamer, tableExists } from './projection';

/**
 * The claims read model (issue 14.5): what the lists, the auditors' access checks, the spot-check
 * report and the reconciliation report used to fold from every claim stream on every request.
 * - `claims`: one row per claim: its folded state (the domain's `evolveClaim`, events upcast as
 *   the claim's own reads upcast them), status, window, submission date, every family ever in
 *   its audit sample, and where in the log it was drafted (the lists' order);
 * - `claim_findings`: each claim's latest audit finding per family, with its log position (for
 *   "evidence recorded after the finding");
 * - `claim_money`: every payment and recovery with its business date and amount in pence;
 * - `spot_checks`: every spot check recorded, with its log position.
 * The state is kept without the free text the store seals (a finding's note, a removal's or a
 * recovery's reason): no read of this model needs it. Each claim row remembers the stream version
 * it has applied, so re-applying a batch changes nothing.
 */
export class ClaimsProjection implements Projection {
  readonly name = 'claims';
  readonly version: number = 1;
  readonly categories = ['claim', 'spotCheck'] as const;
  readonly tables = ['claims', 'claim_findings', 'claim_money', 'spot_checks'] as const;

  async createTables(tx: SqlTx, table: TableNamer): Promise<void> {
    if (!(await tableExists(tx, table('claims')))) {
      await tx.query(`create table ${table('claims')} (
        claim_id text primary key,
        drafted_at text not null,
        version bigint not null,
        status text,
        window_id text,
        submitted_on text,
        closed boolean not null,
        sampled_family_ids text[] not null default '{}',
        state json not null)`);
      await tx.query(`create index on ${table('claims')} using gin (sampled_family_ids)`);
    }
    if (!(await tableExists(tx, table('claim_findings')))) {
      await tx.query(`create table ${table('claim_findings')} (
        claim_id text not null, family_id text not null, valid boolean not null, found_on text not null, recorded_at text not null, version bigint not null,
        primary key (claim_id, family_id))`);
      await tx.query(`create index on ${table('claim_findings')} (family_id) where not valid`);
    }
    if (!(await tableExists(tx, table('claim_money')))) {
      await tx.query(`create table ${table('claim_money')} (
        event_id uuid primary key, claim_id text not null, recorded_at text not null, kind text not null, on_date text not null, amount_pence bigint not null,
        family_id text, spot_check_id text)`);
      await tx.query(`create index on ${table('claim_money')} (claim_id)`);
      await tx.query(`create index on ${table('claim_money')} (spot_check_id) where spot_check_id is not null`);
    }
    if (!(await tableExists(tx, table('spot_checks')))) {
      await tx.query(`create table ${table('spot_checks')} (spot_check_id text primary key, recorded_at text not null)`);
    }
  }

  async apply(tx: SqlTx, events: readonly RecordedEvent[], table: TableNamer): Promise<void> {
    const spotChecks = events.filter((e) => e.type === 'SpotCheckRecorded' && e.streamId.startsWith('spotCheck-'));
    if (spotChecks.length > 0) {
      await tx.query(`insert into ${table('spot_checks')} (spot_check_id, recorded_at) select * from unnest($1::text[], $2::text[]) on conflict do nothing`, [
        spotChecks.map((e) => e.streamId.slice('spotCheck-'.length)),
        spotChecks.map((e) => formatPosition(e.position)),
      ]);
    }
    const claimEvents = events.filter((e) => e.streamId.startsWith('claim-'));
    if (claimEvents.length === 0) return;
    const ids = [...new Set(claimEvents.map((e) => e.streamId.slice('claim-'.length)))];
    const stored = await tx.query<{ claim_id: string; drafted_at: string; version: string; sampled_family_ids: string[]; state: unknown }>(
      `select claim_id, drafted_at, version::text as version, sampled_family_ids, state from ${table('claims')} where claim_id = any($1::text[])`,
      [ids],
    );
    const rows = new Map<string, ClaimRow>(
      stored.map((r) => [r.claim_id, { draftedAt: r.drafted_at, version: Number(r.version), sampled: new Set(r.sampled_family_ids), state: loadClaimState(r.state), changed: false }]),
    );
    const findings: { claimId: string; familyId: string; valid: boolean; foundOn: string; recordedAt: string; version: number }[] = [];
    const money: { eventId: string; claimId: string; recordedAt: string; kind: string; on: string; amountPence: number; familyId: string | null; spotCheckId: string | null }[] = [];
    for (const e of claimEvents) {
      const claimId = e.streamId.slice('claim-'.length);
      const row = rows.get(claimId) ?? { draftedAt: formatPosition(e.position), version: 0, sampled: new Set<string>(), state: initialClaimState(), changed: false };
      rows.set(claimId, row);
      // Applied already (a batch applied twice): the row is past it.
      if (e.version <= row.version) continue;
      const event = claimEventOf(e);
      row.state = evolveClaim(row.state, event);
      row.version = e.version;
      row.changed = true;
      const data = e.data as Record<string, unknown>;
      if (event.type === 'AuditSampleDrawn') for (const familyId of event.data.familyIds) row.sampled.add(familyId);
      if (event.type === 'AuditFindingRecorded') {
        findings.push({ claimId, familyId: event.data.familyId, valid: event.data.valid, foundOn: event.data.foundOn ?? '', recordedAt: formatPosition(e.position), version: e.version });
      }
      if (e.type === 'ClaimPaymentReceived' || e.type === 'FamilyResultRecovered') {
        money.push({
          eventId: e.metadata.eventId,
          claimId,
          recordedAt: formatPosition(e.position),
          kind: e.type === 'ClaimPaymentReceived' ? 'payment' : 'recovery',
          // The business date the finance reports count it from ('' for an event without one: from the start).
          on: e.type === 'ClaimPaymentReceived' ? dateOf(data, ['receivedOn']) : dateOf(data, ['on', 'recoveredOn']),
          amountPence: Number(data.amountPence),
          familyId: typeof data.familyId === 'string' ? data.familyId : null,
          spotCheckId: typeof data.spotCheckId === 'string' ? data.spotCheckId : null,
        });
      }
    }
    const changed = [...rows].filter(([, row]) => row.changed);
    if (changed.length > 0) {
      await tx.query(
        `insert into ${table('claims')} (claim_id, drafted_at, version, status, window_id, submitted_on, closed, sampled_family_ids, state)
         select r->>'claimId', r->>'draftedAt', (r->>'version')::bigint, r->>'status', r->>'windowId', r->>'submittedOn', (r->>'closed')::boolean,
                array(select jsonb_array_elements_text(r->'sampled')), (r->>'state')::json
           from jsonb_array_elements($1::jsonb) as r
         on conflict (claim_id) do update set version = excluded.version, status = excluded.status, window_id = excluded.window_id, submitted_on = excluded.submitted_on,
           closed = excluded.closed, sampled_family_ids = excluded.sampled_family_ids, state = excluded.state`,
        [
          JSON.stringify(
            changed.map(([claimId, row]) => ({
              claimId,
              draftedAt: row.draftedAt,
              version: row.version,
              status: claimStatus(row.state),
              windowId: row.state.windowId,
              submittedOn: row.state.submission?.submittedOn ?? null,
              closed: row.state.submission !== null || row.state.withdrawal !== null,
              sampled: [...row.sampled],
              // As text inside the document: a json column keeps the state's keys in their order.
              state: JSON.stringify(storedClaimState(row.state)),
            })),
          ),
        ],
      );
    }
    // A later finding on the same family in the same claim replaces the earlier one (in log order).
    for (const f of findings) {
      await tx.query(
        `insert into ${table('claim_findings')} (claim_id, family_id, valid, found_on, recorded_at, version) values ($1, $2, $3, $4, $5, $6)
         on conflict (claim_id, family_id) do update set valid = excluded.valid, found_on = excluded.found_on, recorded_at = excluded.recorded_at, version = excluded.version
         where ${table('claim_findings')}.version < excluded.version`,
        [f.claimId, f.familyId, f.valid, f.foundOn, f.recordedAt, f.version],
      );
    }
    if (money.length > 0) {
      await tx.query(
        `insert into ${table('claim_money')} (event_id, claim_id, recorded_at, kind, on_date, amount_pence, family_id, spot_check_id)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[]) on conflict do nothing`,
        [
          money.map((m) => m.eventId),
          money.map((m) => m.claimId),
          money.map((m) => m.recordedAt),
          money.map((m) => m.kind),
          money.map((m) => m.on),
          money.map((m) => m.amountPence),
          money.map((m) => m.familyId),
          money.map((m) => m.spotCheckId),
        ],
      );
    }
  }
}

interface ClaimRow {
  draftedAt: string;
  version: number;
  sampled: Set<string>;
  state: ClaimState;
  changed: boolean;
}

/** A stored claim event as the claim's own reads fold it: events from before the steps carried dates get the day they were recorded. */
function claimEventOf(e: RecordedEvent): ClaimEvent {
  return upcastClaimEvent({ type: e.type, data: e.data } as unknown as ClaimEvent, londonDay(new Date(e.metadata.recordedAt)));
}

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in England at an instant (as `londonToday` in @ledger/application). */
function londonDay(at: Date): string {
  return londonDate.format(at);
}

/** A business date field of an event (the first of `names` present); '' when it has none. */
function dateOf(data: Record<string, unknown>, names: string[]): string {
  for (const name of names) if (typeof data[name] === 'string') return data[name];
  return '';
}

type Entries<V> = [string, V][];

/** The state as stored: maps as entry lists, without the free text sealed at source. */
interface StoredClaimState extends Omit<ClaimState, 'families' | 'findings'> {
  families: Omit<ClaimState['families'], 'removed' | 'recovered'> & { removed: Entries<{ amountPence: number }>; recovered: Entries<{ on: string; amountPence: number }> };
  findings: Entries<{ valid: boolean; auditor: string; foundOn?: string }>;
}

export function storedClaimState(state: ClaimState): StoredClaimState {
  return {
    ...state,
    families: {
      ...state.families,
      removed: [...state.families.removed].map(([familyId, r]) => [familyId, { amountPence: r.amountPence }]),
      recovered: [...state.families.recovered].map(([familyId, r]) => [familyId, { on: r.on, amountPence: r.amountPence }]),
    },
    findings: [...state.findings].map(([familyId, f]) => [familyId, { valid: f.valid, auditor: f.auditor, ...(f.foundOn !== undefined ? { foundOn: f.foundOn } : {}) }]),
  };
}

/** A stored state back as the domain's (free text empty: it was never stored). */
export function loadClaimState(stored: unknown): ClaimState {
  const s = (typeof stored === 'string' ? JSON.parse(stored) : stored) as StoredClaimState;
  return {
    ...s,
    families: {
      ...s.families,
      removed: new Map(s.families.removed.map(([familyId, r]) => [familyId, { reason: '', amountPence: r.amountPence }])),
      recovered: new Map(s.families.recovered.map(([familyId, r]) => [familyId, { reason: '', on: r.on, amountPence: r.amountPence }])),
    },
    findings: new Map(s.findings.map(([familyId, f]) => [familyId, { valid: f.valid, note: '', auditor: f.auditor, ...(f.foundOn !== undefined ? { foundOn: f.foundOn } : {}) }])),
  };
}
