/** A virtual clock: time moves only when `advance()` is called. */

import type { Clock } from "../../../mod/signaling/transaction/clock.ts";

export class FakeClock implements Clock {
  #now = 0;
  #nextId = 1;
  #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id: number): void {
    this.#timers.delete(id);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order (bounded). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) if (!next || entry[1].at < next[1].at) next = entry;
      if (next === undefined || next[1].at > end) {
        this.#now = end;
        return;
      }
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
    }
    throw new Error("FakeClock.advance() fired too many timers");
  }
}
