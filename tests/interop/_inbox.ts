/**
 * A FIFO of events a test waits for (incoming MESSAGEs, INVITEs, SIP messages off a socket),
 * shared by the JsSIP and SIP.js clients and the proxy's real-socket tests.
 *
 * @module
 */

import { withTimeout } from "./_process.ts";

/** A FIFO whose `next()` waits (bounded) for the next item. */
export class Inbox<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];

  /** Hands `item` to the oldest waiter, or queues it. */
  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  /** The oldest queued item, or the next pushed within `ms` (rejects naming `what` past it). */
  next(what: string, ms = 5000): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    let resolver!: (item: T) => void;
    const promise = new Promise<T>((resolve) => {
      resolver = resolve;
      this.#waiters.push(resolve);
    });
    return withTimeout(what, promise, ms).catch((error) => {
      this.#waiters = this.#waiters.filter((w) => w !== resolver);
      throw error;
    });
  }
}
