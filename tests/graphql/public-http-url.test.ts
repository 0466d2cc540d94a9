// publicHttpUrl: URLs that clients and our own image processing will fetch, so never an
// address inside the network (cloud metadata, loopback, private ranges), in any spelling.
import { describe, expect, it } from "vitest";
import { publicHttpUrl } from "../../src/graphql/validation.ts";

const problemOf = (value: string): string | undefined => {
  const result = publicHttpUrl.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
};

const NOT_HTTP = "must be an http(s) URL";
const NOT_PUBLIC = "must point to a public host";
const USERINFO = "must not contain a user name or password";

describe("publicHttpUrl", () => {
  it.each([
    "https://images.example.com/a.jpg",
    "http://images.example.com:8080/a.jpg?size=large#top",
    "https://cdn.example.co.uk/photos/%F0%9F%8F%A0.jpg",
    "https://xn--bcher-kva.example/a.jpg",
    "https://8.8.8.8/a.jpg",
    "https://[2001:4860:4860::8888]/a.jpg",
    "https://172.32.0.1/a.jpg",
    "https://100.128.0.1/a.jpg",
    "https://192.169.0.1/a.jpg",
    "https://localhost.example.com/a.jpg",
    "https://internal.example.com/a.jpg",
  ])("accepts %s", (url) => {
    expect(problemOf(url)).toBeUndefined();
  });

  it.each([
    ["ftp://images.example.com/a.jpg", NOT_HTTP],
    ["javascript:alert(1)", NOT_HTTP],
    ["file:///etc/passwd", NOT_HTTP],
    ["images.example.com/a.jpg", NOT_HTTP],
    ["https://", NOT_HTTP],
    ["https://images.example.com/a b.jpg", NOT_HTTP],
    ["https://images.example.com/a\u0001.jpg", NOT_HTTP],
    [`https://images.example.com/${"a".repeat(2048)}`, "must be at most 2048 characters"],
    ["https://user:secret@images.example.com/a.jpg", USERINFO],
    ["https://user@images.example.com/a.jpg", USERINFO],
  ])("refuses %s", (url, message) => {
    expect(problemOf(url)).toBe(message);
  });

  it.each([
    // Names that resolve inside the network.
    "http://localhost/a.jpg",
    "http://LOCALHOST./a.jpg",
    "http://app.localhost/a.jpg",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://printer.local/a.jpg",
    "http://intranet/a.jpg",
    // IPv4 literals: loopback, private, link-local (cloud metadata), CGNAT, unspecified, multicast, broadcast.
    "http://127.0.0.1/a.jpg",
    "http://127.255.255.254/a.jpg",
    "http://10.0.0.1/a.jpg",
    "http://172.16.0.1/a.jpg",
    "http://172.31.255.255/a.jpg",
    "http://192.168.1.1/a.jpg",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/a.jpg",
    "http://100.127.255.255/a.jpg",
    "http://0.0.0.0/a.jpg",
    "http://224.0.0.1/a.jpg",
    "http://255.255.255.255/a.jpg",
    // The same addresses in the spellings URL parsing turns into dotted form.
    "http://2852039166/latest/meta-data/",
    "http://0xa9fea9fe/latest/meta-data/",
    "http://0251.0376.0251.0376/latest/meta-data/",
    "http://0xA9.0xFE.0xA9.0xFE/",
    "http://127.1/a.jpg",
    "http://0x7f.1/a.jpg",
    "http://0/a.jpg",
    "http://127.0.0.1./a.jpg",
    // IPv6 literals: loopback, unspecified, link-local, unique-local, multicast, IPv4-mapped and -compatible.
    "http://[::1]/a.jpg",
    "http://[::]/a.jpg",
    "http://[fe80::1]/a.jpg",
    "http://[febf::1]/a.jpg",
    "http://[fc00::1]/a.jpg",
    "http://[fd12:3456:789a::1]/a.jpg",
    "http://[ff02::1]/a.jpg",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[::ffff:10.1.2.3]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
  ])("refuses the internal address %s", (url) => {
    expect(problemOf(url)).toBe(NOT_PUBLIC);
  });
});
