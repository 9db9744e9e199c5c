import { FAMILY_EVENT_TYPES_THE_RULES_READ, PERSONAL_DATA_THE_RULES_READ, atIndex, dateParts, evaluateProgress, financialYearOf, frameworks, troubledFamilies2015 } from '@ledger/domain';
import type { FamilyQueries } from './family.queries';
import { type OutcomeQueries, foldFacts, monthEnds } from './outcomes.queries';
import type { ResultIntervalsReadModel } from './result-intervals.read-model';
import { type DashboardCounts, claimedFamilies, programmeDashboardCounts } from './programme-dashboard.sql';
import type { ProjectionRunner } from './projection-runner';
import type { SqlClient } from '@ledger/sql';

/** Filters every programme dashboard figure respects (issue 19.2). */
export interface DashboardFilter {
  /** Business date the figures are judged at: facts dated after it are left out, everywhere. */
  asOf: string;
  /** The cohort: families identified in this financial year (`2016/17`); money rows of that year. */
  financialYear?: string;
  /** Families attached (as of `asOf`) to this keyworker. */
  keyworker?: string;
  /** Families attached (as of `asOf`) with this headline problem at entry. */
  problem?: string;
}

export type CellValue = string | number | null;

/** A column of a figure's table: `count` (families), `pence` (money), `date`, `months` or `text`. */
export interface FigureColumn {
  key: string;
  label: string;
  kind: 'text' | 'count' | 'pence' | 'date' | 'months';
}

/** One dashboard figure: its table (what the chart draws, and what its CSV holds). */
export interface Figure {
  name: string;
  title: string;
  columns: FigureColumn[];
  rows: Record<string, CellValue>[];
}

export interface ProgrammeDashboard {
  asOf: string;
  filters: { financialYear: string | null; keyworker: string | null; problem: string | null };
  /** Choices for the filters: every financial year with an identification, every keyworker. */
  choices: { financialYears: string[]; keyworkers: string[]; problems: string[] };
  allocation: number | null;
  figures: Figure[];
}

type Route = 'sustained-progress' | 'continuous-employment';

interface FamilyAt {
  familyId: string;
  reference: string;
  identifiedOn: string;
  attachedOn: string | null;
  keyworker: string | null;
  problemsAtEntry: string[];
  closedOn: string | null;
  /** The first month end (or the as-of date) at which a result held; null: none by the as-of date. */
  resultOn: string | null;
  resultRoutes: Route[];
  problemsMet: string[];
  claimedOn: string | null;
  paidOn: string | null;
}

/** What judging a family at a date gives (remembered per family version, date and rules). */
interface Judged {
  resultOn: string | null;
  resultRoutes: Route[];
  problemsMet: string[];
}

/** Judgements remembered at most (then forgotten all at once): about 100 bytes each. */
const JUDGED_LIMIT = 200_000;

const RULES_READ = { open: PERSONAL_DATA_THE_RULES_READ, types: FAMILY_EVENT_TYPES_THE_RULES_READ };

/** Time from attachment to result, in bands of whole months. */
const TIME_BANDS: { label: string; upTo: number }[] = [
  { label: 'under 6 months', upTo: 5 },
  { label: '6 to 8 months', upTo: 8 },
  { label: '9 to 11 months', upTo: 11 },
  { label: '12 to 17 months', upTo: 17 },
  { label: '18 to 23 months', upTo: 23 },
  { label: '24 months or more', upTo: Number.POSITIVE_INFINITY },
];

/**
 * The programme dashboards' figures, from the read models only (family summaries and facts, the
 * ledger): the cohort funnel, results by route per month, problems at entry and which resolve,
 * time from attachment to result, keyworker caseloads, families attached long with no result
 * (DOMAIN.md 4.3) and money against the allocation. Every figure is as of one business date: a
 * family identified, attached or closed after it is not (yet) so; results are judged at it; ledger
 * lines dated after it are left out.
 */
export class DashboardQueries {
  private readonly judged = new Map<string, Judged>();

  constructor(
    private readonly sql: SqlClient,
    private readonly runner: ProjectionRunner,
    private readonly families: FamilyQueries,
    private readonly outcomes: OutcomeQueries,
    private readonly councilId: string,
    /** Results as a read model (issue 22.4): when given, results and problems met are read from it. */
    private readonly intervals?: ResultIntervalsReadModel,
  ) {}

  async programme(filter: DashboardFilter): Promise<ProgrammeDashboard> {
    const counts = this.intervals ? await this.countFromIntervals(filter, this.intervals) : await this.countByJudging(filter);
    const allocation = await this.allocation();
    // The council's framework names the headline problems (phase two until configured).
    const headlineProblems = (frameworks[(await this.families.framework(this.councilId)) ?? ''] ?? troubledFamilies2015).headlineProblems;
    const filtered = filter.keyworker !== undefined || filter.problem !== undefined || filter.financialYear !== undefined;
    return {
      asOf: filter.asOf,
      filters: { financialYear: filter.financialYear ?? null, keyworker: filter.keyworker ?? null, problem: filter.problem ?? null },
      choices: { financialYears: [...counts.financialYears].sort(), keyworkers: [...counts.keyworkers].sort(), problems: [...headlineProblems] },
      allocation,
      figures: [
        funnel(counts),
        resultsByMonth(counts),
        problemsFigure(counts, headlineProblems),
        timeToResult(counts),
        caseloads(counts),
        noResult(counts),
        money(counts, filter, filtered, allocation),
      ],
    };
  }

  /**
   * With the result intervals: PostgreSQL counts every figure over every family in one statement
   * (`programmeDashboardCounts`), and only the counts and the families listed reach Node.
   */
  private async countFromIntervals(filter: DashboardFilter, intervals: ResultIntervalsReadModel): Promise<DashboardCounts> {
    await intervals.refresh();
    const tables = {
      summary: await this.runner.liveTable('family-read-models', 'family_summary'),
      results: await this.runner.liveTable('family-read-models', 'family_results'),
      problemResults: await this.runner.liveTable('family-read-models', 'family_problem_results'),
      ledger: await this.runner.liveTable('ledger', 'ledger_lines'),
    };
    return programmeDashboardCounts(this.sql, tables, filter);
  }

  /** Without them: each chosen family judged in Node (`judge`), then counted. */
  private async countByJudging(filter: DashboardFilter): Promise<DashboardCounts> {
    const { asOf } = filter;
    const all = await this.familiesAsOf(asOf);
    const chosen = all.filter((f) => matches(f, filter));
    await this.judge(chosen, asOf);
    await this.claims(chosen, asOf);
    const filtered = filter.keyworker !== undefined || filter.problem !== undefined || filter.financialYear !== undefined;
    const t = await this.runner.liveTable('ledger', 'ledger_lines');
    const money = await this.sql.query<{ year: string; fees: string | null; results: string | null; cash: string | null }>(
      `select financial_year as year,
              (-sum(amount_pence) filter (where account = 'income:attachment-fees'))::text as fees,
              (-sum(amount_pence) filter (where account = 'income:results'))::text as results,
              (sum(amount_pence) filter (where account = 'cash'))::text as cash
         from ${t}
        where on_date <= $1::date and ($2::uuid[] is null or family_id = any($2::uuid[]))
        group by financial_year`,
      [asOf, filtered ? chosen.map((f) => f.familyId) : null],
    );
    return countFamilies(all, chosen, asOf, money);
  }

  /** Every family identified by the as-of date, with what had happened to it by then. */
  private async familiesAsOf(asOf: string): Promise<FamilyAt[]> {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const rows = await this.sql.query<Record<string, unknown>>(
      `select family_id::text as family_id, reference, identified_on::text as identified_on, attached_on::text as attached_on, keyworker, problems_at_entry, closed_on::text as closed_on
         from ${t} where identified_on <= $1::date`,
      [asOf],
    );
    return rows.map((r) => {
      const attached = r.attached_on !== null && String(r.attached_on) <= asOf;
      return {
        familyId: String(r.family_id),
        reference: String(r.reference),
        identifiedOn: String(r.identified_on),
        attachedOn: attached ? String(r.attached_on) : null,
        keyworker: attached ? ((r.keyworker as string | null) ?? null) : null,
        problemsAtEntry: attached ? ((r.problems_at_entry as string[] | null) ?? []) : [],
        closedOn: r.closed_on !== null && String(r.closed_on) <= asOf ? String(r.closed_on) : null,
        resultOn: null,
        resultRoutes: [],
        problemsMet: [],
        claimedOn: null,
        paidOn: null,
      };
    });
  }

  /**
   * Results: each attached family's facts folded once and judged at every month end from its
   * attachment to the as-of date (and at the as-of date): the first at which a route holds is
   * when its result came. Problems met are judged at the as-of date.
   */
  private async judge(families: FamilyAt[], asOf: string): Promise<void> {
    const attached = families.filter((f) => f.attachedOn !== null);
    const rules = new Map<string, Awaited<ReturnType<OutcomeQueries['rulesAt']>>>();
    const rulesAt = async (on: string) => {
      const known = rules.get(on);
      if (known) return known;
      const found = await this.outcomes.rulesAt(on);
      rules.set(on, found);
      return found;
    };
    // A family's judgement is remembered by its latest fact, the date and the rules: a live page
    // reads the figures again on every checkpoint, and only the families that changed are judged again.
    const plans = (await this.families.outcomePlans(this.councilId)).length;
    const framework = (await this.families.framework(this.councilId)) ?? '';
    const versions = await this.latestFacts(attached.map((f) => f.familyId));
    const keyOf = (f: FamilyAt) => `${f.familyId}|${versions.get(f.familyId) ?? 0}|${asOf}|${plans}|${framework}`;
    const toJudge = attached.filter((f) => {
      const known = this.judged.get(keyOf(f));
      if (known) Object.assign(f, known);
      return !known;
    });
    if (this.judged.size + toJudge.length > JUDGED_LIMIT) this.judged.clear();
    for (let i = 0; i < toJudge.length; i += 500) {
      const page = toJudge.slice(i, i + 500);
      const facts = await this.families.facts(
        page.map((f) => f.familyId),
        undefined,
        RULES_READ,
      );
      for (const family of page) {
        const state = foldFacts(facts.get(family.familyId) ?? []);
        const atAsOf = await rulesAt(asOf);
        const now = evaluateProgress(state, atAsOf.plan, atAsOf.framework, asOf);
        const judged: Judged = { resultOn: null, resultRoutes: [], problemsMet: now.problems.filter((p) => p.met).map((p) => p.problem) };
        const dates = [...monthEnds(family.attachedOn as string, asOf).filter((d) => d < asOf), asOf];
        for (const on of dates) {
          const { plan, framework: rate } = await rulesAt(on);
          const progress = on === asOf ? now : evaluateProgress(state, plan, rate, on);
          if (!progress.claimable) continue;
          judged.resultOn = on;
          if (progress.routes.sustainedProgress) judged.resultRoutes.push('sustained-progress');
          if (progress.routes.continuousEmployment) judged.resultRoutes.push('continuous-employment');
          break;
        }
        this.judged.set(keyOf(family), judged);
        Object.assign(family, judged);
      }
    }
  }

  /** Each family's latest fact (its stream version in the read model). */
  private async latestFacts(familyIds: readonly string[]): Promise<Map<string, number>> {
    if (familyIds.length === 0) return new Map();
    const t = await this.runner.liveTable('family-read-models', 'family_facts');
    const rows = await this.sql.query<{ family_id: string; version: string }>(
      `select family_id::text as family_id, max(version)::text as version from ${t} where family_id = any($1::uuid[]) group by family_id`,
      [familyIds],
    );
    return new Map(rows.map((r) => [r.family_id, Number(r.version)]));
  }

  /** Claimed (in a submitted claim) and paid (its claim's payment received), by the as-of date, from the ledger. */
  private async claims(families: FamilyAt[], asOf: string): Promise<void> {
    const t = await this.runner.liveTable('ledger', 'ledger_lines');
    const rows = await this.sql.query<{ family_id: string; claimed_on: string; paid_on: string | null }>(
      `select family_id::text as family_id, claimed_on::text as claimed_on, paid_on::text as paid_on from (${claimedFamilies(t)}) c`,
      [asOf],
    );
    const byFamily = new Map(rows.map((r) => [r.family_id, r]));
    for (const family of families) {
      const row = byFamily.get(family.familyId);
      family.claimedOn = row?.claimed_on ?? null;
      family.paidOn = row?.paid_on ?? null;
    }
  }

  private async allocation(): Promise<number | null> {
    const t = await this.runner.liveTable('family-read-models', 'programme_settings');
    const [row] = await this.sql.query<{ allocation: number }>(`select allocation from ${t} where council_id = $1`, [this.councilId]);
    return row ? Number(row.allocation) : null;
  }
}

function matches(f: FamilyAt, filter: DashboardFilter): boolean {
  if (filter.financialYear !== undefined && financialYearOf(f.identifiedOn) !== filter.financialYear) return false;
  if (filter.keyworker !== undefined && f.keyworker !== filter.keyworker) return false;
  if (filter.problem !== undefined && !f.problemsAtEntry.includes(filter.problem)) return false;
  return true;
}

/** The counts of `programmeDashboardCounts`, from families judged in Node, with the ledger's money rows. */
function countFamilies(
  all: readonly FamilyAt[],
  chosen: readonly FamilyAt[],
  asOf: string,
  money: readonly { year: string; fees: string | null; results: string | null; cash: string | null }[],
): DashboardCounts {
  const tally = <T>(map: Map<string, T>, key: string, zero: () => T): T => {
    let found = map.get(key);
    if (!found) map.set(key, (found = zero()));
    return found;
  };
  const funnelByYear = new Map<string, DashboardCounts['funnel'][number]>();
  const byMonth = new Map<string, DashboardCounts['byMonth'][number]>();
  const problems = new Map<string, DashboardCounts['problems'][number]>();
  const monthsToResult = new Map<string, DashboardCounts['monthsToResult'][number]>();
  const caseloadsByKeyworker = new Map<string, DashboardCounts['caseloads'][number]>();
  const attachedByYear = new Map<string, DashboardCounts['attachedByYear'][number]>();
  const usedByYear = new Map<string, DashboardCounts['usedByYear'][number]>();
  const noResultRows: DashboardCounts['noResult'] = [];
  for (const f of chosen) {
    const year = financialYearOf(f.identifiedOn);
    const row = tally(funnelByYear, year, () => ({ year, identified: 0, attached: 0, result: 0, claimed: 0, paid: 0 }));
    row.identified += 1;
    if (f.attachedOn) row.attached += 1;
    // A claimed family had its result, whatever the rules say of it today (DOMAIN.md 4.3).
    if (f.resultOn || f.claimedOn) row.result += 1;
    if (f.claimedOn) row.claimed += 1;
    if (f.paidOn) row.paid += 1;
    if (f.resultOn) {
      const month = f.resultOn.slice(0, 7);
      const m = tally(byMonth, month, () => ({ month, families: 0, sustainedProgress: 0, continuousEmployment: 0 }));
      m.families += 1;
      if (f.resultRoutes.includes('sustained-progress')) m.sustainedProgress += 1;
      if (f.resultRoutes.includes('continuous-employment')) m.continuousEmployment += 1;
    }
    for (const problem of new Set(f.problemsAtEntry)) {
      const p = tally(problems, problem, () => ({ problem, atEntry: 0, resolved: 0 }));
      p.atEntry += 1;
      if (f.problemsMet.includes(problem)) p.resolved += 1;
    }
    if (f.resultOn && f.attachedOn) {
      const months = monthsBetween(f.attachedOn, f.resultOn);
      tally(monthsToResult, String(months), () => ({ months, families: 0 })).families += 1;
    }
    if (f.attachedOn) {
      const attachedIn = financialYearOf(f.attachedOn);
      tally(attachedByYear, attachedIn, () => ({ year: attachedIn, families: 0 })).families += 1;
    }
    if (f.attachedOn && !f.closedOn && f.keyworker) {
      const keyworker = f.keyworker;
      const c = tally(caseloadsByKeyworker, keyworker, () => ({ keyworker, open: 0, withResult: 0, noResultOver6Months: 0 }));
      c.open += 1;
      if (f.resultOn || f.claimedOn) c.withResult += 1;
      else if (monthsBetween(f.attachedOn, asOf) >= 6) c.noResultOver6Months += 1;
    }
    if (f.attachedOn && !f.closedOn && !f.resultOn && !f.claimedOn && monthsBetween(f.attachedOn, asOf) >= 6) {
      noResultRows.push({ reference: f.reference, keyworker: f.keyworker, attachedOn: f.attachedOn, monthsAttached: monthsBetween(f.attachedOn, asOf) });
    }
  }
  for (const f of all) {
    if (!f.attachedOn) continue;
    const attachedIn = financialYearOf(f.attachedOn);
    tally(usedByYear, attachedIn, () => ({ year: attachedIn, families: 0 })).families += 1;
  }
  const pence = (v: string | null) => (v === null ? null : Number(v));
  return {
    funnel: [...funnelByYear.values()],
    byMonth: [...byMonth.values()],
    problems: [...problems.values()],
    monthsToResult: [...monthsToResult.values()],
    caseloads: [...caseloadsByKeyworker.values()],
    noResult: noResultRows,
    attachedByYear: [...attachedByYear.values()],
    usedByYear: [...usedByYear.values()],
    money: money.map((r) => ({ year: r.year, fees: pence(r.fees), results: pence(r.results), cash: pence(r.cash) })),
    financialYears: [...new Set(all.map((f) => financialYearOf(f.identifiedOn)))],
    keyworkers: [...new Set(all.flatMap((f) => (f.keyworker ? [f.keyworker] : [])))],
  };
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The cohort funnel: of the families identified in each financial year, how many reached each stage by the as-of date. */
function funnel(counts: DashboardCounts): Figure {
  return {
    name: 'funnel',
    title: 'Cohort funnel: families identified in each financial year, and how far they have come',
    columns: [
      { key: 'financialYear', label: 'Identified in', kind: 'text' },
      { key: 'identified', label: 'Identified', kind: 'count' },
      { key: 'attached', label: 'Attached', kind: 'count' },
      { key: 'result', label: 'Result achieved', kind: 'count' },
      { key: 'claimed', label: 'Claimed', kind: 'count' },
      { key: 'paid', label: 'Paid', kind: 'count' },
    ],
    rows: [...counts.funnel]
      .sort((a, b) => byText(a.year, b.year))
      .map(({ year, identified, attached, result, claimed, paid }) => ({ financialYear: year, identified, attached, result, claimed, paid })),
  };
}

/** Results by the month they came, by route (a family with both routes counts under each, and once in the total). */
function resultsByMonth(counts: DashboardCounts): Figure {
  const months = counts.byMonth.map((m) => m.month).sort();
  // From the first month with a result to the last (the months after it, to the as-of date, add only zeros).
  const [first, last] = [months[0], months.at(-1)];
  const rows: Record<string, CellValue>[] =
    first === undefined || last === undefined ? [] : monthEnds(`${first}-01`, `${last}-01`).map((end) => ({ month: end.slice(0, 7), sustainedProgress: 0, continuousEmployment: 0, families: 0 }));
  const index = new Map(rows.map((r, i) => [r.month as string, i]));
  for (const m of counts.byMonth) {
    const row = atIndex(rows, index.get(m.month) as number, 'month row');
    row.families = m.families;
    row.sustainedProgress = m.sustainedProgress;
    row.continuousEmployment = m.continuousEmployment;
  }
  return {
    name: 'results-by-month',
    title: 'Results by route, by the month they were achieved',
    columns: [
      { key: 'month', label: 'Month', kind: 'text' },
      { key: 'sustainedProgress', label: 'Significant and sustained progress', kind: 'count' },
      { key: 'continuousEmployment', label: 'Continuous employment', kind: 'count' },
      { key: 'families', label: 'Families with a result', kind: 'count' },
    ],
    rows,
  };
}

/** Headline problems at entry, and how many of those families have the problem resolved (its progress measure met) at the as-of date. */
function problemsFigure(counts: DashboardCounts, headlineProblems: readonly string[]): Figure {
  const byProblem = new Map(counts.problems.map((p) => [p.problem, p]));
  return {
    name: 'problems',
    title: 'Problems at entry, and how many are resolved',
    columns: [
      { key: 'problem', label: 'Headline problem', kind: 'text' },
      { key: 'atEntry', label: 'Families with it at entry', kind: 'count' },
      { key: 'resolved', label: 'Resolved', kind: 'count' },
      { key: 'notResolved', label: 'Not yet resolved', kind: 'count' },
    ],
    rows: headlineProblems.map((problem) => {
      const { atEntry = 0, resolved = 0 } = byProblem.get(problem) ?? {};
      return { problem, atEntry, resolved, notResolved: atEntry - resolved };
    }),
  };
}

function timeToResult(counts: DashboardCounts): Figure {
  const families = TIME_BANDS.map(() => 0);
  for (const { months, families: n } of counts.monthsToResult) {
    const band = TIME_BANDS.findIndex((b) => months <= b.upTo);
    families[band] = atIndex(families, band, 'time band') + n;
  }
  return {
    name: 'time-to-result',
    title: 'Time from attachment to result',
    columns: [
      { key: 'band', label: 'Time from attachment to result', kind: 'text' },
      { key: 'families', label: 'Families', kind: 'count' },
    ],
    rows: TIME_BANDS.map((b, i) => ({ band: b.label, families: atIndex(families, i, 'time band') })),
  };
}

/** Open cases per keyworker at the as-of date: attached, not closed. */
function caseloads(counts: DashboardCounts): Figure {
  return {
    name: 'caseloads',
    title: 'Keyworker caseloads (open cases)',
    columns: [
      { key: 'keyworker', label: 'Keyworker', kind: 'text' },
      { key: 'open', label: 'Open cases', kind: 'count' },
      { key: 'withResult', label: 'With a result', kind: 'count' },
      { key: 'noResultOver6Months', label: 'No result after 6 months', kind: 'count' },
    ],
    rows: [...counts.caseloads].sort((a, b) => byText(a.keyworker, b.keyworker)).map(({ keyworker, open, withResult, noResultOver6Months }) => ({ keyworker, open, withResult, noResultOver6Months })),
  };
}

/** DOMAIN.md 4.3: a family attached more than 6 months ago with no result is a programme manager's concern: the list. */
function noResult(counts: DashboardCounts): Figure {
  return {
    name: 'no-result',
    title: 'Families attached more than 6 months with no result',
    columns: [
      { key: 'reference', label: 'Family reference', kind: 'text' },
      { key: 'keyworker', label: 'Keyworker', kind: 'text' },
      { key: 'attachedOn', label: 'Attached on', kind: 'date' },
      { key: 'monthsAttached', label: 'Months attached', kind: 'months' },
      { key: 'band', label: 'Attached for', kind: 'text' },
    ],
    rows: counts.noResult
      .map((f) => ({
        reference: f.reference,
        keyworker: f.keyworker,
        attachedOn: f.attachedOn,
        monthsAttached: f.monthsAttached,
        band: f.monthsAttached >= 12 ? 'more than 12 months' : '6 to 12 months',
      }))
      .sort((a, b) => b.monthsAttached - a.monthsAttached || (a.reference < b.reference ? -1 : 1)),
  };
}

/**
 * Money by financial year from the ledger lines dated by the as-of date: attachment fees due,
 * results claimed (net of recoveries) and cash received, beside families attached against the
 * allocation. With a family filter, only the lines of the chosen families (cash received is not
 * per family, so it is left blank).
 */
function money(counts: DashboardCounts, filter: DashboardFilter, filtered: boolean, allocation: number | null): Figure {
  const byYear = new Map(counts.money.map((r) => [r.year, r]));
  const attachedByYear = new Map(counts.attachedByYear.map((r) => [r.year, r.families]));
  const years = [...new Set([...byYear.keys(), ...attachedByYear.keys()])].sort();
  // The allocation is the programme's (DOMAIN.md 1): it is used up by every attached family, whatever the filters.
  const usedByYear = counts.usedByYear.map((r) => [r.year, r.families] as const);
  return {
    name: 'money',
    title: 'Attachment fees and results income against the allocation, by financial year',
    columns: [
      { key: 'financialYear', label: 'Financial year', kind: 'text' },
      { key: 'familiesAttached', label: 'Families attached', kind: 'count' },
      { key: 'allocationRemaining', label: 'Allocation remaining at year end (families)', kind: 'count' },
      { key: 'attachmentFeesPence', label: 'Attachment fees due', kind: 'pence' },
      { key: 'resultsClaimedPence', label: 'Results claimed (net of recoveries)', kind: 'pence' },
      { key: 'receivedPence', label: 'Received', kind: 'pence' },
    ],
    rows: years
      .filter((year) => filter.financialYear === undefined || year === filter.financialYear)
      .map((year) => {
        const used = usedByYear.filter(([y]) => y <= year).reduce((s, [, n]) => s + n, 0);
        const r = byYear.get(year);
        return {
          financialYear: year,
          familiesAttached: attachedByYear.get(year) ?? 0,
          allocationRemaining: allocation === null ? null : allocation - used,
          attachmentFeesPence: Number(r?.fees ?? 0),
          resultsClaimedPence: Number(r?.results ?? 0),
          receivedPence: filtered ? null : Number(r?.cash ?? 0),
        };
      }),
  };
}

/** Whole calendar months from one date to another (5 May to 4 November is 5; to 5 November, 6). */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm, fd] = dateParts(from);
  const [ty, tm, td] = dateParts(to);
  return (ty - fy) * 12 + (tm - fm) - (td < fd ? 1 : 0);
}
