// Idempotency keys on the booking mutations, over real HTTP: a retry returns the first answer and
// moves no money twice, even when 20 identical requests arrive at once.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  AcceptBookingDocument,
  CancelBookingDocument,
  type CancelBookingInput,
} from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import {
  book,
  bookingInput,
  expectBooksBalanced,
  rawId,
  requestBooking,
  stayFixture,
} from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await expectBooksBalanced(t);
  await t.close();
});

it("a replay returns the first booking; the same key with other input is IDEMPOTENCY_KEY_REUSED", async () => {
  const stay = await stayFixture(t);
  const input = bookingInput(stay, { checkIn: "2027-04-01", checkOut: "2027-04-03" });
  const first = await book(stay.guest, input);
  const replay = await book(stay.guest, input);
  expect(replay).toEqual(first);
  const reused = await requestBooking(stay.guest, { ...input, checkOut: "2027-04-04" });
  expect(codeOf(reused)).toBe("IDEMPOTENCY_KEY_REUSED");
  // Keys are the user's own: another guest's same key is a request of its own.
  const other = await stayFixture(t);
  const theirs = await requestBooking(other.guest, {
    ...input,
    checkIn: "2027-05-01",
    checkOut: "2027-05-03",
  });
  expect(theirs.errors).toBeUndefined();
  expect(await t.app.db.booking.count({ where: { listingId: stay.listing.id } })).toBe(2);
});

it("a replay of a refused request answers the same refusal without asking the provider again", async () => {
  const stay = await stayFixture(t);
  const input = bookingInput(
    stay,
    { checkIn: "2027-04-10", checkOut: "2027-04-12" },
    { paymentMethod: "pm_card_declined" },
  );
  expect(codeOf(await requestBooking(stay.guest, input))).toBe("PAYMENT_FAILED");
  expect(codeOf(await requestBooking(stay.guest, input))).toBe("PAYMENT_FAILED");
  expect(await t.app.db.paymentAttempt.count({ where: { listingId: stay.listing.id } })).toBe(1);
});

it("20 concurrent identical requests make one booking and one authorization, and all get it", async () => {
  const stay = await stayFixture(t);
  const input = bookingInput(stay, { checkIn: "2027-06-01", checkOut: "2027-06-04" });
  const results = await Promise.all(Array.from({ length: 20 }, () => requestBooking(stay.guest, input)));
  expect(results.map((result) => result.errors)).toEqual(Array(20).fill(undefined));
  const ids = new Set(results.map((result) => result.data?.requestBooking.booking.id));
  expect(ids.size).toBe(1);
  expect(await t.app.db.booking.count({ where: { listingId: stay.listing.id } })).toBe(1);
  expect(await t.app.db.paymentAttempt.count({ where: { listingId: stay.listing.id } })).toBe(1);
  const charges = await t.app.db.builtinCharge.count({
    where: { metadata: { path: ["listingId"], equals: stay.listing.id } },
  });
  expect(charges).toBe(1);
});

it("cancelBooking requires a key, and a replayed cancellation refunds once", async () => {
  const stay = await stayFixture(t);
  const booking = await book(
    stay.guest,
    bookingInput(stay, { checkIn: "2027-07-01", checkOut: "2027-07-04" }),
  );
  await stay.host.client.ok(AcceptBookingDocument, {
    input: { bookingId: booking.id, idempotencyKey: randomUUID() },
  });
  // The schema says String!; a client without our types may still leave it out.
  const missing = await stay.guest.client.request(CancelBookingDocument, {
    input: { bookingId: booking.id } as CancelBookingInput,
  });
  expect(codeOf(missing)).toBe("BAD_USER_INPUT");
  expect(fieldsOf(missing).map((field) => field.path)).toEqual(["idempotencyKey"]);

  const input = { bookingId: booking.id, idempotencyKey: randomUUID(), reason: "Ill" };
  const results = await Promise.all(
    Array.from({ length: 5 }, () => stay.guest.client.request(CancelBookingDocument, { input })),
  );
  expect(results.map((result) => result.errors)).toEqual(Array(5).fill(undefined));
  expect(new Set(results.map((result) => result.data?.cancelBooking.booking.status))).toEqual(
    new Set(["CANCELLED"]),
  );
  const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
  expect(await t.app.db.refund.count({ where: { paymentId: payment.id } })).toBe(1);
  // A new key for the same cancellation is a second request: the booking is already CANCELLED.
  const again = await stay.guest.client.request(CancelBookingDocument, {
    input: { ...input, idempotencyKey: randomUUID() },
  });
  expect(codeOf(again)).toBe("INVALID_STATE");
});

it("acceptBooking takes an optional key: a replay answers the first acceptance, not INVALID_STATE", async () => {
  const stay = await stayFixture(t);
  const booking = await book(
    stay.guest,
    bookingInput(stay, { checkIn: "2027-08-01", checkOut: "2027-08-03" }),
  );
  const input = { bookingId: booking.id, idempotencyKey: randomUUID() };
  const first = await stay.host.client.ok(AcceptBookingDocument, { input });
  const replay = await stay.host.client.ok(AcceptBookingDocument, { input });
  expect(replay.acceptBooking.booking.id).toBe(first.acceptBooking.booking.id);
  expect(replay.acceptBooking.booking.status).toBe("CONFIRMED");
  const withoutKey = await stay.host.client.request(AcceptBookingDocument, {
    input: { bookingId: booking.id },
  });
  expect(codeOf(withoutKey)).toBe("INVALID_STATE");
});
