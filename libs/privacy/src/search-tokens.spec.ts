import { deletionNeighbours, foldName, foldPostcode, nameTokens, phoneticKey, searchTokensOf, tokensOfNameToken } from './search-tokens';

/** Issue 20.1: the plaintext side of the blind index, before keying. */
const share = (a: string, b: string) => tokensOfNameToken(a).some((t) => tokensOfNameToken(b).includes(t));

describe('search tokens: a name as the blind index keys it', () => {
  it('folds case, accents, apostrophes and hyphens away', () => {
    expect(foldName("Zoë O'Brien-Smith")).toBe('zoe obrien smith');
    expect(nameTokens("Zoë O'Brien-Smith")).toEqual(['zoe', 'obrien', 'smith', 'zoeobriensmith']);
    expect(nameTokens('Ní Bhriain')).toEqual(['ni', 'bhriain', 'nibhriain']);
  });

  it('gives names that sound alike one phonetic key', () => {
    expect(phoneticKey('katherine')).toBe(phoneticKey('cathryn'));
    expect(phoneticKey('philips')).toBe(phoneticKey('filips'));
    expect(phoneticKey('smith')).not.toBe(phoneticKey('jones'));
  });

  it('lets two spellings one typo apart meet, and not two typos apart', () => {
    expect(share('quixley', 'quixly')).toBe(true); // a letter missing
    expect(share('quixley', 'quixleyy')).toBe(true); // a letter extra
    expect(share('quixley', 'qiuxley')).toBe(true); // two letters swapped
    expect(share('sampleton', 'sampletin')).toBe(true); // a letter wrong
    expect(deletionNeighbours('jo')).toEqual([]);
    expect(tokensOfNameToken('quixley').filter((t) => tokensOfNameToken('qxiulye').includes(t))).toEqual([]);
  });

  it('keys a date of birth as it is and a postcode without spaces or case', () => {
    expect(searchTokensOf('dateOfBirth', '2007-10-02')).toEqual(['b:2007-10-02']);
    expect(searchTokensOf('dateOfBirth', 'soon')).toEqual([]);
    expect(foldPostcode('zq7 4xw')).toBe('ZQ74XW');
    expect(searchTokensOf('postcode', ' ZQ7  4XW ')).toEqual(['c:ZQ74XW']);
  });
});
