import { useEffect, useRef, useState } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { download } from '../api';
import { Loading } from './Loading';
import { count, money, ukDate, ukMonth } from '../format';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = 'arial, sans-serif';
Chart.defaults.color = '#0b0c0c';

export type Cell = string | number | null;
export interface FigureColumn {
  key: string;
  label: string;
  kind: 'text' | 'count' | 'pence' | 'date' | 'months';
}
export interface Figure {
  name: string;
  title: string;
  columns: FigureColumn[];
  rows: Record<string, Cell>[];
}

/** What each figure's chart draws: the category column, the series, and how. The no-result list has no chart. */
const CHARTS: Record<string, { x: string; series: string[]; type: 'bar' | 'line'; stacked?: boolean }> = {
  funnel: { x: 'financialYear', series: ['identified', 'attached', 'result', 'claimed', 'paid'], type: 'bar' },
  'results-by-month': { x: 'month', series: ['sustainedProgress', 'continuousEmployment'], type: 'line' },
  problems: { x: 'problem', series: ['resolved', 'notResolved'], type: 'bar', stacked: true },
  'time-to-result': { x: 'band', series: ['families'], type: 'bar' },
  caseloads: { x: 'keyworker', series: ['open', 'withResult', 'noResultOver6Months'], type: 'bar' },
  money: { x: 'financialYear', series: ['attachmentFeesPence', 'resultsClaimedPence', 'receivedPence'], type: 'bar' },
};

/** GOV.UK colours with at least 3:1 contrast on white (WCAG 2.2 1.4.11), told apart by pattern of order and legend too. */
const COLOURS = ['#1d70b8', '#00703c', '#4c2c92', '#505a5f', '#d4351c'];

export const PROBLEM_NAMES: Record<string, string> = {
  'crime-asb': 'Crime and anti-social behaviour',
  education: 'Education',
  'children-in-need': 'Children who need help',
  worklessness: 'Worklessness and financial exclusion',
  'domestic-abuse': 'Domestic violence and abuse',
  health: 'Health',
  // Supporting Families 2022–25 (docs/frameworks.md); `education`, `health` and `domestic-abuse` share phase two's codes.
  'early-years': 'Good early years development',
  'substance-use': 'Better managed substance use',
  'family-relationships': 'Improved family relationships',
  'children-safe': 'Children safe from abuse and exploitation',
  crime: 'Families diverted from crime',
  housing: 'Secure housing',
  'financial-stability': 'Financial stability',
};

const WITHHELD = '[c]';

export function cellText(column: FigureColumn, value: Cell | undefined): string {
  if (value === null || value === undefined) return '–';
  if (value === WITHHELD) return WITHHELD;
  switch (column.kind) {
    case 'count':
    case 'months':
      return typeof value === 'number' ? count(value) : String(value);
    case 'pence':
      return typeof value === 'number' ? money(value) : String(value);
    case 'date':
      return ukDate(String(value));
    default:
      if (column.key === 'month') return ukMonth(String(value));
      if (column.key === 'problem') return PROBLEM_NAMES[String(value)] ?? String(value);
      return String(value);
  }
}

function FigureChart({ figure }: { figure: Figure }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const spec = CHARTS[figure.name];
  useEffect(() => {
    if (!spec || !canvas.current) return;
    const byKey = new Map(figure.columns.map((c) => [c.key, c]));
    const pence = spec.series.some((s) => byKey.get(s)?.kind === 'pence');
    const data = {
      labels: figure.rows.map((r) => cellText(byKey.get(spec.x) as FigureColumn, r[spec.x])),
      datasets: spec.series.map((s, i) => ({
        label: byKey.get(s)?.label ?? s,
        // Withheld counts are gaps, not zeros.
        data: figure.rows.map((r) => (typeof r[s] === 'number' ? (pence ? (r[s] as number) / 100 : (r[s] as number)) : null)),
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        borderWidth: spec.type === 'line' ? 2 : 0,
        pointRadius: spec.type === 'line' ? 2 : undefined,
      })),
    };
    if (chart.current) {
      chart.current.data = data;
      chart.current.update('none');
      return;
    }
    chart.current = new Chart(canvas.current, {
      type: spec.type,
      data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: {
          x: { stacked: spec.stacked ?? false, ticks: { color: '#0b0c0c' } },
          y: { stacked: spec.stacked ?? false, beginAtZero: true, ticks: { color: '#0b0c0c', precision: 0, callback: (v) => (pence ? money(Number(v) * 100) : count(Number(v))) } },
        },
        plugins: { legend: { position: 'bottom', labels: { color: '#0b0c0c' } } },
      },
    });
  }, [figure, spec]);
  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );
  if (!spec) return null;
  return (
    <div className="app-chart">
      <canvas ref={canvas} role="img" aria-label={`Chart: ${figure.title}. The same figures are in the table below.`}>
        The figures are in the table below.
      </canvas>
    </div>
  );
}

/** A figure's table; a long one (beside its chart) folds into "Show the table". */
function TableOf({ figure, long }: { figure: Figure; long: boolean }) {
  const table = (
    <div className="app-table-scroll" tabIndex={0} role="region" aria-label={`Table: ${figure.title}`}>
      <table className="govuk-table app-table">
        <caption className="govuk-table__caption govuk-visually-hidden">{figure.title}</caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            {figure.columns.map((c) => (
              <th key={c.key} scope="col" className={`govuk-table__header${c.kind === 'text' || c.kind === 'date' ? '' : ' govuk-table__header--numeric'}`}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {figure.rows.length === 0 ? (
            <tr className="govuk-table__row">
              <td className="govuk-table__cell" colSpan={figure.columns.length}>
                None as of this date.
              </td>
            </tr>
          ) : (
            figure.rows.map((r, i) => (
              <tr key={i} className="govuk-table__row">
                {figure.columns.map((c, j) =>
                  j === 0 ? (
                    <th key={c.key} scope="row" className="govuk-table__header" data-key={c.key}>
                      {cellText(c, r[c.key])}
                    </th>
                  ) : (
                    <td key={c.key} className={`govuk-table__cell${c.kind === 'text' || c.kind === 'date' ? '' : ' govuk-table__cell--numeric'}`} data-key={c.key}>
                      {cellText(c, r[c.key])}
                    </td>
                  ),
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
  if (!long) return table;
  return (
    <details className="govuk-details">
      <summary className="govuk-details__summary">
        <span className="govuk-details__summary-text">Show the table ({figure.rows.length} rows)</span>
      </summary>
      <div className="govuk-details__text">{table}</div>
    </details>
  );
}

/** One dashboard figure: its chart, its table (the chart's numbers, for everyone), and its CSV. */
export function FigureView({ figure, csvPath, withheldNote }: { figure: Figure; csvPath: string; withheldNote: boolean }) {
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingId = `figure-${figure.name}`;
  return (
    <section className="app-figure" aria-labelledby={headingId} data-figure={figure.name}>
      <h2 className="govuk-heading-m" id={headingId}>
        {figure.title}
      </h2>
      {figure.rows.length > 0 ? <FigureChart figure={figure} /> : null}
      <TableOf figure={figure} long={figure.rows.length > 24 && CHARTS[figure.name] !== undefined} />
      {withheldNote ? <p className="govuk-body-s">[c]: withheld, fewer than 5 families (or enough others that no total gives one away).</p> : null}
      <div className="govuk-body">
        <button
          type="button"
          className="govuk-button govuk-button--secondary app-download"
          disabled={downloading}
          aria-disabled={downloading}
          onClick={async () => {
            setDownloading(true);
            setError(null);
            try {
              await download(csvPath, `${figure.name}.csv`);
            } catch (e) {
              setError(e instanceof Error ? e.message : String(e));
            } finally {
              setDownloading(false);
            }
          }}
        >
          Download CSV<span className="govuk-visually-hidden">: {figure.title}</span>
        </button>
        <Loading active={downloading}>Preparing the CSV…</Loading>
        {error ? <span className="govuk-error-message">{error}</span> : null}
      </div>
    </section>
  );
}
