// The Stripe provider on the official SDK: manual-capture PaymentIntents, captures, cancels and
// refunds, each with our idempotency key; webhook signatures, and Stripe's events in our words.
import Stripe from "stripe";
import type { ProviderEvent } from "./provider-events.ts";
import {
  type Authorization,
  type AuthorizeRequest,
  type CaptureRequest,
  type PaymentProvider,
  type PayoutRequest,
  PaymentDeclinedError,
  ProviderUnavailableError,
  type RefundRequest,
  type VoidRequest,
} from "./provider.ts";
import { fromStripeAmount, toStripeAmount } from "./stripe-amounts.ts";

export interface StripeProviderConfig {
  secretKey: string;
  webhookSecret: string | undefined;
  /** Where the SDK sends requests instead of api.stripe.com (tests: a local stub). */
  apiUrl: string | undefined;
}

export interface StripeProviderOptions {
  /** Per attempt. The SDK's 80 s default would hold a guest's request far too long. */
  timeoutMs?: number;
  /** Retries of connection failures, 409s and 5xx (same idempotency key, so safe). */
  maxNetworkRetries?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** A webhook whose Stripe-Signature is missing, stale or wrong: not from Stripe, or replayed late. */
export class StripeWebhookSignatureError extends Error {
  override readonly name = "StripeWebhookSignatureError";
}

/** Host payouts with Stripe need Connect accounts, which Roost does not have yet (see payout()). */
export class StripePayoutsUnsupportedError extends Error {
  override readonly name = "StripePayoutsUnsupportedError";
}

export class StripeProvider implements PaymentProvider {
  readonly name = "stripe";
  private readonly stripe: Stripe;

  constructor(config: StripeProviderConfig, options: StripeProviderOptions = {}) {
    this.stripe = new Stripe(config.secretKey, {
      ...(config.apiUrl !== undefined && apiAddress(config.apiUrl)),
      maxNetworkRetries: options.maxNetworkRetries ?? 2,
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  async authorize(request: AuthorizeRequest): Promise<Authorization> {
    const intent = await this.call(
      () =>
        this.stripe.paymentIntents.create(
          {
            amount: toStripeAmount(request.amount, request.currency),
            currency: request.currency.toLowerCase(),
            payment_method: request.paymentMethod,
            confirm: true,
            capture_method: "manual",
            // Cards only: redirect-based methods would need a return_url and the guest's browser.
            // (SDK 23 replaced payment_method_types with allowed_payment_method_types.)
            allowed_payment_method_types: ["card"],
            // 3-D Secure needs the guest's browser too, which a server-side confirm lacks: fail at once
            // (a card error, authentication_required) instead of leaving an intent waiting.
            error_on_requires_action: true,
            metadata: { ...request.metadata },
            ...(request.description !== undefined && { description: request.description }),
          },
          { idempotencyKey: request.idempotencyKey },
        ),
      { badPaymentMethodDeclines: true },
    );
    if (intent.status !== "requires_capture") {
      const error = intent.last_payment_error;
      throw new PaymentDeclinedError(
        error?.decline_code ?? error?.code ?? `unexpected_status_${intent.status}`,
      );
    }
    return { ref: intent.id };
  }

  async capture(request: CaptureRequest): Promise<void> {
    // CaptureRequest carries no currency, and Stripe's units differ from ours for some (IDR).
    const intent = await this.call(() => this.stripe.paymentIntents.retrieve(request.ref));
    if (intent.status === "succeeded") return; // captured before: a retried capture
    if (intent.status === "canceled") {
      // Stripe cancels an authorization it let expire (cancellation_reason "automatic").
      throw new PaymentDeclinedError(
        intent.cancellation_reason ?? "canceled",
        "The payment hold was released or has expired",
      );
    }
    try {
      await this.call(() =>
        this.stripe.paymentIntents.capture(
          request.ref,
          { amount_to_capture: toStripeAmount(request.amount, intent.currency) },
          { idempotencyKey: request.idempotencyKey },
        ),
      );
    } catch (error) {
      const state = unexpectedState(error);
      if (state === "succeeded") return;
      if (state === "canceled" || codeOf(error) === "charge_expired_for_capture") {
        throw new PaymentDeclinedError(
          codeOf(error) ?? "canceled",
          "The payment hold was released or has expired",
        );
      }
      throw error;
    }
  }

  async void(request: VoidRequest): Promise<void> {
    try {
      await this.call(() =>
        this.stripe.paymentIntents.cancel(request.ref, {}, { idempotencyKey: request.idempotencyKey }),
      );
    } catch (error) {
      // Released before (by us, by Stripe at expiry, from the dashboard): what void promises.
      if (unexpectedState(error) === "canceled") return;
      throw error;
    }
  }

  async refund(request: RefundRequest): Promise<{ ref: string }> {
    const intent = await this.call(() => this.stripe.paymentIntents.retrieve(request.ref));
    const refund = await this.call(() =>
      this.stripe.refunds.create(
        {
          payment_intent: request.ref,
          amount: toStripeAmount(request.amount, intent.currency),
          // Stripe's own `reason` is a short enum (duplicate, fraudulent, requested_by_customer);
          // ours (a policy or a host cancellation) goes in metadata.
          ...(request.reason !== undefined && { metadata: { reason: request.reason } }),
        },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    if (refund.status === "failed" || refund.status === "canceled") {
      throw new Error(
        `Stripe refund ${refund.id} is ${refund.status}: ${refund.failure_reason ?? "no reason given"}`,
      );
    }
    return { ref: refund.id };
  }

  /**
   * The extension point for host payouts. With Stripe, a marketplace pays hosts through Stripe
   * Connect: each host has a connected account (onboarded through Account Links), and a payout
   * is `transfers.create({ amount, currency, destination: <the host's account id>,
   * transfer_group: bookingId, metadata }, { idempotencyKey })`; Stripe then pays the connected
   * account out to the host's bank on its own schedule. Roost stores no connected account per
   * host yet (no column, no onboarding flow), so there is nowhere to send the money: this throws,
   * and a caller must leave the payout unpaid (never mark it PAID on this error).
   */
  async payout(request: PayoutRequest): Promise<{ ref: string }> {
    throw new StripePayoutsUnsupportedError(
      `Stripe payouts need a Stripe Connect account per host, which Roost does not store yet ` +
        `(payout ${request.metadata.payoutId} for host ${request.hostId} not sent)`,
    );
  }

  /** Runs one SDK call, turning Stripe's failures into the provider errors callers handle. */
  private async call<T>(
    operation: () => Promise<T>,
    options: { badPaymentMethodDeclines?: boolean } = {},
  ): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw providerError(error, options);
    }
  }
}

function providerError(error: unknown, options: { badPaymentMethodDeclines?: boolean }): unknown {
  const errors = Stripe.errors;
  if (error instanceof errors.StripeCardError) {
    // decline_code is the issuer's reason (insufficient_funds); code the kind (card_declined).
    return new PaymentDeclinedError(error.decline_code || error.code || "card_declined");
  }
  // A payment method token Stripe does not know (or cannot use) is the guest's to fix, not ours.
  if (
    options.badPaymentMethodDeclines &&
    error instanceof errors.StripeInvalidRequestError &&
    error.param === "payment_method"
  ) {
    return new PaymentDeclinedError(error.code ?? "invalid_payment_method");
  }
  if (
    error instanceof errors.StripeConnectionError ||
    error instanceof errors.StripeAPIError ||
    error instanceof errors.StripeRateLimitError ||
    error instanceof errors.StripeAuthenticationError ||
    error instanceof errors.StripePermissionError
  ) {
    return new ProviderUnavailableError(`Stripe is unavailable: ${error.message}`, { cause: error });
  }
  return error;
}

const codeOf = (error: unknown): string | undefined =>
  error instanceof Stripe.errors.StripeError ? error.code : undefined;

/** The intent's status when Stripe refused an operation because of it (payment_intent_unexpected_state). */
function unexpectedState(error: unknown): string | undefined {
  if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) return undefined;
  if (error.code !== "payment_intent_unexpected_state") return undefined;
  return error.payment_intent?.status;
}

/** host, port and protocol for the SDK from "http(s)://host:port" (Stripe's /v1/ path is the SDK's). */
function apiAddress(apiUrl: string): { host: string; port: number; protocol: "http" | "https" } {
  const url = new URL(apiUrl);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : protocol === "http" ? 80 : 443,
    protocol,
  };
}

/**
 * Verifies a webhook's Stripe-Signature over the raw body (as received: re-serialized JSON would
 * not match) and parses the event. Signatures older than the SDK's tolerance (5 minutes) fail.
 */
export function verifyStripeWebhook(
  payload: string | Buffer,
  signatureHeader: string | undefined,
  secret: string,
): Stripe.Event {
  if (!signatureHeader) throw new StripeWebhookSignatureError("Missing Stripe-Signature header");
  try {
    return Stripe.webhooks.constructEvent(payload, signatureHeader, secret);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new StripeWebhookSignatureError("Invalid Stripe-Signature", { cause: error });
    }
    throw error;
  }
}

/** Stripe's event in our words, or undefined for an event Roost does not act on. */
export function toProviderEvent(event: Stripe.Event): ProviderEvent | undefined {
  switch (event.type) {
    case "payment_intent.amount_capturable_updated": {
      const intent = event.data.object;
      return {
        kind: "authorized",
        ref: intent.id,
        amount: fromStripeAmount(intent.amount_capturable, intent.currency),
      };
    }
    case "payment_intent.canceled":
      return { kind: "authorization_canceled", ref: event.data.object.id };
    case "payment_intent.succeeded": {
      const intent = event.data.object;
      return {
        kind: "capture_succeeded",
        ref: intent.id,
        amount: fromStripeAmount(intent.amount_received, intent.currency),
      };
    }
    case "payment_intent.payment_failed": {
      const intent = event.data.object;
      const error = intent.last_payment_error;
      return {
        kind: "payment_failed",
        ref: intent.id,
        code: error?.decline_code ?? error?.code ?? "payment_failed",
      };
    }
    case "charge.refunded":
      return chargeRefunds(event.data.object);
    default:
      return undefined;
  }
}

function chargeRefunds(charge: Stripe.Charge): ProviderEvent | undefined {
  const intent = charge.payment_intent;
  const ref = typeof intent === "string" ? intent : intent?.id;
  if (!ref) return undefined; // a charge outside PaymentIntents: not one of ours
  const listed = charge.refunds?.data;
  if (listed) {
    return {
      kind: "refunded",
      ref,
      refunds: listed
        .filter((refund) => refund.status !== "failed" && refund.status !== "canceled")
        .map((refund) => ({ ref: refund.id, amount: fromStripeAmount(refund.amount, charge.currency) })),
    };
  }
  // Since API version 2022-11-15 a Charge leaves its refunds out unless expanded, so this is the
  // usual case: one cumulative entry (amount_refunded is the charge's running total).
  return {
    kind: "refunded",
    ref,
    refunds: [
      { ref: `${charge.id}:total`, amount: fromStripeAmount(charge.amount_refunded, charge.currency) },
    ],
  };
}
