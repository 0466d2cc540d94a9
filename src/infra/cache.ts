// Read-through cache on the shared store, invalidated by namespace versions: a write bumps
// the version of every namespace it touches, so later reads miss and reload. When the store
// is down the cache is skipped (counted as an error) and callers read the database.
import { createHash, randomBytes } from "node:crypto";
import type { KeyValueStore } from "./kv.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";

export class Cache {
  constructor(
    private readonly store: KeyValueStore,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** Upper bound for every entry's life. */
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Returns the cached value for key under the given namespaces' current versions, or
   * loads, stores and returns it. Values go through JSON; Dates (and only Dates) come back as Dates.
   * `lagMs`: the loader reads a replica that may be this far behind (read-routing.ts); what it
   * loads is not stored when a namespace changed more recently, as it may predate that change.
   */
  async getOrLoad<T>(
    namespaces: readonly string[],
    key: string,
    load: () => Promise<T>,
    { lagMs = 0 }: { lagMs?: number } = {},
  ): Promise<T> {
    let fullKey: string | undefined;
    let versions: string[];
    const loadedAt = Date.now();
    try {
      versions = await this.versions(namespaces);
      fullKey = `cache:${namespaces.map((namespace, i) => `${namespace}@${versions[i]}`).join("|")}:${key}`;
      const hit = await this.store.get(fullKey);
      if (hit !== null) {
        this.metrics.cacheRequests.inc({ result: "hit" });
        return decode(hit) as T;
      }
      this.metrics.cacheRequests.inc({ result: "miss" });
    } catch (error) {
      this.metrics.cacheRequests.inc({ result: "error" });
      this.logger.warn({ err: error }, "cache unavailable; reading through");
      return load();
    }
    const value = await load();
    const changedWithinLag =
      lagMs > 0 && versions.some((version) => versionWrittenAt(version) >= loadedAt - lagMs);
    if (!changedWithinLag) {
      await this.store.set(fullKey, encode(value), this.ttlSeconds).catch(() => undefined);
    }
    return value;
  }

  /** Invalidates everything cached under these namespaces. Call after the write commits. */
  async invalidate(...namespaces: string[]): Promise<void> {
    // A version outlives every entry written under the one before it, so an expired
    // version can never resurrect stale entries.
    const versionTtl = this.ttlSeconds * 2 + 60;
    // The time in each version lets a reader tell a write that landed while it was reading.
    const version = `${Date.now().toString(36)}.${randomBytes(6).toString("hex")}`;
    try {
      await Promise.all(
        namespaces.map((namespace) => this.store.set(versionKey(namespace), version, versionTtl)),
      );
    } catch (error) {
      this.logger.error(
        { err: error, namespaces },
        "cache invalidation failed; entries expire within the TTL",
      );
    }
  }

  /** The current version of each namespace ("0" when never invalidated), in one round trip. */
  async versions(namespaces: readonly string[]): Promise<string[]> {
    const versions = await this.store.getMany(namespaces.map(versionKey));
    return versions.map((version) => version ?? "0");
  }

  get maxAgeSeconds(): number {
    return this.ttlSeconds;
  }
}

/** When a version was written (ms since the epoch); 0 for "0". */
export function versionWrittenAt(version: string): number {
  const stamp = Number.parseInt(version.split(".", 1)[0] ?? "", 36);
  return Number.isFinite(stamp) && version.includes(".") ? stamp : 0;
}

/** Where a namespace's version is kept: this, then the namespace. */
export const CACHE_VERSION_PREFIX = "cache-version:";

const versionKey = (namespace: string) => `${CACHE_VERSION_PREFIX}${namespace}`;

// Dates are written as { "$date": iso } so that a string that merely looks like an
// instant (a title, a bio) stays a string. No cached value has a key "$date" of its own:
// they are database rows and plain results of ours.
const DATE_TAG = "$date";

/** JSON with Dates tagged. The replacer looks at the holder: JSON.stringify calls toJSON first. */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, json: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { [DATE_TAG]: json } : json;
  });
}

function decode(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    const iso = (value as Record<string, unknown>)[DATE_TAG];
    return keys.length === 1 && keys[0] === DATE_TAG && (typeof iso === "string" || iso === null)
      ? new Date(iso ?? Number.NaN)
      : value;
  });
}

/** A short stable key for a JSON-able value (a filter, a Prisma selection). */
export function hashOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 22);
}
