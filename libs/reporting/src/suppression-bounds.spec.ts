import fc from 'fast-check';
import { CountTable, PublishedCount, SuppressedTable, outcomesReport, suppressTable } from './index';
import { LinearRelation, nth } from './suppression';

/**
 * DOMAIN.md 6 (Revised): no hidden count may be pinned to one value by the published totals and
 * the bounds a reader knows besides them: a withheld count is at least 1 where zeros are shown,
 * and at most threshold − 1 where it is a small count. The attacker below is written
 * independently of `suppression.ts`: interval propagation over the relations plus branching, an
 * exact integer search for a second value of each withheld count.
 */
describe('suppression: bounds a reader knows do not pin a withheld count', () => {
  it('does not publish a column 5, [c], [c], 0, 0 with total 7 (both withheld counts would be 1)', () => {
    const input = counts([
      [5, 6],
      [1, 0],
      [1, 0],
      [0, 0],
      [0, 0],
    ]);
    const table = suppressTable(input);
    const column0 = gridOfPublished(table).map((row) => nth(row, 0));
    const shown = column0.map((c) => (c.suppressed === false ? String(c.value) : '[c]'));
    expect(shown).not.toEqual(['5', '[c]', '[c]', '0', '0', '7']);
    expect(pinnedCells(table, input)).toEqual([]);
  });

  it('does not pin a withheld pair by its upper bound: two small counts in a row of total 8 (threshold 5)', () => {
    // Without bounds this row is safe (two withheld members); with "at most 4" both must be 4.
    const input = counts([
      [4, 4, 20],
      [10, 12, 30],
    ]);
    expect(pinnedCells(suppressTable(input), input)).toEqual([]);
  });

  it('in the outcomes report, no column of table 1 pins its withheld counts by the bounds', () => {
    // The 60-family demo's case: sustained progress only by number of problems 5, 1, 1, 0, 0.
    const problems = (n: number) => ['crime-asb', 'education', 'children-in-need', 'worklessness', 'domestic-abuse', 'health'].slice(0, n);
    const family = (n: number, routes: ('sustained-progress' | 'continuous-employment')[]) => ({ problemsAtEntry: problems(n), routes, attached: true });
    const families = [
      ...Array.from({ length: 5 }, () => family(2, ['sustained-progress'])),
      family(3, ['sustained-progress']),
      family(4, ['sustained-progress']),
      ...Array.from({ length: 20 }, (_, i) => family(2 + (i % 3), [])),
      ...Array.from({ length: 20 }, (_, i) => family(2 + (i % 2), ['continuous-employment'])),
      ...Array.from({ length: 13 }, (_, i) => family(2 + (i % 3), ['sustained-progress', 'continuous-employment'])),
    ];
    const report = outcomesReport(families, { asOf: '2026-03-31', councilName: 'Demo', threshold: 5 });
    const t1 = report.byProblemCount;
    // Table 1 alone, rows (results + families) and columns (number of problems + all): a reader
    // can use these relations whatever else is published.
    const grid: PublishedCount[][] = [...t1.cells.map((row, k) => [...row, nth(t1.families, k)]), [...t1.totals, t1.allFamilies]];
    const truth = table1Truth(families);
    expect(pinnedInGrid(grid, truth, 5, false)).toEqual([]);
  });

  describe('properties over random tables', () => {
    const count = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 40 }));
    const table = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
      .chain(([rows, columns]) => fc.array(fc.array(count, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }))
      .map(counts);
    // From threshold 3: at threshold 2 with zeros shown a withheld small count can only be 1, so
    // the rule itself gives it (and sums of such counts) away, whatever else is withheld.
    const options = fc.record({ threshold: fc.integer({ min: 3, max: 7 }), suppressZeros: fc.boolean() });

    it('tries to pin every withheld count by the totals and integer bounds, and fails to', () => {
      fc.assert(
        fc.property(table, options, (t, o) => {
          const published = suppressTable(t, o);
          // With every count withheld there is nothing left to withhold; the rule applies to
          // tables that publish something.
          if (
            gridOfPublished(published)
              .flat()
              .every((c) => c.suppressed !== false)
          )
            return;
          expect(pinnedCells(published, t)).toEqual([]);
        }),
        { numRuns: 400 },
      );
    });
  });
});

// helpers below the scenarios

function counts(cells: readonly (readonly number[])[]): CountTable {
  return { rows: cells.map((_, r) => `r${r}`), columns: nth(cells, 0).map((_, c) => `c${c}`), cells };
}

function gridOfPublished(table: SuppressedTable): PublishedCount[][] {
  return [...table.cells.map((row, r) => [...row, nth(table.rowTotals, r)]), [...table.columnTotals, table.grandTotal]];
}

function gridOf(cells: readonly (readonly number[])[]): number[][] {
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const rows = cells.map((row) => [...row, sum(row)]);
  return [...rows, nth(rows, 0).map((_, c) => sum(rows.map((row) => nth(row, c))))];
}

function table1Truth(families: { problemsAtEntry: readonly string[]; routes: readonly string[] }[]): number[][] {
  const rows = [2, 3, 4, 5, 6].map(() => [0, 0, 0, 0]);
  for (const f of families) {
    const s = f.routes.includes('sustained-progress');
    const c = f.routes.includes('continuous-employment');
    const row = nth(rows, f.problemsAtEntry.length - 2);
    const column = s && c ? 2 : s ? 0 : c ? 1 : 3;
    row[column] = nth(row, column) + 1;
  }
  return gridOf(rows);
}

/** Withheld counts of a published table that the reader can pin to one value (grid order). */
function pinnedCells(table: SuppressedTable, input: CountTable): number[] {
  return pinnedInGrid(gridOfPublished(table), gridOf(input.cells), table.threshold, table.suppressZeros);
}

/** The (rows + 1) × (columns + 1) grid's relations: each row and each column sums to its total. */
function gridRelations(rows: number, columns: number): LinearRelation[] {
  const at = (r: number, c: number) => r * (columns + 1) + c;
  const relations: LinearRelation[] = [];
  for (let r = 0; r <= rows; r += 1) {
    relations.push({ name: `row ${r}`, terms: Array.from({ length: columns + 1 }, (_, c) => ({ cell: at(r, c), coefficient: c === columns ? -1 : 1 })) });
  }
  for (let c = 0; c <= columns; c += 1) {
    relations.push({ name: `column ${c}`, terms: Array.from({ length: rows + 1 }, (_, r) => ({ cell: at(r, c), coefficient: r === rows ? -1 : 1 })) });
  }
  return relations;
}

function pinnedInGrid(grid: PublishedCount[][], truth: number[][], threshold: number, suppressZeros: boolean): number[] {
  const relations = gridRelations(grid.length - 1, nth(grid, 0).length - 1);
  const published = grid.flat();
  const values = truth.flat();
  const cap = Math.max(...values);
  // What the reader may know of each withheld count, as tightly as is true (a stronger reader
  // than a real one: protecting against it protects against them).
  const bounds = published.map((c, at): [number, number] => {
    if (c.suppressed === false) return [c.value, c.value];
    const v = nth(values, at);
    const lo = suppressZeros ? 0 : Math.min(1, v);
    const hi = v <= threshold - 1 ? threshold - 1 : cap;
    return [lo, hi];
  });
  return published.flatMap((c, at) => {
    if (c.suppressed === false) return [];
    const v = nth(values, at);
    const [lo, hi] = nth(bounds, at);
    // Threshold 2 with zeros shown: the rule itself says a withheld small count is 1. That is the
    // threshold's doing, not the totals'; the check is for what totals and bounds add.
    if (lo === hi) return [];
    const below =
      lo <= v - 1 &&
      solvable(
        relations,
        bounds.map((b, i) => (i === at ? [lo, v - 1] : b)),
      );
    const above =
      v + 1 <= hi &&
      solvable(
        relations,
        bounds.map((b, i) => (i === at ? [v + 1, hi] : b)),
      );
    return below || above ? [] : [at];
  });
}

/** Is there an integer point in the boxes that satisfies every relation? Propagate, then branch. */
function solvable(relations: LinearRelation[], boxes: [number, number][]): boolean {
  const b = boxes.map(([lo, hi]) => [lo, hi] as [number, number]);
  for (let changed = true; changed;) {
    changed = false;
    for (const { terms } of relations) {
      for (const k of terms) {
        let restMin = 0;
        let restMax = 0;
        for (const j of terms) {
          if (j === k) continue;
          const [lo, hi] = nth(b, j.cell);
          restMin += Math.min(j.coefficient * lo, j.coefficient * hi);
          restMax += Math.max(j.coefficient * lo, j.coefficient * hi);
        }
        // k.coefficient × x = −rest
        const [a, z] = k.coefficient > 0 ? [-restMax / k.coefficient, -restMin / k.coefficient] : [-restMin / k.coefficient, -restMax / k.coefficient];
        const own = nth(b, k.cell);
        const lo = Math.max(own[0], Math.ceil(a - 1e-9));
        const hi = Math.min(own[1], Math.floor(z + 1e-9));
        if (lo > hi) return false;
        if (lo !== own[0] || hi !== own[1]) {
          b[k.cell] = [lo, hi];
          changed = true;
        }
      }
    }
  }
  const open = b
    .map(([lo, hi], at) => ({ at, width: hi - lo }))
    .filter((x) => x.width > 0)
    .sort((x, y) => x.width - y.width)[0];
  if (open === undefined) return true;
  const [lo, hi] = nth(b, open.at);
  const mid = Math.floor((lo + hi) / 2);
  return (
    solvable(
      relations,
      b.map((box, i) => (i === open.at ? [lo, mid] : box)),
    ) ||
    solvable(
      relations,
      b.map((box, i) => (i === open.at ? [mid + 1, hi] : box)),
    )
  );
}
