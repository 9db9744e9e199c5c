import { type KnownPerson, type MatchOptions, PersonIndex } from './matching';
import type { PersonInRow } from './formats';

/** A record with its known truth: the person it is about, or null for someone not on record. */
export interface LabelledRecord {
  truth: string | null;
  person: PersonInRow;
}

/** How well the matcher did on records of known truth (issue 21.7). */
export interface MatchQuality {
  records: number;
  /** Matched without review, to the right person / to the wrong one (a stranger matched counts as wrong). */
  matchedRight: number;
  matchedWrong: number;
  review: number;
  unmatched: number;
  /** Of the records matched without review, the share matched to the right person. */
  precision: number;
  /** Of the records about someone on record, the share matched to them without review. */
  recall: number;
  /** Of the records about someone on record, the share matched or sent to review with them as the candidate. */
  recallWithReview: number;
  byMethod: Record<string, number>;
}

export function measureMatching(people: readonly KnownPerson[], records: readonly LabelledRecord[], options: MatchOptions): MatchQuality {
  const index = new PersonIndex(people);
  const q: MatchQuality = { records: records.length, matchedRight: 0, matchedWrong: 0, review: 0, unmatched: 0, precision: 1, recall: 0, recallWithReview: 0, byMethod: {} };
  let onRecord = 0;
  let reviewRight = 0;
  for (const record of records) {
    if (record.truth !== null) onRecord++;
    const result = index.match(record.person, options);
    if (result.kind === 'matched') {
      q.byMethod[result.method] = (q.byMethod[result.method] ?? 0) + 1;
      if (result.person.memberId === record.truth) q.matchedRight++;
      else q.matchedWrong++;
    } else if (result.kind === 'review') {
      q.review++;
      if (result.candidate.memberId === record.truth) reviewRight++;
    } else q.unmatched++;
  }
  const matched = q.matchedRight + q.matchedWrong;
  q.precision = matched === 0 ? 1 : q.matchedRight / matched;
  q.recall = onRecord === 0 ? 1 : q.matchedRight / onRecord;
  q.recallWithReview = onRecord === 0 ? 1 : (q.matchedRight + reviewRight) / onRecord;
  return q;
}
