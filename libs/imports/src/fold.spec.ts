import { type FamilyState, applyFamilyEvent, evolveFamily, foldFamily, initialFamilyState } from '@ledger/domain';
import { generateBorough, recordedHistories } from '@ledger/synthetic';

/**
 * The import decides a file's rows on a state it folds in place (`applyFamilyEvent`, issue 21.5):
 * the same state as `evolveFamily`, which copies at every step, event by event, over whole
 * synthetic histories (corrections, overrides, closures and members added included).
 */
describe('folding a family in place', () => {
  const borough = generateBorough({ families: 60, seed: 7 });
  const histories = recordedHistories(borough, borough.families);

  const plain = (s: FamilyState) => ({ ...s, members: [...s.members], recorded: [...s.recorded] });

  it('gives the state evolveFamily gives, after every event', () => {
    expect(histories.length).toBe(60);
    for (const history of histories) {
      let copied = initialFamilyState();
      const inPlace = initialFamilyState();
      for (const { event, eventId } of history) {
        copied = evolveFamily(copied, event, eventId);
        applyFamilyEvent(inPlace, event, eventId);
        expect(plain(inPlace)).toEqual(plain(copied));
      }
      expect(plain(foldFamily(history))).toEqual(plain(copied));
    }
  });
});
