// Input validation at the edge. Rules are declared per input type as one object schema,
// so every bad field is reported at once (field-level rules stop at the first failure).
import { BlockList, isIP } from "node:net";
import { type ZodType, z } from "zod";

/** An object schema over some of an input's fields; other fields pass through untouched. */
export const inputRules = <Shape extends Record<string, ZodType>>(shape: Shape) => z.looseObject(shape);

// Characters no text field takes: C0/C1 controls (tab and newlines only where a field is
// multi-line), and the bidirectional overrides and isolates that make text display in
// another order than it is stored (names and titles spoofed in other people's screens).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
/** Characters that print nothing: a title made only of these is blank. */
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- lone combining marks are what it finds
  /[\s\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/gu;

/** True when the text shows nothing once invisible characters are dropped. */
export const isVisiblyBlank = (value: string): boolean => value.replace(INVISIBLE, "").length === 0;

interface TextOptions {
  min?: number;
  max: number;
  /** Allows tab and line breaks (descriptions, messages, house rules). */
  multiline?: boolean;
  /** Refuses bidirectional controls (names and titles shown to other people). */
  noBidi?: boolean;
}

/**
 * A free-text field: bounded length (counted after trimming), no control characters,
 * optionally no bidirectional controls, and not blank when a minimum is set.
 */
export function textRule({ min = 0, max, multiline = false, noBidi = false }: TextOptions) {
  return z
    .string()
    .refine(
      (value) => !(multiline ? CONTROL : CONTROL_SINGLE_LINE).test(value),
      multiline
        ? "must not contain control characters"
        : "must not contain control characters or line breaks",
    )
    .refine(
      (value) => !noBidi || !BIDI_CONTROL.test(value),
      "must not contain bidirectional control characters",
    )
    .refine(
      (value) => min === 0 || (value.trim().length >= min && !isVisiblyBlank(value)),
      min <= 1 ? "must not be empty" : `must be at least ${min} characters`,
    )
    .refine((value) => value.trim().length <= max, `must be at most ${max} characters`);
}

// Addresses a URL must not point at: clients and our own image processing fetch these URLs,
// so an address inside the network would let anyone make us (or a user's browser) reach it.
// The WHATWG parser has already turned decimal, octal and hex IPv4 spellings into dotted
// form and compressed IPv6, so the ranges are checked on one canonical spelling. A public
// name can still resolve to an internal address: whoever fetches must check again.
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

/** Why a URL is not a public http(s) URL, or undefined when it is one. */
function publicHttpUrlProblem(value: string): string | undefined {
  if (value.length > 2048) return "must be at most 2048 characters";
  // No whitespace or controls anywhere: the parser would silently drop or encode them.
  if (!/^https?:\/\/\S+$/i.test(value) || CONTROL_SINGLE_LINE.test(value) || !URL.canParse(value)) {
    return "must be an http(s) URL";
  }
  const url = new URL(value);
  if (url.username || url.password) return "must not contain a user name or password";
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.+$/, "");
  if (!host) return "must be an http(s) URL";
  const family = isIP(host);
  if (family === 0) {
    // A name without a dot is resolved through the local search domains.
    return !host.includes(".") || INTERNAL_NAME.test(host) ? "must point to a public host" : undefined;
  }
  return internalAddresses.check(host, family === 6 ? "ipv6" : "ipv4")
    ? "must point to a public host"
    : undefined;
}

/**
 * A URL others will fetch: http or https, no user name or password, and a host that is
 * neither an internal name (localhost, *.localhost, *.internal, *.local, single labels)
 * nor an address in a loopback, private, link-local, CGNAT, unique-local, unspecified or
 * multicast range, however it is spelled.
 */
export const publicHttpUrl = z.string().superRefine((value, ctx) => {
  const message = publicHttpUrlProblem(value);
  if (message) ctx.addIssue({ code: "custom", message });
});
