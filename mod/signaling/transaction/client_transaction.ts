/**
 * A client transaction (RFC 3261 17.1): sends one request, retransmits it over UDP, matches
 * its responses, ACKs non-2xx final responses to INVITE and reports to its handlers.
 *
 * @module
 */

import { type SipMessage, SipRequest, type SipResponse } from "../message/message.ts";
import { createAck } from "./ack.ts";
import { createCancel } from "./cancel.ts";
import type { TransactionHost } from "./_host.ts";
import {
  type InviteClientState,
  inviteClientTransition,
  startInviteClient,
} from "./invite_client.ts";
import type {
  TransactionAction,
  TransactionEvent,
  Transition,
  TransitionFunction,
} from "./machine.ts";
import {
  type NonInviteClientState,
  nonInviteClientTransition,
  startNonInviteClient,
} from "./non_invite_client.ts";
import { flatCopy } from "./_flat_copy.ts";
import { TransactionRunner } from "./_runner.ts";
import type { TimerName } from "./timers.ts";

/** Handlers of one client transaction; `tx` is the transaction reporting. */
export interface ClientTransactionHandlers {
  /** Every response passed up (provisional, final, 2xx retransmissions in Accepted). */
  onResponse?(response: SipResponse, tx: ClientTransaction): void;
  /** Timer B or F fired without a final response (report 408 upstream). */
  onTimeout?(tx: ClientTransaction): void;
  /** The request could not be sent, or its flow closed (report 503 / 430 upstream). */
  onTransportError?(tx: ClientTransaction, error: unknown): void;
  /** The transaction ended and left the layer. */
  onTerminated?(tx: ClientTransaction): void;
}

type ClientState = InviteClientState | NonInviteClientState;

const NO_HANDLERS: ClientTransactionHandlers = Object.freeze({});
const TRANSPORT_ERROR: TransactionEvent = { type: "transport-error" };
const CANCEL_SENT: TransactionEvent = { type: "cancel-sent" };

/** Error given to `onTransportError` when the target flow closed (see `failFlow`). */
export class FlowFailedError extends Error {
  readonly flowId: string;
  constructor(flowId: string) {
    super(`Flow ${flowId} closed`);
    this.name = "FlowFailedError";
    this.flowId = flowId;
  }
}

/** One client transaction; created by `TransactionLayer.sendRequest`. */
export class ClientTransaction extends TransactionRunner<ClientState> {
  /** Matching key (top Via branch + method). */
  readonly key: string;
  #request: SipRequest | undefined;
  readonly #method: string;
  #uri: string;
  /** Where the request goes (a Flow, or whatever the transport understands). */
  readonly target: unknown;
  #host: TransactionHost;
  #handlers: ClientTransactionHandlers;
  #lastResponse: SipResponse | undefined;
  #ack: SipRequest | undefined;
  #cancelWanted: ClientTransactionHandlers | undefined;
  #cancel: ClientTransaction | undefined;
  #terminated = false;
  #sent = false;
  #start: Transition<ClientState> | undefined;

  /** @internal Use `TransactionLayer.sendRequest`. */
  constructor(
    key: string,
    request: SipRequest,
    target: unknown,
    handlers: ClientTransactionHandlers,
    host: TransactionHost,
  ) {
    const timers = host.timers(host.isReliable(target));
    const invite = request.method === "INVITE";
    const start: Transition<ClientState> = invite
      ? startInviteClient(timers)
      : startNonInviteClient(timers);
    const step =
      (invite ? inviteClientTransition : nonInviteClientTransition) as TransitionFunction<
        ClientState
      >;
    super(step, host.clock, host.counter, start.state);
    this.key = key;
    this.#request = request;
    this.#method = request.method;
    this.#uri = request.uri;
    this.target = target;
    this.#host = host;
    this.#handlers = handlers;
    this.#start = start;
  }

  /** @internal Sends the request; called by the layer once the transaction is registered. */
  begin(): void {
    const start = this.#start;
    this.#start = undefined;
    if (start) this.startMachine(start, undefined);
  }

  /**
   * The request sent. A non-INVITE transaction that got its final response lets go of it
   * (see `#release`): from then on this is a bare request with its method and Request-URI
   * only.
   */
  get request(): SipRequest {
    return this.#request ??= new SipRequest(this.#method, this.#uri);
  }

  get method(): string {
    return this.#method;
  }

  /** Whether the transaction has ended. */
  get terminated(): boolean {
    return this.#terminated || this.waitOver;
  }

  /** Last response received (retransmissions included); a non-INVITE transaction forgets it
   * once the final response was passed up. */
  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** The CANCEL transaction, once sent. */
  get cancelTransaction(): ClientTransaction | undefined {
    return this.#cancel;
  }

  /**
   * Cancels this INVITE (RFC 3261 9.1): the CANCEL is sent to the same target once a
   * provisional response has arrived (at once if one has), never after a final response.
   * Returns whether a CANCEL was sent or scheduled.
   */
  cancel(handlers: ClientTransactionHandlers = {}): boolean {
    if (this.#method !== "INVITE" || this.#cancel || this.#cancelWanted) return false;
    if (this.state === "calling") {
      this.#cancelWanted = handlers;
      return true;
    }
    if (this.state !== "proceeding") return false;
    this.#sendCancel(handlers);
    return true;
  }

  /** @internal A response matched this transaction. */
  receive(response: SipResponse): void {
    this.feed({ type: "response", status: response.status }, response);
  }

  /** @internal The target flow is gone: report a transport error if still pending. */
  fail(error: unknown): void {
    const state = this.state;
    if (state === "calling" || state === "trying" || state === "proceeding") {
      this.feed(TRANSPORT_ERROR, undefined, error);
    }
  }

  /** @internal Layer shutdown: stop timers without reporting. */
  dispose(): void {
    this.clearTimers();
    this.#terminated = true;
  }

  #sendCancel(handlers: ClientTransactionHandlers): void {
    this.#cancelWanted = undefined;
    // Throws when a CANCEL with this branch already runs (sent by the user itself).
    this.#cancel = this.#host.startClient(createCancel(this.request), this.target, handlers);
    this.feed(CANCEL_SENT);
  }

  /** @internal Carries out an action of the state machine (TransactionRunner). */
  protected perform(
    action: TransactionAction,
    message: SipMessage | undefined,
    error: unknown,
  ): void {
    const host = this.#host;
    const response = message as SipResponse | undefined;
    switch (action.type) {
      case "send":
        if (this.#sent) host.stats.requestRetransmissions++;
        this.#sent = true;
        host.transmit(this.request, this.target, (error) => this.#transportError(error));
        break;
      case "send-ack":
        if (response) {
          this.#lastResponse = response;
          this.#ack ??= createAck(this.request, response);
        }
        if (this.#ack) {
          host.transmit(this.#ack, this.target, (error) => this.#transportError(error));
        }
        break;
      case "pass-up":
        if (!response) break;
        this.#lastResponse = response;
        this.#call("onResponse", () => this.#handlers.onResponse?.(response, this));
        if (response.status < 200 && this.#cancelWanted) {
          const handlers = this.#cancelWanted;
          this.#call("cancel", () => this.#sendCancel(handlers));
        }
        if (response.status >= 200) this.#cancelWanted = undefined;
        if (response.status >= 200 && this.#method !== "INVITE") this.#release();
        break;
      case "timeout":
        host.stats.timeouts++;
        this.#call("onTimeout", () => this.#handlers.onTimeout?.(this));
        break;
      case "transport-error":
        host.stats.transportErrors++;
        this.#call(
          "onTransportError",
          () => this.#handlers.onTransportError?.(this, error),
        );
        break;
      case "terminate": {
        this.#terminated = true;
        host.forget("client", this.key, this);
        const handlers = this.#handlers;
        this.#call("onTerminated", () => handlers.onTerminated?.(this));
        this.#letGo();
        break;
      }
    }
  }

  /**
   * A non-INVITE transaction with its final response only absorbs retransmissions until
   * Timer K (5 s over UDP): it lets go of the request, the handlers (and through them of
   * everything the user keeps per request) and the response, so that thousands of completed
   * transactions do not hold their messages in the heap (each would survive every young-
   * generation GC until Timer K: the GC cost of a proxy under load).
   */
  #release(): void {
    this.#request = undefined;
    // The Request-URI is a slice of the received message's text: a copy lets go of the text.
    this.#uri = flatCopy(this.#uri);
    const onTerminated = this.#handlers.onTerminated;
    this.#handlers = onTerminated === undefined ? NO_HANDLERS : { onTerminated };
    this.#lastResponse = undefined;
  }

  /**
   * @internal (TransactionRunner) Timer K of a non-INVITE transaction that nobody waits on
   * (no `onTerminated`): the transaction leaves the layer at once and its key alone absorbs
   * retransmitted responses until Timer K (`CompletedKeys`), so that a proxy under load keeps
   * a key per completed request rather than a transaction with its timer and index entries.
   * Its state reads `completed` until Timer K, then `terminated`.
   */
  protected override waitsWithoutTimer(name: TimerName, ms: number): boolean {
    if (name !== "K" || this.#handlers.onTerminated !== undefined) return false;
    this.#host.keepClientKey(this, ms);
    return true;
  }

  /** An ended transaction keeps no message nor handler (see ServerTransaction's "terminate"). */
  #letGo(): void {
    this.#release();
    this.#handlers = NO_HANDLERS;
    this.#ack = undefined;
    this.#cancel = undefined;
    this.#cancelWanted = undefined;
  }

  #transportError(error: unknown): void {
    if (this.#terminated) this.#host.lateSendFailure(error, this.#method);
    else this.feed(TRANSPORT_ERROR, undefined, error);
  }

  #call(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#host.callbackFailed(error, name);
    }
  }
}
