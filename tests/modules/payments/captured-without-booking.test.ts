// A capture the provider made whose transaction then rolled back (the database failed after the
// provider answered) must not keep the guest's money: the hold cannot be voided any more, so it
// is refunded, once. The failure is injected with a trigger in the test's own database.
import { afterAll, beforeAll, expect, it } from "vitest";
import { AcceptBookingDocument, BookingDocument } from "../../../schema/generated/graphql.ts";
import { ManualClock } from "../../../src/infra/clock.ts";
import { expireBooking } from "../../../src/modules/bookings/lifecycle.ts";
import { settlePayment } from "../../../src/modules/payments/service.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { book, bookingInput, rawId, requestBooking, stayFixture } from "../../helpers/bookings.ts";
import { codeOf } from "../../helpers/client.ts";

const clock = new ManualClock(new Date("2027-03-01T12:00:00Z"));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.app.db.$executeRawUnsafe(`
    CREATE FUNCTION test_refuse_payout() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected: the database failed after the capture'; END $$`);
});
afterAll(() => t.close());

/** From now on, writing this host's payout fails: the confirming transaction rolls back after capture. */
async function failPayoutsOf(hostId: string): Promise<void> {
  await t.app.db.$executeRawUnsafe(`
    CREATE TRIGGER test_refuse_payout_${hostId.replaceAll("-", "")} BEFORE INSERT ON payouts
    FOR EACH ROW WHEN (NEW.host_id = '${hostId}'::uuid) EXECUTE FUNCTION test_refuse_payout()`);
}

const chargeOf = (listingId: string) =>
  t.app.db.builtinCharge.findFirstOrThrow({
    where: { metadata: { path: ["listingId"], equals: listingId } },
  });

it("instant book: no booking, and the captured money goes back to the guest", async () => {
  const stay = await stayFixture(t, { instantBook: true });
  await failPayoutsOf(stay.host.id);
  const result = await requestBooking(
    stay.guest,
    bookingInput(stay, { checkIn: "2027-04-01", checkOut: "2027-04-03" }),
  );
  expect(codeOf(result)).toBe("INTERNAL_SERVER_ERROR");
  expect(await t.app.db.booking.count({ where: { listingId: stay.listing.id } })).toBe(0);
  expect(await t.app.db.calendarHold.count({ where: { listingId: stay.listing.id } })).toBe(0);
  const charge = await chargeOf(stay.listing.id);
  expect(charge.status).toBe("CAPTURED");
  expect(charge.refunded).toBe(charge.captured);
  expect(charge.captured).toBeGreaterThan(0n);
  const attempt = await t.app.db.paymentAttempt.findFirstOrThrow({ where: { listingId: stay.listing.id } });
  expect(attempt.status).toBe("VOIDED");
});

it("accept: the booking stays PENDING; when it expires, the money captured without it is refunded once", async () => {
  const stay = await stayFixture(t);
  const booking = await book(
    stay.guest,
    bookingInput(stay, { checkIn: "2027-05-01", checkOut: "2027-05-03" }),
  );
  await failPayoutsOf(stay.host.id);
  const accepted = await stay.host.client.request(AcceptBookingDocument, {
    input: { bookingId: booking.id },
  });
  expect(codeOf(accepted)).toBe("INTERNAL_SERVER_ERROR");
  expect((await stay.host.client.ok(BookingDocument, { id: booking.id })).booking?.status).toBe("PENDING");
  expect((await chargeOf(stay.listing.id)).status).toBe("CAPTURED");

  clock.advance(24 * 3_600_000);
  try {
    expect(await expireBooking(t.app, rawId(booking.id))).toBe(true);
  } finally {
    clock.advance(-24 * 3_600_000);
  }
  await settlePayment(t.app, rawId(booking.id));
  const charge = await chargeOf(stay.listing.id);
  expect(charge.refunded).toBe(charge.captured);
  const payment = await t.app.db.payment.findUniqueOrThrow({ where: { bookingId: rawId(booking.id) } });
  expect(payment.status).toBe("VOIDED");
  expect(await t.app.db.builtinOperation.count({ where: { kind: "refund", chargeId: charge.id } })).toBe(1);
});
