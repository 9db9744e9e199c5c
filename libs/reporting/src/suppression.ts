/**
 * Small-number suppression for published aggregate tables (DOMAIN.md 6, "Published results are
 * de-personalised": aggregate tables only, counts under 5 suppressed, with secondary suppression so
 * that a total cannot reveal them; API.md `GET /api/reports/outcomes.csv`).
 *
 * Pure and deterministic: counts in, published counts out; no clock, no randomness, and the order
 * of work is fixed (relations in the order given, cells in the order given), so the same table
 * always suppresses the same cells.
 *
 * Primary suppression: a count from 1 to `threshold − 1` (default 1 to 4) is withheld. Zero is
 * shown by default: a published zero says that nobody in a group has an outcome, which is the
 * finding a reader needs (and structural zeros, such as both routes where claims allow only one,
 * are known anyway); suppressing zeros as well, for a table where an empty group is itself
 * sensitive, is `suppressZeros: true`. Margins (row, column and grand totals) follow the same
 * rule: a total of 3 is withheld like a cell of 3.
 *
 * Secondary suppression: every published total is a true sum, so each total and the cells it adds
 * up form a linear relation `total = sum(cells)`. Withholding a cell is pointless if the reader can
 * solve for it, so, until stable:
 *
 * 1. a relation with exactly one withheld member gets a complementary suppression: its smallest
 *    non-zero shown member (ties: an interior cell before a total, then the first in row or column
 *    order; only if every shown member is zero, a zero);
 * 2. (beyond rule 1) a withheld cell that the published values still determine exactly through
 *    several relations together gets a complementary suppression too. Rule 1 alone leaves such
 *    cells: two separate rectangles of withheld cells joined by one more withheld cell put at least
 *    two withheld members in every row and column, yet adding and subtracting the relations of the
 *    rectangle's rows and columns gives the joining cell away (`suppression.spec.ts` has one). In a
 *    row-and-column table this is the joining cell being a bridge of the graph whose vertices are
 *    the rows and columns and whose edges are the withheld cells. The test is exact linear
 *    algebra over the relations (integer Gaussian elimination); the complement is the smallest
 *    non-zero shown cell (interior before total, then table order) whose suppression leaves the
 *    cell undetermined.
 *
 * Each step withholds one more cell, so this ends after at most as many steps as there are cells.
 * What it does not do: bounds. The reader also knows every count is at least 0 (and in linked
 * tables that one count cannot exceed another), so a withheld pair in a row totalling 6 with one
 * member known to be at least 5 is not exact but is narrow; this is the usual cell-suppression
 * standard (no withheld value can be worked out exactly), not interval protection.
 */

export type SuppressionReason = 'primary' | 'secondary';

/**
 * A count as published: its value, or withheld and why. The reason is for the publisher and the
 * tests only: a document prints one marker for both, since telling a reader which cells are primary
 * tells them those hold 1 to `threshold − 1` and the others do not.
 */
export type PublishedCount = { readonly suppressed: false; readonly value: number } | { readonly suppressed: SuppressionReason };

/** DOMAIN.md 6: counts of fewer than 5 are withheld **[config]**. */
export const defaultSuppressionThreshold = 5;

export interface SuppressionOptions {
  /** Counts from 1 to `threshold − 1` are primary-suppressed. Default 5 (DOMAIN.md 6: "fewer than 5"). */
  threshold?: number;
  /** Primary-suppress zeros too. Default false: zeros are shown (see the module comment). */
  suppressZeros?: boolean;
}

/** Non-negative integer counts, `cells[row][column]`. */
export interface CountTable {
  rows: readonly string[];
  columns: readonly string[];
  cells: readonly (readonly number[])[];
}

/** A table with its margins, ready to publish: nothing withheld carries its value. */
export interface SuppressedTable {
  rows: string[];
  columns: string[];
  cells: PublishedCount[][];
  /** `rowTotals[r]` = the sum of row r. */
  rowTotals: PublishedCount[];
  /** `columnTotals[c]` = the sum of column c. */
  columnTotals: PublishedCount[];
  /** The sum of every cell (and of the row totals, and of the column totals). */
  grandTotal: PublishedCount;
  threshold: number;
  suppressZeros: boolean;
}

/**
 * A place in the table with its margins: `row === rows.length` is the totals row and
 * `column === columns.length` the totals column.
 */
export interface TablePosition {
  row: number;
  column: number;
}

/** A row (its cells and its total) or a column (its cells and its total), margins included. */
export interface TableRelation {
  along: 'row' | 'column';
  /** Index into `rows` or `columns`; `rows.length` (`columns.length`) for the totals row (column). */
  index: number;
  /** The row or column label, or `Total`. */
  label: string;
}

/**
 * Adds row, column and grand totals to a table of counts and withholds what must be withheld
 * (module comment). The relations are the table's rows and columns, the totals row and totals
 * column included: `R + 1 + C + 1` relations over `(R + 1) × (C + 1)` values.
 */
export function suppressTable(table: CountTable, options: SuppressionOptions = {}): SuppressedTable {
  const { rows, columns } = table;
  if (rows.length === 0 || columns.length === 0) throw new RangeError('a table to suppress needs at least one row and one column');
  if (table.cells.length !== rows.length) throw new RangeError(`expected ${rows.length} rows of cells, got ${table.cells.length}`);
  table.cells.forEach((row, r) => {
    if (row.length !== columns.length) throw new RangeError(`row ${rows[r]} has ${row.length} cells, expected ${columns.length}`);
    row.forEach((count, c) => assertCount(count, `cell ${rows[r]} / ${columns[c]}`));
  });
  const shape = { rows: rows.length, columns: columns.length };
  const grid = withMargins(table.cells);
  const counts = grid.flat().map((value, at) => ({ value, total: isMargin(shape, positionOf(shape, at)) }));
  const reasons = suppressLinked(counts, tableRelations(rows, columns).map((relation) => relation.linear), options);
  const published = (row: number, column: number): PublishedCount => {
    const at = indexOf(shape, { row, column });
    const reason = reasons[at];
    return reason === false ? { suppressed: false, value: grid[row][column] } : { suppressed: reason };
  };
  const R = rows.length;
  const C = columns.length;
  return {
    rows: [...rows],
    columns: [...columns],
    cells: rows.map((_, r) => columns.map((_, c) => published(r, c))),
    rowTotals: rows.map((_, r) => published(r, C)),
    columnTotals: columns.map((_, c) => published(R, c)),
    grandTotal: published(R, C),
    ...thresholdOf(options),
  };
}

/**
 * The relations of a published table that have exactly one withheld member: each gives that member
 * away by subtraction. Empty for anything `suppressTable` returns.
 */
export function revealsSuppressed(table: SuppressedTable): (TableRelation & { suppressed: TablePosition })[] {
  const shape = shapeOf(table);
  const withheld = withheldFlags(table);
  return tableRelations(table.rows, table.columns).flatMap(({ relation, linear }) => {
    const members = linear.terms.filter((term) => withheld[term.cell]);
    return members.length === 1 ? [{ ...relation, suppressed: positionOf(shape, members[0].cell) }] : [];
  });
}

/**
 * The withheld values of a published table that its shown values and totals determine exactly,
 * through any combination of its relations (a stronger check than `revealsSuppressed`). Empty for
 * anything `suppressTable` returns.
 */
export function derivableSuppressed(table: SuppressedTable): TablePosition[] {
  const shape = shapeOf(table);
  return determinedCells(tableRelations(table.rows, table.columns).map((r) => r.linear), withheldFlags(table)).map((at) => positionOf(shape, at));
}

// ---------------------------------------------------------------------------------------------
// Suppression over any set of linear relations, for linked tables whose relations are not just
// rows and columns (the outcomes report). Internal to the library (not exported from index.ts).

/** One published count among linked tables. */
export interface LinkedCount {
  value: number;
  /** A margin: chosen as a complement after an interior count of the same value. */
  total: boolean;
}

/**
 * `sum(coefficient × value) = 0` over distinct counts (indices into the count list), members in
 * publication order. A total is a member with coefficient −1: `cells − total = 0`.
 */
export interface LinearRelation {
  name: string;
  terms: readonly { cell: number; coefficient: number }[];
}

/**
 * Primary and secondary suppression (module comment) over counts linked by the given relations,
 * which must all hold. Returns, per count, why it is withheld or `false` when it is shown.
 */
export function suppressLinked(
  counts: readonly LinkedCount[],
  relations: readonly LinearRelation[],
  options: SuppressionOptions = {},
): (SuppressionReason | false)[] {
  const { threshold, suppressZeros } = thresholdOf(options);
  counts.forEach((count, at) => assertCount(count.value, `count ${at}`));
  for (const relation of relations) assertRelation(relation, counts);

  const reasons: (SuppressionReason | false)[] = counts.map(({ value }) =>
    (value > 0 && value < threshold) || (suppressZeros && value === 0) ? 'primary' : false,
  );
  const withheld = () => reasons.map((reason) => reason !== false);

  for (let step = 0; step <= counts.length; step += 1) {
    const flags = withheld();
    // Rule 1: a relation with one withheld member.
    const lone = loneSuppressed(relations, flags)[0];
    if (lone !== undefined) {
      const shown = lone.terms.map((t) => t.cell).filter((cell) => !flags[cell]);
      reasons[preferred(shown, counts)] = 'secondary';
      continue;
    }
    // Rule 2: a withheld count still determined by several relations together.
    const exposed = determinedCells(relations, flags)[0];
    if (exposed === undefined) return reasons;
    reasons[complementFor(exposed, counts, relations, flags)] = 'secondary';
  }
  throw new Error('suppression did not settle'); // unreachable: every step withholds one more count
}

/** Relations with exactly one withheld member. */
export function loneSuppressed(relations: readonly LinearRelation[], withheld: readonly boolean[]): LinearRelation[] {
  return relations.filter((relation) => relation.terms.filter((t) => withheld[t.cell]).length === 1);
}

/**
 * Withheld counts whose value the shown counts determine exactly through the relations: those
 * whose unit vector lies in the row space of the relations restricted to the withheld counts
 * (equivalently, zero in every solution of the homogeneous system). In ascending count order.
 */
export function determinedCells(relations: readonly LinearRelation[], withheld: readonly boolean[]): number[] {
  const unknowns = withheld.flatMap((flag, cell) => (flag ? [cell] : []));
  const column = new Map(unknowns.map((cell, at) => [cell, at]));
  const matrix = relations
    .map((relation) => {
      const row = unknowns.map(() => 0n);
      for (const term of relation.terms) {
        const at = column.get(term.cell);
        if (at !== undefined) row[at] += BigInt(term.coefficient);
      }
      return row;
    })
    .filter((row) => row.some((entry) => entry !== 0n));
  const pivots = reducedRowEchelon(matrix);
  // A pivot row with no other non-zero entry fixes its unknown; any other entry is a free unknown.
  return pivots
    .filter(({ row }) => matrix[row].filter((entry) => entry !== 0n).length === 1)
    .map(({ column: at }) => unknowns[at])
    .sort((a, b) => a - b);
}

/** Integer (fraction-free) Gauss–Jordan elimination in place; rows are kept primitive. */
function reducedRowEchelon(matrix: bigint[][]): { row: number; column: number }[] {
  const pivots: { row: number; column: number }[] = [];
  const width = matrix[0]?.length ?? 0;
  for (let column = 0; column < width && pivots.length < matrix.length; column += 1) {
    const top = pivots.length;
    const found = matrix.findIndex((row, r) => r >= top && row[column] !== 0n);
    if (found < 0) continue;
    [matrix[top], matrix[found]] = [matrix[found], matrix[top]];
    const pivot = matrix[top][column];
    matrix.forEach((row, r) => {
      const factor = row[column];
      if (r === top || factor === 0n) return;
      matrix[r] = primitive(row.map((entry, c) => entry * pivot - matrix[top][c] * factor));
    });
    pivots.push({ row: top, column });
  }
  return pivots;
}

function primitive(row: bigint[]): bigint[] {
  let divisor = 0n;
  for (const entry of row) divisor = gcd(divisor, entry < 0n ? -entry : entry);
  return divisor > 1n ? row.map((entry) => entry / divisor) : row;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The count to withhold next among candidates: smallest non-zero, interior before total, then first. */
function preferred(candidates: readonly number[], counts: readonly LinkedCount[]): number {
  return [...candidates].sort((a, b) => compareComplements(counts[a], counts[b]) || candidates.indexOf(a) - candidates.indexOf(b))[0];
}

function compareComplements(a: LinkedCount, b: LinkedCount): number {
  return Number(a.value === 0) - Number(b.value === 0) || a.value - b.value || Number(a.total) - Number(b.total);
}

/**
 * Rule 2's complement for a determined count: the preferred shown count whose withholding leaves
 * it undetermined. If no single count does (not seen for row-and-column tables, where one always
 * does), the preferred shown member of the first relation through it, and the loop goes on.
 */
function complementFor(exposed: number, counts: readonly LinkedCount[], relations: readonly LinearRelation[], withheld: readonly boolean[]): number {
  const linked = new Set(relations.filter((r) => r.terms.some((t) => withheld[t.cell])).flatMap((r) => r.terms.map((t) => t.cell)));
  const shown = [...linked].filter((cell) => !withheld[cell]).sort((a, b) => a - b);
  for (const candidate of preferredOrder(shown, counts)) {
    const trial = withheld.map((flag, cell) => flag || cell === candidate);
    if (!determinedCells(relations, trial).includes(exposed)) return candidate;
  }
  const through = relations.find((r) => r.terms.some((t) => t.cell === exposed) && r.terms.some((t) => !withheld[t.cell]));
  if (through !== undefined) return preferred(through.terms.map((t) => t.cell).filter((cell) => !withheld[cell]), counts);
  if (shown.length > 0) return preferred(shown, counts);
  throw new Error(`count ${exposed} is determined by its relations alone and cannot be protected`);
}

function preferredOrder(candidates: readonly number[], counts: readonly LinkedCount[]): number[] {
  return [...candidates].sort((a, b) => compareComplements(counts[a], counts[b]) || a - b);
}

function assertRelation(relation: LinearRelation, counts: readonly LinkedCount[]): void {
  const seen = new Set<number>();
  let sum = 0;
  for (const { cell, coefficient } of relation.terms) {
    if (!Number.isInteger(cell) || cell < 0 || cell >= counts.length) throw new RangeError(`relation ${relation.name} names no count ${cell}`);
    if (seen.has(cell)) throw new RangeError(`relation ${relation.name} names count ${cell} twice`);
    if (!Number.isSafeInteger(coefficient) || coefficient === 0) throw new RangeError(`relation ${relation.name} has coefficient ${coefficient}`);
    seen.add(cell);
    sum += coefficient * counts[cell].value;
  }
  if (relation.terms.length < 2) throw new RangeError(`relation ${relation.name} needs at least two members`);
  if (sum !== 0) throw new RangeError(`relation ${relation.name} does not hold for these counts (off by ${sum})`);
}

// ---------------------------------------------------------------------------------------------
// A table with margins as a grid of (rows + 1) × (columns + 1) counts, row-major.

interface Shape {
  rows: number;
  columns: number;
}

function withMargins(cells: readonly (readonly number[])[]): number[][] {
  const grid = cells.map((row) => [...row, sumOf(row)]);
  const totals = grid[0].map((_, c) => sumOf(grid.map((row) => row[c])));
  return [...grid, totals];
}

/** Each row then each column, the totals row and column last; members in order, the total last. */
function tableRelations(rows: readonly string[], columns: readonly string[]): { relation: TableRelation; linear: LinearRelation }[] {
  const shape = { rows: rows.length, columns: columns.length };
  const { rows: R, columns: C } = shape;
  const along = (kind: 'row' | 'column', index: number, label: string, positions: TablePosition[]) => ({
    relation: { along: kind, index, label },
    linear: {
      name: `${kind} ${label}`,
      terms: positions.map((p, at) => ({ cell: indexOf(shape, p), coefficient: at === positions.length - 1 ? -1 : 1 })),
    },
  });
  const range = (n: number) => Array.from({ length: n + 1 }, (_, i) => i);
  return [
    ...range(R).map((row) => along('row', row, rows[row] ?? 'Total', range(C).map((column) => ({ row, column })))),
    ...range(C).map((column) => along('column', column, columns[column] ?? 'Total', range(R).map((row) => ({ row, column })))),
  ];
}

function shapeOf(table: SuppressedTable): Shape {
  return { rows: table.rows.length, columns: table.columns.length };
}

function withheldFlags(table: SuppressedTable): boolean[] {
  const grid = [...table.cells.map((row, r) => [...row, table.rowTotals[r]]), [...table.columnTotals, table.grandTotal]];
  return grid.flat().map((count) => count.suppressed !== false);
}

function indexOf(shape: Shape, { row, column }: TablePosition): number {
  return row * (shape.columns + 1) + column;
}

function positionOf(shape: Shape, at: number): TablePosition {
  return { row: Math.floor(at / (shape.columns + 1)), column: at % (shape.columns + 1) };
}

function isMargin(shape: Shape, { row, column }: TablePosition): boolean {
  return row === shape.rows || column === shape.columns;
}

function thresholdOf(options: SuppressionOptions): { threshold: number; suppressZeros: boolean } {
  const threshold = options.threshold ?? defaultSuppressionThreshold;
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new RangeError(`the suppression threshold must be a whole number of at least 1, got ${threshold}`);
  return { threshold, suppressZeros: options.suppressZeros ?? false };
}

function assertCount(count: number, what: string): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`${what} must be a whole number of at least 0, got ${count}`);
}

function sumOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0);
}
