import { assertEquals } from "../../_assert.ts";
import {
  inviteClientTransition,
  startInviteClient,
} from "../../../mod/signaling/transaction/invite_client.ts";
import { computeTimers } from "../../../mod/signaling/transaction/timers.ts";
import { MachineHarness } from "./_machine_harness.ts";

function harness(reliable = false) {
  return new MachineHarness(startInviteClient(computeTimers(reliable)), inviteClientTransition);
}

Deno.test("inviteClientTransition() retransmits with Timer A doubling until Timer B (UDP)", () => {
  const h = harness();
  assertEquals(h.state.name, "calling");
  h.advance(40_000);
  // Sent at 0, then A = 0.5, 1, 2, 4, 8, 16 s (no T2 cap for INVITE, RFC 3261 17.1.1.2).
  assertEquals(h.times("send"), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assertEquals(h.times("timeout"), [32000]);
  assertEquals(h.state.name, "terminated");
  assertEquals(h.terminated, true);
  assertEquals(h.timers, []);
});

Deno.test("inviteClientTransition() does not retransmit on reliable transports", () => {
  const h = harness(true);
  assertEquals(h.timers, ["B"]);
  h.advance(31_999);
  assertEquals(h.times("send"), [0]);
  h.advance(1);
  assertEquals(h.times("timeout"), [32000]);
  assertEquals(h.state.name, "terminated");
});

Deno.test("inviteClientTransition() moves Calling to Proceeding on 1xx and stops timers", () => {
  const h = harness();
  h.advance(600);
  assertEquals(h.feed({ type: "response", status: 180 }).map((a) => a.type), [
    "cancel-timer",
    "cancel-timer",
    "pass-up",
  ]);
  assertEquals(h.state.name, "proceeding");
  assertEquals(h.timers, []);
  h.feed({ type: "response", status: 183 });
  assertEquals(h.times("pass-up"), [600, 600]);
  h.advance(100_000);
  assertEquals(h.times("send"), [0, 500]);
  assertEquals(h.state.name, "proceeding");
});

Deno.test("inviteClientTransition() ACKs a 300-699 and waits Timer D (32 s on UDP)", () => {
  const h = harness();
  h.feed({ type: "response", status: 100 });
  const actions = h.feed({ type: "response", status: 486 }).map((a) => a.type);
  assertEquals(actions, ["cancel-timer", "send-ack", "pass-up", "start-timer"]);
  assertEquals(h.state.name, "completed");
  assertEquals(h.due("D"), 32000);
  // A retransmitted final response is ACKed again but not passed up.
  h.advance(1000);
  assertEquals(h.feed({ type: "response", status: 486 }).map((a) => a.type), ["send-ack"]);
  h.feed({ type: "response", status: 200 });
  h.feed({ type: "response", status: 180 });
  assertEquals(h.times("pass-up").length, 2);
  h.advance(30_999);
  assertEquals(h.state.name, "completed");
  h.advance(1);
  assertEquals(h.state.name, "terminated");
  assertEquals(h.times("terminate"), [32000]);
});

Deno.test("inviteClientTransition() goes from Calling to Completed directly on 300-699", () => {
  const h = harness();
  h.advance(700);
  h.feed({ type: "response", status: 503 });
  assertEquals(h.state.name, "completed");
  assertEquals(h.timers, ["D"]);
  assertEquals(h.times("send-ack"), [700]);
});

Deno.test("inviteClientTransition() terminates at once on 300-699 over reliable transports", () => {
  const h = harness(true);
  h.feed({ type: "response", status: 404 });
  assertEquals(h.types(), ["send", "send-ack", "pass-up", "terminate"]);
  assertEquals(h.state.name, "terminated");
});

Deno.test("inviteClientTransition() enters Accepted on 2xx and passes every 2xx up (RFC 6026)", () => {
  const h = harness();
  h.feed({ type: "response", status: 180 });
  h.advance(2000);
  h.feed({ type: "response", status: 200 });
  assertEquals(h.state.name, "accepted");
  assertEquals(h.timers, ["M"]);
  assertEquals(h.due("M"), 2000 + 32000);
  // Retransmitted or forked 2xx go up; other responses are absorbed; no ACK from the machine.
  h.feed({ type: "response", status: 200 });
  h.feed({ type: "response", status: 202 });
  h.feed({ type: "response", status: 486 });
  h.feed({ type: "response", status: 183 });
  assertEquals(h.times("pass-up").length, 4);
  assertEquals(h.times("send-ack"), []);
  h.advance(32_000);
  assertEquals(h.state.name, "terminated");
});

Deno.test("inviteClientTransition() enters Accepted from Calling on 2xx, Timer M also on reliable", () => {
  const h = harness(true);
  h.feed({ type: "response", status: 200 });
  assertEquals(h.state.name, "accepted");
  assertEquals(h.timers, ["M"]);
  h.runAllTimers();
  assertEquals(h.state.name, "terminated");
  assertEquals(h.now, 32000);
});

Deno.test("inviteClientTransition() reports a transport error in Calling and Completed", () => {
  const calling = harness();
  calling.feed({ type: "transport-error" });
  assertEquals(calling.types(), ["send", "transport-error", "terminate"]);
  assertEquals(calling.timers, []);

  const completed = harness();
  completed.feed({ type: "response", status: 600 });
  completed.feed({ type: "transport-error" });
  assertEquals(completed.state.name, "terminated");
  assertEquals(completed.times("transport-error").length, 1);
});

Deno.test("inviteClientTransition() restarts Timer B after a CANCEL in Proceeding (RFC 3261 9.1)", () => {
  const h = harness();
  h.feed({ type: "response", status: 180 });
  h.advance(10_000);
  h.feed({ type: "cancel-sent" });
  assertEquals(h.due("B"), 42_000);
  h.advance(32_000);
  assertEquals(h.times("timeout"), [42_000]);
  assertEquals(h.state.name, "terminated");
});

Deno.test("inviteClientTransition() ignores everything once Terminated", () => {
  const h = harness();
  h.feed({ type: "transport-error" });
  const before = h.log.length;
  for (const status of [100, 200, 404]) h.feed({ type: "response", status });
  h.feed({ type: "timer", name: "A" });
  h.feed({ type: "transport-error" });
  assertEquals(h.log.length, before);
});
