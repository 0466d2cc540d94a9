// Every REST route over real HTTP: the contract's §8 table and the routes added beside it, each
// called once as it should succeed and once as it should fail, with the error body's shape.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import routeTable from "../../schema/generated/rest-routes.json" with { type: "json" };
import { encodeGlobalId } from "../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bookingInput, type Stay, stayFixture, staySequence } from "../helpers/bookings.ts";
import { factories, type TestUser } from "../helpers/factories.ts";
import { inquire } from "../helpers/messaging.ts";
import { expectRestError, fieldPaths, RestClient } from "../helpers/rest.ts";
import { completedStay, guestReviewInput, reviewBothSides, reviewOk } from "../helpers/reviews.ts";

/** CONTRACT.md §8, route by route (the iCalendar feed, not under /api, has its own case below). */
const CONTRACT_ROUTES = [
  "POST /api/auth/signup",
  "POST /api/auth/login",
  "POST /api/auth/refresh",
  "GET /api/me",
  "GET /api/listings",
  "GET /api/listings/{id}",
  "GET /api/listings/{id}/quote",
  "GET /api/listings/{id}/calendar",
  "POST /api/listings",
  "PATCH /api/listings/{id}",
  "POST /api/bookings",
  "GET /api/bookings/{id}",
  "POST /api/bookings/{id}/accept",
  "POST /api/bookings/{id}/decline",
  "POST /api/bookings/{id}/cancel",
  "GET /api/trips",
  "POST /api/reviews",
  "GET /api/conversations",
  "GET /api/conversations/{id}",
  "POST /api/conversations/{id}/messages",
  "POST /api/messages",
  "GET /api/wishlists",
  "POST /api/wishlists",
  "POST /api/wishlists/{id}/listings",
  "DELETE /api/wishlists/{id}/listings/{listingId}",
  "GET /api/notifications",
  "POST /api/notifications/read",
  "GET /api/reservations",
  "GET /api/payouts",
];

const served = (routeTable as Array<{ method: string; path: string }>).map((r) => `${r.method} ${r.path}`);
/** An absolute URL the API handed out (API_URL), on the test server. */
const onTestServer = (url: string) => `${t.url}${new URL(url).pathname}`;

let t: TestApp;
let api: RestClient;
let stay: Stay;
let host: TestUser;
let guest: TestUser;
let stranger: TestUser;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const nextDates = staySequence(day(40), 2);

beforeAll(async () => {
  t = await startTestApp();
  api = new RestClient(t.url);
  stay = await stayFixture(t, { instantBook: false });
  ({ host, guest } = stay);
  stranger = await factories(t).user().create();
});

afterAll(async () => {
  await t?.close();
});

const as = (user: TestUser) => api.as(user.accessToken);

let adminUser: Promise<TestUser> | undefined;
/** One admin for the moderation routes, made when the first needs it. */
const admin = (): Promise<TestUser> => (adminUser ??= factories(t).user().admin().create());

interface BookingJson {
  id: string;
  status: string;
  checkIn: string;
  total: { amount: number; currency: string };
}

/** A pending request of the guest, made over REST. */
async function pendingBooking(): Promise<BookingJson> {
  const { idempotencyKey, ...body } = bookingInput(stay, nextDates());
  const response = await as(guest).post<{ booking: BookingJson }>("/api/bookings", {
    body,
    headers: { "idempotency-key": idempotencyKey ?? randomUUID() },
  });
  expect(response.status, response.text).toBe(200);
  return response.json.booking;
}

/** Each route: what a consumer does with it, then a request it must refuse. */
const cases: Record<string, () => Promise<void>> = {
  async "POST /api/auth/signup"() {
    const email = `rest-${randomUUID()}@example.com`;
    const body = { email, password: "a long password", firstName: "Rita", lastName: "Rest" };
    const created = await api.post<{ accessToken: string; user: { email: string } }>("/api/auth/signup", {
      body,
    });
    expect(created.status).toBe(200);
    expect(created.json.user.email).toBe(email);
    expect(created.json.accessToken).toMatch(/^ey/);
    expectRestError(await api.post("/api/auth/signup", { body }), 409, "CONFLICT");
    const bad = await api.post("/api/auth/signup", { body: { ...body, email: "nope", password: "short" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["email", "password"]);
  },

  async "POST /api/auth/login"() {
    const ok = await api.post<{ accessToken: string }>("/api/auth/login", {
      body: { email: guest.email, password: guest.password },
    });
    expect(ok.status).toBe(200);
    expect((await api.as(ok.json.accessToken).get<{ email: string }>("/api/me")).json.email).toBe(
      guest.email,
    );
    const wrong = await api.post("/api/auth/login", {
      body: { email: guest.email, password: "not it at all" },
    });
    expectRestError(wrong, 401, "UNAUTHENTICATED");
  },

  async "POST /api/auth/refresh"() {
    const user = await factories(t).user().create();
    const ok = await api.post<{ refreshToken: string }>("/api/auth/refresh", {
      body: { refreshToken: user.refreshToken },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.refreshToken).not.toBe(user.refreshToken);
    expectRestError(
      await api.post("/api/auth/refresh", { body: { refreshToken: "forged" } }),
      401,
      "UNAUTHENTICATED",
    );
  },

  async "POST /api/auth/logout"() {
    const user = await factories(t).user().create();
    const ok = await api.as(user.accessToken).post<{ sessionsEnded: number }>("/api/auth/logout");
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.sessionsEnded).toBe(1);
    expectRestError(await api.as(user.accessToken).get("/api/me"), 401, "UNAUTHENTICATED");
    expectRestError(await api.post("/api/auth/logout"), 401, "UNAUTHENTICATED");
  },

  async "GET /api/me"() {
    const me = await as(guest).get<{ id: string; email: string }>("/api/me");
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: guest.globalId, email: guest.email });
    expectRestError(await api.get("/api/me"), 401, "UNAUTHENTICATED");
    expectRestError(await api.as("not-a-token").get("/api/me"), 401, "UNAUTHENTICATED");
  },

  async "PATCH /api/me"() {
    const user = await factories(t).user().create();
    const ok = await api.as(user.accessToken).call<{ user: { firstName: string } }>("PATCH", "/api/me", {
      body: { firstName: "Renamed" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.user.firstName).toBe("Renamed");
    const bad = await api.as(user.accessToken).call("PATCH", "/api/me", { body: { firstName: 42 } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["firstName"]);
  },

  async "POST /api/me/password"() {
    const user = await factories(t).user().create();
    const client = api.as(user.accessToken);
    const wrong = await client.post("/api/me/password", {
      body: { currentPassword: "not my password", newPassword: "brand new secret" },
    });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeLessThan(500);
    expectRestError(wrong, wrong.status, (wrong.json as { error: { code: string } }).error.code);
    const ok = await client.post("/api/me/password", {
      body: { currentPassword: user.password, newPassword: "brand new secret" },
    });
    expect(ok.status, ok.text).toBe(200);
    const login = await api.post("/api/auth/login", {
      body: { email: user.email, password: "brand new secret" },
    });
    expect(login.status).toBe(200);
  },

  async "POST /api/me/export"() {
    const user = await factories(t).user().create();
    const ok = await api
      .as(user.accessToken)
      .post<{ export: { id: string; status: string } }>("/api/me/export");
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.export.status).toBe("PENDING");
    // One in flight (no worker runs in this file, so it stays PENDING).
    const again = await api.as(user.accessToken).post("/api/me/export");
    expectRestError(again, 429, "RATE_LIMITED");
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expectRestError(await api.post("/api/me/export"), 401, "UNAUTHENTICATED");
  },

  async "GET /api/me/exports/{id}"() {
    const user = await factories(t).user().create();
    const made = await api.as(user.accessToken).post<{ export: { id: string } }>("/api/me/export");
    const path = `/api/me/exports/${made.json.export.id}`;
    const ok = await api.as(user.accessToken).get<{ id: string; status: string; requestedAt: string }>(path);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({
      id: made.json.export.id,
      status: "PENDING",
      requestedAt: expect.any(String),
    });
    expectRestError(await as(stranger).get(path), 404, "NOT_FOUND");
  },

  async "POST /api/me/delete"() {
    const user = await factories(t).user().create();
    const client = api.as(user.accessToken);
    const wrong = await client.post("/api/me/delete", { body: { password: "not my password" } });
    expectRestError(wrong, 400, "BAD_USER_INPUT");
    expect(fieldPaths(wrong)).toEqual(["password"]);
    // A guest with a stay to come cannot go yet.
    const booked = await stayFixture(t, { instantBook: false });
    const { idempotencyKey, ...body } = bookingInput(booked, nextDates());
    const request = await as(booked.guest).post("/api/bookings", {
      body,
      headers: { "idempotency-key": idempotencyKey ?? randomUUID() },
    });
    expect(request.status, request.text).toBe(200);
    expectRestError(
      await as(booked.guest).post("/api/me/delete", { body: { password: booked.guest.password } }),
      409,
      "INVALID_STATE",
    );
    const ok = await client.post<{ user: { isDeleted: boolean } }>("/api/me/delete", {
      body: { password: user.password },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.user.isDeleted).toBe(true);
    expectRestError(await client.get("/api/me"), 401, "UNAUTHENTICATED");
  },

  async "GET /api/amenities"() {
    const ok = await api.get<Array<{ code: string }>>("/api/amenities");
    expect(ok.status).toBe(200);
    expect(ok.json.length).toBeGreaterThan(0);
    expectRestError(await api.get("/api/amenities", { query: { first: 1 } }), 400, "BAD_USER_INPUT");
  },

  async "GET /api/currencies"() {
    const ok = await api.get<Array<{ code: string }>>("/api/currencies");
    expect(ok.status).toBe(200);
    expect(ok.json.map((currency) => currency.code)).toContain("EUR");
    expectRestError(await api.post("/api/currencies"), 405, "NOT_FOUND");
  },

  async "GET /api/listings"() {
    const found = await api.get<{ edges: Array<{ node: { id: string } }>; totalCount: number }>(
      "/api/listings",
      {
        query: {
          "near.lat": 38.7223,
          "near.lng": -9.1393,
          "near.radiusKm": 5,
          guests: 2,
          sort: "PRICE_ASC",
          first: 50,
        },
      },
    );
    expect(found.status, found.text).toBe(200);
    expect(found.json.edges.map((edge) => edge.node.id)).toContain(stay.listingId);
    const bad = await api.get("/api/listings", {
      query: { guests: "two", "near.lat": "north", checkIn: "2031-02-30", sort: "CHEAPEST", colour: "red" },
    });
    const error = expectRestError(bad, 400, "BAD_USER_INPUT");
    // near.lat is refused, and near without lng and radiusKm is incomplete.
    expect(fieldPaths(bad)).toEqual([
      "checkIn",
      "colour",
      "guests",
      "near.lat",
      "near.lng",
      "near.radiusKm",
      "sort",
    ]);
    expect(error.fields.find((field) => field.path === "colour")?.message).toBe(
      "is not a parameter of this route",
    );
  },

  async "GET /api/listings/{id}"() {
    const ok = await api.get<{ id: string; title: string }>(`/api/listings/${stay.listingId}`);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ id: stay.listingId, title: stay.listing.title });
    expectRestError(
      await api.get(`/api/listings/${encodeGlobalId("Listing", randomUUID())}`),
      404,
      "NOT_FOUND",
    );
    expectRestError(await api.get("/api/listings/not-an-id"), 404, "NOT_FOUND");
    // Another entity's id is no listing either.
    expectRestError(await api.get(`/api/listings/${guest.globalId}`), 404, "NOT_FOUND");
  },

  async "GET /api/listings/{id}/quote"() {
    const dates = nextDates();
    const ok = await api.get<{ nights: number; total: { amount: number } }>(
      `/api/listings/${stay.listingId}/quote`,
      {
        query: { ...dates, guests: 2 },
      },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.nights).toBe(2);
    const bad = await api.get(`/api/listings/${stay.listingId}/quote`, {
      query: { checkIn: dates.checkOut, checkOut: dates.checkIn, guests: 2 },
    });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    const missing = await api.get(`/api/listings/${stay.listingId}/quote`, { query: { guests: 2 } });
    expectRestError(missing, 400, "BAD_USER_INPUT");
    expect(fieldPaths(missing)).toEqual(["checkIn", "checkOut"]);
  },

  async "GET /api/listings/{id}/calendar"() {
    const ok = await api.get<{ id: string; calendar: Array<{ date: string; available: boolean }> }>(
      `/api/listings/${stay.listingId}/calendar`,
      { query: { from: day(10), to: day(13) } },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.calendar.map((night) => night.date)).toEqual([day(10), day(11), day(12)]);
    const bad = await api.get(`/api/listings/${stay.listingId}/calendar`, {
      query: { from: "2031-02-30", to: day(3) },
    });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["from"]);
  },

  async "POST /api/listings"() {
    const body = {
      title: "A REST-made flat",
      propertyType: "APARTMENT",
      roomType: "ENTIRE_PLACE",
      maxGuests: 3,
      nightlyPrice: 9_000,
      currency: "EUR",
      address: { line1: "2 Rua Nova", city: "Lisbon", country: "PT" },
      location: { lat: 38.71, lng: -9.14 },
    };
    const ok = await as(host).post<{ listing: { id: string; title: string; status: string } }>(
      "/api/listings",
      {
        body,
      },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing).toMatchObject({ title: body.title, status: "DRAFT" });
    expectRestError(await api.post("/api/listings", { body }), 401, "UNAUTHENTICATED");
    const { title: _title, ...untitled } = body;
    const bad = await as(host).post("/api/listings", { body: { ...untitled, address: { city: "Lisbon" } } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["address.country", "address.line1", "title"]);
  },

  async "PATCH /api/listings/{id}"() {
    const path = `/api/listings/${stay.listingId}`;
    const ok = await as(host).call<{ listing: { title: string } }>("PATCH", path, {
      body: { title: "Renamed by REST" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.title).toBe("Renamed by REST");
    expectRestError(await as(guest).call("PATCH", path, { body: { title: "Mine now" } }), 403, "FORBIDDEN");
    const clash = await as(host).call("PATCH", path, { body: { listingId: stay.listingId, title: "x" } });
    expectRestError(clash, 400, "BAD_USER_INPUT");
    expect(fieldPaths(clash)).toEqual(["listingId"]);
  },

  async "POST /api/listings/{id}/publish"() {
    const draft = await factories(t).listing(host).create();
    const id = encodeGlobalId("Listing", draft.id);
    const ok = await as(host).post<{ listing: { status: string } }>(`/api/listings/${id}/publish`);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.status).toBe("LISTED");
    expectRestError(await as(guest).post(`/api/listings/${id}/publish`), 403, "FORBIDDEN");
  },

  async "POST /api/listings/{id}/unpublish"() {
    const listed = await factories(t).listing(host).listed().create();
    const id = encodeGlobalId("Listing", listed.id);
    const ok = await as(host).post<{ listing: { status: string } }>(`/api/listings/${id}/unpublish`);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.status).not.toBe("LISTED");
    expectRestError(await as(stranger).post(`/api/listings/${id}/unpublish`), 404, "NOT_FOUND");
  },

  async "POST /api/listings/{id}/photos"() {
    const path = `/api/listings/${stay.listingId}/photos`;
    const ok = await as(host).post<{ listing: { photos: Array<{ url: string }> } }>(path, {
      body: { photos: [{ url: "https://images.example.test/rest.jpg", caption: "Terrace" }] },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.photos.map((photo) => photo.url)).toContain(
      "https://images.example.test/rest.jpg",
    );
    const bad = await as(host).post(path, { body: { photos: [{ caption: "no url" }] } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["photos.0.url"]);
  },

  async "PUT /api/listings/{id}/photos"() {
    const path = `/api/listings/${stay.listingId}/photos`;
    const listing = await api.get<{ photos: Array<{ id: string }> }>(`/api/listings/${stay.listingId}`);
    const reversed = listing.json.photos.map((photo) => photo.id).reverse();
    const ok = await as(host).call<{ listing: { photos: Array<{ id: string }> } }>("PUT", path, {
      body: { photoIds: reversed },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.photos.map((photo) => photo.id)).toEqual(reversed);
    const bad = await as(host).call("PUT", path, { body: { photoIds: reversed.slice(1) } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
  },

  async "DELETE /api/listings/{id}/photos/{photoId}"() {
    const listing = await api.get<{ photos: Array<{ id: string }> }>(`/api/listings/${stay.listingId}`);
    const photoId = listing.json.photos[0]?.id ?? "";
    const path = `/api/listings/${stay.listingId}/photos/${photoId}`;
    expectRestError(await as(guest).call("DELETE", path), 403, "FORBIDDEN");
    const ok = await as(host).call<{ listing: { photos: Array<{ id: string }> } }>("DELETE", path);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.photos.map((photo) => photo.id)).not.toContain(photoId);
  },

  async "PUT /api/listings/{id}/calendar"() {
    const path = `/api/listings/${stay.listingId}/calendar`;
    const ok = await as(host).call("PUT", path, {
      body: { ranges: [{ start: day(300), end: day(302), available: false }] },
    });
    expect(ok.status, ok.text).toBe(200);
    const nights = await api.get<{ calendar: Array<{ available: boolean }> }>(path, {
      query: { from: day(300), to: day(302) },
    });
    expect(nights.json.calendar.map((night) => night.available)).toEqual([false, false]);
    const bad = await as(host).call("PUT", path, { body: { ranges: [{ start: day(302), end: day(300) }] } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["ranges.0.available"]);
  },

  async "GET /api/listings/{id}/calendar-sync"() {
    const path = `/api/listings/${stay.listingId}/calendar-sync`;
    const ok = await as(host).get<{ calendarExportUrl: string; calendarImports: unknown[] }>(path);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.calendarExportUrl).toMatch(/\/ical\/[\w-]{43}\.ics$/);
    expect(Array.isArray(ok.json.calendarImports)).toBe(true);
    const theirs = await as(stranger).get(path);
    expect(theirs.json).toEqual({ id: stay.listingId, calendarExportUrl: null, calendarImports: null });
    expectRestError(await api.get("/api/listings/not-an-id/calendar-sync"), 404, "NOT_FOUND");
  },

  async "POST /api/listings/{id}/calendar-imports"() {
    const path = `/api/listings/${stay.listingId}/calendar-imports`;
    const url = `https://calendar.example.test/${randomUUID()}.ics`;
    const ok = await as(host).post<{ calendarImport: { id: string; url: string; lastSyncedAt: null } }>(
      path,
      {
        body: { url },
      },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.calendarImport).toMatchObject({ url, lastSyncedAt: null });
    expectRestError(await as(host).post(path, { body: { url } }), 409, "CONFLICT");
    const bad = await as(host).post(path, { body: { url: "http://127.0.0.1/feed.ics" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["url"]);
    expectRestError(await as(stranger).post(path, { body: { url: `${url}?other` } }), 403, "FORBIDDEN");
  },

  async "DELETE /api/calendar-imports/{id}"() {
    const made = await as(host).post<{ calendarImport: { id: string } }>(
      `/api/listings/${stay.listingId}/calendar-imports`,
      { body: { url: `https://calendar.example.test/${randomUUID()}.ics` } },
    );
    const path = `/api/calendar-imports/${made.json.calendarImport.id}`;
    expectRestError(await as(stranger).call("DELETE", path), 404, "NOT_FOUND");
    const ok = await as(host).call<{ removedCalendarImportId: string; listing: { id: string } }>(
      "DELETE",
      path,
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toEqual({
      removedCalendarImportId: made.json.calendarImport.id,
      listing: { id: stay.listingId },
    });
    expectRestError(await as(host).call("DELETE", path), 404, "NOT_FOUND");
  },

  async "POST /api/listings/{id}/calendar-export/rotate"() {
    const path = `/api/listings/${stay.listingId}/calendar-export/rotate`;
    const before = (
      await as(host).get<{ calendarExportUrl: string }>(`/api/listings/${stay.listingId}/calendar-sync`)
    ).json.calendarExportUrl;
    const ok = await as(host).post<{ listing: { calendarExportUrl: string } }>(path);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.calendarExportUrl).toMatch(/\/ical\/[\w-]{43}\.ics$/);
    expect(ok.json.listing.calendarExportUrl).not.toBe(before);
    expect((await fetch(onTestServer(before))).status).toBe(404);
    expectRestError(await as(stranger).post(path), 403, "FORBIDDEN");
    expectRestError(await api.post(path), 401, "UNAUTHENTICATED");
  },

  async "GET /api/listings/{id}/reviews"() {
    const reviewed = await completedStay(t, stay, { checkIn: day(-4), checkOut: day(-2) });
    await reviewOk(guest, guestReviewInput(reviewed, 5));
    const ok = await api.get<{ reviews: { edges: unknown[] } }>(`/api/listings/${stay.listingId}/reviews`, {
      query: { first: 5 },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toHaveProperty("reviews");
    expectRestError(
      await api.get(`/api/listings/${stay.listingId}/reviews`, { query: { first: "x" } }),
      400,
      "BAD_USER_INPUT",
    );
  },

  async "GET /api/host/listings"() {
    const ok = await as(host).get<{ edges: Array<{ node: { id: string } }> }>("/api/host/listings");
    expect(ok.status).toBe(200);
    expect(ok.json.edges.map((edge) => edge.node.id)).toContain(stay.listingId);
    expectRestError(await api.get("/api/host/listings"), 401, "UNAUTHENTICATED");
  },

  async "POST /api/bookings"() {
    const { idempotencyKey, ...body } = bookingInput(stay, nextDates());
    const headers = { "idempotency-key": idempotencyKey ?? "" };
    const first = await as(guest).post<{ booking: BookingJson }>("/api/bookings", { body, headers });
    expect(first.status, first.text).toBe(200);
    expect(first.json.booking.status).toBe("PENDING");
    expect(
      await as(guest).post("/api/bookings", { body: { ...body, checkOut: day(400) }, headers }),
    ).toMatchObject({
      status: 422,
      json: { error: { code: "IDEMPOTENCY_KEY_REUSED" } },
    });
    const taken = await as(guest).post("/api/bookings", {
      body,
      headers: { "idempotency-key": randomUUID() },
    });
    expectRestError(taken, 409, "DATES_UNAVAILABLE");
    const declined = await as(guest).post("/api/bookings", {
      body: { ...body, ...nextDates(), paymentMethod: "pm_card_declined" },
      headers: { "idempotency-key": randomUUID() },
    });
    expectRestError(declined, 402, "PAYMENT_FAILED");
    const keyless = await as(guest).post("/api/bookings", { body: { ...body, ...nextDates() } });
    expectRestError(keyless, 400, "BAD_USER_INPUT");
    expect(fieldPaths(keyless)).toEqual(["idempotencyKey"]);
  },

  async "GET /api/bookings/{id}"() {
    const booking = await pendingBooking();
    const ok = await as(host).get<BookingJson>(`/api/bookings/${booking.id}`);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ id: booking.id, status: "PENDING" });
    expectRestError(await as(stranger).get(`/api/bookings/${booking.id}`), 404, "NOT_FOUND");
    expectRestError(await api.get(`/api/bookings/${booking.id}`), 401, "UNAUTHENTICATED");
  },

  async "POST /api/bookings/{id}/accept"() {
    const booking = await pendingBooking();
    expectRestError(await as(guest).post(`/api/bookings/${booking.id}/accept`), 403, "FORBIDDEN");
    const ok = await as(host).post<{ booking: BookingJson }>(`/api/bookings/${booking.id}/accept`);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.booking.status).toBe("CONFIRMED");
    expectRestError(await as(host).post(`/api/bookings/${booking.id}/accept`), 409, "INVALID_STATE");
  },

  async "POST /api/bookings/{id}/decline"() {
    const booking = await pendingBooking();
    const ok = await as(host).post<{ booking: BookingJson }>(`/api/bookings/${booking.id}/decline`, {
      body: { reason: "Closed that week" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.booking.status).toBe("DECLINED");
    expectRestError(await as(host).post(`/api/bookings/${booking.id}/decline`), 409, "INVALID_STATE");
  },

  async "POST /api/bookings/{id}/cancel"() {
    const booking = await pendingBooking();
    const strangers = await as(stranger).post(`/api/bookings/${booking.id}/cancel`, {
      headers: { "idempotency-key": randomUUID() },
    });
    expectRestError(strangers, 404, "NOT_FOUND");
    const ok = await as(guest).post<{ booking: BookingJson }>(`/api/bookings/${booking.id}/cancel`, {
      headers: { "idempotency-key": randomUUID() },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.booking.status).toMatch(/^CANCELLED/);
  },

  async "GET /api/trips"() {
    const booking = await pendingBooking();
    const ok = await as(guest).get<{ edges: Array<{ node: { id: string } }> }>("/api/trips", {
      query: { status: ["PENDING", "CONFIRMED"], first: 100 },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.edges.map((edge) => edge.node.id)).toContain(booking.id);
    const bad = await as(guest).get("/api/trips", { query: { status: "SOON" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["status.0"]);
  },

  async "GET /api/reservations"() {
    const booking = await pendingBooking();
    const ok = await as(host).get<{ edges: Array<{ node: { id: string } }> }>("/api/reservations", {
      query: { listingId: stay.listingId, first: 100 },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.edges.map((edge) => edge.node.id)).toContain(booking.id);
    expectRestError(await api.get("/api/reservations"), 401, "UNAUTHENTICATED");
  },

  async "GET /api/payouts"() {
    const ok = await as(host).get<{ edges: unknown[] }>("/api/payouts");
    expect(ok.status, ok.text).toBe(200);
    expect(Array.isArray(ok.json.edges)).toBe(true);
    expectRestError(await api.get("/api/payouts"), 401, "UNAUTHENTICATED");
  },

  async "POST /api/reviews"() {
    const reviewed = await completedStay(t, stay, { checkIn: day(-8), checkOut: day(-6) });
    const body = guestReviewInput(reviewed, 4);
    const ok = await as(guest).post<{ review: { id: string; rating: number } }>("/api/reviews", { body });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.review.rating).toBe(4);
    expectRestError(await as(stranger).post("/api/reviews", { body }), 404, "NOT_FOUND");
    const bad = await as(guest).post("/api/reviews", { body: { ...body, rating: "five" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["rating"]);
  },

  async "POST /api/reviews/{id}/response"() {
    const reviewed = await completedStay(t, stay, { checkIn: day(-12), checkOut: day(-10) });
    const review = await reviewBothSides(reviewed, 3); // published once both sides wrote
    const path = `/api/reviews/${review.id}/response`;
    expectRestError(await as(guest).post(path, { body: { response: "Me again" } }), 403, "FORBIDDEN");
    // The review is public, so a stranger is told no rather than "no such review".
    expectRestError(await as(stranger).post(path, { body: { response: "Who?" } }), 403, "FORBIDDEN");
    const unknown = `/api/reviews/${encodeGlobalId("Review", randomUUID())}/response`;
    expectRestError(await as(host).post(unknown, { body: { response: "?" } }), 404, "NOT_FOUND");
    const ok = await as(host).post<{ review: { id: string } }>(path, { body: { response: "Thank you" } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.review.id).toBe(review.id);
  },

  async "GET /api/conversations"() {
    const {
      conversation: { id: conversationId },
    } = await inquire(guest, stay.listingId, "Is there a lift?");
    const ok = await as(host).get<{ edges: Array<{ node: { id: string } }> }>("/api/conversations");
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.edges.map((edge) => edge.node.id)).toContain(conversationId);
    expectRestError(await api.get("/api/conversations"), 401, "UNAUTHENTICATED");
  },

  async "GET /api/conversations/{id}"() {
    const {
      conversation: { id: conversationId },
    } = await inquire(guest, stay.listingId, "Can we check in early?");
    const ok = await as(guest).get<{ id: string; messages: { edges: unknown[] } }>(
      `/api/conversations/${conversationId}`,
      { query: { last: 10 } },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.id).toBe(conversationId);
    expectRestError(await as(stranger).get(`/api/conversations/${conversationId}`), 404, "NOT_FOUND");
  },

  async "POST /api/conversations/{id}/messages"() {
    const {
      conversation: { id: conversationId },
    } = await inquire(guest, stay.listingId, "Parking?");
    const path = `/api/conversations/${conversationId}/messages`;
    const ok = await as(host).post<{ message: { body: string } }>(path, {
      body: { body: "Yes, in the garage." },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.message.body).toBe("Yes, in the garage.");
    expectRestError(await as(stranger).post(path, { body: { body: "Hello?" } }), 404, "NOT_FOUND");
    const empty = await as(host).post(path, { body: { body: "" } });
    expectRestError(empty, 400, "BAD_USER_INPUT");
    expect(fieldPaths(empty)).toEqual(["body"]);
  },

  async "POST /api/messages"() {
    const ok = await as(stranger).post<{ message: { body: string; conversation: { id: string } } }>(
      "/api/messages",
      {
        body: { listingId: stay.listingId, body: "Are pets allowed?" },
      },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.message.conversation.id).toBeTruthy();
    const own = await as(host).post("/api/messages", { body: { listingId: stay.listingId, body: "Hi me" } });
    expectRestError(own, 400, "BAD_USER_INPUT");
  },

  async "POST /api/conversations/{id}/read"() {
    const {
      conversation: { id: conversationId },
    } = await inquire(guest, stay.listingId, "Wifi speed?");
    const ok = await as(host).post(`/api/conversations/${conversationId}/read`);
    expect(ok.status, ok.text).toBe(200);
    expectRestError(await as(stranger).post(`/api/conversations/${conversationId}/read`), 404, "NOT_FOUND");
  },

  async "GET /api/wishlists"() {
    const made = await as(guest).post<{ wishlist: { id: string } }>("/api/wishlists", {
      body: { name: "Lisbon" },
    });
    const ok = await as(guest).get<Array<{ id: string; name: string }>>("/api/wishlists");
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.map((list) => list.id)).toContain(made.json.wishlist.id);
    expectRestError(await api.get("/api/wishlists"), 401, "UNAUTHENTICATED");
  },

  async "POST /api/wishlists"() {
    const ok = await as(stranger).post<{ wishlist: { name: string } }>("/api/wishlists", {
      body: { name: "Beaches" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.wishlist.name).toBe("Beaches");
    expectRestError(
      await as(stranger).post("/api/wishlists", { body: { name: "Beaches" } }),
      409,
      "CONFLICT",
    );
    const bad = await as(stranger).post("/api/wishlists", { body: {} });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["name"]);
  },

  async "POST /api/wishlists/{id}/listings"() {
    const made = await as(guest).post<{ wishlist: { id: string } }>("/api/wishlists", {
      body: { name: "Saved" },
    });
    const path = `/api/wishlists/${made.json.wishlist.id}/listings`;
    const ok = await as(guest).post(path, { body: { listingId: stay.listingId } });
    expect(ok.status, ok.text).toBe(200);
    expectRestError(await as(stranger).post(path, { body: { listingId: stay.listingId } }), 404, "NOT_FOUND");
  },

  async "DELETE /api/wishlists/{id}/listings/{listingId}"() {
    const made = await as(guest).post<{ wishlist: { id: string } }>("/api/wishlists", {
      body: { name: "Maybe" },
    });
    const wishlistId = made.json.wishlist.id;
    await as(guest).post(`/api/wishlists/${wishlistId}/listings`, { body: { listingId: stay.listingId } });
    const path = `/api/wishlists/${wishlistId}/listings/${stay.listingId}`;
    expectRestError(await as(stranger).call("DELETE", path), 404, "NOT_FOUND");
    const ok = await as(guest).call("DELETE", path);
    expect(ok.status, ok.text).toBe(200);
    const lists =
      await as(guest).get<Array<{ id: string; listings: { totalCount: number } }>>("/api/wishlists");
    expect(lists.json.find((list) => list.id === wishlistId)?.listings.totalCount).toBe(0);
  },

  async "GET /api/notifications"() {
    await pendingBooking(); // the host hears of the request
    const ok = await as(host).get<{ notifications: { edges: unknown[] }; unreadNotificationCount: number }>(
      "/api/notifications",
      { query: { unreadOnly: true } },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.unreadNotificationCount).toBeGreaterThan(0);
    expect(ok.json.notifications.edges.length).toBeGreaterThan(0);
    const bad = await as(host).get("/api/notifications", { query: { unreadOnly: "yes" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["unreadOnly"]);
  },

  async "POST /api/notifications/read"() {
    const ok = await as(host).post<{ unreadCount: number }>("/api/notifications/read", { body: {} });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.unreadCount).toBe(0);
    expectRestError(await api.post("/api/notifications/read", { body: {} }), 401, "UNAUTHENTICATED");
  },

  // ─── Moderation ───────────────────────────────────────────────────────────

  async "POST /api/admin/listings/{id}/suspend"() {
    const listing = encodeGlobalId("Listing", (await factories(t).listing(host).listed().create()).id);
    const path = `/api/admin/listings/${listing}/suspend`;
    expectRestError(await as(host).post(path, { body: { reason: "mine" } }), 403, "FORBIDDEN");
    expectRestError(await api.post(path, { body: { reason: "anyone" } }), 401, "UNAUTHENTICATED");
    const ok = await as(await admin()).post<{ listing: { status: string } }>(path, {
      body: { reason: "Fake photos" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.status).toBe("SUSPENDED");
    expectRestError(await as(await admin()).post(path, { body: { reason: "again" } }), 409, "INVALID_STATE");
  },

  async "POST /api/admin/listings/{id}/reinstate"() {
    const listing = encodeGlobalId("Listing", (await factories(t).listing(host).listed().create()).id);
    await as(await admin()).post(`/api/admin/listings/${listing}/suspend`, {
      body: { reason: "Fake photos" },
    });
    const path = `/api/admin/listings/${listing}/reinstate`;
    const ok = await as(await admin()).post<{ listing: { status: string } }>(path, {
      body: { reason: "Fixed" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.listing.status).toBe("LISTED");
    expectRestError(await as(await admin()).post(path, { body: { reason: "again" } }), 409, "INVALID_STATE");
  },

  async "POST /api/admin/users/{id}/suspend"() {
    const target = await factories(t).user().create();
    const path = `/api/admin/users/${target.globalId}/suspend`;
    expectRestError(await as(guest).post(path, { body: { reason: "spam" } }), 403, "FORBIDDEN");
    const ok = await as(await admin()).post<{ user: { suspendedAt: string | null } }>(path, {
      body: { reason: "Spam" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.user.suspendedAt).toEqual(expect.any(String));
    expectRestError(await as(target).get("/api/me"), 401, "UNAUTHENTICATED");
    const login = await api.post("/api/auth/login", {
      body: { email: target.email, password: target.password },
    });
    expectRestError(login, 403, "FORBIDDEN");
  },

  async "POST /api/admin/users/{id}/reinstate"() {
    const target = await factories(t).user().create();
    await as(await admin()).post(`/api/admin/users/${target.globalId}/suspend`, { body: { reason: "Spam" } });
    const path = `/api/admin/users/${target.globalId}/reinstate`;
    const ok = await as(await admin()).post<{ user: { suspendedAt: string | null } }>(path, {
      body: { reason: "Appeal" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.user.suspendedAt).toBeNull();
    expectRestError(await as(await admin()).post(path, { body: { reason: "again" } }), 409, "INVALID_STATE");
  },

  async "POST /api/admin/reviews/{id}/hide"() {
    const reviewed = await completedStay(t, stay, { checkIn: day(-5), checkOut: day(-4) });
    const review = await reviewBothSides(reviewed, 1);
    const path = `/api/admin/reviews/${review.id}/hide`;
    const bad = await as(await admin()).post(path, { body: { reason: "" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["reason"]);
    const ok = await as(await admin()).post<{ review: { id: string; hiddenAt: string } }>(path, {
      body: { reason: "Abusive" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.review).toMatchObject({ id: review.id, hiddenAt: expect.any(String) });
    expectRestError(await as(host).post(path, { body: { reason: "I agree" } }), 403, "FORBIDDEN");
  },

  async "POST /api/admin/reviews/{id}/unhide"() {
    const reviewed = await completedStay(t, stay, { checkIn: day(-7), checkOut: day(-6) });
    const review = await reviewBothSides(reviewed, 2);
    const path = `/api/admin/reviews/${review.id}/unhide`;
    expectRestError(
      await as(await admin()).post(path, { body: { reason: "Not hidden yet" } }),
      409,
      "INVALID_STATE",
    );
    await as(await admin()).post(`/api/admin/reviews/${review.id}/hide`, { body: { reason: "Abusive" } });
    const bad = await as(await admin()).post(path, { body: { reason: "" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["reason"]);
    expectRestError(await as(host).post(path, { body: { reason: "Please" } }), 403, "FORBIDDEN");
    const ok = await as(await admin()).post<{ review: { id: string; hiddenAt: string | null } }>(path, {
      body: { reason: "Appeal upheld" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.review).toEqual(expect.objectContaining({ id: review.id, hiddenAt: null }));
  },

  async "POST /api/admin/bookings/{id}/refund"() {
    const booking = await pendingBooking();
    await as(host).post(`/api/bookings/${booking.id}/accept`);
    const path = `/api/admin/bookings/${booking.id}/refund`;
    const headers = { "idempotency-key": randomUUID() };
    const body = { amount: 1_000, reason: "Broken heating" };
    const ok = await as(await admin()).post<{ booking: { payment: { refunded: { amount: number } } } }>(
      path,
      {
        body,
        headers,
      },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.booking.payment.refunded.amount).toBe(1_000);
    const replay = await as(await admin()).post(path, { body, headers });
    expect(replay.text).toBe(ok.text);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const tooMuch = await as(await admin()).post(path, {
      body: { ...body, amount: booking.total.amount },
      headers: { "idempotency-key": randomUUID() },
    });
    expectRestError(tooMuch, 400, "BAD_USER_INPUT");
    expect(fieldPaths(tooMuch)).toEqual(["amount"]);
    expectRestError(
      await as(guest).post(path, { body, headers: { "idempotency-key": randomUUID() } }),
      403,
      "FORBIDDEN",
    );
  },

  async "POST /api/listings/{id}/report"() {
    const path = `/api/listings/${stay.listingId}/report`;
    const ok = await as(stranger).post<{ report: { status: string; targetType: string } }>(path, {
      body: { reason: "Looks like a scam" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.report).toMatchObject({ status: "OPEN", targetType: "LISTING" });
    const own = await as(host).post(path, { body: { reason: "mine" } });
    expectRestError(own, 400, "BAD_USER_INPUT");
    expect(fieldPaths(own)).toEqual(["listingId"]);
  },

  async "POST /api/reviews/{id}/report"() {
    const reviewed = await completedStay(t, stay, { checkIn: day(-3), checkOut: day(-2) });
    const review = await reviewBothSides(reviewed, 2);
    const path = `/api/reviews/${review.id}/report`;
    const ok = await as(host).post<{ report: { targetType: string } }>(path, { body: { reason: "Untrue" } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.report.targetType).toBe("REVIEW");
    expectRestError(await api.post(path, { body: { reason: "anyone" } }), 401, "UNAUTHENTICATED");
  },

  async "POST /api/users/{id}/report"() {
    const path = `/api/users/${host.globalId}/report`;
    const ok = await as(stranger).post<{ report: { targetType: string } }>(path, {
      body: { reason: "Rude" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.report.targetType).toBe("USER");
    const bad = await as(stranger).post(path, { body: { reason: "x".repeat(1_001) } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["reason"]);
  },

  async "GET /api/admin/reports"() {
    await as(stranger).post(`/api/users/${guest.globalId}/report`, { body: { reason: "Spam" } });
    const ok = await as(await admin()).get<{
      totalCount: number;
      edges: Array<{ node: { status: string } }>;
    }>("/api/admin/reports", { query: { status: "OPEN", first: 5 } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.totalCount).toBeGreaterThan(0);
    expect(ok.json.edges.every((edge) => edge.node.status === "OPEN")).toBe(true);
    expectRestError(await as(guest).get("/api/admin/reports"), 403, "FORBIDDEN");
    const bad = await as(await admin()).get("/api/admin/reports", { query: { status: "SOMETIMES" } });
    expectRestError(bad, 400, "BAD_USER_INPUT");
  },

  async "POST /api/admin/reports/{id}/resolve"() {
    const filed = await as(stranger).post<{ report: { id: string } }>(
      `/api/listings/${stay.listingId}/report`,
      {
        body: { reason: "Still a scam" },
      },
    );
    const path = `/api/admin/reports/${filed.json.report.id}/resolve`;
    const ok = await as(await admin()).post<{ report: { status: string } }>(path, {
      body: { resolution: "DISMISSED", note: "Checked: genuine" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.report.status).toBe("DISMISSED");
    expectRestError(
      await as(await admin()).post(path, { body: { resolution: "RESOLVED" } }),
      409,
      "INVALID_STATE",
    );
  },

  async "GET /api/admin/audit-log"() {
    const listing = encodeGlobalId("Listing", (await factories(t).listing(host).listed().create()).id);
    await as(await admin()).post(`/api/admin/listings/${listing}/suspend`, { body: { reason: "Audit me" } });
    const ok = await as(await admin()).get<{ edges: Array<{ node: { action: string; reason: string } }> }>(
      "/api/admin/audit-log",
      { query: { entityId: listing } },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.edges.map((edge) => [edge.node.action, edge.node.reason])).toEqual([
      ["listing.suspended", "Audit me"],
    ]);
    expectRestError(await api.get("/api/admin/audit-log"), 401, "UNAUTHENTICATED");
  },
};

describe("the route table", () => {
  it("serves every route of CONTRACT §8", () => {
    expect(CONTRACT_ROUTES.filter((route) => !served.includes(route))).toEqual([]);
  });

  it("has a case below for every route it serves, and none for a route it does not", () => {
    expect(Object.keys(cases).sort()).toEqual([...served].sort());
  });
});

describe("GET /ical/{token}.ics", () => {
  it("serves a listing's calendar by its secret token, with no authentication, and 404 otherwise", async () => {
    const { calendarExportUrl } = (
      await as(host).get<{ calendarExportUrl: string }>(`/api/listings/${stay.listingId}/calendar-sync`)
    ).json;
    const ok = await fetch(onTestServer(calendarExportUrl));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(await ok.text()).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*END:VCALENDAR\r\n$/);
    const missing = await fetch(`${t.url}/ical/${"x".repeat(43)}.ics`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

describe.each(Object.keys(cases))("%s", (route) => {
  it("succeeds, and refuses with the contract's error body", async () => {
    await cases[route]?.();
  });
});
