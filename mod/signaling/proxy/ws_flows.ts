/**
 * The live WebSocket flows by the browser address the `ws-src-*` parameters name (the
 * original webrtc2sip's way back to a browser). Fed with every flow a message arrives on;
 * emptied as flows close. Not a location database: only open connections are here.
 *
 * @module
 */

import type { Flow } from "../transport/transport.ts";
import { type WsSource, wsSourceKey } from "./ws_rewrite.ts";

/** Whether a flow is a browser's WebSocket. */
export function isWsFlow(flow: Flow): boolean {
  return flow.protocol === "ws" || flow.protocol === "wss";
}

/** The {@linkcode WsSource} describing a WebSocket flow. */
export function wsSourceOfFlow(flow: Flow): WsSource {
  return { protocol: flow.protocol === "wss" ? "wss" : "ws", remote: flow.remote };
}

/** WebSocket flows by `proto host port`. */
export class WsFlows {
  #byKey = new Map<string, Flow>();

  /** Remembers a WebSocket flow (other flows are ignored). */
  note(flow: Flow): void {
    if (!isWsFlow(flow) || flow.closed) return;
    const key = wsSourceKey(wsSourceOfFlow(flow));
    if (this.#byKey.get(key) !== flow) this.#byKey.set(key, flow);
  }

  /** Forgets a flow that closed. */
  forget(flow: Flow): void {
    if (!isWsFlow(flow)) return;
    const key = wsSourceKey(wsSourceOfFlow(flow));
    if (this.#byKey.get(key) === flow) this.#byKey.delete(key);
  }

  /** The open flow of a browser connection, if any. */
  find(source: WsSource): Flow | undefined {
    const flow = this.#byKey.get(wsSourceKey(source));
    if (flow === undefined || flow.closed) return undefined;
    return flow;
  }

  /** Number of flows known. */
  get size(): number {
    return this.#byKey.size;
  }
}
