// CSRF prevention: GraphQL POSTs must be JSON. Browsers send form and text bodies cross-site without a preflight.
import type { Plugin } from "graphql-yoga";

// What Yoga's JSON parser reads; neither is a CORS "simple" content type, so a foreign page
// cannot send them without the preflight that CORS_ORIGINS answers.
const jsonTypes = new Set(["application/json", "application/graphql+json"]);

export function isJsonContentType(contentType: string | null): boolean {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase();
  return mediaType !== undefined && jsonTypes.has(mediaType);
}

/**
 * Refuses GraphQL POSTs that are not JSON with 415 (form-urlencoded, multipart, text/plain, and
 * the bare `application/graphql` body). Yoga's own CSRF plugin instead demands a custom header on
 * every request, GET included, which plain GET queries and curl would lack. GET cannot mutate.
 */
export function useJsonPostsOnly(): Plugin {
  return {
    onRequestParse({ request, endResponse, fetchAPI }) {
      if (request.method !== "POST" || isJsonContentType(request.headers.get("content-type"))) return;
      endResponse(
        fetchAPI.Response.json(
          {
            errors: [
              {
                message: "GraphQL requests must be sent as application/json",
                extensions: { code: "BAD_USER_INPUT" },
              },
            ],
          },
          { status: 415 },
        ),
      );
    },
  };
}
