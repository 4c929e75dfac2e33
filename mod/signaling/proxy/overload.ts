/**
 * Overload protection (resiprocate's rule: 503 when overloaded, never silent). A proxy that
 * queues more work than it can do answers late, its UDP peers retransmit (Timer E doubles the
 * work past T1), and throughput collapses. Instead, past a bound the proxy answers new
 * requests at once with 503 and Retry-After (RFC 3261 21.5.4): cheap, and the clients back
 * off.
 *
 * Two signals:
 * - requests in flight (taken by the proxy, no final response yet) above `maxInFlight`,
 *   counting only those taken in the last `staleAfterMs`: an older one is waiting for a
 *   response that was lost (its client transaction retransmits until Timer F, 32 s), not for
 *   the gateway's CPU, and must not keep the bound full for half a minute after a burst of
 *   losses. All of them together are bounded too (8 x `maxInFlight`: memory);
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
  /**
   * Age in milliseconds past which a request without a final response no longer counts
   * against `maxInFlight` (it still counts against 8 x `maxInFlight`).
   * @default {2000}
   */
  staleAfterMs?: number;
}

/** Width of the age buckets of requests in flight, in milliseconds. */
const EPOCH_MS = 500;

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
  /** Requests in flight by age bucket (`floor(now / EPOCH_MS)` when taken). */
  #byEpoch = new Map<number, number>();
  readonly #staleEpochs: number;
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
    this.#staleEpochs = Math.ceil((options.staleAfterMs ?? 2000) / EPOCH_MS);
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests in flight taken in the last `staleAfterMs`. */
  get recentInFlight(): number {
    const oldest = this.#epoch() - this.#staleEpochs;
    let recent = 0;
    for (const [epoch, count] of this.#byEpoch) if (epoch >= oldest) recent += count;
    return recent;
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

  /**
   * A request was taken on. Returns its ticket: give it to {@linkcode leave} once, when the
   * request got its final response.
   */
  enter(): number {
    const epoch = this.#epoch();
    this.#inFlight++;
    this.#byEpoch.set(epoch, (this.#byEpoch.get(epoch) ?? 0) + 1);
    return epoch;
  }

  /** The request of `ticket` (from {@linkcode enter}) got its final response. */
  leave(ticket: number): void {
    const count = this.#byEpoch.get(ticket);
    if (count === undefined) return;
    this.#inFlight--;
    if (count > 1) this.#byEpoch.set(ticket, count - 1);
    else this.#byEpoch.delete(ticket);
  }

  /**
   * Whether `request`, just arrived, must be refused with 503 (and counts it when so). Starts
   * a lag probe when one is due.
   */
  refuse(request: SipRequest): boolean {
    if (this.#maxLagMs > 0) this.#maybeProbe();
    if (!this.#busy()) return false;
    if (isExempt(request)) return false;
    this.#refused++;
    return true;
  }

  /** Stops the probe (shutdown). */
  close(): void {
    if (this.#probe !== undefined) this.#clock.clearTimeout(this.#probe);
    this.#probe = undefined;
  }

  #busy(): boolean {
    if (this.#maxLagMs > 0 && this.lagMs > this.#maxLagMs) return true;
    if (this.#inFlight < this.#maxInFlight) return false;
    return this.#inFlight >= 8 * this.#maxInFlight || this.recentInFlight >= this.#maxInFlight;
  }

  #epoch(): number {
    return Math.floor(this.#clock.now() / EPOCH_MS);
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
