// Opaque Relay ids: base64url("Type:uuid"). Anything malformed is NOT_FOUND (CONTRACT §3),
// so a bad id never reaches the database as an invalid UUID.
import { notFound } from "../core/errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeGlobalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`, "utf8").toString("base64url");
}

export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const decoded = Buffer.from(globalId, "base64url").toString("utf8");
  const separator = decoded.indexOf(":");
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator <= 0 || !/^[A-Z][A-Za-z]*$/.test(typename) || !UUID.test(id)) throw notFound();
  return { typename, id: id.toLowerCase() };
}

/** Decodes an id that must name an entity of the given type. */
export function decodeIdOf(typename: string, globalId: string, what = typename): string {
  try {
    const decoded = decodeGlobalId(globalId);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // fall through to the same answer as a wrong type
  }
  throw notFound(what);
}
