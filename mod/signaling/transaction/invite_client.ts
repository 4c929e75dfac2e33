/**
 * INVITE client transaction state machine: RFC 3261 17.1.1 (figure 5) as updated by RFC 6026
 * section 7.2 (figure 5 revised: the Accepted state and timer M).
 *
 * ```
 *                   |INVITE from TU
 *     Timer A fires |INVITE sent        Timer B fires
 *     Reset A,      V                   or Transport Err.
 *     INVITE sent +-----------+         inform TU
 *       +---------|  Calling  |-------------------+
 *       +-------->|           |------------+      |
 *                 +-----------+  2xx       |      |
 *          300-699    |  |   1xx  2xx to TU|      |
 *        ACK sent     |  |   1xx to TU     |      |
 *     resp. to TU     |  V                 |      |
 *      1xx      +-----------+ 2xx to TU    |      |
 *      to TU    |Proceeding |--------------+      |
 *       +------>|           |              |      |
 *       +-------+-----------+              V      |
 *      300-699        |            +-----------+  |   2xx to TU
 *      ACK sent       |            | Accepted  |<-+-- (retransmitted
 *      resp. to TU    |            +-----------+       or forked 2xx)
 *  300-699            V                  | Timer M fires
 *  ACK sent     +-----------+            |
 *  +------------| Completed |            |
 *  +----------->+-----------+            |
 *       Timer D fires |  Transport Err.  |
 *                     V  inform TU       V
 *                 +---------------------------+
 *                 |        Terminated         |
 *                 +---------------------------+
 * ```
 *
 * Timer A doubles at each retransmission without the T2 cap (RFC 3261 17.1.1.2 caps only
 * Timer E and G); retransmissions stop in Proceeding. After a CANCEL is sent in Proceeding,
 * Timer B is restarted so that a peer that never answers the INVITE cannot keep the
 * transaction forever (RFC 3261 9.1: "the client SHOULD then consider the original
 * transaction cancelled and SHOULD destroy the client transaction").
 *
 * @module
 */

import {
  isFailure,
  isProvisional,
  isSuccess,
  type TransactionAction,
  type TransactionEvent,
  type Transition,
} from "./machine.ts";
import type { TimerValues } from "./timers.ts";
import { cancelTimer, PASS_UP, SEND, startTimer, TERMINATE, waitTimer } from "./_wait.ts";

/** States of an INVITE client transaction. */
export type InviteClientStateName =
  | "calling"
  | "proceeding"
  | "completed"
  | "accepted"
  | "terminated";

/** Full state of an INVITE client transaction. */
export interface InviteClientState {
  readonly name: InviteClientStateName;
  readonly timers: TimerValues;
  /** Current Timer A interval in milliseconds. */
  readonly retransmitInterval: number;
}

/** Creates the transaction: the INVITE is sent, Timer A (unreliable only) and B start. */
export function startInviteClient(timers: TimerValues): Transition<InviteClientState> {
  const actions: TransactionAction[] = [SEND];
  if (timers.A > 0) actions.push(startTimer("A", timers.A));
  actions.push(startTimer("B", timers.B));
  return {
    state: { name: "calling", timers, retransmitInterval: timers.A },
    actions,
  };
}

/** One transition of the INVITE client transaction. */
export function inviteClientTransition(
  state: InviteClientState,
  event: TransactionEvent,
): Transition<InviteClientState> {
  switch (state.name) {
    case "calling":
      return calling(state, event);
    case "proceeding":
      return proceeding(state, event);
    case "completed":
      return completed(state, event);
    case "accepted":
      return accepted(state, event);
    case "terminated":
      return { state, actions: [] };
  }
}

function to(
  state: InviteClientState,
  name: InviteClientStateName,
  actions: TransactionAction[],
): Transition<InviteClientState> {
  return { state: { ...state, name }, actions };
}

function stay(
  state: InviteClientState,
  actions: TransactionAction[] = [],
): Transition<InviteClientState> {
  return { state, actions };
}

function onFinal(
  state: InviteClientState,
  status: number,
  stop: TransactionAction[],
): Transition<InviteClientState> {
  if (isSuccess(status)) {
    // RFC 6026 7.2: 2xx moves to Accepted, passed up; Timer M absorbs retransmissions.
    return to(state, "accepted", [...stop, PASS_UP, startTimer("M", state.timers.M)]);
  }
  // RFC 3261 17.1.1.2: 300-699 -> ACK, pass up, Completed with Timer D.
  const wait = waitTimer("D", state.timers.D);
  return to(state, wait[0] === TERMINATE ? "terminated" : "completed", [
    ...stop,
    { type: "send-ack" },
    PASS_UP,
    ...wait,
  ]);
}

function calling(
  state: InviteClientState,
  event: TransactionEvent,
): Transition<InviteClientState> {
  const stop = [cancelTimer("A"), cancelTimer("B")];
  switch (event.type) {
    case "timer":
      if (event.name === "A") {
        const next = state.retransmitInterval * 2;
        return {
          state: { ...state, retransmitInterval: next },
          actions: [SEND, startTimer("A", next)],
        };
      }
      if (event.name === "B") return to(state, "terminated", [{ type: "timeout" }, TERMINATE]);
      return stay(state);
    case "transport-error":
      return to(state, "terminated", [{ type: "transport-error" }, TERMINATE]);
    case "response":
      if (isProvisional(event.status)) return to(state, "proceeding", [...stop, PASS_UP]);
      if (isSuccess(event.status) || isFailure(event.status)) {
        return onFinal(state, event.status, stop);
      }
      return stay(state);
    default:
      return stay(state);
  }
}

function proceeding(
  state: InviteClientState,
  event: TransactionEvent,
): Transition<InviteClientState> {
  switch (event.type) {
    case "response":
      if (isProvisional(event.status)) return stay(state, [PASS_UP]);
      if (isSuccess(event.status) || isFailure(event.status)) {
        return onFinal(state, event.status, [cancelTimer("B")]);
      }
      return stay(state);
    case "cancel-sent":
      return stay(state, [startTimer("B", state.timers.B)]);
    case "timer":
      if (event.name === "B") return to(state, "terminated", [{ type: "timeout" }, TERMINATE]);
      return stay(state);
    case "transport-error":
      return to(state, "terminated", [{ type: "transport-error" }, TERMINATE]);
    default:
      return stay(state);
  }
}

function completed(
  state: InviteClientState,
  event: TransactionEvent,
): Transition<InviteClientState> {
  switch (event.type) {
    case "response":
      // RFC 3261 17.1.1.2: retransmitted final responses are ACKed again, not passed up.
      return isFailure(event.status) ? stay(state, [{ type: "send-ack" }]) : stay(state);
    case "timer":
      return event.name === "D" ? to(state, "terminated", [TERMINATE]) : stay(state);
    case "transport-error":
      return to(state, "terminated", [{ type: "transport-error" }, TERMINATE]);
    default:
      return stay(state);
  }
}

function accepted(
  state: InviteClientState,
  event: TransactionEvent,
): Transition<InviteClientState> {
  switch (event.type) {
    case "response":
      // RFC 6026 7.2: every 2xx (retransmitted or from another fork) goes to the TU.
      return isSuccess(event.status) ? stay(state, [PASS_UP]) : stay(state);
    case "timer":
      return event.name === "M" ? to(state, "terminated", [TERMINATE]) : stay(state);
    default:
      return stay(state);
  }
}
