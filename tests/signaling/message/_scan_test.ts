import { assertEquals, assertThrows } from "../../_assert.ts";
import {
  charTable,
  escape,
  parseParams,
  readQuoted,
  splitList,
  trimLws,
  unescape,
} from "../../../mod/signaling/message/_scan.ts";
import { SipParseError } from "../../../mod/signaling/message/mod.ts";

Deno.test("splitList() splits outside quotes and angle brackets, keeping empty elements", () => {
  assertEquals(splitList('a, "b,\\"c", <d,e>;x="y,z" ,f'), ["a", '"b,\\"c"', '<d,e>;x="y,z"', "f"]);
  assertEquals(splitList("  "), []);
  assertEquals(splitList("a,,b,"), ["a", "", "b", ""]);
});

Deno.test("trimLws() trims SP, HTAB, CR, LF but not U+FEFF", () => {
  assertEquals(trimLws(" \t\uFEFFx \r\n"), "\uFEFFx");
  assertEquals(trimLws("x"), "x");
});

Deno.test("unescape() decodes %HEX once and keeps invalid escapes", () => {
  assertEquals(unescape("v%61lue%25%34%31"), "value%41");
  assertEquals(unescape("%Z%45"), "%ZE");
  assertEquals(unescape("null-%00-null"), "null-\x00-null");
  assertEquals(unescape("caf\u00e9%20x"), "caf\u00e9 x");
});

Deno.test("escape() encodes characters outside the allowed set as UTF-8 %HEX", () => {
  const t = charTable("-");
  assertEquals(escape("a-b c\u00e9", t), "a-b%20c%C3%A9");
  assertEquals(escape("plain", t), "plain");
});

Deno.test("readQuoted() unescapes quoted-pairs and rejects a missing quote", () => {
  assertEquals(readQuoted('"a\\"b" rest', 0, "x"), ['a"b', 6]);
  assertThrows(() => readQuoted('"abc', 0, "To header"), SipParseError, "unterminated");
});

Deno.test("parseParams() reads params with LWS and rejects empty ones", () => {
  const p = new Map<string, string | null>();
  parseParams(' ;  Tag = 1 ; lr ; x="a;b"', 0, p, "test");
  assertEquals(p, new Map<string, string | null>([["tag", "1"], ["lr", null], ["x", '"a;b"']]));
  assertThrows(() => parseParams(";;", 0, new Map(), "test"), SipParseError, "empty parameter");
  assertThrows(() => parseParams(";a=", 0, new Map(), "test"), SipParseError, "no value");
  assertThrows(() => parseParams(" x", 0, new Map(), "test"), SipParseError, "unexpected");
});
