/**
 * The transaction layer (RFC 3261 17): matches incoming messages to transactions, absorbs
 * retransmissions, runs timers on an injectable clock, sends through an injected transport
 * and reports to its user (the proxy).
 *
 * ```ts
 * const layer = new TransactionLayer(transport, {
 *   onRequest(tx, request) { tx.respond(createResponse(request, 200)); },
 * });
 * transportEvents.onMessage = (message, flow) => layer.receive(message, flow);
 * transportEvents.onFlowClosed = (flow) => layer.failFlow(flow.id);
 * const tx = layer.sendRequest(request, flow, { onResponse(response) {}, onTimeout() {} });
 * ```
 *
 * Every transaction leaves the maps and clears its timers when it terminates; `size` and
 * `timerCount` tell what is still alive.
 *
 * @module
 */

import { createLogger } from "../../log.ts";
import type { SipMessage, SipRequest, SipResponse } from "../message/message.ts";
import { createResponse } from "../message/response.ts";
import { type Clock, systemClock } from "./clock.ts";
import {
  ClientTransaction,
  type ClientTransactionHandlers,
  FlowFailedError,
} from "./client_transaction.ts";
import type { TransactionHost } from "./_host.ts";
import { ServerTransaction } from "./server_transaction.ts";
import { CompletedKeys } from "./completed_keys.ts";
import { parseMessage } from "../message/parse.ts";
import { emptyStats, type TransactionStats } from "./stats.ts";
import { computeTimers, type TimerOptions, type TimerValues } from "./timers.ts";
import {
  clientTransactionKey,
  isRfc3261Branch,
  serverTransactionKey,
  tagOf,
  topBranch,
} from "./transaction_key.ts";
import type { TransactionUser } from "./transaction_user.ts";

/** How transactions send: the layer above wires the transport layer in. */
export interface TransactionTransport {
  /** Sends to a flow or a target the implementation understands; may reject. */
  send(message: SipMessage, flowOrTarget: unknown): Promise<void> | void;
  /** Whether the flow or target is reliable (no retransmissions, zero wait timers). */
  isReliable(flowOrTarget: unknown): boolean;
}

/** Structural logger (mod/log.ts loggers fit). */
export interface TransactionLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Options of {@linkcode TransactionLayer}. */
export interface TransactionLayerOptions {
  /** Clock of every timer. @default {systemClock} */
  clock?: Clock;
  /** Base timers T1, T2, T4. @default {{ t1: 500, t2: 4000, t4: 5000 }} */
  timers?: TimerOptions;
  /**
   * Send 100 (Trying) for an INVITE that `onRequest` did not answer at once (RFC 3261
   * 17.2.1). @default {true}
   */
  autoTrying?: boolean;
  /**
   * Flow id of a target or source, for `failFlow`.
   * @default {reads a string `id` property (transport Flows)}
   */
  flowIdOf?: (flowOrTarget: unknown) => string | undefined;
  /** @default {createLogger("transaction")} */
  log?: TransactionLog;
}

/** What a completed non-INVITE server transaction kept as its key resends. */
interface KeptAnswer {
  /** The final response, as sent. */
  readonly answer: Uint8Array;
  /** Where the request came from. */
  readonly source: unknown;
}

/** Counters plus the live gauges. */
export interface TransactionLayerStats extends TransactionStats {
  clientTransactions: number;
  serverTransactions: number;
  /** Completed non-INVITE transactions kept as keys until Timer K (client) or J (server), some
   * past it until their generation is dropped (see `CompletedKeys`). */
  completedKeys: number;
  timers: number;
}

function defaultFlowIdOf(flowOrTarget: unknown): string | undefined {
  if (typeof flowOrTarget !== "object" || flowOrTarget === null) return undefined;
  const id = (flowOrTarget as { id?: unknown }).id;
  return typeof id === "string" ? id : undefined;
}

/** Client and server transactions of one gateway instance. */
export class TransactionLayer {
  #transport: TransactionTransport;
  #user: TransactionUser;
  #clock: Clock;
  #timers: { reliable: TimerValues; unreliable: TimerValues };
  #autoTrying: boolean;
  #flowIdOf: (flowOrTarget: unknown) => string | undefined;
  #log: TransactionLog;
  #clients = new Map<string, ClientTransaction>();
  #servers = new Map<string, ServerTransaction>();
  /** Live transactions by flow id of their target / source (failFlow without a full scan). */
  #byFlow = new Map<string, Set<ClientTransaction | ServerTransaction>>();
  #stats: TransactionStats = emptyStats();
  #timerCount = 0;
  #counter = {
    started: () => void this.#timerCount++,
    stopped: () => void this.#timerCount--,
  };
  /** Completed non-INVITE client transactions over UDP waiting out Timer K, as keys. */
  #completedClients: CompletedKeys;
  /** Completed non-INVITE server transactions over UDP waiting out Timer J: keys, answers. */
  #completedServers: CompletedKeys<KeptAnswer>;
  #host: TransactionHost;

  constructor(
    transport: TransactionTransport,
    user: TransactionUser,
    options: TransactionLayerOptions = {},
  ) {
    this.#transport = transport;
    this.#user = user;
    this.#clock = options.clock ?? systemClock;
    this.#timers = {
      reliable: computeTimers(true, options.timers),
      unreliable: computeTimers(false, options.timers),
    };
    this.#autoTrying = options.autoTrying ?? true;
    this.#flowIdOf = options.flowIdOf ?? defaultFlowIdOf;
    this.#log = options.log ?? createLogger("transaction");
    this.#completedClients = new CompletedKeys(this.#clock, this.#counter);
    this.#completedServers = new CompletedKeys(this.#clock, this.#counter);
    this.#host = this.#makeHost();
  }

  /** Live transactions (client + server), completed ones kept as keys included. */
  get size(): number {
    return this.#clients.size + this.#servers.size + this.#completedClients.size +
      this.#completedServers.size;
  }

  /** Timers running across all transactions. */
  get timerCount(): number {
    return this.#timerCount;
  }

  /** Counters and gauges. */
  get stats(): TransactionLayerStats {
    return {
      ...this.#stats,
      clientTransactions: this.#clients.size,
      serverTransactions: this.#servers.size,
      completedKeys: this.#completedClients.size + this.#completedServers.size,
      timers: this.#timerCount,
    };
  }

  /** Hands a message from the transport (`source` is its flow). */
  receive(message: SipMessage, source: unknown): void {
    if (message.kind === "response") this.#receiveResponse(message, source);
    else this.#receiveRequest(message, source);
  }

  /**
   * Starts a client transaction that sends `request` to `target`. The request's top Via must
   * carry an RFC 3261 branch unique to this request. Handlers run later, never during this
   * call. ACK has no client transaction: send it through the transport.
   */
  sendRequest(
    request: SipRequest,
    target: unknown,
    handlers: ClientTransactionHandlers = {},
  ): ClientTransaction {
    if (request.method === "ACK") {
      throw new TypeError("Cannot start a client transaction: an ACK is sent without one");
    }
    const branch = topBranch(request);
    if (!isRfc3261Branch(branch)) {
      throw new TypeError(
        "Cannot start a client transaction: top Via needs a branch starting with z9hG4bK",
      );
    }
    const key = clientTransactionKey(request, branch);
    if (this.#clients.has(key) || this.#completedClients.has(key)) {
      throw new Error(`Cannot start a client transaction: branch ${branch} is in use`);
    }
    const tx = new ClientTransaction(key, request, target, handlers, this.#host);
    this.#clients.set(key, tx);
    this.#index(tx, target);
    this.#stats.clientCreated++;
    tx.begin();
    return tx;
  }

  /** The INVITE server transaction a CANCEL refers to (RFC 3261 9.2), if still alive. */
  findInviteServerTransaction(cancel: SipRequest): ServerTransaction | undefined {
    try {
      return this.#servers.get(serverTransactionKey(cancel, { method: "INVITE" }));
    } catch {
      return undefined;
    }
  }

  /**
   * The flow `flowId` closed: every client transaction sending there that has no final
   * response yet completes at once with a transport error ({@linkcode FlowFailedError}), and
   * every server transaction from there that sent no final response ends with
   * `onServerFailure(tx, "transport-error")`. Returns how many transactions failed.
   */
  failFlow(flowId: string): number {
    const live = this.#byFlow.get(flowId);
    if (live === undefined) return 0;
    const error = new FlowFailedError(flowId);
    let failed = 0;
    const all = [...live];
    for (const tx of all) {
      if (!(tx instanceof ClientTransaction) || tx.terminated) continue;
      const before = tx.state;
      tx.fail(error);
      if (tx.state !== before) failed++;
    }
    for (const tx of all) {
      if (!(tx instanceof ServerTransaction) || tx.terminated) continue;
      const before = tx.state;
      tx.fail(error);
      if (tx.state !== before) failed++;
    }
    return failed;
  }

  /** Drops every transaction and timer without reporting (shutdown). */
  close(): void {
    for (const tx of this.#clients.values()) tx.dispose();
    for (const tx of this.#servers.values()) tx.dispose();
    this.#clients.clear();
    this.#servers.clear();
    this.#byFlow.clear();
    this.#completedClients.clear();
    this.#completedServers.clear();
  }

  #index(tx: ClientTransaction | ServerTransaction, flowOrTarget: unknown): void {
    const id = this.#flowIdOf(flowOrTarget);
    if (id === undefined) return;
    let live = this.#byFlow.get(id);
    if (live === undefined) this.#byFlow.set(id, live = new Set());
    live.add(tx);
  }

  #unindex(tx: ClientTransaction | ServerTransaction, flowOrTarget: unknown): void {
    const id = this.#flowIdOf(flowOrTarget);
    if (id === undefined) return;
    const live = this.#byFlow.get(id);
    if (live === undefined || !live.delete(tx) || live.size > 0) return;
    this.#byFlow.delete(id);
  }

  #receiveResponse(response: SipResponse, source: unknown): void {
    let key: string;
    try {
      key = clientTransactionKey(response);
    } catch (error) {
      this.#unmatchable(response, error);
      return;
    }
    const tx = this.#clients.get(key);
    if (tx) {
      tx.receive(response);
      return;
    }
    if (this.#completedClients.has(key)) {
      this.#stats.absorbedResponses++;
      return;
    }
    this.#stats.strayResponses++;
    this.#call("onStrayResponse", () => this.#user.onStrayResponse?.(response, source));
  }

  #receiveRequest(request: SipRequest, source: unknown): void {
    let key: string;
    try {
      key = serverTransactionKey(request);
    } catch (error) {
      this.#unmatchable(request, error);
      return;
    }
    if (request.method === "ACK") {
      const tx = this.#inviteForAck(request, key);
      if (tx) tx.receiveAck(request);
      else {
        this.#stats.strayAcks++;
        this.#call("onAck", () => this.#user.onAck?.(request, source));
      }
      return;
    }
    const existing = this.#servers.get(key);
    if (existing) {
      existing.receiveRetransmission(request);
      return;
    }
    const kept = this.#completedServers.get(key);
    if (kept !== undefined) {
      this.#resend(kept, request.method);
      return;
    }
    const tx = new ServerTransaction(key, request, source, this.#user, this.#host);
    this.#servers.set(key, tx);
    this.#index(tx, source);
    this.#stats.serverCreated++;
    tx.begin();
    if (
      this.#autoTrying && request.method === "INVITE" && !tx.terminated &&
      tx.lastResponse === undefined
    ) {
      tx.respond(createResponse(request, 100));
    }
  }

  /** A retransmitted request of a completed server transaction kept as its key: the answer
   * again (RFC 3261 17.2.2); a failure is counted and logged (the transaction has ended). */
  #resend(kept: KeptAnswer, method: string): void {
    this.#stats.absorbedRequests++;
    this.#stats.responseRetransmissions++;
    const answer = parseMessage(kept.answer, { maxSize: kept.answer.length });
    this.#transmit(answer, kept.source, (error) => this.#host.lateSendFailure(error, method));
  }

  /** RFC 3261 17.2.3: the INVITE server transaction an ACK belongs to. */
  #inviteForAck(ack: SipRequest, key: string): ServerTransaction | undefined {
    const direct = this.#servers.get(key);
    if (isRfc3261Branch(topBranch(ack))) return direct;
    // RFC 2543: the INVITE had the ACK's To tag (in dialog) or none (tag from our response).
    if (direct) return direct;
    const untagged = this.#servers.get(serverTransactionKey(ack, { toTag: "" }));
    const response = untagged?.lastResponse;
    if (!untagged || !response) return undefined;
    return tagOf(response, "to") === tagOf(ack, "to") ? untagged : undefined;
  }

  #unmatchable(message: SipMessage, error: unknown): void {
    this.#stats.unmatchable++;
    this.#log.debug("Dropped a message that matches no transaction", {
      kind: message.kind,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  #call(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#callbackFailed(error, name);
    }
  }

  #callbackFailed(error: unknown, callback: string): void {
    this.#log.warn("Transaction user callback threw", {
      callback,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }

  /** `tx` leaves the layer's map and its flow's index. */
  #forget(kind: "client" | "server", key: string, tx: unknown): void {
    const map: Map<string, unknown> = kind === "client" ? this.#clients : this.#servers;
    if (map.get(key) === tx) map.delete(key);
    if (tx instanceof ClientTransaction) this.#unindex(tx, tx.target);
    else if (tx instanceof ServerTransaction) this.#unindex(tx, tx.source);
  }

  #makeHost(): TransactionHost {
    return {
      clock: this.#clock,
      counter: this.#counter,
      stats: this.#stats,
      timers: (reliable) => reliable ? this.#timers.reliable : this.#timers.unreliable,
      isReliable: (target) => this.#transport.isReliable(target),
      transmit: (message, target, onError) => this.#transmit(message, target, onError),
      startClient: (request, target, handlers) => this.sendRequest(request, target, handlers),
      keepClientKey: (tx, ms) => {
        this.#forget("client", tx.key, tx);
        this.#completedClients.add(tx.key, ms);
      },
      keepServerKey: (tx, ms, answer) => {
        this.#forget("server", tx.key, tx);
        this.#completedServers.add(tx.key, ms, { answer, source: tx.source });
      },
      forget: (kind, key, tx) => this.#forget(kind, key, tx),
      callbackFailed: (error, callback) => this.#callbackFailed(error, callback),
      lateSendFailure: (error, method) => {
        this.#stats.transportErrors++;
        this.#log.debug("Send failed after the transaction ended", {
          method,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    };
  }

  #transmit(message: SipMessage, target: unknown, onError: (error: unknown) => void): void {
    try {
      const sent = this.#transport.send(message, target);
      if (sent) sent.catch(onError);
    } catch (error) {
      // Reported later so that handlers never run inside sendRequest() or respond().
      queueMicrotask(() => onError(error));
    }
  }
}
