import { assertEquals, assertThrows } from "../../_assert.ts";
import {
  formatContentType,
  parseContentType,
  SipParseError,
} from "../../../mod/signaling/message/mod.ts";

Deno.test("parseContentType() reads type, subtype and params", () => {
  const ct = parseContentType('Multipart/Signed ; boundary="b1" ;micalg=sha1');
  assertEquals(ct.type, "multipart");
  assertEquals(ct.subtype, "signed");
  assertEquals(ct.params.get("boundary"), '"b1"');
  assertEquals(formatContentType(ct), 'multipart/signed;boundary="b1";micalg=sha1');
});

Deno.test("parseContentType() rejects a missing subtype", () => {
  assertThrows(() => parseContentType("application"), SipParseError, "Content-Type");
  assertThrows(() => parseContentType("application/"), SipParseError, "subtype is missing");
});
