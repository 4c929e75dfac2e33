import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import type { SipRequest } from "../../../mod/signaling/message/message.ts";
import { FlowFailedError } from "../../../mod/signaling/transaction/client_transaction.ts";
import { recorder, testLayer } from "./_layer.ts";
import { TCP, UDP } from "./_loop_transport.ts";
import { request, response } from "./_sip.ts";

Deno.test("ClientTransaction retransmits an INVITE over UDP and times out with 408 semantics", () => {
  const { layer, clock, transport } = testLayer();
  const r = recorder();
  const tx = layer.sendRequest(request(), UDP, r.handlers);
  assertEquals(tx.state, "calling");
  clock.advance(31_999);
  assertEquals(transport.lines, Array(7).fill("INVITE"));
  assertEquals(r.events, []);
  clock.advance(1);
  assertEquals(r.events, ["timeout", "terminated"]);
  assertEquals(layer.size, 0);
  assertEquals(layer.timerCount, 0);
  assertEquals(clock.pending, 0);
  assertEquals(layer.stats.requestRetransmissions, 6);
  assertEquals(layer.stats.timeouts, 1);
});

Deno.test("ClientTransaction sends once over TCP and times out with Timer F", () => {
  const { layer, clock, transport } = testLayer();
  const r = recorder();
  layer.sendRequest(request({ method: "OPTIONS" }), TCP, r.handlers);
  clock.advance(40_000);
  assertEquals(transport.lines, ["OPTIONS"]);
  assertEquals(r.events, ["timeout", "terminated"]);
});

Deno.test("ClientTransaction ACKs a 486 with the INVITE's branch and the response's To", () => {
  const { layer, clock, transport } = testLayer();
  const r = recorder();
  const invite = request({ route: ["<sip:p1.example.com;lr>"] });
  const tx = layer.sendRequest(invite, UDP, r.handlers);
  layer.receive(response(180, { toTag: "b1" }), UDP);
  layer.receive(response(486, { toTag: "b1" }), UDP);
  assertEquals(tx.state, "completed");
  assertEquals(transport.lines, ["INVITE", "ACK"]);
  const ack = transport.sent[1].message as SipRequest;
  assertEquals(ack.headers.getAll("via"), [invite.headers.getAll("via")[0]]);
  assertEquals(ack.headers.get("to"), "Bob <sip:bob@example.com>;tag=b1");
  assertEquals(ack.headers.get("cseq"), "1 ACK");
  assertEquals(ack.headers.getAll("route"), ["<sip:p1.example.com;lr>"]);
  assertEquals(transport.sent[1].target, UDP);
  // Retransmitted 486: ACKed again, not passed up.
  layer.receive(response(486, { toTag: "b1" }), UDP);
  assertEquals(transport.lines, ["INVITE", "ACK", "ACK"]);
  assertEquals(r.events, ["response 180", "response 486"]);
  clock.advance(32_000);
  assertEquals(r.events.at(-1), "terminated");
  assertEquals(layer.size, 0);
  assertEquals(clock.pending, 0);
});

Deno.test("ClientTransaction passes every 2xx up in Accepted and never ACKs it", () => {
  const { layer, clock, transport, seen } = testLayer();
  const r = recorder();
  const tx = layer.sendRequest(request(), UDP, r.handlers);
  layer.receive(response(200, { toTag: "b1" }), UDP);
  layer.receive(response(200, { toTag: "b1" }), UDP);
  layer.receive(response(200, { toTag: "b2" }), UDP);
  assertEquals(tx.state, "accepted");
  assertEquals(r.events, ["response 200", "response 200", "response 200"]);
  assertEquals(transport.lines, ["INVITE"]);
  clock.advance(32_000);
  assertEquals(tx.terminated, true);
  assertEquals(layer.size, 0);
  // After termination a late 2xx is a stray response (RFC 3261 17.1.3).
  layer.receive(response(200, { toTag: "b1" }), UDP);
  assertEquals(seen, ["stray 200"]);
  assertEquals(r.events.length, 4);
});

Deno.test("ClientTransaction completes a non-INVITE and absorbs retransmitted responses", () => {
  const { layer, clock, transport, seen } = testLayer();
  const r = recorder();
  const tx = layer.sendRequest(request({ method: "REGISTER" }), UDP, r.handlers);
  clock.advance(500);
  layer.receive(response(100, { method: "REGISTER" }), UDP);
  layer.receive(response(200, { method: "REGISTER" }), UDP);
  layer.receive(response(200, { method: "REGISTER" }), UDP);
  assertEquals(tx.state, "completed");
  assertEquals(r.events, ["response 100", "response 200"]);
  clock.advance(5000);
  assertEquals(r.events.at(-1), "terminated");
  layer.receive(response(200, { method: "REGISTER" }), UDP);
  assertEquals(seen, ["stray 200"]);
  assertEquals(transport.lines, ["REGISTER", "REGISTER"]);
});

Deno.test("ClientTransaction reports a rejected send as a transport error", async () => {
  const { layer, transport, clock } = testLayer();
  transport.fail = "reject";
  const r = recorder();
  layer.sendRequest(request({ method: "MESSAGE" }), UDP, r.handlers);
  assertEquals(r.events, []);
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(r.events, ["transport-error send failed", "terminated"]);
  assertEquals(layer.size, 0);
  assertEquals(clock.pending, 0);
});

Deno.test("ClientTransaction reports a throwing send after sendRequest() returns", async () => {
  const { layer, transport } = testLayer();
  transport.fail = "throw";
  const r = recorder();
  const tx = layer.sendRequest(request(), TCP, r.handlers);
  assertEquals(r.events, []);
  assertEquals(tx.state, "calling");
  await Promise.resolve();
  assertEquals(r.events, ["transport-error send failed", "terminated"]);
});

Deno.test("ClientTransaction.cancel() waits for a provisional response (RFC 3261 9.1)", () => {
  const { layer, clock, transport } = testLayer();
  const r = recorder();
  const cancelEvents = recorder();
  const tx = layer.sendRequest(request(), UDP, r.handlers);
  assertEquals(tx.cancel(cancelEvents.handlers), true);
  assertEquals(tx.cancel(), false);
  assertEquals(transport.lines, ["INVITE"]);
  layer.receive(response(180), UDP);
  assertEquals(transport.lines, ["INVITE", "CANCEL"]);
  const cancel = transport.sent[1].message as SipRequest;
  assertEquals(cancel.headers.get("cseq"), "1 CANCEL");
  assertEquals(transport.sent[1].target, UDP);
  assert(tx.cancelTransaction !== undefined);
  assertEquals(layer.size, 2);
  // The CANCEL's 200 goes to the CANCEL transaction, the 487 to the INVITE's.
  layer.receive(response(200, { method: "CANCEL" }), UDP);
  layer.receive(response(487, { toTag: "x" }), UDP);
  assertEquals(cancelEvents.events, ["response 200"]);
  assertEquals(r.events, ["response 180", "response 487"]);
  clock.runAll();
  assertEquals(layer.size, 0);
});

Deno.test("ClientTransaction.cancel() after a final response does nothing", () => {
  const { layer, transport } = testLayer();
  const tx = layer.sendRequest(request(), UDP, {});
  layer.receive(response(404), UDP);
  assertEquals(tx.cancel(), false);
  const pending = layer.sendRequest(request({ branch: "z9hG4bK-2" }), UDP, {});
  assertEquals(pending.cancel(), true);
  layer.receive(response(603, { branch: "z9hG4bK-2" }), UDP);
  assertEquals(transport.lines, ["INVITE", "ACK", "INVITE", "ACK"]);
  assertEquals(
    layer.sendRequest(request({ method: "BYE", branch: "z9hG4bK-3" }), UDP).cancel(),
    false,
  );
});

Deno.test("ClientTransaction ends an INVITE that is never answered after CANCEL (Timer B)", () => {
  const { layer, clock } = testLayer();
  const r = recorder();
  const tx = layer.sendRequest(request(), TCP, r.handlers);
  layer.receive(response(183), TCP);
  clock.advance(100_000);
  assertEquals(tx.state, "proceeding");
  tx.cancel();
  clock.advance(32_000);
  assertEquals(r.events, ["response 183", "timeout", "terminated"]);
  clock.runAll(); // Timer F of the unanswered CANCEL
  assertEquals(layer.size, 0);
});

Deno.test("TransactionLayer.failFlow() completes pending client transactions at once", () => {
  const { layer, clock } = testLayer();
  const pending = recorder();
  const answered = recorder();
  const other = recorder();
  const flow = { id: "ws-7", reliable: true };
  layer.sendRequest(request(), flow, pending.handlers);
  layer.sendRequest(request({ branch: "z9hG4bK-2" }), flow, answered.handlers);
  layer.receive(response(200, { branch: "z9hG4bK-2" }), flow);
  layer.sendRequest(request({ branch: "z9hG4bK-3" }), UDP, other.handlers);
  assertEquals(layer.failFlow("ws-7"), 1);
  assertEquals(pending.events, ["transport-error Flow ws-7 closed", "terminated"]);
  assertEquals(answered.events, ["response 200"]);
  assertEquals(other.events, []);
  assertEquals(layer.size, 2);
  clock.runAll();
  assertEquals(layer.size, 0);
});

Deno.test("FlowFailedError carries the flow id", () => {
  const error = new FlowFailedError("tcp-9");
  assertEquals([error.flowId, error.message, error.name], [
    "tcp-9",
    "Flow tcp-9 closed",
    "FlowFailedError",
  ]);
});

Deno.test("ClientTransaction.cancel() logs, not throws, when a CANCEL of that branch already runs", () => {
  const { layer, transport, warnings } = testLayer();
  const tx = layer.sendRequest(request(), UDP, {});
  tx.cancel();
  layer.sendRequest(request({ method: "CANCEL" }), UDP, {});
  layer.receive(response(180), UDP);
  assertEquals(transport.lines, ["INVITE", "CANCEL"]);
  assertEquals(warnings, ["Transaction user callback threw"]);
  assertEquals(tx.state, "proceeding");
  layer.close();
});

Deno.test("ClientTransaction lets go of its request, handlers and response once a non-INVITE is completed", () => {
  const { layer, clock } = testLayer();
  const r = recorder();
  const tx = layer.sendRequest(request({ method: "MESSAGE" }), UDP, r.handlers);
  layer.receive(response(100, { method: "MESSAGE" }), UDP);
  assertEquals(tx.lastResponse?.status, 100);
  layer.receive(response(200, { method: "MESSAGE", toTag: "b1" }), UDP);
  assertEquals(tx.state, "completed");
  assertEquals(tx.lastResponse, undefined);
  assertEquals(tx.request.headers.has("via"), false, "the request was let go");
  assertEquals([tx.method, tx.request.method, tx.request.uri], [
    "MESSAGE",
    "MESSAGE",
    "sip:bob@example.com",
  ]);
  // Retransmissions of the final response are absorbed; termination is still reported.
  layer.receive(response(200, { method: "MESSAGE", toTag: "b1" }), UDP);
  assertEquals(r.events, ["response 100", "response 200"]);
  clock.advance(5_000);
  assertEquals(r.events, ["response 100", "response 200", "terminated"]);
  assertEquals(layer.size, 0);
});

Deno.test("TransactionLayer.failFlow() finds a flow's transactions among many without touching the others", () => {
  const { layer, clock } = testLayer();
  const others = recorder();
  for (let i = 0; i < 200; i++) {
    layer.sendRequest(
      request({ method: "OPTIONS", branch: `z9hG4bK-o${i}` }),
      UDP,
      others.handlers,
    );
  }
  const pending = recorder();
  const flow = { id: "ws-8", reliable: true };
  layer.sendRequest(request({ method: "OPTIONS", branch: "z9hG4bK-w" }), flow, pending.handlers);
  assertEquals(layer.failFlow("ws-8"), 1);
  assertEquals(layer.failFlow("ws-8"), 0, "its transactions left the flow's index");
  assertEquals(layer.failFlow("ws-unknown"), 0);
  assertEquals(pending.events, ["transport-error Flow ws-8 closed", "terminated"]);
  assertEquals(others.events, []);
  assertEquals(layer.size, 200);
  assertEquals(layer.failFlow("udp-1"), 200);
  clock.runAll();
  assertEquals(layer.size, 0);
  assertEquals(layer.failFlow("udp-1"), 0);
});

Deno.test("ClientTransaction of a non-INVITE nobody waits on leaves the layer at its final response; its key absorbs until Timer K", () => {
  const { layer, clock, seen } = testLayer();
  const responses: number[] = [];
  const handlers = { onResponse: (r: { status: number }) => void responses.push(r.status) };
  const tx = layer.sendRequest(request({ method: "MESSAGE" }), UDP, handlers);
  layer.receive(response(200, { method: "MESSAGE", toTag: "b1" }), UDP);
  assertEquals(tx.state, "completed");
  assertEquals(tx.terminated, false);
  const stats = layer.stats;
  assertEquals([stats.clientTransactions, stats.completedKeys, stats.timers], [0, 1, 1]);
  assertEquals(layer.size, 1);
  assertEquals(layer.failFlow("udp-1"), 0, "no longer in the flow's index");
  // a retransmitted final response is absorbed, not stray, not passed up
  layer.receive(response(200, { method: "MESSAGE", toTag: "b1" }), UDP);
  assertEquals(responses, [200]);
  assertEquals(seen, []);
  assertEquals(layer.stats.absorbedResponses, 1);
  // the branch is still in use until Timer K
  assertThrows(
    () => layer.sendRequest(request({ method: "MESSAGE" }), UDP, handlers),
    Error,
    "is in use",
  );
  clock.advance(4_999);
  assertEquals(tx.state, "completed");
  clock.advance(1);
  assertEquals([tx.state, tx.terminated], ["terminated", true]);
  assertEquals([layer.size, layer.timerCount, clock.pending], [0, 0, 0]);
  // after Timer K the same response is a stray one
  layer.receive(response(200, { method: "MESSAGE", toTag: "b1" }), UDP);
  assertEquals(seen, ["stray 200"]);
});

Deno.test("ClientTransaction of a non-INVITE over TCP ends at its final response (Timer K is zero)", () => {
  const { layer, clock } = testLayer();
  const tx = layer.sendRequest(request({ method: "MESSAGE" }), TCP, {});
  layer.receive(response(200, { method: "MESSAGE", toTag: "b1" }), TCP);
  assertEquals([tx.state, layer.size, layer.stats.completedKeys], ["terminated", 0, 0]);
  assertEquals([layer.timerCount, clock.pending], [0, 0]);
});

Deno.test("ClientTransaction lets go of its request, response, ACK and handlers once it ends", () => {
  const { layer, clock } = testLayer();
  const r = recorder();
  const tx = layer.sendRequest(request(), UDP, r.handlers);
  layer.receive(response(486, { toTag: "b1" }), UDP);
  assertEquals(tx.lastResponse?.status, 486);
  clock.advance(32_000);
  assertEquals(r.events, ["response 486", "terminated"]);
  assertEquals([tx.terminated, tx.lastResponse], [true, undefined]);
  assertEquals(tx.request.headers.has("via"), false, "a bare request: method and URI only");
  // nothing reaches the handlers any more
  tx.fail(new Error("late"));
  assertEquals(r.events, ["response 486", "terminated"]);
});
