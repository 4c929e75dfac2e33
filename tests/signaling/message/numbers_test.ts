import { assertEquals, assertThrows } from "../../_assert.ts";
import {
  parseContentLength,
  parseExpires,
  parseMaxForwards,
  SipParseError,
} from "../../../mod/signaling/message/mod.ts";

Deno.test("parseMaxForwards() accepts 0-255 with leading zeros", () => {
  assertEquals(parseMaxForwards("0068"), 68);
  assertEquals(parseMaxForwards("0"), 0);
  assertEquals(parseMaxForwards("255"), 255);
  assertThrows(() => parseMaxForwards("256"), SipParseError, "above 255");
  assertThrows(() => parseMaxForwards("300"), SipParseError);
});

Deno.test("parseContentLength() rejects negative and non-numeric values", () => {
  assertEquals(parseContentLength(" 150 "), 150);
  assertThrows(() => parseContentLength("-999"), SipParseError, "not a number");
  assertThrows(() => parseContentLength("five"), SipParseError, "not a number");
  assertThrows(() => parseContentLength(""), SipParseError, "value is missing");
});

Deno.test("parseExpires() caps at 2^32-1 without overflow", () => {
  assertEquals(parseExpires("4294967295"), 4294967295);
  assertThrows(() => parseExpires("1" + "0".repeat(100)), SipParseError, "above");
});
