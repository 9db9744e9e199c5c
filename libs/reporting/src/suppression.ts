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
 * 3. (DOMAIN.md 6, Revised: "cannot reveal" includes what a reader knows besides the totals) a
 *    withheld count that the published values pin to one value together with the bounds a reader
 *    knows gets a complementary suppression too. A published column `5, [c], [c], 0, 0` with total
 *    7 has no relation with one withheld member and no withheld value determined by linear algebra,
 *    yet both must be 1: a shown zero tells the reader that a withheld count is at least 1. The
 *    bounds are, per withheld count, as tight as they are true (a reader who knows more than a real
 *    one: protecting against them protects against everybody):
 *    - at least 1 where zeros are shown (0 for a count that is 0, or when zeros are suppressed);
 *    - at most `threshold − 1` for a count that is at most `threshold − 1` (a reader may take every
 *      withheld count to be a small one); otherwise at most the largest count published (a count
 *      cannot exceed the grand total).
 *    The test is exact over the integers: a withheld count is safe when a second integer solution
 *    of the relations within the bounds gives it another value (interval propagation over the
 *    relations and branching; `boundedAlternative`). A search that runs past its budget counts as
 *    pinned, so doubt means one more suppression, never a disclosure. The complement is the
 *    preferred shown count (as in rule 2) whose suppression gives the count a second value.
 *    Zeros stay shown (suppressing every zero would hide the finding that a group has nobody in
 *    it, and would not be enough anyway: the upper bound pins two withheld 4s in a row of 8).
 *    One case is left as it is: a withheld count whose bounds alone are one value (threshold 2 with
 *    zeros shown: a small count can only be 1) is the threshold's doing, not the totals', and so
 *    is a total of such counts only; a threshold of 3 or more (the default is 5) has no such case.
 *
 * Each step withholds one more cell, so this ends after at most as many steps as there are cells.
 * If every count is withheld and the bounds still pin one (every count in a tiny table below the
 * threshold), nothing more can be withheld and the table is published as it is: all `[c]`.
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
  /** Whether zeros are withheld: as asked, or because the bounds left no other way (`suppressLinkedTables`). */
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
  const { reasons, suppressZeros } = suppressLinkedTables(
    counts,
    tableRelations(rows, columns).map((relation) => relation.linear),
    options,
  );
  const published = (row: number, column: number): PublishedCount => {
    const at = indexOf(shape, { row, column });
    const reason = nth(reasons, at);
    return reason === false ? { suppressed: false, value: nth(nth(grid, row), column) } : { suppressed: reason };
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
    threshold: thresholdOf(options).threshold,
    suppressZeros,
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
    return members.length === 1 ? [{ ...relation, suppressed: positionOf(shape, nth(members, 0).cell) }] : [];
  });
}

/**
 * The withheld values of a published table that its shown values and totals determine exactly,
 * through any combination of its relations (a stronger check than `revealsSuppressed`). Empty for
 * anything `suppressTable` returns.
 */
export function derivableSuppressed(table: SuppressedTable): TablePosition[] {
  const shape = shapeOf(table);
  return determinedCells(
    tableRelations(table.rows, table.columns).map((r) => r.linear),
    withheldFlags(table),
  ).map((at) => positionOf(shape, at));
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
  /**
   * Rule 3's systems: sets of the relations (each a network where it can be, for an exact and fast
   * test) in which no withheld count may be pinned by the bounds. Default: all the relations.
   */
  boundsSystems: readonly (readonly LinearRelation[])[] = [relations],
): (SuppressionReason | false)[] {
  return suppressLinkedTables(counts, relations, options, boundsSystems).reasons;
}

/**
 * `suppressLinked`, and whether zeros ended up withheld. With zeros shown a reader takes every
 * withheld count to be at least 1, and a relation whose members are all withheld can then be
 * pinned by its bounds alone, beyond the help of any complement (a row of two 1s with its total,
 * at threshold 3: the total is at most 2 and each count at least 1). Such a table is suppressed
 * again with zeros withheld as well (the reader then knows only that a withheld count is at least
 * 0), and says so: DOMAIN.md 6 allows both ("or zeros are suppressed too").
 */
export function suppressLinkedTables(
  counts: readonly LinkedCount[],
  relations: readonly LinearRelation[],
  options: SuppressionOptions = {},
  boundsSystems: readonly (readonly LinearRelation[])[] = [relations],
): { reasons: (SuppressionReason | false)[]; suppressZeros: boolean } {
  const first = suppressOnce(counts, relations, options, boundsSystems);
  if (first !== 'unprotectable') return { reasons: first, suppressZeros: thresholdOf(options).suppressZeros };
  const again = suppressOnce(counts, relations, { ...options, suppressZeros: true }, boundsSystems);
  if (again === 'unprotectable') throw new Error('suppression with zeros withheld left a count pinned by its bounds'); // not seen: every count then has 0 as its least
  return { reasons: again, suppressZeros: true };
}

function suppressOnce(
  counts: readonly LinkedCount[],
  relations: readonly LinearRelation[],
  options: SuppressionOptions,
  boundsSystems: readonly (readonly LinearRelation[])[],
): (SuppressionReason | false)[] | 'unprotectable' {
  const { threshold, suppressZeros } = thresholdOf(options);
  counts.forEach((count, at) => assertCount(count.value, `count ${at}`));
  for (const relation of relations) assertRelation(relation, counts);

  const reasons: (SuppressionReason | false)[] = counts.map(({ value }) => ((value > 0 && value < threshold) || (suppressZeros && value === 0) ? 'primary' : false));
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
    if (exposed !== undefined) {
      reasons[complementFor(exposed, counts, relations, flags)] = 'secondary';
      continue;
    }
    // Rule 3: a withheld count pinned by the relations and the bounds a reader knows.
    const systemPinning = (cell: number, trial: readonly boolean[], search: boolean) =>
      boundsSystems.find((system) => system.some((r) => r.terms.some((t) => t.cell === cell)) && pinnedByBounds(cell, counts, system, trial, threshold, suppressZeros, search));
    let pinned = -1;
    let system: readonly LinearRelation[] | undefined;
    for (let cell = 0; cell < counts.length && system === undefined; cell += 1) {
      if (flags[cell] && (system = systemPinning(cell, flags, true)) !== undefined) pinned = cell;
    }
    if (system === undefined) return reasons;
    const network = networkOf(counts, system);
    const complements =
      network !== undefined
        ? cheapestCycle(pinned, network, counts, flags, threshold, suppressZeros)
        : [boundsComplementFor(pinned, counts, relations, flags, (trial) => systemPinning(pinned, trial, false) !== undefined)].filter((c): c is number => c !== undefined);
    if (complements.length === 0) return suppressZeros ? reasons : 'unprotectable';
    for (const complement of complements) reasons[complement] = 'secondary';
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
        if (at !== undefined) row[at] = nth(row, at) + BigInt(term.coefficient);
      }
      return row;
    })
    .filter((row) => row.some((entry) => entry !== 0n));
  const pivots = reducedRowEchelon(matrix);
  // A pivot row with no other non-zero entry fixes its unknown; any other entry is a free unknown.
  return pivots
    .filter(({ row }) => nth(matrix, row).filter((entry) => entry !== 0n).length === 1)
    .map(({ column: at }) => nth(unknowns, at))
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
    [matrix[top], matrix[found]] = [nth(matrix, found), nth(matrix, top)];
    const topRow = nth(matrix, top);
    const pivot = nth(topRow, column);
    matrix.forEach((row, r) => {
      const factor = nth(row, column);
      if (r === top || factor === 0n) return;
      matrix[r] = primitive(row.map((entry, c) => entry * pivot - nth(topRow, c) * factor));
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
  return nth(
    [...candidates].sort((a, b) => compareComplements(nth(counts, a), nth(counts, b)) || candidates.indexOf(a) - candidates.indexOf(b)),
    0,
  );
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
  if (through !== undefined)
    return preferred(
      through.terms.map((t) => t.cell).filter((cell) => !withheld[cell]),
      counts,
    );
  if (shown.length > 0) return preferred(shown, counts);
  throw new Error(`count ${exposed} is determined by its relations alone and cannot be protected`);
}

/**
 * The bounds a reader knows of each withheld count (rule 3 in the module comment), `undefined` for a
 * shown count (its value is its bound).
 */
export function readerBounds(counts: readonly LinkedCount[], withheld: readonly boolean[], threshold: number, suppressZeros: boolean): ([number, number] | undefined)[] {
  const cap = counts.reduce((max, { value }) => Math.max(max, value), 0);
  return counts.map(({ value }, cell) => {
    if (!withheld[cell]) return undefined;
    const lo = suppressZeros ? 0 : Math.min(1, value);
    const hi = value <= threshold - 1 ? threshold - 1 : cap;
    return [lo, hi];
  });
}

/** Rule 3: is this withheld count one value in every integer solution within the reader's bounds? */
export function pinnedByBounds(
  cell: number,
  counts: readonly LinkedCount[],
  relations: readonly LinearRelation[],
  withheld: readonly boolean[],
  threshold: number,
  suppressZeros: boolean,
  search = true,
): boolean {
  const bounds = readerBounds(counts, withheld, threshold, suppressZeros);
  const own = bounds[cell];
  if (own === undefined || own[0] === own[1]) return false; // shown, or fixed by the threshold alone (module comment)
  const value = nth(counts, cell).value;
  const network = networkOf(counts, relations);
  if (network !== undefined) return !(cycleThrough(cell, +1, network, counts, bounds) || cycleThrough(cell, -1, network, counts, bounds));
  if (kernelMoves(relations, withheld).some((move) => move[cell] !== 0 && withinBounds(move, counts, bounds))) return false;
  return search && !(boundedAlternative(cell, [own[0], value - 1], counts, relations, bounds) || boundedAlternative(cell, [value + 1, own[1]], counts, relations, bounds));
}

/**
 * Integer changes of the withheld counts that keep every relation: each vector of an integer
 * basis of the null space (one per free withheld count, from the reduced echelon form), its
 * negation, and the sums and differences of two of them. Any of these that keeps every count
 * within its bounds is a second solution: a cheap certificate before the search.
 */
const movesMemo = new WeakMap<readonly LinearRelation[], Map<string, number[][]>>();

function kernelMoves(relations: readonly LinearRelation[], withheld: readonly boolean[]): number[][] {
  const key = withheld.map((flag) => (flag ? '1' : '0')).join('');
  let memo = movesMemo.get(relations);
  if (memo === undefined) movesMemo.set(relations, (memo = new Map()));
  const known = memo.get(key);
  if (known !== undefined) return known;
  const moves = computeKernelMoves(relations, withheld);
  if (memo.size > 200) memo.clear();
  memo.set(key, moves);
  return moves;
}

function computeKernelMoves(relations: readonly LinearRelation[], withheld: readonly boolean[]): number[][] {
  const unknowns = withheld.flatMap((flag, cell) => (flag ? [cell] : []));
  const column = new Map(unknowns.map((cell, at) => [cell, at]));
  const matrix = relations
    .map((relation) => {
      const row = unknowns.map(() => 0n);
      for (const term of relation.terms) {
        const at = column.get(term.cell);
        if (at !== undefined) row[at] = nth(row, at) + BigInt(term.coefficient);
      }
      return row;
    })
    .filter((row) => row.some((entry) => entry !== 0n));
  const pivots = reducedRowEchelon(matrix);
  const pivotColumns = new Set(pivots.map((p) => p.column));
  const basis: number[][] = [];
  for (let free = 0; free < unknowns.length; free += 1) {
    if (pivotColumns.has(free)) continue;
    let scale = 1n;
    for (const { row, column: pc } of pivots) if (nth(nth(matrix, row), free) !== 0n) scale = lcm(scale, abs(nth(nth(matrix, row), pc)));
    const d = unknowns.map(() => 0n);
    d[free] = scale;
    for (const { row, column: pc } of pivots) d[pc] = (-scale * nth(nth(matrix, row), free)) / nth(nth(matrix, row), pc);
    const vector = primitive(d).map(Number);
    const move = withheld.map(() => 0);
    unknowns.forEach((cell, at) => (move[cell] = nth(vector, at)));
    basis.push(move);
  }
  const moves: number[][] = [];
  for (const a of basis)
    moves.push(
      a,
      a.map((x) => -x),
    );
  for (let i = 0; i < basis.length; i += 1) {
    for (let j = i + 1; j < basis.length; j += 1) {
      const [bi, bj] = [nth(basis, i), nth(basis, j)];
      const sum = bi.map((x, k) => x + nth(bj, k));
      const difference = bi.map((x, k) => x - nth(bj, k));
      moves.push(
        sum,
        sum.map((x) => -x),
        difference,
        difference.map((x) => -x),
      );
    }
  }
  return moves;
}

function withinBounds(move: readonly number[], counts: readonly LinkedCount[], bounds: readonly ([number, number] | undefined)[]): boolean {
  return move.every((delta, cell) => {
    if (delta === 0) return true;
    const box = bounds[cell];
    const next = nth(counts, cell).value + delta;
    return box !== undefined && next >= box[0] && next <= box[1];
  });
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

/**
 * A table whose relations form a network: every count in exactly two relations (or in none: not
 * part of this system; `tail` and `head` −1) with coefficients
 * ±1, and the relations split in two so that, after negating one side, every count is +1 in one
 * relation and −1 in the other (a row-and-column table with margins always does: rows and the
 * totals column against columns and the totals row). Its matrix is then totally unimodular and a
 * change of the withheld counts that keeps every relation is a circulation: the withheld count
 * takes a second value iff a cycle through it can move one unit within the bounds (conformal
 * decomposition of circulations). `tail`/`head`: the relation where a count is −1 / +1.
 */
interface Network {
  tail: number[];
  head: number[];
  relations: number;
}

const networks = new WeakMap<readonly LinearRelation[], Network | null>();

function networkOf(counts: readonly LinkedCount[], relations: readonly LinearRelation[]): Network | undefined {
  const known = networks.get(relations);
  if (known !== undefined) return known ?? undefined;
  const ends: { relation: number; coefficient: number }[][] = counts.map(() => []);
  relations.forEach((relation, r) => relation.terms.forEach(({ cell, coefficient }) => nth(ends, cell).push({ relation: r, coefficient })));
  const found = ((): Network | null => {
    // Counts in none of these relations are not part of the system.
    if (ends.some((e) => (e.length !== 0 && e.length !== 2) || e.some(({ coefficient }) => Math.abs(coefficient) !== 1))) return null;
    // Two-colour the relations: a count with equal coefficients joins relations of opposite sides.
    const side: (1 | -1 | 0)[] = relations.map(() => 0);
    const links: { to: number; same: boolean }[][] = relations.map(() => []);
    for (const pair of ends.filter((e) => e.length === 2)) {
      const [a, b] = [nth(pair, 0), nth(pair, 1)];
      const same = a.coefficient !== b.coefficient;
      nth(links, a.relation).push({ to: b.relation, same });
      nth(links, b.relation).push({ to: a.relation, same });
    }
    for (let start = 0; start < relations.length; start += 1) {
      if (side[start] !== 0) continue;
      side[start] = 1;
      const queue = [start];
      while (queue.length > 0) {
        const r = queue.pop() as number;
        for (const { to, same } of nth(links, r)) {
          const want = (same ? nth(side, r) : -nth(side, r)) as 1 | -1;
          if (side[to] === 0) {
            side[to] = want;
            queue.push(to);
          } else if (side[to] !== want) return null;
        }
      }
    }
    const tail: number[] = [];
    const head: number[] = [];
    for (const [a, b] of ends) {
      // Each count is in no relation or in two (checked above).
      if (a === undefined || b === undefined) {
        tail.push(-1);
        head.push(-1);
        continue;
      }
      const aSign = a.coefficient * nth(side, a.relation);
      tail.push(aSign < 0 ? a.relation : b.relation);
      head.push(aSign < 0 ? b.relation : a.relation);
    }
    return { tail, head, relations: relations.length };
  })();
  networks.set(relations, found);
  return found ?? undefined;
}

/**
 * Can the withheld `cell` move by `direction` (one unit) along a cycle of withheld counts, each
 * staying within its bounds? A search for a path closing the cycle in the residual graph.
 */
function cycleThrough(cell: number, direction: 1 | -1, network: Network, counts: readonly LinkedCount[], bounds: readonly ([number, number] | undefined)[]): boolean {
  const own = bounds[cell] as [number, number];
  if (direction > 0 ? nth(counts, cell).value >= own[1] : nth(counts, cell).value <= own[0]) return false;
  // Moving `cell` up goes tail → head; the cycle must come back from head to tail.
  const [from, to] = direction > 0 ? [network.head[cell], network.tail[cell]] : [network.tail[cell], network.head[cell]];
  const arcs: number[][][] = Array.from({ length: network.relations }, () => []);
  bounds.forEach((box, at) => {
    if (box === undefined || at === cell || nth(network.tail, at) < 0) return;
    const value = nth(counts, at).value;
    if (value < box[1]) nth(arcs, nth(network.tail, at)).push([nth(network.head, at)]);
    if (value > box[0]) nth(arcs, nth(network.head, at)).push([nth(network.tail, at)]);
  });
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const r = queue.pop() as number;
    if (r === to) return true;
    for (const [next] of nth(arcs, r)) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/** The work one search may do before it gives up (and the count is treated as pinned). */
const searchBudget = 300;

/**
 * Is there an integer solution of the relations, every withheld count within its bounds and this
 * one within `range`? Interval propagation over each relation (`a·x = −(sum of the others)`), then
 * branching on the narrowest open count, the side holding its published value first.
 */
function boundedAlternative(cell: number, range: [number, number], counts: readonly LinkedCount[], relations: readonly LinearRelation[], bounds: readonly ([number, number] | undefined)[]): boolean {
  if (range[0] > range[1]) return false;
  const boxes = counts.map(({ value }, at): [number, number] => (at === cell ? range : (bounds[at] ?? [value, value])));
  let work = 0;
  const search = (box: [number, number][]): boolean | 'gave up' => {
    work += 1;
    if (work > searchBudget) return 'gave up';
    if (!propagate(relations, box)) return false;
    let open = -1;
    for (let at = 0; at < box.length; at += 1) {
      const here = nth(box, at);
      if (here[0] < here[1] && (open < 0 || here[1] - here[0] < nth(box, open)[1] - nth(box, open)[0])) open = at;
    }
    if (open < 0) return true;
    const [lo, hi] = nth(box, open);
    const near = Math.min(Math.max(nth(counts, open).value, lo), hi - 1);
    for (const side of [
      [lo, near],
      [near + 1, hi],
    ] as [number, number][]) {
      const found = search(box.map((b, at) => (at === open ? side : ([...b] as [number, number]))));
      if (found !== false) return found;
    }
    return false;
  };
  return search(boxes) === true;
}

/** Tightens the boxes to a fixed point; false when a box empties (no solution). */
function propagate(relations: readonly LinearRelation[], box: [number, number][]): boolean {
  for (let changed = true; changed;) {
    changed = false;
    for (const { terms } of relations) {
      let min = 0;
      let max = 0;
      for (const { cell, coefficient } of terms) {
        const cellBox = nth(box, cell);
        min += Math.min(coefficient * cellBox[0], coefficient * cellBox[1]);
        max += Math.max(coefficient * cellBox[0], coefficient * cellBox[1]);
      }
      for (const { cell, coefficient } of terms) {
        const cellBox = nth(box, cell);
        const own = [coefficient * cellBox[0], coefficient * cellBox[1]] as const;
        // coefficient × x = −(the others), the others within [min − own max, max − own min]
        const othersMin = min - Math.max(own[0], own[1]);
        const othersMax = max - Math.min(own[0], own[1]);
        const [a, b] = coefficient > 0 ? [-othersMax / coefficient, -othersMin / coefficient] : [-othersMin / coefficient, -othersMax / coefficient];
        const lo = Math.max(cellBox[0], Math.ceil(a - 1e-9));
        const hi = Math.min(cellBox[1], Math.floor(b + 1e-9));
        if (lo > hi) return false;
        if (lo !== cellBox[0] || hi !== cellBox[1]) {
          min += Math.min(coefficient * lo, coefficient * hi) - Math.min(own[0], own[1]);
          max += Math.max(coefficient * lo, coefficient * hi) - Math.max(own[0], own[1]);
          box[cell] = [lo, hi];
          changed = true;
        }
      }
    }
  }
  return true;
}

/**
 * Rule 3's complements in a network: the shown counts to withhold so that a cycle through the
 * pinned count can move it one unit, at the least cost (a count's cost grows with its value, a
 * total costs a little more than an interior count of the same value, a zero the most): a
 * shortest path over the relations where withheld counts cost nothing.
 */
function cheapestCycle(cell: number, network: Network, counts: readonly LinkedCount[], withheld: readonly boolean[], threshold: number, suppressZeros: boolean): number[] {
  const asWithheld = readerBounds(
    counts,
    counts.map(() => true),
    threshold,
    suppressZeros,
  );
  const own = readerBounds(counts, withheld, threshold, suppressZeros);
  const arcs: { from: number; to: number; cost: number; cell: number }[] = [];
  counts.forEach((count, at) => {
    if (at === cell || nth(network.tail, at) < 0) return;
    const box = withheld[at] ? own[at] : asWithheld[at];
    if (box === undefined) return;
    const cost = withheld[at] ? 0 : count.value === 0 ? 1_000_000 : 2 * count.value + (count.total ? 1 : 0);
    if (count.value < box[1]) arcs.push({ from: nth(network.tail, at), to: nth(network.head, at), cost, cell: at });
    if (count.value > box[0]) arcs.push({ from: nth(network.head, at), to: nth(network.tail, at), cost, cell: at });
  });
  const box = own[cell] as [number, number];
  const paths: { cost: number; cells: number[] }[] = [];
  if (nth(counts, cell).value < box[1]) paths.push(cheapestPath(nth(network.head, cell), nth(network.tail, cell), network.relations, arcs));
  if (nth(counts, cell).value > box[0]) paths.push(cheapestPath(nth(network.tail, cell), nth(network.head, cell), network.relations, arcs));
  const best = paths.filter((p) => Number.isFinite(p.cost)).sort((a, b) => a.cost - b.cost)[0];
  return best === undefined ? [] : best.cells.filter((at) => !withheld[at]);
}

/** Dijkstra over a few relations (no heap needed): the cells on the cheapest path, or an infinite cost. */
function cheapestPath(from: number, to: number, vertices: number, arcs: readonly { from: number; to: number; cost: number; cell: number }[]): { cost: number; cells: number[] } {
  const distance = Array.from({ length: vertices }, () => Infinity);
  const via: ({ previous: number; cell: number } | undefined)[] = Array.from({ length: vertices }, () => undefined);
  const done = new Set<number>();
  distance[from] = 0;
  for (;;) {
    let next = -1;
    for (let v = 0; v < vertices; v += 1) if (!done.has(v) && Number.isFinite(distance[v]) && (next < 0 || nth(distance, v) < nth(distance, next))) next = v;
    if (next < 0 || next === to) break;
    done.add(next);
    for (const arc of arcs) {
      if (arc.from !== next || nth(distance, next) + arc.cost >= nth(distance, arc.to)) continue;
      distance[arc.to] = nth(distance, next) + arc.cost;
      via[arc.to] = { previous: next, cell: arc.cell };
    }
  }
  if (!Number.isFinite(distance[to])) return { cost: Infinity, cells: [] };
  const cells: number[] = [];
  for (let v = to; v !== from;) {
    const step = via[v] as { previous: number; cell: number };
    cells.push(step.cell);
    v = step.previous;
  }
  return { cost: nth(distance, to), cells };
}

/**
 * Rule 3's complement for a pinned count: the preferred shown count linked to the withheld ones
 * whose suppression gives it a second value; failing that, the preferred shown member of a
 * relation through it, and the loop goes on; `undefined` when nothing linked is shown.
 */
function boundsComplementFor(
  pinned: number,
  counts: readonly LinkedCount[],
  relations: readonly LinearRelation[],
  withheld: readonly boolean[],
  stillPinned: (trial: readonly boolean[]) => boolean,
): number | undefined {
  const linked = new Set(relations.filter((r) => r.terms.some((t) => withheld[t.cell])).flatMap((r) => r.terms.map((t) => t.cell)));
  const shown = [...linked].filter((cell) => !withheld[cell]).sort((a, b) => a - b);
  for (const candidate of preferredOrder(shown, counts)) {
    const trial = withheld.map((flag, cell) => flag || cell === candidate);
    // The cheap certificates only: a candidate they do not clear is passed over for one they do.
    if (!stillPinned(trial)) return candidate;
  }
  const through = relations.find((r) => r.terms.some((t) => t.cell === pinned) && r.terms.some((t) => !withheld[t.cell]));
  if (through !== undefined)
    return preferred(
      through.terms.map((t) => t.cell).filter((cell) => !withheld[cell]),
      counts,
    );
  return shown.length > 0 ? preferred(shown, counts) : undefined;
}

function preferredOrder(candidates: readonly number[], counts: readonly LinkedCount[]): number[] {
  return [...candidates].sort((a, b) => compareComplements(nth(counts, a), nth(counts, b)) || a - b);
}

function assertRelation(relation: LinearRelation, counts: readonly LinkedCount[]): void {
  const seen = new Set<number>();
  let sum = 0;
  for (const { cell, coefficient } of relation.terms) {
    if (!Number.isInteger(cell) || cell < 0 || cell >= counts.length) throw new RangeError(`relation ${relation.name} names no count ${cell}`);
    if (seen.has(cell)) throw new RangeError(`relation ${relation.name} names count ${cell} twice`);
    if (!Number.isSafeInteger(coefficient) || coefficient === 0) throw new RangeError(`relation ${relation.name} has coefficient ${coefficient}`);
    seen.add(cell);
    sum += coefficient * nth(counts, cell).value;
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
  const totals = nth(grid, 0).map((_, c) => sumOf(grid.map((row) => nth(row, c))));
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
    ...range(R).map((row) =>
      along(
        'row',
        row,
        rows[row] ?? 'Total',
        range(C).map((column) => ({ row, column })),
      ),
    ),
    ...range(C).map((column) =>
      along(
        'column',
        column,
        columns[column] ?? 'Total',
        range(R).map((row) => ({ row, column })),
      ),
    ),
  ];
}

function shapeOf(table: SuppressedTable): Shape {
  return { rows: table.rows.length, columns: table.columns.length };
}

function withheldFlags(table: SuppressedTable): boolean[] {
  const grid = [...table.cells.map((row, r) => [...row, nth(table.rowTotals, r)]), [...table.columnTotals, table.grandTotal]];
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

/** `items[i]` for an index this module's own bookkeeping keeps in range (a count, relation, row or column it numbered). */
export function nth<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new RangeError(`suppression: no entry ${i} of ${items.length}`);
  return item;
}
