// Booking fixtures and checks shared by the booking and payment tests: a host with a listing and
// a guest, booking through the API as a client would, and the books that must balance.
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { RequestBookingDocument, type RequestBookingInput } from "../../schema/generated/graphql.ts";
import type { Listing, Prisma } from "../../src/generated/prisma/client.ts";
import { decodeGlobalId, encodeGlobalId } from "../../src/graphql/global-id.ts";
import type { BuiltinProvider } from "../../src/modules/payments/builtin-provider.ts";
import type { TestApp } from "./app.ts";
import { factories, type TestUser } from "./factories.ts";

export interface Stay {
  host: TestUser;
  guest: TestUser;
  listing: Listing;
  /** The listing's Relay id. */
  listingId: string;
}

/** A host with one LISTED listing (request-to-book unless `with` says otherwise) and a guest. */
export async function stayFixture(
  t: TestApp,
  listing: Partial<Prisma.ListingUncheckedCreateInput> = {},
): Promise<Stay> {
  const make = factories(t);
  const [host, guest] = await Promise.all([make.user().create(), make.user().create()]);
  const created = await make.listing(host).listed().with(listing).create();
  return { host, guest, listing: created, listingId: encodeGlobalId("Listing", created.id) };
}

/** requestBooking's input with a fresh idempotency key and a card that works. */
export function bookingInput(
  stay: Pick<Stay, "listingId">,
  dates: { checkIn: string; checkOut: string },
  extra: Partial<RequestBookingInput> = {},
): RequestBookingInput {
  return {
    listingId: stay.listingId,
    guests: 2,
    paymentMethod: "pm_card_visa",
    idempotencyKey: randomUUID(),
    ...dates,
    ...extra,
  };
}

/**
 * Stays one after another from `firstCheckIn` (a night apart), so bookings in one test file
 * never compete for nights: each call returns the next `nights` nights.
 */
export function staySequence(
  firstCheckIn: string,
  defaultNights: number,
): (nights?: number) => { checkIn: string; checkOut: string } {
  let night = 0;
  const day = (offset: number) =>
    new Date(Date.parse(`${firstCheckIn}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  return (nights = defaultNights) => {
    const dates = { checkIn: day(night), checkOut: day(night + nights) };
    night += nights + 1;
    return dates;
  };
}

export async function requestBooking(guest: TestUser, input: RequestBookingInput) {
  return guest.client.request(RequestBookingDocument, { input });
}

/** Books and returns the booking (the test fails on any error). */
export async function book(guest: TestUser, input: RequestBookingInput) {
  return (await guest.client.ok(RequestBookingDocument, { input })).requestBooking.booking;
}

/** The raw id of a Relay id. */
export const rawId = (globalId: string): string => decodeGlobalId(globalId).id;

export const builtinProvider = (t: TestApp): BuiltinProvider => t.app.payments as BuiltinProvider;

/**
 * The books of every booking in the test's database: each journal balances per currency, the
 * guest funds equal what was captured less what was refunded, and what the host received is
 * what their paid payout says.
 */
export async function expectBooksBalanced(t: TestApp): Promise<void> {
  const unbalanced = await t.app.db.$queryRaw<Array<{ journal_id: string }>>`
    SELECT journal_id::text FROM ledger_entries GROUP BY journal_id, currency HAVING sum(amount) <> 0`;
  expect(unbalanced).toEqual([]);
  const mismatched = await t.app.db.$queryRaw<Array<{ id: string; reason: string }>>`
    SELECT b.id::text, 'guest funds' AS reason
    FROM bookings b JOIN payments p ON p.booking_id = b.id
    WHERE COALESCE((SELECT sum(amount) FROM ledger_entries e WHERE e.booking_id = b.id AND e.account = 'GUEST_FUNDS'), 0)
          <> p.captured - (SELECT COALESCE(sum(amount), 0) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'SUCCEEDED')
       OR p.refunded <> (SELECT COALESCE(sum(amount), 0) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'SUCCEEDED')
    UNION ALL
    SELECT b.id::text, 'payouts'
    FROM bookings b LEFT JOIN payouts po ON po.booking_id = b.id
    WHERE COALESCE((SELECT sum(amount) FROM ledger_entries e WHERE e.booking_id = b.id AND e.account = 'PAYOUTS'), 0)
          <> CASE WHEN po.status = 'PAID' THEN -po.amount ELSE 0 END
    UNION ALL
    SELECT b.id::text, 'host payable after payout'
    FROM bookings b JOIN payouts po ON po.booking_id = b.id AND po.status = 'PAID'
    WHERE (SELECT COALESCE(sum(amount), 0) FROM ledger_entries e WHERE e.booking_id = b.id AND e.account = 'HOST_PAYABLE')
          <> 0
      AND NOT EXISTS (SELECT 1 FROM refunds r JOIN payments p ON p.id = r.payment_id
                      WHERE p.booking_id = b.id AND r.created_at > po.paid_at)`;
  expect(mismatched).toEqual([]);
}
