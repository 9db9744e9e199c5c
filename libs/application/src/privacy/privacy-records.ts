import { type EventStore, type JsonObject, type RecordedEvent } from '@ledger/event-store';
import { type Recording, derivedId } from '../recording';

/**
 * The data-protection officer's own records (legal holds, subject access requests, ONS transfers):
 * streams of their own, holding ids, codes, dates and counts only, never a person's values, so no
 * erasure needs to reach them.
 */
export async function appendPrivacyRecord(store: EventStore, streamId: string, type: string, data: JsonObject, recording: Recording): Promise<{ idempotent: boolean }> {
  const { envelope } = recording;
  const eventId = derivedId(envelope.commandId, `${type}\n${streamId}`);
  const result = await store.append(
    streamId,
    [
      {
        type,
        data,
        metadata: {
          eventId,
          commandId: envelope.commandId,
          correlationId: envelope.correlationId,
          causationId: envelope.commandId,
          actor: { userId: envelope.actor.userId, role: envelope.actor.role, ...(envelope.actor.organisation ? { organisation: envelope.actor.organisation } : {}) },
          recordedAt: envelope.recordedAt,
          schemaVersion: 1,
        },
      },
    ],
    { expectedVersion: 'any' },
  );
  if (result.kind !== 'appended') throw new Error(`unexpected conflict appending to ${streamId}`);
  return { idempotent: result.idempotent };
}

/** Every event of a category, in log order. */
export async function readCategory(store: EventStore, category: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
    const read = await store.readAll({ after, limit: 1_000, filter: { categories: [category] } });
    events.push(...read.events);
    after = read.next;
    if (read.endOfLog) return events;
  }
}

/**
 * The one stream holding every record of a category (`legalHold-register`, …). One stream, not one
 * per record, so a list is read from the stream itself: the log as a whole may not show an event
 * just written yet (on PostgreSQL, `readAll` stops short of every transaction still running in the
 * cluster), and these registers are small.
 */
export function registerStream(category: string): string {
  return `${category}-register`;
}

/** Every record of a category, oldest first. */
export async function readRecords(store: EventStore, category: string): Promise<RecordedEvent[]> {
  return (await store.readStream(registerStream(category))).events;
}
