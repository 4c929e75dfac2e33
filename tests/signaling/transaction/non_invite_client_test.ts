import { assertEquals } from "../../_assert.ts";
import {
  nonInviteClientTransition,
  startNonInviteClient,
} from "../../../mod/signaling/transaction/non_invite_client.ts";
import { computeTimers } from "../../../mod/signaling/transaction/timers.ts";
import { MachineHarness, T2_CAPPED_SEND_TIMES } from "./_machine_harness.ts";

function harness(reliable = false) {
  return new MachineHarness(
    startNonInviteClient(computeTimers(reliable)),
    nonInviteClientTransition,
  );
}

Deno.test("nonInviteClientTransition() doubles Timer E up to T2 then times out with F", () => {
  const h = harness();
  assertEquals(h.state.name, "trying");
  h.advance(40_000);
  // 0, +0.5, +1, +2, +4, +4, +4 ... (T2 cap) until F at 32 s.
  assertEquals(h.times("send"), T2_CAPPED_SEND_TIMES);
  assertEquals(h.times("timeout"), [32000]);
  assertEquals(h.state.name, "terminated");
  assertEquals(h.timers, []);
});

Deno.test("nonInviteClientTransition() retransmits every T2 in Proceeding", () => {
  const h = harness();
  h.advance(500); // first retransmission, E now 1000 -> due 1500
  h.feed({ type: "response", status: 100 });
  assertEquals(h.state.name, "proceeding");
  h.advance(10_000);
  // Timer E still fires at 1500, then every T2 = 4000.
  assertEquals(h.times("send"), [0, 500, 1500, 5500, 9500]);
  h.feed({ type: "response", status: 183 });
  assertEquals(h.times("pass-up").length, 2);
  h.advance(30_000);
  assertEquals(h.times("timeout"), [32000]);
});

Deno.test("nonInviteClientTransition() completes on 200-699 and waits Timer K (T4 on UDP)", () => {
  for (const status of [200, 404, 699]) {
    const h = harness();
    h.advance(600);
    h.feed({ type: "response", status });
    assertEquals(h.state.name, "completed");
    assertEquals(h.timers, ["K"]);
    assertEquals(h.due("K"), 5600);
    h.feed({ type: "response", status }); // retransmission absorbed
    assertEquals(h.times("pass-up"), [600]);
    h.advance(5000);
    assertEquals(h.state.name, "terminated");
    assertEquals(h.times("send"), [0, 500]);
  }
});

Deno.test("nonInviteClientTransition() completes from Proceeding", () => {
  const h = harness();
  h.feed({ type: "response", status: 100 });
  h.feed({ type: "response", status: 202 });
  assertEquals(h.state.name, "completed");
});

Deno.test("nonInviteClientTransition() terminates at once on reliable transports", () => {
  const h = harness(true);
  assertEquals(h.timers, ["F"]);
  h.feed({ type: "response", status: 200 });
  assertEquals(h.types(), ["send", "pass-up", "terminate"]);
  assertEquals(h.state.name, "terminated");
});

Deno.test("nonInviteClientTransition() reports transport errors in Trying and Proceeding", () => {
  const trying = harness();
  trying.feed({ type: "transport-error" });
  assertEquals(trying.types(), ["send", "transport-error", "terminate"]);
  const proceeding = harness();
  proceeding.feed({ type: "response", status: 100 });
  proceeding.feed({ type: "transport-error" });
  assertEquals(proceeding.state.name, "terminated");
  assertEquals(proceeding.timers, []);
});

Deno.test("nonInviteClientTransition() times out from Proceeding with Timer F (reliable)", () => {
  const h = harness(true);
  h.feed({ type: "response", status: 100 });
  h.advance(32_000);
  assertEquals(h.times("timeout"), [32000]);
  assertEquals(h.times("send"), [0]);
});
