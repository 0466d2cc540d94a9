// The free text of moderation: a reporter's or an admin's reason, an admin's resolution note.
import { textRule } from "../../graphql/validation.ts";

/** At most this many characters (the reports table CHECKs it too). */
export const REASON_MAX = 1_000;

/** Required, 1 to REASON_MAX characters after trimming, line breaks allowed, no other controls. */
export const reasonRule = textRule({ min: 1, max: REASON_MAX, multiline: true });

export const noteRule = textRule({ max: REASON_MAX, multiline: true });
