import {
  FAMILY_EVENT_TYPES_THE_RULES_READ,
  type FinancialFramework,
  type OutcomePlanState,
  type OutcomePlanVersion,
  PERSONAL_DATA_THE_RULES_READ,
  type ProblemInterval,
  type ResultInterval,
  asRecorded,
  decodeFamilyEvent,
  foldFamily,
  evolveOutcomePlan,
  frameworks,
  initialOutcomePlanState,
  resultIntervals,
  troubledFamilies2015,
} from '@ledger/domain';
import type { SqlClient } from '@ledger/sql';
import type { FamilyFactRow, FamilyQueries } from './family.queries';
import type { ProjectionRunner } from './projection-runner';

/** A family with a result at a month end, by route. */
export interface MonthEndResult {
  familyId: string;
  asOf: string;
  sustainedProgress: boolean;
  continuousEmployment: boolean;
  planVersion: number;
}

/** A family's state from its facts in the read model (as `foldFacts` of the outcome queries). */
function foldFacts(facts: readonly FamilyFactRow[]) {
  return foldFamily(facts.map((f) => ({ event: decodeFamilyEvent(f), eventId: f.eventId })));
}

/** A family with a result at a date, as the intervals say. */
export interface ResultRow {
  familyId: string;
  reference: string;
  sustainedProgress: boolean;
  continuousEmployment: boolean;
  planVersion: number;
}

/** A family with a result at a date and what a claim records of it (`candidatesAt`). */
export interface CandidateRow extends ResultRow {
  evidenceEventIds: string[];
  overridden: boolean;
  attachedOn: string;
}

/** How many attached families have a result at a date, by route. */
export interface ResultCount {
  asOf: string;
  families: number;
  sustainedProgress: number;
  continuousEmployment: number;
}

const RULES_READ = { open: PERSONAL_DATA_THE_RULES_READ, types: FAMILY_EVENT_TYPES_THE_RULES_READ };

/** Families computed per transaction. */
const PAGE = 1_000;

/**
 * The council's Outcome Plan versions (as the events fold them) and its framework, from the read
 * models: what the rules judge by.
 */
export async function councilRules(families: FamilyQueries, councilId: string): Promise<{ plans: OutcomePlanState; framework: FinancialFramework }> {
  const recorded = await families.outcomePlans(councilId);
  const frameworkId = await families.framework(councilId);
  const framework = (frameworkId && frameworks[frameworkId]) || troubledFamilies2015;
  // The read model keeps each version as recorded; the domain reads it as the events' fold does.
  const plans = recorded.reduce(
    (s, r) =>
      evolveOutcomePlan(s, {
        type: 'OutcomePlanVersionRecorded',
        data: { version: r.version, effectiveFrom: r.effectiveFrom, scope: r.scope as OutcomePlanVersion['scope'], ...asRecorded(r.parameters) },
      }),
    initialOutcomePlanState(framework.defaultPlan),
  );
  return { plans, framework };
}

/**
 * Results as a read model (issue 22.4): each attached family's result intervals (the spans of
 * dates it has a result, by route and plan version: `resultIntervals`), so that results,
 * dashboards and claim drafts read rows instead of judging every family per request.
 *
 * The family read models mark a family due (`family_results_due`) in the transaction that records
 * its facts, and every family when the plan or framework changes; `refresh` computes the due
 * families' intervals from their opened facts, a page at a time, and clears each mark it has
 * caught up with. Reads refresh first, so an answer includes every fact the read models hold.
 * Questions as known on a past date (`knownAt`) are not answered here: they judge the facts then known.
 */
export class ResultIntervalsReadModel {
  private running: Promise<number> | null = null;
  private queued: Promise<number> | null = null;

  constructor(
    private readonly sql: SqlClient,
    private readonly runner: ProjectionRunner,
    private readonly families: FamilyQueries,
    private readonly councilId: string,
  ) {}

  /**
   * Computes the intervals of every family due; resolves with how many families it computed.
   * Callers at once share a pass; one arriving during a pass waits for the next, which sees
   * everything marked before it asked.
   */
  refresh(): Promise<number> {
    if (!this.running) {
      this.running = this.pass().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => 0)
        .then(() => {
          this.queued = null;
          return this.refresh();
        });
    }
    return this.queued;
  }

  /** `refresh` when any family is due (one cheap query when none is). */
  async refreshIfDue(): Promise<number> {
    const due = await this.runner.liveTable('family-read-models', 'family_results_due');
    const [any] = await this.sql.query(`select 1 from ${due} limit 1`);
    return any ? this.refresh() : 0;
  }

  /** Families with a result at `asOf`, in reference order. */
  async resultsAt(asOf: string): Promise<ResultRow[]> {
    await this.refresh();
    const results = await this.runner.liveTable('family-read-models', 'family_results');
    const summary = await this.runner.liveTable('family-read-models', 'family_summary');
    const rows = await this.sql.query<{ family_id: string; reference: string; sp: boolean; ce: boolean; plan_version: number }>(
      `select r.family_id::text as family_id, s.reference, r.sustained_progress as sp, r.continuous_employment as ce, r.plan_version
         from ${results} r join ${summary} s on s.family_id = r.family_id
        where r.from_on <= $1::date and (r.until_on is null or r.until_on > $1::date)`,
      [asOf],
    );
    return rows
      .map((r) => ({ familyId: r.family_id, reference: String(r.reference), sustainedProgress: r.sp === true, continuousEmployment: r.ce === true, planVersion: Number(r.plan_version) }))
      .sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  }

  /**
   * Families with a result at `asOf`, with what a claim records of each (the evidence the result
   * rests on then, whether an override meets a problem, the attachment date its rate follows).
   */
  async candidatesAt(asOf: string): Promise<CandidateRow[]> {
    await this.refresh();
    const results = await this.runner.liveTable('family-read-models', 'family_results');
    const summary = await this.runner.liveTable('family-read-models', 'family_summary');
    const evidence = await this.runner.liveTable('family-read-models', 'family_result_evidence');
    const rows = await this.sql.query<{ family_id: string; reference: string; sp: boolean; ce: boolean; plan_version: number; evidence: string[]; overridden: boolean; attached_on: string }>(
      `select r.family_id::text as family_id, s.reference, r.sustained_progress as sp, r.continuous_employment as ce, r.plan_version,
              e.evidence, e.overridden, s.attached_on::text as attached_on
         from ${results} r join ${summary} s on s.family_id = r.family_id join ${evidence} e on e.family_id = r.family_id and e.from_on = r.from_on
        where r.from_on <= $1::date and (r.until_on is null or r.until_on > $1::date) and s.attached_on is not null`,
      [asOf],
    );
    return rows.map((r) => ({
      familyId: r.family_id,
      reference: String(r.reference),
      sustainedProgress: r.sp === true,
      continuousEmployment: r.ce === true,
      planVersion: Number(r.plan_version),
      evidenceEventIds: [...r.evidence],
      overridden: r.overridden === true,
      attachedOn: r.attached_on,
    }));
  }

  /** Each family's results at these dates (`OutcomeQueries.resultsByMonthEnd`), a family at a time, keyset-paged. */
  async *monthEndResults(dates: readonly string[]): AsyncGenerator<MonthEndResult[]> {
    await this.refresh();
    if (dates.length === 0) return;
    const results = await this.runner.liveTable('family-read-models', 'family_results');
    let after: string | null = null;
    for (;;) {
      const page: { family_id: string }[] = await this.sql.query<{ family_id: string }>(
        // Ordered by the column, not its text, so that each page is a stretch of the index.
        `select r.family_id::text as family_id from ${results} r where ($1::uuid is null or r.family_id > $1::uuid) group by r.family_id order by r.family_id limit ${PAGE}`,
        [after],
      );
      if (page.length === 0) return;
      after = page[page.length - 1]?.family_id ?? null;
      const rows = await this.sql.query<{ family_id: string; as_of: string; sp: boolean; ce: boolean; plan_version: number }>(
        `select r.family_id::text as family_id, d.as_of::text as as_of, r.sustained_progress as sp, r.continuous_employment as ce, r.plan_version
           from ${results} r join unnest($1::date[]) as d(as_of) on r.from_on <= d.as_of and (r.until_on is null or r.until_on > d.as_of)
          where r.family_id = any($2::uuid[])
          order by r.family_id, d.as_of`,
        [dates, page.map((p) => p.family_id)],
      );
      let family: MonthEndResult[] = [];
      for (const r of rows) {
        if (family.length > 0 && family[0]?.familyId !== r.family_id) {
          yield family;
          family = [];
        }
        family.push({ familyId: r.family_id, asOf: r.as_of, sustainedProgress: r.sp === true, continuousEmployment: r.ce === true, planVersion: Number(r.plan_version) });
      }
      if (family.length > 0) yield family;
      if (page.length < PAGE) return;
    }
  }

  /** How many families have a result at each date, by route. */
  async countsAt(dates: readonly string[]): Promise<ResultCount[]> {
    await this.refresh();
    if (dates.length === 0) return [];
    const results = await this.runner.liveTable('family-read-models', 'family_results');
    const rows = await this.sql.query<{ as_of: string; families: string; sp: string; ce: string }>(
      `select d.as_of::text as as_of, count(r.family_id)::text as families,
              count(r.family_id) filter (where r.sustained_progress)::text as sp, count(r.family_id) filter (where r.continuous_employment)::text as ce
         from unnest($1::date[]) as d(as_of)
         left join ${results} r on r.from_on <= d.as_of and (r.until_on is null or r.until_on > d.as_of)
        group by d.as_of`,
      [dates],
    );
    const byDate = new Map(rows.map((r) => [String(r.as_of), r]));
    return dates.map((asOf) => {
      const r = byDate.get(asOf);
      return { asOf, families: Number(r?.families ?? 0), sustainedProgress: Number(r?.sp ?? 0), continuousEmployment: Number(r?.ce ?? 0) };
    });
  }

  private async pass(): Promise<number> {
    let computed = 0;
    const due = await this.runner.liveTable('family-read-models', 'family_results_due');
    const done = await this.runner.liveTable('family-read-models', 'family_results_done');
    const results = await this.runner.liveTable('family-read-models', 'family_results');
    const problemResults = await this.runner.liveTable('family-read-models', 'family_problem_results');
    const evidence = await this.runner.liveTable('family-read-models', 'family_result_evidence');
    type Marks = { family_id: string; c: string; p: string }[];
    // The next page's marks and facts are read (on PostgreSQL, by the server's other core) while
    // this page's families are judged.
    const load = async (after: string | null): Promise<{ marks: Marks; facts: Map<string, FamilyFactRow[]> } | null> => {
      const marks: Marks = await this.sql.query<Marks[number]>(
        `select family_id::text as family_id, mark_commit::text as c, mark_prepare::text as p from ${due} d
          where ($1::uuid is null or d.family_id > $1::uuid) order by d.family_id limit ${PAGE}`,
        [after],
      );
      if (marks.length === 0) return null;
      return {
        marks,
        facts: await this.families.facts(
          marks.map((m) => m.family_id),
          undefined,
          RULES_READ,
        ),
      };
    };
    let next = load(null);
    let rules: Awaited<ReturnType<typeof councilRules>> | null = null;
    for (;;) {
      const loaded = await next;
      if (!loaded) break;
      const { marks, facts } = loaded;
      next = marks.length === PAGE ? load(marks[marks.length - 1]?.family_id ?? null) : Promise.resolve(null);
      // A page that fails leaves the next one in flight: let it settle unobserved.
      next.catch(() => undefined);
      rules ??= await councilRules(this.families, this.councilId);
      const rows: { f: string; c: string; p: string; i: ResultInterval[]; m: ProblemInterval[] }[] = [];
      for (const mark of marks) {
        const history = facts.get(mark.family_id) ?? [];
        const problems: ProblemInterval[] = [];
        const intervals = history.length === 0 ? [] : resultIntervals(foldFacts(history), rules.plans, rules.framework, { problems, evidence: true });
        rows.push({ f: mark.family_id, c: mark.c, p: mark.p, i: intervals, m: problems });
      }
      await this.sql.transaction(async (tx) => {
        const page = JSON.stringify(rows.map(({ f, c, p }) => ({ f, c, p })));
        // Only where no newer computation has been written meanwhile (another api instance).
        const accepted = await tx.query<{ family_id: string }>(
          `insert into ${done} as d (family_id, mark_commit, mark_prepare)
           select (r->>'f')::uuid, (r->>'c')::bigint, (r->>'p')::bigint from jsonb_array_elements($1::jsonb) as r
           on conflict (family_id) do update set mark_commit = excluded.mark_commit, mark_prepare = excluded.mark_prepare
            where (excluded.mark_commit, excluded.mark_prepare) >= (d.mark_commit, d.mark_prepare)
           returning family_id::text as family_id`,
          [page],
        );
        const ids = new Set(accepted.map((a) => a.family_id));
        await tx.query(`delete from ${results} where family_id = any($1::uuid[])`, [[...ids]]);
        await tx.query(`delete from ${problemResults} where family_id = any($1::uuid[])`, [[...ids]]);
        await tx.query(`delete from ${evidence} where family_id = any($1::uuid[])`, [[...ids]]);
        const spans = rows.filter((r) => ids.has(r.f)).flatMap((r) => r.m.map((m) => ({ f: r.f, p: m.problem, a: m.from, u: m.until })));
        if (spans.length > 0) {
          await tx.query(
            `insert into ${problemResults} (family_id, problem, from_on, until_on)
             select (r->>'f')::uuid, r->>'p', (r->>'a')::date, (r->>'u')::date from jsonb_array_elements($1::jsonb) as r`,
            [JSON.stringify(spans)],
          );
        }
        const intervals = rows
          .filter((r) => ids.has(r.f))
          .flatMap((r) =>
            r.i.map((i) => ({ f: r.f, a: i.from, u: i.until, s: i.sustainedProgress, e: i.continuousEmployment, v: i.planVersion, x: i.evidenceEventIds ?? [], o: i.overridden === true })),
          );
        if (intervals.length > 0) {
          const json = JSON.stringify(intervals);
          await tx.query(
            `insert into ${results} (family_id, from_on, until_on, sustained_progress, continuous_employment, plan_version)
             select (r->>'f')::uuid, (r->>'a')::date, (r->>'u')::date, (r->>'s')::boolean, (r->>'e')::boolean, (r->>'v')::int from jsonb_array_elements($1::jsonb) as r`,
            [json],
          );
          await tx.query(
            `insert into ${evidence} (family_id, from_on, evidence, overridden)
             select (r->>'f')::uuid, (r->>'a')::date, array(select jsonb_array_elements_text(r->'x')), (r->>'o')::boolean from jsonb_array_elements($1::jsonb) as r`,
            [json],
          );
        }
        // A family marked again since its facts were read stays due.
        await tx.query(
          `delete from ${due} d using jsonb_array_elements($1::jsonb) as r
            where d.family_id = (r->>'f')::uuid and (d.mark_commit, d.mark_prepare) <= ((r->>'c')::bigint, (r->>'p')::bigint)`,
          [page],
        );
      });
      computed += rows.length;
    }
    return computed;
  }
}
