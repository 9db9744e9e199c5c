import {
  type FamilyEvent,
  decideFamily,
  decideProgramme,
  evolveFamily,
  evolveProgramme,
  initialFamilyState,
  initialProgrammeState,
  streams,
  troubledFamilies2015,
} from '@ledger/domain';
import { type BulkAppendItem, eventIdsFor, type NewEvent } from '@ledger/event-store';
import { generateBorough, generateFamilies } from '@ledger/synthetic';

/**
 * Synthetic families turned into the events the real deciders would record, ready for a bulk
 * append: fast fixtures for read-model and crash tests that need 100,000 events.
 */
export function* syntheticEventBatches(options: { families: number; seed: number; councilId?: string; familiesPerBatch?: number }): Generator<BulkAppendItem[]> {
  const councilId = options.councilId ?? 'council';
  const borough = generateBorough({ families: 0, seed: options.seed });
  let programme = initialProgrammeState();
  const programmeEvents: NewEvent[] = [];
  const configure = decideProgramme({ ...borough.programme, allocation: Math.max(options.families * 2, 10) }, programme);
  if (!configure.ok) throw new Error(configure.rejection.reason);
  for (const e of configure.events) programme = evolveProgramme(programme, e);
  programmeEvents.push(...toNew(configure.events, `programme-${options.seed}`, '2015-04-01'));
  yield [{ streamId: streams.programme(councilId), events: programmeEvents, expectedVersion: 'any' }];

  let batch: BulkAppendItem[] = [];
  for (const family of generateFamilies({ families: options.families, seed: options.seed })) {
    let state = initialFamilyState();
    const events: NewEvent[] = [];
    for (const [i, step] of family.commands.entries()) {
      const decision = decideFamily(step.command, state, { recordedOn: step.recordedOn, actorId: 'fixture', programme, programmeStartsOn: troubledFamilies2015.programmeStartsOn });
      if (!decision.ok) throw new Error(`${family.reference} command ${i}: ${decision.rejection.reason}`);
      const recorded = toNew(decision.events, `${family.familyId}:${i}`, step.recordedOn);
      decision.events.forEach((event, n) => {
        state = evolveFamily(state, event, recorded[n].metadata.eventId);
      });
      if (step.command.type === 'AttachFamily') {
        const place = decideProgramme({ type: 'TakeAllocationPlace', familyId: family.familyId, attachedOn: step.command.attachedOn }, programme);
        if (place.ok) for (const e of place.events) programme = evolveProgramme(programme, e);
      }
      events.push(...recorded);
    }
    batch.push({ streamId: streams.family(family.familyId), events, expectedVersion: 'no_stream' });
    if (batch.length >= (options.familiesPerBatch ?? 100)) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function toNew(events: readonly { type: string; data: unknown }[], commandKey: string, recordedOn: string): NewEvent[] {
  const commandId = eventIdsFor(commandKey, 1)[0];
  const ids = eventIdsFor(commandId, events.length);
  return events.map((e, i) => ({
    type: e.type,
    data: e.data as NewEvent['data'],
    metadata: { eventId: ids[i], commandId, correlationId: commandId, causationId: commandId, actor: { userId: 'fixture', role: 'system' }, recordedAt: `${recordedOn}T12:00:00.000Z`, schemaVersion: 1 },
  }));
}

export type { FamilyEvent };
