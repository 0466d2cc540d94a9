// The REST facade (CONTRACT §8): each request under /api is matched to its route, turned into
// the variables of the route's persisted operation, and executed by sending that operation
// by hash through the GraphQL server itself, so limits, authentication, rate limits,
// persisted-only mode and error masking are the GraphQL path's own. The answer is the root
// field's data, or `{ error: { code, message, fields } }` with the status of CONTRACT §4.
import { createHash } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import type { App } from "../app.ts";
import { errorStatus, type FieldError, isErrorCode } from "../core/errors.ts";
import { canonicalJson, DECIDED_CODES, IDEMPOTENCY_TTL_MS } from "../infra/idempotency.ts";
import { etagOf, notModified } from "../http/etag.ts";
import { isJsonContentType } from "../http/json-only.ts";
import { authenticateRequest } from "../modules/accounts/authenticate.ts";
import type { CompiledRoute } from "./route-table.ts";
import { mapVariables, type Variables } from "./variables.ts";

/** Marks the GraphQL request the facade makes, so it is not logged and counted twice. */
export interface RestServerContext {
  restRoute?: CompiledRoute;
}

interface ErrorJson {
  message?: string;
  extensions?: { code?: unknown; fields?: FieldError[]; retryAfter?: unknown };
}

interface Answer {
  status: number;
  body: string;
  retryAfter?: number;
  /** A cacheable GET answer's Cache-Control (from the response cache); it gets an ETag too. */
  cacheControl?: string;
}

/** What a replay of an idempotent request answers, stored under its key for 24 h. */
interface StoredAnswer extends Answer {
  fingerprint: string;
}

const jsonHeaders = { "content-type": "application/json; charset=utf-8" };

export function errorAnswer(
  code: keyof typeof errorStatus,
  message: string,
  fields: FieldError[] = [],
  status: number = errorStatus[code],
  retryAfter?: number,
): Answer {
  return {
    status,
    body: JSON.stringify({ error: { code, message, fields } }),
    ...(retryAfter !== undefined && { retryAfter }),
  };
}

/** A GraphQL response as the REST answer. */
function answerFrom(
  route: CompiledRoute,
  result: { data?: Record<string, unknown> | null; errors?: ErrorJson[] },
): Answer {
  const first = result.errors?.[0];
  if (first) {
    const code = isErrorCode(first.extensions?.code) ? first.extensions.code : "INTERNAL_SERVER_ERROR";
    const retryAfter =
      typeof first.extensions?.retryAfter === "number" ? Math.ceil(first.extensions.retryAfter) : undefined;
    return errorAnswer(
      code,
      first.message ?? "Request failed",
      first.extensions?.fields ?? [],
      errorStatus[code],
      retryAfter,
    );
  }
  const data = route.rootField === null ? result.data : result.data?.[route.rootField];
  if (data === null || data === undefined) return errorAnswer("NOT_FOUND", "Not found");
  return { status: 200, body: JSON.stringify(data) };
}

function respond(
  fetchAPI: { Response: typeof Response },
  answer: Answer,
  extra: Record<string, string> = {},
  ifNoneMatch: string | null = null,
): Response {
  const headers: Record<string, string> = { ...jsonHeaders, ...extra };
  if (answer.retryAfter !== undefined) headers["retry-after"] = String(answer.retryAfter);
  if (answer.cacheControl) {
    const etag = etagOf(answer.body);
    Object.assign(headers, { etag, "cache-control": answer.cacheControl, vary: "Authorization" });
    if (notModified(ifNoneMatch, etag)) {
      const { "content-type": _type, ...unchangedHeaders } = headers;
      return new fetchAPI.Response(null, { status: 304, headers: unchangedHeaders });
    }
  }
  return new fetchAPI.Response(answer.body, { status: answer.status, headers });
}

/** Matches a path to its route, or says which methods the path takes. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string,
): { route: CompiledRoute; values: string[] } | { allowed: string[] } | null {
  const allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    if (route.method === method) return { route, values: match.slice(1) };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : null;
}

async function readBody(request: Request): Promise<{ body: unknown } | { error: Answer }> {
  let text: string;
  try {
    text = await request.text();
  } catch {
    // The body limit failed the stream (and answers 413 in place of this), or the client left.
    return { error: errorAnswer("BAD_USER_INPUT", "The request body could not be read") };
  }
  if (text.trim() === "") return { body: undefined };
  if (!isJsonContentType(request.headers.get("content-type"))) {
    return {
      error: errorAnswer(
        "BAD_USER_INPUT",
        "A request body must be JSON (Content-Type: application/json)",
        [],
        415,
      ),
    };
  }
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { error: errorAnswer("BAD_USER_INPUT", "The request body is not valid JSON") };
  }
}

function decodeSegments(values: readonly string[]): string[] | null {
  try {
    return values.map((value) => decodeURIComponent(value));
  } catch {
    return null;
  }
}

export interface RestFacadeOptions {
  routes: readonly CompiledRoute[];
  /** Runs a GraphQL request through the same server (Yoga's fetch). */
  execute: (request: Request, context: RestServerContext) => Promise<Response>;
  /** The outer request's id, carried by the GraphQL request so both log under one id. */
  requestId: (request: Request) => string;
  /** Other pages under /api (the OpenAPI document, the docs page), tried first. */
  pages?: (url: URL, request: Request) => Promise<Response | undefined> | Response | undefined;
}

export function useRestFacade(app: App, options: RestFacadeOptions): Plugin<object, RestServerContext> {
  const { routes } = options;
  const replays = replayStore(app);

  /** The key a replayable answer is kept under: per user, operation and client key. */
  async function replayKey(route: CompiledRoute, request: Request, key: string): Promise<string | undefined> {
    const auth = await authenticateRequest(app, request.headers.get("authorization"));
    if (!auth.session) return undefined; // the operation answers UNAUTHENTICATED; nothing to keep
    const digest = createHash("sha256").update(key).digest("hex");
    return `rest:replay:${auth.session.userId}:${route.operationName}:${digest}`;
  }

  async function execute(
    route: CompiledRoute,
    variables: Variables,
    request: Request,
    url: URL,
    serverContext: RestServerContext,
    Request: typeof globalThis.Request,
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
    };
    for (const name of ["authorization", "x-forwarded-for", "user-agent"]) {
      const value = request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    headers["x-request-id"] = options.requestId(request);
    const body = JSON.stringify({
      extensions: { persistedQuery: { version: 1, sha256Hash: route.hash } },
      variables,
    });
    headers["content-length"] = String(Buffer.byteLength(body));
    const inner = new Request(new URL("/graphql", url), { method: "POST", headers, body });
    const response = await options.execute(inner, { ...serverContext, restRoute: route });
    const text = await response.text();
    let result: { data?: Record<string, unknown> | null; errors?: ErrorJson[] };
    try {
      result = JSON.parse(text) as typeof result;
    } catch {
      // Not a GraphQL answer (the body limit's 413, say): pass its status on.
      return errorAnswer("BAD_USER_INPUT", text.slice(0, 200) || "Request refused", [], response.status);
    }
    const answer = answerFrom(route, result);
    const cacheControl = response.headers.get("cache-control");
    if (route.method === "GET" && answer.status === 200 && cacheControl && cacheControl !== "no-store") {
      answer.cacheControl = cacheControl;
    }
    return answer;
  }

  return {
    async onRequest({ url, request, endResponse, fetchAPI, serverContext }) {
      if (url.pathname !== "/api" && !url.pathname.startsWith("/api/")) return;
      if (serverContext.restRoute) return;

      const page = await options.pages?.(url, request);
      if (page) {
        endResponse(page);
        return;
      }

      const matched = matchRoute(routes, request.method, url.pathname);
      if (!matched) {
        endResponse(
          respond(fetchAPI, errorAnswer("NOT_FOUND", `No route ${request.method} ${url.pathname}`)),
        );
        return;
      }
      if ("allowed" in matched) {
        const answer = errorAnswer(
          "NOT_FOUND",
          `${url.pathname} takes ${matched.allowed.join(", ")}`,
          [],
          405,
        );
        endResponse(respond(fetchAPI, answer, { allow: matched.allowed.join(", ") }));
        return;
      }
      const { route } = matched;

      const values = decodeSegments(matched.values);
      if (!values) {
        endResponse(respond(fetchAPI, errorAnswer("NOT_FOUND", "Malformed path")));
        return;
      }
      let body: unknown;
      if (route.method !== "GET") {
        const read = await readBody(request);
        if ("error" in read) {
          endResponse(respond(fetchAPI, read.error));
          return;
        }
        body = read.body;
      }
      const idempotencyKey = request.headers.get("idempotency-key");
      const mapped = mapVariables(route, {
        pathValues: values,
        query: url.searchParams,
        body,
        idempotencyKey,
      });
      if ("fields" in mapped) {
        const message = mapped.fields
          .map((field) => (field.path ? `${field.path} ${field.message}` : field.message))
          .join("; ");
        endResponse(respond(fetchAPI, errorAnswer("BAD_USER_INPUT", message, mapped.fields)));
        return;
      }

      const keyed =
        route.idempotencyKey && idempotencyKey !== null
          ? await replayKey(route, request, idempotencyKey)
          : undefined;
      const fingerprint = keyed
        ? createHash("sha256").update(canonicalJson(mapped.variables)).digest("hex")
        : "";
      if (keyed) {
        const previous = await replays.find(keyed, fingerprint);
        if (previous) {
          endResponse(respond(fetchAPI, previous, { "idempotent-replayed": "true" }));
          return;
        }
      }

      const answer = await execute(route, mapped.variables, request, url, serverContext, fetchAPI.Request);

      if (keyed && replayable(answer)) {
        // A concurrent twin may have kept its answer first: then every replay answers that one.
        const first = await replays.keep(keyed, { ...answer, fingerprint });
        if (first) {
          endResponse(respond(fetchAPI, first, { "idempotent-replayed": "true" }));
          return;
        }
      }
      endResponse(respond(fetchAPI, answer, {}, request.headers.get("if-none-match")));
    },
  };
}

/**
 * Answers kept for replays, in the key-value store. When the store is down only the byte-for-byte
 * replay is lost: the operation's own idempotency key still keeps a retry from acting twice.
 */
function replayStore(app: App) {
  const parse = (stored: string | null, fingerprint: string): StoredAnswer | undefined => {
    const previous = stored ? (JSON.parse(stored) as StoredAnswer) : undefined;
    return previous?.fingerprint === fingerprint ? previous : undefined;
  };
  const warn = (error: unknown) =>
    app.logger.warn({ err: error }, "REST replay store unavailable; answering without it");
  return {
    async find(key: string, fingerprint: string): Promise<StoredAnswer | undefined> {
      try {
        return parse(await app.kv.get(key), fingerprint);
      } catch (error) {
        warn(error);
        return undefined;
      }
    },
    /** Keeps the answer unless one is kept already; returns that earlier answer then. */
    async keep(key: string, answer: StoredAnswer): Promise<StoredAnswer | undefined> {
      try {
        if (await app.kv.setIfAbsent(key, JSON.stringify(answer), IDEMPOTENCY_TTL_MS / 1000))
          return undefined;
        return parse(await app.kv.get(key), answer.fingerprint);
      } catch (error) {
        warn(error);
        return undefined;
      }
    },
  };
}

/** Answers the GraphQL side keeps for its key too: successes and decided refusals. */
function replayable(answer: Answer): boolean {
  if (answer.status < 300) return true;
  const code = (JSON.parse(answer.body) as { error?: { code?: unknown } }).error?.code;
  return isErrorCode(code) && DECIDED_CODES.has(code);
}
