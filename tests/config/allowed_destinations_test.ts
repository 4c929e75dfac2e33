import { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  formatDestinationRule,
  isDestinationAllowed,
  parseDestinationRule,
} from "../../mod/config/allowed_destinations.ts";
import { LOOPBACK_DESTINATIONS } from "../../mod/config/defaults.ts";

Deno.test("parseDestinationRule() reads *, names, wildcards, addresses and networks", () => {
  deepStrictEqual(parseDestinationRule("*"), { type: "any" });
  deepStrictEqual(parseDestinationRule("Example.COM."), {
    type: "domain",
    name: "example.com",
    subdomains: false,
  });
  deepStrictEqual(parseDestinationRule("*.example.org"), {
    type: "domain",
    name: "example.org",
    subdomains: true,
  });
  deepStrictEqual(parseDestinationRule("192.0.2.7"), {
    type: "network",
    family: 4,
    address: "192.0.2.7",
    prefixLength: 32,
  });
  deepStrictEqual(parseDestinationRule("10.0.0.0/8"), {
    type: "network",
    family: 4,
    address: "10.0.0.0",
    prefixLength: 8,
  });
  deepStrictEqual(parseDestinationRule("[2001:db8::1]"), {
    type: "network",
    family: 6,
    address: "2001:db8::1",
    prefixLength: 128,
  });
  deepStrictEqual(parseDestinationRule("fd00::/8"), {
    type: "network",
    family: 6,
    address: "fd00::",
    prefixLength: 8,
  });
});

Deno.test("parseDestinationRule() rejects malformed entries", () => {
  for (const bad of ["10.0.0.0/33", "fd00::/129", "a b", "*.", "host/8", "1.2.3.4/x", ""]) {
    throws(() => parseDestinationRule(bad), /expected/, bad);
  }
});

Deno.test("isDestinationAllowed() matches networks, names and wildcards", () => {
  const rules = ["10.0.0.0/8", "example.com", "*.example.org", "2001:db8::/32"].map(
    parseDestinationRule,
  );
  const cases: [string, boolean][] = [
    ["10.1.2.3", true],
    ["11.1.2.3", false],
    ["[2001:db8::5]", true],
    ["2001:db9::5", false],
    ["example.com", true],
    ["EXAMPLE.com.", true],
    ["sip.example.com", false],
    ["sip.example.org", true],
    ["example.org", false],
    ["evil-example.org", false],
    ["::ffff:10.9.9.9", true],
  ];
  for (const [host, allowed] of cases) equal(isDestinationAllowed(rules, host), allowed, host);
  equal(isDestinationAllowed([{ type: "any" }], "anything.example"), true);
  equal(isDestinationAllowed([], "127.0.0.1"), false);
});

Deno.test("isDestinationAllowed() with the loopback default allows loopback only", () => {
  for (const host of ["127.0.0.1", "127.255.0.9", "::1", "[::1]", "localhost"]) {
    equal(isDestinationAllowed(LOOPBACK_DESTINATIONS, host), true, host);
  }
  for (const host of ["192.168.1.1", "::2", "example.com", "localhost.example.com"]) {
    equal(isDestinationAllowed(LOOPBACK_DESTINATIONS, host), false, host);
  }
});

Deno.test("formatDestinationRule() writes rules back as config text", () => {
  for (const text of ["*", "example.com", "*.example.org", "10.0.0.0/8", "::1", "fd00::/8"]) {
    equal(formatDestinationRule(parseDestinationRule(text)), text);
  }
});
