// fast-csv is installed as a dependency of exceljs; a real parser reads the CSV back.
import { parseString } from 'fast-csv';
import fc from 'fast-check';
import { OutcomesFamily, OutcomesReportOptions, headlineProblems, outcomesReport, outcomesReportCsv } from './index';
import { LinearRelation, determinedCells, loneSuppressed, nth, suppressLinked } from './suppression';

const header = ['section', 'item', 'value', 'sustained_progress_only', 'continuous_employment_only', 'both_routes', 'no_result_yet', 'families'];
const options: OutcomesReportOptions = { asOf: '2017-03-31', councilName: 'Borough of Demoford, "Children\'s" Services', threshold: 5 };

describe('outcomes report: CSV', () => {
  it('is RFC 4180 with CRLF line ends, one header and the same number of fields on every record', async () => {
    const text = outcomesReportCsv(families, options);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const records = await readCsv(text);
    expect(records[0]).toEqual(header);
    expect(new Set(records.map((r) => r.length))).toEqual(new Set([header.length]));
    expect(text).toContain('about,Council,"Borough of Demoford, ""Children\'s"" Services",');
  });

  it('neutralises a council name that a spreadsheet would run as a formula (issue 16.5)', async () => {
    const formula = '=HYPERLINK("http://x","y")';
    const records = await readCsv(outcomesReportCsv(families, { ...options, councilName: formula }));
    expect(records.find((r) => r[0] === 'about' && r[1] === 'Council')?.[2]).toBe(`'${formula}`);
    expect(records.flat().some((field) => /^[=+@\t\r]/.test(field))).toBe(false);
  });

  it('opens with a block naming the council, the as-of date, the suppression rule and the marker', async () => {
    const about = (await sections(outcomesReportCsv(families, options))).about;
    expect(about.map((r) => r.item)).toEqual(['Report', 'Council', 'As of', 'Families counted', 'Suppression', 'Suppressed marker', 'Table by-problem-count', 'Table by-headline-problem']);
    const value = (item: string) => about.find((r) => r.item === item)?.value;
    expect(value('Council')).toBe(options.councilName);
    expect(value('As of')).toBe('2017-03-31');
    expect(value('Suppression')).toMatch(/^Counts from 1 to 4 are suppressed, and so are further counts .* Zeros are shown\. Suppressed counts are shown as \[c\]\.$/);
    expect(value('Suppressed marker')).toBe('[c]');
    expect(about.every((r) => header.slice(3).every((column) => r[column] === ''))).toBe(true);
  });

  it('shows every count that is not withheld as counted, withholds every count from 1 to 4, and prints one marker for both reasons', async () => {
    const csv = await sections(outcomesReportCsv(families, options));
    const truth = expectedCounts(families);
    const report = outcomesReport(families, options);
    expect(csv['by-problem-count'].map((r) => r.item)).toEqual([...[2, 3, 4, 5, 6].map((n) => `${n} headline problems`), 'All attached families']);
    expect(csv['by-headline-problem'].map((r) => r.item)).toEqual([...headlineProblems]);
    const printed = [...csv['by-problem-count'], ...csv['by-headline-problem']].map((r) => header.slice(3).map((column) => r[column]));
    const counted = [...truth.byCount, ...truth.byProblem];
    const reasons = [
      ...[...report.byProblemCount.cells.map((row, k) => [...row, nth(report.byProblemCount.families, k)]), [...report.byProblemCount.totals, report.byProblemCount.allFamilies]],
      ...report.byProblem.cells.map((row, p) => [...row, nth(report.byProblem.families, p)]),
    ];
    printed.forEach((row, r) =>
      row.forEach((text, c) => {
        const value = nth(nth(counted, r), c);
        if (value >= 1 && value <= 4) expect(text).toBe('[c]');
        if (text !== '[c]') expect(Number(text)).toBe(value);
        expect(text === '[c]').toBe(nth(nth(reasons, r), c).suppressed !== false);
      }),
    );
    const kinds = new Set(reasons.flat().map((c) => c.suppressed));
    expect(kinds).toEqual(new Set([false, 'primary', 'secondary'])); // the fixture exercises both reasons
    expect(outcomesReportCsv(families, options)).not.toMatch(/primary|secondary/);
  });

  it('prints totals that equal the sums of their published cells wherever none of them is withheld', async () => {
    const csv = await sections(outcomesReportCsv(families, options));
    const rows = [...csv['by-problem-count'], ...csv['by-headline-problem']];
    let checked = 0;
    for (const row of rows) {
      const values = header.slice(3).map((column) => row[column]);
      if (values.includes('[c]')) continue;
      expect(values.slice(0, 4).reduce((sum, v) => sum + Number(v), 0)).toBe(Number(values[4]));
      checked += 1;
    }
    const table1 = csv['by-problem-count'];
    for (const column of header.slice(3)) {
      const values = table1.map((r) => r[column]);
      if (values.includes('[c]')) continue;
      expect(values.slice(0, 5).reduce((sum, v) => sum + Number(v), 0)).toBe(Number(values[5]));
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5);
    // The grand total is the number of attached families.
    expect(table1[5]?.families).toBe(String(families.filter((f) => f.attached).length));
  });

  it('leaves no withheld count that the published counts determine, within a table or across the two', async () => {
    const csv = await sections(outcomesReportCsv(families, options));
    const flags = withheldFlags(csv);
    const relations = publishedRelations();
    expect(loneSuppressed(relations, flags)).toEqual([]);
    expect(determinedCells(relations, flags)).toEqual([]);
  });

  it('gives the same text for the same families in any order, and ignores families not attached', () => {
    const first = outcomesReportCsv(families, options);
    expect(outcomesReportCsv([...families].reverse(), options)).toBe(first);
    const notAttached: OutcomesFamily[] = [{ problemsAtEntry: ['health'], routes: ['sustained-progress'], attached: false }];
    expect(outcomesReportCsv([...notAttached, ...families], options)).toBe(first);
    // Repeated and non-headline problems count once and not at all.
    const noisy = families.map((f) => ({ ...f, problemsAtEntry: [...f.problemsAtEntry, ...f.problemsAtEntry, 'housing'] }));
    expect(outcomesReportCsv(noisy, options)).toBe(first);
  });

  it('states the threshold and zeros options in the rule and applies them', async () => {
    const rule = async (o: Partial<OutcomesReportOptions>) => (await sections(outcomesReportCsv(families, { ...options, ...o }))).about.find((r) => r.item === 'Suppression')?.value;
    expect(await rule({ threshold: 3 })).toMatch(/^Counts from 1 to 2 are suppressed/);
    expect(await rule({ threshold: 2 })).toMatch(/^Counts of 1 are suppressed/);
    expect(await rule({ threshold: 1 })).toBe('No counts are suppressed. Zeros are shown.');
    expect(await rule({ suppressZeros: true })).toMatch(/^Counts from 0 to 4 are suppressed.*\[c\]\.$/);
    const zeros = await sections(outcomesReportCsv(families, { ...options, suppressZeros: true }));
    const truth = expectedCounts(families);
    expect(truth.byCount.flat()).toContain(0);
    [...zeros['by-problem-count'], ...zeros['by-headline-problem']].forEach((row, r) =>
      header.slice(3).forEach((column, c) => {
        if (nth(nth([...truth.byCount, ...truth.byProblem], r), c) === 0) expect(row[column]).toBe('[c]');
      }),
    );
  });

  it('refuses an attached family with fewer than 2 headline problems, an unknown route and an as-of that is not a date', () => {
    const one: OutcomesFamily = { problemsAtEntry: ['health', 'housing'], routes: [], attached: true };
    expect(() => outcomesReportCsv([...families, one], options)).toThrow(/1 attached family has fewer than 2 headline problems/);
    const badRoute = { problemsAtEntry: ['health', 'education'], routes: ['payment'], attached: true } as unknown as OutcomesFamily;
    expect(() => outcomesReportCsv([badRoute], options)).toThrow(/unknown result route/);
    for (const asOf of ['31/03/2017', '2017-02-29', '2017-3-31', '']) expect(() => outcomesReportCsv(families, { ...options, asOf })).toThrow(RangeError);
    expect(() => outcomesReportCsv(families, { ...options, asOf: '2016-02-29' })).not.toThrow();
  });

  it('needs the link between the tables: suppressing each table on its own would give a count of 4 away', () => {
    // Suppress the fixture's counts with the within-table relations only (rows of both tables,
    // columns of table 1), as two separate tables would be. Every relation then has two withheld
    // members or none, but the across relations (table 2's column sums = table 1's rows weighted
    // by their number of problems) solve for three withheld counts, among them table 1's
    // 5 headline problems × sustained progress only: 4.
    const truth = expectedCounts(families);
    const values = [...truth.byCount, ...truth.byProblem].flat();
    const counts = values.map((value, at) => ({ value, total: at % 5 === 4 || (at >= 25 && at < 30) }));
    const all = publishedRelations();
    const within = all.filter((r) => !r.name.startsWith('across'));
    const separately = suppressLinked(counts, within).map((reason) => reason !== false);
    expect(loneSuppressed(all, separately)).toEqual([]);
    const exposed = determinedCells(all, separately);
    expect(exposed).toContain(3 * 5 + 0);
    expect(values[3 * 5 + 0]).toBe(4);
    // The report suppresses across both tables: nothing is exposed.
    expect(determinedCells(all, reportFlags(outcomesReport(families, options)))).toEqual([]);
  });
});

describe('outcomes report: properties over random families', () => {
  const family = fc.record({
    problemsAtEntry: fc.subarray([...headlineProblems], { minLength: 2 }),
    routes: fc.subarray(['sustained-progress', 'continuous-employment'] as const),
    attached: fc.boolean(),
  });

  it('shows true counts, withholds 1 to 4, keeps published totals true, and leaves nothing determined', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(family, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), async (some, threshold) => {
        const csv = await sections(outcomesReportCsv(some, { ...options, threshold }));
        const truth = expectedCounts(some);
        const counted = [...truth.byCount, ...truth.byProblem];
        [...csv['by-problem-count'], ...csv['by-headline-problem']].forEach((row, r) =>
          header.slice(3).forEach((column, c) => {
            const value = nth(nth(counted, r), c);
            if (value >= 1 && value < threshold) expect(row[column]).toBe('[c]');
            else if (row[column] !== '[c]') expect(Number(row[column])).toBe(value);
          }),
        );
        const flags = withheldFlags(csv);
        expect(determinedCells(publishedRelations(), flags)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

// fixtures below the scenarios

/**
 * 160 attached families and 20 not attached, from a fixed linear congruential sequence: problem
 * sets of 2 to 6 headline problems, results on either, both or neither route.
 */
const families: OutcomesFamily[] = (() => {
  let seed = 20170334;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  return Array.from({ length: 180 }, (_, i) => {
    const size = nth([2, 2, 2, 3, 3, 3, 4, 4, 5, 6], next(10));
    const chosen: string[] = [];
    while (chosen.length < size) {
      const problem = nth(headlineProblems, next(headlineProblems.length));
      if (!chosen.includes(problem)) chosen.push(problem);
    }
    const roll = next(20);
    const routes: OutcomesFamily['routes'] = roll < 7 ? ['sustained-progress'] : roll < 10 ? ['continuous-employment'] : roll < 11 ? ['continuous-employment', 'sustained-progress'] : [];
    return { problemsAtEntry: chosen, routes, attached: i % 9 !== 4 };
  });
})();

/** Counted here independently of the library: [result columns…, families]. */
function expectedCounts(all: readonly OutcomesFamily[]): { byCount: number[][]; byProblem: number[][] } {
  const column = (f: OutcomesFamily) => {
    const sp = f.routes.includes('sustained-progress');
    const ce = f.routes.includes('continuous-employment');
    return sp && ce ? 2 : sp ? 0 : ce ? 1 : 3;
  };
  const byCount = Array.from({ length: 6 }, () => [0, 0, 0, 0, 0]);
  const byProblem = headlineProblems.map(() => [0, 0, 0, 0, 0]);
  for (const f of all.filter((x) => x.attached)) {
    const problems = headlineProblems.filter((p) => f.problemsAtEntry.includes(p));
    for (const row of [nth(byCount, problems.length - 2), nth(byCount, 5), ...problems.map((p) => nth(byProblem, headlineProblems.indexOf(p)))]) {
      row[column(f)] = nth(row, column(f)) + 1;
      row[4] = nth(row, 4) + 1;
    }
  }
  return { byCount, byProblem };
}

type Record8 = Record<(typeof header)[number], string>;

async function readCsv(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false })
      .on('error', reject)
      .on('data', (row: string[]) => rows.push(row))
      .on('end', () => resolve(rows));
  });
}

async function sections(text: string): Promise<Record<'about' | 'by-problem-count' | 'by-headline-problem', Record8[]>> {
  const [, ...records] = await readCsv(text);
  const rows = records.map((r) => Object.fromEntries(header.map((c, i) => [c, r[i]])) as Record8);
  const section = (name: string) => rows.filter((r) => r.section === name);
  return { about: section('about'), 'by-problem-count': section('by-problem-count'), 'by-headline-problem': section('by-headline-problem') };
}

/**
 * The published counts as one list, written out here independently of the library: table 1's six
 * rows (five bands and All attached families) then table 2's six problems, five counts each (the
 * four results, then families). Count `i` of table 1 row `k` is `k × 5 + i`; of table 2 row `p`,
 * `30 + p × 5 + i`.
 */
function withheldFlags(csv: Awaited<ReturnType<typeof sections>>): boolean[] {
  return [...csv['by-problem-count'], ...csv['by-headline-problem']].flatMap((row) => header.slice(3).map((column) => row[column] === '[c]'));
}

function reportFlags(report: ReturnType<typeof outcomesReport>): boolean[] {
  const t1 = report.byProblemCount;
  const t2 = report.byProblem;
  const rows = [...t1.cells.map((row, k) => [...row, nth(t1.families, k)]), [...t1.totals, t1.allFamilies], ...t2.cells.map((row, p) => [...row, nth(t2.families, p)])];
  return rows.flat().map((c) => c.suppressed !== false);
}

/** Every linear relation among the published counts (see `withheldFlags` for the numbering). */
function publishedRelations(): LinearRelation[] {
  const t1 = (k: number, i: number) => k * 5 + i;
  const t2 = (p: number, i: number) => 30 + p * 5 + i;
  const sumIs = (name: string, parts: number[], total: number): LinearRelation => ({
    name,
    terms: [...parts.map((cell) => ({ cell, coefficient: 1 })), { cell: total, coefficient: -1 }],
  });
  const four = [0, 1, 2, 3];
  const five = [0, 1, 2, 3, 4];
  return [
    ...[0, 1, 2, 3, 4, 5].map((k) =>
      sumIs(
        `table 1 row ${k}`,
        four.map((i) => t1(k, i)),
        t1(k, 4),
      ),
    ),
    ...five.map((i) =>
      sumIs(
        `table 1 column ${i}`,
        five.map((k) => t1(k, i)),
        t1(5, i),
      ),
    ),
    ...[0, 1, 2, 3, 4, 5].map((p) =>
      sumIs(
        `table 2 row ${p}`,
        four.map((i) => t2(p, i)),
        t2(p, 4),
      ),
    ),
    ...five.map((i) => ({
      name: `across column ${i}`,
      terms: [...[0, 1, 2, 3, 4, 5].map((p) => ({ cell: t2(p, i), coefficient: 1 })), ...five.map((k) => ({ cell: t1(k, i), coefficient: -(k + 2) }))],
    })),
  ];
}
