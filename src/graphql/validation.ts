// Input validation at the edge. Rules are declared per input type as one object schema,
// so every bad field is reported at once (field-level rules stop at the first failure).
import { type ZodType, z } from "zod";
import { publicHttpUrlProblem } from "../http/public-address.ts";

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
