// Response cache for persisted public reads (listing pages, searches, the catalogs): a hit is
// answered from the shared store before the document is parsed, validated or executed.
//
// Key: the operation's hash, its variables and the viewer's scope: anonymous callers share
// "public"; a signed-in caller has a scope of their own, so what only they may see (a host's
// draft) never reaches anyone else. Freshness: an entry records the cache namespaces it depends
// on and their versions when it was stored (Cache.invalidate bumps them after each write), and is
// served only while every one is unchanged. Its namespaces are the entities its data shows
// (each Listing and User id in it) and, for a search, the area cells and stay months of the
// filter (cache-tags.ts). An answer is not stored when one of them changed while it was being
// computed, so a write racing the read cannot leave a stale entry behind.
//
// Over GET, a public answer carries Cache-Control and an ETag, and If-None-Match answers 304,
// so a CDN or browser can keep it too; a private one carries an ETag with `private, no-cache`.
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  type DocumentNode,
  type FieldNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  valueFromASTUntyped,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { App } from "../app.ts";
import { etagOf, notModified } from "../http/etag.ts";
import { CACHE_VERSION_PREFIX, versionWrittenAt } from "../infra/cache.ts";
import { canonicalJson } from "../infra/idempotency.ts";
import { listingCacheTags, searchPageTags } from "../modules/listings/cache-tags.ts";
import { authenticateRequest } from "../modules/accounts/authenticate.ts";
import { decodeGlobalId } from "./global-id.ts";
import { persistedOperations } from "./persisted-operations.ts";

/** Root fields whose answer is the same for every caller in a scope and changes only by writes. */
const CACHEABLE_ROOT_FIELDS = new Set(["listing", "searchListings", "amenities", "currencies"]);

/** How long a shared cache (CDN, browser) may keep a public answer without asking again. */
export const PUBLIC_MAX_AGE_SECONDS = 30;

/** A write this close before a read began may not be visible to it (clocks of other processes). */
const CLOCK_SKEW_MS = 1_000;

interface CacheableOperation {
  /** The root fields' nodes, to read their arguments (a search's filter) with the variables. */
  rootFields: FieldNode[];
}

/**
 * A search with dates depends on the time too: a stay stops being offered when its check-in
 * passes at the listing (its local midnight). Every time zone's midnight falls on a UTC
 * quarter-hour, so such answers are keyed by the quarter-hour they were computed in.
 */
const DATED_SLOT_MS = 15 * 60 * 1000;

function datedSearch(operation: CacheableOperation, variables: Record<string, unknown>): boolean {
  return operation.rootFields.some((field) => {
    if (field.name.value !== "searchListings") return false;
    const filterNode = field.arguments?.find((argument) => argument.name.value === "filter");
    const filter = filterNode
      ? (valueFromASTUntyped(filterNode.value, variables) as { checkIn?: unknown } | null)
      : null;
    return filter?.checkIn !== undefined && filter?.checkIn !== null;
  });
}

interface Entry {
  body: string;
  etag: string;
  tags: string[];
  versions: string[];
}

/** Stored as its header's JSON, a newline, then the body as sent (no second JSON encoding). */
const encodeEntry = ({ body, ...header }: Entry) => `${JSON.stringify(header)}\n${body}`;

/** The entry as read: the body stays the bytes it was stored as, to be sent as they are. */
function decodeEntry(stored: Buffer): Omit<Entry, "body"> & { body: Buffer } {
  const newline = stored.indexOf(0x0a);
  return {
    ...(JSON.parse(stored.toString("utf8", 0, newline)) as Omit<Entry, "body">),
    body: stored.subarray(newline + 1),
  };
}

interface RequestState {
  key: string;
  scope: string;
  operation: CacheableOperation;
  variables: Record<string, unknown>;
  startedAt: number;
  etag?: string;
  /** Set on the one request computing a key's answer: hands it (or nothing) to its waiting twins. */
  release?: (body: string | undefined) => void;
}

/** How long a twin waits for the request computing the same answer before computing it itself. */
const COALESCE_WAIT_MS = 5_000;

/** Persisted documents whose every root field is cacheable, by bare hash. */
function cacheableOperations(): Map<string, CacheableOperation> {
  const operations = new Map<string, CacheableOperation>();
  for (const { hash, document } of persistedOperations()) {
    const ast: DocumentNode = parse(document);
    const queries = ast.definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    const [query] = queries;
    if (queries.length !== 1 || query?.operation !== "query") continue;
    const roots = query.selectionSet.selections;
    if (!roots.every((node) => node.kind === Kind.FIELD && CACHEABLE_ROOT_FIELDS.has(node.name.value)))
      continue;
    operations.set(hash, { rootFields: roots.filter((node): node is FieldNode => node.kind === Kind.FIELD) });
  }
  return operations;
}

function persistedHash(params: { extensions?: Record<string, unknown> }): string | undefined {
  const hash = (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  return typeof hash === "string" ? hash.replace(/^sha256:/, "") : undefined;
}

/** The namespaces an answer depends on: the entities it shows and, for searches, the filter's. */
export function answerTags(
  operation: CacheableOperation,
  variables: Record<string, unknown>,
  data: unknown,
): string[] {
  const tags = new Set<string>();
  for (const field of operation.rootFields) {
    if (field.name.value !== "searchListings") continue;
    const filterNode = field.arguments?.find((argument) => argument.name.value === "filter");
    const filter = (filterNode ? valueFromASTUntyped(filterNode.value, variables) : null) as {
      near?: { lat?: unknown; lng?: unknown; radiusKm?: unknown } | null;
      bounds?: { north: number; south: number; east: number; west: number } | null;
      checkIn?: unknown;
      checkOut?: unknown;
    } | null;
    const near = filter?.near;
    for (const tag of searchPageTags({
      near:
        near &&
        typeof near.lat === "number" &&
        typeof near.lng === "number" &&
        typeof near.radiusKm === "number"
          ? { lat: near.lat, lng: near.lng, radiusMeters: near.radiusKm * 1000 }
          : null,
      bounds: filter?.bounds ?? null,
      stay:
        typeof filter?.checkIn === "string" && typeof filter.checkOut === "string"
          ? { checkIn: filter.checkIn, checkOut: filter.checkOut }
          : null,
    })) {
      tags.add(tag);
    }
  }
  collectEntityTags(data, tags, 0);
  return [...tags].sort();
}

/** Every Listing and User the answer shows, by the global ids in it. */
function collectEntityTags(value: unknown, tags: Set<string>, depth: number): void {
  if (depth > 12 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) collectEntityTags(item, tags, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === "id" && typeof item === "string") {
      try {
        const { typename, id } = decodeGlobalId(item);
        if (typename === "Listing") tags.add(listingCacheTags.listing(id));
        else if (typename === "User") tags.add(listingCacheTags.user(id));
      } catch {
        // not a global id (a cursor, a code): nothing to depend on
      }
    } else {
      collectEntityTags(item, tags, depth + 1);
    }
  }
}

/** The REST facade marks the GraphQL request it makes for a GET route (rest/facade.ts). */
interface FacadeContext {
  restRoute?: { method: string };
}

export function useResponseCache(app: App): Plugin<object, FacadeContext> {
  const operations = cacheableOperations();
  const states = new WeakMap<Request, RequestState>();
  const { metrics } = app;

  /** "public" for anonymous callers, the user's own scope when signed in, null when the token fails. */
  async function scopeOf(request: Request): Promise<string | null> {
    const authorization = request.headers.get("authorization");
    if (!authorization) return "public";
    const auth = await authenticateRequest(app, authorization);
    return auth.session ? `user:${auth.session.userId}` : null;
  }

  /** The entry while none of the namespaces it was stored under has moved: one round trip. */
  async function lookup(key: string): Promise<ReturnType<typeof decodeEntry> | undefined> {
    const stored = await app.kv.getCurrent(key, CACHE_VERSION_PREFIX);
    return stored ? decodeEntry(stored) : undefined;
  }

  /** Keeps the answer; false when a write it depends on moved while it was computed. */
  async function store(state: RequestState, body: string, data: unknown): Promise<boolean> {
    const tags = answerTags(state.operation, state.variables, data);
    const versions = await app.cache.versions(tags);
    // A write that landed while this answer was computed may not be in it: leave it uncached. Nor
    // one that landed within the replica's allowed lag before: the replica may not have had it yet.
    const notBefore = state.startedAt - CLOCK_SKEW_MS - app.reads.maxLagMs;
    if (versions.some((version) => versionWrittenAt(version) >= notBefore)) {
      metrics.responseCache.inc({ result: "skip" });
      return false;
    }
    const entry: Entry = { body, etag: etagOf(body), tags, versions };
    await app.kv.set(state.key, encodeEntry(entry), app.cache.maxAgeSeconds);
    return true;
  }

  // Identical misses in this process wait for the first rather than all computing the answer
  // (a cold search page under load); an answer is shared only when it was fresh enough to keep.
  const inflight = new Map<string, Promise<string | undefined>>();

  function claim(state: RequestState): void {
    let resolve: (body: string | undefined) => void = () => undefined;
    const answer = new Promise<string | undefined>((done) => {
      resolve = done;
    });
    inflight.set(state.key, answer);
    state.release = (body) => {
      if (inflight.get(state.key) === answer) inflight.delete(state.key);
      state.release = undefined;
      resolve(body);
    };
  }

  async function twinsAnswer(pending: Promise<string | undefined>): Promise<string | undefined> {
    const stop = new AbortController();
    const timeout = delay(COALESCE_WAIT_MS, undefined, { signal: stop.signal }).catch(() => undefined);
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      stop.abort();
    }
  }

  return {
    async onParams({ params, request, setResult }) {
      const hash = persistedHash(params);
      const operation = hash ? operations.get(hash) : undefined;
      if (!hash || !operation) return;
      try {
        const scope = await scopeOf(request);
        if (!scope) return;
        const variables = (params.variables ?? {}) as Record<string, unknown>;
        const slot = datedSearch(operation, variables)
          ? `:${Math.floor(app.clock.now().getTime() / DATED_SLOT_MS)}`
          : "";
        const digest = createHash("sha256").update(canonicalJson(variables)).digest("base64url");
        const key = `response:${scope}:${hash}:${digest}${slot}`;
        const state: RequestState = { key, scope, operation, variables, startedAt: Date.now() };
        states.set(request, state);
        const serve = (body: string | Buffer, result: "hit" | "coalesced", etag: string) => {
          metrics.responseCache.inc({ result });
          // Sent as is: Yoga serializes a result with its own `stringify` and hands what it
          // returns to its Response, so the body is neither parsed nor encoded again (a Buffer
          // read from the store is not even decoded).
          setResult({ stringify: () => body } as Parameters<typeof setResult>[0]);
          // Served: nothing to store again.
          states.set(request, { ...state, key: "", etag });
        };
        const entry = await lookup(key);
        if (entry) return serve(entry.body, "hit", entry.etag);
        // Checked and claimed with no await between, so of twins arriving together one claims.
        const pending = inflight.get(key);
        if (!pending) {
          claim(state);
        } else {
          const twins = await twinsAnswer(pending);
          if (twins !== undefined) return serve(twins, "coalesced", etagOf(twins));
        }
        metrics.responseCache.inc({ result: "miss" });
      } catch (error) {
        states.delete(request);
        metrics.responseCache.inc({ result: "error" });
        app.logger.warn({ err: error }, "response cache unavailable; executing");
      }
    },
    async onExecutionResult({ request, result }) {
      const state = states.get(request);
      if (!state || !state.key) return;
      if (!result || Symbol.asyncIterator in result || result.errors?.length || !result.data) {
        state.release?.(undefined);
        return;
      }
      const body = JSON.stringify(result);
      state.etag = etagOf(body);
      let kept = false;
      try {
        kept = await store(state, body, result.data);
      } catch (error) {
        metrics.responseCache.inc({ result: "error" });
        app.logger.warn({ err: error }, "response cache unavailable; answer not kept");
      }
      state.release?.(kept ? body : undefined);
    },
    onResponse({ request, response, setResponse, fetchAPI, serverContext }) {
      const state = states.get(request);
      // Whatever happened to it (an exception before its result), a claim never outlives its request.
      state?.release?.(undefined);
      // A REST GET is a GET to its caller: the facade takes Cache-Control from here and makes
      // its own ETag for its own body.
      const get = request.method === "GET" || serverContext.restRoute?.method === "GET";
      if (!state?.etag || !get || response.status !== 200) return;
      const cacheControl =
        state.scope === "public" ? `public, max-age=${PUBLIC_MAX_AGE_SECONDS}` : "private, no-cache";
      if (notModified(request.headers.get("if-none-match"), state.etag)) {
        const headers = new fetchAPI.Headers(response.headers);
        headers.delete("content-length");
        headers.delete("content-type");
        headers.set("etag", state.etag);
        headers.set("cache-control", cacheControl);
        setResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      response.headers.set("etag", state.etag);
      response.headers.set("cache-control", cacheControl);
      // The answer depends on the Authorization header: shared caches must key on it.
      response.headers.append("vary", "Authorization");
    },
  };
}
