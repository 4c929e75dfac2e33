import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { isHostname, parseIPv4, parseIPv6, samePrefix } from "../../mod/config/_ip.ts";

Deno.test("parseIPv4() reads dotted quads and rejects the rest", () => {
  deepStrictEqual(parseIPv4("192.0.2.255"), new Uint8Array([192, 0, 2, 255]));
  for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "1.2.3.x", "", "01234.1.1.1"]) {
    equal(parseIPv4(bad), undefined, bad);
  }
});

Deno.test("parseIPv6() reads RFC 4291 text forms", () => {
  deepStrictEqual(parseIPv6("::"), new Uint8Array(16));
  deepStrictEqual(parseIPv6("::1"), new Uint8Array([...new Array(15).fill(0), 1]));
  deepStrictEqual(
    parseIPv6("2001:db8::ff00:42:8329"),
    new Uint8Array([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]),
  );
  deepStrictEqual(
    parseIPv6("::ffff:192.0.2.1")?.subarray(10),
    new Uint8Array([255, 255, 192, 0, 2, 1]),
  );
  deepStrictEqual(parseIPv6("1:2:3:4:5:6:7:8")?.[15], 8);
  for (
    const bad of [
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "::g",
      "1:2:3:4:5:6:7",
      ":::",
      "fe80::1%eth0",
    ]
  ) {
    equal(parseIPv6(bad), undefined, bad);
  }
});

Deno.test("isHostname() accepts RFC 1123 names and rejects numeric last labels", () => {
  ok(isHostname("localhost"));
  ok(isHostname("sip-1.example.com."));
  ok(!isHostname("300.1.1.1"));
  ok(!isHostname("-bad.example"));
  ok(!isHostname("a..b"));
  ok(!isHostname("a b"));
});

Deno.test("samePrefix() compares whole and partial bytes", () => {
  const a = new Uint8Array([10, 0b10100000, 0, 0]);
  const b = new Uint8Array([10, 0b10111111, 9, 9]);
  ok(samePrefix(a, b, 11));
  ok(!samePrefix(a, b, 12));
  ok(samePrefix(a, b, 0));
});
