/**
 * Connects the proxy to mod/signaling/transaction's `TransactionLayer`: the bridge is the
 * layer's `TransactionUser` (handing server transactions, 2xx ACKs and stray responses to the
 * proxy) and the proxy's {@linkcode ProxyTransactions} (starting client transactions on the
 * layer). Both ends are attached after construction, since each needs the other:
 *
 * ```ts
 * const bridge = new TransactionBridge();
 * const layer = new TransactionLayer(
 *   { send: (m, flow) => transports.send(m, flow as Flow), isReliable: (flow) => (flow as Flow).reliable },
 *   bridge,
 *   { clock, timers },
 * );
 * const proxy = new SipProxy({ transports, transactions: bridge.attach(layer), resolver, log });
 * bridge.user = proxy;
 * ```
 *
 * @module
 */

import type { SipRequest, SipResponse } from "../message/mod.ts";
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  ServerFailure,
  ServerTransaction,
  TransactionUser,
} from "../transaction/mod.ts";
import type { Flow } from "../transport/transport.ts";
import type {
  ProxyClientEvents,
  ProxyClientTransaction,
  ProxyServerTransaction,
  ProxyTransactions,
  ProxyTransactionUser,
} from "./ports.ts";

/** What the bridge needs of the transaction layer. */
export interface BridgedTransactionLayer {
  sendRequest(
    request: SipRequest,
    target: unknown,
    handlers?: ClientTransactionHandlers,
  ): ClientTransaction;
  failFlow(flowId: string): number;
}

/** The transaction layer's user on one side, the proxy's transactions on the other. */
export class TransactionBridge implements TransactionUser, ProxyTransactions {
  /** The proxy; messages arriving before it is set are answered 503 / dropped. */
  user: ProxyTransactionUser | undefined;
  #layer: BridgedTransactionLayer | undefined;

  /** Sets the transaction layer; returns this bridge (the proxy's `transactions`). */
  attach(layer: BridgedTransactionLayer): this {
    this.#layer = layer;
    return this;
  }

  // --- TransactionUser (called by the layer) ----------------------------------------------

  onRequest(tx: ServerTransaction, request: SipRequest): void {
    const view = this.#view(tx, request);
    if (this.user === undefined) {
      throw new Error("Cannot handle request: no proxy attached to the transaction bridge");
    }
    this.user.onRequest(view);
  }

  onAck(ack: SipRequest, source: unknown): void {
    // Both the ACK matching no transaction and the one an INVITE server transaction in
    // Accepted passes up (RFC 6026 7.1) are ACKs for a 2xx: forwarded end to end.
    this.user?.onAck(ack, source as Flow);
  }

  onStrayResponse(response: SipResponse, source: unknown): void {
    this.user?.onStrayResponse(response, source as Flow);
  }

  onServerFailure(tx: ServerTransaction, reason: ServerFailure): void {
    const view = tx.userData as ProxyServerTransaction | undefined;
    if (view !== undefined) this.user?.onServerFailure?.(view, reason);
  }

  // --- ProxyTransactions (called by the proxy) --------------------------------------------

  sendRequest(request: SipRequest, flow: Flow, events: ProxyClientEvents): ProxyClientTransaction {
    const layer = this.#requireLayer();
    const tx = layer.sendRequest(request, flow, {
      onResponse: (response) => events.onResponse(response),
      onTimeout: () => events.onTimeout(),
      onTransportError: (_tx, error) => events.onTransportError(error),
    });
    return {
      cancel() {
        tx.cancel();
      },
    };
  }

  failFlow(flowId: string): void {
    this.#layer?.failFlow(flowId);
  }

  #requireLayer(): BridgedTransactionLayer {
    if (this.#layer === undefined) {
      throw new Error("Cannot send request: no transaction layer attached to the bridge");
    }
    return this.#layer;
  }

  #view(tx: ServerTransaction, request: SipRequest): ProxyServerTransaction {
    let view = tx.userData as ProxyServerTransaction | undefined;
    if (view === undefined) {
      view = {
        request,
        flow: tx.source as Flow,
        respond: (response) => tx.respond(response),
      };
      tx.userData = view;
    }
    return view;
  }
}
