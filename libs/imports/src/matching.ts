import type { IdentifierKind, PersonInRow } from './formats';
import { atIndex } from '@ledger/domain';

/**
 * Person matching (issue 21.2): which family member a partner's row is about. In order:
 * 1. exact on an identifier (UPN, National Insurance number, NHS number), normalised;
 * 2. deterministic on normalised given name + family name + date of birth + postcode;
 * 3. probabilistic: Jaro–Winkler similarity of the names, the date of birth (exact, or day and
 *    month transposed), the postcode, into a confidence in [0, 1]. At or above the threshold (and
 *    clearly ahead of any other candidate) the row is matched; between the review floor and the
 *    threshold it goes to a person's review queue; below, it matches nobody.
 *
 * The index is built in memory from the members' opened records and is never written anywhere:
 * no identifier or name reaches a disk in clear.
 */
export interface KnownPerson {
  memberId: string;
  familyId: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode?: string;
  identifiers: Partial<Record<IdentifierKind, string>>;
}

export type MatchMethod = 'identifier' | 'deterministic' | 'probabilistic';

export type MatchResult =
  | { kind: 'matched'; person: KnownPerson; method: MatchMethod; confidence: number }
  | { kind: 'review'; candidate: KnownPerson; confidence: number; why: 'below-threshold' | 'ambiguous' }
  | { kind: 'unmatched'; confidence: number };

export interface MatchOptions {
  /** Confidence at or above which a probabilistic match is taken without review [config: LEDGER_IMPORT_MATCH_THRESHOLD]. */
  threshold: number;
  /** Confidence below which a row matches nobody (no review) [config]. */
  reviewFloor: number;
}

export const DEFAULT_MATCH_OPTIONS: MatchOptions = { threshold: 0.93, reviewFloor: 0.75 };

/** How far ahead of the next candidate the best must be to be taken without review. */
const MARGIN = 0.05;

export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

export function normalisePostcode(postcode: string | undefined): string {
  return (postcode ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function normaliseIdentifier(kind: IdentifierKind, value: string): string {
  const v = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return kind === 'nhsNumber' ? v.replace(/\D/g, '') : v;
}

/** Jaro–Winkler similarity (prefix scale 0.1, up to 4 characters), 1 for equal strings. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  if (a.length === 0 || b.length === 0) return 0;
  const range = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - range);
    const to = Math.min(b.length - 1, i + range);
    for (let j = from; j <= to; j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = true;
      bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** The date with day and month swapped (`2010-04-05` → `2010-05-04`), or null when that is no date or the same one. */
export function transposedDate(date: string): string | null {
  const [y, m, d] = date.split('-');
  if (m === d || Number(d) > 12) return null;
  return `${y}-${d}-${m}`;
}

interface Indexed {
  person: KnownPerson;
  given: string;
  family: string;
  postcode: string;
}

export class PersonIndex {
  private readonly byIdentifier = new Map<string, Indexed[]>();
  private readonly byExactKey = new Map<string, Indexed[]>();
  private readonly byDob = new Map<string, Indexed[]>();
  private readonly byFamilyAndYear = new Map<string, Indexed[]>();
  readonly size: number;

  constructor(people: Iterable<KnownPerson>) {
    let size = 0;
    for (const person of people) {
      size++;
      const entry: Indexed = { person, given: normaliseName(person.givenName), family: normaliseName(person.familyName), postcode: normalisePostcode(person.postcode) };
      for (const [kind, value] of Object.entries(person.identifiers) as [IdentifierKind, string | undefined][]) {
        if (value) push(this.byIdentifier, `${kind}:${normaliseIdentifier(kind, value)}`, entry);
      }
      if (entry.postcode) push(this.byExactKey, exactKey(entry.given, entry.family, person.dateOfBirth, entry.postcode), entry);
      push(this.byDob, person.dateOfBirth, entry);
      push(this.byFamilyAndYear, `${entry.family}:${person.dateOfBirth.slice(0, 4)}`, entry);
    }
    this.size = size;
  }

  match(row: PersonInRow, options: MatchOptions = DEFAULT_MATCH_OPTIONS): MatchResult {
    // 1. An identifier names one person: exact.
    for (const [kind, value] of Object.entries(row.identifiers) as [IdentifierKind, string | undefined][]) {
      if (!value) continue;
      const found = unique(this.byIdentifier.get(`${kind}:${normaliseIdentifier(kind, value)}`));
      if (found.length === 1) return { kind: 'matched', person: atIndex(found, 0, 'match').person, method: 'identifier', confidence: 1 };
      if (found.length > 1) return { kind: 'review', candidate: atIndex(found, 0, 'match').person, confidence: 1, why: 'ambiguous' };
    }
    const given = normaliseName(row.givenName);
    const family = normaliseName(row.familyName);
    const postcode = normalisePostcode(row.postcode);
    // 2. Name, date of birth and postcode, normalised, name one person: deterministic.
    if (postcode) {
      const found = unique(this.byExactKey.get(exactKey(given, family, row.dateOfBirth, postcode)));
      if (found.length === 1) return { kind: 'matched', person: atIndex(found, 0, 'match').person, method: 'deterministic', confidence: 1 };
    }
    // 3. Candidates sharing the date of birth (or its transposition), or the family name and year of birth.
    const candidates = new Set<Indexed>([
      ...(this.byDob.get(row.dateOfBirth) ?? []),
      ...(this.byDob.get(transposedDate(row.dateOfBirth) ?? '') ?? []),
      ...(this.byFamilyAndYear.get(`${family}:${row.dateOfBirth.slice(0, 4)}`) ?? []),
    ]);
    const scored = [...candidates].map((c) => ({ c, score: score(given, family, row.dateOfBirth, postcode, c) })).sort((a, b) => b.score - a.score);
    const best = scored[0];
    if (!best || best.score < options.reviewFloor) return { kind: 'unmatched', confidence: round(best?.score ?? 0) };
    const confidence = round(best.score);
    const second = scored[1];
    if (second && best.score - second.score < MARGIN) return { kind: 'review', candidate: best.c.person, confidence, why: 'ambiguous' };
    if (best.score >= options.threshold && dobAgrees(row.dateOfBirth, best.c.person.dateOfBirth)) {
      return { kind: 'matched', person: best.c.person, method: 'probabilistic', confidence };
    }
    return { kind: 'review', candidate: best.c.person, confidence, why: 'below-threshold' };
  }
}

function dobAgrees(a: string, b: string): boolean {
  return a === b || transposedDate(a) === b;
}

/** Weights: the names 55%, the date of birth 30%, the postcode 15%. */
function score(given: string, family: string, dob: string, postcode: string, c: Indexed): number {
  const g = jaroWinkler(given, c.given);
  const f = jaroWinkler(family, c.family);
  const d = dob === c.person.dateOfBirth ? 1 : transposedDate(dob) === c.person.dateOfBirth ? 0.8 : dob.slice(0, 4) === c.person.dateOfBirth.slice(0, 4) ? 0.2 : 0;
  const p = !postcode || !c.postcode ? 0.6 : postcode === c.postcode ? 1 : postcode.slice(0, -3) === c.postcode.slice(0, -3) ? 0.7 : 0.3;
  return 0.3 * g + 0.25 * f + 0.3 * d + 0.15 * p;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function exactKey(given: string, family: string, dob: string, postcode: string): string {
  return `${given}|${family}|${dob}|${postcode}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function unique(list: Indexed[] | undefined): Indexed[] {
  if (!list) return [];
  const seen = new Set<string>();
  return list.filter((e) => !seen.has(e.person.memberId) && (seen.add(e.person.memberId), true));
}
