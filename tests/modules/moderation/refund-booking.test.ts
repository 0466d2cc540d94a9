// refundBooking over real HTTP: refunds through the payments module and its ledger (the books
// balance after every one), the host's scheduled payout shrinking with them, amounts past what is
// refundable refused, idempotency on the key (concurrent duplicates refund once, whoever sends
// them), a cancellation after a partial refund, and a provider outage the settle job repairs.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelBookingDocument,
  RefundBookingDocument,
  type RefundBookingInput,
} from "../../../schema/generated/graphql.ts";
import { settlePayment } from "../../../src/modules/payments/service.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import {
  book,
  bookingInput,
  builtinProvider,
  expectBooksBalanced,
  rawId,
  staySequence,
} from "../../helpers/bookings.ts";
import { codeOf, fieldsOf } from "../../helpers/client.ts";
import { factories, type TestUser } from "../../helpers/factories.ts";
import { auditRowsOf, moderationFixture, type ModerationFixture, reason } from "./fixtures.ts";

let t: TestApp;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const nextDates = staySequence(day(40), 3);

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const refund = (admin: TestUser, input: Partial<RefundBookingInput> & { bookingId: string }) =>
  admin.client.request(RefundBookingDocument, {
    input: { reason, idempotencyKey: randomUUID(), ...input },
  });

/** A CONFIRMED, paid booking (instant book) with the default fees: 14 % service fee. */
async function paidBooking(): Promise<ModerationFixture & { bookingId: string; total: number }> {
  const f = await moderationFixture(t, { instantBook: true, cancellationPolicy: "STRICT" });
  const booking = await book(f.guest, bookingInput(f, nextDates()));
  expect(booking.status).toBe("CONFIRMED");
  return { ...f, bookingId: booking.id, total: booking.total.amount };
}

const moneyOf = async (bookingId: string) => {
  const payment = await t.app.db.payment.findUniqueOrThrow({
    where: { bookingId: rawId(bookingId) },
    include: { refunds: true },
  });
  const payout = await t.app.db.payout.findUnique({ where: { bookingId: rawId(bookingId) } });
  return { payment, payout, refunds: payment.refunds };
};

describe("refundBooking", () => {
  it("refunds everything left by default, through the ledger: books balance, payout cancelled, guest told", async () => {
    const f = await paidBooking();
    const answer = await refund(f.admin, { bookingId: f.bookingId });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.refundBooking.booking.payment).toMatchObject({
      status: "REFUNDED",
      refunded: { amount: f.total },
      captured: { amount: f.total },
    });
    expect(answer.data?.refundBooking.booking.status).toBe("CONFIRMED");

    const { payment, payout, refunds } = await moneyOf(f.bookingId);
    expect(refunds).toMatchObject([{ status: "SUCCEEDED", amount: BigInt(f.total), reason }]);
    expect(payment.refunded).toBe(BigInt(f.total));
    expect(payout).toMatchObject({ status: "CANCELLED", amount: 0n });
    await expectBooksBalanced(t);
    const accounts = await t.app.db.ledgerEntry.groupBy({
      by: ["account"],
      where: { bookingId: rawId(f.bookingId) },
      _sum: { amount: true },
    });
    // Every account the capture credited is debited back in full.
    expect(accounts.every((account) => account._sum.amount === 0n)).toBe(true);
    const charge = await t.app.db.builtinCharge.findUniqueOrThrow({
      where: { id: payment.providerRef ?? "" },
    });
    expect(charge.refunded).toBe(BigInt(f.total));

    expect(
      await t.app.db.notification.findMany({
        where: { userId: f.guest.id, type: "booking.refunded" },
        select: { title: true },
      }),
    ).toEqual([{ title: "Refund issued" }]);
    const [row] = await auditRowsOf(t, rawId(f.bookingId));
    expect(row).toMatchObject({
      actorId: f.admin.id,
      action: "booking.refunded",
      entityType: "Booking",
      data: {
        reason,
        before: { refunded: "0", refundable: String(f.total) },
        after: { refunded: String(f.total), refundable: "0" },
        amount: String(f.total),
        refundId: refunds[0]?.id,
      },
    });
  });

  it("refunds part, refuses more than is left, then refunds the rest; the payout follows and the parts add up", async () => {
    const f = await paidBooking();
    const first = await refund(f.admin, { bookingId: f.bookingId, amount: 3_001 });
    expect(first.data?.refundBooking.booking.payment).toMatchObject({
      status: "PARTIALLY_REFUNDED",
      refunded: { amount: 3_001 },
    });
    const scheduled = (await moneyOf(f.bookingId)).payout;
    expect(scheduled?.status).toBe("SCHEDULED");
    await expectBooksBalanced(t);

    const tooMuch = await refund(f.admin, { bookingId: f.bookingId, amount: f.total - 3_000 });
    expect(codeOf(tooMuch)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(tooMuch)).toEqual([
      { path: "amount", message: expect.stringContaining(String(f.total - 3_001)) },
    ]);
    for (const amount of [0, -5]) {
      expect(fieldsOf(await refund(f.admin, { bookingId: f.bookingId, amount })).map((e) => e.path)).toEqual([
        "amount",
      ]);
    }

    const rest = await refund(f.admin, { bookingId: f.bookingId });
    expect(rest.data?.refundBooking.booking.payment).toMatchObject({
      status: "REFUNDED",
      refunded: { amount: f.total },
    });
    const { refunds, payout } = await moneyOf(f.bookingId);
    expect(refunds.map((r) => Number(r.amount)).sort((a, b) => a - b)).toEqual([3_001, f.total - 3_001]);
    expect(payout?.status).toBe("CANCELLED");
    // Component by component, the two refunds return exactly what was paid.
    const sums = refunds
      .map((r) => r.breakdown as Record<string, number>)
      .reduce((sum, b) => ({
        nights: sum.nights! + b.nights!,
        cleaningFee: sum.cleaningFee! + b.cleaningFee!,
        serviceFee: sum.serviceFee! + b.serviceFee!,
        taxes: sum.taxes! + b.taxes!,
      }));
    const booking = await t.app.db.booking.findUniqueOrThrow({ where: { id: rawId(f.bookingId) } });
    const quote = (booking.quote as { quote: Record<string, number> }).quote;
    expect(sums).toEqual({
      nights: quote.subtotal! - quote.discount!,
      cleaningFee: quote.cleaningFee,
      serviceFee: quote.serviceFee,
      taxes: quote.taxes,
    });
    await expectBooksBalanced(t);

    expect(codeOf(await refund(f.admin, { bookingId: f.bookingId }))).toBe("INVALID_STATE");
  });

  it("refunds once for concurrent duplicates with one key, replays it later, and refuses the key for another amount", async () => {
    const f = await paidBooking();
    const input = { bookingId: f.bookingId, amount: 5_000, idempotencyKey: randomUUID() };
    const answers = await Promise.all(Array.from({ length: 6 }, () => refund(f.admin, input)));
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.refundBooking.booking.payment?.refunded.amount).toBe(5_000);
    }
    const { refunds } = await moneyOf(f.bookingId);
    expect(refunds).toHaveLength(1);
    expect(
      await t.app.db.builtinOperation.count({ where: { kind: "refund", key: { contains: refunds[0]!.id } } }),
    ).toBe(1);

    expect((await refund(f.admin, input)).data?.refundBooking.booking.payment?.refunded.amount).toBe(5_000);
    expect(codeOf(await refund(f.admin, { ...input, amount: 4_000 }))).toBe("IDEMPOTENCY_KEY_REUSED");
    // Another admin with the same key: the refund row's own key says it is done.
    const other = await factories(t).user().admin().create();
    expect((await refund(other, input)).errors).toBeUndefined();
    expect(
      codeOf(await refund(other, { ...input, amount: 4_000, idempotencyKey: input.idempotencyKey })),
    ).toBe("IDEMPOTENCY_KEY_REUSED");
    expect((await moneyOf(f.bookingId)).refunds).toHaveLength(1);
    expect(await auditRowsOf(t, rawId(f.bookingId))).toHaveLength(1);
    await expectBooksBalanced(t);
  });

  it("lets a later cancellation refund only what is left of each part", async () => {
    const f = await paidBooking();
    await refund(f.admin, { bookingId: f.bookingId, amount: 7_777 });
    const cancelled = await f.host.client.ok(CancelBookingDocument, {
      input: { bookingId: f.bookingId, reason: "Host cancels", idempotencyKey: randomUUID() },
    });
    expect(cancelled.cancelBooking.booking.payment).toMatchObject({
      status: "REFUNDED",
      refunded: { amount: f.total },
    });
    const { refunds } = await moneyOf(f.bookingId);
    expect(refunds.map((r) => Number(r.amount)).sort((a, b) => a - b)).toEqual(
      [7_777, f.total - 7_777].sort((a, b) => a - b),
    );
    await expectBooksBalanced(t);
  });

  it("decides the refund when the provider is down, and the settle job pays it later", async () => {
    const f = await paidBooking();
    builtinProvider(t).faults.failNext("refund");
    const answer = await refund(f.admin, { bookingId: f.bookingId, amount: 2_000 });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.refundBooking.booking.payment?.refunded.amount).toBe(0);
    expect((await moneyOf(f.bookingId)).refunds).toMatchObject([{ status: "PENDING", amount: 2_000n }]);
    await expectBooksBalanced(t);
    // What is decided counts as refunded: the rest is all that is left.
    expect(codeOf(await refund(f.admin, { bookingId: f.bookingId, amount: f.total - 1_999 }))).toBe(
      "BAD_USER_INPUT",
    );

    await settlePayment(t.app, rawId(f.bookingId));
    const { payment, refunds } = await moneyOf(f.bookingId);
    expect(refunds).toMatchObject([{ status: "SUCCEEDED" }]);
    expect(payment).toMatchObject({ status: "PARTIALLY_REFUNDED", refunded: 2_000n });
    await expectBooksBalanced(t);
  });

  it("refuses a booking with nothing captured, unknown bookings, and a missing key", async () => {
    const f = await moderationFixture(t);
    const pending = await book(f.guest, bookingInput(f, nextDates()));
    expect(pending.status).toBe("PENDING");
    expect(codeOf(await refund(f.admin, { bookingId: pending.id }))).toBe("INVALID_STATE");
    expect(codeOf(await refund(f.admin, { bookingId: f.listingId }))).toBe("NOT_FOUND");
    const keyless = await refund(f.admin, { bookingId: pending.id, idempotencyKey: " " });
    expect(codeOf(keyless)).toBe("BAD_USER_INPUT");
    expect(fieldsOf(keyless).map((field) => field.path)).toEqual(["idempotencyKey"]);
    expect(await t.app.db.refund.count({ where: { payment: { bookingId: rawId(pending.id) } } })).toBe(0);
  });
});
