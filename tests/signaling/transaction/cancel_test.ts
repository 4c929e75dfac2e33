import { assertEquals, assertThrows } from "../../_assert.ts";
import { createCancel } from "../../../mod/signaling/transaction/cancel.ts";
import { request } from "./_sip.ts";

Deno.test("createCancel() copies Request-URI, Call-ID, To, From, CSeq number, top Via, Route", () => {
  const invite = request({
    uri: "sip:bob@192.0.2.7;transport=tcp",
    cseq: 42,
    route: ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"],
  });
  const cancel = createCancel(invite);
  assertEquals(cancel.method, "CANCEL");
  assertEquals(cancel.uri, "sip:bob@192.0.2.7;transport=tcp");
  assertEquals(cancel.headers.getAll("via"), ["SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1"]);
  assertEquals(cancel.headers.get("cseq"), "42 CANCEL");
  assertEquals(cancel.headers.get("call-id"), invite.headers.get("call-id"));
  assertEquals(cancel.headers.get("from"), invite.headers.get("from"));
  assertEquals(cancel.headers.get("to"), invite.headers.get("to"));
  assertEquals(cancel.headers.getAll("route"), [
    "<sip:p1.example.com;lr>",
    "<sip:p2.example.com;lr>",
  ]);
  assertEquals(cancel.headers.get("max-forwards"), "69");
  assertEquals(cancel.headers.has("contact"), false);
  assertEquals(cancel.body.length, 0);
});

Deno.test("createCancel() refuses ACK and CANCEL", () => {
  assertThrows(() => createCancel(request({ method: "ACK" })), TypeError, "cannot be cancelled");
  assertThrows(() => createCancel(request({ method: "CANCEL" })), TypeError, "CANCEL");
});

Deno.test("createCancel() needs a Via", () => {
  const invite = request();
  invite.headers.delete("via");
  assertThrows(() => createCancel(invite), TypeError, "Cannot build CANCEL: the INVITE has no Via");
});
