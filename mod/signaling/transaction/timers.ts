/**
 * Transaction timers of RFC 3261 section 17 (table 4, appendix A) and RFC 6026 (timers L, M).
 *
 * Timer values are plain numbers of milliseconds computed once per transaction from the base
 * timers and the reliability of the transport. Two kinds of zero exist on reliable transports:
 * a retransmission timer (A, E, G) of zero is never started, a wait timer (D, I, J, K) of zero
 * ends its state at once.
 *
 * @module
 */

/** Base timers, in milliseconds. */
export interface TimerOptions {
  /** RTT estimate (RFC 3261 17.1.1.1). @default {500} */
  t1?: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses. @default {4000} */
  t2?: number;
  /** Maximum duration a message remains in the network. @default {5000} */
  t4?: number;
}

/** Name of a transaction timer (C belongs to the proxy, RFC 3261 16.6 step 11). */
export type TimerName = "A" | "B" | "C" | "D" | "E" | "F" | "G" | "H" | "I" | "J" | "K" | "L" | "M";

/** Every timer value of one transaction, in milliseconds. */
export interface TimerValues {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
  /** Whether the transport is reliable (no retransmissions, zero wait timers). */
  readonly reliable: boolean;
  /** INVITE request retransmit interval, initial value (0: not used). RFC 3261 17.1.1.2 */
  readonly A: number;
  /** INVITE transaction timeout. RFC 3261 17.1.1.2 */
  readonly B: number;
  /** Proxy INVITE transaction timeout (> 3 min). RFC 3261 16.6 step 11 */
  readonly C: number;
  /** Wait time for response retransmits. RFC 3261 17.1.1.2 */
  readonly D: number;
  /** Non-INVITE request retransmit interval, initial value (0: not used). RFC 3261 17.1.2.2 */
  readonly E: number;
  /** Non-INVITE transaction timeout. RFC 3261 17.1.2.2 */
  readonly F: number;
  /** INVITE response retransmit interval, initial value (0: not used). RFC 3261 17.2.1 */
  readonly G: number;
  /** Wait time for ACK receipt. RFC 3261 17.2.1 */
  readonly H: number;
  /** Wait time for ACK retransmits. RFC 3261 17.2.1 */
  readonly I: number;
  /** Wait time for non-INVITE request retransmits. RFC 3261 17.2.2 */
  readonly J: number;
  /** Wait time for response retransmits. RFC 3261 17.1.2.2 */
  readonly K: number;
  /** Wait time for accepted INVITE request retransmits. RFC 6026 8.11 */
  readonly L: number;
  /** Wait time for retransmission of 2xx to INVITE or additional 2xx. RFC 6026 8.11 */
  readonly M: number;
}

/** Defaults of RFC 3261 table 4. */
export const DEFAULT_TIMERS = {
  /** RFC 3261 17.1.1.1 */
  t1: 500,
  /** RFC 3261 17.1.2.2 */
  t2: 4000,
  /** RFC 3261 17.1.2.2 */
  t4: 5000,
  /** RFC 3261 17.1.1.2: "at least 32 seconds for unreliable transports" */
  d: 32000,
  /** RFC 3261 16.6 step 11: "greater than 3 minutes" */
  c: 181000,
} as const;

/**
 * Computes timers A-M for one transaction (RFC 3261 table 4, RFC 6026 8.11).
 *
 * Timer D is `max(32 s, 64*T1)` on unreliable transports so that a larger T1 still covers
 * every retransmission; L and M are 64*T1 whatever the transport.
 */
export function computeTimers(reliable: boolean, options: TimerOptions = {}): TimerValues {
  const t1 = options.t1 ?? DEFAULT_TIMERS.t1;
  const t2 = options.t2 ?? DEFAULT_TIMERS.t2;
  const t4 = options.t4 ?? DEFAULT_TIMERS.t4;
  for (const [name, value] of [["t1", t1], ["t2", t2], ["t4", t4]] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`Cannot compute transaction timers: ${name} must be positive`);
    }
  }
  const timeout = 64 * t1;
  return {
    t1,
    t2,
    t4,
    reliable,
    A: reliable ? 0 : t1,
    B: timeout,
    C: Math.max(DEFAULT_TIMERS.c, timeout),
    D: reliable ? 0 : Math.max(DEFAULT_TIMERS.d, timeout),
    E: reliable ? 0 : t1,
    F: timeout,
    G: reliable ? 0 : t1,
    H: timeout,
    I: reliable ? 0 : t4,
    J: reliable ? 0 : timeout,
    K: reliable ? 0 : t4,
    L: timeout,
    M: timeout,
  };
}
