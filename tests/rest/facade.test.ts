// The REST facade's own rules: idempotent replays byte for byte, malformed requests, the GraphQL
// path's limits and persisted-only mode applying to REST too, and one log line per request.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogInDocument, SignUpDocument } from "../../schema/generated/graphql.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import type { KeyValueStore } from "../../src/infra/kv.ts";
import { createLogger } from "../../src/infra/logger.ts";
import { createYogaServer } from "../../src/server.ts";
import { bookingInput, rawId, type Stay, stayFixture, staySequence } from "../helpers/bookings.ts";
import { codeOf } from "../helpers/client.ts";
import { expectRestError, fieldPaths, RestClient } from "../helpers/rest.ts";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const nextDates = staySequence(day(50), 2);

let t: TestApp;
let api: RestClient;
let stay: Stay;

beforeAll(async () => {
  t = await startTestApp();
  api = new RestClient(t.url);
  stay = await stayFixture(t);
});
afterAll(async () => {
  await t?.close();
});

const guestApi = () => api.as(stay.guest.accessToken);

function bookingBody() {
  const { idempotencyKey: _key, ...body } = bookingInput(stay, nextDates());
  return body;
}

describe("Idempotency-Key", () => {
  it("a replay answers the first response byte for byte, even after the booking has moved on", async () => {
    const key = randomUUID();
    const body = bookingBody();
    const first = await guestApi().post<{ booking: { id: string; status: string } }>("/api/bookings", {
      body,
      headers: { "idempotency-key": key },
    });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const bookingId = first.json.booking.id;

    const accepted = await api.as(stay.host.accessToken).post(`/api/bookings/${bookingId}/accept`);
    expect(accepted.status, accepted.text).toBe(200);

    const replay = await guestApi().post("/api/bookings", { body, headers: { "idempotency-key": key } });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    // The booking itself did move on: the replay is the first answer, not a new read.
    const now = await guestApi().get<{ status: string }>(`/api/bookings/${bookingId}`);
    expect(now.json.status).toBe("CONFIRMED");
    expect(first.json.booking.status).toBe("PENDING");
  });

  it("concurrent twins all get the same bytes, and one booking is made", async () => {
    const key = randomUUID();
    const body = bookingBody();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        guestApi().post("/api/bookings", { body, headers: { "idempotency-key": key } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    const count = await t.app.db.booking.count({
      where: { guestId: stay.guest.id, checkIn: new Date(`${body.checkIn}T00:00:00Z`) },
    });
    expect(count).toBe(1);
  });

  it("a decided refusal is replayed too; another key is a new request", async () => {
    const key = randomUUID();
    const body = { ...bookingBody(), paymentMethod: "pm_card_declined" };
    const first = await guestApi().post("/api/bookings", { body, headers: { "idempotency-key": key } });
    expectRestError(first, 402, "PAYMENT_FAILED");
    const replay = await guestApi().post("/api/bookings", { body, headers: { "idempotency-key": key } });
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");

    const fresh = await guestApi().post("/api/bookings", {
      body: { ...body, paymentMethod: "pm_card_visa" },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(fresh.status, fresh.text).toBe(200);
  });

  it("the same key with another body is IDEMPOTENCY_KEY_REUSED, and the first answer stays", async () => {
    const key = randomUUID();
    const body = bookingBody();
    const first = await guestApi().post("/api/bookings", { body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(200);
    const reused = await guestApi().post("/api/bookings", {
      body: { ...body, guests: 1 },
      headers: { "idempotency-key": key },
    });
    expectRestError(reused, 422, "IDEMPOTENCY_KEY_REUSED");
    const replay = await guestApi().post("/api/bookings", { body, headers: { "idempotency-key": key } });
    expect(replay.text).toBe(first.text);
  });

  it("keys are per user: another guest's request with the same key is their own", async () => {
    const key = randomUUID();
    const body = bookingBody();
    const mine = await guestApi().post("/api/bookings", { body, headers: { "idempotency-key": key } });
    expect(mine.status).toBe(200);
    const other = await stayFixture(t);
    const theirs = await api.as(other.guest.accessToken).post("/api/bookings", {
      body: { ...body, listingId: other.listingId },
      headers: { "idempotency-key": key },
    });
    expect(theirs.status, theirs.text).toBe(200);
    expect(theirs.text).not.toBe(mine.text);
  });

  it("with the replay store down, a retry still books once: the operation's own key holds", async () => {
    const down = () => Promise.reject(new Error("store down"));
    const kv: KeyValueStore = { ...t.app.kv, get: down, setIfAbsent: down };
    const yoga = createYogaServer({ ...t.app, kv });
    try {
      const stayInput = bookingBody();
      const body = JSON.stringify(stayInput);
      const call = async () => {
        const response = await yoga.fetch("http://localhost/api/bookings", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${stay.guest.accessToken}`,
            "idempotency-key": "store-down-key",
          },
          body,
        });
        return {
          status: response.status,
          replayed: response.headers.get("idempotent-replayed"),
          json: (await response.json()) as { booking: { id: string } },
        };
      };
      const first = await call();
      const second = await call();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.json.booking.id).toBe(first.json.booking.id);
      expect(second.replayed).toBeNull();
      const bookings = await t.app.db.booking.findMany({
        where: { guestId: stay.guest.id, checkIn: new Date(`${stayInput.checkIn}T00:00:00Z`) },
      });
      expect(bookings.map((booking) => booking.id)).toEqual([rawId(first.json.booking.id)]);
    } finally {
      await yoga.dispose();
    }
  });

  it("an invalid key is refused at the edge and nothing is kept", async () => {
    const body = bookingBody();
    const bad = await guestApi().post("/api/bookings", {
      body,
      headers: { "idempotency-key": "x".repeat(300) },
    });
    expectRestError(bad, 400, "BAD_USER_INPUT");
    expect(fieldPaths(bad)).toEqual(["idempotencyKey"]);
  });
});

describe("malformed requests", () => {
  it("a body that is not JSON, not an object, or not declared JSON", async () => {
    const client = guestApi();
    const broken = await client.post("/api/bookings", { body: "{ not json" });
    expect(expectRestError(broken, 400, "BAD_USER_INPUT").message).toMatch(/not valid JSON/);
    const list = await client.post("/api/bookings", { body: [1, 2] });
    expect(expectRestError(list, 400, "BAD_USER_INPUT").message).toMatch(/JSON object/);
    const form = await client.post("/api/bookings", {
      body: "listingId=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectRestError(form, 415, "BAD_USER_INPUT");
  });

  it("a body over the limit is refused with 413", async () => {
    const response = await guestApi().post("/api/messages", {
      body: { listingId: stay.listingId, body: "x".repeat(1_200_000) },
    });
    expect(response.status).toBe(413);
  });

  it("unknown routes, wrong methods and broken path escapes", async () => {
    expectRestError(await api.get("/api/nothing-here"), 404, "NOT_FOUND");
    expectRestError(await api.get("/api"), 404, "NOT_FOUND");
    const wrongMethod = await api.call("PUT", "/api/bookings");
    expectRestError(wrongMethod, 405, "NOT_FOUND");
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expectRestError(await api.get("/api/listings/%E0%A4%A"), 404, "NOT_FOUND");
  });

  it("control characters and unknown fields in a body are input errors, not crashes", async () => {
    const unknown = await guestApi().post("/api/bookings", {
      body: { ...bookingBody(), coupon: "FREE" },
      headers: { "idempotency-key": randomUUID() },
    });
    expectRestError(unknown, 400, "BAD_USER_INPUT");
    expect(fieldPaths(unknown)).toEqual(["coupon"]);
    const nul = await guestApi().post("/api/messages", {
      body: { listingId: stay.listingId, body: "hi\u0000there" },
    });
    expectRestError(nul, 400, "BAD_USER_INPUT");
  });
});

describe("one execution path", () => {
  it("the REST request is logged and counted once, under /api, not a second time under /graphql", async () => {
    const metric = async (route: string) => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const line = text
        .split("\n")
        .find(
          (row) =>
            row.startsWith("roost_http_requests_total{") &&
            row.includes(`route="${route}"`) &&
            row.includes('method="GET"') &&
            row.includes('status="200"'),
        );
      return Number(line?.split(" ").at(-1) ?? 0);
    };
    const [apiBefore, graphqlBefore] = [await metric("/api"), await metric("/graphql")];
    const response = await api.get(`/api/listings/${stay.listingId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(await metric("/api")).toBe(apiBefore + 1);
    expect(await metric("/graphql")).toBe(graphqlBefore);
  });
});

describe("one request id", () => {
  let logged: TestApp;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    const destination = {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    };
    logged = await startTestApp({ logger: createLogger("info", destination) });
  });
  afterAll(async () => {
    await logged?.close();
  });

  it("the service's log lines and the single access-log line carry the id the response names", async () => {
    const response = await new RestClient(logged.url).post("/api/auth/signup", {
      body: {
        email: `ids-${randomUUID()}@example.com`,
        password: "a long password",
        firstName: "I",
        lastName: "D",
      },
    });
    expect(response.status).toBe(200);
    const id = response.headers.get("x-request-id");
    expect(id).toBeTruthy();
    const mine = lines.filter((line) => line.requestId === id);
    expect(mine.filter((line) => line.msg === "request").map((line) => line.route)).toEqual(["/api"]);
    expect(mine.map((line) => line.msg)).toContain("user signed up");
  });
});

describe("limits shared with GraphQL", () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({
      configure: (config) => {
        config.auth.signUpsPerIpPerHour = 2;
      },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it("a rate limit counts REST and GraphQL requests together, and 429 carries Retry-After", async () => {
    const client = new RestClient(limited.url);
    const signUp = (n: number) => ({
      email: `limited-${n}-${randomUUID()}@example.com`,
      password: "a long password",
      firstName: "Li",
      lastName: "Mit",
    });
    expect((await client.post("/api/auth/signup", { body: signUp(1) })).status).toBe(200);
    const overGraphql = await limited.client.request(SignUpDocument, { input: signUp(2) });
    expect(overGraphql.errors).toBeUndefined();
    const refused = await client.post("/api/auth/signup", { body: signUp(3) });
    expectRestError(refused, 429, "RATE_LIMITED");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  });
});

describe("persisted-only mode", () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({
      configure: (config) => {
        config.persistedOnly = true;
      },
    });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it("refuses an ad-hoc document over GraphQL, serves stored ones over GraphQL and REST", async () => {
    const adHoc = await strict.client.request("query { __typename }");
    expect(codeOf(adHoc)).toBe("PERSISTED_QUERY_ONLY");
    const email = `strict-${randomUUID()}@example.com`;
    const client = new RestClient(strict.url);
    const signedUp = await client.post("/api/auth/signup", {
      body: { email, password: "a long password", firstName: "Per", lastName: "Sisted" },
    });
    expect(signedUp.status, signedUp.text).toBe(200);
    const loggedIn = await strict.client.request(LogInDocument, {
      input: { email, password: "a long password" },
    });
    expect(loggedIn.errors).toBeUndefined();
    const me = await client.as(loggedIn.data?.logIn.accessToken ?? "").get<{ email: string }>("/api/me");
    expect(me.json.email).toBe(email);
  });
});
