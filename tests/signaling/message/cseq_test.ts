import { assertEquals, assertThrows } from "../../_assert.ts";
import { formatCSeq, parseCSeq, SipParseError } from "../../../mod/signaling/message/mod.ts";

Deno.test("parseCSeq() reads number and method, leading zeros allowed", () => {
  assertEquals(parseCSeq("0009 INVITE"), { seq: 9, method: "INVITE" });
  assertEquals(parseCSeq("  4294967295   BYE "), { seq: 4294967295, method: "BYE" });
});

Deno.test("parseCSeq() rejects values above 2^32-1 without overflow", () => {
  assertThrows(() => parseCSeq("4294967296 INVITE"), SipParseError, "above");
  assertThrows(() => parseCSeq("36893488147419103232 REGISTER"), SipParseError, "above");
});

Deno.test("parseCSeq() rejects a missing method or number", () => {
  assertThrows(() => parseCSeq("12"), SipParseError, "Cannot parse CSeq header: method is missing");
  assertThrows(() => parseCSeq(""), SipParseError, "sequence number is missing");
  assertThrows(() => parseCSeq("x1 INVITE"), SipParseError, "not a number");
  assertThrows(() => parseCSeq("1 IN,VITE"), SipParseError, "not a token");
});

Deno.test("formatCSeq() writes number and method", () => {
  assertEquals(formatCSeq({ seq: 7, method: "ACK" }), "7 ACK");
});
