/**
 * What the transaction layer reports to its user (the proxy or a UA core).
 *
 * @module
 */

import type { SipRequest, SipResponse } from "../message/message.ts";
import type { ServerTransaction } from "./server_transaction.ts";

/** Why a server transaction failed. */
export type ServerFailure = "timeout" | "transport-error";

/** The transaction user. */
export interface TransactionUser {
  /** A new request (not ACK) created `tx`; answer with `tx.respond()`. */
  onRequest(tx: ServerTransaction, request: SipRequest): void;
  /**
   * An ACK that belongs to no server transaction (the ACK for a 2xx, RFC 3261 17.2.3), or one
   * passed up by an INVITE server transaction in Accepted (RFC 6026 7.1), then `tx` is set.
   */
  onAck?(ack: SipRequest, source: unknown, tx?: ServerTransaction): void;
  /** A response matching no client transaction (RFC 3261 17.1.3, 16.7 for proxies). */
  onStrayResponse?(response: SipResponse, source: unknown): void;
  /** Timer H fired without ACK, or a response could not be sent (RFC 3261 17.2.1, 17.2.4). */
  onServerFailure?(tx: ServerTransaction, reason: ServerFailure, error?: unknown): void;
}
