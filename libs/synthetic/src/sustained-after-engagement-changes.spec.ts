import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultOutcomePlan, evaluateProgress, foldFamily, troubledFamilies2015 } from '@ledger/domain';
import { recordedHistories } from './recorded-histories';
import { generateBorough } from './synthetic-borough';

/**
 * Issue 17, "done when": docs/outcome-plans.md lists the demo families whose answers item 1
 * ("sustained after engagement") changed, and why. The list is re-read from the document and
 * checked against the rules as they are: each listed family, attached on the listed date, is not
 * claimable at the listed as-of date, and each problem the document names is unmet then. (The
 * rules before item 1 are gone; the document records what they answered.)
 */
describe('the demo families docs/outcome-plans.md lists as changed by "sustained after engagement"', () => {
  const doc = readFileSync(join(process.cwd(), 'docs', 'outcome-plans.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| (SYN-\d{6}) \| (\d{4}-\d{2}-\d{2}) \| (\d{4}-\d{2}-\d{2}) \| ([a-z-, ]+) \|$/gm)].map(([, reference, asOf, attachedOn, unmet]) => ({
    reference: reference as string,
    asOf: asOf as string,
    attachedOn: attachedOn as string,
    unmet: (unmet as string).split(',').map((p) => p.trim()),
  }));
  // The demo borough: LEDGER_DEMO_SEED 2015, LEDGER_DEMO_FAMILIES 300 (the defaults).
  const borough = generateBorough({ families: 300, seed: 2015 });
  const histories = recordedHistories(borough, borough.families);

  it('lists the 33 answers the document counts', () => {
    expect(doc).toContain('33 of the 2,100 answers changed');
    expect(rows).toHaveLength(33);
  });

  it('each listed family is attached on the listed date and not claimable at the listed as-of date, with the named problems unmet', () => {
    for (const row of rows) {
      const index = borough.families.findIndex((f) => f.reference === row.reference);
      expect(index).toBeGreaterThanOrEqual(0);
      const progress = evaluateProgress(foldFamily(histories[index] ?? []), defaultOutcomePlan, troubledFamilies2015, row.asOf);
      expect({ reference: row.reference, attachedOn: progress.attachedOn, claimable: progress.claimable }).toEqual({ reference: row.reference, attachedOn: row.attachedOn, claimable: false });
      const unmet = progress.problems.filter((p) => !p.met).map((p) => p.problem);
      for (const problem of row.unmet) expect({ reference: row.reference, asOf: row.asOf, unmet }).toEqual({ reference: row.reference, asOf: row.asOf, unmet: expect.arrayContaining([problem]) });
    }
  });
});
