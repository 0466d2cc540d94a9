// examples/book-a-stay.ts run as a front-end developer would run it: a child process against a
// live, persisted-only server, booking a real listing near Lisbon; and how it fails.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Listing } from "../../src/generated/prisma/client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { rawId } from "../helpers/bookings.ts";
import { codeOf } from "../helpers/client.ts";
import { factories, type TestUser } from "../helpers/factories.ts";

const root = resolve(import.meta.dirname, "../..");

let t: TestApp;
let listing: Listing;

beforeAll(async () => {
  t = await startTestApp({ configure: (config) => void (config.persistedOnly = true) });
  const host = await factories(t).user().host().create();
  // Alfama: a couple of kilometres from the example's default spot in the Baixa.
  listing = await factories(t).listing(host).listed().with({ lat: 38.7139, lng: -9.1335 }).create();
});
afterAll(() => t.close());

/** Runs the example to its exit with only these ROOST_* settings (none inherited). */
async function runExample(env: Record<string, string>) {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("ROOST_")),
  );
  const child = spawn(process.execPath, ["--import", "tsx", "examples/book-a-stay.ts"], {
    cwd: root,
    env: { ...inherited, ROOST_URL: `${t.url}/graphql`, ...env },
    timeout: 30_000,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

/** The calendar date `days` from today (UTC). */
const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const guest = (): Promise<TestUser> => factories(t).user().create();
const bookingsOf = (user: TestUser) => t.app.db.booking.findMany({ where: { guestId: user.id } });

describe("examples/book-a-stay.ts", () => {
  it("talks to a server that takes persisted operations only", async () => {
    expect(codeOf(await t.client.request("{ __typename }"))).toBe("PERSISTED_QUERY_ONLY");
  });

  it("logs in, finds the listing near Lisbon, quotes and books it", async () => {
    const user = await guest();
    const run = await runExample({
      ROOST_EMAIL: user.email,
      ROOST_PASSWORD: user.password,
      // Well clear of the default stay the next test books on the same listing.
      ROOST_CHECK_IN: daysFromToday(90),
      ROOST_CHECK_OUT: daysFromToday(94),
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const booked = /^BOOKED (\S+) (\S+)$/m.exec(run.stdout);
    expect(booked?.[2]).toBe("PENDING");
    const [booking, ...others] = await bookingsOf(user);
    expect(others).toEqual([]);
    expect(booking).toMatchObject({
      id: rawId(booked?.[1] ?? ""),
      listingId: listing.id,
      status: "PENDING",
      guests: 2,
      nights: 4,
    });
    expect(run.stdout).toContain(listing.title);
  });

  it("books five weeks ahead for three nights by default", async () => {
    const user = await guest();
    const run = await runExample({ ROOST_EMAIL: user.email, ROOST_PASSWORD: user.password });
    expect(run.code).toBe(0);
    const [booking] = await bookingsOf(user);
    const daysAhead = ((booking?.checkIn.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(daysAhead).toBeGreaterThan(33);
    expect(daysAhead).toBeLessThan(36);
    expect(booking).toMatchObject({ listingId: listing.id, nights: 3 });
  });

  it("fails in one line with UNAUTHENTICATED on a wrong password, booking nothing", async () => {
    const user = await guest();
    const run = await runExample({ ROOST_EMAIL: user.email, ROOST_PASSWORD: "not-the-password" });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringContaining("UNAUTHENTICATED")]);
    expect(await bookingsOf(user)).toEqual([]);
  });

  it("fails in one line when nothing is free near the spot", async () => {
    const user = await guest();
    const run = await runExample({
      ROOST_EMAIL: user.email,
      ROOST_PASSWORD: user.password,
      ROOST_LAT: "48.8566",
      ROOST_LNG: "2.3522",
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringContaining("Nothing free within 25 km")]);
    expect(await bookingsOf(user)).toEqual([]);
  });
});
