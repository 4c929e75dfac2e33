import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { RelayPolicy, RelayPolicyParseError } from "../../../mod/signaling/proxy/relay_policy.ts";

Deno.test("RelayPolicy() with no entries forwards anywhere", () => {
  const policy = new RelayPolicy([]);
  assert(policy.open);
  assert(policy.allowsHost("evil.example"));
  assert(policy.allowsAddress("203.0.113.9"));
});

Deno.test("RelayPolicy() with * forwards anywhere", () => {
  const policy = new RelayPolicy(["example.com", "*"]);
  assert(policy.open);
  assert(policy.allowsHost("other.example"));
});

Deno.test("RelayPolicy.allowsHost() matches names exactly, case-insensitively", () => {
  const policy = new RelayPolicy(["Example.COM", "pbx.local."]);
  assertEquals(policy.open, false);
  assert(policy.allowsHost("example.com"));
  assert(policy.allowsHost("EXAMPLE.com."));
  assert(policy.allowsHost("pbx.local"));
  assertEquals(policy.allowsHost("sub.example.com"), false);
  assertEquals(policy.allowsHost("example.com.evil.net"), false);
  assertEquals(policy.allowsHost("notexample.com"), false);
});

Deno.test("RelayPolicy.allowsHost() matches *.domain for names below it only", () => {
  const policy = new RelayPolicy(["*.example.com"]);
  assert(policy.allowsHost("a.example.com"));
  assert(policy.allowsHost("b.a.example.com"));
  assertEquals(policy.allowsHost("example.com"), false);
  assertEquals(policy.allowsHost("badexample.com"), false);
});

Deno.test("RelayPolicy.allowsAddress() matches IPs and CIDRs of both families", () => {
  const policy = new RelayPolicy(["192.0.2.10", "10.0.0.0/8", "2001:db8::/32", "[::1]"]);
  assert(policy.allowsAddress("192.0.2.10"));
  assertEquals(policy.allowsAddress("192.0.2.11"), false);
  assert(policy.allowsAddress("10.200.3.4"));
  assertEquals(policy.allowsAddress("11.0.0.1"), false);
  assert(policy.allowsAddress("2001:db8:1::5"));
  assert(policy.allowsAddress("[2001:db8::1]"));
  assertEquals(policy.allowsAddress("2001:db9::1"), false);
  assert(policy.allowsAddress("::1"));
  assert(policy.allowsAddress("::ffff:10.1.1.1"));
  assertEquals(policy.allowsAddress("not-an-ip"), false);
});

Deno.test("RelayPolicy.allowsHost() checks an IP literal host against the address entries", () => {
  const policy = new RelayPolicy(["127.0.0.0/8", "example.com"]);
  assert(policy.allowsHost("127.0.0.1"));
  assert(policy.allowsHost("[::ffff:127.0.0.2]"));
  assertEquals(policy.allowsHost("192.0.2.1"), false);
  assertEquals(policy.allowsAddress("192.0.2.1"), false);
});

Deno.test("RelayPolicy.allowsAddress() is false when only names are listed", () => {
  const policy = new RelayPolicy(["example.com"]);
  assertEquals(policy.hasAddressEntries, false);
  assertEquals(policy.allowsAddress("127.0.0.1"), false);
});

Deno.test("RelayPolicy() throws RelayPolicyParseError for unreadable entries", () => {
  for (
    const bad of ["", "10.0.0.0/33", "10.0.0.0/x", "::/129", "a b", "exa_mple.com", "*.", "x/8"]
  ) {
    assertThrows(
      () => new RelayPolicy([bad]),
      RelayPolicyParseError,
      "Cannot parse allowed destination",
    );
  }
});
