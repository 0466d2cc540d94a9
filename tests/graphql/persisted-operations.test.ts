import { createHash } from "node:crypto";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MeDocument } from "../../schema/generated/graphql.ts";
import manifest from "../../schema/generated/persisted-documents.json" with { type: "json" };
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { factories } from "../helpers/factories.ts";

const meDocument = Object.values(manifest as Record<string, string>).find((doc) => /\bquery Me\b/.test(doc));
const meHash = createHash("sha256")
  .update(meDocument ?? "")
  .digest("hex");

let strict: TestApp;
beforeAll(async () => {
  strict = await startTestApp({
    configure: (config) => {
      config.persistedOnly = true;
    },
  });
});
afterAll(() => strict.close());

async function post(t: TestApp, body: object, token?: string) {
  const response = await fetch(`${t.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return (await response.json()) as {
    data?: { me?: { id: string } };
    errors?: Array<{ extensions?: { code?: string } }>;
  };
}

describe("persisted operations", () => {
  it("the manifest's keys are the SHA-256 of their documents, and the clients send those keys", () => {
    const entries = Object.entries(manifest as Record<string, string>);
    expect(entries.length).toBeGreaterThan(1);
    for (const [key, document] of entries) {
      expect(key).toBe(`sha256:${createHash("sha256").update(document).digest("hex")}`);
    }
    expect((MeDocument as { __meta__?: { hash?: string } }).__meta__?.hash).toBe(`sha256:${meHash}`);
  });

  it("runs a stored operation by extensions.persistedQuery.sha256Hash and by documentId", async () => {
    const user = await factories(strict).user().create();
    const byHash = await post(
      strict,
      { extensions: { persistedQuery: { version: 1, sha256Hash: meHash } } },
      user.accessToken,
    );
    expect(byHash.data?.me?.id).toBe(user.globalId);
    const byDocumentId = await post(strict, { documentId: `sha256:${meHash}` }, user.accessToken);
    expect(byDocumentId.data?.me?.id).toBe(user.globalId);
  });

  it("answers PERSISTED_QUERY_NOT_FOUND for an unknown hash", async () => {
    const result = await post(strict, {
      extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  it("refuses other documents with PERSISTED_QUERY_ONLY when persisted-only", async () => {
    const result = await post(strict, { query: print(MeDocument) });
    expect(result.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_ONLY");
  });

  it("accepts any document when not persisted-only (development)", async () => {
    const open = await startTestApp();
    try {
      const user = await factories(open).user().create();
      expect((await post(open, { query: print(MeDocument) }, user.accessToken)).data?.me?.id).toBe(
        user.globalId,
      );
      const byHash = await post(open, { documentId: meHash }, user.accessToken);
      expect(byHash.data?.me?.id).toBe(user.globalId);
    } finally {
      await open.close();
    }
  });
});
