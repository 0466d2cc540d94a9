// The REST facade's error answers for the OpenAPI document: one `Error` schema, one response
// per HTTP status naming the contract codes that map to it (CONTRACT §4, src/core/errors.ts),
// and which of them a route can answer.
import { type ErrorCode, errorStatus } from "../core/errors.ts";
import type { JsonSchema } from "./json-schema.ts";
import type { CompiledRoute } from "./route-table.ts";

interface ErrorExample {
  code: ErrorCode;
  message: string;
  fields?: Array<{ path: string; message: string }>;
}

interface StatusResponse {
  /** Its name under components.responses. */
  name: string;
  what: string;
  example: ErrorExample;
  /** Codes answered with this status besides those errorStatus maps to it. */
  alsoCodes?: ErrorCode[];
  retryAfter?: boolean;
}

const statusResponses: Record<number, StatusResponse> = {
  400: {
    name: "BadRequest",
    what: "The request is invalid: `fields` names each bad parameter or body field by its REST name (`checkIn`, `near.lat`), or the query the route runs exceeds a limit.",
    example: {
      code: "BAD_USER_INPUT",
      message: "checkIn is required",
      fields: [{ path: "checkIn", message: "is required" }],
    },
  },
  401: {
    name: "Unauthorized",
    what: "No valid access token: send `Authorization: Bearer <accessToken>` (access tokens live 15 minutes; refresh them).",
    example: { code: "UNAUTHENTICATED", message: "Authentication required" },
  },
  402: {
    name: "PaymentRequired",
    what: "The payment provider refused the payment method.",
    example: { code: "PAYMENT_FAILED", message: "Your card was declined." },
  },
  403: {
    name: "Forbidden",
    what: "Signed in, but not allowed to do this.",
    example: { code: "FORBIDDEN", message: "Not allowed" },
  },
  404: {
    name: "NotFound",
    what: "No such entity visible to the caller (also where its existence must not leak), or no such route.",
    example: { code: "NOT_FOUND", message: "Booking not found" },
  },
  409: {
    name: "Conflict",
    what: "The request conflicts with what exists: a unique value is taken, some night is booked or blocked, or the entity's state does not allow the transition.",
    example: { code: "INVALID_STATE", message: "Only a pending booking can be accepted" },
  },
  415: {
    name: "UnsupportedMediaType",
    what: "The request body is not JSON: send `Content-Type: application/json`.",
    example: {
      code: "BAD_USER_INPUT",
      message: "A request body must be JSON (Content-Type: application/json)",
    },
    alsoCodes: ["BAD_USER_INPUT"],
  },
  422: {
    name: "UnprocessableContent",
    what: "This `Idempotency-Key` was used before with a different request.",
    example: {
      code: "IDEMPOTENCY_KEY_REUSED",
      message: "This idempotency key was used with another request",
    },
  },
  429: {
    name: "TooManyRequests",
    what: "Too many requests: retry after the `Retry-After` header's seconds.",
    example: { code: "RATE_LIMITED", message: "Too many requests, retry later" },
    retryAfter: true,
  },
  500: {
    name: "InternalServerError",
    what: "An unexpected failure, logged with the request's `x-request-id`; nothing internal is shown.",
    example: { code: "INTERNAL_SERVER_ERROR", message: "Unexpected error." },
  },
  503: {
    name: "ServiceUnavailable",
    what: "A backing service (PostgreSQL) is down: retry after the `Retry-After` header's seconds.",
    example: { code: "SERVICE_UNAVAILABLE", message: "Service temporarily unavailable" },
    retryAfter: true,
  },
};

/** The codes each status answers, from the one table of them. */
function codesOf(status: number): ErrorCode[] {
  const mapped = (Object.keys(errorStatus) as ErrorCode[]).filter((code) => errorStatus[code] === status);
  return [...new Set([...mapped, ...(statusResponses[status]?.alsoCodes ?? [])])];
}

const errorSchema: JsonSchema = {
  type: "object",
  description: "Every failure: a contract code, a message safe to show, and the input fields at fault.",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "fields"],
      properties: {
        code: { type: "string", enum: Object.keys(errorStatus) },
        message: { type: "string" },
        fields: { type: "array", items: { $ref: "#/components/schemas/FieldError" } },
      },
    },
  },
};

const fieldErrorSchema: JsonSchema = {
  type: "object",
  required: ["path", "message"],
  properties: {
    path: {
      type: "string",
      description:
        "The parameter or body field, dot-separated inside objects (`address.city`, `photos.2.url`).",
    },
    message: { type: "string" },
  },
};

/** What goes under components: the schemas, the Retry-After header and one response per status. */
export function errorComponents(): {
  schemas: Record<string, JsonSchema>;
  headers: Record<string, JsonSchema>;
  responses: Record<string, JsonSchema>;
} {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(statusResponses)) {
    const codes = codesOf(Number(status));
    responses[response.name] = {
      description: `${response.what} Codes: ${codes.map((code) => `\`${code}\``).join(", ")}.`,
      ...(response.retryAfter && { headers: { "Retry-After": { $ref: "#/components/headers/RetryAfter" } } }),
      content: {
        "application/json": {
          schema: { $ref: "#/components/schemas/Error" },
          example: { error: { ...response.example, fields: response.example.fields ?? [] } },
        },
      },
    };
  }
  return {
    schemas: { Error: errorSchema, FieldError: fieldErrorSchema },
    headers: {
      RetryAfter: {
        description: "Seconds to wait before retrying.",
        schema: { type: "integer", minimum: 0 },
      },
    },
    responses,
  };
}

/** The error responses a route can answer, as references to components.responses. */
export function errorResponsesOf(route: CompiledRoute): Record<string, JsonSchema> {
  const statuses = [400, 401, 403, 404, 429, 500, 503];
  if (route.body) statuses.push(415);
  // Conflicts are about writes: a query never answers CONFLICT, DATES_UNAVAILABLE or INVALID_STATE.
  if (route.operationType === "mutation") statuses.push(409);
  if (route.idempotencyKey) statuses.push(422);
  if (route.body?.fields.some((field) => field.name === "paymentMethod")) statuses.push(402);
  const responses: Record<string, JsonSchema> = {};
  for (const status of statuses.sort((a, b) => a - b)) {
    const response = statusResponses[status];
    if (response) responses[String(status)] = { $ref: `#/components/responses/${response.name}` };
  }
  return responses;
}
