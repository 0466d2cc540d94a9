// POST /webhooks/stripe: verifies Stripe's signature over the raw body, then records and applies
// the event once. Stripe retries anything but a 2xx for days, so only a failure worth retrying
// (ours, while applying) answers 5xx; a bad signature is a 400 that no retry will fix.
import type { App } from "../../app.ts";
import { recordProviderEvent } from "./provider-events.ts";
import { StripeWebhookSignatureError, toProviderEvent, verifyStripeWebhook } from "./stripe-provider.ts";

export const STRIPE_WEBHOOK_PATH = "/webhooks/stripe";

type ResponseClass = { json(data: unknown, init?: ResponseInit): Response };

/** Answers a request to STRIPE_WEBHOOK_PATH. `fetchAPI` is the server's (Yoga's) Response. */
export async function handleStripeWebhook(
  app: App,
  request: Request,
  fetchAPI: { Response: ResponseClass } = globalThis,
): Promise<Response> {
  const { Response } = fetchAPI;
  const failure = (status: number, code: string, message: string, headers?: HeadersInit) =>
    Response.json({ error: { code, message } }, { status, headers });

  // Without a secret nothing can be verified: the route does not exist.
  const secret = app.config.payments.stripe?.webhookSecret;
  if (!secret) return failure(404, "NOT_FOUND", "Not found");
  if (request.method !== "POST") {
    return failure(405, "BAD_USER_INPUT", "Stripe webhooks are POSTed", { allow: "POST" });
  }

  let payload: Buffer;
  try {
    // The server's body limit counts these bytes as they stream (and answers 413 past it).
    payload = Buffer.from(await request.arrayBuffer());
  } catch {
    return failure(400, "BAD_USER_INPUT", "The request body could not be read");
  }

  let event;
  try {
    event = verifyStripeWebhook(payload, request.headers.get("stripe-signature") ?? undefined, secret);
  } catch (error) {
    if (!(error instanceof StripeWebhookSignatureError)) throw error;
    app.logger.warn({ err: error }, "stripe webhook refused: bad signature");
    return failure(400, "BAD_USER_INPUT", error.message);
  }

  try {
    const outcome = await recordProviderEvent(
      app,
      { id: event.id, provider: "stripe", type: event.type },
      toProviderEvent(event),
    );
    app.logger.info({ eventId: event.id, type: event.type, outcome }, "stripe webhook");
    return Response.json({ received: true, ...(outcome === "duplicate" && { duplicate: true }) });
  } catch (error) {
    app.logger.error({ err: error, eventId: event.id, type: event.type }, "stripe webhook failed");
    return failure(500, "INTERNAL_SERVER_ERROR", "The event could not be applied; Stripe will retry");
  }
}
