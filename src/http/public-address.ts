// Addresses inside the network, and URLs that must not point at them: clients, our image
// processing and the calendar-sync fetcher fetch URLs users give, so an address inside the
// network would let anyone make us (or a user's browser) reach it.
import { BlockList, isIP } from "node:net";

// The WHATWG parser has already turned decimal, octal and hex IPv4 spellings into dotted
// form and compressed IPv6, so the ranges are checked on one canonical spelling. A public
// name can still resolve to an internal address: whoever fetches must check again
// (isInternalAddress on the address actually connected to).
const internalAddresses = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", including the unspecified 0.0.0.0
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local: cloud metadata at 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and the broadcast address
] as const) {
  // BlockList also matches these against IPv4-mapped IPv6 (::ffff:a.b.c.d).
  internalAddresses.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ["64:ff9b::", 96], // NAT64: an IPv4 address in disguise
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // the deprecated site-local
  ["ff00::", 8], // multicast
] as const) {
  internalAddresses.addSubnet(network, prefix, "ipv6");
}

const INTERNAL_NAME = /(^|\.)(localhost|internal|local)$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** True for an IP address (v4 or v6, any canonical spelling) in a non-public range; false for names. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return internalAddresses.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** Why a URL is not an http(s) URL without credentials, or undefined when it is one. */
export function httpUrlProblem(value: string): string | undefined {
  if (value.length > 2048) return "must be at most 2048 characters";
  // No whitespace or controls anywhere: the parser would silently drop or encode them.
  if (!/^https?:\/\/\S+$/i.test(value) || CONTROL.test(value) || !URL.canParse(value)) {
    return "must be an http(s) URL";
  }
  const url = new URL(value);
  if (url.username || url.password) return "must not contain a user name or password";
  if (!bareHostOf(url)) return "must be an http(s) URL";
  return undefined;
}

/** Why a URL is not a public http(s) URL, or undefined when it is one. */
export function publicHttpUrlProblem(value: string): string | undefined {
  const problem = httpUrlProblem(value);
  if (problem) return problem;
  const host = bareHostOf(new URL(value));
  if (isIP(host) === 0) {
    // A name without a dot is resolved through the local search domains.
    return !host.includes(".") || INTERNAL_NAME.test(host) ? "must point to a public host" : undefined;
  }
  return isInternalAddress(host) ? "must point to a public host" : undefined;
}

/** The URL's host without IPv6 brackets or trailing dots. */
function bareHostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "");
}
