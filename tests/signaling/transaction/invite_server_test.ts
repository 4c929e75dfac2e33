import { assertEquals } from "../../_assert.ts";
import {
  inviteServerTransition,
  startInviteServer,
} from "../../../mod/signaling/transaction/invite_server.ts";
import { computeTimers } from "../../../mod/signaling/transaction/timers.ts";
import { MachineHarness, T2_CAPPED_SEND_TIMES } from "./_machine_harness.ts";

function harness(reliable = false) {
  return new MachineHarness(startInviteServer(computeTimers(reliable)), inviteServerTransition);
}

Deno.test("inviteServerTransition() passes the INVITE up and resends provisionals on retransmission", () => {
  const h = harness();
  assertEquals(h.types(), ["pass-up"]);
  assertEquals(h.state.name, "proceeding");
  assertEquals(h.feed({ type: "tu-response", status: 100 }), [{ type: "send" }]);
  assertEquals(h.feed({ type: "request" }), [{ type: "send" }]);
  assertEquals(h.feed({ type: "tu-response", status: 180 }), [{ type: "send" }]);
  assertEquals(h.state.name, "proceeding");
  assertEquals(h.timers, []);
});

Deno.test("inviteServerTransition() retransmits 300-699 with Timer G capped at T2 until H", () => {
  const h = harness();
  h.feed({ type: "tu-response", status: 486 });
  assertEquals(h.state.name, "completed");
  assertEquals(h.timers, ["G", "H"]);
  h.advance(40_000);
  assertEquals(h.times("send"), T2_CAPPED_SEND_TIMES);
  assertEquals(h.times("timeout"), [32000]);
  assertEquals(h.state.name, "terminated");
});

Deno.test("inviteServerTransition() resends the final response on INVITE retransmission in Completed", () => {
  const h = harness();
  h.feed({ type: "tu-response", status: 404 });
  assertEquals(h.feed({ type: "request" }), [{ type: "send" }]);
});

Deno.test("inviteServerTransition() goes to Confirmed on ACK and ends with Timer I (T4 on UDP)", () => {
  const h = harness();
  h.feed({ type: "tu-response", status: 603 });
  h.advance(700);
  h.feed({ type: "ack" });
  assertEquals(h.state.name, "confirmed");
  assertEquals(h.timers, ["I"]);
  assertEquals(h.due("I"), 5700);
  assertEquals(h.feed({ type: "ack" }), []); // absorbed
  assertEquals(h.feed({ type: "request" }), []); // absorbed
  h.advance(5000);
  assertEquals(h.state.name, "terminated");
  assertEquals(h.times("send"), [0, 500]);
});

Deno.test("inviteServerTransition() terminates on ACK over reliable transports, no Timer G", () => {
  const h = harness(true);
  h.feed({ type: "tu-response", status: 480 });
  assertEquals(h.timers, ["H"]);
  h.feed({ type: "ack" });
  assertEquals(h.state.name, "terminated");
});

Deno.test("inviteServerTransition() times out with Timer H on reliable transports", () => {
  const h = harness(true);
  h.feed({ type: "tu-response", status: 500 });
  h.advance(32_000);
  assertEquals(h.times("timeout"), [32000]);
  assertEquals(h.times("send"), [0]);
});

Deno.test("inviteServerTransition() enters Accepted on 2xx and ends with Timer L (RFC 6026)", () => {
  const h = harness();
  h.feed({ type: "tu-response", status: 100 });
  h.advance(1000);
  h.feed({ type: "tu-response", status: 200 });
  assertEquals(h.state.name, "accepted");
  assertEquals(h.timers, ["L"]);
  assertEquals(h.due("L"), 33000);
  // INVITE retransmissions absorbed; 2xx from the TU sent; ACK passed up; no own retransmits.
  assertEquals(h.feed({ type: "request" }), []);
  assertEquals(h.feed({ type: "tu-response", status: 200 }), [{ type: "send" }]);
  assertEquals(h.feed({ type: "tu-response", status: 486 }), []);
  assertEquals(h.feed({ type: "ack" }), [{ type: "pass-up" }]);
  h.advance(31_999);
  assertEquals(h.times("send"), [0, 1000, 1000]);
  assertEquals(h.state.name, "accepted");
  h.advance(1);
  assertEquals(h.state.name, "terminated");
});

Deno.test("inviteServerTransition() keeps Timer L on reliable transports", () => {
  const h = harness(true);
  h.feed({ type: "tu-response", status: 200 });
  assertEquals(h.due("L"), 32000);
});

Deno.test("inviteServerTransition() reports transport errors", () => {
  const proceeding = harness();
  proceeding.feed({ type: "transport-error" });
  assertEquals(proceeding.state.name, "terminated");
  assertEquals(proceeding.times("transport-error").length, 1);

  const completed = harness();
  completed.feed({ type: "tu-response", status: 486 });
  completed.feed({ type: "transport-error" });
  assertEquals(completed.state.name, "terminated");
  assertEquals(completed.timers, []);

  const accepted = harness();
  accepted.feed({ type: "tu-response", status: 200 });
  assertEquals(accepted.feed({ type: "transport-error" }), [{ type: "transport-error" }]);
  assertEquals(accepted.state.name, "accepted");
});
