/** A person's unwrapped data key as cached, or the fact that it was destroyed. */
export type CachedKey = Buffer | 'erased';

interface Entry {
  key: CachedKey;
  at: number;
}

export interface KeyCacheOptions {
  /** At most this many keys are held (two generations of half as many). */
  maxEntries: number;
  /** A key is given for this long after it was read (an erased key is final: always given while held). */
  ttlMs: number;
}

/**
 * The key vault's cache of unwrapped person keys, in two generations (issue 22): keys are
 * remembered in the current one; when it is full, or a lifetime has passed since it began, it
 * becomes the previous one and the one before is let go whole, so a key unused for two lifetimes
 * is released as others arrive, and at most `maxEntries` are held.
 *
 * It replaced one Map kept in reading order, trimmed from its front on every insert. V8 leaves a
 * deleted entry's slot in place until the table is rebuilt, and every trim walked from the front
 * over all those slots: at 160,000 people (a claim draft at 40,000 families) remembering keys took
 * a fifth of the draft's time, growing with the square of the people read.
 */
export class KeyCache {
  private current = new Map<string, Entry>();
  private previous = new Map<string, Entry>();
  private startedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: KeyCacheOptions) {}

  /** The key, if held and fresh (or erased). */
  get(personId: string, now: number): CachedKey | undefined {
    const entry = this.current.get(personId) ?? this.previous.get(personId);
    if (!entry) return undefined;
    return entry.key === 'erased' || now - entry.at < this.options.ttlMs ? entry.key : undefined;
  }

  remember(personId: string, key: CachedKey, now: number): void {
    if (this.current.size >= Math.max(1, Math.floor(this.options.maxEntries / 2)) || now - this.startedAt >= this.options.ttlMs) {
      this.previous = this.current;
      this.current = new Map();
      this.startedAt = now;
    }
    this.current.set(personId, { key, at: now });
    // An older copy in the previous generation is never read again (the current one is read first): let it go now.
    this.previous.delete(personId);
  }

  /** How many keys are held (both generations). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
