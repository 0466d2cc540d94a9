// The client's IP address: the socket's peer, or, behind trusted proxies, the rightmost untrusted hop of X-Forwarded-For.
import { BlockList, isIP } from "node:net";

/** Which peers are proxies of ours: the nearest `hops` of them, or those inside `cidrs`. */
export type TrustProxy = { hops: number } | { cidrs: string[] };

/** An address as the rate limits see it: IPv4-mapped IPv6 as plain IPv4; brackets and ports dropped. */
export function normalizeAddress(raw: string): string | undefined {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) address = mapped[1];
  return isIP(address) ? address.toLowerCase() : undefined;
}

/**
 * Builds `(socketAddress, xForwardedFor) => client IP`. Hops are taken from the right (each proxy
 * appends the peer it saw), and only while the hop that handed them over is trusted; a hop that
 * is not an address ends the walk, so a client can never choose its own IP by sending the header.
 */
export function clientIpResolver(
  trust: TrustProxy,
): (socket: string | undefined, forwardedFor: string | null) => string {
  const trusted = "cidrs" in trust ? blockListOf(trust.cidrs) : undefined;
  const hops = "hops" in trust ? trust.hops : Number.POSITIVE_INFINITY;
  return (socket, forwardedFor) => {
    let client = (socket && normalizeAddress(socket)) ?? socket ?? "unknown";
    if (hops === 0 || !forwardedFor) return client;
    const chain = forwardedFor.split(",");
    for (let taken = 0; taken < hops; taken++) {
      if (trusted && !isTrusted(trusted, client)) break;
      const next = chain.pop();
      const address = next === undefined ? undefined : normalizeAddress(next);
      if (!address) break;
      client = address;
    }
    return client;
  };
}

function blockListOf(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", prefix] = cidr.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    list.addSubnet(address, prefix === undefined ? (type === "ipv6" ? 128 : 32) : Number(prefix), type);
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** Parses TRUST_PROXY: a hop count ("1") or a comma list of CIDRs or addresses; throws a message otherwise. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (text === "") return { hops: 0 };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) throw new Error("a hop count must be 0-10");
    return { hops };
  }
  const cidrs = text.split(",").map((part) => part.trim());
  for (const cidr of cidrs) {
    const [address = "", prefix, ...rest] = cidr.split("/");
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const validPrefix = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= max);
    if (family === 0 || !validPrefix || rest.length > 0)
      throw new Error(`"${cidr}" is neither a hop count nor an address or CIDR range`);
  }
  return { cidrs };
}
