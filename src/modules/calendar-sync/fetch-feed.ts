// Fetching a calendar feed a host gave us: the server makes this request, so it is guarded like
// any server-side fetch of a user's URL (SSRF). Only http and https; every address actually
// connected to, after DNS and after each redirect, must be public unless the deployment allows
// private ones (CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES), checked when the socket connects so a
// name cannot resolve one way when checked and another when used; bounded in time (connect, each read,
// the whole fetch), in size and in redirects; and the body must be iCalendar.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { Config } from "../../config.ts";
import { isInternalAddress } from "../../http/public-address.ts";

/** Every address of a name, as dns.lookup with `all: true` gives them. */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface FeedFetchOptions {
  /** Whether an address may be connected to: publicAddressesOnly, unless the deployment allows more. */
  addressAllowed: (address: string) => boolean;
  limits: Config["calendarSync"]["fetch"];
  /** DNS resolution (dns.lookup by default); tests give names of their own. */
  resolve?: ResolveAll;
}

/** Why a feed could not be fetched, in words safe to show its host (stored as lastError). */
export class FeedFetchError extends Error {
  override readonly name = "FeedFetchError";
}

/** The default policy: no loopback, private, link-local, CGNAT, unique-local or multicast address. */
export const publicAddressesOnly = (address: string): boolean => !isInternalAddress(address);
export const anyAddress = (): boolean => true;

const USER_AGENT = "Roost-Calendar-Sync/1.0 (+https://roost.example)";

/** The feed's text. Throws FeedFetchError for every way the fetch can fail. */
export async function fetchFeed(url: string, options: FeedFetchOptions): Promise<string> {
  const { limits } = options;
  const deadline = AbortSignal.timeout(limits.totalTimeoutMs);
  let current = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const { response, failure } = await requestOnce(current, options, deadline);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (redirects >= limits.maxRedirects) {
        throw new FeedFetchError(`Too many redirects (more than ${limits.maxRedirects})`);
      }
      current = redirectTarget(current, location);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.destroy();
      throw new FeedFetchError(`The feed answered HTTP ${status}`);
    }
    const body = await readBody(response, limits.maxBytes, failure);
    return calendarText(body, response.headers["content-type"]);
  }
}

function redirectTarget(from: URL, location: string): URL {
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new FeedFetchError("The feed redirected to an invalid address");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new FeedFetchError("The feed redirected to an address that is not http(s)");
  }
  return target;
}

interface Exchange {
  response: IncomingMessage;
  /** Why the exchange was cut short (a timeout), once the body stream fails. */
  failure(): FeedFetchError | undefined;
}

/** One request: the response once its headers arrived (a redirect is the caller's to follow). */
function requestOnce(url: URL, options: FeedFetchOptions, deadline: AbortSignal): Promise<Exchange> {
  const { limits } = options;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // Node connects to an IP literal without a lookup: the address is checked here instead.
  if (isIP(host) !== 0 && !options.addressAllowed(host)) {
    return Promise.reject(new FeedFetchError(`${url.hostname} is not a public host`));
  }
  let cutShort: FeedFetchError | undefined;
  const failure = () => cutShort ?? (deadline.aborted ? new FeedFetchError(totalTimeout(limits)) : undefined);
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(failure() ?? asFetchError(error, url));
    const cut = (error: FeedFetchError) => {
      cutShort = error;
      request.destroy(error);
    };
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "GET",
      agent: false,
      headers: {
        accept: "text/calendar, text/plain;q=0.5, */*;q=0.1",
        "accept-encoding": "identity",
        "user-agent": USER_AGENT,
      },
      lookup: guardedLookup(options),
      signal: deadline,
      timeout: limits.readTimeoutMs,
    });
    const connectTimer = setTimeout(
      () => cut(new FeedFetchError(`Timed out connecting to ${url.host}`)),
      limits.connectTimeoutMs,
    );
    request.once("socket", (socket) => {
      // A fresh socket (agent: false) emits connect; TLS adds secureConnect on top, within the read timeout.
      socket.once("connect", () => clearTimeout(connectTimer));
    });
    request.once("timeout", () => cut(new FeedFetchError(`Timed out waiting for ${url.host} to answer`)));
    request.once("response", (response) => {
      clearTimeout(connectTimer);
      resolve({ response, failure });
    });
    // `on`, not `once`: a request cut short after its response may still report errors.
    request.on("error", (error) => {
      clearTimeout(connectTimer);
      fail(error);
    });
    request.once("close", () => clearTimeout(connectTimer));
    request.end();
  });
}

/** DNS resolution that refuses names resolving to a non-public address (checked at connect time). */
function guardedLookup(options: FeedFetchOptions): LookupFunction {
  const resolve: ResolveAll = options.resolve ?? dnsLookup;
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, list) => {
      if (error) return callback(error, "");
      // Every address, not only the first: the socket may try the others (happy eyeballs).
      if (list.some((entry) => !options.addressAllowed(entry.address))) {
        return callback(new FeedFetchError(`${hostname} is not a public host`), "");
      }
      if (list.length === 0) return callback(new FeedFetchError(`${hostname} has no address`), "");
      if (lookupOptions.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

/** The body up to maxBytes; more is refused as soon as it is known (Content-Length or counted). */
async function readBody(
  response: IncomingMessage,
  maxBytes: number,
  failure: () => FeedFetchError | undefined,
): Promise<Buffer> {
  const tooLarge = () => new FeedFetchError(`The feed is larger than ${formatBytes(maxBytes)}`);
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const encoding = response.headers["content-encoding"];
  if (encoding && encoding.toLowerCase() !== "identity") {
    response.destroy();
    throw new FeedFetchError(`The feed is sent compressed (${encoding}), which is not supported`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > maxBytes) {
        response.destroy();
        throw tooLarge();
      }
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof FeedFetchError) throw error;
    throw failure() ?? asFetchError(error as Error, undefined);
  }
  return Buffer.concat(chunks);
}

/** The body as text when it is an iCalendar object; anything else (a login page, JSON) is refused. */
function calendarText(body: Buffer, contentType: string | undefined): string {
  const text = new TextDecoder("utf-8").decode(body).replace(/^\uFEFF/, "");
  if (!/^\s*BEGIN:VCALENDAR\r?\n/i.test(text)) {
    const type = contentType?.split(";")[0]?.trim() || "no content type";
    throw new FeedFetchError(`The address did not return an iCalendar feed (${type})`);
  }
  return text;
}

const totalTimeout = (limits: FeedFetchOptions["limits"]) =>
  `Timed out fetching the feed (after ${limits.totalTimeoutMs / 1000} s)`;

function asFetchError(error: Error, url: URL | undefined): FeedFetchError {
  if (error instanceof FeedFetchError) return error;
  const where = url ? ` ${url.host}` : " the feed's host";
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new FeedFetchError(`Could not find${where}`);
  if (code === "ECONNREFUSED") return new FeedFetchError(`Connection refused by${where}`);
  if (code === "ECONNRESET") return new FeedFetchError(`Connection reset by${where}`);
  if (code?.startsWith("ERR_TLS") || code?.includes("CERT")) {
    return new FeedFetchError(`Could not make a secure connection to${where}`);
  }
  return new FeedFetchError(`Could not fetch the feed${code ? ` (${code})` : ""}`);
}

const formatBytes = (bytes: number) =>
  bytes >= 1_000_000 ? `${bytes / 1_000_000} MB` : `${Math.round(bytes / 1000)} kB`;
