import { atIndex } from '@ledger/domain';

/**
 * A small seeded pseudo-random generator (mulberry32) for synthetic data. Never the clock, never
 * `Math.random`: the same seed gives the same families, byte for byte, on every machine.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next unsigned 32-bit integer (mulberry32). */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4_294_967_296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return atIndex(items, Math.floor(this.next() * items.length), 'item to pick');
  }

  /** One item, chosen with the given (non-negative) weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return atIndex(items, items.length - 1, 'weighted item')[0];
  }

  /** A digit string of the given length. */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += String(this.int(0, 9));
    return out;
  }

  /**
   * A version-4-shaped UUID (8-4-4-4-12 lowercase hex, version nibble 4, RFC 4122 variant) drawn
   * from this generator, so ids are reproducible and pass the event store's UUID check.
   */
  uuid(): string {
    const a = this.uint32();
    const b = (this.uint32() & 0xffff0fff) | 0x00004000;
    const c = ((this.uint32() & 0x3fffffff) | 0x80000000) >>> 0;
    const d = this.uint32();
    const h = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    const hb = h(b);
    const hc = h(c);
    return `${h(a)}-${hb.slice(0, 4)}-${hb.slice(4)}-${hc.slice(0, 4)}-${hc.slice(4)}${h(d)}`;
  }
}

/**
 * A well-spread 32-bit seed for item `index` of a run seeded with `seed`, so any item can be
 * generated on its own (streaming, or resuming at a `startIndex`) and still match a full run.
 */
export function seedFor(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = (h ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
