// graphql-sse clients for tests, tracked by the leak check until disposed.
import { type Client, type ClientOptions, createClient } from "graphql-sse";
import { trackOpen } from "./leak-check.ts";

/** graphql-sse's createClient (distinct connections); the test file fails if it is never disposed. */
export function openSseClient(options: ClientOptions): Client {
  const client = createClient(options);
  const release = trackOpen(`graphql-sse client for ${String(options.url)}`);
  return {
    subscribe: client.subscribe,
    iterate: client.iterate,
    dispose() {
      client.dispose();
      release();
    },
  };
}
