// The pages people open in a browser (GraphiQL at /graphql, Swagger UI at /api/docs) in headless
// Chromium: they render, list the schema and the routes, raise no page error, and fetch nothing
// from outside this machine. Screenshots go to test-results/screenshots/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import routeEntries from "../../schema/generated/rest-routes.json" with { type: "json" };
import { startTestApp, type TestApp } from "../helpers/app.ts";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(
    `Chromium not found at ${chromiumPath}; install Debian's chromium package (CI does) to run the browser tests`,
  );
}

const screenshots = resolve(import.meta.dirname, "../../test-results/screenshots");
/** GraphiQL's bundle is about 9 MB of script: loading and parsing it takes a while on a busy machine. */
const PAGE_TIMEOUT_MS = 120_000;

/** Where a page may fetch from: this machine, or nowhere (inline data, blobs it made). */
const isLocal = (url: string): boolean =>
  /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url) ||
  url.startsWith("data:") ||
  url.startsWith("blob:") ||
  url.startsWith("about:");

interface Visit {
  page: Page;
  requests: string[];
  pageErrors: string[];
  consoleErrors: string[];
  failedResponses: string[];
}

describe.skipIf(!hasChromium)("pages in headless Chromium", () => {
  let t: TestApp;
  let browser: Browser | undefined;
  let profile: string | undefined;

  beforeAll(async () => {
    t = await startTestApp();
    mkdirSync(screenshots, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), "roost-chromium-"));
    browser = await puppeteer.launch({
      executablePath: chromiumPath,
      timeout: 60_000,
      defaultViewport: { width: 1280, height: 900 },
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        `--user-data-dir=${profile}`,
      ],
    });
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      if (profile) rmSync(profile, { recursive: true, force: true });
      await t?.close();
    }
  });

  /** A new page that records what it fetches and what goes wrong in it. */
  async function open(path: string): Promise<Visit> {
    if (!browser) throw new Error("the browser did not start");
    const page = await browser.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    const visit: Visit = { page, requests: [], pageErrors: [], consoleErrors: [], failedResponses: [] };
    page.on("request", (request) => visit.requests.push(request.url()));
    page.on("pageerror", (error) => visit.pageErrors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") visit.consoleErrors.push(message.text());
    });
    page.on("response", (response) => {
      if (response.status() >= 400) visit.failedResponses.push(`${response.status()} ${response.url()}`);
    });
    // Navigation sends Accept: text/html, which is what makes /graphql answer GraphiQL.
    const response = await page.goto(`${t.url}${path}`, { waitUntil: "load", timeout: PAGE_TIMEOUT_MS });
    expect(response?.status()).toBe(200);
    return visit;
  }

  function expectClean(visit: Visit): void {
    expect(visit.requests.length).toBeGreaterThan(0);
    expect(visit.requests.filter((url) => !isLocal(url))).toEqual([]);
    expect(visit.pageErrors).toEqual([]);
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.failedResponses).toEqual([]);
  }

  it(
    "GraphiQL renders, and its docs explorer lists the schema's types and Query's fields",
    async () => {
      const visit = await open("/graphql");
      const { page } = visit;
      try {
        const docsButton = 'button[aria-label="Show Documentation Explorer"]';
        await page.waitForSelector(docsButton);
        await page.click(docsButton);
        const typeLinks = ".graphiql-doc-explorer a.graphiql-doc-explorer-type-name";
        await page.waitForSelector(typeLinks);
        const types = await page.$$eval(typeLinks, (links) => links.map((link) => link.textContent));
        expect(types).toEqual(expect.arrayContaining(["Query", "Mutation", "Listing", "Booking"]));

        // Into Query: its fields, searchListings among them.
        await page.$$eval(typeLinks, (links) => {
          const query = links.find((link) => link.textContent === "Query");
          if (!(query instanceof HTMLElement)) throw new Error("no Query link in the docs explorer");
          query.click();
        });
        await page.waitForFunction(
          () =>
            [...document.querySelectorAll(".graphiql-doc-explorer-field-name")].some(
              (field) => field.textContent === "searchListings",
            ),
          { timeout: PAGE_TIMEOUT_MS },
        );
        const title = await page.$eval(".graphiql-doc-explorer-title", (element) => element.textContent);
        expect(title).toBe("Query");
        // The editor opens on the search it was given.
        await page.waitForFunction(() => document.body.innerText.includes("SearchNearLisbon"), {
          timeout: PAGE_TIMEOUT_MS,
        });
        // Running it answers from this server (the search finds nothing here: no listings).
        await page.click(".graphiql-execute-button");
        await page.waitForFunction(
          () => document.querySelector(".graphiql-response")?.textContent?.includes("totalCount"),
          { timeout: PAGE_TIMEOUT_MS },
        );
        await page.screenshot({ path: join(screenshots, "graphiql.png") });
        expectClean(visit);
        // It fetched the schema (introspection) from this server's /graphql.
        expect(visit.requests).toContain(`${t.url}/graphql`);
      } finally {
        await page.close();
      }
    },
    PAGE_TIMEOUT_MS * 2,
  );

  it(
    "Swagger UI at /api/docs lists every route with its method, from the document on this origin",
    async () => {
      const visit = await open("/api/docs");
      const { page } = visit;
      try {
        await page.waitForSelector(".opblock .opblock-summary-path");
        const listed = await page.$$eval(".opblock", (blocks) =>
          blocks.map((block) => ({
            method: block.querySelector(".opblock-summary-method")?.textContent ?? "",
            path: block.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "",
          })),
        );
        const expected = routeEntries.map((entry) => ({ method: entry.method, path: entry.path }));
        expect(listed).toHaveLength(expected.length);
        expect(listed).toEqual(expect.arrayContaining(expected));
        const text = await page.$eval("body", (body) => body.innerText);
        expect(text).toContain("/api/bookings/{id}/accept");
        expect(text).toContain("POST");
        expect(text).toContain("Roost");
        await page.screenshot({ path: join(screenshots, "api-docs.png"), fullPage: true });

        // Opening POST /api/bookings shows its header parameter and error answers.
        await page.click("#operations-bookings-RequestBooking .opblock-summary-control");
        await page.waitForSelector("#operations-bookings-RequestBooking .parameters");
        const details = await page.$eval("#operations-bookings-RequestBooking", (block) =>
          block instanceof HTMLElement ? block.innerText : "",
        );
        expect(details).toContain("Idempotency-Key");
        for (const status of ["200", "402", "409", "422"]) expect(details).toContain(status);
        const block = await page.$("#operations-bookings-RequestBooking");
        await block?.screenshot({ path: join(screenshots, "api-docs-request-booking.png") });
        expectClean(visit);
        expect(visit.requests).toContain(`${t.url}/api/openapi.json`);
      } finally {
        await page.close();
      }
    },
    PAGE_TIMEOUT_MS * 2,
  );
});
