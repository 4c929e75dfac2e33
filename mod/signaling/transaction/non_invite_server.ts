/**
 * Non-INVITE server transaction state machine: RFC 3261 17.2.2 (figure 8).
 *
 * ```
 *                       |Request received
 *                       |pass to TU
 *                       V
 *                 +-----------+
 *                 |  Trying   |-------------+
 *                 +-----------+             |
 *   200-699 from TU  |  |1xx from TU        |
 *   send response    |  |send response      |
 *  +-----------------+  V                   |
 *  |   Request     +-----------+            |
 *  |   send resp.  |Proceeding |            |
 *  |    +----------|           |            |
 *  |    +--------->|           |            |
 *  |  1xx from TU  +-----------+            |
 *  |  send resp.     |  | 200-699 from TU   |
 *  |                 |  | send response     |
 *  |  Transport Err. |  V                   |
 *  |  Inform TU  +-----------+              |
 *  +------------>| Completed |<-- Request: send response
 *                +-----------+              |
 *                   | Timer J fires         |
 *                   V                       |
 *                +-----------+              |
 *                | Terminated|<-------------+
 *                +-----------+
 * ```
 *
 * Request retransmissions in Trying are absorbed; a transport error while sending a response
 * (Proceeding or Completed) informs the TU and ends the transaction (RFC 3261 17.2.4).
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
import { PASS_UP, SEND, TERMINATE, waitTimer } from "./_wait.ts";

/** States of a non-INVITE server transaction. */
export type NonInviteServerStateName = "trying" | "proceeding" | "completed" | "terminated";

/** Full state of a non-INVITE server transaction. */
export interface NonInviteServerState {
  readonly name: NonInviteServerStateName;
  readonly timers: TimerValues;
}

/** Creates the transaction for a new request: it is passed to the TU. */
export function startNonInviteServer(timers: TimerValues): Transition<NonInviteServerState> {
  return { state: { name: "trying", timers }, actions: [PASS_UP] };
}

/** One transition of the non-INVITE server transaction. */
export function nonInviteServerTransition(
  state: NonInviteServerState,
  event: TransactionEvent,
): Transition<NonInviteServerState> {
  const to = (
    name: NonInviteServerStateName,
    actions: TransactionAction[],
  ): Transition<NonInviteServerState> => ({ state: { ...state, name }, actions });
  switch (state.name) {
    case "terminated":
      return { state, actions: [] };
    case "completed":
      if (event.type === "request") return { state, actions: [SEND] };
      if (event.type === "timer" && event.name === "J") return to("terminated", [TERMINATE]);
      if (event.type === "transport-error") {
        return to("terminated", [{ type: "transport-error" }, TERMINATE]);
      }
      return { state, actions: [] };
    default:
      break;
  }
  // Trying or Proceeding.
  switch (event.type) {
    case "request":
      return state.name === "trying" ? { state, actions: [] } : { state, actions: [SEND] };
    case "tu-response": {
      if (isProvisional(event.status)) return to("proceeding", [SEND]);
      if (event.status < 200 || event.status > 699) return { state, actions: [] };
      const wait = waitTimer("J", state.timers.J);
      return to(wait[0] === TERMINATE ? "terminated" : "completed", [SEND, ...wait]);
    }
    case "transport-error":
      return to("terminated", [{ type: "transport-error" }, TERMINATE]);
    default:
      return { state, actions: [] };
  }
}
