import { assertEquals, assertThrows } from "../../_assert.ts";
import {
  formatNameAddr,
  parseContact,
  parseNameAddr,
  SipParseError,
} from "../../../mod/signaling/message/mod.ts";

Deno.test("parseNameAddr() reads a quoted display name, URI and header params", () => {
  const na = parseNameAddr('"Alice \\"A\\"" <sip:alice@example.com;transport=ws>;tag=1;q=0.5');
  assertEquals(na.displayName, 'Alice "A"');
  assertEquals(na.uri.user, "alice");
  assertEquals(na.uri.params.get("transport"), "ws");
  assertEquals(na.params, new Map([["tag", "1"], ["q", "0.5"]]));
  assertEquals(na.bracketed, true);
});

Deno.test("parseNameAddr() reads token display names, with or without LWS before '<'", () => {
  assertEquals(parseNameAddr("A. Bell <sip:a@b>").displayName, "A. Bell");
  assertEquals(parseNameAddr("caller<sip:caller@example.com>").displayName, "caller");
  assertEquals(parseNameAddr("<sip:a@b>").displayName, undefined);
});

Deno.test("parseNameAddr() gives params after an addr-spec to the header", () => {
  const na = parseNameAddr("sip:+19725552222@gw1.example.net;unknownparam;tag=x");
  assertEquals(na.bracketed, false);
  assertEquals(na.uri.params.size, 0);
  assertEquals(na.params, new Map([["unknownparam", null], ["tag", "x"]]));
  const br = parseNameAddr("<sip:+19725552222@gw1.example.net;unknownparam>");
  assertEquals(br.uri.params.has("unknownparam"), true);
  assertEquals(br.params.size, 0);
});

Deno.test("parseNameAddr() reads an addr-spec whose quoted param holds '<'", () => {
  const na = parseNameAddr('sip:a@b;x="<y>"');
  assertEquals(na.bracketed, false);
  assertEquals(na.uri.host, "b");
  assertEquals(na.params.get("x"), '"<y>"');
});

Deno.test("parseNameAddr() keeps quoted param values with their quotes", () => {
  const na = parseNameAddr('<sip:a@b>;+sip.instance="<urn:uuid:1>";reg-id=1');
  assertEquals(na.params.get("+sip.instance"), '"<urn:uuid:1>"');
});

Deno.test("parseNameAddr() rejects malformed addresses", () => {
  for (
    const bad of [
      '"Mr. J. User <sip:j.user@example.com>',
      "Bell, Alexander <sip:a.g.bell@example.com>",
      "< sip:t.watson@example.org >",
      "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
      '"Joe" <sip:joe@example.org>;;;;',
      "<sip:a@b",
      "<>",
      "",
      '"x" sip:a@b',
    ]
  ) {
    const e = assertThrows(() => parseNameAddr(bad), SipParseError);
    assertEquals(e.status, 400);
  }
  assertThrows(() => parseNameAddr("Bell, A <sip:a@b>"), SipParseError, "must be quoted");
});

Deno.test("parseContact() reads '*' and addresses", () => {
  assertEquals(parseContact(" * "), "*");
  const c = parseContact("<sip:a@b>;expires=60");
  assertEquals(c === "*" ? undefined : c.params.get("expires"), "60");
});

Deno.test("formatNameAddr() keeps the raw URI and quotes the display name", () => {
  const na = parseNameAddr('"Bob" <sip:b%6Fb@example.com;lr>;tag=9');
  assertEquals(formatNameAddr(na), '"Bob" <sip:b%6Fb@example.com;lr>;tag=9');
  na.displayName = 'say "hi"';
  assertEquals(formatNameAddr(na), '"say \\"hi\\"" <sip:b%6Fb@example.com;lr>;tag=9');
  assertEquals(formatNameAddr(parseNameAddr("sip:a@b;tag=1")), "sip:a@b;tag=1");
  const spec = parseNameAddr("sip:a@b");
  spec.uri.params.set("lr", null);
  assertEquals(formatNameAddr(spec), "<sip:a@b;lr>");
});
