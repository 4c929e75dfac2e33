/**
 * Many timers on one runtime timer. Transactions start and cancel several timers each (E, F,
 * K, J...): with one `setTimeout` per timer, a proxy at thousands of requests per second keeps
 * tens of thousands of runtime timers alive and churns the garbage collector. Here timers are
 * grouped in buckets of `resolution` ms (due times rounded up), a min-heap orders the bucket
 * times, and one runtime timer is armed for the earliest bucket. Cancelling removes the entry
 * from its bucket at once; when no timer is left the runtime timer is cleared too (nothing
 * keeps the process alive, test sanitizers see no leak).
 *
 * Timers fire at most `resolution` ms late, never early, in due-bucket order.
 *
 * @module
 */

import type { Clock } from "./clock.ts";

/** Options of {@linkcode TimerWheel}. */
export interface TimerWheelOptions {
  /** Width of a bucket in milliseconds. @default {10} */
  resolution?: number;
  /** Time source. @default {performance.now} */
  now?: () => number;
  /** The one runtime timer. @default {globalThis.setTimeout / clearTimeout} */
  setTimer?: (callback: () => void, ms: number) => number;
  /** @default {globalThis.clearTimeout} */
  clearTimer?: (id: number) => void;
}

function defaultNow(): number {
  return performance.now();
}

function defaultSetTimer(callback: () => void, ms: number): number {
  return Number(globalThis.setTimeout(callback, ms));
}

function defaultClearTimer(id: number): void {
  globalThis.clearTimeout(id);
}

/** A {@linkcode Clock} whose timers share one runtime timer. */
export class TimerWheel implements Clock {
  readonly #resolution: number;
  readonly #now: () => number;
  readonly #setTimer: (callback: () => void, ms: number) => number;
  readonly #clearTimer: (id: number) => void;
  /** Bucket time -> timers of that bucket (id -> callback). */
  readonly #buckets = new Map<number, Map<number, () => void>>();
  /** Timer id -> its bucket time. */
  readonly #slots = new Map<number, number>();
  /** Min-heap of bucket times (may hold times of buckets emptied since). */
  readonly #heap: number[] = [];
  #lastId = 0;
  #armed: number | undefined;
  #armedFor = Infinity;
  readonly #onTimer = () => this.#expire();

  constructor(options: TimerWheelOptions = {}) {
    this.#resolution = options.resolution ?? 10;
    this.#now = options.now ?? defaultNow;
    this.#setTimer = options.setTimer ?? defaultSetTimer;
    this.#clearTimer = options.clearTimer ?? defaultClearTimer;
  }

  /** Timers pending. */
  get size(): number {
    return this.#slots.size;
  }

  now(): number {
    return this.#now();
  }

  setTimeout(callback: () => void, ms: number): number {
    const res = this.#resolution;
    // the first bucket boundary strictly after the due time: never early, never this instant
    const at = Math.floor((this.#now() + Math.max(0, ms)) / res) * res + res;
    const id = ++this.#lastId;
    let bucket = this.#buckets.get(at);
    if (bucket === undefined) {
      bucket = new Map();
      this.#buckets.set(at, bucket);
      heapPush(this.#heap, at);
    }
    bucket.set(id, callback);
    this.#slots.set(id, at);
    if (at < this.#armedFor) this.#arm(at);
    return id;
  }

  clearTimeout(id: number): void {
    const at = this.#slots.get(id);
    if (at === undefined) return;
    this.#slots.delete(id);
    const bucket = this.#buckets.get(at); // undefined while that bucket is firing
    if (bucket !== undefined) {
      bucket.delete(id);
      if (bucket.size === 0) this.#buckets.delete(at);
    }
    if (this.#slots.size === 0) this.#disarm();
  }

  #arm(at: number): void {
    if (this.#armed !== undefined) this.#clearTimer(this.#armed);
    this.#armedFor = at;
    this.#armed = this.#setTimer(this.#onTimer, Math.max(0, at - this.#now()));
  }

  #disarm(): void {
    if (this.#armed !== undefined) this.#clearTimer(this.#armed);
    this.#armed = undefined;
    this.#armedFor = Infinity;
    this.#heap.length = 0;
    this.#buckets.clear();
  }

  #expire(): void {
    this.#armed = undefined;
    this.#armedFor = Infinity;
    const now = this.#now();
    const heap = this.#heap;
    let errors: unknown[] | undefined;
    while (heap.length > 0 && heap[0] <= now) {
      const at = heapPop(heap);
      const bucket = this.#buckets.get(at);
      if (bucket === undefined) continue;
      this.#buckets.delete(at);
      for (const [id, callback] of bucket) {
        // a callback may cancel a later timer of the same bucket
        if (this.#slots.get(id) !== at) continue;
        this.#slots.delete(id);
        try {
          callback();
        } catch (error) {
          (errors ??= []).push(error);
        }
      }
    }
    while (heap.length > 0 && !this.#buckets.has(heap[0])) heapPop(heap);
    if (heap.length > 0 && this.#armed === undefined) this.#arm(heap[0]);
    else if (heap.length > 0 && heap[0] < this.#armedFor) this.#arm(heap[0]);
    // like a runtime timer: a throwing callback is an uncaught error, after the others ran
    for (const error of errors ?? []) reportError(error);
  }
}

function heapPush(heap: number[], value: number): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= value) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length === 0) return top;
  let i = 0;
  const n = heap.length;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap[child + 1] < heap[child]) child++;
    if (heap[child] >= last) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = last;
  return top;
}
