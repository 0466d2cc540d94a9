// Retry-After on HTTP answers whose GraphQL errors say when to come back (RATE_LIMITED, SERVICE_UNAVAILABLE).
import type { Plugin } from "graphql-yoga";

/** The longest `extensions.retryAfter` (seconds) among a result's errors, if any has one. */
export function retryAfterOf(result: unknown): number | undefined {
  if (typeof result !== "object" || result === null || !("errors" in result)) return undefined;
  const { errors } = result as { errors?: unknown };
  if (!Array.isArray(errors)) return undefined;
  let longest: number | undefined;
  for (const error of errors as Array<{ extensions?: { retryAfter?: unknown } }>) {
    const seconds = error?.extensions?.retryAfter;
    if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) {
      longest = Math.max(longest ?? 0, Math.ceil(seconds));
    }
  }
  return longest;
}

export function useRetryAfterHeader(): Plugin {
  const retryAfter = new WeakMap<Request, number>();
  return {
    onResultProcess({ request, result }) {
      const seconds = retryAfterOf(result);
      if (seconds !== undefined) retryAfter.set(request, seconds);
    },
    onResponse({ request, response }) {
      const seconds = retryAfter.get(request);
      if (seconds !== undefined) response.headers.set("retry-after", String(seconds));
    },
  };
}
