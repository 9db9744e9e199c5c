import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from '../http/http';
import type { LedgerConfig } from '@ledger/config';
import { ALL_HEADLINE_PROBLEMS, atIndex } from '@ledger/domain';
import { LEDGER_CONFIG, comparePositions, parsePosition } from '@ledger/event-store';
import { type CellValue, DashboardQueries, type Figure, PROJECTION_RUNNER, type ProgrammeDashboard, type ProjectionRunner } from '@ledger/projections';
import { csvRecords, suppressTable, suppressedMarker } from '@ledger/reporting';
import { CurrentActor } from '../auth/actor';
import { Access, roles } from '../auth/access';
import { QueryContext } from '../families/query-context';
import { type Actor, ApiError, type FieldProblem } from '@ledger/application';

export const FIGURES = ['funnel', 'results-by-month', 'problems', 'time-to-result', 'caseloads', 'no-result', 'money'] as const;
/** Figures that name families: for the roles that may see family references (programme managers and finance officers). */
const FAMILY_LEVEL = new Set(['no-result']);
const SEES_FAMILIES = new Set(['programme-manager', 'finance-officer']);

/**
 * The programme dashboards (issue 19.2): every figure from the read models, as of one date, with
 * the filters applied; each figure is a table (the chart draws it) and downloads as CSV. Analysts
 * get aggregates only, with small numbers withheld as in the published outcomes report (DOMAIN.md 6).
 */
@ApiTags('dashboards')
@ApiBearerAuth()
@Controller('api/dashboards')
export class ProgrammeDashboardController {
  constructor(
    private readonly dashboards: DashboardQueries,
    private readonly context: QueryContext,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Access(roles(['programme-manager', 'finance-officer', 'auditor', 'analyst']))
  @Get('programme')
  @ApiOperation({
    summary: 'The programme dashboards: funnel, results by month, problems, time to result, caseloads, families with no result, money against the allocation',
    description:
      'Every figure is judged as of `asOf` (default today): families identified, attached or closed after it are not yet so, results are judged at it, ledger lines dated after it are left out. ' +
      '`financialYear` keeps the cohort identified in that year; `keyworker` and `problem` keep families attached to that keyworker or with that problem at entry. ' +
      'Analysts see aggregates with counts under the suppression threshold withheld (`[c]`), and not the list of families. `format=csv&figure=<name>` downloads one figure as CSV.',
  })
  @ApiQuery({ name: 'asOf', required: false, example: '2019-03-31' })
  @ApiQuery({ name: 'financialYear', required: false, example: '2016/17' })
  @ApiQuery({ name: 'keyworker', required: false })
  @ApiQuery({ name: 'problem', required: false, enum: [...ALL_HEADLINE_PROBLEMS], description: "A headline problem code of the council's framework" })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiQuery({ name: 'figure', required: false, enum: FIGURES, description: 'With format=csv: the figure to download' })
  @ApiOkResponse({ description: '`{ asOf, filters, choices, allocation, position, suppressed, figures: [{ name, title, columns, rows }] }`, or one figure as text/csv' })
  async programme(
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
    @Query('asOf') asOfRaw?: string,
    @Query('financialYear') financialYear?: string,
    @Query('keyworker') keyworker?: string,
    @Query('problem') problem?: string,
    @Query('format') format?: string,
    @Query('figure') figure?: string,
  ) {
    const problems: FieldProblem[] = [];
    if (financialYear !== undefined && !/^\d{4}\/\d{2}$/.test(financialYear)) problems.push({ field: 'financialYear', message: 'must be a financial year like 2016/17' });
    if (keyworker !== undefined && !/^[a-z0-9][a-z0-9._-]{1,59}$/.test(keyworker)) problems.push({ field: 'keyworker', message: "must be a keyworker's username" });
    if (problem !== undefined && !ALL_HEADLINE_PROBLEMS.includes(problem)) problems.push({ field: 'problem', message: `must be one of ${ALL_HEADLINE_PROBLEMS.join(', ')}` });
    if (format !== undefined && !['json', 'csv'].includes(format)) problems.push({ field: 'format', message: 'must be json or csv' });
    if (format === 'csv' && (figure === undefined || !(FIGURES as readonly string[]).includes(figure)))
      problems.push({ field: 'figure', message: `with format=csv, must be one of ${FIGURES.join(', ')}` });
    if (format !== 'csv' && figure !== undefined) problems.push({ field: 'figure', message: 'is for format=csv only' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);
    const asOf = this.context.dates(asOfRaw, undefined);

    const role = actor.role;
    const suppressed = role === 'analyst';
    if (figure !== undefined && FAMILY_LEVEL.has(figure) && !SEES_FAMILIES.has(role))
      throw new ApiError(403, 'this figure names families: programme managers and finance officers only', { reason: 'Forbidden' });

    await this.context.settle();
    const position = await this.position();
    const dashboard = await this.dashboards.programme({ asOf, financialYear, keyworker, problem });
    const figures = dashboard.figures.filter((f) => !FAMILY_LEVEL.has(f.name) || SEES_FAMILIES.has(role)).map((f) => (suppressed ? suppress(f, this.config.suppressionThreshold) : f));
    const answer: ProgrammeDashboard & { position: string | null; suppressed: boolean } = { ...dashboard, position, suppressed, figures };
    if (suppressed) answer.choices = { ...answer.choices, keyworkers: [] };

    if (format === 'csv') {
      const chosen = figures.find((f) => f.name === figure) as Figure;
      res.header('Content-Type', 'text/csv; charset=utf-8');
      res.header('Content-Disposition', `attachment; filename="${chosen.name}-${asOf}.csv"`);
      return figureCsv(chosen, answer);
    }
    return answer;
  }

  /** How far the figures reach: the checkpoint of the least advanced projection they are read from. */
  private async position(): Promise<string | null> {
    return leastPosition(await this.runner.status(), DASHBOARD_PROJECTIONS);
  }
}

/**
 * The projections the dashboards read (the families' read models and the ledger). The claims and
 * users read models are not among them: one with no event of its own yet (no claim recorded) has
 * applied nothing, and must not make the figures' position unknown.
 */
export const DASHBOARD_PROJECTIONS: readonly string[] = ['family-read-models', 'ledger'];

/** The checkpoint of the least advanced of the named live projections (null: one has applied nothing yet). */
export function leastPosition(status: readonly { name: string; state: string; position: string | null }[], names: readonly string[]): string | null {
  let least: string | null = null;
  for (const s of status) {
    if (s.state !== 'live' || !names.includes(s.name)) continue;
    if (s.position === null) return null;
    if (least === null || comparePositions(parsePosition(s.position), parsePosition(least)) < 0) least = s.position;
  }
  return least;
}

/**
 * An analyst's figure: each count column is published as a one-column table (its rows and their
 * total), with small numbers withheld and enough others that the total gives none away, as in the
 * published outcomes report. Money and text are shown as they are.
 */
export function suppress(figure: Figure, threshold: number): Figure {
  if (figure.rows.length === 0) return figure;
  const rows = figure.rows.map((r) => ({ ...r }));
  for (const column of figure.columns.filter((c) => c.kind === 'count')) {
    const counts = figure.rows.map((r) => (typeof r[column.key] === 'number' ? (r[column.key] as number) : 0));
    const table = suppressTable({ rows: figure.rows.map((_, i) => String(i)), columns: [column.key], cells: counts.map((n) => [n]) }, { threshold });
    table.cells.forEach((cells, i) => {
      const cell = atIndex(cells, 0, 'cell');
      atIndex(rows, i, 'row')[column.key] = cell.suppressed === false ? cell.value : suppressedMarker;
    });
  }
  return { ...figure, rows };
}

/** One figure as CSV (libs/reporting's formula-safe writer): a header of column labels, money in pence, then an about line. */
function figureCsv(figure: Figure, answer: { asOf: string; filters: Record<string, string | null>; suppressed: boolean }): string {
  const header = figure.columns.map((c) => (c.kind === 'pence' ? `${c.label} (pence)` : c.label));
  const body = figure.rows.map((r) => figure.columns.map((c) => r[c.key] as CellValue));
  const filters = Object.entries(answer.filters)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return csvRecords([
    [figure.title],
    [`as of ${answer.asOf}${filters ? `; ${filters}` : ''}${answer.suppressed ? `; counts under the threshold withheld (${suppressedMarker})` : ''}`],
    header,
    ...body,
  ]);
}
