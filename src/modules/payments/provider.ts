// What Roost asks of a payment provider. Every call carries an idempotency key derived from our
// own ids (see providerKeys), so a retried call (a job run twice, a request replayed after a
// crash) is answered with the first call's result and moves no money twice.

/** The provider refused the payment (a declined card): the guest should use another method. */
export class PaymentDeclinedError extends Error {
  override readonly name = "PaymentDeclinedError";
  constructor(
    readonly declineCode: string,
    message = "The payment method was declined",
  ) {
    super(message);
  }
}

/** The provider could not be reached or failed; retry later. */
export class ProviderUnavailableError extends Error {
  override readonly name = "ProviderUnavailableError";
  /** True when the call is known not to have reached the provider (nothing to undo). */
  readonly notApplied: boolean;
  constructor(
    message = "The payment provider is unavailable",
    options?: { cause?: unknown; notApplied?: boolean },
  ) {
    super(message, { cause: options?.cause });
    this.notApplied = options?.notApplied ?? false;
  }
}

export interface AuthorizeRequest {
  idempotencyKey: string;
  /** A provider token for the guest's payment method (contract section 7). */
  paymentMethod: string;
  /** Minor units of currency; fits one Money (pricing/money.ts). */
  amount: number;
  currency: string;
  /** Our ids, stored with the provider's record so either side can find the other. */
  metadata: { bookingId: string; paymentId: string; guestId: string; listingId: string };
  description?: string;
}

export interface Authorization {
  /** The provider's id for the authorized charge (a PaymentIntent id with Stripe). */
  ref: string;
}

export interface CaptureRequest {
  idempotencyKey: string;
  ref: string;
  /** At most the authorized amount. */
  amount: number;
}

export interface VoidRequest {
  idempotencyKey: string;
  ref: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  /** The captured charge. */
  ref: string;
  amount: number;
  reason?: string;
}

export interface PayoutRequest {
  idempotencyKey: string;
  hostId: string;
  amount: number;
  currency: string;
  metadata: { payoutId: string; bookingId: string };
}

export interface PaymentProvider {
  /** "builtin" or "stripe": stored with each payment so later calls go to the same provider. */
  readonly name: string;
  /** Holds the amount on the guest's method. Throws PaymentDeclinedError or ProviderUnavailableError. */
  authorize(request: AuthorizeRequest): Promise<Authorization>;
  /** Takes the held money. Throws PaymentDeclinedError (e.g. the hold expired) or ProviderUnavailableError. */
  capture(request: CaptureRequest): Promise<void>;
  /** Releases an uncaptured hold; releasing one already released succeeds. */
  void(request: VoidRequest): Promise<void>;
  /** Returns captured money to the guest; returns the provider's refund id. */
  refund(request: RefundRequest): Promise<{ ref: string }>;
  /** Sends a host their share; returns the provider's transfer id. */
  payout(request: PayoutRequest): Promise<{ ref: string }>;
}

/**
 * Gives back what a payment holds when no booking keeps it: voids the hold or, when the provider
 * says it cannot (a capture went through but the transaction recording it rolled back), refunds
 * the amount. Throws ProviderUnavailableError (or the refund's error) so the caller's job retries.
 */
export async function releaseHold(
  provider: PaymentProvider,
  hold: { paymentId: string; ref: string; amount: number },
): Promise<"voided" | "refunded"> {
  try {
    await provider.void({ idempotencyKey: providerKeys.void(hold.paymentId), ref: hold.ref });
    return "voided";
  } catch (error) {
    if (error instanceof ProviderUnavailableError) throw error;
    await provider.refund({
      idempotencyKey: providerKeys.release(hold.paymentId),
      ref: hold.ref,
      amount: hold.amount,
      reason: "captured without a booking",
    });
    return "refunded";
  }
}

/** Provider-side idempotency keys, one per (our entity, operation): stable across retries. A payment
 * has the id of the attempt that authorized it, so its keys are known before the booking exists. */
export const providerKeys = {
  authorize: (paymentId: string) => `roost:payment:${paymentId}:authorize`,
  void: (paymentId: string) => `roost:payment:${paymentId}:void`,
  capture: (paymentId: string) => `roost:payment:${paymentId}:capture`,
  /** Returning money taken by a capture whose transaction then rolled back (releaseHold). */
  release: (paymentId: string) => `roost:payment:${paymentId}:release`,
  refund: (refundId: string) => `roost:refund:${refundId}`,
  payout: (payoutId: string) => `roost:payout:${payoutId}`,
} as const;
