// Security headers on every response; HSTS is the TLS-terminating proxy's (README, "Behind a proxy").
import type { Plugin } from "graphql-yoga";

/**
 * The GraphiQL page inlines its scripts and styles and runs its editor workers from blob: URLs;
 * it talks only to this origin. Everything else the API serves is data, never a document to render.
 */
export const graphiqlPolicy = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
export const dataPolicy = "default-src 'none'; frame-ancestors 'none'";

export function useSecurityHeaders(): Plugin {
  return {
    onResponse({ response }) {
      const { headers } = response;
      const isPage = headers.get("content-type")?.startsWith("text/html") ?? false;
      headers.set("x-content-type-options", "nosniff");
      headers.set("referrer-policy", "no-referrer");
      headers.set("content-security-policy", isPage ? graphiqlPolicy : dataPolicy);
      // GraphQL answers can carry tokens and personal data: no cache keeps them, unless a route says otherwise.
      if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
    },
  };
}
