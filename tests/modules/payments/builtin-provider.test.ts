// The built-in payment provider against the real database: each test card, each operation and
// its idempotent replay, concurrent calls with one key, state errors and injected outages.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/infra/clock.ts";
import { createDatabase } from "../../../src/infra/db.ts";
import { BuiltinProvider } from "../../../src/modules/payments/builtin-provider.ts";
import {
  type AuthorizeRequest,
  PaymentDeclinedError,
  ProviderUnavailableError,
} from "../../../src/modules/payments/provider.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";

let t: TestApp;
let clock: ManualClock;
let provider: BuiltinProvider;
beforeAll(async () => {
  clock = new ManualClock(new Date("2027-03-01T10:00:00Z"));
  t = await startTestApp({ clock });
  provider = new BuiltinProvider({ db: t.app.db, clock: t.app.clock });
});
afterAll(() => t.close());

const key = (label: string) => `test:${label}:${randomUUID()}`;

function authorizeRequest(overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return {
    idempotencyKey: key("authorize"),
    paymentMethod: "pm_card_visa",
    amount: 12_345,
    currency: "EUR",
    metadata: {
      bookingId: randomUUID(),
      paymentId: randomUUID(),
      guestId: randomUUID(),
      listingId: randomUUID(),
    },
    ...overrides,
  };
}

const chargeOf = (ref: string) => t.app.db.builtinCharge.findUniqueOrThrow({ where: { id: ref } });
const operationOf = (idempotencyKey: string) =>
  t.app.db.builtinOperation.findUnique({ where: { key: idempotencyKey } });

async function declineOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PaymentDeclinedError);
  return (error as PaymentDeclinedError).declineCode;
}

async function captured(amount = 10_000): Promise<string> {
  const { ref } = await provider.authorize(authorizeRequest({ amount }));
  await provider.capture({ idempotencyKey: key("capture"), ref, amount });
  return ref;
}

describe("authorize", () => {
  it.each(["pm_card_visa", "pm_card_mastercard"])(
    "%s holds the amount on a charge",
    async (paymentMethod) => {
      const request = authorizeRequest({ paymentMethod, currency: "JPY", amount: 5_000 });
      const { ref } = await provider.authorize(request);
      expect(ref).toMatch(/^bich_[0-9a-f-]{36}$/);
      const charge = await chargeOf(ref);
      expect(charge).toMatchObject({
        method: paymentMethod,
        status: "AUTHORIZED",
        amount: 5_000n,
        currency: "JPY",
        captured: 0n,
        refunded: 0n,
        metadata: request.metadata,
        createdAt: clock.now(),
      });
      expect(await operationOf(request.idempotencyKey)).toMatchObject({ kind: "authorize", chargeId: ref });
    },
  );

  it("replays a key with the first answer and no second charge", async () => {
    const request = authorizeRequest();
    const first = await provider.authorize(request);
    const again = await provider.authorize(request);
    // A fresh instance reads the same books: the answer survives a restart.
    const afterRestart = await new BuiltinProvider({ db: t.app.db, clock }).authorize(request);
    expect(again).toEqual(first);
    expect(afterRestart).toEqual(first);
    const paymentId = request.metadata.paymentId;
    expect(
      await t.app.db.builtinCharge.count({ where: { metadata: { path: ["paymentId"], equals: paymentId } } }),
    ).toBe(1);
  });

  it.each([
    ["pm_card_declined", "card_declined"],
    ["pm_card_unknown", "invalid_payment_method"],
    ["", "invalid_payment_method"],
  ])("%s is declined (%s), and the decline is replayed", async (paymentMethod, code) => {
    const request = authorizeRequest({ paymentMethod });
    expect(await declineOf(provider.authorize(request))).toBe(code);
    expect(await declineOf(provider.authorize(request))).toBe(code);
    expect(await operationOf(request.idempotencyKey)).toMatchObject({ kind: "authorize", chargeId: null });
    const paymentId = request.metadata.paymentId;
    expect(
      await t.app.db.builtinCharge.count({ where: { metadata: { path: ["paymentId"], equals: paymentId } } }),
    ).toBe(0);
  });

  it("pm_card_error is an outage that records nothing", async () => {
    const request = authorizeRequest({ paymentMethod: "pm_card_error" });
    await expect(provider.authorize(request)).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.authorize(request)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await operationOf(request.idempotencyKey)).toBeNull();
  });

  it.each([
    { amount: 0 },
    { amount: -100 },
    { amount: 10.5 },
    { amount: Number.MAX_SAFE_INTEGER + 1 },
    { currency: "eur" },
    { currency: "EURO" },
  ])("refuses %o as a bug, recording nothing", async (overrides) => {
    const request = authorizeRequest(overrides);
    await expect(provider.authorize(request)).rejects.toBeInstanceOf(RangeError);
    expect(await operationOf(request.idempotencyKey)).toBeNull();
  });

  it("10 concurrent calls with one key make one charge and give all the same ref", async () => {
    const request = authorizeRequest();
    const answers = await Promise.all(Array.from({ length: 10 }, () => provider.authorize(request)));
    expect(new Set(answers.map((answer) => answer.ref)).size).toBe(1);
    const paymentId = request.metadata.paymentId;
    expect(
      await t.app.db.builtinCharge.count({ where: { metadata: { path: ["paymentId"], equals: paymentId } } }),
    ).toBe(1);
  });
});

describe("capture", () => {
  it("takes up to the authorized amount, and a replay changes nothing", async () => {
    const { ref } = await provider.authorize(authorizeRequest({ amount: 10_000 }));
    const request = { idempotencyKey: key("capture"), ref, amount: 8_000 };
    await provider.capture(request);
    const charge = await chargeOf(ref);
    expect(charge).toMatchObject({ status: "CAPTURED", captured: 8_000n });
    clock.advance(60_000);
    await provider.capture(request);
    expect(await chargeOf(ref)).toEqual(charge);
  });

  it("10 concurrent calls with one key all succeed and capture once", async () => {
    const { ref } = await provider.authorize(authorizeRequest({ amount: 10_000 }));
    const request = { idempotencyKey: key("capture"), ref, amount: 7_000 };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => provider.capture(request)));
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    expect(await chargeOf(ref)).toMatchObject({ status: "CAPTURED", captured: 7_000n });
  });

  it("refuses more than the authorized amount", async () => {
    const { ref } = await provider.authorize(authorizeRequest({ amount: 10_000 }));
    const request = { idempotencyKey: key("capture"), ref, amount: 10_001 };
    await expect(provider.capture(request)).rejects.toThrow(/exceeds/);
    expect(await chargeOf(ref)).toMatchObject({ status: "AUTHORIZED", captured: 0n });
    expect(await operationOf(request.idempotencyKey)).toBeNull();
  });

  it("refuses a second capture under a new key", async () => {
    const ref = await captured(10_000);
    await expect(provider.capture({ idempotencyKey: key("capture"), ref, amount: 10_000 })).rejects.toThrow(
      /CAPTURED, not AUTHORIZED/,
    );
  });

  it("declines capturing a voided authorization, also on replay", async () => {
    const { ref } = await provider.authorize(authorizeRequest());
    await provider.void({ idempotencyKey: key("void"), ref });
    const request = { idempotencyKey: key("capture"), ref, amount: 100 };
    expect(await declineOf(provider.capture(request))).toBe("authorization_voided");
    expect(await declineOf(provider.capture(request))).toBe("authorization_voided");
    expect(await chargeOf(ref)).toMatchObject({ status: "VOIDED", captured: 0n });
  });

  it("refuses an unknown charge", async () => {
    await expect(
      provider.capture({ idempotencyKey: key("capture"), ref: "bich_nope", amount: 1 }),
    ).rejects.toThrow(/No built-in charge/);
  });
});

describe("void", () => {
  it("releases an authorization; voiding again (new key or replay) succeeds and changes nothing", async () => {
    const { ref } = await provider.authorize(authorizeRequest());
    const request = { idempotencyKey: key("void"), ref };
    await provider.void(request);
    const charge = await chargeOf(ref);
    expect(charge.status).toBe("VOIDED");
    clock.advance(60_000);
    await provider.void(request);
    await provider.void({ idempotencyKey: key("void"), ref });
    expect(await chargeOf(ref)).toEqual(charge);
  });

  it("refuses to void a captured charge", async () => {
    const ref = await captured();
    await expect(provider.void({ idempotencyKey: key("void"), ref })).rejects.toThrow(
      /CAPTURED, not AUTHORIZED/,
    );
    expect((await chargeOf(ref)).status).toBe("CAPTURED");
  });
});

describe("refund", () => {
  it("returns captured money in parts, each once, never more than was captured", async () => {
    const ref = await captured(10_000);
    const first = { idempotencyKey: key("refund"), ref, amount: 6_000 };
    const refund = await provider.refund(first);
    expect(refund.ref).toMatch(/^bire_[0-9a-f-]{36}$/);
    expect(await provider.refund(first)).toEqual(refund);
    expect((await chargeOf(ref)).refunded).toBe(6_000n);

    const tooMuch = { idempotencyKey: key("refund"), ref, amount: 4_001 };
    await expect(provider.refund(tooMuch)).rejects.toThrow(/exceeds/);
    expect(await operationOf(tooMuch.idempotencyKey)).toBeNull();

    const rest = await provider.refund({ idempotencyKey: key("refund"), ref, amount: 4_000 });
    expect(rest.ref).not.toBe(refund.ref);
    expect(await chargeOf(ref)).toMatchObject({ captured: 10_000n, refunded: 10_000n });
  });

  it("refuses a charge that is not captured", async () => {
    const { ref } = await provider.authorize(authorizeRequest());
    await expect(provider.refund({ idempotencyKey: key("refund"), ref, amount: 1 })).rejects.toThrow(
      /AUTHORIZED, not CAPTURED/,
    );
  });

  it("10 concurrent calls with one key refund once", async () => {
    const ref = await captured(10_000);
    const request = { idempotencyKey: key("refund"), ref, amount: 3_000 };
    const answers = await Promise.all(Array.from({ length: 10 }, () => provider.refund(request)));
    expect(new Set(answers.map((answer) => answer.ref)).size).toBe(1);
    expect((await chargeOf(ref)).refunded).toBe(3_000n);
  });
});

describe("payout", () => {
  it("records a payout once per key", async () => {
    const request = {
      idempotencyKey: key("payout"),
      hostId: randomUUID(),
      amount: 9_000,
      currency: "EUR",
      metadata: { payoutId: randomUUID(), bookingId: randomUUID() },
    };
    const payout = await provider.payout(request);
    expect(payout.ref).toMatch(/^bipo_[0-9a-f-]{36}$/);
    expect(await provider.payout(request)).toEqual(payout);
    expect(await operationOf(request.idempotencyKey)).toMatchObject({
      kind: "payout",
      result: { ref: payout.ref, request: { hostId: request.hostId, amount: 9_000, currency: "EUR" } },
    });
  });
});

describe("a key reused for something else", () => {
  it("is an error: another kind of operation", async () => {
    const ref = await captured();
    const refundKey = key("refund");
    await provider.refund({ idempotencyKey: refundKey, ref, amount: 100 });
    await expect(provider.capture({ idempotencyKey: refundKey, ref, amount: 100 })).rejects.toThrow(
      /used for a refund, not a capture/,
    );
  });

  it("is an error: the same operation with other parameters", async () => {
    const ref = await captured();
    const refundKey = key("refund");
    await provider.refund({ idempotencyKey: refundKey, ref, amount: 100 });
    await expect(provider.refund({ idempotencyKey: refundKey, ref, amount: 200 })).rejects.toThrow(
      /other parameters/,
    );
    expect((await chargeOf(ref)).refunded).toBe(100n);
  });
});

describe("faults.failNext", () => {
  it("fails the next capture before it touches anything; the retry succeeds", async () => {
    const { ref } = await provider.authorize(authorizeRequest({ amount: 5_000 }));
    const request = { idempotencyKey: key("capture"), ref, amount: 5_000 };
    provider.faults.failNext("capture");
    await expect(provider.capture(request)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await chargeOf(ref)).toMatchObject({ status: "AUTHORIZED", captured: 0n });
    expect(await operationOf(request.idempotencyKey)).toBeNull();
    await provider.capture(request);
    expect(await chargeOf(ref)).toMatchObject({ status: "CAPTURED", captured: 5_000n });
  });

  it("fails as many calls as asked, of that kind only; a retried refund pays once", async () => {
    const ref = await captured(10_000);
    const request = { idempotencyKey: key("refund"), ref, amount: 2_500 };
    provider.faults.failNext("refund", 2);
    await expect(provider.refund(request)).rejects.toBeInstanceOf(ProviderUnavailableError);
    // Other kinds are untouched while refunds are failing.
    await provider.void({
      idempotencyKey: key("void"),
      ref: (await provider.authorize(authorizeRequest())).ref,
    });
    await expect(provider.refund(request)).rejects.toBeInstanceOf(ProviderUnavailableError);
    const refund = await provider.refund(request);
    expect(await provider.refund(request)).toEqual(refund);
    expect((await chargeOf(ref)).refunded).toBe(2_500n);
  });

  it("covers every kind, and clear() forgets pending failures", async () => {
    for (const kind of ["authorize", "capture", "void", "refund", "payout"] as const) {
      provider.faults.failNext(kind);
    }
    const ref = "bich_untouched";
    const payout = { hostId: "h", currency: "EUR", metadata: { payoutId: "p", bookingId: "b" } };
    await expect(provider.authorize(authorizeRequest())).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.capture({ idempotencyKey: key("c"), ref, amount: 1 })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    await expect(provider.void({ idempotencyKey: key("v"), ref })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    await expect(provider.refund({ idempotencyKey: key("r"), ref, amount: 1 })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    await expect(provider.payout({ idempotencyKey: key("p"), amount: 1, ...payout })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    provider.faults.failNext("payout", 3);
    provider.faults.clear();
    await expect(provider.payout({ idempotencyKey: key("p"), amount: 1, ...payout })).resolves.toMatchObject({
      ref: expect.stringMatching(/^bipo_/),
    });
  });
});

describe("its books unreachable", () => {
  it("is a provider outage, not a crash", async () => {
    // Port 1 on loopback: connections are refused at once.
    const unreachable = createDatabase({ url: "postgresql://postgres@127.0.0.1:1/postgres", max: 1 });
    try {
      const offline = new BuiltinProvider({ db: unreachable.prisma, clock });
      await expect(offline.authorize(authorizeRequest())).rejects.toBeInstanceOf(ProviderUnavailableError);
    } finally {
      await unreachable.close();
    }
  });
});
