import { type FamilyEvent, evolveFamily, foldFamily, initialFamilyState, atIndex } from '@ledger/domain';
import { syntheticEventBatches } from '../support/synthetic-events';

/**
 * `foldFamily` (linear, used wherever whole histories are folded: results, claim drafts) must give
 * exactly the state `evolveFamily` gives event by event, for every history the generator makes,
 * corrections and overrides included, and must leave the events it was given untouched.
 */
describe('folding a whole family history', () => {
  it('equals evolveFamily applied event by event, for 300 synthetic families', () => {
    let families = 0;
    const types = new Set<string>();
    for (const batch of syntheticEventBatches({ families: 300, seed: 41 })) {
      for (const item of batch) {
        if (!item.streamId.startsWith('family-')) continue;
        families += 1;
        const history = item.events.map((e) => ({ event: { type: e.type, data: e.data } as unknown as FamilyEvent, eventId: e.metadata.eventId }));
        // The generator records no corrections: every third family gets one of its fourth event
        // (and, when there is one, of an already superseded id, which must change nothing).
        if (families % 3 === 0 && history.length > 4) {
          const target = atIndex(history, 3, 'event');
          for (const [n, supersededEventId] of [target.eventId, target.eventId, 'no-such-event'].entries()) {
            history.push({
              event: { type: 'FactCorrected', data: { familyId: item.streamId.slice(7), supersededEventId, supersededType: target.event.type } } as unknown as FamilyEvent,
              eventId: `correction-${n}-${item.streamId}`,
            });
          }
        }
        for (const h of history) types.add(h.event.type);
        const before = JSON.stringify(history);
        let expected = initialFamilyState();
        for (const h of history) expected = evolveFamily(expected, h.event, h.eventId);
        expect(foldFamily(history)).toEqual(expected);
        expect(JSON.stringify(history)).toBe(before);
      }
    }
    expect(families).toBe(300);
    expect([...types]).toEqual(expect.arrayContaining(['FamilyIdentified', 'FamilyMemberAdded', 'FamilyAttached', 'OutcomeOverrideRecorded', 'FactCorrected', 'FamilyCaseClosed', 'OffenceRecorded']));
  });
});
