// Request body size limit for every route, counted as the body streams (chunked bodies carry no Content-Length).
import type { Plugin } from "graphql-yoga";

/**
 * Refuses bodies over `maxBytes` with 413. A declared Content-Length is checked up front; a body
 * without one is read through a counter that fails the stream past the limit, and whatever the
 * route answered to its truncated body is replaced by the 413. List it first: it replaces the
 * request, and later plugins must see the replacement.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  const exceeded = new WeakSet<Request>();
  const tooLarge = (fetchAPI: { Response: typeof Response }): Response =>
    fetchAPI.Response.json(
      { errors: [{ message: "Request body too large", extensions: { code: "QUERY_TOO_COMPLEX" } }] },
      // The client may still be sending: close the connection rather than read the rest.
      { status: 413, headers: { connection: "close" } },
    );

  return {
    onRequest({ request, setRequest, endResponse, fetchAPI }) {
      const declared = request.headers.get("content-length");
      if (declared !== null) {
        // Node's parser frames the body by Content-Length, so a declared size is the real one.
        if (Number(declared) > maxBytes) endResponse(tooLarge(fetchAPI));
        return;
      }
      const body = request.body;
      if (!body) return;
      let bytes = 0;
      // A native stream needs the native TransformStream (graphql-yoga #4583 does the same).
      const Transform =
        body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
      const counted = body.pipeThrough(
        new Transform<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            bytes += chunk.byteLength;
            if (bytes > maxBytes) {
              exceeded.add(limited);
              controller.error(new Error("Request body too large"));
              return;
            }
            controller.enqueue(chunk);
          },
        }),
      );
      const limited: Request = new fetchAPI.Request(request.url, {
        method: request.method,
        headers: request.headers,
        signal: request.signal,
        body: counted,
        duplex: "half",
      } as RequestInit);
      setRequest(limited);
    },
    onResponse({ request, setResponse, fetchAPI }) {
      if (exceeded.has(request)) setResponse(tooLarge(fetchAPI));
    },
  };
}
