// The benchmark scenarios: what each request looks like and which answers count as errors.
// Imported by run.ts (names, order) and by the load process (request generators). Most are
// closed loops (load.ts); a race is a burst (burst.ts): rounds of requests sent all at once.
import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  ListingDocument,
  MeDocument,
  QuoteDocument,
  RequestBookingDocument,
  SearchListingsDocument,
} from "../schema/generated/graphql.ts";
import type { Outcome, RequestSpec } from "./load.ts";
import type { Variables } from "./peers/record.ts";

export interface City {
  name: string;
  lat: number;
  lng: number;
}

/** What run.ts hands to the load process: plain data, sent over IPC. */
export interface ScenarioParams {
  cities: City[];
  /** Listing global ids for the listing page (a small pool, so reads after the first are cache hits). */
  listingPageIds: string[];
  /** Listing global ids for quotes (a wide pool; quotes are never cached). */
  quoteIds: string[];
  /** Listing global ids no other scenario books or quotes: one fresh listing per race round. */
  raceIds: string[];
  /** A signed-in guest's access token, for scenarios with `needsToken`. */
  token?: string;
  /** Access tokens of BENCH_GUESTS distinct signed-in guests, for scenarios with `needsGuests`. */
  guestTokens?: string[];
}

interface ScenarioBase {
  name: string;
  /** One line for the README and the report. */
  measures: string;
  needsToken?: boolean;
  needsGuests?: boolean;
  classify: (status: number, body: string) => Outcome;
}

/** The servers run beside Roost (peers/): the stack's ceiling, and one that only sends Roost's SQL. */
export type PeerKind = "ceiling" | "sql";

/** What a scenario is read against: the report gives its share of each peer's req/s. */
export interface ScenarioPeers {
  /** A scenario of the same run, when it runs too. */
  scenario?: string;
  /** Peer servers run right after the scenario, under the same load, replaying Roost's answers. */
  recorded?: {
    kinds: PeerKind[];
    /** The requests recorded from Roost after its run: one per distinct answer a request can get. */
    requests(params: ScenarioParams): RequestSpec[];
    /** Which recorded answer a request's variables get (what the scenario varies only to defeat the cache is left out). */
    key(variables: Variables): string;
  };
}

/** A closed loop for a fixed time (the default kind). */
export interface LoopScenario extends ScenarioBase {
  kind?: "loop";
  requests(params: ScenarioParams): () => RequestSpec;
  peers?: ScenarioPeers;
  /**
   * Sent once each before Roost's load (not the peers'): a scenario about cached reads measures a
   * warm cache, as its ceiling peer serves answers recorded beforehand. Without it, the first read
   * of each of 1,000 ids falls in the measured window, and those misses cost more CPU than the
   * hits they are counted with.
   */
  primes?(params: ScenarioParams): RequestSpec[];
}

/** Rounds of requests sent at once, each round timed until its last answer. */
export interface BurstScenario extends ScenarioBase {
  kind: "burst";
  /** The requests of round `index` (warm-up rounds included, from 0). */
  round(params: ScenarioParams, index: number): RequestSpec[];
}

export type Scenario = LoopScenario | BurstScenario;

/** Guests signed in for the booking scenarios (the seed's reviewers): one per racing request. */
export const BENCH_GUESTS = 50;

/** Codegen's client preset stamps each document with its manifest hash. */
type Persisted = { __meta__?: { hash?: string } };

/** A persisted-operation request, exactly as a production client sends one. */
export function persisted<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
): RequestSpec {
  const hash = (document as Persisted).__meta__?.hash?.replace(/^sha256:/, "");
  if (!hash) throw new Error("document has no persisted hash: run npm run codegen");
  return {
    method: "POST",
    path: "/graphql",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables }),
  };
}

/**
 * A GraphQL answer is an error unless it is a 200 without `errors`; codes in `refusals` are
 * business answers (dates taken), counted apart. `mustInclude` guards against empty successes.
 */
export function graphqlOutcome(options: { refusals?: string[]; mustInclude?: string } = {}) {
  return (status: number, body: string): Outcome => {
    if (body.includes('"errors"')) {
      const code = firstErrorCode(body);
      return options.refusals?.includes(code) ? { kind: "refused", code } : { kind: "error", code };
    }
    if (status !== 200) return { kind: "error", code: `HTTP_${status}` };
    if (options.mustInclude && !body.includes(options.mustInclude)) {
      return { kind: "error", code: "UNEXPECTED_BODY" };
    }
    return { kind: "ok" };
  };
}

function firstErrorCode(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ extensions?: { code?: string } }> };
    return parsed.errors?.[0]?.extensions?.code ?? "NO_CODE";
  } catch {
    return "UNPARSABLE";
  }
}

const pick = <T>(items: readonly T[]): T => {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error("nothing to pick from");
  return item;
};
const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** A calendar date `days` after today, UTC (search refuses dates before today UTC). */
export function isoDay(days: number, from = new Date()): string {
  const day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()) + days * 86_400_000;
  return new Date(day).toISOString().slice(0, 10);
}

/** Slightly different radii make every request a distinct search, so the cache never answers. */
const jitteredRadius = () => 20 + Math.random() / 1000;

/** The radius search of the search scenarios: 20 per page, default sort. */
const radiusSearch = (city: City, radiusKm: number) =>
  persisted(SearchListingsDocument, {
    filter: { near: { lat: city.lat, lng: city.lng, radiusKm } },
    first: 20,
  });

/** A radius search's recorded answer is its city's: the radius's jitter only defeats the cache. */
const cityKey = (variables: Variables) => {
  const near = (variables.filter as { near?: { lat?: unknown; lng?: unknown } } | undefined)?.near;
  return `near ${String(near?.lat)},${String(near?.lng)}`;
};

/** Booked stays start after every seeded host block and custom price (those end by day 71). */
const BOOKING_FROM_DAY = 80;
/** Within every seeded listing's minimum and maximum nights. */
const BOOKING_NIGHTS = 3;
/** The race's stay: far from the booked stays, on listings nothing else touches. */
const RACE_CHECK_IN_DAY = 200;

function bookingRequest(listingId: string, checkInDay: number, token: string | undefined): RequestSpec {
  return persisted(
    RequestBookingDocument,
    {
      input: {
        listingId,
        checkIn: isoDay(checkInDay),
        checkOut: isoDay(checkInDay + BOOKING_NIGHTS),
        guests: 1,
        paymentMethod: "pm_card_visa",
        idempotencyKey: randomUUID(),
      },
    },
    token,
  );
}

function guestTokens(params: ScenarioParams): string[] {
  const tokens = params.guestTokens ?? [];
  if (tokens.length < BENCH_GUESTS) throw new Error(`${BENCH_GUESTS} signed-in guests are needed`);
  return tokens;
}

const restListing = (id: string): RequestSpec => ({
  method: "GET",
  path: `/api/listings/${encodeURIComponent(id)}`,
  headers: { accept: "application/json" },
});

export const scenarios: Scenario[] = [
  {
    name: "healthz",
    measures: "the HTTP floor: Yoga's request pipeline and a plain JSON route, no GraphQL, no I/O",
    requests: () => () => ({ method: "GET", path: "/healthz" }),
    classify: (status) => (status === 200 ? { kind: "ok" } : { kind: "error", code: `HTTP_${status}` }),
  },
  {
    name: "me",
    measures: "auth (JWT verify, session-revocation check in the store) and one user by primary key",
    needsToken: true,
    requests: (params) => () => persisted(MeDocument, {}, params.token),
    classify: graphqlOutcome({ mustInclude: '"email"' }),
    // No SQL peer: under load Prisma batches concurrent users into one statement (0.05 per request).
    peers: {
      recorded: {
        kinds: ["ceiling"],
        requests: (params) => [persisted(MeDocument, {}, params.token)],
        key: () => "me",
      },
    },
  },
  {
    name: "listing page",
    measures:
      "the Listing operation for random ids from a pool of 1,000: served from the listing cache after each id's first read",
    requests: (params) => () => persisted(ListingDocument, { id: pick(params.listingPageIds) }),
    primes: (params) => params.listingPageIds.map((id) => persisted(ListingDocument, { id })),
    classify: graphqlOutcome({ mustInclude: '"photos"' }),
    // No SQL peer: a cache hit sends no statement, so it would only write bytes.
    peers: {
      recorded: {
        kinds: ["ceiling"],
        requests: (params) => params.listingPageIds.map((id) => persisted(ListingDocument, { id })),
        key: (variables) => String(variables.id),
      },
    },
  },
  {
    name: "listing page over REST",
    measures:
      "GET /api/listings/{id} for the same pool: the REST facade maps the path, then runs the same persisted Listing operation through the GraphQL server; its share of the listing page is the facade's cost",
    peers: { scenario: "listing page" },
    requests: (params) => () => restListing(pick(params.listingPageIds)),
    primes: (params) => params.listingPageIds.map(restListing),
    classify: (status, body) =>
      status !== 200
        ? { kind: "error", code: `HTTP_${status}` }
        : body.includes('"photos"')
          ? { kind: "ok" }
          : { kind: "error", code: "UNEXPECTED_BODY" },
  },
  {
    name: "search radius (cached)",
    measures:
      "SearchListings 20 km around one of the seeded cities, 20 per page, RELEVANCE: a handful of distinct searches, so cache hits after the warm-up (the page's listings are still loaded from PostgreSQL)",
    requests: (params) => () => radiusSearch(pick(params.cities), 20),
    primes: (params) => params.cities.map((city) => radiusSearch(city, 20)),
    classify: graphqlOutcome({ mustInclude: '"edges":[{' }),
    peers: {
      recorded: {
        kinds: ["ceiling", "sql"],
        requests: (params) => params.cities.map((city) => radiusSearch(city, 20)),
        key: cityKey,
      },
    },
  },
  {
    name: "search radius (uncached)",
    measures:
      "the same search with radiusKm 20 + random/1000: every request misses the cache, so the search SQL runs each time",
    requests: (params) => () => radiusSearch(pick(params.cities), jitteredRadius()),
    classify: graphqlOutcome({ mustInclude: '"edges":[{' }),
    // The SQL peer sends each request's own radius in the recorded statements (sql.ts bindings).
    peers: {
      recorded: {
        kinds: ["sql"],
        requests: (params) => params.cities.map((city) => radiusSearch(city, jitteredRadius())),
        key: cityKey,
      },
    },
  },
  {
    name: "search with dates",
    measures:
      "SearchListings near a city with checkIn 3-5 weeks ahead (2-6 nights), PRICE_ASC, uncached: every match priced from the location index and sorted by stay total in SQL, free nights probed only as far as the count and the page need",
    requests: (params) => () => {
      const city = pick(params.cities);
      const checkIn = randomInt(21, 35);
      return persisted(SearchListingsDocument, {
        filter: {
          near: { lat: city.lat, lng: city.lng, radiusKm: jitteredRadius() },
          checkIn: isoDay(checkIn),
          checkOut: isoDay(checkIn + randomInt(2, 6)),
          guests: 2,
        },
        sort: "PRICE_ASC",
        first: 20,
      });
    },
    classify: graphqlOutcome({ mustInclude: '"stayTotal":{' }),
  },
  {
    name: "quote",
    measures:
      "quote for a random listing (pool of 10,000) and a random stay 1-9 weeks ahead: listing, holds and custom prices, uncached; DATES_UNAVAILABLE counts as refused, not an error",
    requests: (params) => () => {
      const checkIn = randomInt(7, 63);
      return persisted(QuoteDocument, {
        input: {
          listingId: pick(params.quoteIds),
          checkIn: isoDay(checkIn),
          checkOut: isoDay(checkIn + randomInt(3, 7)),
          guests: randomInt(1, 2),
        },
      });
    },
    classify: graphqlOutcome({ refusals: ["DATES_UNAVAILABLE"], mustInclude: '"total"' }),
  },
  {
    name: "request booking",
    measures:
      "requestBooking for distinct stays: each request the next listing of the quote pool (back-to-back 3-night stays from 80 days ahead once the pool is used), the next of 50 guests and a fresh idempotency key; authorize, then commit under the listing lock (a third of the listings book instantly and capture too); any refusal, DATES_UNAVAILABLE included, is an error",
    needsGuests: true,
    peers: { scenario: "quote" },
    requests: (params) => {
      const tokens = guestTokens(params);
      let sent = 0;
      return () => {
        const n = sent++;
        const listingId = params.quoteIds[n % params.quoteIds.length];
        if (!listingId) throw new Error("no listings to book");
        const checkInDay = BOOKING_FROM_DAY + Math.floor(n / params.quoteIds.length) * BOOKING_NIGHTS;
        return bookingRequest(listingId, checkInDay, tokens[n % tokens.length]);
      };
    },
    classify: graphqlOutcome({ mustInclude: '"booking":{' }),
  },
  {
    kind: "burst",
    name: "booking race",
    measures:
      "50 guests requestBooking the same 3-night stay of one listing at once, a fresh listing each round: all pass the first availability read and authorize, then their commits queue on the listing's row lock, where the re-check (the exclusion constraint behind it) lets one win; every other must answer DATES_UNAVAILABLE and void its authorization",
    needsGuests: true,
    round: (params, index) => {
      const listingId = params.raceIds[index];
      if (!listingId) throw new Error(`no fresh listing for race round ${index}`);
      return guestTokens(params)
        .slice(0, BENCH_GUESTS)
        .map((token) => bookingRequest(listingId, RACE_CHECK_IN_DAY, token));
    },
    classify: graphqlOutcome({ refusals: ["DATES_UNAVAILABLE"], mustInclude: '"booking":{' }),
  },
];

/** Scenarios whose name contains any of the words (all when none are given). */
export function selectScenarios(words: readonly string[]): Scenario[] {
  const wanted = words.map((word) => word.toLowerCase()).filter(Boolean);
  if (wanted.length === 0) return scenarios;
  return scenarios.filter((scenario) => wanted.some((word) => scenario.name.toLowerCase().includes(word)));
}
