import fc from 'fast-check';
import { addDays, businessDate } from '../shared/business-date';
import { type AuditCandidate, auditRiskWeight, auditSampleSize, auditSeedOf, DEFAULT_AUDIT_SAMPLE, drawAuditSample } from './audit-sample';

describe('audit sample: reproducible from its seed', () => {
  it('draws the same sample from the same seed', () => expect(drawAuditSample(claimOf(200), tenPercent(20160731))).toEqual(drawAuditSample(claimOf(200), tenPercent(20160731))));

  it('draws the same sample whatever order the families are listed in', () =>
    expect(drawAuditSample([...claimOf(200)].reverse(), tenPercent(20160731))).toEqual(drawAuditSample(claimOf(200), tenPercent(20160731))));

  it('draws a different sample from a different seed', () => expect(drawAuditSample(claimOf(200), tenPercent(1))).not.toEqual(drawAuditSample(claimOf(200), tenPercent(2))));

  it('draws (almost always) a different sample from each of 50 seeds', () => {
    const samples = new Set(Array.from({ length: 50 }, (_, seed) => drawAuditSample(claimOf(200), tenPercent(seed)).join(',')));
    expect(samples.size).toBeGreaterThanOrEqual(49);
  });

  it('lists the sampled families in familyId order', () => {
    const sample = drawAuditSample(claimOf(200), tenPercent(7));
    expect(sample).toEqual([...sample].sort());
  });

  it('derives a seed from a text the same way every time, as a 32-bit unsigned integer', () => {
    expect(auditSeedOf('')).toBe(0x811c9dc5);
    expect(auditSeedOf('claim-2016-07')).toBe(auditSeedOf('claim-2016-07'));
    expect(auditSeedOf('claim-2016-07')).not.toBe(auditSeedOf('claim-2016-08'));
    expect(Number.isInteger(auditSeedOf('claim-2016-07')) && auditSeedOf('claim-2016-07') >= 0 && auditSeedOf('claim-2016-07') < 2 ** 32).toBe(true);
  });
});

describe('audit sample: its size (DOMAIN.md 5.2: 10%, at least 5 or all if fewer)', () => {
  it.each([
    [3, 3],
    [5, 5],
    [6, 5],
    [49, 5],
    [50, 5],
    [51, 6],
    [1000, 100],
  ])('samples %p families as %p', (families, size) => {
    expect(auditSampleSize(families, DEFAULT_AUDIT_SAMPLE.percent, DEFAULT_AUDIT_SAMPLE.minimum)).toBe(size);
    const claim = claimOf(families);
    const sample = drawAuditSample(claim, tenPercent(20160731));
    expect(sample).toHaveLength(size);
    expect(new Set(sample).size).toBe(size);
    expect(sample.every((id) => claim.some((f) => f.familyId === id))).toBe(true);
  });

  it('samples every family at 100%', () => expect(drawAuditSample(claimOf(12), { seed: 3, percent: 100, minimum: 5 })).toEqual(claimOf(12).map((f) => f.familyId)));

  it('samples nothing from an empty claim', () => expect(drawAuditSample([], tenPercent(3))).toEqual([]));

  it('always draws distinct families of the claim, in order, of the right size', () =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 100 }), fc.nat({ max: 20 }), (n, seed, percent, minimum) => {
        const claim = claimOf(n);
        const sample = drawAuditSample(claim, { seed, percent, minimum });
        expect(sample).toHaveLength(auditSampleSize(n, percent, minimum));
        expect(sample).toEqual([...new Set(sample)].sort());
        expect(sample.every((id) => claim.some((f) => f.familyId === id))).toBe(true);
      }),
    ));
});

describe('audit sample: weighted towards the riskier results', () => {
  it.each([
    ['claimed 2 years after attachment', 730, false, 1],
    ['claimed exactly a year after attachment', 365, false, 1],
    ['a short intervention of 364 days', 364, false, 2],
    ['a short intervention of 183 days', 183, false, 2],
    ['claimed 182 days after attachment', 182, false, 3],
    ['claimed 2 years after attachment with an override', 730, true, 2],
    ['claimed 90 days after attachment with an override', 90, true, 6],
  ])('weighs a result %s as %p', (_name, days, overridden, weight) =>
    expect(auditRiskWeight({ familyId: 'family-1', attachedOn: addDays(asOf, -Number(days)), asOf, overridden: Boolean(overridden) })).toBe(weight),
  );

  it('samples families claimed soon after attachment with an override far more often, over many seeds', () => {
    const risky = Array.from({ length: 4 }, (_, i) => ({ familyId: `risky-${i}`, attachedOn: addDays(asOf, -90), asOf, overridden: true }));
    const routine = Array.from({ length: 16 }, (_, i) => ({ familyId: `routine-${String(i).padStart(2, '0')}`, attachedOn: addDays(asOf, -730), asOf, overridden: false }));
    const times = new Map<string, number>();
    const draws = 2000;
    for (let seed = 0; seed < draws; seed++) {
      for (const id of drawAuditSample([...risky, ...routine], tenPercent(seed))) times.set(id, (times.get(id) ?? 0) + 1);
    }
    const rate = (families: AuditCandidate[]) => families.reduce((sum, f) => sum + (times.get(f.familyId) ?? 0), 0) / (families.length * draws);
    // 5 of 20 each time: uniform sampling would give every family 25%; weight 6 against 1 gives the
    // risky families roughly 75% and the routine ones roughly 12.5%.
    expect(rate(risky)).toBeGreaterThan(0.6);
    expect(rate(routine)).toBeLessThan(0.2);
    expect(rate(risky)).toBeGreaterThan(4 * rate(routine));
    // Every family can still be sampled.
    expect(routine.every((f) => (times.get(f.familyId) ?? 0) > 0)).toBe(true);
  });
});

describe('audit sample: refusing bad options', () => {
  it.each([
    ['a negative seed', { seed: -1, percent: 10, minimum: 5 }],
    ['a fractional seed', { seed: 1.5, percent: 10, minimum: 5 }],
    ['a seed beyond 32 bits', { seed: 2 ** 32, percent: 10, minimum: 5 }],
    ['a percentage of 0', { seed: 1, percent: 0, minimum: 5 }],
    ['a percentage over 100', { seed: 1, percent: 101, minimum: 5 }],
    ['a negative minimum', { seed: 1, percent: 10, minimum: -1 }],
  ])('throws on %s', (_name, options) => expect(() => drawAuditSample(claimOf(10), options)).toThrow(RangeError));

  it('throws on a family listed twice', () => expect(() => drawAuditSample([...claimOf(3), ...claimOf(1)], tenPercent(1))).toThrow(RangeError));
});

// Fixtures: a claim as of 31 July 2016 whose families were attached over the previous two years.

const asOf = businessDate('2016-07-31');

function claimOf(n: number): AuditCandidate[] {
  return Array.from({ length: n }, (_, i) => ({
    familyId: `family-${String(i + 1).padStart(4, '0')}`,
    attachedOn: addDays(asOf, -(60 + ((i * 37) % 700))),
    asOf,
    overridden: i % 9 === 0,
  }));
}

function tenPercent(seed: number) {
  return { seed, ...DEFAULT_AUDIT_SAMPLE };
}
