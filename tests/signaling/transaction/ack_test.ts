import { assertEquals, assertThrows } from "../../_assert.ts";
import { createAck } from "../../../mod/signaling/transaction/ack.ts";
import { request, response } from "./_sip.ts";

Deno.test("createAck() builds the non-2xx ACK of RFC 3261 17.1.1.3", () => {
  const invite = request({ cseq: 7, route: ["<sip:p1.example.com;lr>"] });
  const ack = createAck(invite, response(486, { toTag: "b9" }));
  assertEquals(ack.method, "ACK");
  assertEquals(ack.uri, invite.uri);
  assertEquals(ack.headers.getAll("via"), ["SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1"]);
  assertEquals(ack.headers.get("to"), "Bob <sip:bob@example.com>;tag=b9");
  assertEquals(ack.headers.get("from"), invite.headers.get("from"));
  assertEquals(ack.headers.get("call-id"), invite.headers.get("call-id"));
  assertEquals(ack.headers.get("cseq"), "7 ACK");
  assertEquals(ack.headers.getAll("route"), ["<sip:p1.example.com;lr>"]);
});

Deno.test("createAck() only acknowledges INVITE", () => {
  assertThrows(
    () => createAck(request({ method: "BYE" }), response(481)),
    TypeError,
    "Cannot build ACK: the request is a BYE, not an INVITE",
  );
});
