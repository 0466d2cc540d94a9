// The 1 MB request body limit holds for chunked bodies (no Content-Length), over a real socket.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * POSTs `head`, then `padding` bytes of "x", then `tail` with Transfer-Encoding: chunked,
 * writing until the server answers (it may stop reading and close before the end).
 */
function postChunked(url: string, head: string, padding: number, tail: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      },
      (res) => {
        answered = true;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    // Writes after the server has closed fail with EPIPE or ECONNRESET: expected once it answered.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = "x".repeat(64 * 1024);
    let left = padding;
    const pump = (): void => {
      req.write(head);
      while (left > 0 && !answered && !req.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.slice(0, left);
        left -= piece.length;
        if (!req.write(piece)) {
          req.once("drain", () => {
            head = "";
            pump();
          });
          return;
        }
      }
      if (!answered && !req.destroyed) req.end(tail);
    };
    pump();
  });
}

const signUpBody = (email: string): { head: string; tail: string } => ({
  head: JSON.stringify({
    query: `mutation { signUp(input: { email: "${email}", password: "long-enough-pw", firstName: "Chunk", lastName: "Ed" }) { accessToken } }`,
  }).replace(/}$/, ',"variables":{"padding":"'),
  tail: '"}}',
});

describe("request body limit", () => {
  it("answers 413 to a 10 MB chunked body and does not run its operation", async () => {
    const email = `chunked-${Date.now()}@example.test`;
    const { head, tail } = signUpBody(email);
    const response = await postChunked(`${t.url}/graphql`, head, 10_000_000, tail);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({
      errors: [{ message: "Request body too large", extensions: { code: "QUERY_TOO_COMPLEX" } }],
    });
    expect(await t.app.db.user.findUnique({ where: { email } })).toBeNull();
    // The server still answers afterwards.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it("runs a chunked body under the limit", async () => {
    const email = `small-chunked-${Date.now()}@example.test`;
    const { head, tail } = signUpBody(email);
    const response = await postChunked(`${t.url}/graphql`, head, 100_000, tail);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).data.signUp.accessToken).toEqual(expect.any(String));
    expect(await t.app.db.user.findUnique({ where: { email } })).not.toBeNull();
  });

  it("applies in process through yoga.fetch too", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const piece = new TextEncoder().encode("x".repeat(100_000));
        controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }","variables":{"p":"'));
        for (let i = 0; i < 15; i++) controller.enqueue(piece);
        controller.enqueue(new TextEncoder().encode('"}}'));
        controller.close();
      },
    });
    const response = await t.server.yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    const small = await t.server.yoga.fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(await small.json()).toEqual({ data: { __typename: "Query" } });
  });
});
