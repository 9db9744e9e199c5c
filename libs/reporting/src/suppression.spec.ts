import fc from 'fast-check';
import { CountTable, PublishedCount, SuppressedTable, derivableSuppressed, revealsSuppressed, suppressTable } from './index';
import { LinearRelation, determinedCells, nth, suppressLinked } from './suppression';

describe('suppression: table-driven cases', () => {
  it('withholds a single small cell and one complement in its row and one in its column, then whatever those leave alone', () => {
    const cells = [
      [3, 10, 12],
      [20, 8, 9],
      [15, 30, 6],
    ];
    const table = suppressTable(counts(cells));
    // 3 is primary. Row 0 takes its smallest shown member, 10; column 0 its smallest, 15. Then
    // row 2 has 15 alone (takes 6), column 1 has 10 alone (takes 8), and row 1 and column 2 now
    // hold two each: a cycle of six withheld cells, no total withheld.
    expect(render(table)).toEqual([
      ['P', 'S', '12', '25'],
      ['20', 'S', 'S', '37'],
      ['S', '30', 'S', '51'],
      ['38', '48', '27', '113'],
    ]);
    expect(revealsSuppressed(table)).toEqual([]);
    expect(derivableSuppressed(table)).toEqual([]);
    expect(shownValuesMatch(table, cells)).toBe(true);
  });

  it('picks the complement by the rule: smallest non-zero, an interior cell before a total, the first on a tie', () => {
    // Row 0: 2 is primary; shown members 7, 7 (cells) and 16 (total): the first 7.
    // Column 0: 2 is primary; shown 9 and 11: 9.
    const table = suppressTable(
      counts([
        [2, 7, 7],
        [9, 20, 30],
        [11, 40, 50],
      ]),
    );
    expect(table.cells[0]?.[1]).toEqual({ suppressed: 'secondary' });
    expect(table.cells[0]?.[2]).toEqual({ suppressed: false, value: 7 });
    expect(table.cells[1]?.[0]).toEqual({ suppressed: 'secondary' });
    expect(revealsSuppressed(table)).toEqual([]);
  });

  it('prefers an interior count to a total of the same value, wherever the total stands in the relation', () => {
    // Linked tables can put a total before a cell in one relation: 2 + 5 (a total elsewhere) + 5 = 12.
    const linked = [
      { value: 2, total: false },
      { value: 5, total: true },
      { value: 5, total: false },
      { value: 12, total: true },
    ];
    const relation = { name: 'sum', terms: [0, 1, 2].map((cell) => ({ cell, coefficient: 1 })).concat({ cell: 3, coefficient: -1 }) };
    expect(suppressLinked(linked, [relation])).toEqual(['primary', false, 'secondary', false]);
  });

  it('never takes a zero as a complement while a non-zero member is shown', () => {
    // Row 0 [2, 0, 9 | 11]: 9, not 0. The column total 2 is primary too, alone in the totals
    // row [2, 0, 18 | 20]: 18, not 0. Column 2 then holds 9 and 18: settled.
    expect(
      render(
        suppressTable(
          counts([
            [2, 0, 9],
            [0, 0, 9],
          ]),
        ),
      ),
    ).toEqual([
      ['P', '0', 'S', '11'],
      ['0', '0', '9', '9'],
      ['P', '0', 'S', '20'],
    ]);
    // Row 0 [2, 0 | 2] and column 0 [2, 0 | 2] settle themselves; the totals row [2, 7 | 9] takes
    // 7, which leaves column 1 and then row 1 a 7 each.
    const small = suppressTable(
      counts([
        [2, 0],
        [0, 7],
      ]),
    );
    expect(render(small)).toEqual([
      ['P', '0', 'P'],
      ['0', 'S', 'S'],
      ['P', 'S', '9'],
    ]);
    expect(revealsSuppressed(small)).toEqual([]);
    // Every shown member left is a zero and the 2s protect each other: nothing more to do.
    const onlyZeros = suppressTable(
      counts([
        [2, 0],
        [0, 0],
        [0, 0],
      ]),
    );
    expect(render(onlyZeros)).toEqual([
      ['P', '0', 'P'],
      ['0', '0', '0'],
      ['0', '0', '0'],
      ['P', '0', 'P'],
    ]);
    // The fallback to a zero cannot fire on its own: if every shown member of a relation is 0, its
    // one withheld member equals 0 as well, and zeros are withheld only when all zeros are.
  });

  it('withholds a small total even when its cells are large enough, and protects it in the totals row', () => {
    // Row 0 [0, 4 | 4]: the 4 and its total are primary and pair up; column 1 then takes 6, row 1
    // takes 5, column 0 takes 9, row 2 takes 8, and the totals column takes 11 for the 4.
    const table = suppressTable(
      counts([
        [0, 4],
        [5, 6],
        [9, 8],
      ]),
    );
    expect(table.rowTotals[0]).toEqual({ suppressed: 'primary' });
    expect(table.cells[0]?.[1]).toEqual({ suppressed: 'primary' });
    expect(render(table)).toEqual([
      ['0', 'P', 'P'],
      ['S', 'S', 'S'],
      ['S', 'S', '17'],
      ['14', '18', '32'],
    ]);
    expect(revealsSuppressed(table)).toEqual([]);

    const smallMargins = suppressTable(
      {
        rows: ['a', 'b'],
        columns: ['x', 'y'],
        cells: [
          [5, 0],
          [0, 5],
        ],
      },
      { threshold: 6 },
    );
    // 5 is under threshold 6: both cells and the four totals of 5 are primary, two in every
    // relation. A grand total of 10 would still give them away with the bounds a reader knows
    // (DOMAIN.md 6: two column totals of at most 5 that add up to 10 are 5 each), so it is withheld.
    expect(render(smallMargins)).toEqual([
      ['P', '0', 'P'],
      ['0', 'P', 'P'],
      ['P', 'P', 'S'],
    ]);
    expect(revealsSuppressed(smallMargins)).toEqual([]);
  });

  it('publishes an all-zero table as it is, and withholds all of it when zeros are suppressed', () => {
    const zero = counts([
      [0, 0],
      [0, 0],
    ]);
    expect(render(suppressTable(zero))).toEqual([
      ['0', '0', '0'],
      ['0', '0', '0'],
      ['0', '0', '0'],
    ]);
    expect(render(suppressTable(zero, { suppressZeros: true })).flat()).toEqual(Array(9).fill('P'));
  });

  it('reads the threshold option: 1 to threshold − 1 is primary', () => {
    const cells = [
      [1, 2, 3, 10],
      [4, 5, 6, 10],
      [10, 10, 10, 10],
    ];
    const primaries = (threshold: number) =>
      suppressTable(counts(cells), { threshold })
        .cells.flat()
        .flatMap((c, at) => (c.suppressed === 'primary' ? [cells.flat()[at]] : []));
    expect(primaries(5)).toEqual([1, 2, 3, 4]);
    expect(primaries(3)).toEqual([1, 2]);
    expect(primaries(7)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(primaries(1)).toEqual([]);
    expect(render(suppressTable(counts(cells), { threshold: 1 })).flat()).not.toContain('S');
    expect(() => suppressTable(counts(cells), { threshold: 0 })).toThrow(RangeError);
    expect(() => suppressTable(counts(cells), { threshold: 2.5 })).toThrow(RangeError);
  });

  it('goes beyond "no relation with one withheld member": a cell joining two withheld rectangles is protected too', () => {
    // Withheld 1s in two 2×2 rectangles (rows 0–1 × columns 0–1, rows 2–3 × columns 2–3) plus the
    // 1 at row 0, column 2. Every row and column then has two or three withheld members, yet
    // row 0 − (column 0 + column 1 − row 1) gives cell (0, 2) = 23 − 20 − (2 + 2 − 2) = 1.
    const cells = [
      [1, 1, 1, 20],
      [1, 1, 20, 20],
      [20, 20, 1, 1],
      [20, 20, 1, 1],
    ];
    const primaryOnly = cells.map((row) => row.map((v) => v > 0 && v < 5));
    const relations = gridRelations(4, 4);
    const flags = [...primaryOnly.map((row) => [...row, false]), [false, false, false, false, false]].flat();
    expect(relations.filter((r) => r.terms.filter((t) => flags[t.cell]).length === 1)).toEqual([]);
    expect(determinedCells(relations, flags)).toEqual([2]);
    expect(bridges(4, 4, flags)).toEqual([2]);

    const table = suppressTable(counts(cells));
    expect(revealsSuppressed(table)).toEqual([]);
    expect(derivableSuppressed(table)).toEqual([]);
    // All shown 20s tie; the first in table order, row 0's, joins the two rectangles a second way.
    expect(table.cells[0]?.[3]).toEqual({ suppressed: 'secondary' });
    // Then the bounds (DOMAIN.md 6, `suppression-bounds.spec.ts`): a cycle of 1s cannot move, each
    // being at its least, so each rectangle takes 20s that can give and take: 5 complements in all.
    expect(render(table)).toEqual([
      ['P', 'P', 'P', 'S', '23'],
      ['P', 'P', 'S', '20', '42'],
      ['S', 'S', 'P', 'P', '42'],
      ['S', '20', 'P', 'P', '42'],
      ['42', '42', '23', '42', '149'],
    ]);
  });

  it('refuses tables that are not counts', () => {
    expect(() => suppressTable(counts([[1.5]]))).toThrow(RangeError);
    expect(() => suppressTable(counts([[-1]]))).toThrow(RangeError);
    expect(() => suppressTable({ rows: ['a'], columns: ['x', 'y'], cells: [[1]] })).toThrow(RangeError);
    expect(() => suppressTable({ rows: [], columns: ['x'], cells: [] })).toThrow(RangeError);
    expect(() =>
      suppressLinked(
        [
          { value: 3, total: false },
          { value: 4, total: true },
        ],
        [
          {
            name: 'wrong',
            terms: [
              { cell: 0, coefficient: 1 },
              { cell: 1, coefficient: -1 },
            ],
          },
        ],
      ),
    ).toThrow(/does not hold/);
  });
});

describe('suppression: properties over random tables', () => {
  const runs = { numRuns: 300 };
  const count = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 30 }));
  const table = fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
    .chain(([rows, columns]) => fc.array(fc.array(count, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }))
    .map(counts);
  const options = fc.record({ threshold: fc.integer({ min: 1, max: 8 }), suppressZeros: fc.boolean() });

  it('withholds every count and every total from 1 to 4, and only those as primary', () => {
    fc.assert(
      fc.property(table, (t) => {
        const published = suppressTable(t);
        const values = gridOf(t).flat();
        gridOfPublished(published)
          .flat()
          .forEach((cell, at) => {
            const small = nth(values, at) >= 1 && nth(values, at) <= 4;
            expect(cell.suppressed === 'primary').toBe(small);
          });
      }),
      runs,
    );
  });

  it('leaves no relation with exactly one withheld member, and no withheld value determined by the others', () => {
    fc.assert(
      fc.property(table, options, (t, o) => {
        const published = suppressTable(t, o);
        expect(revealsSuppressed(published)).toEqual([]);
        const flags = gridOfPublished(published)
          .flat()
          .map((c) => c.suppressed !== false);
        // An independent check: in a row-and-column table a withheld value is exactly derivable
        // when its cell is a bridge of the rows–columns graph of withheld cells.
        expect(bridges(t.rows.length, t.columns.length, flags)).toEqual([]);
        expect(derivableSuppressed(published)).toEqual([]);
      }),
      runs,
    );
  });

  it('shows every unsuppressed value, totals included, exactly as in the input, and honours threshold and zeros', () => {
    fc.assert(
      fc.property(table, options, (t, o) => {
        const published = suppressTable(t, o);
        expect(shownValuesMatch(published, t.cells)).toBe(true);
        const values = gridOf(t).flat();
        gridOfPublished(published)
          .flat()
          .forEach((cell, at) => {
            const v = nth(values, at);
            // Zeros are withheld when asked, or when the bounds leave no other way (the table says so).
            if (o.suppressZeros) expect(published.suppressZeros).toBe(true);
            expect(cell.suppressed === 'primary').toBe((v >= 1 && v < o.threshold) || (published.suppressZeros && v === 0));
          });
      }),
      runs,
    );
  });

  it('is deterministic: the same table gives the same result, however often and after other tables', () => {
    fc.assert(
      fc.property(table, table, (t, other) => {
        const first = suppressTable(t);
        suppressTable(other);
        expect(suppressTable(structuredClone(t))).toEqual(first);
      }),
      runs,
    );
  });

  it('agrees with the bridge test on which withheld cells are determined, for any pattern of withheld cells', () => {
    const pattern = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([rows, columns]) => fc.tuple(fc.constant(rows), fc.constant(columns), fc.array(fc.boolean(), { minLength: (rows + 1) * (columns + 1), maxLength: (rows + 1) * (columns + 1) })));
    fc.assert(
      fc.property(pattern, ([rows, columns, flags]) => {
        expect(determinedCells(gridRelations(rows, columns), flags)).toEqual(bridges(rows, columns, flags));
      }),
      { numRuns: 500 },
    );
  });
});

// helpers below the scenarios

function counts(cells: readonly (readonly number[])[]): CountTable {
  return { rows: cells.map((_, r) => `r${r}`), columns: nth(cells, 0).map((_, c) => `c${c}`), cells };
}

/** P = primary, S = secondary, else the number. Rows with their total, then the totals row. */
function render(table: SuppressedTable): string[][] {
  return gridOfPublished(table).map((row) => row.map((c) => (c.suppressed === false ? String(c.value) : c.suppressed === 'primary' ? 'P' : 'S')));
}

function gridOfPublished(table: SuppressedTable): PublishedCount[][] {
  return [...table.cells.map((row, r) => [...row, nth(table.rowTotals, r)]), [...table.columnTotals, table.grandTotal]];
}

function gridOf(table: CountTable): number[][] {
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const rows = table.cells.map((row) => [...row, sum(row)]);
  return [...rows, nth(rows, 0).map((_, c) => sum(rows.map((row) => nth(row, c))))];
}

function shownValuesMatch(table: SuppressedTable, cells: readonly (readonly number[])[]): boolean {
  const expected = gridOf(counts(cells)).flat();
  return gridOfPublished(table)
    .flat()
    .every((c, at) => c.suppressed !== false || c.value === expected[at]);
}

/** Row and column relations of a (rows + 1) × (columns + 1) grid, written out independently. */
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

/**
 * Withheld cells that are bridges in the bipartite graph (grid rows and columns as vertices,
 * withheld cells as edges): an edge on no cycle, so its value is fixed by the relations.
 */
function bridges(rows: number, columns: number, flags: boolean[]): number[] {
  const edges = flags.flatMap((flag, at) => (flag ? [{ at, row: Math.floor(at / (columns + 1)), column: rows + 1 + (at % (columns + 1)) }] : []));
  const connected = (from: number, to: number, without: number) => {
    const seen = new Set([from]);
    const queue = [from];
    while (queue.length > 0) {
      const v = queue.shift() as number;
      if (v === to) return true;
      for (const e of edges) {
        if (e.at === without) continue;
        const next = e.row === v ? e.column : e.column === v ? e.row : -1;
        if (next >= 0 && !seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return false;
  };
  return edges.filter((e) => !connected(e.row, e.column, e.at)).map((e) => e.at);
}
