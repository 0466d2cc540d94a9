// updateListing's rules that depend on what is stored: a LISTED listing keeps satisfying the
// publish rules, nights are checked across stored and new values, and the currency stays
// while amounts or bookings exist in it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PublishListingDocument,
  SetAvailabilityDocument,
  UpdateListingDocument,
} from "../../../schema/generated/graphql.ts";
import { addDays, formatCalendarDate, localDate } from "../../../src/core/calendar-date.ts";
import { AppError } from "../../../src/core/errors.ts";
import type { Listing } from "../../../src/generated/prisma/client.ts";
import { encodeGlobalId } from "../../../src/graphql/global-id.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { insertBookingRow } from "../../helpers/booking-rows.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { updateListing } from "../../../src/modules/listings/service.ts";

let t: TestApp;
let host: TestUser;
let guest: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  host = await factories(t).user().host().create();
  guest = await factories(t).user().create();
});
afterAll(() => t.close());

const update = (listing: Listing, fields: Record<string, unknown>) =>
  host.client.request(UpdateListingDocument, {
    input: { listingId: encodeGlobalId("Listing", listing.id), ...fields },
  });

/** A date `days` from now, as YYYY-MM-DD (the factory's listings are in UTC). */
const daysAhead = (days: number) => formatCalendarDate(addDays(localDate(new Date(), "UTC"), days));

describe("a LISTED listing keeps satisfying the publish rules", () => {
  it.each([[""], ["   \n\t "], ["\u200B\u200B"]])("refuses the blank description %j", async (description) => {
    const listing = await factories(t).listing(host).listed().create();
    const result = await update(listing, { description });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([
      { path: "description", message: "must not be empty while the listing is listed" },
    ]);
    const stored = await t.app.db.listing.findUniqueOrThrow({ where: { id: listing.id } });
    expect(stored.description).toBe(listing.description);
  });

  it("lets a draft or an unlisted listing have an empty description", async () => {
    for (const status of ["DRAFT", "UNLISTED"] as const) {
      const listing = await factories(t).listing(host).with({ status }).create();
      expect(codeOf(await update(listing, { description: "" }))).toBeUndefined();
    }
  });
});

describe("nights across stored and new values", () => {
  it("answers BAD_USER_INPUT with a field, never a 500, when two updates cross minNights and maxNights", async () => {
    // Each update alone is valid; together they would break min ≤ max (the database's CHECK).
    for (let round = 0; round < 10; round++) {
      const listing = await factories(t).listing(host).with({ minNights: 1, maxNights: 30 }).create();
      const results = await Promise.all([
        update(listing, { minNights: 20 }),
        update(listing, { maxNights: 10 }),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual([200, 400]);
      const refused = results.find((result) => result.errors);
      expect(codeOf(refused ?? {})).toBe("BAD_USER_INPUT");
      expect(["minNights", "maxNights"]).toContain(fieldsOf(refused ?? {})[0]?.path);
      const stored = await t.app.db.listing.findUniqueOrThrow({ where: { id: listing.id } });
      expect(stored.minNights).toBeLessThanOrEqual(stored.maxNights);
    }
  });

  it("refuses at the edge what the database's CHECK would, and maps the CHECK itself to BAD_USER_INPUT", async () => {
    const listing = await factories(t).listing(host).create();
    expect(fieldsOf(await update(listing, { bedrooms: -1 }))).toEqual([
      { path: "bedrooms", message: "must be at least 0" },
    ]);
    // A caller that skips the GraphQL edge (a job, a script) still meets the CHECK, as a contract error.
    const actor = { kind: "user", userId: host.id, role: "HOST" } as const;
    const failure = await updateListing(actor, { listingId: listing.id, bedrooms: -1 }, t.app).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe("BAD_USER_INPUT");
  });

  it("names maxNights when only it is given and falls below the stored minNights", async () => {
    const listing = await factories(t).listing(host).with({ minNights: 5, maxNights: 30 }).create();
    const result = await update(listing, { maxNights: 4 });
    expect(fieldsOf(result)).toEqual([{ path: "maxNights", message: "must not be below minNights (5)" }]);
  });
});

describe("changing the currency", () => {
  const refusal = {
    path: "currency",
    message: "cannot change while custom night prices or live bookings exist in EUR",
  };

  it("is allowed while nothing is priced or booked in the old one", async () => {
    const listing = await factories(t).listing(host).create();
    const result = await update(listing, { currency: "USD" });
    expect(codeOf(result)).toBeUndefined();
    expect(result.data?.updateListing.listing.nightlyPrice.currency).toBe("USD");
  });

  it("is refused while custom night prices exist", async () => {
    const listing = await factories(t).listing(host).listed().create();
    await host.client.ok(SetAvailabilityDocument, {
      input: {
        listingId: encodeGlobalId("Listing", listing.id),
        ranges: [{ start: daysAhead(10), end: daysAhead(12), available: true, nightlyPrice: 15_000 }],
      },
    });
    const result = await update(listing, { currency: "USD", title: "Priced in dollars now" });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([refusal]);
    const stored = await t.app.db.listing.findUniqueOrThrow({ where: { id: listing.id } });
    expect([stored.currency, stored.title]).toEqual(["EUR", listing.title]);
    // Naming the currency it already has is no change.
    expect(codeOf(await update(listing, { currency: "EUR" }))).toBeUndefined();
  });

  it.each(["PENDING", "CONFIRMED"] as const)("is refused while a %s booking exists", async (status) => {
    const listing = await factories(t).listing(host).listed().create();
    await insertBookingRow(t, {
      listing,
      guest,
      checkIn: daysAhead(20),
      checkOut: daysAhead(23),
      status,
    });
    const result = await update(listing, { currency: "GBP" });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result)).toEqual([refusal]);
  });

  it("is allowed when the only bookings are over (cancelled, declined)", async () => {
    const listing = await factories(t).listing(host).listed().create();
    for (const status of ["CANCELLED", "DECLINED"] as const) {
      await insertBookingRow(t, { listing, guest, checkIn: daysAhead(20), checkOut: daysAhead(23), status });
    }
    expect(codeOf(await update(listing, { currency: "GBP" }))).toBeUndefined();
  });
});

describe("audit rows", () => {
  it("are written with the change, naming the actor, the client's address and the request", async () => {
    const listing = await factories(t).listing(host).create();
    await update(listing, { title: "An audited new title" });
    await host.client.ok(PublishListingDocument, {
      input: { listingId: encodeGlobalId("Listing", listing.id) },
    });
    const rows = await t.app.db.auditLog.findMany({
      where: { entityId: listing.id },
      orderBy: { createdAt: "asc" },
    });
    expect(rows.map((row) => [row.action, row.actorId, row.entityType])).toEqual([
      ["listing.updated", host.id, "Listing"],
      ["listing.published", host.id, "Listing"],
    ]);
    for (const row of rows) {
      expect(row.ip).toMatch(/127\.0\.0\.1/);
      expect(row.requestId).toBeTruthy();
    }
    expect(rows[0]?.requestId).not.toBe(rows[1]?.requestId);
  });

  it("are written in the change's own transaction, and not at all for a refused change", async () => {
    const listing = await factories(t).listing(host).listed().create();
    await update(listing, { title: "A title in one transaction" });
    // xmin names the transaction that wrote a row: the listing's update and its audit row share it.
    const [written] = await t.app.db.$queryRaw<Array<{ listing: string; audit: string }>>`
      SELECT l.xmin::text AS listing, a.xmin::text AS audit
      FROM listings l JOIN audit_log a ON a.entity_id = l.id AND a.action = 'listing.updated'
      WHERE l.id = ${listing.id}::uuid`;
    expect(written?.audit).toBe(written?.listing);

    expect(codeOf(await update(listing, { title: "Another title", description: "" }))).toBe("BAD_USER_INPUT");
    expect(await t.app.db.auditLog.count({ where: { entityId: listing.id } })).toBe(1);
  });
});

describe("prices within the limits of the listing's currency", () => {
  it("refuses a nightly price above the stored currency's maximum when the input has no currency", async () => {
    const listing = await factories(t).listing(host).with({ currency: "EUR", nightlyPrice: 10_000 }).create();
    const result = await update(listing, { nightlyPrice: 3_000_000 });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result).map((field) => field.path)).toEqual(["nightlyPrice"]);
    expect(codeOf(await update(listing, { nightlyPrice: 2_000_000 }))).toBeUndefined();
  });

  it("checks the stored prices again when only the currency changes", async () => {
    // ¥2,500,000 is within JPY's limits; read as euro cents it is EUR 25,000.00, above EUR's.
    const listing = await factories(t)
      .listing(host)
      .with({ currency: "JPY", nightlyPrice: 2_500_000 })
      .create();
    const result = await update(listing, { currency: "EUR" });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(result).map((field) => field.path)).toEqual(["nightlyPrice"]);
  });
});
