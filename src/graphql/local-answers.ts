// The response cache's first tier: public answers this process read from the shared store in the
// last moments, so a hot page (the same search, a popular listing) is served without a Redis
// round trip. An entry goes the moment an invalidation names one of its namespaces: this
// process's own writes at once (before the mutation answers), other processes' when their
// broadcast arrives (Cache.onInvalidated, fed by pub/sub: milliseconds). Should a broadcast be
// lost (Redis pub/sub down while its keys were not), no entry outlives `ttlMs`; public answers
// may already be kept `max-age` seconds by a CDN, far longer.

export interface LocalAnswer {
  body: Buffer;
  etag: string;
  tags: readonly string[];
}

export class LocalAnswers {
  private readonly entries = new Map<string, { answer: LocalAnswer; until: number }>();
  private readonly keysByTag = new Map<string, Set<string>>();
  private bytes = 0;
  /** Counts invalidations: a read that spans one must not keep what it read. */
  private epochCount = 0;

  constructor(private readonly options: { ttlMs: number; maxBytes: number; now?: () => number }) {}

  get epoch(): number {
    return this.epochCount;
  }

  get(key: string): LocalAnswer | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    if (found.until <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return found.answer;
  }

  /** Keeps `answer` unless an invalidation came since `epoch` (taken before it was read). */
  put(key: string, answer: LocalAnswer, epoch: number): void {
    if (epoch !== this.epochCount || answer.body.length > this.options.maxBytes / 4) return;
    this.delete(key);
    this.entries.set(key, { answer, until: this.now() + this.options.ttlMs });
    this.bytes += answer.body.length;
    for (const tag of answer.tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    // Oldest first (a Map keeps insertion order): at this size they are close to expiring anyway.
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.options.maxBytes) break;
      this.delete(oldest);
    }
  }

  /** Drops every entry under any of these namespaces. */
  invalidate(namespaces: readonly string[]): void {
    this.epochCount++;
    for (const tag of namespaces) {
      const keys = this.keysByTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.delete(key);
    }
  }

  clear(): void {
    this.epochCount++;
    this.entries.clear();
    this.keysByTag.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const found = this.entries.get(key);
    if (!found) return;
    this.entries.delete(key);
    this.bytes -= found.answer.body.length;
    for (const tag of found.answer.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
