/** A virtual clock for timer tests of any layer: time moves only when `advance()` is called. */

import type { Clock } from "../mod/signaling/transaction/clock.ts";

interface Pending {
  at: number;
  callback: () => void;
}

export class FakeClock implements Clock {
  #now = 0;
  #nextId = 1;
  #pending = new Map<number, Pending>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id: number): void {
    this.#pending.delete(id);
  }

  /** Timers not yet fired nor cleared. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Moves time forward, firing due timers in time order (then creation order). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.#earliest();
      if (next === undefined || next[1].at > end) {
        this.#now = end;
        return;
      }
      this.#pending.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
    }
    throw new Error("FakeClock.advance() fired too many timers");
  }

  /** Fires timers until none is left; returns the time reached. */
  runAll(): number {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.#earliest();
      if (next === undefined) return this.#now;
      this.advance(next[1].at - this.#now);
    }
    throw new Error("FakeClock.runAll() never ran out of timers");
  }

  #earliest(): [number, Pending] | undefined {
    let best: [number, Pending] | undefined;
    for (const entry of this.#pending) {
      if (!best || entry[1].at < best[1].at) best = entry;
    }
    return best;
  }
}
