import { assertEquals, assertThrows } from "../../_assert.ts";
import type { SipResponse } from "../../../mod/signaling/message/message.ts";
import { createResponse } from "../../../mod/signaling/message/response.ts";
import { serializeMessage } from "../../../mod/signaling/message/serialize.ts";
import { testLayer } from "./_layer.ts";
import { TCP, UDP } from "./_loop_transport.ts";
import { request } from "./_sip.ts";

function toTag(response: SipResponse): string {
  return /;tag=([^;>\s]+)/.exec(response.headers.get("to") ?? "")?.[1] ?? "";
}

Deno.test("ServerTransaction passes a new INVITE up and sends 100 Trying", () => {
  const { layer, transport, servers, seen } = testLayer();
  layer.receive(request(), UDP);
  assertEquals(seen, ["request INVITE"]);
  assertEquals(servers[0].state, "proceeding");
  assertEquals(transport.lines, ["100"]);
  assertEquals(transport.sent[0].target, UDP);
  assertEquals(layer.stats.serverCreated, 1);
});

Deno.test("ServerTransaction sends no 100 when the user answered at once or autoTrying is off", () => {
  const answered = testLayer({
    onRequest: (tx, req) => tx.respond(createResponse(req, 403)),
  });
  answered.layer.receive(request(), UDP);
  assertEquals(answered.transport.lines, ["403"]);
  const quiet = testLayer({}, { autoTrying: false });
  quiet.layer.receive(request(), UDP);
  assertEquals(quiet.transport.lines, []);
  // Non-INVITE requests never get an automatic 100.
  const options = testLayer();
  options.layer.receive(request({ method: "OPTIONS" }), UDP);
  assertEquals(options.transport.lines, []);
});

Deno.test("ServerTransaction absorbs INVITE retransmissions by resending the last response", () => {
  const { layer, transport, servers, seen } = testLayer();
  layer.receive(request(), UDP);
  layer.receive(request(), UDP);
  servers[0].respond(createResponse(servers[0].request, 180));
  layer.receive(request(), UDP);
  assertEquals(seen, ["request INVITE"]);
  assertEquals(transport.lines, ["100", "100", "180", "180"]);
  assertEquals(layer.stats.absorbedRequests, 2);
  assertEquals(layer.size, 1);
});

Deno.test("ServerTransaction retransmits a 486 with Timer G and absorbs its ACK", () => {
  const { layer, clock, transport, servers, seen } = testLayer();
  layer.receive(request(), UDP);
  const tx = servers[0];
  const busy = createResponse(tx.request, 486);
  tx.respond(busy);
  clock.advance(1600);
  assertEquals(transport.lines, ["100", "486", "486", "486"]);
  layer.receive(request({ method: "ACK", toTag: toTag(busy) }), UDP);
  assertEquals(tx.state, "confirmed");
  layer.receive(request({ method: "ACK", toTag: toTag(busy) }), UDP);
  assertEquals(seen, ["request INVITE"]);
  clock.advance(5000);
  assertEquals(tx.terminated, true);
  assertEquals(transport.lines.length, 4);
  assertEquals(layer.size, 0);
  assertEquals(clock.pending, 0);
});

Deno.test("ServerTransaction reports Timer H when the ACK never comes", () => {
  const { layer, clock, transport, servers, seen } = testLayer();
  layer.receive(request({ cseq: 3 }), TCP);
  servers[0].respond(createResponse(servers[0].request, 500));
  clock.advance(31_999);
  assertEquals(transport.lines, ["100", "500"]);
  clock.advance(1);
  assertEquals(seen, ["request INVITE", "failure timeout"]);
  assertEquals(layer.size, 0);
});

Deno.test("ServerTransaction keeps a 2xx'd INVITE in Accepted and hands ACKs for 2xx up", () => {
  const { layer, clock, transport, servers, seen } = testLayer();
  layer.receive(request(), UDP);
  const tx = servers[0];
  const ok = createResponse(tx.request, 200);
  tx.respond(ok);
  assertEquals(tx.state, "accepted");
  layer.receive(request(), UDP); // absorbed, nothing resent
  tx.respond(ok); // the proxy forwards a 2xx retransmission
  clock.advance(10_000);
  assertEquals(transport.lines, ["100", "200", "200"]);
  // The ACK for a 2xx has its own branch: no transaction, handed to the user.
  layer.receive(request({ method: "ACK", branch: "z9hG4bK-ack", toTag: toTag(ok) }), UDP);
  // A UA that reuses the INVITE branch for it reaches the transaction in Accepted.
  layer.receive(request({ method: "ACK", toTag: toTag(ok) }), UDP);
  assertEquals(seen, ["request INVITE", "ack", "ack in transaction"]);
  assertEquals(layer.stats.strayAcks, 1);
  clock.advance(22_000);
  assertEquals(tx.terminated, true);
  assertEquals(layer.size, 0);
});

Deno.test("ServerTransaction answers a non-INVITE once and resends the answer until Timer J", () => {
  const { layer, clock, transport, servers } = testLayer();
  layer.receive(request({ method: "REGISTER" }), UDP);
  layer.receive(request({ method: "REGISTER" }), UDP); // Trying: absorbed silently
  assertEquals(transport.lines, []);
  const tx = servers[0];
  tx.respond(createResponse(tx.request, 200));
  tx.respond(createResponse(tx.request, 500)); // ignored: already answered
  layer.receive(request({ method: "REGISTER" }), UDP);
  assertEquals(transport.lines, ["200", "200"]);
  assertEquals(tx.lastResponse?.status, 200);
  clock.advance(32_000);
  assertEquals(tx.terminated, true);
  assertEquals(layer.size, 0);
  // The same request after Timer J is a new transaction.
  layer.receive(request({ method: "REGISTER" }), UDP);
  assertEquals(servers.length, 2);
});

Deno.test("ServerTransaction lets go of a non-INVITE request and the user's data once answered", () => {
  const { layer, transport, servers } = testLayer();
  layer.receive(request({ method: "MESSAGE" }), UDP);
  const tx = servers[0];
  const received = tx.request;
  tx.userData = { kept: received };
  tx.respond(createResponse(received, 100));
  assertEquals(tx.request, received, "kept while no final response was sent");
  tx.respond(createResponse(received, 200));
  assertEquals(tx.userData, undefined);
  assertEquals(tx.request === received, false);
  assertEquals([tx.request.method, tx.request.uri], [received.method, received.uri]);
  assertEquals(tx.request.headers.get("Via"), undefined, "a bare request: method and URI");
  // the retransmitted request still gets the final response again (Timer J over UDP)
  layer.receive(request({ method: "MESSAGE" }), UDP);
  assertEquals(transport.lines, ["100", "200", "200"]);
  assertEquals(tx.method, "MESSAGE");
});

Deno.test("ServerTransaction ends at once over TCP after a non-INVITE final response", () => {
  const { layer, servers, clock } = testLayer();
  layer.receive(request({ method: "BYE" }), TCP);
  servers[0].respond(createResponse(servers[0].request, 200));
  assertEquals(servers[0].terminated, true);
  assertEquals(layer.size, 0);
  assertEquals(clock.pending, 0);
});

Deno.test("ServerTransaction.respond() rejects impossible status codes", () => {
  const { layer, servers } = testLayer();
  layer.receive(request({ method: "OPTIONS" }), UDP);
  const bad = createResponse(servers[0].request, 200);
  bad.status = 700;
  assertThrows(() => servers[0].respond(bad), RangeError, "status 700 is out of range");
});

Deno.test("ServerTransaction matches CANCEL separately and finds its INVITE", () => {
  const { layer, servers, seen } = testLayer();
  layer.receive(request(), UDP);
  layer.receive(request({ method: "CANCEL" }), UDP);
  assertEquals(seen, ["request INVITE", "request CANCEL"]);
  assertEquals(servers[1].method, "CANCEL");
  assertEquals(layer.findInviteServerTransaction(servers[1].request), servers[0]);
  assertEquals(
    layer.findInviteServerTransaction(request({ method: "CANCEL", branch: "z9hG4bK-9" })),
    undefined,
  );
});

Deno.test("ServerTransaction matches RFC 2543 requests and their ACK without magic cookie", () => {
  const { layer, clock, transport, servers, seen } = testLayer();
  const old = { branch: "" };
  layer.receive(request(old), UDP);
  layer.receive(request(old), UDP); // retransmission
  assertEquals(seen, ["request INVITE"]);
  const tx = servers[0];
  const decline = createResponse(tx.request, 603);
  tx.respond(decline);
  // ACK carries the To tag of our response.
  layer.receive(request({ ...old, method: "ACK", toTag: "not-ours" }), UDP);
  assertEquals(tx.state, "completed");
  layer.receive(request({ ...old, method: "ACK", toTag: toTag(decline) }), UDP);
  assertEquals(tx.state, "confirmed");
  assertEquals(seen, ["request INVITE", "ack"]);
  // Another From tag is another transaction.
  layer.receive(request({ ...old, fromTag: "other" }), UDP);
  assertEquals(servers.length, 2);
  assertEquals(transport.lines.slice(0, 3), ["100", "100", "603"]);
  clock.runAll();
  servers[1].respond(createResponse(servers[1].request, 486));
  layer.receive(request({ ...old, fromTag: "other", method: "ACK", toTag: "x" }), UDP);
  clock.runAll();
  assertEquals(layer.size, 0);
});

Deno.test("ServerTransaction ends on a send failure and tells the user", async () => {
  const { layer, transport, servers, seen } = testLayer();
  layer.receive(request({ method: "OPTIONS" }), TCP);
  transport.fail = "reject";
  servers[0].respond(createResponse(servers[0].request, 200));
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(seen, ["request OPTIONS", "failure transport-error"]);
  assertEquals(layer.stats.transportErrors, 1);
  assertEquals(layer.size, 0);
});

Deno.test("TransactionLayer.failFlow() ends unanswered server transactions from that flow", () => {
  const { layer, servers, seen } = testLayer();
  const ws = { id: "ws-1", reliable: true };
  layer.receive(request(), ws);
  layer.receive(request({ method: "MESSAGE", branch: "z9hG4bK-2" }), ws);
  servers[1].respond(createResponse(servers[1].request, 202)); // answered: ends over TCP
  layer.receive(request({ branch: "z9hG4bK-3" }), UDP);
  assertEquals(layer.failFlow("ws-1"), 1);
  assertEquals(seen.filter((s) => s.startsWith("failure")), ["failure transport-error"]);
  assertEquals(servers[0].terminated, true);
  assertEquals(servers[2].terminated, false);
});

Deno.test("ServerTransaction lets go of its request, user data and response once it ends", () => {
  const { layer, servers } = testLayer();
  layer.receive(request({ method: "MESSAGE" }), TCP);
  const tx = servers[0];
  tx.userData = { kept: "per request" };
  tx.respond(createResponse(tx.request, 200));
  assertEquals([tx.terminated, tx.answered], [true, true]);
  assertEquals([tx.lastResponse, tx.userData], [undefined, undefined]);
  assertEquals(tx.request.headers.has("via"), false, "a bare request: method and URI only");
  assertEquals([tx.request.method, tx.request.uri], ["MESSAGE", "sip:bob@example.com"]);
  assertEquals(layer.size, 0);
});

Deno.test("ServerTransaction over UDP keeps a completed non-INVITE's answer as bytes and resends it byte for byte", () => {
  const { layer, transport, servers } = testLayer();
  layer.receive(request({ method: "MESSAGE" }), UDP);
  const tx = servers[0];
  const answer = createResponse(tx.request, 200);
  answer.headers.append("Subject", "kept as bytes");
  tx.respond(answer);
  assertEquals(tx.state, "completed");
  assertEquals(tx.lastResponse === answer, false, "the parsed response was let go");
  assertEquals(tx.lastResponse?.headers.get("subject"), "kept as bytes");
  layer.receive(request({ method: "MESSAGE" }), UDP);
  layer.receive(request({ method: "MESSAGE" }), UDP);
  assertEquals(transport.lines, ["200", "200", "200"]);
  const bytes = transport.sent.map((s) => new TextDecoder().decode(serializeMessage(s.message)));
  assertEquals(bytes[1], bytes[0]);
  assertEquals(bytes[2], bytes[0]);
  assertEquals(layer.stats.responseRetransmissions, 2);
});

Deno.test("ServerTransaction over UDP leaves the layer once completed; its key and answer absorb retransmissions until Timer J", async () => {
  const { layer, clock, transport, servers, seen } = testLayer();
  layer.receive(request({ method: "MESSAGE" }), UDP);
  const tx = servers[0];
  tx.respond(createResponse(tx.request, 200));
  const stats = layer.stats;
  assertEquals([stats.serverTransactions, stats.completedKeys, stats.timers], [0, 1, 1]);
  assertEquals([tx.state, layer.size], ["completed", 1]);
  // a retransmission gets the answer again; a failing resend is counted, never thrown
  transport.fail = "reject";
  layer.receive(request({ method: "MESSAGE" }), UDP);
  transport.fail = undefined;
  await Promise.resolve();
  await Promise.resolve();
  assertEquals(layer.stats.transportErrors, 1);
  layer.receive(request({ method: "MESSAGE" }), UDP);
  assertEquals(transport.lines, ["200", "200", "200"]);
  assertEquals(seen, ["request MESSAGE"], "retransmissions are not passed up");
  assertEquals(layer.stats.absorbedRequests, 2);
  clock.advance(31_999);
  assertEquals(tx.state, "completed");
  clock.advance(1);
  assertEquals([tx.state, tx.terminated, layer.size, layer.timerCount], ["terminated", true, 0, 0]);
  // after Timer J the same request is a new transaction
  layer.receive(request({ method: "MESSAGE" }), UDP);
  assertEquals(seen, ["request MESSAGE", "request MESSAGE"]);
  assertEquals(servers.length, 2);
  layer.close();
});
