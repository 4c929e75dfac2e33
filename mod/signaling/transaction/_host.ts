/**
 * What a transaction needs from its layer (internal contract between the transaction objects
 * and TransactionLayer).
 *
 * @module
 */

import type { SipMessage, SipRequest } from "../message/message.ts";
import type { Clock } from "./clock.ts";
import type { TimerCounter } from "./_runner.ts";
import type { TimerValues } from "./timers.ts";
import type { TransactionStats } from "./stats.ts";
import type { ClientTransaction, ClientTransactionHandlers } from "./client_transaction.ts";
import type { ServerTransaction } from "./server_transaction.ts";

/** Services the layer gives every transaction. */
export interface TransactionHost {
  readonly clock: Clock;
  readonly counter: TimerCounter;
  readonly stats: TransactionStats;
  timers(reliable: boolean): TimerValues;
  isReliable(target: unknown): boolean;
  /** Sends; a synchronous throw or a rejected promise calls `onError`. */
  transmit(message: SipMessage, target: unknown, onError: (error: unknown) => void): void;
  /** Starts a client transaction (CANCEL of an INVITE). */
  startClient(
    request: SipRequest,
    target: unknown,
    handlers: ClientTransactionHandlers,
  ): ClientTransaction;
  /**
   * A completed non-INVITE client transaction nobody waits on leaves the layer now; its key
   * absorbs retransmitted responses for `ms` more (Timer K, see `CompletedKeys`).
   */
  keepClientKey(tx: ClientTransaction, ms: number): void;
  /**
   * A completed non-INVITE server transaction over UDP leaves the layer now; its key and the
   * bytes of its final response answer retransmitted requests for `ms` more (Timer J).
   */
  keepServerKey(tx: ServerTransaction, ms: number, answer: Uint8Array): void;
  /** The transaction terminated: forget it. */
  forget(kind: "client" | "server", key: string, tx: unknown): void;
  /** A send failed after its transaction ended (an ACK over TCP): counted and logged. */
  lateSendFailure(error: unknown, method: string): void;
  /** A transaction user callback threw: log it, never lose it. */
  callbackFailed(error: unknown, callback: string): void;
}
