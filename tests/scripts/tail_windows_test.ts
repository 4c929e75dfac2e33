import { assertEquals } from "../_assert.ts";
import { tailWindows } from "../../scripts/bench/tail_windows.ts";

Deno.test("tailWindows() finds the stall that holds the slowest 1%", () => {
  // 1,000 requests 1 ms apart at 1 ms, but the 20 sent from 500 ms on waited 30-49 ms
  const pairs: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const stalled = i >= 500 && i < 520;
    pairs.push(1_800_000_000_000 + i, stalled ? 49 - (i - 500) : 1);
  }
  const { requests, p99Ms, windows } = tailWindows(pairs, 100);
  assertEquals(requests, 1000);
  assertEquals(p99Ms, 40);
  assertEquals(windows, [{ startMs: 500, count: 10, maxMs: 49 }]);
});

Deno.test("tailWindows() of an empty trace", () => {
  const { requests, windows } = tailWindows([], 100);
  assertEquals([requests, windows], [0, []]);
});
