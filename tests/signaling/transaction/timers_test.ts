import { assertEquals, assertThrows } from "../../_assert.ts";
import { computeTimers } from "../../../mod/signaling/transaction/timers.ts";

Deno.test("computeTimers() gives RFC 3261 table 4 defaults on unreliable transports", () => {
  const t = computeTimers(false);
  assertEquals([t.t1, t.t2, t.t4], [500, 4000, 5000]);
  assertEquals({ A: t.A, B: t.B, D: t.D, E: t.E, F: t.F, G: t.G, H: t.H }, {
    A: 500,
    B: 32000,
    D: 32000,
    E: 500,
    F: 32000,
    G: 500,
    H: 32000,
  });
  assertEquals({ I: t.I, J: t.J, K: t.K, L: t.L, M: t.M }, {
    I: 5000,
    J: 32000,
    K: 5000,
    L: 32000,
    M: 32000,
  });
  assertEquals(t.C > 180_000, true);
});

Deno.test("computeTimers() zeroes retransmission and wait timers on reliable transports", () => {
  const t = computeTimers(true);
  assertEquals({ A: t.A, D: t.D, E: t.E, G: t.G, I: t.I, J: t.J, K: t.K }, {
    A: 0,
    D: 0,
    E: 0,
    G: 0,
    I: 0,
    J: 0,
    K: 0,
  });
  // Timeouts and the RFC 6026 timers stay.
  assertEquals([t.B, t.F, t.H, t.L, t.M], [32000, 32000, 32000, 32000, 32000]);
});

Deno.test("computeTimers() scales with T1 and keeps D at least 32 s", () => {
  const small = computeTimers(false, { t1: 100, t2: 400, t4: 1000 });
  assertEquals([small.A, small.B, small.D, small.I, small.K], [100, 6400, 32000, 1000, 1000]);
  const large = computeTimers(false, { t1: 1000 });
  assertEquals([large.B, large.D, large.J, large.L], [64000, 64000, 64000, 64000]);
});

Deno.test("computeTimers() rejects non-positive base timers", () => {
  assertThrows(() => computeTimers(false, { t1: 0 }), RangeError, "t1 must be positive");
  assertThrows(() => computeTimers(false, { t2: Number.NaN }), RangeError, "t2");
});
