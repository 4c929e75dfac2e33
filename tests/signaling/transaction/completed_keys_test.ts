import { assertEquals } from "../../_assert.ts";
import { CompletedKeys } from "../../../mod/signaling/transaction/completed_keys.ts";
import { FakeClock } from "../../_fake_clock.ts";

function keys() {
  const clock = new FakeClock();
  let timers = 0;
  const counter = { started: () => void timers++, stopped: () => void timers-- };
  return { clock, completed: new CompletedKeys(clock, counter), timers: () => timers };
}

Deno.test("CompletedKeys holds a key until its due time, not after", () => {
  const { clock, completed, timers } = keys();
  completed.add("a", 5000);
  assertEquals([completed.has("a"), completed.has("b"), timers()], [true, false, 1]);
  clock.advance(4999);
  assertEquals(completed.has("a"), true);
  clock.advance(1);
  assertEquals([completed.has("a"), completed.size, timers(), clock.pending], [false, 0, 0, 0]);
});

Deno.test("CompletedKeys ages keys by generation: one timer, each key exact, all gone at the end", () => {
  const { clock, completed, timers } = keys();
  // keys added over 12 s, one every 100 ms, each for 5 s
  for (let i = 0; i < 120; i++) {
    completed.add(`k${i}`, 5000);
    assertEquals(timers(), 1, "one timer whatever the number of keys");
    clock.advance(100);
    // every key is absorbed until exactly 5 s after it was added
    const now = clock.now();
    for (let j = 0; j <= i; j++) {
      assertEquals(completed.has(`k${j}`), now < j * 100 + 5000, `k${j} at ${now} ms`);
    }
    // memory is bounded by about two Timer K's worth of keys
    assertEquals(completed.size <= 101, true, `size ${completed.size} at ${now} ms`);
  }
  clock.runAll();
  assertEquals([completed.size, timers(), clock.pending], [0, 0, 0]);
});

Deno.test("CompletedKeys rounds due times up to whole milliseconds and clears on shutdown", () => {
  const { clock, completed, timers } = keys();
  clock.advance(0.25);
  completed.add("a", 10);
  clock.advance(10);
  assertEquals(completed.has("a"), true, "due at 11 ms (10.25 rounded up)");
  clock.advance(0.75);
  assertEquals(completed.has("a"), false);
  completed.add("b", 5000);
  completed.clear();
  assertEquals([completed.has("b"), completed.size, timers(), clock.pending], [false, 0, 0, 0]);
});
