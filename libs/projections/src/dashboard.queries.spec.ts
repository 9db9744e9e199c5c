import fc from 'fast-check';
import { fromDayNumber, dayNumber } from '@ledger/domain';
import { firstDateJudged, monthsBetween } from './dashboard.queries';
import { monthEnds } from './outcomes.queries';

describe('dashboards: whole months between two dates', () => {
  it('counts a month once the same day of the month is reached', () => {
    expect(monthsBetween('2016-05-05', '2016-11-04')).toBe(5);
    expect(monthsBetween('2016-05-05', '2016-11-05')).toBe(6);
  });

  it('counts across financial and calendar years', () => {
    expect(monthsBetween('2016-03-31', '2017-03-31')).toBe(12);
    expect(monthsBetween('2015-12-15', '2016-01-14')).toBe(0);
  });

  it('is zero on the day itself', () => {
    expect(monthsBetween('2018-09-30', '2018-09-30')).toBe(0);
  });
});

describe('dashboards: the first date judged from a result interval', () => {
  it('is the first of the dates the families are judged at (month ends, then the as-of date) on or after the interval starts', () => {
    const day = fc.integer({ min: 0, max: 6_000 });
    fc.assert(
      fc.property(day, day, day, (a, b, c) => {
        const [attachedOn, from, asOf] = [a, b, c].sort((x, y) => x - y).map((n): string => fromDayNumber(dayNumber('2010-01-01') + n));
        if (attachedOn === undefined || from === undefined || asOf === undefined) throw new Error('three dates');
        const judged = [...monthEnds(attachedOn, asOf).filter((d) => d < asOf), asOf];
        expect(firstDateJudged(attachedOn, from, asOf)).toBe(judged.find((d) => d >= from));
      }),
      { numRuns: 2_000 },
    );
    // Across the 120 month ends listed, the as-of date.
    expect(firstDateJudged('2010-01-15', '2020-02-03', '2020-06-30')).toBe('2020-06-30');
    expect(firstDateJudged('2010-01-15', '2019-12-03', '2020-06-30')).toBe('2019-12-31');
  });
});
