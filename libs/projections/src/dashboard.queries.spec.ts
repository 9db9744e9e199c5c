import { monthsBetween } from './dashboard.queries';

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
