// PostgreSQL down: answers are 503 SERVICE_UNAVAILABLE with Retry-After, never a masked 500.
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { type RunningServer, startHttpServer } from "../../src/server.ts";
import { codeOf, GraphQLClient } from "../helpers/client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

// Nothing listens on port 1: every connection attempt is refused, as when PostgreSQL is down.
const unreachable = "postgresql://postgres@127.0.0.1:1/roost";
let app: App;
let server: RunningServer;
let client: GraphQLClient;
let healthy: TestApp;

beforeAll(async () => {
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: randomBytes(32).toString("hex"),
    DATABASE_URL: unreachable,
    DATA_DIR: join(tmpdir(), "roost-test-data"),
    LOG_LEVEL: "silent",
  });
  app = await createApp(config, { databaseUrl: unreachable });
  server = await startHttpServer(app, 0, "127.0.0.1");
  client = new GraphQLClient(`${server.url}/graphql`);
  healthy = await startTestApp();
});
afterAll(async () => {
  await server.close(1_000);
  await app.close();
  await healthy.close();
});

describe("while PostgreSQL is unreachable", () => {
  it("answers a query that reads the database with 503 SERVICE_UNAVAILABLE and Retry-After", async () => {
    const result = await client.request("{ amenities { code } }");
    expect(result.status).toBe(503);
    expect(codeOf(result)).toBe("SERVICE_UNAVAILABLE");
    expect(result.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(result.headers.get("retry-after")).toBe(String(result.errors?.[0]?.extensions?.retryAfter));
    expect(JSON.stringify(result.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|prisma/i);
  });

  it("answers a signed-in request (the session check reads PostgreSQL) the same way", async () => {
    const token = await new SignJWT({ sid: "00000000-0000-4000-8000-000000000000", role: "GUEST" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("00000000-0000-4000-8000-000000000001")
      .setIssuer("roost")
      .setAudience("roost-api")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(app.config.jwtSecret));
    const result = await client.as(token).request("{ me { id } }");
    expect(result.status).toBe(503);
    expect(codeOf(result)).toBe("SERVICE_UNAVAILABLE");
  });

  it("says so in readiness while liveness stays up", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).down).toContain("postgres");
  });

  it("is not what a healthy server answers to the same query", async () => {
    const result = await healthy.client.request("{ amenities { code } }");
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
  });
});
