import { addDays, addMonths, businessDate, dateParts, dayNumber, financialYearOf, fromDayNumber, isBusinessDate } from './business-date';
import { formatPounds, pence } from './money';

describe('business dates', () => {
  it.each([
    ['2016-02-29', true],
    ['2015-02-29', false],
    ['2016-13-01', false],
    ['2016-04-31', false],
    ['16-04-01', false],
    ['2016-04-01T00:00:00Z', false],
  ])('%s is a calendar date: %s', (value, expected) => {
    expect(isBusinessDate(value)).toBe(expected);
  });

  it('refuses dates before 1900 (issue 16.9): the one check every business date passes', () => {
    expect(isBusinessDate('1900-01-01')).toBe(true);
    for (const date of ['1899-12-31', '0001-01-01', '1066-10-14', '0000-01-01']) expect(isBusinessDate(date)).toBe(false);
    expect(() => businessDate('1899-12-31')).toThrow(RangeError);
  });

  it('counts days and months as the calendar does', () => {
    expect(addDays(businessDate('2016-12-31'), 1)).toBe('2017-01-01');
    expect(addMonths(businessDate('2016-08-31'), -6)).toBe('2016-02-29');
    expect(addMonths(businessDate('2017-03-31'), -6)).toBe('2016-09-30');
  });

  it('counts days without a Date object, agreeing with the calendar across centuries', () => {
    for (const date of ['1970-01-01', '2000-02-29', '2015-04-01', '2016-12-31', '2100-03-01', '1899-12-31']) {
      expect(dayNumber(date)).toBe(Math.round(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8))) / 86_400_000));
      expect(fromDayNumber(dayNumber(date))).toBe(date);
    }
  });

  it('places a date in its financial year (1 April to 31 March)', () => {
    expect(financialYearOf(businessDate('2016-03-31'))).toBe('2015/16');
    expect(financialYearOf(businessDate('2016-04-01'))).toBe('2016/17');
    expect(financialYearOf(businessDate('2019-12-31'))).toBe('2019/20');
  });
});

describe('money', () => {
  it('is whole pence', () => {
    expect(() => pence(80.5)).toThrow(RangeError);
    expect(formatPounds(pence(357_000_000))).toBe('£3,570,000.00');
    expect(formatPounds(pence(-80_000))).toBe('-£800.00');
  });
});

describe('dateParts', () => {
  const bySplitting = (date: string): [number, number, number] => {
    const [y, m, d] = date.split('-');
    return [Number(y), Number(m), Number(d)];
  };
  it('reads YYYY-MM-DD in place and anything else as split at "-", with the same numbers', () => {
    const samples = [
      '2019-03-31',
      '0001-01-01',
      '2016-02-29',
      '9999-12-31',
      '2019-3-31',
      '2019-03-3',
      '20a9-03-31',
      '2019-0x-31',
      '2019-03-3 ',
      ' 019-03-31',
      '2019/03/31',
      '',
      '2019',
      '2019-03',
      '+019-03-31',
      '2019-03-31T00',
    ];
    for (let day = -800_000; day < 800_000; day += 997) samples.push(fromDayNumber(day));
    for (const date of samples) expect([date, dateParts(date)]).toEqual([date, bySplitting(date)]);
  });
});
