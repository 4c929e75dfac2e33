/**
 * The clock transaction timers run on: injectable so tests advance virtual time.
 *
 * @module
 */

/** Time source and timers (same shape as the transport layer's clock). */
export interface Clock {
  /** Milliseconds, monotonic enough for timers. */
  now(): number;
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** The real clock: `performance.now()` and `globalThis.setTimeout`. */
export const systemClock: Clock = {
  now(): number {
    return performance.now();
  },
  setTimeout(callback: () => void, ms: number): number {
    return Number(globalThis.setTimeout(callback, ms));
  },
  clearTimeout(id: number): void {
    globalThis.clearTimeout(id);
  },
};
