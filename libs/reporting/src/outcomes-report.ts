import { ClaimRoute, claimRoutes } from './claim-report';
import { LinearRelation, LinkedCount, PublishedCount, SuppressionOptions, SuppressionReason, defaultSuppressionThreshold, nth, suppressLinkedTables } from './suppression';
import { csvRecords } from './csv';

/**
 * The published outcomes tables (DOMAIN.md 6, "Published results are de-personalised"; API.md
 * `GET /api/reports/outcomes.csv`): aggregate counts of attached families only, small counts
 * suppressed with secondary suppression (`suppression.ts`).
 *
 * Input is non-personal per-family facts (no reference, no name, nothing to print but counts);
 * only attached families count. Two tables, both by result, where the results partition the
 * families: sustained progress only, continuous employment only, both routes (a family that met
 * both by the as-of date, counted once), no result yet.
 *
 * 1. **By number of headline problems at entry** (2, 3, 4, 5, 6): each attached family is in
 *    exactly one row (phase two attaches only families with at least 2 of the 6, DOMAIN.md 2), so
 *    every margin is a true sum:
 *    - each row: `families = sustained + continuous + both + none`;
 *    - the `All attached families` row: the same across its results;
 *    - each column (the four results and `families`): `All attached families = sum of the rows`.
 * 2. **By headline problem at entry**: a family counts in the row of each of its headline problems,
 *    so the rows overlap. Each row's `families` is still the sum of its results (that relation is
 *    published), but a column summed over the rows counts families once per problem: it is not a
 *    number of families, so no totals row is printed for this table.
 *
 * The two tables are linked, and the suppression knows it. A column of table 2 summed over the six
 * problems counts each family once per headline problem it has, which is what table 1 gives when
 * its rows are weighted by their number of problems:
 *    - for each result column and `families`: `sum over problems (table 2) = 2 × row 2 + 3 × row 3
 *      + 4 × row 4 + 5 × row 5 + 6 × row 6 (table 1)`.
 * That is why table 1 has a row for each count up to 6 rather than `5 or more`: with an open top
 * band the relation still bounds hidden counts (tightly when the band is small) but is no longer an
 * equation the suppression can take into account. Without this relation a lone withheld count in a
 * table 2 column, or two withheld counts in a table 1 column, could be solved for.
 *
 * Secondary suppression runs once over both tables with exactly these relations (6 + 6 + 5 + 5),
 * so no withheld count can be worked out from the published counts, within a table or across
 * them. A family with other strings among its problems (not headline problems) is counted by its
 * headline problems only.
 */

export const headlineProblems = ['crime-asb', 'education', 'children-in-need', 'worklessness', 'domestic-abuse', 'health'] as const;
export type HeadlineProblem = (typeof headlineProblems)[number];

/** The results, in column order: they partition the attached families. */
export const outcomeResults = ['sustained-progress only', 'continuous-employment only', 'both routes', 'no result yet'] as const;
export type OutcomeResult = (typeof outcomeResults)[number];

/** Table 1's rows: the number of headline problems at entry. */
export const headlineProblemCounts = [2, 3, 4, 5, 6] as const;

/** The marker printed for a withheld count, primary or secondary alike (GSS convention: confidential). */
export const suppressedMarker = '[c]';

/** Non-personal facts about one family. */
export interface OutcomesFamily {
  problemsAtEntry: readonly string[];
  /** The routes on which the family had a result by the as-of date (empty: no result yet). */
  routes: readonly ClaimRoute[];
  attached: boolean;
}

export interface OutcomesReportOptions extends SuppressionOptions {
  /** `YYYY-MM-DD`: the date the facts speak for. */
  asOf: string;
  councilName: string;
}

/** One published table: `cells[row][result]`, and each row's families (the sum of its results). */
export interface OutcomesTable<Row> {
  rows: Row[];
  cells: PublishedCount[][];
  families: PublishedCount[];
}

export interface OutcomesReport {
  councilName: string;
  asOf: string;
  threshold: number;
  suppressZeros: boolean;
  /** Table 1, with its totals row: families by result (`totals`) and all attached families. */
  byProblemCount: OutcomesTable<number> & { totals: PublishedCount[]; allFamilies: PublishedCount };
  /** Table 2: overlapping rows, no totals row. */
  byProblem: OutcomesTable<HeadlineProblem>;
}

/** Counts both tables and suppresses them together (module comment). */
export function outcomesReport(families: readonly OutcomesFamily[], options: OutcomesReportOptions): OutcomesReport {
  assertDate(options.asOf);
  const { byProblem, byCount } = tally(families);
  const { counts, relations, boundsSystems, at } = linkedTables(byProblem, byCount);
  const { reasons, suppressZeros } = suppressLinkedTables(counts, relations, options, boundsSystems);
  const published = (cell: number): PublishedCount => publishedCount(nth(counts, cell).value, nth(reasons, cell));
  const results = outcomeResults.map((_, r) => r);
  const total = outcomeResults.length; // the families column
  return {
    councilName: options.councilName,
    asOf: options.asOf,
    threshold: options.threshold ?? defaultSuppressionThreshold,
    suppressZeros,
    byProblemCount: {
      rows: [...headlineProblemCounts],
      cells: headlineProblemCounts.map((_, k) => results.map((r) => published(at.byCount(k, r)))),
      families: headlineProblemCounts.map((_, k) => published(at.byCount(k, total))),
      totals: results.map((r) => published(at.byCount(headlineProblemCounts.length, r))),
      allFamilies: published(at.byCount(headlineProblemCounts.length, total)),
    },
    byProblem: {
      rows: [...headlineProblems],
      cells: headlineProblems.map((_, p) => results.map((r) => published(at.byProblem(p, r)))),
      families: headlineProblems.map((_, p) => published(at.byProblem(p, total))),
    },
  };
}

/**
 * The outcomes report as one rectangular CSV table (RFC 4180: CRLF line ends, every record the
 * same number of fields, a field quoted when it holds a comma, quote, CR or LF), like the claim
 * report: a `section` column, so every line parses with the one header.
 *
 * - `about`: item = Report, Council, As of, Families counted, Suppression, Suppressed marker and a
 *   note per table; value = its text;
 * - `by-problem-count`: item = `2 headline problems` … `6 headline problems`, then
 *   `All attached families`; the four result columns and `families`;
 * - `by-headline-problem`: item = the headline problem; the four result columns and `families`.
 *
 * A withheld count is printed as `[c]`, whichever the reason. The same families (in any order)
 * and options give the same text.
 */
export function outcomesReportCsv(families: readonly OutcomesFamily[], options: OutcomesReportOptions): string {
  const report = outcomesReport(families, options);
  const header = ['section', 'item', 'value', 'sustained_progress_only', 'continuous_employment_only', 'both_routes', 'no_result_yet', 'families'];
  const about = (item: string, value: string) => ['about', item, value, '', '', '', '', ''];
  const counted = (section: string, item: string, cells: readonly PublishedCount[], total: PublishedCount) => [section, item, '', ...[...cells, total].map(countText)];
  const { byProblemCount: table1, byProblem: table2 } = report;
  const records: string[][] = [
    header,
    about('Report', 'Family outcomes: de-personalised aggregate tables'),
    about('Council', report.councilName),
    about('As of', report.asOf),
    about(
      'Families counted',
      'Attached families only. Results are the routes on which a family had a result by the as-of date; a family with a result on both routes is counted once, under both routes.',
    ),
    about('Suppression', suppressionRuleText(report.threshold, report.suppressZeros)),
    about('Suppressed marker', suppressedMarker),
    about(
      'Table by-problem-count',
      'Attached families by the number of headline problems at entry and result. Each family is in one row; families is the sum of the results, and All attached families is the sum of the rows above.',
    ),
    about(
      'Table by-headline-problem',
      'Attached families with each headline problem at entry, by result. A family is counted in the row of each of its headline problems, so the rows overlap and are not totalled; families is the sum of the results.',
    ),
    ...table1.rows.map((n, k) => counted('by-problem-count', `${n} headline problems`, nth(table1.cells, k), nth(table1.families, k))),
    counted('by-problem-count', 'All attached families', table1.totals, table1.allFamilies),
    ...table2.rows.map((problem, p) => counted('by-headline-problem', problem, nth(table2.cells, p), nth(table2.families, p))),
  ];
  return csvRecords(records);
}

function suppressionRuleText(threshold: number, suppressZeros: boolean): string {
  const low = suppressZeros ? 0 : 1;
  const high = threshold - 1;
  const primary = high < low ? '' : high === low ? `Counts of ${low}` : `Counts from ${low} to ${high}`;
  const zeros = suppressZeros ? '' : ' Zeros are shown.';
  if (primary === '') return `No counts are suppressed.${zeros}`;
  return (
    `${primary} are suppressed, and so are further counts chosen so that no suppressed count can be worked out ` +
    `from the published counts and totals, within a table or across the two.${zeros} Suppressed counts are shown as ${suppressedMarker}.`
  );
}

function tally(families: readonly OutcomesFamily[]): { byProblem: number[][]; byCount: number[][] } {
  const byProblem = headlineProblems.map(() => outcomeResults.map(() => 0));
  const byCount = headlineProblemCounts.map(() => outcomeResults.map(() => 0));
  let tooFew = 0;
  for (const family of families) {
    if (family.attached !== true) continue;
    const result = resultOf(family.routes);
    const problems = headlineProblems.flatMap((problem, p) => (family.problemsAtEntry.includes(problem) ? [p] : []));
    if (problems.length < 2) {
      tooFew += 1;
      continue;
    }
    const countRow = nth(byCount, problems.length - 2);
    countRow[result] = nth(countRow, result) + 1;
    for (const p of problems) {
      const problemRow = nth(byProblem, p);
      problemRow[result] = nth(problemRow, result) + 1;
    }
  }
  if (tooFew > 0) {
    throw new RangeError(`${tooFew} attached famil${tooFew === 1 ? 'y has' : 'ies have'} fewer than 2 headline problems at entry (DOMAIN.md 2: phase two attaches only families with at least 2)`);
  }
  return { byProblem, byCount };
}

function resultOf(routes: readonly ClaimRoute[]): number {
  for (const route of routes) if (!claimRoutes.includes(route)) throw new RangeError(`unknown result route ${String(route)}`);
  const sustained = routes.includes('sustained-progress');
  const continuous = routes.includes('continuous-employment');
  const result: OutcomeResult = sustained && continuous ? 'both routes' : sustained ? 'sustained-progress only' : continuous ? 'continuous-employment only' : 'no result yet';
  return outcomeResults.indexOf(result);
}

/**
 * Both tables as one list of counts (table 2 then table 1, each row-major with `families` last in
 * a row, table 1's totals row last) and the relations of the module comment, in that order.
 */
function linkedTables(byProblem: number[][], byCount: number[][]) {
  const width = outcomeResults.length + 1; // the results, then families
  const families = outcomeResults.length;
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const withFamilies = (rows: number[][]) => rows.map((row) => [...row, sum(row)]);
  const table2 = withFamilies(byProblem);
  const table1Rows = withFamilies(byCount);
  const table1 = [...table1Rows, nth(table1Rows, 0).map((_, c) => sum(table1Rows.map((row) => nth(row, c))))];
  const base = table2.length * width;
  const at = {
    byProblem: (p: number, c: number) => p * width + c,
    byCount: (k: number, c: number) => base + k * width + c,
  };
  const counts: LinkedCount[] = [
    ...table2.flatMap((row) => row.map((value, c) => ({ value, total: c === families }))),
    ...table1.flatMap((row, k) => row.map((value, c) => ({ value, total: c === families || k === headlineProblemCounts.length }))),
  ];
  const columns = Array.from({ length: width }, (_, c) => c);
  const results = columns.slice(0, families);
  const label = (c: number) => (c === families ? 'families' : outcomeResults[c]);
  const allRow = headlineProblemCounts.length;
  const relations: LinearRelation[] = [
    ...headlineProblems.map((problem, p) => ({
      name: `${problem}: families = sum of results`,
      terms: [...results.map((c) => ({ cell: at.byProblem(p, c), coefficient: 1 })), { cell: at.byProblem(p, families), coefficient: -1 }],
    })),
    ...[...headlineProblemCounts.map((n) => `${n} headline problems`), 'All attached families'].map((row, k) => ({
      name: `${row}: families = sum of results`,
      terms: [...results.map((c) => ({ cell: at.byCount(k, c), coefficient: 1 })), { cell: at.byCount(k, families), coefficient: -1 }],
    })),
    ...columns.map((c) => ({
      name: `${label(c)}: all attached families = sum over the number of problems`,
      terms: [...headlineProblemCounts.map((_, k) => ({ cell: at.byCount(k, c), coefficient: 1 })), { cell: at.byCount(allRow, c), coefficient: -1 }],
    })),
    ...columns.map((c) => ({
      name: `${label(c)}: sum over headline problems = sum of number of problems × families`,
      terms: [...headlineProblems.map((_, p) => ({ cell: at.byProblem(p, c), coefficient: 1 })), ...headlineProblemCounts.map((n, k) => ({ cell: at.byCount(k, c), coefficient: -n }))],
    })),
  ];
  // Rule 3 of the suppression (bounds a reader knows, DOMAIN.md 6) is tested exactly in table 1
  // (its rows and columns are a network) and in each row of table 2 (a relation on its own, paired
  // with its negation to make a network); the across relations enter rules 1 and 2 only.
  const table1Relations = relations.slice(headlineProblems.length, headlineProblems.length + headlineProblemCounts.length + 1 + columns.length);
  const negated = (r: LinearRelation): LinearRelation => ({ name: `${r.name} (negated)`, terms: r.terms.map((t) => ({ cell: t.cell, coefficient: -t.coefficient })) });
  const boundsSystems = [table1Relations, ...relations.slice(0, headlineProblems.length).map((r) => [r, negated(r)])];
  return { counts, relations, boundsSystems, at };
}

function publishedCount(value: number, reason: SuppressionReason | false): PublishedCount {
  return reason === false ? { suppressed: false, value } : { suppressed: reason };
}

function countText(count: PublishedCount): string {
  return count.suppressed === false ? String(count.value) : suppressedMarker;
}

function assertDate(asOf: string): void {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(asOf);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (!match || days === undefined || day < 1 || day > days) throw new RangeError(`asOf must be a YYYY-MM-DD date, got ${asOf}`);
}
