import { schoolTerm, termContaining, termHasEnded, termLabel, termsEndedBetween } from './school-terms';

// DOMAIN.md 3: academic year YYYY/YY; autumn 1 Sep – 31 Dec, spring 1 Jan – 31 Mar, summer
// 1 Apr – 31 Aug; a term has ended at an as-of date after its last day.

describe('school terms: dates of the academic year', () => {
  it.each([
    ['2016/17', 'autumn', '2016-09-01', '2016-12-31'],
    ['2016/17', 'spring', '2017-01-01', '2017-03-31'],
    ['2016/17', 'summer', '2017-04-01', '2017-08-31'],
    ['1999/00', 'summer', '2000-04-01', '2000-08-31'],
  ] as const)('%s %s runs %s to %s', (academicYear, term, startsOn, endsOn) => {
    expect(schoolTerm(academicYear, term)).toEqual({ academicYear, term, startsOn, endsOn });
  });

  it.each([
    ['2016-08-31', 'summer 2015/16'],
    ['2016-09-01', 'autumn 2016/17'],
    ['2016-12-31', 'autumn 2016/17'],
    ['2017-01-01', 'spring 2016/17'],
    ['2017-03-31', 'spring 2016/17'],
    ['2017-04-01', 'summer 2016/17'],
    ['1999-12-31', 'autumn 1999/00'],
  ])('%s falls in %s', (date, label) => {
    expect(termLabel(termContaining(date))).toBe(label);
  });
});

describe('school terms: which terms have ended', () => {
  it.each([
    ['on its last day', '2017-03-31', false],
    ['the day after its last day', '2017-04-01', true],
  ])('spring 2016/17 %s: ended %s', (_case, asOf, ended) => {
    expect(termHasEnded(schoolTerm('2016/17', 'spring'), asOf)).toBe(ended);
  });

  it.each([
    ['attached within summer 2015/16, as of 1 April 2017', '2016-05-03', '2017-04-01', ['summer 2015/16', 'autumn 2016/17', 'spring 2016/17']],
    ['attached within summer 2015/16, as of 31 March 2017', '2016-05-03', '2017-03-31', ['summer 2015/16', 'autumn 2016/17']],
    ['attached on the last day of summer 2015/16 (that term is not "since attachment")', '2016-08-31', '2017-04-01', ['autumn 2016/17', 'spring 2016/17']],
    ['attached on the first day of autumn 2016/17', '2016-09-01', '2017-04-01', ['autumn 2016/17', 'spring 2016/17']],
    ['as of the attachment date', '2016-05-03', '2016-05-03', []],
    ['as of a date before attachment', '2016-05-03', '2016-01-01', []],
  ])('%s', (_case, attachedOn, asOf, labels) => {
    expect(termsEndedBetween(attachedOn, asOf).map(termLabel)).toEqual(labels);
  });
});
