import { randomUUID } from 'node:crypto';
import type { FamilyEvent } from '@ledger/domain';
import type { EventStore, JsonObject, PostgresEventStore } from '@ledger/event-store';
import { type DashboardFilter, DashboardQueries, FamilyQueries, FamilyReadModelsProjection, LedgerProjection, OutcomeQueries, ProjectionRunner, ResultIntervalsReadModel } from '@ledger/projections';
import { generateBorough, recordedHistories } from '@ledger/synthetic';
import { openPgliteStore, openPostgresStore, uniqueSchema } from '../support/stores';
import { testEnv } from '../support/test-env';

/**
 * Issue 22.4: results as a read model. Over a generated borough recorded in a real store, the
 * results, series, claim candidates and dashboards read from the result intervals equal those of judging
 * every family's facts, at many dates; after late data, after a new plan version, and with two
 * api instances computing at once.
 */
const kinds = [...(testEnv.postgresUrl ? (['postgres'] as const) : []), 'pglite'] as const;
const COUNCIL = 'council-ri';
const dates = Array.from({ length: 24 }, (_, i) => {
  const d = new Date(Date.UTC(2016, 0, 1) + i * 67 * 86_400_000);
  return d.toISOString().slice(0, 10);
});
/** A third of them (the late incident's as-of date below among them), for the later checks: each judges every family again. */
const someDates = dates.filter((_, i) => i % 3 === 1);

describe.each(kinds)('results from the result intervals, on %s', (kind) => {
  let store: PostgresEventStore;
  let drop: () => Promise<void>;
  let runner: ProjectionRunner;
  let exact: OutcomeQueries;
  let fast: OutcomeQueries;
  let intervals: ResultIntervalsReadModel;
  let families: FamilyQueries;
  let histories: { familyId: string; events: FamilyEvent[] }[];
  let schema: string;

  beforeAll(async () => {
    ({ store, drop } = kind === 'postgres' ? await openPostgresStore() : await openPgliteStore());
    const borough = generateBorough({ families: 120, seed: 2240 });
    histories = recordedHistories(borough, borough.families).map((history, i) => ({ familyId: (borough.families[i] as { familyId: string }).familyId, events: history.map((h) => h.event) }));
    for (const { familyId, events } of histories) await record(store, `family-${familyId}`, events);
    schema = uniqueSchema('ri');
    runner = new ProjectionRunner(store, store.sqlClient, [new FamilyReadModelsProjection(), new LedgerProjection()], { schema, batchSize: 500, inDatabase: kind === 'postgres' });
    await runner.settle(undefined, 60_000);
    families = new FamilyQueries(store.sqlClient, runner);
    intervals = new ResultIntervalsReadModel(store.sqlClient, runner, families, COUNCIL);
    exact = new OutcomeQueries(families, COUNCIL);
    fast = new OutcomeQueries(families, COUNCIL, intervals);
  }, 240_000);
  afterAll(async () => drop());

  async function expectSameAnswers(at: readonly string[]): Promise<number> {
    let withResults = 0;
    for (const asOf of at) {
      const want = await exact.results(asOf);
      withResults += want.families.length;
      expect(await fast.results(asOf)).toEqual(want);
    }
    expect(await fast.resultsSeries('2016-01-01', '2020-12-31')).toEqual(await exact.resultsSeries('2016-01-01', '2020-12-31'));
    // The BI feed's results per family and month end.
    const monthEnds = async (outcomes: OutcomeQueries) => {
      const out = [];
      for await (const family of outcomes.resultsByMonthEnd('2016-01-01', '2020-12-31')) out.push(family);
      return out;
    };
    expect(await monthEnds(fast)).toEqual(await monthEnds(exact));
    for (const asOf of [at[Math.floor(at.length / 6)], at[Math.floor(at.length / 3)], at[at.length - 2]] as string[]) {
      expect(await fast.claimCandidates(asOf, new Set())).toEqual(await exact.claimCandidates(asOf, new Set()));
      // The dashboards: when each family's result came, by which routes, and the problems met.
      const dashboards = (outcomes: OutcomeQueries, withIntervals?: ResultIntervalsReadModel, filter: Omit<DashboardFilter, 'asOf'> = {}) =>
        new DashboardQueries(store.sqlClient, runner, families, outcomes, COUNCIL, withIntervals).programme({ asOf, ...filter });
      const whole = await dashboards(exact);
      expect(await dashboards(fast, intervals)).toEqual(whole);
      // Filtered: a cohort, a keyworker, a problem at entry.
      const [year] = whole.choices.financialYears.slice(-2);
      for (const filter of [{ financialYear: year as string }, { keyworker: whole.choices.keyworkers[0] as string }, { problem: 'worklessness' }]) {
        expect(await dashboards(fast, intervals, filter)).toEqual(await dashboards(exact, undefined, filter));
      }
    }
    return withResults;
  }

  /** A domestic abuse incident recorded today, `daysBefore` the as-of date, for the first family with a result then; the log followed. */
  async function lateIncident(asOf: string, daysBefore: number): Promise<{ familyId: string }> {
    const [first] = (await fast.results(asOf)).families;
    if (!first) throw new Error('no family with a result');
    const history = histories.find((h) => h.familyId === first.familyId);
    const member = (history?.events[0] as Extract<FamilyEvent, { type: 'FamilyIdentified' }>).data.members[0]?.memberId as string;
    const on = new Date(Date.parse(`${asOf}T00:00:00Z`) - daysBefore * 86_400_000).toISOString().slice(0, 10);
    await record(store, `family-${first.familyId}`, [{ type: 'DomesticAbuseIncidentRecorded', data: { familyId: first.familyId, memberId: member, occurredOn: on } } as unknown as FamilyEvent], 'any');
    await runner.settle(undefined, 60_000);
    return first;
  }

  async function due(): Promise<number> {
    const table = await runner.liveTable('family-read-models', 'family_results_due');
    const [row] = await store.sqlClient.query<{ n: string }>(`select count(*)::text as n from ${table}`);
    return Number(row?.n);
  }

  it('answer as judging every family does, at 24 dates', async () => {
    expect(await due()).toBe(120);
    expect(await intervals.refresh()).toBe(120);
    expect(await due()).toBe(0);
    expect(await expectSameAnswers(dates)).toBeGreaterThan(100);
  }, 120_000);

  it('follow late data: a fact recorded today about a past date changes the past results', async () => {
    // An incident a month before the as-of date: no domestic abuse in the 6 months before it any more.
    await lateIncident(dates[16] as string, 30);
    expect(await due()).toBe(1);
    await expectSameAnswers(someDates);
  }, 120_000);

  it('follow a new plan version: every family is judged again', async () => {
    await record(store, `outcomePlan-${COUNCIL}`, [
      {
        type: 'OutcomePlanVersionRecorded',
        data: {
          version: 2,
          effectiveFrom: '2017-10-01',
          scope: 'at-entry-plus-later',
          parameters: { crimeAsb: { windowMonths: 3 }, education: { termsRequired: 2 }, worklessness: { employedWeeks: 8 } },
        },
      } as unknown as FamilyEvent,
    ]);
    await runner.settle(undefined, 60_000);
    const summary = await runner.liveTable('family-read-models', 'family_summary');
    const [attached] = await store.sqlClient.query<{ n: string }>(`select count(*)::text as n from ${summary} where attached_on is not null`);
    expect(await due()).toBe(Number(attached?.n));
    await expectSameAnswers(someDates);
    expect((await fast.results('2019-03-31')).families.some((f) => f.planVersion === 2)).toBe(true);
  }, 120_000);

  it('are computed again for a family one of whose people is erased', async () => {
    expect(await due()).toBe(0);
    const { familyId, events } = histories[3] as { familyId: string; events: FamilyEvent[] };
    const memberId = (events[0] as Extract<FamilyEvent, { type: 'FamilyIdentified' }>).data.members[0]?.memberId as string;
    await record(store, `personalData-${memberId}`, [{ type: 'PersonalDataErased', data: { memberId, familyId, reason: 'test' } } as unknown as FamilyEvent]);
    await runner.settle(undefined, 60_000);
    const table = await runner.liveTable('family-read-models', 'family_results_due');
    expect(await store.sqlClient.query<{ family_id: string }>(`select family_id::text as family_id from ${table}`)).toEqual([{ family_id: familyId }]);
    expect(await intervals.refresh()).toBe(1);
  }, 120_000);

  it('are computed once when two api instances compute at the same time', async () => {
    const table = await runner.liveTable('family-read-models', 'family_results_due');
    await store.sqlClient.query(
      `insert into ${table} (family_id, mark_commit, mark_prepare) select family_id, 0, 0 from ${await runner.liveTable('family-read-models', 'family_summary')} where attached_on is not null on conflict do nothing`,
    );
    const other = new ResultIntervalsReadModel(store.sqlClient, runner, families, COUNCIL);
    const [a, b, c] = await Promise.all([intervals.refresh(), other.refresh(), intervals.refresh()]);
    expect(a + b + c).toBeGreaterThanOrEqual(100);
    expect(await due()).toBe(0);
    await expectSameAnswers(dates.filter((_, i) => i % 4 === 0));
  }, 120_000);

  it('are computed again, with the evidence, on a read model made before the results carried it', async () => {
    const asOf = dates[dates.length - 2] as string;
    // A programme manager's override for a family with a result, so that one result rests on it.
    const [withResult] = (await exact.results(asOf)).families;
    const progress = withResult && (await exact.progress(withResult.familyId, asOf));
    if (!withResult || !progress?.problems[0]) throw new Error('no family with a result');
    const override = { familyId: withResult.familyId, problem: progress.problems[0].problem, reason: 'test', on: '2016-06-01', approvedBy: 'pm' };
    await record(store, `family-${withResult.familyId}`, [{ type: 'OutcomeOverrideRecorded', data: override } as unknown as FamilyEvent], 'any');
    await runner.settle(undefined, 60_000);
    await store.sqlClient.query(`drop table ${await runner.liveTable('family-read-models', 'family_result_evidence')}`);
    // The service starting again on that read model.
    runner = new ProjectionRunner(store, store.sqlClient, [new FamilyReadModelsProjection(), new LedgerProjection()], { schema, batchSize: 500, inDatabase: kind === 'postgres' });
    families = new FamilyQueries(store.sqlClient, runner);
    intervals = new ResultIntervalsReadModel(store.sqlClient, runner, families, COUNCIL);
    fast = new OutcomeQueries(families, COUNCIL, intervals);
    const summary = await runner.liveTable('family-read-models', 'family_summary');
    const [attached] = await store.sqlClient.query<{ n: string }>(`select count(*)::text as n from ${summary} where attached_on is not null`);
    expect(await due()).toBe(Number(attached?.n));
    const candidates = await fast.claimCandidates(asOf, new Set());
    expect(candidates.candidates.some((c) => c.evidenceEventIds.length > 0)).toBe(true);
    expect(candidates.candidates.find((c) => c.familyId === withResult.familyId)?.overridden).toBe(true);
    expect(candidates).toEqual(await new OutcomeQueries(families, COUNCIL).claimCandidates(asOf, new Set()));
  }, 120_000);

  it('are computed again for every family after a rebuild, and follow a change made after it', async () => {
    await intervals.refresh();
    expect(await due()).toBe(0);
    // In SQL on PostgreSQL (every family marked once at the end of the log read), through the store on PGlite.
    await runner.rebuild('family-read-models');
    expect(await due()).toBe(histories.length);
    expect(await intervals.refresh()).toBe(histories.length);
    expect(await due()).toBe(0);
    await expectSameAnswers(dates.filter((_, i) => i % 6 === 4));
    // A late incident after the rebuild: its mark is later than the rebuild's, so the family is computed again.
    const asOf = dates[19] as string;
    const first = await lateIncident(asOf, 20);
    expect(await due()).toBe(1);
    const marks = async (base: string) =>
      store.sqlClient.query<{ c: string; p: string }>(`select mark_commit::text as c, mark_prepare::text as p from ${await runner.liveTable('family-read-models', base)} where family_id = $1`, [
        first.familyId,
      ]);
    const [marked] = await marks('family_results_due');
    expect(await intervals.refresh()).toBe(1);
    // Its computation is the one kept (a rebuild's mark past the change would make it look older).
    expect(await marks('family_results_done')).toEqual([marked]);
    await expectSameAnswers([dates[17] as string, asOf]);
  }, 120_000);
});

async function record(store: EventStore, streamId: string, events: readonly FamilyEvent[], expectedVersion?: 'any'): Promise<void> {
  await store.append(
    streamId,
    events.map((e) => ({
      type: e.type,
      data: e.data as unknown as JsonObject,
      metadata: {
        eventId: randomUUID(),
        commandId: randomUUID(),
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: { userId: 'kw', role: 'keyworker' },
        recordedAt: '2021-01-04T10:00:00Z',
        schemaVersion: 1,
      },
    })),
    expectedVersion ? { expectedVersion } : undefined,
  );
}
