/**
 * Events and actions shared by the four pure transaction state machines.
 *
 * A state machine is a function `(state, event) -> { state, actions }`. It performs no I/O:
 * the transaction layer feeds it events (messages, timers, transport errors) and carries out
 * the actions in order.
 *
 * @module
 */

import type { TimerName } from "./timers.ts";

/** Something that happened to a transaction. */
export type TransactionEvent =
  /** A response from the network (client transactions). */
  | { readonly type: "response"; readonly status: number }
  /** A retransmission of the request from the network (server transactions). */
  | { readonly type: "request" }
  /** An ACK from the network matching an INVITE server transaction. */
  | { readonly type: "ack" }
  /** The transaction user hands a response to send (server transactions). */
  | { readonly type: "tu-response"; readonly status: number }
  /** The transaction user sent a CANCEL for this INVITE (RFC 3261 9.1, client side). */
  | { readonly type: "cancel-sent" }
  /** A timer started by a `start-timer` action fired. */
  | { readonly type: "timer"; readonly name: TimerName }
  /** The transport failed to send (RFC 3261 17.1.4, 17.2.4). */
  | { readonly type: "transport-error" };

/** Something the transaction layer must do. */
export type TransactionAction =
  /** Send the stored message: the request (client) or the last response (server). */
  | { readonly type: "send" }
  /** Send an ACK for the last non-2xx final response (RFC 3261 17.1.1.3). */
  | { readonly type: "send-ack" }
  /** Hand the message of the current event to the transaction user. */
  | { readonly type: "pass-up" }
  /** Start (or restart) a timer. */
  | { readonly type: "start-timer"; readonly name: TimerName; readonly ms: number }
  /** Stop a timer if it runs. */
  | { readonly type: "cancel-timer"; readonly name: TimerName }
  /** Report a transaction timeout to the transaction user (a 408 for the proxy). */
  | { readonly type: "timeout" }
  /** Report a transport error to the transaction user. */
  | { readonly type: "transport-error" }
  /** The transaction is over: remove it and clear every timer it still has. */
  | { readonly type: "terminate" };

/** Result of one transition. */
export interface Transition<S> {
  readonly state: S;
  readonly actions: readonly TransactionAction[];
}

/** A pure transaction state machine. */
export type TransitionFunction<S> = (state: S, event: TransactionEvent) => Transition<S>;

/** Status class helpers (RFC 3261 7.2). */
export function isProvisional(status: number): boolean {
  return status >= 100 && status <= 199;
}

/** Whether a status is a 2xx. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** Whether a status is a final response other than 2xx (300-699). */
export function isFailure(status: number): boolean {
  return status >= 300 && status <= 699;
}
