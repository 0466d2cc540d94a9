// A local stand-in for Stripe's API (the endpoints Roost calls), so the real SDK's request code
// runs in tests: it records each request's form body and Idempotency-Key, keeps PaymentIntents
// and refunds in memory, replays a repeated idempotency key as Stripe does, and answers whatever
// a test queues instead (a card error, a 500, a stall).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { trackOpen } from "./leak-check.ts";

export interface StubRequest {
  method: string;
  path: string;
  form: URLSearchParams;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
}

/** A reply to send, or "stall": accept the request and never answer. */
export type StubReply = { status: number; body: unknown; headers?: Record<string, string> } | "stall";

type Intent = Record<string, unknown> & { id: string; status: string; amount: number; currency: string };

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

export class StripeStub {
  readonly requests: StubRequest[] = [];
  readonly intents = new Map<string, Intent>();
  private readonly queued: Array<{ matches: (request: StubRequest) => boolean; reply: StubReply }> = [];
  private readonly replays = new Map<string, { status: number; body: unknown }>();

  private readonly server: Server = createServer((req, res) => {
    void readForm(req).then((form) => {
      const reply = this.handle({
        method: req.method ?? "GET",
        path: (req.url ?? "/").split("?")[0] ?? "/",
        form,
        idempotencyKey: header(req, "idempotency-key"),
        authorization: header(req, "authorization"),
      });
      if (reply === "stall") return;
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  private release = () => {};
  /** http://127.0.0.1:<port>: the provider's apiUrl. */
  url = "";

  private constructor() {}

  static async start(): Promise<StripeStub> {
    const stub = new StripeStub();
    await new Promise<void>((resolve) => stub.server.listen(0, "127.0.0.1", resolve));
    const { port } = stub.server.address() as AddressInfo;
    stub.url = `http://127.0.0.1:${port}`;
    stub.release = trackOpen(`Stripe stub on ${port}`);
    return stub;
  }

  /** Answers the next `times` requests to `method path` (path: exact, or a RegExp) with `reply`. */
  answer(method: string, path: string | RegExp, reply: StubReply, times = 1): void {
    const matches = (request: StubRequest) =>
      request.method === method &&
      (typeof path === "string" ? request.path === path : path.test(request.path));
    for (let i = 0; i < times; i++) this.queued.push({ matches, reply });
  }

  /** The requests made to `method path`. */
  requestsTo(method: string, path: string | RegExp): StubRequest[] {
    return this.requests.filter(
      (request) =>
        request.method === method &&
        (typeof path === "string" ? request.path === path : path.test(request.path)),
    );
  }

  /** Makes a PaymentIntent as if created and confirmed elsewhere (e.g. one to move by hand). */
  seedIntent(fields: Partial<Intent> & { amount: number; currency: string; status: string }): Intent {
    const intent = paymentIntent({ id: id("pi"), ...fields });
    this.intents.set(intent.id, intent);
    return intent;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections(); // stalled requests and the SDK's keep-alive sockets
    await closed;
    this.release();
  }

  private handle(request: StubRequest): StubReply {
    this.requests.push(request);
    const index = this.queued.findIndex((entry) => entry.matches(request));
    if (index >= 0) return this.queued.splice(index, 1)[0]!.reply;
    // Stripe answers a repeated key with the first response, whatever it was.
    const replayKey = request.idempotencyKey && `${request.method} ${request.path} ${request.idempotencyKey}`;
    const replay = replayKey ? this.replays.get(replayKey) : undefined;
    if (replay) return replay;
    const reply = this.route(request);
    if (replayKey) this.replays.set(replayKey, reply);
    return reply;
  }

  private route({ method, path, form }: StubRequest): { status: number; body: unknown } {
    if (method === "POST" && path === "/v1/payment_intents") {
      const amount = Number(form.get("amount"));
      const intent = paymentIntent({
        id: id("pi"),
        amount,
        currency: form.get("currency") ?? "",
        status: form.get("confirm") === "true" ? "requires_capture" : "requires_confirmation",
        amount_capturable: form.get("confirm") === "true" ? amount : 0,
        capture_method: form.get("capture_method") ?? "automatic",
        payment_method: form.get("payment_method"),
        description: form.get("description"),
        metadata: metadataOf(form),
      });
      this.intents.set(intent.id, intent);
      return { status: 200, body: intent };
    }
    const [, intentId, action] = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/.exec(path) ?? [];
    const intent = intentId ? this.intents.get(intentId) : undefined;
    if (intentId && !intent) return missing(intentId);
    if (intent && method === "GET" && !action) return { status: 200, body: intent };
    if (intent && method === "POST" && action === "capture") {
      if (intent.status !== "requires_capture") return unexpectedState(intent, "capture");
      const amount = Number(form.get("amount_to_capture") ?? intent.amount);
      Object.assign(intent, { status: "succeeded", amount_received: amount, amount_capturable: 0 });
      return { status: 200, body: intent };
    }
    if (intent && method === "POST" && action === "cancel") {
      if (intent.status === "succeeded" || intent.status === "canceled")
        return unexpectedState(intent, "cancel");
      Object.assign(intent, { status: "canceled", amount_capturable: 0, canceled_at: now() });
      return { status: 200, body: intent };
    }
    if (method === "POST" && path === "/v1/refunds") {
      const refunded = this.intents.get(form.get("payment_intent") ?? "");
      if (!refunded) return missing(form.get("payment_intent") ?? "");
      return {
        status: 200,
        body: {
          id: id("re"),
          object: "refund",
          amount: Number(form.get("amount") ?? refunded.amount_received),
          currency: refunded.currency,
          charge: refunded.latest_charge,
          payment_intent: refunded.id,
          metadata: metadataOf(form),
          reason: form.get("reason"),
          status: "succeeded",
          created: now(),
        },
      };
    }
    return {
      status: 404,
      body: {
        error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path})` },
      },
    };
  }
}

/** A PaymentIntent as Stripe returns it (the fields Roost reads, and enough of the rest to look real). */
function paymentIntent(
  fields: Partial<Intent> & { id: string; amount: number; currency: string; status: string },
): Intent {
  return {
    object: "payment_intent",
    amount_capturable: 0,
    amount_received: 0,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "manual",
    client_secret: `${fields.id}_secret_${randomBytes(6).toString("hex")}`,
    confirmation_method: "automatic",
    created: now(),
    description: null,
    last_payment_error: null,
    latest_charge: `ch_${fields.id.slice(3)}`,
    livemode: false,
    metadata: {},
    payment_method: null,
    payment_method_types: ["card"],
    ...fields,
  };
}

export const cardError = (declineCode: string): StubReply => ({
  status: 402,
  body: {
    error: {
      type: "card_error",
      code: "card_declined",
      decline_code: declineCode,
      message: "Your card was declined.",
      doc_url: "https://stripe.com/docs/error-codes/card-declined",
      request_log_url: "https://dashboard.stripe.com/test/logs/req_stub",
    },
  },
});

export const serverError: StubReply = {
  status: 500,
  body: { error: { type: "api_error", message: "An unknown error occurred" } },
};

function unexpectedState(intent: Intent, action: string) {
  return {
    status: 400,
    body: {
      error: {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message: `You cannot ${action} this PaymentIntent because it has a status of ${intent.status}.`,
        payment_intent: intent,
      },
    },
  };
}

function missing(what: string) {
  return {
    status: 404,
    body: {
      error: {
        type: "invalid_request_error",
        code: "resource_missing",
        message: `No such payment_intent: '${what}'`,
      },
    },
  };
}

function metadataOf(form: URLSearchParams): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of form) {
    const name = /^metadata\[(.+)\]$/.exec(key)?.[1];
    if (name) metadata[name] = value;
  }
  return metadata;
}

const now = () => Math.floor(Date.now() / 1000);

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
