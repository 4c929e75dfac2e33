/**
 * Completed non-INVITE client transactions kept as their keys only, until Timer K.
 *
 * Over UDP a non-INVITE client transaction that got its final response stays in Completed for
 * Timer K (T4, 5 s) only to absorb retransmissions of that response (RFC 3261 17.1.2.2). A
 * proxy relaying thousands of requests per second would keep tens of thousands of such
 * transactions, each an object graph with its timer, map and index entries: measured at
 * 5,000 MESSAGE/s, three quarters of the live heap (a full GC then marks ~37 MB instead of
 * ~12 MB, with pauses three times as long). Here each one is a key and a due time in one of
 * two maps ("generations"); the current generation becomes the previous one when its keys are
 * due, and a previous generation is dropped whole: no per-key timer, no deletion churn.
 *
 * `has()` is exact to the millisecond (a key is absorbed until its due time rounded up to a
 * whole millisecond, not after); keys leave memory between their due time and about one Timer
 * K later.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { TimerCounter } from "./_runner.ts";

/** Keys with a due time, on one clock timer. */
export class CompletedKeys {
  readonly #clock: Clock;
  readonly #counter: TimerCounter;
  #current = new Map<string, number>();
  #currentDue = -Infinity;
  #previous = new Map<string, number>();
  #previousDue = -Infinity;
  #timer: number | undefined;
  readonly #onTimer = () => this.#rotate();

  constructor(clock: Clock, counter: TimerCounter) {
    this.#clock = clock;
    this.#counter = counter;
  }

  /** Keys held (some may be past their due time until their generation is dropped). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** Keeps `key` until `ms` from now. */
  add(key: string, ms: number): void {
    // whole milliseconds: small integers are stored in the map itself, fractions as objects
    const due = Math.ceil(this.#clock.now() + ms);
    this.#current.set(key, due);
    if (due > this.#currentDue) this.#currentDue = due;
    if (this.#timer === undefined) this.#arm(ms);
  }

  /** Whether `key` was added and is not due yet. */
  has(key: string): boolean {
    const due = this.#current.get(key) ?? this.#previous.get(key);
    return due !== undefined && this.#clock.now() < due;
  }

  /** Drops every key and the timer (layer shutdown). */
  clear(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#counter.stopped();
      this.#timer = undefined;
    }
    this.#current = new Map();
    this.#previous = new Map();
    this.#currentDue = this.#previousDue = -Infinity;
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(0, ms));
    this.#counter.started();
  }

  /** The timer: drop what is due, age the current generation, re-arm while keys are left. */
  #rotate(): void {
    this.#timer = undefined;
    this.#counter.stopped();
    const now = this.#clock.now();
    if (this.#previousDue > now) {
      // woken early: the previous generation still has keys to absorb for
      this.#arm(this.#previousDue - now);
      return;
    }
    if (this.#currentDue <= now) {
      // everything is due: nothing to keep
      this.#previous = new Map();
      this.#current = new Map();
      this.#previousDue = this.#currentDue = -Infinity;
      return;
    }
    this.#previous = this.#current;
    this.#previousDue = this.#currentDue;
    this.#current = new Map();
    this.#currentDue = -Infinity;
    this.#arm(this.#previousDue - now);
  }
}
