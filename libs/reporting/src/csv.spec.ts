import { csvField, csvRecords } from './csv';

describe('csv: one writer for every CSV the service sends', () => {
  it.each([
    ['=HYPERLINK("http://x","click")', `"'=HYPERLINK(""http://x"",""click"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('writes %j as text a spreadsheet will not run', (value, expected) => expect(csvField(value)).toBe(expected));

  it('leaves numbers, and text that is only a number, as they are', () => {
    expect(csvField(-800)).toBe('-800');
    expect(csvField('-800')).toBe('-800');
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField(0)).toBe('0');
  });

  it('quotes commas, quotes and line ends, and writes nothing for a missing value', () => {
    expect(csvRecords([['a,b', 'say "hi"', 'two\nlines', null, undefined, 'plain']])).toBe('"a,b","say ""hi""","two\nlines",,,plain\r\n');
  });
});
