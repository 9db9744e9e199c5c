import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvRecords } from './csv-reader';
import { parsePartnerDate } from './dates';
import { IMPORT_SOURCES, ImportFileRefused, type ParsedRow, type RefusedRow, columnsOf, headlineProblemShown, parseImportFile } from './formats';

const bytes = (text: string) => new TextEncoder().encode(text);
const accepted = (rows: (ParsedRow | RefusedRow)[]) => rows.filter((r): r is ParsedRow => r.ok);
const refused = (rows: (ParsedRow | RefusedRow)[]) => rows.filter((r): r is RefusedRow => !r.ok);

describe('partner files: reading CSV as partners write it', () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, keeping each record's first line", () => {
    const records = [...csvRecords('a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\r\n\r\nlast,row')];
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'z'] },
      { line: 6, fields: ['last', 'row'] },
    ]);
  });

  it('reads UK day-first and ISO dates, and refuses what is not in the calendar', () => {
    expect(parsePartnerDate('05/12/2016')).toBe('2016-12-05');
    expect(parsePartnerDate('5/1/2017')).toBe('2017-01-05');
    expect(parsePartnerDate('2016-12-05')).toBe('2016-12-05');
    expect(parsePartnerDate('29/02/2016')).toBe('2016-02-29');
    expect(parsePartnerDate('29/02/2017')).toBeNull();
    expect(parsePartnerDate('12/31/2016')).toBeNull();
    expect(parsePartnerDate('next tuesday')).toBeNull();
  });
});

describe('partner files: a layout per source', () => {
  it('accepts a file with a byte-order mark, CRLF line ends, headers in any case and extra columns', () => {
    const file =
      '\uFEFFGiven Name,FAMILY_NAME,Date-of-Birth,Postcode,UPN,Academic Year,Term,Possible Sessions,Attended Sessions,Unauthorised Absence Sessions,School Notes\r\n' +
      'ALEX,smith,05/12/2006,ab1 2cd,A123,2016/17,Autumn,140,120,10,ignored\r\n';
    const rows = parseImportFile('school-attendance', bytes(file));
    expect(refused(rows)).toEqual([]);
    expect(accepted(rows)[0]).toMatchObject({
      line: 2,
      person: { givenName: 'ALEX', familyName: 'smith', dateOfBirth: '2006-12-05', postcode: 'ab1 2cd', identifiers: { uniquePupilNumber: 'A123' } },
      command: { type: 'RecordSchoolAttendance', academicYear: '2016/17', term: 'autumn', possibleSessions: 140, attendedSessions: 120, unauthorisedAbsenceSessions: 10 },
      rowKey: '2016/17:autumn',
    });
  });

  it('refuses a file missing required columns before reading any row, naming them', () => {
    const file = 'given_name,family_name,reference,committed_on\nAlex,Smith,P1,01/01/2017\n';
    const refusal = (() => {
      try {
        parseImportFile('police-offences', bytes(file));
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(ImportFileRefused);
    expect((refusal as ImportFileRefused).columns).toEqual(['date_of_birth', 'proven']);
  });

  it('refuses each bad row with its line number and a reason, without quoting personal values', () => {
    const file = [
      'reference,given_name,family_name,date_of_birth,committed_on,proven',
      'P1,Alex,Smith,31/02/2001,01/01/2017,yes',
      'P2,Alex,Smith,01/02/2001,2017-13-01,yes',
      'P3,,Smith,01/02/2001,01/01/2017,yes',
      'P4,Alex,Smith,01/02/2001,01/01/2017,perhaps',
      'P5,Alex,Smith,01/02/2001,01/01/2017,N',
    ].join('\r\n');
    const rows = parseImportFile('police-offences', bytes(file));
    expect(refused(rows).map((r) => [r.line, r.reason, r.message])).toEqual([
      [2, 'InvalidDate', 'date_of_birth is not a calendar date (DD/MM/YYYY or YYYY-MM-DD)'],
      [3, 'InvalidDate', 'committed_on is not a calendar date (DD/MM/YYYY or YYYY-MM-DD)'],
      [4, 'MissingValue', 'given_name is required'],
      [5, 'InvalidValue', 'proven must be yes or no'],
    ]);
    expect(accepted(rows).map((r) => [r.line, r.command])).toEqual([[6, { type: 'RecordOffence', memberId: '', committedOn: '2017-01-01', proven: false }]]);
  });

  it('keys DWP rows by the spell and the change, and reads UC conditionality', () => {
    const file = [
      'reference,ni_number,given_name,family_name,date_of_birth,benefit,change,on,uc_regime',
      'S1,QQ123456C,Sam,Jones,01/02/1980,UC,started,01/04/2016,intensive-work-search',
      'S1,QQ123456C,Sam,Jones,01/02/1980,UC,regime,01/09/2016,light-touch',
      'S1,QQ123456C,Sam,Jones,01/02/1980,UC,ended,01/03/2017,',
    ].join('\n');
    const rows = accepted(parseImportFile('dwp-benefits', bytes(file)));
    expect(rows.map((r) => [r.rowKey, r.command])).toEqual([
      ['S1:started:', { type: 'RecordBenefitChange', memberId: '', benefit: 'UC', change: 'started', on: '2016-04-01', fullWorkSearch: true }],
      ['S1:regime:2016-09-01', { type: 'RecordUcConditionality', memberId: '', regime: 'light-touch', on: '2016-09-01' }],
      ['S1:ended:', { type: 'RecordBenefitChange', memberId: '', benefit: 'UC', change: 'ended', on: '2017-03-01' }],
    ]);
    expect(rows[0]?.person.identifiers).toEqual({ nationalInsuranceNumber: 'QQ123456C' });
  });

  it.each(IMPORT_SOURCES)('reads every row of the %s sample in docs/samples, and docs/imports.md lists its columns', (source) => {
    const root = join(__dirname, '..', '..', '..');
    const rows = parseImportFile(source, readFileSync(join(root, 'docs', 'samples', `${source}.csv`)));
    expect(refused(rows)).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
    const doc = readFileSync(join(root, 'docs', 'imports.md'), 'utf8');
    const section = doc.split(/^### /m).find((s) => s.startsWith(`\`${source}\``));
    expect(section).toBeDefined();
    for (const column of columnsOf(source)) expect(section).toContain(`\`${column.name}\``);
  });
});

describe('partner files: the headline problem a row shows on its own (candidate families)', () => {
  it('reads attendance below 90%, proven offences, out-of-work benefits, health concerns and statuses', () => {
    const shown = (command: Parameters<typeof headlineProblemShown>[0]) => headlineProblemShown(command);
    expect(shown({ type: 'RecordSchoolAttendance', memberId: '', academicYear: '2016/17', term: 'autumn', possibleSessions: 100, attendedSessions: 89, unauthorisedAbsenceSessions: 5 })).toBe(
      'education',
    );
    expect(shown({ type: 'RecordSchoolAttendance', memberId: '', academicYear: '2016/17', term: 'autumn', possibleSessions: 100, attendedSessions: 90, unauthorisedAbsenceSessions: 5 })).toBeNull();
    expect(shown({ type: 'RecordOffence', memberId: '', committedOn: '2017-01-01', proven: false })).toBeNull();
    expect(shown({ type: 'RecordOffence', memberId: '', committedOn: '2017-01-01', proven: true })).toBe('crime-asb');
    expect(shown({ type: 'RecordBenefitChange', memberId: '', benefit: 'UC', change: 'started', on: '2017-01-01', fullWorkSearch: false })).toBeNull();
    expect(shown({ type: 'RecordBenefitChange', memberId: '', benefit: 'ESA', change: 'started', on: '2017-01-01' })).toBe('worklessness');
    expect(shown({ type: 'RecordHealthChange', memberId: '', change: 'resolved', on: '2017-01-01', concernId: 'c' })).toBeNull();
    expect(shown({ type: 'RecordSocialCareStatus', memberId: '', status: 'child-protection', on: '2017-01-01' })).toBe('children-in-need');
  });
});
