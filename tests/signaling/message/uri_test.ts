import { assertEquals, assertThrows } from "../../_assert.ts";
import { formatUri, parseUri, SipParseError } from "../../../mod/signaling/message/mod.ts";

Deno.test("parseUri() reads user, password, host, port, params and headers", () => {
  const u = parseUri("sip:alice:secret@Example.COM:5070;transport=tcp;lr?subject=hi&to=bob");
  assertEquals(u.scheme, "sip");
  assertEquals(u.user, "alice");
  assertEquals(u.password, "secret");
  assertEquals(u.host, "Example.COM");
  assertEquals(u.port, 5070);
  assertEquals(u.params, new Map([["transport", "tcp"], ["lr", null]]));
  assertEquals(u.headers, new Map([["subject", "hi"], ["to", "bob"]]));
});

Deno.test("parseUri() lower-cases scheme and param names", () => {
  const u = parseUri("SIPS:bob@example.com;Transport=TLS");
  assertEquals(u.scheme, "sips");
  assertEquals(u.params.get("transport"), "TLS");
});

Deno.test("parseUri() keeps IPv6 references with brackets", () => {
  const u = parseUri("sip:[2001:db8::1]:5060;lr");
  assertEquals(u.host, "[2001:db8::1]");
  assertEquals(u.port, 5060);
  assertEquals(u.user, undefined);
});

Deno.test("parseUri() unescapes once", () => {
  const u = parseUri("sip:%75se%72@example.com;n%61me=v%61lue%25%34%31");
  assertEquals(u.user, "user");
  assertEquals(u.params.get("name"), "value%41");
});

Deno.test("parseUri() allows ';' and '?' in the user part", () => {
  const u = parseUri("sip:user;par=u%40example.net@example.com");
  assertEquals(u.user, "user;par=u@example.net");
  assertEquals(u.host, "example.com");
  assertEquals(u.params.size, 0);
  assertEquals(parseUri("sip:a?b@example.com").user, "a?b");
});

Deno.test("parseUri() reads tel URIs", () => {
  const u = parseUri("tel:+1-201-555-0123;phone-context=example.com");
  assertEquals(u.scheme, "tel");
  assertEquals(u.user, "+1-201-555-0123");
  assertEquals(u.params.get("phone-context"), "example.com");
  assertEquals(u.host, "");
});

Deno.test("parseUri() keeps unknown schemes opaque", () => {
  const u = parseUri("soap.beep://192.0.2.103:3002");
  assertEquals(u.scheme, "soap.beep");
  assertEquals(u.opaque, "//192.0.2.103:3002");
  assertEquals(formatUri(u), "soap.beep://192.0.2.103:3002");
});

Deno.test("parseUri() rejects malformed URIs with SipParseError", () => {
  for (
    const bad of [
      "example.com",
      "<sip:a@b>",
      "sip:user@example.com; lr",
      "sip:a@",
      "sip:a@b:99999",
      "sip:a@b:5x",
      "sip:a@b;;lr",
      "sip:a@b;=x",
      "sip:a@[::1",
      "sip:a@b?x",
      "1sip:a@b",
      "tel:",
    ]
  ) {
    const e = assertThrows(() => parseUri(bad), SipParseError, "Cannot parse URI");
    assertEquals(e.status, 400);
  }
});

Deno.test("formatUri() returns the original text while unchanged", () => {
  const text = "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31";
  assertEquals(formatUri(parseUri(text)), text);
});

Deno.test("formatUri() escapes components after a change", () => {
  const u = parseUri("sip:cal%6Cer@host5.example.net;lr");
  u.user = "a b@c";
  u.params.set("x", "1 2");
  assertEquals(formatUri(u), "sip:a%20b%40c@host5.example.net;lr;x=1%202");
  const copy = { ...parseUri("sip:bob@example.com"), port: 5080 };
  assertEquals(formatUri(copy), "sip:bob@example.com:5080");
});

Deno.test("formatUri() round-trips parsed values", () => {
  for (
    const text of [
      "sip:alice@example.com",
      "sips:alice:pw@example.com:5061;transport=tls?subject=x",
      "tel:+15551234;ext=1",
      "sip:[::1]:5060;lr",
    ]
  ) {
    const u = parseUri(text);
    const again = parseUri(formatUri({ ...u }));
    assertEquals(again, u);
  }
});
