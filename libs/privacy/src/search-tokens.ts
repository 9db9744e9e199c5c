/**
 * The plaintext side of the blind index (issue 20.1): what a person's searchable values become
 * before they are keyed (HMAC) and stored. Pure functions, no keys: the same value always gives the
 * same tokens, so a query's tokens meet the stored ones.
 *
 * A name is cut into tokens (case, accents, hyphens and apostrophes folded away: "Zoë O'Brien-Smith"
 * → `zoe`, `obrien`, `smith`, `obriensmith`); each token gives
 * - `n:` the token itself (an exact match),
 * - `p:` a phonetic key (Soundex on a spelling folded to its sounds: "Katherine" and "Cathryn" agree),
 * - `d:` its deletion neighbourhood (the token and every spelling with one letter left out): two
 *   spellings one typo apart (a letter wrong, missing, extra, or two swapped) share one of these.
 * A date of birth gives `b:YYYY-MM-DD`, a postcode `c:` its letters and digits upper-cased.
 */

export type SearchField = 'name' | 'dateOfBirth' | 'postcode';

/** Shortest token whose one-typo neighbours are indexed (shorter ones would match too much). */
const MIN_TYPO_LENGTH = 4;

/** Lower-case letters only, accents removed ("Zoë" → "zoe", "Ní Bhriain" → "ni bhriain"). */
export function foldName(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** The name's tokens; a hyphenated or spaced name also gives its parts joined. */
export function nameTokens(value: string): string[] {
  const parts = foldName(value)
    .split(' ')
    .filter((p) => p.length > 0);
  const tokens = new Set(parts);
  if (parts.length > 1) tokens.add(parts.join(''));
  return [...tokens];
}

/** A spelling folded towards its sounds before Soundex (ph → f, ck → k, soft c → s, …). */
function soundsLike(token: string): string {
  return token
    .replace(/^kn/, 'n')
    .replace(/^wr/, 'r')
    .replace(/^ps/, 's')
    .replace(/ph/g, 'f')
    .replace(/ck/g, 'k')
    .replace(/c(?=[eiy])/g, 's')
    .replace(/c/g, 'k')
    .replace(/q/g, 'k')
    .replace(/x/g, 'ks')
    .replace(/dg/g, 'j')
    .replace(/gh/g, 'g')
    .replace(/th/g, 't');
}

const SOUNDEX: Record<string, string> = {
  b: '1',
  f: '1',
  p: '1',
  v: '1',
  c: '2',
  g: '2',
  j: '2',
  k: '2',
  q: '2',
  s: '2',
  x: '2',
  z: '2',
  d: '3',
  t: '3',
  l: '4',
  m: '5',
  n: '5',
  r: '6',
};

/** Soundex of the folded spelling: its first letter (vowels as `a`) and three digits. */
export function phoneticKey(token: string): string {
  const word = soundsLike(token);
  if (word.length === 0) return '';
  const first = 'aeiouy'.includes(word.charAt(0)) ? 'a' : word.charAt(0);
  let key = first;
  let last = SOUNDEX[word.charAt(0)] ?? '';
  for (const ch of word.slice(1)) {
    const code = SOUNDEX[ch] ?? '';
    if (code !== '' && code !== last) key += code;
    // h and w do not separate two letters of the same code; vowels do.
    if (ch !== 'h' && ch !== 'w') last = code;
    if (key.length === 4) break;
  }
  return key.padEnd(4, '0');
}

/** The token and every spelling of it with one letter left out (tokens of 4 letters or more). */
export function deletionNeighbours(token: string): string[] {
  if (token.length < MIN_TYPO_LENGTH) return [];
  const out = new Set<string>([token]);
  for (let i = 0; i < token.length; i++) out.add(token.slice(0, i) + token.slice(i + 1));
  return [...out];
}

/** Every plaintext token of one name token, as stored and as queried (the same). */
export function tokensOfNameToken(token: string): string[] {
  const out = [`n:${token}`];
  const phonetic = phoneticKey(token);
  if (phonetic !== '') out.push(`p:${phonetic}`);
  for (const d of deletionNeighbours(token)) out.push(`d:${d}`);
  return out;
}

/** A postcode as letters and digits upper-cased ("zz1 2ab" → "ZZ12AB"), or '' when it has none. */
export function foldPostcode(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The plaintext tokens of one searchable value. */
export function searchTokensOf(field: SearchField, value: string): string[] {
  if (field === 'name') return nameTokens(value).flatMap(tokensOfNameToken);
  if (field === 'dateOfBirth') return /^\d{4}-\d{2}-\d{2}$/.test(value) ? [`b:${value}`] : [];
  const postcode = foldPostcode(value);
  return postcode === '' ? [] : [`c:${postcode}`];
}
