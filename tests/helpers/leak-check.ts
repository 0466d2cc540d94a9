// Fails a test file that leaves a test app (server, pools, workers) open.
import { afterAll } from "vitest";

const open = new Set<string>();

export function trackOpen(what: string): () => void {
  const token = `${what}#${open.size}:${Math.random()}`;
  open.add(token);
  return () => open.delete(token);
}

afterAll(() => {
  if (open.size > 0) {
    const names = [...open].map((token) => token.split("#")[0]);
    open.clear();
    throw new Error(`Test file left open: ${names.join(", ")}`);
  }
});
