/**
 * Completed non-INVITE transactions kept as their keys (and what resending needs), until Timer
 * K (client) or J (server).
 *
 * Over UDP a non-INVITE client transaction that got its final response stays in Completed for
 * Timer K (T4, 5 s) only to absorb retransmissions of that response (RFC 3261 17.1.2.2). A
 * proxy relaying thousands of requests per second would keep tens of thousands of such
 * transactions, each an object graph with its timer, map and index entries: measured at
 * 5,000 MESSAGE/s, three quarters of the live heap (a full GC then marks ~37 MB instead of
 * ~12 MB, with pauses three times as long). Here each one is a key and a due time in one of
 * two maps ("generations"); the current generation becomes the previous one when its keys are
 * due, and a previous generation is dropped whole: no per-key timer, no deletion churn. A
 * completed non-INVITE server transaction over UDP (Timer J, 32 s) is kept the same way, with
 * the bytes of its final response and the flow to resend them to.
 *
 * `has()` is exact to the millisecond (a key is absorbed until its due time rounded up to a
 * whole millisecond, not after); keys leave memory between their due time and about one Timer
 * K later.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { TimerCounter } from "./_runner.ts";

/** A key's due time alone, or with the value kept for it. */
type Entry<V> = number | { readonly due: number; readonly value: V };

function dueOf<V>(entry: Entry<V>): number {
  return typeof entry === "number" ? entry : entry.due;
}

/** Keys with a due time (and a value, when given), on one clock timer. */
export class CompletedKeys<V = never> {
  readonly #clock: Clock;
  readonly #counter: TimerCounter;
  #current = new Map<string, Entry<V>>();
  #currentDue = -Infinity;
  #previous = new Map<string, Entry<V>>();
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

  /** Keeps `key` (with `value`, when given) until `ms` from now. */
  add(key: string, ms: number, ...value: [] | [V]): void {
    // whole milliseconds: small integers are stored in the map itself, fractions as objects
    const due = Math.ceil(this.#clock.now() + ms);
    this.#current.set(key, value.length === 0 ? due : { due, value: value[0] });
    if (due > this.#currentDue) this.#currentDue = due;
    if (this.#timer === undefined) this.#arm(ms);
  }

  /** Whether `key` was added and is not due yet. */
  has(key: string): boolean {
    return this.#entry(key) !== undefined;
  }

  /** The value kept with `key`, when it was added with one and is not due yet. */
  get(key: string): V | undefined {
    const entry = this.#entry(key);
    return entry === undefined || typeof entry === "number" ? undefined : entry.value;
  }

  #entry(key: string): Entry<V> | undefined {
    const entry = this.#current.get(key) ?? this.#previous.get(key);
    return entry !== undefined && this.#clock.now() < dueOf(entry) ? entry : undefined;
  }

  /** Drops every key and the timer (layer shutdown). */
  clear(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#counter.stopped();
      this.#timer = undefined;
    }
    this.#dropAll();
  }

  #dropAll(): void {
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
      this.#dropAll(); // everything is due: nothing to keep
      return;
    }
    this.#previous = this.#current;
    this.#previousDue = this.#currentDue;
    this.#current = new Map();
    this.#currentDue = -Infinity;
    this.#arm(this.#previousDue - now);
  }
}
