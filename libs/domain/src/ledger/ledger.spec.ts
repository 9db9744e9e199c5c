import fc from 'fast-check';
import { addDays, businessDate } from '../shared/business-date';
import { troubledFamilies2015 } from '../programme/troubled-families-2015.framework';
import { ACCOUNTS, balancesAsOf, type LedgerFact, postingsFor } from './ledger';

const settings = { framework: troubledFamilies2015, attachmentFeeBasis: 'actual' as const };

describe('the payment-by-results ledger', () => {
  it('books an attachment fee at the rate of the financial year of attachment', () => {
    const [posting] = postingsFor({ type: 'FamilyAttached', eventId: 'e1', familyId: 'f1', attachedOn: '2016-05-03', financialYear: '2016/17' }, settings);
    expect(posting).toMatchObject({
      financialYear: '2016/17',
      lines: [
        { account: ACCOUNTS.attachmentFeesReceivable, amountPence: 100_000 },
        { account: ACCOUNTS.attachmentFeeIncome, amountPence: -100_000 },
      ],
    });
  });

  it('books no per-family fee on the profile basis', () => {
    expect(postingsFor({ type: 'FamilyAttached', eventId: 'e1', familyId: 'f1', attachedOn: '2016-05-03', financialYear: '2016/17' }, { ...settings, attachmentFeeBasis: 'profile' })).toEqual([]);
  });

  it('books fees on the annual profile on the profile basis, and nothing for a profile on the actual basis', () => {
    const profile = { type: 'AttachmentProfileSet' as const, eventId: 'p1', financialYear: '2017/18', families: 120, setOn: '2017-04-01' };
    expect(postingsFor(profile, { ...settings, attachmentFeeBasis: 'profile' })[0]?.lines).toEqual([
      { account: ACCOUNTS.attachmentFeesReceivable, amountPence: 12_000_000 },
      { account: ACCOUNTS.attachmentFeeIncome, amountPence: -12_000_000 },
    ]);
    expect(postingsFor(profile, settings)).toEqual([]);
  });

  it('books a claim on its own submission date: submitted on 2016-09-28 and recorded in 2026, it is in 2016/17', () => {
    const postings = postingsFor({ type: 'ClaimSubmitted', eventId: 's', claimId: 'c', submittedOn: '2016-09-28', families: [{ familyId: 'a', amountPence: 80_000 }] }, settings);
    expect(postings.map((p) => [p.on, p.financialYear])).toEqual([['2016-09-28', '2016/17']]);
    expect(balancesAsOf(postings, '2017-03-31').find((b) => b.account === ACCOUNTS.resultsIncome)?.balancePence).toBe(-80_000);
  });

  it('clears a claim in full on payment and reconciles the difference to its own account', () => {
    const postings = [
      ...postingsFor(
        {
          type: 'ClaimSubmitted',
          eventId: 's',
          claimId: 'c',
          submittedOn: '2017-07-31',
          families: [
            { familyId: 'a', amountPence: 80_000 },
            { familyId: 'b', amountPence: 80_000 },
          ],
        },
        settings,
      ),
      ...postingsFor({ type: 'ClaimPaymentReceived', eventId: 'p', claimId: 'c', receivedOn: '2017-09-15', amountPence: 159_000, expectedPence: 160_000 }, settings),
    ];
    const balances = Object.fromEntries(balancesAsOf(postings, '2017-12-31').map((b) => [b.account, b.balancePence]));
    expect(balances).toMatchObject({ [ACCOUNTS.resultsReceivable]: 0, [ACCOUNTS.cash]: 159_000, [ACCOUNTS.resultsIncome]: -160_000, [ACCOUNTS.paymentDifferences]: 1_000 });
  });

  it('reverses a recovered family’s payment', () => {
    const postings = postingsFor({ type: 'FamilyResultRecovered', eventId: 'r', claimId: 'c', familyId: 'a', on: '2018-02-01', amountPence: 80_000 }, settings);
    expect(postings[0]?.lines).toEqual([
      { account: ACCOUNTS.resultsIncome, amountPence: 80_000 },
      { account: ACCOUNTS.recoveriesPayable, amountPence: -80_000 },
    ]);
  });

  it('keeps every posting balanced and all balances summing to zero, for any history and any date', () => {
    const date = fc.integer({ min: 0, max: 1_800 }).map((d) => addDays(businessDate('2015-04-01'), d) as string);
    const pence = fc.integer({ min: 0, max: 2_000_000 });
    const fact: fc.Arbitrary<LedgerFact> = fc.oneof(
      fc.record({
        type: fc.constant('FamilyAttached' as const),
        eventId: fc.uuid(),
        familyId: fc.uuid(),
        attachedOn: date,
        financialYear: fc.constantFrom('2015/16', '2016/17', '2019/20', '2024/25'),
      }),
      fc.record({ type: fc.constant('AttachmentFeeReceived' as const), eventId: fc.uuid(), receivedOn: date, amountPence: pence, financialYear: fc.constant('2016/17') }),
      fc.record({
        type: fc.constant('ClaimSubmitted' as const),
        eventId: fc.uuid(),
        claimId: fc.uuid(),
        submittedOn: date,
        families: fc.array(fc.record({ familyId: fc.uuid(), amountPence: pence }), { maxLength: 20 }),
      }),
      fc.record({ type: fc.constant('ClaimPaymentReceived' as const), eventId: fc.uuid(), claimId: fc.uuid(), receivedOn: date, amountPence: pence, expectedPence: pence }),
      fc.record({ type: fc.constant('FamilyResultRecovered' as const), eventId: fc.uuid(), claimId: fc.uuid(), familyId: fc.uuid(), on: date, amountPence: pence }),
    );
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 60 }), date, (facts, asOf) => {
        const postings = facts.flatMap((f) => postingsFor(f, settings));
        for (const p of postings) expect(p.lines.reduce((s, l) => s + l.amountPence, 0)).toBe(0);
        const balances = balancesAsOf(postings, asOf);
        expect(balances.reduce((s, b) => s + b.balancePence, 0)).toBe(0);
        // Results income equals what was claimed less what was recovered, to the penny.
        const claimed = facts
          .filter((f) => f.type === 'ClaimSubmitted' && f.submittedOn <= asOf)
          .flatMap((f) => (f.type === 'ClaimSubmitted' ? f.families : []))
          .reduce((s, f) => s + f.amountPence, 0);
        const recovered = facts.filter((f) => f.type === 'FamilyResultRecovered' && f.on <= asOf).reduce((s, f) => s + (f.type === 'FamilyResultRecovered' ? f.amountPence : 0), 0);
        expect(0 - (balances.find((b) => b.account === ACCOUNTS.resultsIncome)?.balancePence ?? 0)).toBe(claimed - recovered);
      }),
      { numRuns: 300 },
    );
  });
});
