// Fails a test file that leaves anything open: test apps, SSE clients and subscribers (tracked
// by the helpers that open them), and any socket or server nobody tracked (an app made with
// createApp, a pool, a Redis client).
import { afterAll } from "vitest";

const tracked = new Map<symbol, string>();

/** Records something a test must close; call the returned function once it is closed. */
export function trackOpen(what: string): () => void {
  const token = Symbol(what);
  tracked.set(token, what);
  return () => void tracked.delete(token);
}

// Untracked resources are seen as TCP handles beyond those the worker process held before the
// file ran (vitest talks to it over pipes, so the baseline is normally none).
const isNetwork = (resource: string) => resource.startsWith("TCP");
const networkResources = () => process.getActiveResourcesInfo().filter(isNetwork);
const baseline = countBy(networkResources());
/** Undocumented, but the only way to say which socket it is; the check works without it. */
const activeHandles = (process as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
const baselineHandles = new Set(activeHandles?.call(process) ?? []);

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function untrackedNetwork(): string[] {
  const extra = [...countBy(networkResources())]
    .map(([kind, count]) => [kind, count - (baseline.get(kind) ?? 0)] as const)
    .filter(([, count]) => count > 0);
  if (extra.length === 0) return [];
  const described = [...countBy((activeHandles?.call(process) ?? []).flatMap(describeHandle))];
  const counted = described.length ? described : extra;
  return counted.map(([what, count]) => (count > 1 ? `${count} × ${what}` : what));
}

interface HandleShape {
  remoteAddress?: string;
  remotePort?: number;
  connecting?: boolean;
  address?: () => unknown;
}

function describeHandle(handle: unknown): string[] {
  if (baselineHandles.has(handle) || typeof handle !== "object" || handle === null) return [];
  const { constructor } = handle;
  const shape = handle as HandleShape;
  if (constructor.name === "Socket" && (shape.remotePort !== undefined || shape.connecting)) {
    return [`a socket to ${shape.remoteAddress ?? "?"}:${shape.remotePort ?? "?"}`];
  }
  if (constructor.name === "Server" && typeof shape.address === "function") {
    const address = shape.address() as { port?: number } | null;
    return address ? [`a server on port ${address.port ?? "?"}`] : [];
  }
  return [];
}

/**
 * What is still open: tracked resources at once, untracked sockets after up to settleMs
 * (a socket closed by the other side takes an event-loop turn or two to go).
 */
export async function findLeaks({ settleMs = 1_000 } = {}): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const network = untrackedNetwork();
    if (tracked.size > 0 || network.length === 0 || Date.now() >= deadline) {
      return [...tracked.values(), ...network];
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Throws, naming them, when anything is still open. */
export async function checkNothingLeftOpen(options?: { settleMs?: number }): Promise<void> {
  const leaks = await findLeaks(options);
  if (leaks.length > 0) {
    throw new Error(
      `Test file left open: ${leaks.join("; ")} (close test apps, apps from createApp, pools and ` +
        "Redis clients, dispose SSE clients, close subscribers)",
    );
  }
}

// Registered by the setup file before the test file's own hooks, so it runs after them.
afterAll(async () => {
  try {
    await checkNothingLeftOpen();
  } finally {
    tracked.clear();
  }
});
