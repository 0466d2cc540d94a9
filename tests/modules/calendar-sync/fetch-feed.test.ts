// Fetching feeds over real HTTP from a local server: timeouts, size and redirect limits, content
// checks, and the SSRF guard on every address connected to (IP literals and resolved names).
import type { LookupAddress } from "node:dns";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  anyAddress,
  type FeedFetchOptions,
  FeedFetchError,
  fetchFeed,
  publicAddressesOnly,
  type ResolveAll,
} from "../../../src/modules/calendar-sync/fetch-feed.ts";
import { FeedServer, fixture } from "./feed-server.ts";

const limits = {
  connectTimeoutMs: 1_000,
  readTimeoutMs: 300,
  totalTimeoutMs: 3_000,
  maxBytes: 100_000,
  maxRedirects: 3,
};
const allowed: FeedFetchOptions = { addressAllowed: anyAddress, limits };
const guarded: FeedFetchOptions = { addressAllowed: publicAddressesOnly, limits };

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await FeedServer.start();
});
afterAll(() => feeds.close());

async function failure(url: string, options = allowed): Promise<string> {
  const error = await fetchFeed(url, options).then(
    () => undefined,
    (refusal: unknown) => refusal,
  );
  expect(error).toBeInstanceOf(FeedFetchError);
  return (error as FeedFetchError).message;
}

describe("fetchFeed", () => {
  it("returns the feed's text", async () => {
    const url = feeds.serve("/airbnb.ics", "airbnb.ics");
    expect(await fetchFeed(url, allowed)).toBe(fixture("airbnb.ics"));
  });

  it("follows a redirect or two", async () => {
    feeds.serve("/final.ics", "vrbo.ics");
    feeds.set("/hop", { redirect: "/final.ics", status: 301 });
    const url = feeds.set("/start", { redirect: `${feeds.url}/hop` });
    expect(await fetchFeed(url, allowed)).toBe(fixture("vrbo.ics"));
  });

  it("gives up on a redirect loop", async () => {
    feeds.set("/loop-a", { redirect: "/loop-b" });
    const url = feeds.set("/loop-b", { redirect: "/loop-a" });
    expect(await failure(url)).toBe("Too many redirects (more than 3)");
  });

  it("refuses a redirect to anything but http(s)", async () => {
    const url = feeds.set("/to-file", { redirect: "file:///etc/passwd" });
    expect(await failure(url)).toBe("The feed redirected to an address that is not http(s)");
  });

  it("times out a server that never answers, within the read timeout", async () => {
    const url = feeds.set("/stall", "stall");
    const started = performance.now();
    expect(await failure(url)).toMatch(/^Timed out waiting for 127\.0\.0\.1:\d+ to answer$/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("times out a body that stops half way", async () => {
    const url = feeds.set("/trickle", (_req, res) => {
      res.writeHead(200, { "content-type": "text/calendar" });
      res.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"); // and nothing more
    });
    expect(await failure(url)).toMatch(/^Timed out waiting for/);
  });

  it("bounds the whole fetch, however the server dribbles", async () => {
    const url = feeds.set("/dribble", (_req, res) => {
      res.writeHead(200, { "content-type": "text/calendar" });
      res.write("BEGIN:VCALENDAR\r\n");
      const timer = setInterval(() => res.write("X-A:1\r\n"), 100);
      res.on("close", () => clearInterval(timer));
    });
    const started = performance.now();
    expect(await failure(url, { ...allowed, limits: { ...limits, totalTimeoutMs: 800 } })).toBe(
      "Timed out fetching the feed (after 0.8 s)",
    );
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("refuses a body larger than the limit, declared or not", async () => {
    const declared = feeds.set("/declared", { body: `BEGIN:VCALENDAR\r\n${"X".repeat(150_000)}` });
    expect(await failure(declared)).toBe("The feed is larger than 100 kB");
    const streamed = feeds.set("/streamed", { streamBytes: 5_000_000 });
    expect(await failure(streamed)).toBe("The feed is larger than 100 kB");
  });

  it("refuses what is not iCalendar, naming its content type", async () => {
    const html = feeds.set("/login", { body: fixture("not-a-calendar.html"), contentType: "text/html" });
    expect(await failure(html)).toBe("The address did not return an iCalendar feed (text/html)");
    const json = feeds.set("/json", { body: '{"events":[]}', contentType: "application/json" });
    expect(await failure(json)).toBe("The address did not return an iCalendar feed (application/json)");
  });

  it("refuses error answers", async () => {
    expect(await failure(`${feeds.url}/missing.ics`)).toBe("The feed answered HTTP 404");
    const down = feeds.set("/down", { body: "maintenance", status: 503 });
    expect(await failure(down)).toBe("The feed answered HTTP 503");
  });

  it("reports a refused connection", async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await failure(`http://127.0.0.1:${port}/feed.ics`)).toBe(
      `Connection refused by 127.0.0.1:${port}`,
    );
  });
});

describe("the SSRF guard", () => {
  const port = () => new URL(feeds.url).port;
  /** DNS that answers every name with these addresses. */
  const resolvingTo =
    (...addresses: string[]): ResolveAll =>
    (_hostname, _options, callback) =>
      callback(
        null,
        addresses.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 })),
      );

  it.each(["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"])(
    "refuses the address %s unless allowed",
    async (host) => {
      expect(await failure(`http://${host}:${port()}/x.ics`, guarded)).toMatch(/is not a public host$/);
    },
  );

  it("refuses a public-looking name that resolves inside the network, checked when connecting", async () => {
    feeds.serve("/rebind.ics", "airbnb.ics");
    const url = `http://calendar.example.com:${port()}/rebind.ics`;
    const message = await failure(url, { ...guarded, resolve: resolvingTo("93.184.216.34", "127.0.0.1") });
    expect(message).toBe("calendar.example.com is not a public host");
    // Allowed (as the tests' deployments are), the same name reaches the local server.
    expect(await fetchFeed(url, { ...allowed, resolve: resolvingTo("127.0.0.1") })).toBe(
      fixture("airbnb.ics"),
    );
  });

  it("checks every redirect's target too, by address and by name", async () => {
    // Loopback stands in for a public host here (nothing public listens on this machine); every
    // other internal address stays refused.
    const options: FeedFetchOptions = {
      limits,
      addressAllowed: (address) => address === "127.0.0.1" || publicAddressesOnly(address),
      resolve: (hostname, lookupOptions, callback) =>
        hostname === "intranet.example.com"
          ? resolvingTo("10.0.0.5")(hostname, lookupOptions, callback)
          : resolvingTo("127.0.0.1")(hostname, lookupOptions, callback),
    };
    const metadata = feeds.set("/to-metadata", { redirect: "http://169.254.169.254/latest/meta-data/" });
    expect(await failure(metadata, options)).toBe("169.254.169.254 is not a public host");
    const intranet = feeds.set("/to-intranet", { redirect: "http://intranet.example.com/feed.ics" });
    expect(await failure(intranet, options)).toBe("intranet.example.com is not a public host");
    // The same seam lets an allowed redirect through.
    feeds.serve("/fine.ics", "vrbo.ics");
    const fine = feeds.set("/to-fine", { redirect: `http://feeds.example.com:${port()}/fine.ics` });
    expect(await fetchFeed(fine, options)).toBe(fixture("vrbo.ics"));
  });
});
