import fc from "fast-check";
import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import type { SipResponse } from "../../../mod/signaling/message/message.ts";
import { createResponse } from "../../../mod/signaling/message/response.ts";
import { TransactionKeyError } from "../../../mod/signaling/transaction/transaction_key.ts";
import { recorder, testLayer } from "./_layer.ts";
import { TCP, UDP } from "./_loop_transport.ts";
import { request, response } from "./_sip.ts";

Deno.test("TransactionLayer.sendRequest() refuses ACK, non-RFC 3261 branches and reused branches", () => {
  const { layer } = testLayer();
  assertThrows(
    () => layer.sendRequest(request({ method: "ACK" }), UDP),
    TypeError,
    "an ACK is sent without one",
  );
  assertThrows(
    () => layer.sendRequest(request({ branch: "abc" }), UDP),
    TypeError,
    "z9hG4bK",
  );
  assertThrows(() => layer.sendRequest(request({ branch: "" }), UDP), TypeError, "z9hG4bK");
  layer.sendRequest(request(), UDP);
  assertThrows(() => layer.sendRequest(request(), UDP), Error, "branch z9hG4bK-1 is in use");
  // Same branch, other method (the CANCEL of that INVITE) is another transaction.
  layer.sendRequest(request({ method: "CANCEL" }), UDP);
  assertEquals(layer.size, 2);
  const noVia = request({ branch: "z9hG4bK-5" });
  noVia.headers.delete("via");
  assertThrows(() => layer.sendRequest(noVia, UDP), TransactionKeyError, "Via is missing");
  layer.close();
});

Deno.test("TransactionLayer.receive() hands responses without a transaction to the user", () => {
  const { layer, seen } = testLayer();
  layer.receive(response(200), UDP);
  layer.receive(response(180, { branch: "z9hG4bK-x" }), UDP);
  assertEquals(seen, ["stray 200", "stray 180"]);
  assertEquals(layer.stats.strayResponses, 2);
});

Deno.test("TransactionLayer.receive() counts and drops messages it cannot match", () => {
  const { layer, seen } = testLayer();
  const noVia = request();
  noVia.headers.delete("via");
  layer.receive(noVia, UDP);
  const noCSeq = response(200);
  noCSeq.headers.delete("cseq");
  layer.receive(noCSeq, UDP);
  assertEquals(seen, []);
  assertEquals(layer.stats.unmatchable, 2);
  assertEquals(layer.size, 0);
});

Deno.test("TransactionLayer logs a throwing user callback and keeps the transaction consistent", () => {
  const { layer, clock, warnings } = testLayer({
    onRequest() {
      throw new Error("proxy bug");
    },
  });
  layer.receive(request({ method: "OPTIONS" }), UDP);
  assertEquals(warnings, ["Transaction user callback threw"]);
  assertEquals(layer.size, 1);
  const tx = layer.sendRequest(request({ branch: "z9hG4bK-c" }), UDP, {
    onResponse() {
      throw new Error("again");
    },
  });
  layer.receive(response(404, { branch: "z9hG4bK-c" }), UDP);
  assertEquals(tx.state, "completed");
  assertEquals(warnings.length, 2);
  clock.runAll();
  assertEquals(layer.size, 1); // the OPTIONS server transaction waits for its answer
  layer.close();
});

Deno.test("TransactionLayer.close() drops every transaction and timer", () => {
  const { layer, clock } = testLayer();
  layer.sendRequest(request(), UDP);
  layer.sendRequest(request({ method: "OPTIONS", branch: "z9hG4bK-2" }), UDP);
  layer.receive(request({ branch: "z9hG4bK-3" }), UDP);
  assert(clock.pending > 0);
  layer.close();
  assertEquals([layer.size, layer.timerCount, clock.pending], [0, 0, 0]);
});

Deno.test("TransactionLayer leaves no transaction nor timer after 1,000 transactions complete", () => {
  const { layer, clock, transport } = testLayer({
    onRequest(tx, req) {
      if (req.method === "INVITE") tx.respond(createResponse(req, 180));
      tx.respond(createResponse(req, req.method === "INVITE" ? 486 : 200));
    },
  });
  const finals: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const flow = i % 2 === 0 ? UDP : TCP;
    const method = ["INVITE", "OPTIONS", "REGISTER", "BYE"][i % 4];
    // Server side: a request arrives, is answered, retransmitted (UDP only), ACKed.
    const incoming = request({ method, branch: `z9hG4bK-in-${i}`, cseq: i + 1 });
    layer.receive(incoming, flow);
    if (!flow.reliable) layer.receive(incoming, flow);
    if (method === "INVITE") {
      layer.receive(request({ method: "ACK", branch: `z9hG4bK-in-${i}`, cseq: i + 1 }), flow);
    }
    // Client side: a request goes out and is answered (or never answered).
    const branch = `z9hG4bK-out-${i}`;
    const r = recorder();
    r.handlers.onTerminated = () => void finals.push(i);
    layer.sendRequest(request({ method, branch, cseq: i + 1 }), flow, r.handlers);
    if (i % 10 !== 0) {
      layer.receive(response(100, { branch, method }), flow);
      layer.receive(response(i % 3 === 0 ? 200 : 503, { branch, method }), flow);
    }
  }
  assert(layer.size > 0);
  assert(layer.timerCount > 0);
  const end = clock.runAll();
  assertEquals(layer.size, 0);
  assertEquals(layer.timerCount, 0);
  assertEquals(clock.pending, 0);
  assertEquals(finals.length, 1000);
  assertEquals(layer.stats.clientCreated, 1000);
  assertEquals(layer.stats.serverCreated, 1000);
  assertEquals(layer.stats.timeouts, 100);
  assert(end <= 64_000, `took ${end} ms of virtual time`);
  assert(transport.sent.length > 3000);
});

type Input =
  | { kind: "request"; method: string; branch: number; ack: boolean }
  | { kind: "response"; status: number; branch: number; method: string }
  | { kind: "send"; method: string; branch: number; reliable: boolean }
  | { kind: "respond"; index: number; status: number }
  | { kind: "advance"; ms: number }
  | { kind: "fail"; reliable: boolean };

const methods = fc.constantFrom("INVITE", "OPTIONS", "BYE", "CANCEL");
const statusCode = fc.constantFrom(100, 180, 200, 202, 404, 486, 503, 603);
const input: fc.Arbitrary<Input> = fc.oneof(
  fc.record({
    kind: fc.constant("request" as const),
    method: methods,
    branch: fc.integer({ min: 0, max: 3 }),
    ack: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("response" as const),
    status: statusCode,
    branch: fc.integer({ min: 0, max: 3 }),
    method: methods,
  }),
  fc.record({
    kind: fc.constant("send" as const),
    method: methods,
    branch: fc.integer({ min: 0, max: 3 }),
    reliable: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("respond" as const),
    index: fc.nat(),
    status: statusCode,
  }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  fc.record({ kind: fc.constant("fail" as const), reliable: fc.boolean() }),
);

Deno.test("TransactionLayer never throws on random traffic and ends empty once all is answered", () => {
  fc.assert(
    fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
      const { layer, clock, servers, requests, warnings } = testLayer();
      const udp = { id: "udp", reliable: false };
      const tcp = { id: "tcp", reliable: true };
      for (const step of inputs) {
        switch (step.kind) {
          case "request":
            layer.receive(
              request({
                method: step.ack ? "ACK" : step.method,
                branch: `z9hG4bK-r${step.branch}`,
              }),
              step.branch % 2 ? tcp : udp,
            );
            break;
          case "response":
            layer.receive(
              response(step.status, { branch: `z9hG4bK-s${step.branch}`, method: step.method }),
              udp,
            );
            break;
          case "send":
            try {
              layer.sendRequest(
                request({ method: step.method, branch: `z9hG4bK-s${step.branch}` }),
                step.reliable ? tcp : udp,
                {},
              );
            } catch (error) {
              assert(String(error).includes("is in use"), String(error));
            }
            break;
          case "respond":
            if (servers.length > 0) {
              const tx = servers[step.index % servers.length];
              tx.respond(createResponse(tx.request, step.status) as SipResponse);
            }
            break;
          case "advance":
            clock.advance(step.ms);
            break;
          case "fail":
            layer.failFlow(step.reliable ? "tcp" : "udp");
            break;
        }
      }
      // Every server transaction gets its final answer and ACK; every client one an answer.
      for (const tx of servers) tx.respond(createResponse(tx.request, 500));
      servers.forEach((tx, i) => {
        if (tx.method === "INVITE") {
          const branch = requests[i].headers.get("via")!.split("branch=")[1];
          layer.receive(request({ method: "ACK", branch }), tx.source);
        }
      });
      for (let b = 0; b < 4; b++) {
        for (const method of ["INVITE", "OPTIONS", "BYE", "CANCEL"]) {
          layer.receive(response(487, { branch: `z9hG4bK-s${b}`, method }), udp);
        }
      }
      clock.runAll();
      assertEquals(layer.size, 0);
      assertEquals(layer.timerCount, 0);
      assertEquals(clock.pending, 0);
      assertEquals(warnings, []);
    }),
    { numRuns: 300 },
  );
});
