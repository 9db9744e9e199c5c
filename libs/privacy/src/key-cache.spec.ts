import { KeyCache } from './key-cache';

const key = (n: number): Buffer => Buffer.alloc(32, n % 256);

describe('the key cache', () => {
  it('gives a key for a lifetime after it was read, and an erased key for as long as it is held', () => {
    const cache = new KeyCache({ maxEntries: 100, ttlMs: 60_000 });
    cache.remember('p1', key(1), 0);
    cache.remember('p2', 'erased', 0);
    expect(cache.get('p1', 59_999)).toEqual(key(1));
    expect(cache.get('p1', 60_000)).toBeUndefined();
    expect(cache.get('p2', 90_000)).toBe('erased');
    expect(cache.get('p3', 0)).toBeUndefined();
  });

  it('holds at most maxEntries keys, keeping the most recently remembered', () => {
    const cache = new KeyCache({ maxEntries: 1_000, ttlMs: 60_000 });
    for (let i = 0; i < 10_000; i += 1) {
      cache.remember(`p${i}`, key(i), i);
      expect(cache.size).toBeLessThanOrEqual(1_000);
    }
    expect(cache.get('p9999', 10_000)).toEqual(key(9_999));
    expect(cache.get('p9500', 10_000)).toEqual(key(9_500));
    expect(cache.get('p0', 10_000)).toBeUndefined();
  });

  it('lets go of keys unused for two lifetimes once others are remembered', () => {
    const cache = new KeyCache({ maxEntries: 1_000, ttlMs: 60_000 });
    for (let i = 0; i < 10; i += 1) cache.remember(`old${i}`, key(i), 0);
    cache.remember('a', key(1), 61_000);
    cache.remember('b', key(2), 122_000);
    // The ten from time 0 are no longer held at all, not merely no longer given.
    expect(cache.size).toBe(2);
  });

  it('keeps a key read again in the newer generation', () => {
    const cache = new KeyCache({ maxEntries: 4, ttlMs: 60_000 });
    cache.remember('p1', key(1), 0);
    cache.remember('p2', key(2), 1);
    cache.remember('p3', key(3), 2); // a new generation: p1, p2 are the previous one
    cache.remember('p1', key(1), 3); // read again: moved to the current one
    cache.remember('p4', key(4), 4); // a new generation: p3 and p1 previous, p2 let go
    expect(cache.get('p2', 5)).toBeUndefined();
    expect(cache.get('p1', 5)).toEqual(key(1));
    expect(cache.size).toBeLessThanOrEqual(4);
  });
});
