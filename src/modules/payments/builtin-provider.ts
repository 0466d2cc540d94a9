// The built-in payment provider (contract section 7): deterministic, no network. Its books are
// what a real provider keeps on its side (charges, and one answer per idempotency key), kept in
// builtin_payment_charges and builtin_payment_operations so they survive restarts.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { BuiltinCharge } from "../../generated/prisma/client.ts";
import type { Clock } from "../../infra/clock.ts";
import type { Db } from "../../infra/db.ts";
import { isDatabaseUnavailable, isUniqueViolation } from "../../infra/db-errors.ts";
import type { Tx } from "../../infra/unit-of-work.ts";
import {
  type AuthorizeRequest,
  type Authorization,
  type CaptureRequest,
  PaymentDeclinedError,
  type PaymentProvider,
  type PayoutRequest,
  ProviderUnavailableError,
  type RefundRequest,
  type VoidRequest,
} from "./provider.ts";

export type BuiltinOperationKind = "authorize" | "capture" | "void" | "refund" | "payout";

/** The test cards: what each token does at authorize. Any other token is declined. */
const CARDS: Readonly<Record<string, "approve" | "decline" | "outage">> = {
  pm_card_visa: "approve",
  pm_card_mastercard: "approve",
  pm_card_declined: "decline",
  pm_card_error: "outage",
};

const DECLINE_MESSAGES: Readonly<Record<string, string>> = {
  card_declined: "The card was declined",
  invalid_payment_method: "The payment method is not valid",
  authorization_voided: "The authorization was released and can no longer be captured",
};

/** What a call asked for, stored with its answer: a replay must ask the same. */
type Fingerprint = Record<string, string | number>;
/** An operation's answer, as stored in builtin_payment_operations.result. */
interface Answer {
  ref?: string;
  declineCode?: string;
}

/**
 * A test and ops hook: `failNext(kind, count)` makes the next `count` calls of that kind throw
 * ProviderUnavailableError before they read or write anything, as an outage would. Failure-path
 * tests (a capture that fails, a refund retried) and chaos runs use it; nothing else should.
 */
export class BuiltinProviderFaults {
  private readonly pending = new Map<BuiltinOperationKind, number>();

  failNext(kind: BuiltinOperationKind, count = 1): void {
    this.pending.set(kind, (this.pending.get(kind) ?? 0) + count);
  }

  clear(): void {
    this.pending.clear();
  }

  /** Throws, using up one failure, when one is pending for kind. */
  trip(kind: BuiltinOperationKind): void {
    const left = this.pending.get(kind) ?? 0;
    if (left <= 0) return;
    this.pending.set(kind, left - 1);
    throw new ProviderUnavailableError(`The built-in provider was told to fail this ${kind}`, {
      notApplied: true,
    });
  }
}

export class BuiltinProvider implements PaymentProvider {
  readonly name = "builtin";
  readonly faults = new BuiltinProviderFaults();
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(deps: { db: Db; clock: Clock }) {
    this.db = deps.db;
    this.clock = deps.clock;
  }

  async authorize(request: AuthorizeRequest): Promise<Authorization> {
    this.faults.trip("authorize");
    checkAmount(request.amount);
    if (!/^[A-Z]{3}$/.test(request.currency)) throw new RangeError(`Invalid currency ${request.currency}`);
    const card = CARDS[request.paymentMethod];
    // An outage records nothing: the caller learns nothing happened and may retry.
    if (card === "outage") throw new ProviderUnavailableError(undefined, { notApplied: true });
    const chargeId = card === "approve" ? `bich_${randomUUID()}` : null;
    const { paymentMethod, amount, currency } = request;
    const answer = await this.operate(
      "authorize",
      request.idempotencyKey,
      chargeId,
      { paymentMethod, amount, currency },
      async (tx, now) => {
        if (!chargeId) return { declineCode: card ? "card_declined" : "invalid_payment_method" };
        await tx.builtinCharge.create({
          data: {
            id: chargeId,
            method: paymentMethod,
            currency,
            amount: BigInt(amount),
            status: "AUTHORIZED",
            metadata: request.metadata,
            createdAt: now,
            updatedAt: now,
          },
        });
        return { ref: chargeId };
      },
    );
    return { ref: refOf(answer) };
  }

  async capture(request: CaptureRequest): Promise<void> {
    this.faults.trip("capture");
    checkAmount(request.amount);
    const { ref, amount } = request;
    await this.operate("capture", request.idempotencyKey, ref, { ref, amount }, async (tx, now) => {
      const charge = await lockCharge(tx, ref);
      if (charge.status === "VOIDED") return { declineCode: "authorization_voided" };
      if (charge.status !== "AUTHORIZED")
        throw new Error(`Charge ${ref} is ${charge.status}, not AUTHORIZED`);
      if (BigInt(amount) > charge.amount) {
        throw new RangeError(`Capture of ${amount} exceeds the ${charge.amount} authorized on ${ref}`);
      }
      await tx.builtinCharge.update({
        where: { id: ref },
        data: { status: "CAPTURED", captured: BigInt(amount), updatedAt: now },
      });
      return {};
    });
  }

  async void(request: VoidRequest): Promise<void> {
    this.faults.trip("void");
    const { ref } = request;
    await this.operate("void", request.idempotencyKey, ref, { ref }, async (tx, now) => {
      const charge = await lockCharge(tx, ref);
      if (charge.status === "VOIDED") return {};
      if (charge.status !== "AUTHORIZED")
        throw new Error(`Charge ${ref} is ${charge.status}, not AUTHORIZED`);
      await tx.builtinCharge.update({ where: { id: ref }, data: { status: "VOIDED", updatedAt: now } });
      return {};
    });
  }

  async refund(request: RefundRequest): Promise<{ ref: string }> {
    this.faults.trip("refund");
    checkAmount(request.amount);
    const { ref, amount } = request;
    const answer = await this.operate(
      "refund",
      request.idempotencyKey,
      ref,
      { ref, amount },
      async (tx, now) => {
        const charge = await lockCharge(tx, ref);
        if (charge.status !== "CAPTURED") throw new Error(`Charge ${ref} is ${charge.status}, not CAPTURED`);
        if (charge.refunded + BigInt(amount) > charge.captured) {
          throw new RangeError(
            `Refund of ${amount} exceeds what is left of ${ref} (${charge.captured - charge.refunded})`,
          );
        }
        await tx.builtinCharge.update({
          where: { id: ref },
          data: { refunded: { increment: BigInt(amount) }, updatedAt: now },
        });
        return { ref: `bire_${randomUUID()}` };
      },
    );
    return { ref: refOf(answer) };
  }

  async payout(request: PayoutRequest): Promise<{ ref: string }> {
    this.faults.trip("payout");
    checkAmount(request.amount);
    const { hostId, amount, currency } = request;
    const answer = await this.operate(
      "payout",
      request.idempotencyKey,
      null,
      { hostId, amount, currency, payoutId: request.metadata.payoutId },
      async () => ({ ref: `bipo_${randomUUID()}` }),
    );
    return { ref: refOf(answer) };
  }

  /**
   * Runs one operation at most once per key, in one transaction: the key's row is inserted first,
   * so a concurrent call with the same key waits on the primary key until this one commits, then
   * fails with a unique violation and replays the stored answer. Declines are answers (stored,
   * replayed); thrown errors roll everything back and record nothing.
   */
  private async operate(
    kind: BuiltinOperationKind,
    key: string,
    chargeId: string | null,
    request: Fingerprint,
    apply: (tx: Tx, now: Date) => Promise<Answer>,
  ): Promise<Answer> {
    let answer: Answer;
    try {
      answer = await this.db.$transaction(
        async (tx) => {
          const now = this.clock.now();
          await tx.builtinOperation.create({
            data: { key, kind, chargeId, result: { request }, createdAt: now },
          });
          const result = await apply(tx, now);
          await tx.builtinOperation.update({ where: { key }, data: { result: { request, ...result } } });
          return result;
        },
        { maxWait: 5_000, timeout: 15_000 },
      );
    } catch (error) {
      if (isUniqueViolation(error)) answer = await this.replay(kind, key, request, error);
      else if (isDatabaseUnavailable(error)) throw new ProviderUnavailableError(undefined, { cause: error });
      else throw error;
    }
    if (answer.declineCode) {
      throw new PaymentDeclinedError(answer.declineCode, DECLINE_MESSAGES[answer.declineCode]);
    }
    return answer;
  }

  private async replay(
    kind: BuiltinOperationKind,
    key: string,
    request: Fingerprint,
    violation: unknown,
  ): Promise<Answer> {
    const stored = await this.db.builtinOperation.findUnique({ where: { key } });
    if (!stored) throw violation;
    // Our keys name one entity and one operation, so a mismatch is a bug on our side.
    if (stored.kind !== kind)
      throw new Error(`Idempotency key ${key} was used for a ${stored.kind}, not a ${kind}`);
    const result = stored.result as { request?: unknown; ref?: unknown; declineCode?: unknown };
    if (!isDeepStrictEqual(result.request, request)) {
      throw new Error(`Idempotency key ${key} was used for a ${kind} with other parameters`);
    }
    return {
      ...(typeof result.ref === "string" && { ref: result.ref }),
      ...(typeof result.declineCode === "string" && { declineCode: result.declineCode }),
    };
  }
}

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`Invalid amount ${amount}`);
}

function refOf(answer: Answer): string {
  if (!answer.ref) throw new Error("The built-in provider's stored answer has no ref");
  return answer.ref;
}

async function lockCharge(tx: Tx, ref: string): Promise<BuiltinCharge> {
  await tx.$queryRaw`SELECT id FROM builtin_payment_charges WHERE id = ${ref} FOR UPDATE`;
  const charge = await tx.builtinCharge.findUnique({ where: { id: ref } });
  if (!charge) throw new Error(`No built-in charge ${ref}`);
  return charge;
}
