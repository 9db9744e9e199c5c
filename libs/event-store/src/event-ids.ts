import { createHash } from 'node:crypto';

/** Namespace of the ledger's name-based (v5) event ids. */
const LEDGER_NAMESPACE = '5b0e7e53-4c1b-4a8e-9d52-6f3c1e2a7d10';

/**
 * The ids of the events a command produces: UUID v5 of (command id, index). A retried command
 * carries the same command id (from `Idempotency-Key`), so its events get the same ids and the
 * store recognises the retry instead of recording the facts twice.
 */
export function eventIdsFor(commandId: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => eventIdFor(commandId, i));
}

/** The id of a command's event at `index`: the `index`th of `eventIdsFor`. */
export function eventIdFor(commandId: string, index: number): string {
  return uuidV5(`${commandId}#${index}`, LEDGER_NAMESPACE);
}

export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
