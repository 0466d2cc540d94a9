// A front end's first booking, end to end: log in, search near a spot, quote the first result and
// request it, through the typed documents codegen writes, each sent by its persisted-operation hash
// so it works against a production server (GRAPHQL_PERSISTED_ONLY). Copy it; Node 20.19+ only.
//   ROOST_EMAIL=guest@roost.example ROOST_PASSWORD=roost-demo-password npx tsx examples/book-a-stay.ts
import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  LogInDocument,
  QuoteDocument,
  RequestBookingDocument,
  SearchListingsDocument,
} from "../schema/generated/graphql.ts";

const url = process.env.ROOST_URL ?? "http://localhost:4000/graphql";

/** A GraphQL error the server answered with; `code` is its stable `extensions.code`. */
class RoostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

interface GraphQLErrorJson {
  message: string;
  extensions?: { code?: string; fields?: Array<{ path: string; message: string }> };
}

/** Sends a generated document by its persisted hash (the client preset stamps it on `__meta__`). */
async function request<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<TData> {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error("Not a persisted document: run `npm run codegen`");
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({
      extensions: { persistedQuery: { version: 1, sha256Hash: hash.replace(/^sha256:/, "") } },
      variables,
    }),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: TData;
    errors?: GraphQLErrorJson[];
  } | null;
  const error = body?.errors?.[0];
  if (error) {
    const fields = error.extensions?.fields?.map((field) => `${field.path} ${field.message}`).join("; ");
    throw new RoostError(
      error.extensions?.code ?? "UNKNOWN",
      fields ? `${error.message} (${fields})` : error.message,
    );
  }
  if (!body?.data) throw new Error(`HTTP ${response.status} from ${url} without GraphQL data`);
  return body.data;
}

/** A calendar date `days` after another (or after today, in UTC). */
const addDays = (date: string | undefined, days: number): string =>
  new Date((date ? Date.parse(`${date}T00:00:00Z`) : Date.now()) + days * 86_400_000)
    .toISOString()
    .slice(0, 10);

function settings() {
  const { ROOST_EMAIL: email, ROOST_PASSWORD: password, ROOST_CHECK_IN, ROOST_CHECK_OUT } = process.env;
  if (!email || !password) throw new Error("Set ROOST_EMAIL and ROOST_PASSWORD");
  if (ROOST_CHECK_IN && !/^\d{4}-\d{2}-\d{2}$/.test(ROOST_CHECK_IN)) {
    throw new Error("ROOST_CHECK_IN must be a date such as 2030-06-01");
  }
  // Five weeks out: clear of the nights `npm start`'s demo data blocks on its Lisbon listing (30 to 33).
  const checkIn = ROOST_CHECK_IN ?? addDays(undefined, 35);
  const checkOut = ROOST_CHECK_OUT ?? addDays(checkIn, 3);
  const lat = Number(process.env.ROOST_LAT ?? 38.7223);
  const lng = Number(process.env.ROOST_LNG ?? -9.1393);
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) {
    throw new Error("ROOST_LAT and ROOST_LNG must be numbers");
  }
  return { email, password, checkIn, checkOut, guests: 2, near: { lat, lng, radiusKm: 25 } };
}

async function bookAStay(): Promise<void> {
  const { email, password, checkIn, checkOut, guests, near } = settings();

  const { logIn } = await request(LogInDocument, { input: { email, password } });
  const token = logIn.accessToken;
  console.log(`Logged in as ${logIn.user.firstName} (${logIn.user.email ?? email})`);

  const { searchListings } = await request(
    SearchListingsDocument,
    { filter: { near, checkIn, checkOut, guests }, sort: "DISTANCE", first: 5 },
    token,
  );
  const listing = searchListings.edges[0]?.node;
  if (!listing) {
    throw new Error(
      `Nothing free within ${near.radiusKm} km of ${near.lat},${near.lng} for ${checkIn} to ${checkOut}`,
    );
  }
  console.log(
    `Found ${searchListings.totalCount} free for ${checkIn} to ${checkOut}; nearest: ${listing.title}`,
  );

  const stay = { listingId: listing.id, checkIn, checkOut, guests };
  const { quote } = await request(QuoteDocument, { input: stay }, token);
  console.log(`Quote: ${quote.nights} nights, ${quote.total.formatted} in all`);

  const { requestBooking } = await request(
    RequestBookingDocument,
    { input: { ...stay, paymentMethod: "pm_card_visa", idempotencyKey: randomUUID() } },
    token,
  );
  const { booking } = requestBooking;
  console.log(
    `Booking ${booking.status.toLowerCase()}: ${booking.total.formatted}, ${booking.listing.title}`,
  );
  console.log(`BOOKED ${booking.id} ${booking.status}`);
}

try {
  await bookAStay();
} catch (error) {
  // fetch says only "fetch failed"; its cause says why (ECONNREFUSED...).
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const why = cause?.code || cause?.message;
  console.error(
    `book-a-stay failed: ${error instanceof Error ? error.message : String(error)}${why ? ` (${why})` : ""}`,
  );
  process.exitCode = 1;
}
