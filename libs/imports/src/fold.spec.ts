import { type FamilyState, evolveFamily, foldFamily, initialFamilyState } from '@ledger/domain';
import { generateBorough, recordedHistories } from '@ledger/synthetic';

/**
 * A family has one fold (`applyFamilyEvent`, in place): the import folds its own states with it
 * row by row (issue 21.5), `foldFamily` folds whole histories with it, and `evolveFamily` applies
 * it to a copy. What `evolveFamily` adds is that the state it is given never changes (the command
 * handler's remembered states and the deciders' specs hold on to theirs): checked after every
 * event of whole synthetic histories (corrections, overrides, closures and members added included).
 */
describe('folding a family', () => {
  const borough = generateBorough({ families: 60, seed: 7 });
  const histories = recordedHistories(borough, borough.families);

  const plain = (s: FamilyState) => ({ ...s, members: [...s.members], recorded: [...s.recorded] });

  it('evolves without changing the state it was given, to the state the whole fold gives', () => {
    expect(histories.length).toBe(60);
    for (const history of histories) {
      let state = initialFamilyState();
      for (const { event, eventId } of history) {
        const before = structuredClone(state);
        const next = evolveFamily(state, event, eventId);
        expect(state).toEqual(before);
        state = next;
      }
      expect(plain(foldFamily(history))).toEqual(plain(state));
    }
  });
});
