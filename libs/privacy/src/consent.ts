import type { RecordedEvent } from '@ledger/event-store';

/**
 * The consent that holds for each person and one purpose (DOMAIN.md 6): the latest recorded by
 * date (a later recording of the same date wins). People with no consent recorded are absent.
 */
export function latestConsents(events: readonly RecordedEvent[], purpose: 'sharing' | 'evaluation'): Map<string, boolean> {
  const latest = new Map<string, { on: string; given: boolean }>();
  for (const e of events) {
    if (e.type !== 'ConsentRecorded' || e.data.purpose !== purpose) continue;
    const memberId = String(e.data.memberId);
    const previous = latest.get(memberId);
    if (!previous || String(e.data.on) >= previous.on) latest.set(memberId, { on: String(e.data.on), given: e.data.given === true });
  }
  return new Map([...latest].map(([memberId, c]) => [memberId, c.given]));
}
