// graphql-sse clients for tests, tracked by the leak check until disposed, and subscriptions
// over them whose events (or refusal) are awaited one by one with a bound.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { type Client, type ClientOptions, createClient, NetworkError } from "graphql-sse";
import { trackOpen } from "./leak-check.ts";
import { within } from "./subscriber.ts";

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

/** A result from the stream, or a refusal with the HTTP status it came with. */
export interface SseEvent<TData> {
  data?: TData | null;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  status?: number;
}

export interface SseSubscription<TData> {
  /** The server answered with a stream; it may not have subscribed to its topic yet. */
  connected: Promise<void>;
  /** The next event (or the refusal); rejects when none arrives within timeoutMs. */
  next(timeoutMs?: number): Promise<SseEvent<TData>>;
  /** Ends the stream and disposes its client. */
  dispose(): void;
}

/**
 * One operation over its own graphql-sse client (distinct connections mode, no retries), as
 * `accessToken`'s user or anonymously. Events are queued until awaited, so none is missed.
 */
export function subscribeOverSse<TData, TVariables extends Record<string, unknown>>(
  serverUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  accessToken?: string,
): SseSubscription<TData> {
  const client = openSseClient({
    url: `${serverUrl}/graphql`,
    retryAttempts: 0,
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  });
  const events: Array<SseEvent<TData>> = [];
  const waiting: Array<(event: SseEvent<TData>) => void> = [];
  const deliver = (event: SseEvent<TData>) => {
    const waiter = waiting.shift();
    if (waiter) waiter(event);
    else events.push(event);
  };
  let connected!: () => void;
  const isConnected = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const unsubscribe = client.subscribe<TData>(
    { query: print(document), variables },
    {
      next: deliver,
      // Yoga answers an operation refused before it streams with the error's HTTP status
      // (and the result as one SSE event), which graphql-sse reports as a NetworkError.
      error: async (error) => {
        const response = error instanceof NetworkError ? (error.response as Response | undefined) : undefined;
        const data = (await response?.text())?.match(/^data: (.*)$/m)?.[1];
        const result = data
          ? (JSON.parse(data) as SseEvent<TData>)
          : { errors: [{ message: String(error) }] };
        deliver({ ...result, status: response?.status });
      },
      complete: () => undefined,
    },
    { connected: () => connected() },
  );
  return {
    connected: isConnected,
    async next(timeoutMs = 5_000) {
      const ready = events.shift();
      if (ready) return ready;
      let waiter!: (event: SseEvent<TData>) => void;
      const arrival = new Promise<SseEvent<TData>>((resolve) => {
        waiter = resolve;
      });
      waiting.push(waiter);
      try {
        return await within(arrival, timeoutMs, `no event within ${timeoutMs} ms`);
      } catch (error) {
        // A waiter that timed out leaves the queue, so a later event is not handed to it;
        // one already handed an event (at the very moment of the timeout) keeps it.
        const index = waiting.indexOf(waiter);
        if (index === -1) return arrival;
        waiting.splice(index, 1);
        throw error;
      }
    },
    dispose() {
      unsubscribe();
      client.dispose();
    },
  };
}
