import { assertEquals } from "../../_assert.ts";
import {
  formatIpv6,
  isIpv4,
  isIpv6,
  parseIpv6,
  stripBrackets,
} from "../../../mod/signaling/dns/_ip.ts";

Deno.test("isIpv4() accepts dotted quads only", () => {
  assertEquals(["127.0.0.1", "0.0.0.0", "255.255.255.255"].map(isIpv4), [true, true, true]);
  assertEquals(["256.0.0.1", "1.2.3", "01.2.3.4", "example.com", "::1"].map(isIpv4), [
    false,
    false,
    false,
    false,
    false,
  ]);
});

Deno.test("parseIpv6() and formatIpv6() round-trip to RFC 5952 text", () => {
  const cases: [string, string][] = [
    ["::1", "::1"],
    ["::", "::"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"], // the longer zero run is compressed
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group is not
    ["::ffff:192.0.2.1", "::ffff:c000:201"],
    ["fe80::", "fe80::"],
  ];
  for (const [input, text] of cases) {
    const bytes = parseIpv6(input);
    assertEquals(bytes?.length, 16, input);
    assertEquals(formatIpv6(bytes!), text, input);
  }
});

Deno.test("isIpv6() rejects malformed literals", () => {
  for (
    const bad of [
      "1::2::3",
      "12345::",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "g::1",
      "example.com",
      "[::1]",
    ]
  ) {
    assertEquals(isIpv6(bad), false, bad);
  }
});

Deno.test("stripBrackets() removes IPv6 reference brackets only", () => {
  assertEquals(stripBrackets("[::1]"), "::1");
  assertEquals(stripBrackets("example.com"), "example.com");
});
