import { Random } from './random';
import { atIndex, dateParts } from '@ledger/domain';

/**
 * A synthetic population with known truth, and partner records about it with realistic noise
 * (issue 21.7): typos in names, day and month of birth swapped, changed family names, missing
 * identifiers and postcodes, people who moved, and records about people who are not on record at
 * all (some of them namesakes living nearby). Households share a family name and a postcode;
 * siblings are born close together and some are twins, the hard cases for a matcher.
 * Plainly made-up names (syllables), fictional identifiers, seeded: same seed, same population.
 */
export interface PopulationPerson {
  personId: string;
  householdId: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode: string;
  identifiers: { uniquePupilNumber?: string; nationalInsuranceNumber?: string; nhsNumber?: string };
}

export interface NoisyRecord {
  /** The person the record is really about; null for someone not in the population. */
  truth: string | null;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode?: string;
  identifiers: PopulationPerson['identifiers'];
  /** Which kinds of noise were applied (for reading the results). */
  noise: string[];
}

export interface NoiseRates {
  /** Share of records that keep the person's identifier (partners often have none, or a different one). */
  identifierKept: number;
  givenNameTypo: number;
  familyNameTypo: number;
  dayMonthSwapped: number;
  familyNameChanged: number;
  postcodeMissing: number;
  moved: number;
  /** Share of records about someone not in the population. */
  stranger: number;
}

export const DEFAULT_NOISE: NoiseRates = {
  identifierKept: 0.4,
  givenNameTypo: 0.12,
  familyNameTypo: 0.08,
  dayMonthSwapped: 0.04,
  familyNameChanged: 0.04,
  postcodeMissing: 0.15,
  moved: 0.08,
  stranger: 0.1,
};

const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 'sh', 't', 'th', 'v', 'w', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'y'];
const CODAS = ['', 'n', 'r', 'l', 'th', 's', 'x', 'm', 'ck', 'nd'];

function syllable(rng: Random): string {
  return rng.pick(ONSETS) + rng.pick(VOWELS) + rng.pick(CODAS);
}

function madeUpName(rng: Random, syllables: number): string {
  let name = '';
  for (let i = 0; i < syllables; i++) name += syllable(rng);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function date(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function postcode(rng: Random): string {
  const letters = 'ABDEFGHJLNPQRSTUWXYZ';
  return `${rng.pick(['BN', 'LS', 'M', 'B', 'NE', 'SE', 'CF', 'EX'])}${rng.int(1, 29)} ${rng.int(1, 9)}${letters[rng.int(0, letters.length - 1)]}${letters[rng.int(0, letters.length - 1)]}`;
}

function typo(rng: Random, name: string): string {
  if (name.length < 3) return name + 'e';
  const i = rng.int(1, name.length - 2);
  const kind = rng.int(0, 3);
  if (kind === 0) return name.slice(0, i) + name.slice(i + 1); // a letter dropped
  if (kind === 1) return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2); // two letters swapped
  if (kind === 2) return name.slice(0, i) + name[i] + name.slice(i); // a letter doubled
  return name.slice(0, i) + 'aeiou'[rng.int(0, 4)] + name.slice(i + 1); // a vowel misheard
}

function oddCase(rng: Random, name: string): string {
  const pick = rng.int(0, 3);
  return pick === 0 ? name.toUpperCase() : pick === 1 ? name.toLowerCase() : pick === 2 ? ` ${name} ` : name;
}

/** Names as common as real ones are: a few very common, a long tail (picked with a squared bias to the front). */
interface NamePools {
  given: string[];
  family: string[];
}

function pools(rng: Random): NamePools {
  const make = (n: number, min: number, max: number) => {
    const seen = new Set<string>();
    while (seen.size < n) seen.add(madeUpName(rng, rng.int(min, max)));
    return [...seen];
  };
  return { given: make(250, 1, 2), family: make(1_500, 1, 3) };
}

function common(rng: Random, names: readonly string[]): string {
  const r = rng.next();
  return atIndex(names, Math.floor(r * r * names.length), 'name');
}

function person(rng: Random, names: NamePools, householdId: string, index: number, familyName: string, dateOfBirth: string, home: string, child: boolean): PopulationPerson {
  return {
    personId: `p${index}`,
    householdId,
    givenName: common(rng, names.given),
    familyName,
    dateOfBirth,
    postcode: home,
    identifiers: child ? { uniquePupilNumber: `U${rng.digits(12)}`, nhsNumber: rng.digits(10) } : { nationalInsuranceNumber: `QQ${rng.digits(6)}C`, nhsNumber: rng.digits(10) },
  };
}

/** `people` people in households of 2–6, and `records` noisy records about them (and strangers). */
export function noisyPopulation(options: { people: number; records: number; seed: number; noise?: NoiseRates }): { people: PopulationPerson[]; records: NoisyRecord[] } {
  const rng = new Random(options.seed);
  const noise = options.noise ?? DEFAULT_NOISE;
  const names = pools(rng);
  const people: PopulationPerson[] = [];
  for (let h = 0; people.length < options.people; h++) {
    const familyName = common(rng, names.family);
    const home = postcode(rng);
    const parentYear = rng.int(1965, 1995);
    const size = rng.int(2, 6);
    for (let i = 0; i < size && people.length < options.people; i++) {
      const child = i >= 2 || (i === 1 && rng.chance(0.4));
      const year = child ? parentYear + rng.int(18, 35) : parentYear + rng.int(-3, 3);
      const previous = people[people.length - 1];
      // About one child in thirty is a twin of the child before: same birthday, same home.
      const twin = child && i >= 2 && rng.chance(0.035) && previous?.householdId === `h${h}`;
      const dob = twin ? previous.dateOfBirth : date(Math.min(year, 2016), rng.int(1, 12), rng.int(1, 28));
      people.push(person(rng, names, `h${h}`, people.length, familyName, dob, home, child));
    }
  }
  const records: NoisyRecord[] = [];
  for (let r = 0; r < options.records; r++) {
    if (rng.chance(noise.stranger)) {
      // Someone not on record: half of them a relative of someone who is (same family name and home,
      // born within two years of them: a sibling or cousin the council does not work with).
      const near = rng.pick(people);
      const namesake = rng.chance(0.5);
      const [ny, nm, nd] = dateParts(near.dateOfBirth);
      const born = namesake ? date(ny + rng.int(-2, 2), rng.chance(0.3) ? nm : rng.int(1, 12), rng.chance(0.3) ? nd : rng.int(1, 28)) : date(rng.int(1965, 2016), rng.int(1, 12), rng.int(1, 28));
      const stranger = person(rng, names, 'none', -1, namesake ? near.familyName : common(rng, names.family), born, namesake ? near.postcode : postcode(rng), rng.chance(0.5));
      records.push({
        truth: null,
        givenName: stranger.givenName,
        familyName: stranger.familyName,
        dateOfBirth: stranger.dateOfBirth,
        postcode: stranger.postcode,
        identifiers: {},
        noise: [namesake ? 'stranger-namesake' : 'stranger'],
      });
      continue;
    }
    const p = rng.pick(people);
    const applied: string[] = [];
    let givenName = p.givenName;
    let familyName = p.familyName;
    let dateOfBirth = p.dateOfBirth;
    let home: string | undefined = p.postcode;
    const identifiers: PopulationPerson['identifiers'] = {};
    if (rng.chance(noise.identifierKept)) {
      const kinds = Object.keys(p.identifiers) as (keyof PopulationPerson['identifiers'])[];
      const kind = rng.pick(kinds);
      identifiers[kind] = p.identifiers[kind];
      applied.push('identifier');
    }
    if (rng.chance(noise.givenNameTypo)) ((givenName = typo(rng, givenName)), applied.push('given-name-typo'));
    if (rng.chance(noise.familyNameChanged)) ((familyName = common(rng, names.family)), applied.push('family-name-changed'));
    else if (rng.chance(noise.familyNameTypo)) ((familyName = typo(rng, familyName)), applied.push('family-name-typo'));
    const [y, m, d] = dateOfBirth.split('-');
    if (Number(d) <= 12 && d !== m && rng.chance(noise.dayMonthSwapped)) ((dateOfBirth = `${y}-${d}-${m}`), applied.push('day-month-swapped'));
    if (rng.chance(noise.postcodeMissing)) ((home = undefined), applied.push('postcode-missing'));
    else if (rng.chance(noise.moved)) ((home = postcode(rng)), applied.push('moved'));
    records.push({ truth: p.personId, givenName: oddCase(rng, givenName), familyName: oddCase(rng, familyName), dateOfBirth, ...(home ? { postcode: home } : {}), identifiers, noise: applied });
  }
  return { people, records };
}
