// The peers' HTTP host: a node:http server on a loopback port, with the response count a probe
// reads, closed like Roost's server (idle keep-alive connections first, the rest after a grace).
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";

export interface PeerServer {
  url: string;
  /** Responses finished so far. */
  responses(): number;
  close(): Promise<void>;
}

export async function listenOnLoopback(handler: RequestListener): Promise<PeerServer> {
  let responses = 0;
  const server = createServer((request, response) => {
    response.once("finish", () => {
      responses += 1;
    });
    handler(request, response);
  });
  // As Roost's server (src/server.ts): keep-alive connections outlive the load's pauses.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    responses: () => responses,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), 1_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
