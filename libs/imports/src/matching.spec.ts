import { jaroWinkler, type KnownPerson, PersonIndex, transposedDate } from './matching';

const person = (memberId: string, givenName: string, familyName: string, dateOfBirth: string, postcode?: string, identifiers: KnownPerson['identifiers'] = {}): KnownPerson => ({
  memberId,
  familyId: `family-of-${memberId}`,
  givenName,
  familyName,
  dateOfBirth,
  postcode,
  identifiers,
});

const index = new PersonIndex([
  person('alex', 'Alex', 'Smith', '2006-12-05', 'AB1 2CD', { uniquePupilNumber: 'A12345678901B' }),
  person('sam', 'Sam', 'Jones', '1980-02-01', 'AB1 2CD', { nationalInsuranceNumber: 'QQ123456C' }),
  person('jack', 'Jack', 'Brown', '2008-03-04', 'XY9 8ZW'),
  person('jake', 'Jake', 'Brown', '2008-03-04', 'XY9 8ZW'),
  person('chloe', 'Chloé', "O'Neill", '1990-07-15', 'LS1 1AA'),
]);
const row = (givenName: string, familyName: string, dateOfBirth: string, postcode?: string, identifiers = {}) => ({ givenName, familyName, dateOfBirth, postcode, identifiers });

describe('person matching', () => {
  it('matches exactly on an identifier, whatever its spacing and case', () =>
    expect(index.match(row('Alexander', 'Smyth', '2006-12-05', undefined, { uniquePupilNumber: 'a123 4567 8901b' }))).toMatchObject({
      kind: 'matched',
      method: 'identifier',
      confidence: 1,
      person: { memberId: 'alex' },
    }));

  it('matches deterministically on normalised name, date of birth and postcode', () =>
    expect(index.match(row('  chloe ', 'ONEILL', '1990-07-15', 'ls11aa'))).toMatchObject({ kind: 'matched', method: 'deterministic', person: { memberId: 'chloe' } }));

  it('matches a typo in a name probabilistically, with a confidence below 1', () => {
    const result = index.match(row('Alx', 'Smith', '2006-12-05', 'AB1 2CD'));
    expect(result).toMatchObject({ kind: 'matched', method: 'probabilistic', person: { memberId: 'alex' } });
    expect(result.kind === 'matched' && result.confidence).toBeLessThan(1);
  });

  it('matches a date of birth with day and month transposed', () =>
    expect(index.match(row('Alex', 'Smith', '2006-05-12', 'AB1 2CD'))).toMatchObject({ kind: 'matched', method: 'probabilistic', person: { memberId: 'alex' } }));

  it('sends a changed family name to review rather than matching it', () =>
    expect(index.match(row('Sam', 'Taylor', '1980-02-01', 'AB1 2CD'))).toMatchObject({ kind: 'review', candidate: { memberId: 'sam' }, why: 'below-threshold' }));

  it('sends a row that could be either of two twins to review', () => expect(index.match(row('Jak', 'Brown', '2008-03-04', 'XY9 8ZW'))).toMatchObject({ kind: 'review', why: 'ambiguous' }));

  it('matches nobody when nobody is close', () => expect(index.match(row('Zed', 'Quinn', '1970-01-01', 'ZZ1 1ZZ'))).toMatchObject({ kind: 'unmatched' }));

  it('takes the threshold as configured', () => {
    expect(index.match(row('Alx', 'Smith', '2006-12-05', 'AB1 2CD'), { threshold: 0.999, reviewFloor: 0.75 })).toMatchObject({ kind: 'review', why: 'below-threshold' });
  });

  it('scores names with Jaro–Winkler', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(transposedDate('2006-12-05')).toBe('2006-05-12');
    expect(transposedDate('2006-05-13')).toBeNull();
  });
});
