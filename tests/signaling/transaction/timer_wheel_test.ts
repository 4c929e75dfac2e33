import { assert, assertEquals } from "../../_assert.ts";
import { TimerWheel } from "../../../mod/signaling/transaction/timer_wheel.ts";

/** A fake runtime: one timer table driven by hand. */
class FakeRuntime {
  time = 0;
  #last = 0;
  timers = new Map<number, { at: number; callback: () => void }>();
  setTimer = (callback: () => void, ms: number): number => {
    this.timers.set(++this.#last, { at: this.time + ms, callback });
    return this.#last;
  };
  clearTimer = (id: number): void => {
    this.timers.delete(id);
  };
  now = (): number => this.time;
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) =>
        t.at <= until
      ).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.time = Math.max(this.time, due[1].at);
      this.timers.delete(due[0]);
      due[1].callback();
    }
    this.time = until;
  }
}

function wheel(rt: FakeRuntime, resolution = 10): TimerWheel {
  return new TimerWheel({
    resolution,
    now: rt.now,
    setTimer: rt.setTimer,
    clearTimer: rt.clearTimer,
  });
}

Deno.test("TimerWheel.setTimeout() fires in due order, never early, on one runtime timer", () => {
  const rt = new FakeRuntime();
  const w = wheel(rt);
  const fired: string[] = [];
  w.setTimeout(() => fired.push("b500"), 500);
  w.setTimeout(() => fired.push("a100"), 100);
  w.setTimeout(() => fired.push("c32000"), 32000);
  assertEquals(rt.timers.size, 1);
  rt.advance(99);
  assertEquals(fired, []);
  rt.advance(11);
  assertEquals(fired, ["a100"]);
  rt.advance(400);
  assertEquals(fired, ["a100", "b500"]);
  assertEquals(w.size, 1);
  assertEquals(rt.timers.size, 1);
  rt.advance(31500);
  assertEquals(fired, ["a100", "b500", "c32000"]);
  assertEquals(w.size, 0);
  assertEquals(rt.timers.size, 0);
});

Deno.test("TimerWheel.clearTimeout() cancels at once and clears the runtime timer when none is left", () => {
  const rt = new FakeRuntime();
  const w = wheel(rt);
  const fired: string[] = [];
  const a = w.setTimeout(() => fired.push("a"), 500);
  const b = w.setTimeout(() => fired.push("b"), 500);
  w.clearTimeout(a);
  assertEquals(w.size, 1);
  assertEquals(rt.timers.size, 1);
  w.clearTimeout(b);
  w.clearTimeout(b);
  assertEquals(w.size, 0);
  assertEquals(rt.timers.size, 0);
  rt.advance(1000);
  assertEquals(fired, []);
});

Deno.test("TimerWheel.setTimeout() re-arms earlier for an earlier timer and zero delays fire next", () => {
  const rt = new FakeRuntime();
  const w = wheel(rt);
  const fired: number[] = [];
  w.setTimeout(() => fired.push(5000), 5000);
  w.setTimeout(() => fired.push(0), 0);
  assertEquals(rt.timers.size, 1);
  assertEquals([...rt.timers.values()][0].at, 10);
  rt.advance(10);
  assertEquals(fired, [0]);
  rt.advance(4990);
  assertEquals(fired, [0], "a bucket is the first boundary after the due time");
  rt.advance(10);
  assertEquals(fired, [0, 5000]);
});

Deno.test("TimerWheel callbacks may cancel or start timers, and a throwing one does not stop the others", () => {
  const rt = new FakeRuntime();
  const w = wheel(rt);
  const fired: string[] = [];
  const reported: unknown[] = [];
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    reported.push(e.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    let second = 0;
    w.setTimeout(() => {
      fired.push("first");
      w.clearTimeout(second);
      w.setTimeout(() => fired.push("again"), 100);
      throw new Error("boom");
    }, 100);
    second = w.setTimeout(() => fired.push("second"), 101);
    w.setTimeout(() => fired.push("third"), 102);
    rt.advance(110);
    assertEquals(fired, ["first", "third"]);
    assertEquals(reported.length, 1);
    rt.advance(110);
    assertEquals(fired, ["first", "third", "again"]);
    assertEquals(w.size, 0);
    assertEquals(rt.timers.size, 0);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});

Deno.test("TimerWheel keeps many timers on one runtime timer", () => {
  const rt = new FakeRuntime();
  const w = wheel(rt, 1);
  const order: number[] = [];
  const ids: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const ms = (i * 7919) % 997;
    ids.push(w.setTimeout(() => order.push(ms), ms));
  }
  for (let i = 0; i < 1000; i += 2) w.clearTimeout(ids[i]);
  assertEquals(rt.timers.size, 1);
  rt.advance(1000);
  assertEquals(order.length, 500);
  for (let i = 1; i < order.length; i++) assert(order[i - 1] <= order[i], "due order");
});
