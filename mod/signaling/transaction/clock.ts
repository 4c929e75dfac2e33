/**
 * The clock transaction timers run on: injectable so tests advance virtual time.
 *
 * @module
 */

import { TimerWheel } from "./timer_wheel.ts";

/** Time source and timers (same shape as the transport layer's clock). */
export interface Clock {
  /** Milliseconds, monotonic enough for timers. */
  now(): number;
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

const wheel = new TimerWheel();

/**
 * The real clock: `performance.now()`, timers on one shared {@linkcode TimerWheel} (one
 * runtime timer for all of them, 10 ms resolution, never early). Its ids are not runtime timer
 * ids: clear them with `systemClock.clearTimeout` only.
 */
export const systemClock: Clock = {
  now(): number {
    return performance.now();
  },
  setTimeout(callback: () => void, ms: number): number {
    return wheel.setTimeout(callback, ms);
  },
  clearTimeout(id: number): void {
    wheel.clearTimeout(id);
  },
};
