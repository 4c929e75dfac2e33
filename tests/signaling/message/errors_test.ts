import { assertEquals } from "../../_assert.ts";
import { SipParseError } from "../../../mod/signaling/message/mod.ts";

Deno.test("SipParseError() is a SyntaxError with a status and reason", () => {
  const e = new SipParseError("Cannot parse CSeq header: method is missing");
  assertEquals(e instanceof SyntaxError, true);
  assertEquals(e.status, 400);
  assertEquals(e.reason, "Bad Request");
  assertEquals(e.discard, false);
  const v = new SipParseError("x", { status: 505 });
  assertEquals(v.reason, "Version Not Supported");
  assertEquals(new SipParseError("x", { status: 0 }).discard, true);
});
