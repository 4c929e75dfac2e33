/**
 * What the SIP proxy needs from the layers below it, as small structural interfaces: the
 * transport layer (`TransportLayer` of mod/signaling/transport fits {@linkcode ProxyTransports}),
 * the transaction layer ({@linkcode ProxyTransactions}, adapted from mod/signaling/transaction
 * by the gateway wiring), and RFC 3263 resolution ({@linkcode ProxyResolver}, a bound
 * `resolveTargets` of mod/signaling/dns). Tests put fakes behind the same interfaces.
 *
 * The proxy is driven through {@linkcode ProxyTransactionUser}: the transaction layer calls
 * it for each new server transaction, each ACK that matched no transaction (ACK for a 2xx)
 * and each response that matched no client transaction.
 *
 * @module
 */

import type { SipMessage, SipRequest, SipResponse, SipUri } from "../message/mod.ts";
import type { Target } from "../dns/types.ts";
import type { Endpoint, Flow, Transport, TransportProtocol } from "../transport/transport.ts";

/** The part of the transport layer the proxy uses. */
export interface ProxyTransports {
  /** Open transports (their protocol and bound address are the gateway's own addresses). */
  readonly transports: readonly Transport[];
  /** A live flow by id; undefined when it closed. */
  flow(id: string): Flow | undefined;
  /** A flow to `dest` over `protocol`: an existing connection, a new one, or a UDP flow. */
  flowTo(protocol: TransportProtocol, dest: Endpoint): Promise<Flow>;
  /** Sends a message (serialized) on a flow; rejects when the flow is closed. */
  send(message: SipMessage | Uint8Array, flow: Flow): Promise<void>;
}

/** A server transaction as the proxy sees it. */
export interface ProxyServerTransaction {
  /** The request as received (never modified by the proxy). */
  readonly request: SipRequest;
  /** The flow it arrived on. */
  readonly flow: Flow;
  /** Sends a response through the transaction (retransmissions are the layer's business). */
  respond(response: SipResponse): void;
}

/** Where a client transaction reports to. */
export interface ProxyClientEvents {
  /** Every response (provisional and final, 2xx retransmissions of INVITE included). */
  onResponse(response: SipResponse): void;
  /** Timer B or F fired without a final response (the proxy treats it as 408). */
  onTimeout(): void;
  /** The request could not be sent, or the flow it used closed (`failFlow`). */
  onTransportError(error: unknown): void;
}

/** A client transaction as the proxy sees it. */
export interface ProxyClientTransaction {
  /** Sends a CANCEL for this INVITE (RFC 3261 9.1: once a provisional response arrived). */
  cancel(): void;
}

/** The part of the transaction layer the proxy uses. */
export interface ProxyTransactions {
  /** Starts a client transaction sending `request` on `flow`. */
  sendRequest(request: SipRequest, flow: Flow, events: ProxyClientEvents): ProxyClientTransaction;
  /** Fails every pending client transaction on a flow that closed (430 / transport error). */
  failFlow(flowId: string): void;
}

/** The proxy's entry points, called by the transaction layer. */
export interface ProxyTransactionUser {
  /** A new server transaction (any method but ACK; CANCEL included). */
  onRequest(transaction: ProxyServerTransaction): void;
  /** An ACK that matched no server transaction (the ACK for a 2xx): forwarded statelessly. */
  onAck(ack: SipRequest, flow: Flow): void;
  /** A response that matched no client transaction (a late 2xx retransmission). */
  onStrayResponse(response: SipResponse, flow: Flow): void;
  /** A flow closed. */
  onFlowClosed(flow: Flow): void;
  /**
   * A server transaction ended without its final response being delivered (its flow closed,
   * or Timer H): the proxy cancels what it still has pending downstream.
   */
  onServerFailure?(
    transaction: ProxyServerTransaction,
    reason: "timeout" | "transport-error",
  ): void;
}

/** RFC 3263: a URI to targets in failover order; throws when nothing can be found. */
export type ProxyResolver = (
  uri: SipUri,
  options: { transports: readonly ("udp" | "tcp" | "tls")[] },
) => Promise<Target[]>;

/** Structural logger (mod/log.ts loggers fit); never given secrets. */
export interface ProxyLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
