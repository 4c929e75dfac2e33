/**
 * A server transaction (RFC 3261 17.2): passes a new request up, sends the transaction user's
 * responses, absorbs request retransmissions by resending the last response, retransmits
 * non-2xx final responses to INVITE over UDP and absorbs their ACK.
 *
 * @module
 */

import { type SipMessage, SipRequest, type SipResponse } from "../message/message.ts";
import { parseMessage } from "../message/parse.ts";
import { serializeMessage } from "../message/serialize.ts";
import type { TransactionHost } from "./_host.ts";
import {
  type InviteServerState,
  inviteServerTransition,
  startInviteServer,
} from "./invite_server.ts";
import type {
  TransactionAction,
  TransactionEvent,
  Transition,
  TransitionFunction,
} from "./machine.ts";
import {
  type NonInviteServerState,
  nonInviteServerTransition,
  startNonInviteServer,
} from "./non_invite_server.ts";
import { flatCopy } from "./_flat_copy.ts";
import { TransactionRunner } from "./_runner.ts";
import type { TimerName } from "./timers.ts";
import type { TransactionUser } from "./transaction_user.ts";

type ServerState = InviteServerState | NonInviteServerState;

const REQUEST: TransactionEvent = { type: "request" };
const ACK: TransactionEvent = { type: "ack" };
const TRANSPORT_ERROR: TransactionEvent = { type: "transport-error" };

/** One server transaction; created by the layer for each new request other than ACK. */
export class ServerTransaction extends TransactionRunner<ServerState> {
  /** Matching key (RFC 3261 17.2.3 or the RFC 2543 fallback). */
  readonly key: string;
  #request: SipRequest | undefined;
  readonly #method: string;
  #uri: string;
  /** Where the request came from (a Flow): responses go back there. */
  readonly source: unknown;
  /**
   * What the transaction user keeps with this transaction (the layer never reads it). A field,
   * not a `WeakMap` keyed by the transaction: with a long-lived `WeakMap`, every request its
   * values reached survived V8's young-generation GCs and was promoted (measured at 1,000
   * MESSAGE/s: 4.4 MB surviving each scavenge instead of 0.44 MB, pauses p50 10 ms instead of
   * 2.8 ms; scripts/bench/RESULTS.md).
   */
  userData: unknown = undefined;
  #host: TransactionHost;
  #user: TransactionUser;
  #start: Transition<ServerState> | undefined;
  #lastResponse: SipResponse | undefined;
  /** The final response as bytes, once kept as a key in the layer (see `waitsWithoutTimer`). */
  #lastBytes: Uint8Array | undefined;
  /** Status of the last response sent (kept when the response is let go). */
  #lastStatus = 0;
  #terminated = false;

  /** @internal Created by `TransactionLayer`. */
  constructor(
    key: string,
    request: SipRequest,
    source: unknown,
    user: TransactionUser,
    host: TransactionHost,
  ) {
    const timers = host.timers(host.isReliable(source));
    const invite = request.method === "INVITE";
    const start: Transition<ServerState> = invite
      ? startInviteServer(timers)
      : startNonInviteServer(timers);
    const step =
      (invite ? inviteServerTransition : nonInviteServerTransition) as TransitionFunction<
        ServerState
      >;
    super(step, host.clock, host.counter, start.state);
    this.key = key;
    this.#request = request;
    this.#method = request.method;
    this.#uri = request.uri;
    this.source = source;
    this.#host = host;
    this.#user = user;
    this.#start = start;
  }

  /** @internal Passes the request up; called by the layer once the transaction is registered. */
  begin(): void {
    const start = this.#start;
    this.#start = undefined;
    if (start) this.startMachine(start, this.request);
  }

  /**
   * The request. A non-INVITE transaction that sent its final response lets go of it (see
   * `#release`): from then on this is a bare request with its method and Request-URI only.
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

  /** Last response sent, until the transaction ends. */
  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse ?? this.#reparsed();
  }

  /** Whether a final response was sent. */
  get answered(): boolean {
    return this.#lastStatus >= 200;
  }

  /**
   * Sends a response of the transaction user. Responses the state allows no more (a second
   * non-2xx final response, anything after termination) are ignored, as RFC 3261 17.2 says.
   */
  respond(response: SipResponse): void {
    if (!Number.isInteger(response.status) || response.status < 100 || response.status > 699) {
      throw new RangeError(`Cannot send response: status ${response.status} is out of range`);
    }
    this.feed({ type: "tu-response", status: response.status }, response);
  }

  /** @internal A retransmission of the request arrived. */
  receiveRetransmission(request: SipRequest): void {
    this.#host.stats.absorbedRequests++;
    this.feed(REQUEST, request);
  }

  /** @internal An ACK matched this INVITE transaction. */
  receiveAck(ack: SipRequest): void {
    this.feed(ACK, ack);
  }

  /** @internal The source flow is gone: end the transaction if no final response was sent. */
  fail(error: unknown): void {
    if (!this.answered) this.feed(TRANSPORT_ERROR, undefined, error);
  }

  /** @internal Layer shutdown: stop timers without reporting. */
  dispose(): void {
    this.clearTimers();
    this.#terminated = true;
  }

  /** @internal Carries out an action of the state machine (TransactionRunner). */
  protected perform(
    action: TransactionAction,
    message: SipMessage | undefined,
    error: unknown,
  ): void {
    const host = this.#host;
    switch (action.type) {
      case "send": {
        if (message?.kind === "response") {
          this.#lastResponse = message;
          this.#lastStatus = message.status;
        } else if (this.#lastResponse) host.stats.responseRetransmissions++;
        const response = this.#lastResponse;
        if (response) {
          host.transmit(response, this.source, (error) => this.#sendFailed(error));
          if (response.status >= 200 && this.#method !== "INVITE") this.#release();
        }
        break;
      }
      case "pass-up": {
        if (message?.kind !== "request") break;
        if (message.method === "ACK") {
          this.#call("onAck", () => this.#user.onAck?.(message, this.source, this));
        } else this.#call("onRequest", () => this.#user.onRequest(this, message));
        break;
      }
      case "timeout":
        host.stats.timeouts++;
        this.#call("onServerFailure", () => this.#user.onServerFailure?.(this, "timeout"));
        break;
      case "transport-error":
        host.stats.transportErrors++;
        this.#call(
          "onServerFailure",
          () => this.#user.onServerFailure?.(this, "transport-error", error),
        );
        break;
      case "terminate":
        this.#terminated = true;
        // An ended transaction keeps no message: the layer's maps rehash as transactions come
        // and go, and a discarded old-generation table that still points at this transaction
        // keeps it through young-generation GCs until the next full GC. Whatever it points at
        // then is copied and promoted too (measured at 5,000 MESSAGE/s: holding the relayed
        // 200 OK here promoted 19.7 MB/s, letting go of it 3.8 MB/s).
        this.#release();
        this.#lastResponse = undefined;
        this.#lastBytes = undefined;
        host.forget("server", this.key, this);
        break;
      default:
        break;
    }
  }

  /**
   * A non-INVITE transaction with its final response sent only resends that response to
   * retransmissions of the request until Timer J (32 s over UDP): it lets go of the request and
   * of what the user keeps with it (`userData`), so that thousands of completed transactions do
   * not hold their messages (measured: 9.8 KB per request from the SIP side over UDP before).
   */
  #release(): void {
    if (this.#request === undefined) return;
    this.#request = undefined;
    this.#uri = flatCopy(this.#uri);
    this.userData = undefined;
  }

  /**
   * @internal (TransactionRunner) Timer J of a completed non-INVITE transaction (over UDP): the
   * transaction leaves the layer at once and its key, with the bytes of its final response,
   * answers retransmitted requests until Timer J (`CompletedKeys`). The bytes are a few hundred,
   * the parsed response an object graph of ~4 KB (measured per request from the SIP side: 4.02
   * KB held during Timer J before, 0.44 KB now); `lastResponse` parses them again. Its state
   * reads `completed` until Timer J, then `terminated`.
   */
  protected override waitsWithoutTimer(name: TimerName, ms: number): boolean {
    const response = this.#lastResponse;
    if (name !== "J" || response === undefined) return false;
    const answer = serializeMessage(response);
    this.#lastBytes = answer;
    this.#lastResponse = undefined;
    this.#host.keepServerKey(this, ms, answer);
    return true;
  }

  #reparsed(): SipResponse | undefined {
    const bytes = this.#lastBytes;
    if (bytes === undefined) return undefined;
    return parseMessage(bytes, { maxSize: bytes.length }) as SipResponse;
  }

  #sendFailed(error: unknown): void {
    if (!this.#terminated) {
      this.feed(TRANSPORT_ERROR, undefined, error);
      return;
    }
    // Over reliable transports a final response ends the transaction before the send
    // settles: the failure still reaches the user (RFC 3261 17.2.4).
    this.#host.stats.transportErrors++;
    this.#call(
      "onServerFailure",
      () => this.#user.onServerFailure?.(this, "transport-error", error),
    );
  }

  #call(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#host.callbackFailed(error, name);
    }
  }
}
