/**
 * The usual {@linkcode TransactionTransport}: targets and sources are transport Flows, messages
 * are serialized and written to them.
 *
 * @module
 */

import { serializeMessage, serializeMessageText } from "../message/serialize.ts";
import type { SipMessage } from "../message/message.ts";
import type { Flow } from "../transport/transport.ts";
import type { TransactionTransport } from "./transaction_layer.ts";

function asFlow(flowOrTarget: unknown): Flow {
  const flow = flowOrTarget as Partial<Flow> | null;
  if (typeof flow?.send !== "function" || typeof flow.reliable !== "boolean") {
    throw new TypeError("Cannot send: the target is not a transport Flow");
  }
  return flow as Flow;
}

/** Sends over Flows: `send` writes the serialized message (as text to a flow with `sendText`),
 * `isReliable` reads `flow.reliable`. */
export function flowTransport(): TransactionTransport {
  return {
    send(message: SipMessage, flowOrTarget: unknown): Promise<void> {
      const flow = asFlow(flowOrTarget);
      const text = flow.sendText === undefined ? undefined : serializeMessageText(message);
      return text === undefined ? flow.send(serializeMessage(message)) : flow.sendText!(text);
    },
    isReliable(flowOrTarget: unknown): boolean {
      return asFlow(flowOrTarget).reliable;
    },
  };
}
