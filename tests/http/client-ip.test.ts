// The client IP behind TRUST_PROXY: pure cases by table, then the sign-up limit over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignUpDocument } from "../../schema/generated/graphql.ts";
import { clientIpResolver, parseTrustProxy, type TrustProxy } from "../../src/http/client-ip.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { codeOf } from "../helpers/client.ts";

describe("clientIpResolver", () => {
  const cases: Array<[string, TrustProxy, string | undefined, string | null, string]> = [
    [
      "no proxy trusted: the socket, whatever the header says",
      { hops: 0 },
      "203.0.113.7",
      "198.51.100.1",
      "203.0.113.7",
    ],
    ["IPv4-mapped socket address", { hops: 0 }, "::ffff:203.0.113.7", null, "203.0.113.7"],
    ["no socket (in process)", { hops: 0 }, undefined, "198.51.100.1", "unknown"],
    ["one hop: the entry the proxy appended", { hops: 1 }, "10.0.0.2", "198.51.100.1", "198.51.100.1"],
    [
      "one hop: a spoofed entry to its left is ignored",
      { hops: 1 },
      "10.0.0.2",
      "6.6.6.6, 198.51.100.1",
      "198.51.100.1",
    ],
    ["two hops", { hops: 2 }, "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"],
    ["more hops than entries: the leftmost", { hops: 3 }, "10.0.0.2", "198.51.100.1", "198.51.100.1"],
    ["one hop, no header: the socket", { hops: 1 }, "10.0.0.2", null, "10.0.0.2"],
    ["a garbage hop ends the walk", { hops: 2 }, "10.0.0.2", "198.51.100.1, not-an-ip", "10.0.0.2"],
    ["ports and brackets are dropped", { hops: 1 }, "10.0.0.2", "[2001:db8::1]:4711", "2001:db8::1"],
    ["IPv4 with a port", { hops: 1 }, "10.0.0.2", "198.51.100.1:4711", "198.51.100.1"],
    [
      "CIDRs: rightmost untrusted hop",
      { cidrs: ["10.0.0.0/8"] },
      "10.0.0.2",
      "6.6.6.6, 198.51.100.1, 10.1.2.3",
      "198.51.100.1",
    ],
    [
      "CIDRs: socket not trusted, header ignored",
      { cidrs: ["10.0.0.0/8"] },
      "203.0.113.7",
      "198.51.100.1",
      "203.0.113.7",
    ],
    ["CIDRs: all trusted, the leftmost", { cidrs: ["10.0.0.0/8"] }, "10.0.0.2", "10.9.9.9", "10.9.9.9"],
    ["CIDRs: a single address", { cidrs: ["127.0.0.1"] }, "::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"],
    ["CIDRs: IPv6 range", { cidrs: ["fd00::/8"] }, "fd00::1", "2001:db8::5", "2001:db8::5"],
  ];
  it.each(cases)("%s", (_name, trust, socket, forwardedFor, expected) => {
    expect(clientIpResolver(trust)(socket, forwardedFor)).toBe(expected);
  });
});

describe("parseTrustProxy", () => {
  it("reads a hop count or a list of CIDRs and addresses", () => {
    expect(parseTrustProxy("")).toEqual({ hops: 0 });
    expect(parseTrustProxy("1")).toEqual({ hops: 1 });
    expect(parseTrustProxy("10.0.0.0/8, 127.0.0.1/32,::1")).toEqual({
      cidrs: ["10.0.0.0/8", "127.0.0.1/32", "::1"],
    });
  });

  it("refuses anything else", () => {
    for (const bad of ["true", "10.0.0.0/33", "10.0.0/8", "fd00::/129", "11", "10.0.0.0/8/1", "-1"]) {
      expect(() => parseTrustProxy(bad), bad).toThrow();
    }
  });
});

describe("the sign-up limit per client IP, over HTTP", () => {
  let direct: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    direct = await startTestApp({
      configure: (config) => {
        config.auth.signUpsPerIpPerHour = 1;
      },
    });
    proxied = await startTestApp({
      configure: (config) => {
        config.auth.signUpsPerIpPerHour = 1;
        config.http.trustProxy = { cidrs: ["127.0.0.1/32"] };
      },
    });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  const signUp = (t: TestApp, forwardedFor: string) =>
    t.client.withHeaders({ "x-forwarded-for": forwardedFor }).request(SignUpDocument, {
      input: {
        email: `ip-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`,
        password: "long-enough-pw",
        firstName: "Ip",
        lastName: "Test",
      },
    });

  it("ignores X-Forwarded-For by default: a client cannot pick its own IP", async () => {
    expect((await signUp(direct, "198.51.100.1")).errors).toBeUndefined();
    expect(codeOf(await signUp(direct, "198.51.100.2"))).toBe("RATE_LIMITED");
  });

  it("behind a trusted proxy counts the forwarded client, not the proxy", async () => {
    expect((await signUp(proxied, "198.51.100.1")).errors).toBeUndefined();
    expect((await signUp(proxied, "198.51.100.2")).errors).toBeUndefined();
    expect(codeOf(await signUp(proxied, "198.51.100.1"))).toBe("RATE_LIMITED");
    // What the client wrote to the left of what the proxy appended changes nothing.
    expect(codeOf(await signUp(proxied, "192.0.2.99, 198.51.100.2"))).toBe("RATE_LIMITED");
  });
});
