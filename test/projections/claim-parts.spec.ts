import { randomUUID } from 'node:crypto';
import { CLAIM_FAMILIES_PER_EVENT, type ClaimCommand, type ClaimEvent, type ClaimState, decideClaim, evolveClaim, initialClaimState } from '@ledger/domain';
import type { EventStore, JsonObject, PostgresEventStore } from '@ledger/event-store';
import { ClaimQueries, ClaimsProjection, LedgerProjection, ProjectionRunner } from '@ledger/projections';
import { openPgliteStore, openPostgresStore, uniqueSchema } from '../support/stores';
import { testEnv } from '../support/test-env';

/**
 * Issue 22.5: a claim of more than CLAIM_FAMILIES_PER_EVENT families is recorded as a draft and
 * parts listing its families (and a submission and parts). The ledger and the claims read model
 * give a claim recorded in parts exactly what they give the same claim recorded in one event each
 * (the shape every claim had before the parts).
 */
const kinds = [...(testEnv.postgresUrl ? (['postgres'] as const) : []), 'pglite'] as const;
const FAMILIES = 2 * CLAIM_FAMILIES_PER_EVENT + 17;
const context = { auditSample: { percent: 10, minimum: 5 }, recordedOn: '2019-06-30' };

describe.each(kinds)('a claim recorded in parts, on %s', (kind) => {
  let store: PostgresEventStore;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ store, drop } = kind === 'postgres' ? await openPostgresStore() : await openPgliteStore());
  });
  afterAll(async () => drop());

  it('gives the ledger and the claims read model what the same claim in single events gives', async () => {
    const inParts = claimHistory(randomUUID());
    expect(inParts.filter((e) => e.type === 'ClaimFamiliesListed')).toHaveLength(2);
    expect(inParts.filter((e) => e.type === 'ClaimFamiliesSubmitted')).toHaveLength(2);
    const inOne = asSingleEvents(inParts);
    const partsId = claimIdOf(inParts);
    const oneId = randomUUID();
    await record(store, partsId, inParts);
    await record(
      store,
      oneId,
      inOne.map((e) => (e.type === 'ClaimDrafted' ? { ...e, data: { ...e.data, claimId: oneId } } : e)),
    );

    // Small batches, so a claim's parts are applied across several batches too.
    const runner = new ProjectionRunner(store, store.sqlClient, [new LedgerProjection(), new ClaimsProjection()], { schema: uniqueSchema('parts'), batchSize: 250, inDatabase: false });
    // Settled, not only caught up: on PostgreSQL a read of the log holds back events committed while
    // another transaction on the server (another test file's) is still open. Waits for it up to a
    // minute: a test file beside this one can hold a transaction longer than a read's 5 s.
    await runner.settle(undefined, 60_000);
    const lines = await runner.liveTable('ledger', 'ledger_lines');
    const byClaim = await store.sqlClient.query<{ claim_id: string; lines: string; families: string; receivable: string }>(
      `select claim_id::text as claim_id, count(*)::text as lines, count(distinct family_id)::text as families,
              sum(amount_pence) filter (where account = 'results-receivable')::text as receivable
         from ${lines} where claim_id is not null group by claim_id`,
    );
    const of = (id: string) => byClaim.find((r) => r.claim_id === id);
    expect(of(partsId)).toMatchObject({ lines: String(2 * (FAMILIES - 1)), families: String(FAMILIES - 1) });
    expect(of(partsId)?.receivable).toBe(of(oneId)?.receivable);
    const state = fold(inParts);
    expect(Number(of(partsId)?.receivable)).toBe(state.totals.remainingPence);

    const claims = new ClaimQueries(store.sqlClient, runner, { settle: false });
    const list = await claims.list();
    const entry = (id: string) => {
      const found = list.find((c) => c.claimId === id);
      if (!found) throw new Error(`claim ${id} not listed`);
      // What differs by construction: the id, the stream's version (more events) and how many parts the submission came in.
      const { claimId: _id, version: _version, ...rest } = found;
      return { ...rest, submission: rest.submission ? { ...rest.submission, parts: undefined, familyCount: undefined } : null };
    };
    const parts = entry(partsId);
    expect(parts.status).toBe('submitted');
    expect(parts).toEqual(entry(oneId));
    expect(parts.submission?.familyIds).toHaveLength(FAMILIES - 1);
  });
});

function claimIdOf(history: ClaimEvent[]): string {
  const first = history[0];
  if (first?.type !== 'ClaimDrafted') throw new Error('no draft');
  return first.data.claimId;
}

function fold(events: readonly ClaimEvent[], from: ClaimState = initialClaimState()): ClaimState {
  return events.reduce(evolveClaim, from);
}

/** A claim of FAMILIES families drafted, sampled, audited (one found invalid), signed off and submitted. */
function claimHistory(claimId: string): ClaimEvent[] {
  const events: ClaimEvent[] = [];
  let state = initialClaimState();
  const step = (command: ClaimCommand) => {
    const decision = decideClaim(command, state, context);
    if (!decision.ok) throw new Error(`${decision.rejection.reason}: ${decision.rejection.message}`);
    events.push(...decision.events);
    state = fold(decision.events, state);
  };
  step({
    type: 'DraftClaim',
    claimId,
    asOf: '2019-03-31',
    draftedOn: '2019-04-01',
    frameworkId: 'troubled-families-2015',
    draftedBy: 'finance.fo',
    families: Array.from({ length: FAMILIES }, (_, i) => ({
      familyId: randomUUID(),
      reference: `REF-${String(i).padStart(5, '0')}`,
      routes: ['sustained-progress'],
      planVersion: 1,
      amountPence: 80_000 + (i % 4) * 5_000,
      attachedOn: '2016-05-01',
      evidenceEventIds: [randomUUID()],
      overridden: false,
    })),
  });
  step({ type: 'DrawAuditSample', seed: 42, sampledOn: '2019-04-02', by: 'audit.au', alreadyClaimedFamilyIds: [] });
  for (const [i, familyId] of (state.sample?.familyIds ?? []).entries()) step({ type: 'RecordAuditFinding', familyId, valid: i !== 0, note: 'checked', auditor: 'audit.au', foundOn: '2019-04-03' });
  step({ type: 'SignOffClaim', role: 'programme-lead', by: 'pm.lead', signedOn: '2019-04-04', overrideApprovers: [] });
  step({ type: 'SignOffClaim', role: 'head-of-audit', by: 'audit.au', signedOn: '2019-04-04', overrideApprovers: [] });
  step({ type: 'SubmitClaim', submittedOn: '2019-04-05', alreadyClaimedFamilyIds: [] });
  return events;
}

/** The same claim as claims were recorded before the parts: its families in the draft, its submission in one event. */
function asSingleEvents(history: ClaimEvent[]): ClaimEvent[] {
  const out: ClaimEvent[] = [];
  for (const e of history) {
    const last = out.at(-1);
    if (e.type === 'ClaimFamiliesListed' && last?.type === 'ClaimDrafted') out[out.length - 1] = { ...last, data: { ...last.data, families: [...last.data.families, ...e.data.families] } };
    else if (e.type === 'ClaimFamiliesSubmitted' && last?.type === 'ClaimSubmitted')
      out[out.length - 1] = { ...last, data: { ...last.data, familyIds: [...last.data.familyIds, ...e.data.familyIds] } };
    else if (e.type === 'ClaimDrafted' || e.type === 'ClaimSubmitted') {
      const { parts: _parts, familyCount: _count, ...data } = e.data;
      out.push({ ...e, data } as ClaimEvent);
    } else out.push(e);
  }
  return out;
}

async function record(store: EventStore, claimId: string, events: readonly ClaimEvent[]): Promise<void> {
  const result = await store.append(
    `claim-${claimId}`,
    events.map((e) => ({
      type: e.type,
      data: e.data as unknown as JsonObject,
      metadata: {
        eventId: randomUUID(),
        commandId: randomUUID(),
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: { userId: 'finance.fo', role: 'finance-officer' },
        recordedAt: '2019-06-30T10:00:00Z',
        schemaVersion: 1,
      },
    })),
    { expectedVersion: 'no_stream' },
  );
  expect(result.kind).toBe('appended');
}
