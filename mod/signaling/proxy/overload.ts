/**
 * Overload protection (resiprocate's rule: 503 when overloaded, never silent). A proxy that
 * queues more work than it can do answers late, its UDP peers retransmit (Timer E doubles the
 * work past T1), and throughput collapses. Instead, past a bound the proxy answers new
 * requests at once with 503 and Retry-After (RFC 3261 21.5.4): cheap, and the clients back
 * off.
 *
 * Two signals:
 * - requests in flight (taken by the proxy, no final response yet) above `maxInFlight`;
 * - event-loop lag above `maxLagMs`: while requests arrive, a probe timer of 0 ms is started
 *   at most every `probeIntervalMs`; how late it fires is how long work waits in the queue.
 *   Without traffic no probe runs (an idle gateway keeps no timer), and a measure older than
 *   a second no longer counts.
 *
 * CANCEL, ACK and in-dialog BYE are never refused: they end work.
 *
 * @module
 */

import type { SipRequest } from "../message/mod.ts";
import type { Clock } from "../transaction/clock.ts";

/** Bounds of {@linkcode OverloadGuard}. */
export interface OverloadOptions {
  /**
   * Requests in flight (no final response yet) above which new ones get 503.
   * @default {10000}
   */
  maxInFlight?: number;
  /**
   * Event-loop lag in milliseconds above which new requests get 503; 0 turns the probe off.
   * Below T1 (500 ms) so that load is shed before UDP retransmissions multiply it.
   * @default {0}
   */
  maxLagMs?: number;
  /** Seconds in the Retry-After of the 503. @default {5} */
  retryAfter?: number;
  /** Least time between two lag probes, in milliseconds. @default {100} */
  probeIntervalMs?: number;
}

/** How long a lag measure counts, in milliseconds. */
const LAG_VALIDITY_MS = 1000;

/** Counts requests in flight and measures event-loop lag; says when to refuse. */
export class OverloadGuard {
  readonly #clock: Clock;
  readonly #maxInFlight: number;
  readonly #maxLagMs: number;
  readonly #probeIntervalMs: number;
  readonly #retryAfter: string;
  #inFlight = 0;
  #lagMs = 0;
  #lagAt = -Infinity;
  #probeAt = -Infinity;
  #probe: number | undefined;
  #refused = 0;
  readonly #onProbe = () => {
    this.#probe = undefined;
    const now = this.#clock.now();
    this.#lagMs = now - this.#probeAt;
    this.#lagAt = now;
  };

  constructor(clock: Clock, options: OverloadOptions = {}) {
    this.#clock = clock;
    this.#maxInFlight = options.maxInFlight ?? 10000;
    this.#maxLagMs = options.maxLagMs ?? 0;
    this.#probeIntervalMs = options.probeIntervalMs ?? 100;
    this.#retryAfter = String(options.retryAfter ?? 5);
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Last event-loop lag measured (ms), 0 when older than a second or never measured. */
  get lagMs(): number {
    return this.#clock.now() - this.#lagAt <= LAG_VALIDITY_MS ? this.#lagMs : 0;
  }

  /** Requests refused so far. */
  get refused(): number {
    return this.#refused;
  }

  /** The Retry-After value (seconds) of the 503. */
  get retryAfter(): string {
    return this.#retryAfter;
  }

  /** A request was taken on (call {@linkcode leave} once when it got its final response). */
  enter(): void {
    this.#inFlight++;
  }

  /** A request taken on got its final response. */
  leave(): void {
    if (this.#inFlight > 0) this.#inFlight--;
  }

  /**
   * Whether `request`, just arrived, must be refused with 503 (and counts it when so). Starts
   * a lag probe when one is due.
   */
  refuse(request: SipRequest): boolean {
    if (this.#maxLagMs > 0) this.#maybeProbe();
    if (
      this.#inFlight < this.#maxInFlight && !(this.#maxLagMs > 0 && this.lagMs > this.#maxLagMs)
    ) {
      return false;
    }
    if (isExempt(request)) return false;
    this.#refused++;
    return true;
  }

  /** Stops the probe (shutdown). */
  close(): void {
    if (this.#probe !== undefined) this.#clock.clearTimeout(this.#probe);
    this.#probe = undefined;
  }

  #maybeProbe(): void {
    if (this.#probe !== undefined) return;
    const now = this.#clock.now();
    if (now - this.#probeAt < this.#probeIntervalMs) return;
    this.#probeAt = now;
    this.#probe = this.#clock.setTimeout(this.#onProbe, 0);
  }
}

/** CANCEL, ACK and a BYE inside a dialog (To tag) end work: never refused. */
function isExempt(request: SipRequest): boolean {
  const method = request.method;
  if (method === "CANCEL" || method === "ACK") return true;
  if (method !== "BYE") return false;
  const to = request.headers.get("To");
  return to !== undefined && /;\s*tag\s*=/i.test(to);
}
