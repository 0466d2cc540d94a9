// CORS: which browser origins may call the API, and which of them with credentials.
import type { Plugin } from "graphql-yoga";

/** "*": any origin, without credentials; a list: exactly those origins, with credentials. */
export type CorsOrigins = "*" | readonly string[];

const allowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
// Not CORS-safelisted, so a browser script sees them only when exposed.
const exposedHeaders = "retry-after, x-request-id, idempotent-replayed";

/** The CORS headers for a request from `origin` (null: not a cross-origin request). */
export function corsHeaders(
  origins: CorsOrigins,
  origin: string | null,
  preflight: { requestHeaders: string | null } | undefined,
): Record<string, string> {
  // "null" is the origin of sandboxed frames and file: pages: anyone can be it.
  if (origin === null || origin === "null") return {};
  const listed = origins !== "*";
  if (listed && !origins.includes(origin)) return {};
  const headers: Record<string, string> = {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": exposedHeaders,
  };
  if (listed) headers["access-control-allow-credentials"] = "true";
  if (preflight) {
    headers["access-control-allow-methods"] = allowedMethods;
    if (preflight.requestHeaders) headers["access-control-allow-headers"] = preflight.requestHeaders;
    headers["access-control-max-age"] = "600";
  }
  return headers;
}

/** Answers preflights and adds CORS headers by `origins`; replaces Yoga's own (which echoes any origin). */
export function useCors(origins: CorsOrigins): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method === "OPTIONS") {
        endResponse(new fetchAPI.Response(null, { status: 204, headers: { "content-length": "0" } }));
      }
    },
    onResponse({ request, response }) {
      const preflight =
        request.method === "OPTIONS"
          ? { requestHeaders: request.headers.get("access-control-request-headers") }
          : undefined;
      response.headers.append("vary", "Origin");
      for (const [name, value] of Object.entries(
        corsHeaders(origins, request.headers.get("origin"), preflight),
      )) {
        response.headers.set(name, value);
      }
    },
  };
}
