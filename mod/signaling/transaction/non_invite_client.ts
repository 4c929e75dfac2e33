/**
 * Non-INVITE client transaction state machine: RFC 3261 17.1.2 (figure 6).
 *
 * ```
 *                    |Request from TU
 *                    |send request
 * Timer E            V
 * send request +-----------+
 *    +---------|  Trying   |-------------+
 *    +-------->|           |             | Timer F or Transport Err.
 *              +-----------+             | inform TU
 * 200-699         |  |                   |
 * resp. to TU     |  |1xx resp. to TU    |
 *  +--------------+  V                   |
 *  |  Timer E  +-----------+             |
 *  |  send req |Proceeding |-------------+
 *  |    +------|           |             |
 *  |    +----->+-----------+             |
 *  |   1xx to TU  |  200-699 resp. to TU |
 *  |              V                      |
 *  +--------->+-----------+              |
 *             | Completed |              |
 *             +-----------+              |
 *                 | Timer K              |
 *                 V                      |
 *             +-----------+              |
 *             | Terminated|<-------------+
 *             +-----------+
 * ```
 *
 * Timer E doubles up to T2 in Trying and stays at T2 in Proceeding (RFC 3261 17.1.2.2).
 *
 * @module
 */

import {
  isProvisional,
  type TransactionAction,
  type TransactionEvent,
  type Transition,
} from "./machine.ts";
import type { TimerValues } from "./timers.ts";
import { cancelTimer, PASS_UP, SEND, startTimer, TERMINATE, waitTimer } from "./_wait.ts";

/** States of a non-INVITE client transaction. */
export type NonInviteClientStateName = "trying" | "proceeding" | "completed" | "terminated";

/** Full state of a non-INVITE client transaction. */
export interface NonInviteClientState {
  readonly name: NonInviteClientStateName;
  readonly timers: TimerValues;
  /** Current Timer E interval in milliseconds. */
  readonly retransmitInterval: number;
}

/** Creates the transaction: the request is sent, Timer E (unreliable only) and F start. */
export function startNonInviteClient(timers: TimerValues): Transition<NonInviteClientState> {
  const actions: TransactionAction[] = [SEND];
  if (timers.E > 0) actions.push(startTimer("E", timers.E));
  actions.push(startTimer("F", timers.F));
  return { state: { name: "trying", timers, retransmitInterval: timers.E }, actions };
}

/** One transition of the non-INVITE client transaction. */
export function nonInviteClientTransition(
  state: NonInviteClientState,
  event: TransactionEvent,
): Transition<NonInviteClientState> {
  if (state.name === "terminated") return { state, actions: [] };
  if (state.name === "completed") {
    // Retransmitted responses are absorbed; Timer K ends the state.
    if (event.type === "timer" && event.name === "K") {
      return { state: { ...state, name: "terminated" }, actions: [TERMINATE] };
    }
    return { state, actions: [] };
  }
  switch (event.type) {
    case "timer":
      if (event.name === "E") {
        const next = state.name === "trying"
          ? Math.min(state.retransmitInterval * 2, state.timers.t2)
          : state.timers.t2;
        return {
          state: { ...state, retransmitInterval: next },
          actions: [SEND, startTimer("E", next)],
        };
      }
      if (event.name === "F") {
        return {
          state: { ...state, name: "terminated" },
          actions: [{ type: "timeout" }, TERMINATE],
        };
      }
      return { state, actions: [] };
    case "transport-error":
      return {
        state: { ...state, name: "terminated" },
        actions: [{ type: "transport-error" }, TERMINATE],
      };
    case "response": {
      if (isProvisional(event.status)) {
        return { state: { ...state, name: "proceeding" }, actions: [PASS_UP] };
      }
      if (event.status < 200 || event.status > 699) return { state, actions: [] };
      const wait = waitTimer("K", state.timers.K);
      return {
        state: { ...state, name: wait[0] === TERMINATE ? "terminated" : "completed" },
        actions: [cancelTimer("E"), cancelTimer("F"), PASS_UP, ...wait],
      };
    }
    default:
      return { state, actions: [] };
  }
}
