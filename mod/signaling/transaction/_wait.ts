/**
 * Helpers shared by the state machines.
 *
 * @module
 */

import type { TransactionAction } from "./machine.ts";
import type { TimerName } from "./timers.ts";

/** Action that terminates a transaction. */
export const TERMINATE: TransactionAction = { type: "terminate" };

/** Action that (re)sends the stored message. */
export const SEND: TransactionAction = { type: "send" };

/** Action that hands the current message to the transaction user. */
export const PASS_UP: TransactionAction = { type: "pass-up" };

/** Starts a timer. */
export function startTimer(name: TimerName, ms: number): TransactionAction {
  return { type: "start-timer", name, ms };
}

/** Cancels a timer. */
export function cancelTimer(name: TimerName): TransactionAction {
  return { type: "cancel-timer", name };
}

/**
 * Starts a wait timer, or tells whether the state ends at once: a wait timer of zero (D, I, J,
 * K on reliable transports) means "terminate now" (RFC 3261 17.1.1.2, 17.2.1, 17.2.2).
 */
export function waitTimer(name: TimerName, ms: number): TransactionAction[] {
  return ms > 0 ? [startTimer(name, ms)] : [TERMINATE];
}
