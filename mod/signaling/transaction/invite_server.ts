/**
 * INVITE server transaction state machine: RFC 3261 17.2.1 (figure 7) as updated by RFC 6026
 * section 7.1 (the Accepted state and timer L).
 *
 * ```
 *                              |INVITE
 *                              |pass INV to TU
 *           INVITE             V send 100 if TU won't in 200 ms
 *           send response +-----------+
 *               +---------|           |--------+ 101-199 from TU
 *               |         |Proceeding |        | send response
 *               +-------->|           |<-------+
 *                         |           |         Transport Err.
 *                         +-----------+         Inform TU
 *            300-699 from TU |     |2xx from TU  --> Terminated
 *            send response   |     |send response
 *                            |     +------------------+
 *           INVITE           V        Timer G fires   |
 *           send response +-----------+ send response |
 *               +---------|           |--------+      |
 *               |         | Completed |        |      |
 *               +-------->|           |<-------+      |
 *                         +-----------+               |
 *                            |     |                  |     INVITE: absorbed
 *                        ACK |     | Timer H fires    V     2xx from TU: send
 *                        -   |     | or Transport   +-----------+ ACK: to TU
 *                            |     | Err, inform TU | Accepted  |
 *                            V     |                +-----------+
 *                         +-----------+                   | Timer L fires
 *                         | Confirmed |                   |
 *                         +-----------+                   |
 *                               | Timer I fires           |
 *                               V                         V
 *                         +-----------------------------------+
 *                         |            Terminated             |
 *                         +-----------------------------------+
 * ```
 *
 * Timer G doubles up to T2 (RFC 3261 17.2.1). In Accepted, a transport error is reported to
 * the TU without changing state: the TU still owns 2xx retransmissions (RFC 6026 8.5).
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

/** States of an INVITE server transaction. */
export type InviteServerStateName =
  | "proceeding"
  | "completed"
  | "confirmed"
  | "accepted"
  | "terminated";

/** Full state of an INVITE server transaction. */
export interface InviteServerState {
  readonly name: InviteServerStateName;
  readonly timers: TimerValues;
  /** Current Timer G interval in milliseconds. */
  readonly retransmitInterval: number;
}

/**
 * Creates the transaction for a new INVITE: it is passed to the TU. The 100 (Trying) is the
 * layer's business (a `tu-response` 100 like any other provisional response).
 */
export function startInviteServer(timers: TimerValues): Transition<InviteServerState> {
  return {
    state: { name: "proceeding", timers, retransmitInterval: timers.G },
    actions: [PASS_UP],
  };
}

/** One transition of the INVITE server transaction. */
export function inviteServerTransition(
  state: InviteServerState,
  event: TransactionEvent,
): Transition<InviteServerState> {
  switch (state.name) {
    case "proceeding":
      return proceeding(state, event);
    case "completed":
      return completed(state, event);
    case "confirmed":
      if (event.type === "timer" && event.name === "I") return to(state, "terminated", [TERMINATE]);
      return { state, actions: [] }; // ACK retransmissions absorbed
    case "accepted":
      return accepted(state, event);
    case "terminated":
      return { state, actions: [] };
  }
}

function to(
  state: InviteServerState,
  name: InviteServerStateName,
  actions: TransactionAction[],
): Transition<InviteServerState> {
  return { state: { ...state, name }, actions };
}

function proceeding(
  state: InviteServerState,
  event: TransactionEvent,
): Transition<InviteServerState> {
  switch (event.type) {
    case "request":
      // Retransmitted INVITE: resend the last provisional response, if any.
      return { state, actions: [SEND] };
    case "tu-response": {
      const { status } = event;
      if (isProvisional(status)) return { state, actions: [SEND] };
      if (isSuccess(status)) {
        return to(state, "accepted", [SEND, startTimer("L", state.timers.L)]);
      }
      if (isFailure(status)) {
        const actions: TransactionAction[] = [SEND];
        if (state.timers.G > 0) actions.push(startTimer("G", state.timers.G));
        actions.push(startTimer("H", state.timers.H));
        return to(state, "completed", actions);
      }
      return { state, actions: [] };
    }
    case "transport-error":
      return to(state, "terminated", [{ type: "transport-error" }, TERMINATE]);
    default:
      return { state, actions: [] };
  }
}

function completed(
  state: InviteServerState,
  event: TransactionEvent,
): Transition<InviteServerState> {
  switch (event.type) {
    case "request":
      return { state, actions: [SEND] };
    case "timer":
      if (event.name === "G") {
        const next = Math.min(state.retransmitInterval * 2, state.timers.t2);
        return {
          state: { ...state, retransmitInterval: next },
          actions: [SEND, startTimer("G", next)],
        };
      }
      if (event.name === "H") return to(state, "terminated", [{ type: "timeout" }, TERMINATE]);
      return { state, actions: [] };
    case "ack": {
      const wait = waitTimer("I", state.timers.I);
      return to(state, wait[0] === TERMINATE ? "terminated" : "confirmed", [
        cancelTimer("G"),
        cancelTimer("H"),
        ...wait,
      ]);
    }
    case "transport-error":
      return to(state, "terminated", [{ type: "transport-error" }, TERMINATE]);
    default:
      return { state, actions: [] };
  }
}

function accepted(
  state: InviteServerState,
  event: TransactionEvent,
): Transition<InviteServerState> {
  switch (event.type) {
    case "tu-response":
      // RFC 6026 7.1: 2xx retransmissions (and other 2xx) from the TU are sent.
      return isSuccess(event.status) ? { state, actions: [SEND] } : { state, actions: [] };
    case "ack":
      return { state, actions: [PASS_UP] };
    case "timer":
      return event.name === "L" ? to(state, "terminated", [TERMINATE]) : { state, actions: [] };
    case "transport-error":
      return { state, actions: [{ type: "transport-error" }] };
    default:
      // Retransmitted INVITEs are absorbed (RFC 6026 7.1).
      return { state, actions: [] };
  }
}
