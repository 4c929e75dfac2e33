import { assertEquals } from "../../_assert.ts";
import {
  nonInviteServerTransition,
  startNonInviteServer,
} from "../../../mod/signaling/transaction/non_invite_server.ts";
import { computeTimers } from "../../../mod/signaling/transaction/timers.ts";
import { MachineHarness } from "./_machine_harness.ts";

function harness(reliable = false) {
  return new MachineHarness(
    startNonInviteServer(computeTimers(reliable)),
    nonInviteServerTransition,
  );
}

Deno.test("nonInviteServerTransition() absorbs retransmissions in Trying", () => {
  const h = harness();
  assertEquals(h.types(), ["pass-up"]);
  assertEquals(h.state.name, "trying");
  assertEquals(h.feed({ type: "request" }), []);
});

Deno.test("nonInviteServerTransition() resends the provisional response in Proceeding", () => {
  const h = harness();
  assertEquals(h.feed({ type: "tu-response", status: 100 }), [{ type: "send" }]);
  assertEquals(h.state.name, "proceeding");
  assertEquals(h.feed({ type: "request" }), [{ type: "send" }]);
  assertEquals(h.feed({ type: "tu-response", status: 101 }), [{ type: "send" }]);
});

Deno.test("nonInviteServerTransition() resends the final response in Completed until Timer J", () => {
  for (const provisional of [false, true]) {
    const h = harness();
    if (provisional) h.feed({ type: "tu-response", status: 100 });
    h.advance(100);
    h.feed({ type: "tu-response", status: 200 });
    assertEquals(h.state.name, "completed");
    assertEquals(h.due("J"), 32100);
    assertEquals(h.feed({ type: "request" }), [{ type: "send" }]);
    assertEquals(h.feed({ type: "tu-response", status: 500 }), []); // one final only
    h.advance(32_000);
    assertEquals(h.state.name, "terminated");
    assertEquals(h.times("terminate"), [32100]);
  }
});

Deno.test("nonInviteServerTransition() terminates at once after a final response on reliable transports", () => {
  const h = harness(true);
  h.feed({ type: "tu-response", status: 404 });
  assertEquals(h.types(), ["pass-up", "send", "terminate"]);
});

Deno.test("nonInviteServerTransition() reports transport errors in Proceeding and Completed", () => {
  const proceeding = harness();
  proceeding.feed({ type: "tu-response", status: 100 });
  proceeding.feed({ type: "transport-error" });
  assertEquals(proceeding.state.name, "terminated");
  const completed = harness();
  completed.feed({ type: "tu-response", status: 200 });
  completed.feed({ type: "transport-error" });
  assertEquals(completed.state.name, "terminated");
  assertEquals(completed.timers, []);
  assertEquals(completed.times("transport-error").length, 1);
});
