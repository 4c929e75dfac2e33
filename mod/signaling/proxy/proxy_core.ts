/**
 * The SIP Proxy module: a stateful RFC 3261 16 proxy between browsers on WebSocket (RFC 7118)
 * and the SIP side (UDP, TCP, TLS). No forking, no location database: the way back to a
 * browser travels in the messages (`ws-src-*` Contact parameters as the original webrtc2sip,
 * signed flow tokens in Path and Record-Route as RFC 5626 / 7118).
 *
 * Per request (server transaction handed over by the transaction layer):
 * 1. CANCEL: 200 hop by hop, then the pending INVITE's client transaction is cancelled
 *    (481 when there is none).
 * 2. OPTIONS for the gateway itself: 200 with Allow / Accept / Supported.
 * 3. Validation (RFC 3261 16.3): 483, 416, 482, 420.
 * 4. 100 Trying for INVITE.
 * 5. Route processing (route.ts), then the destination: a flow token in one of our own Routes
 *    (403 when forged, 430 when its flow is gone), `ws-src-*` in a Request-URI naming us (480
 *    when that browser is gone), else the SIP side through RFC 3263 with failover on timeout,
 *    transport error and 503, after the relay policy (403 when not allowed).
 * 6. Forwarding (16.6): Max-Forwards, browser Via / Contact rewriting, double Record-Route on
 *    dialog-forming requests, Path on REGISTER (Supported: path / outbound), our Via on top.
 * 7. Responses: our Via popped, the browser's own Via restored, browser Contacts rewritten,
 *    100 absorbed, sent through the server transaction.
 * ACK for 2xx is forwarded statelessly along the same route; stray responses by their Via.
 *
 * @module
 */

import {
  createResponse,
  getTo,
  getVias,
  parseVia,
  SipRequest,
  type SipResponse,
  type SipUri,
} from "../message/mod.ts";
import type { Target } from "../dns/types.ts";
import { type Clock, systemClock } from "../transaction/clock.ts";
import type { Endpoint, Flow, TransportProtocol } from "../transport/transport.ts";
import { FlowTokenSigner } from "./flow_token.ts";
import {
  addPath,
  addRecordRoutes,
  gatewayRouteUri,
  needsRecordRoute,
  wantsPath,
} from "./gateway_routes.ts";
import { bareHost, LocalAddresses, type LocalAddressesOptions } from "./local_addresses.ts";
import { addOwnVia, loopKey, newBranch } from "./own_via.ts";
import type {
  ProxyClientEvents,
  ProxyClientTransaction,
  ProxyLog,
  ProxyResolver,
  ProxyServerTransaction,
  ProxyTransactions,
  ProxyTransactionUser,
  ProxyTransports,
} from "./ports.ts";
import { OverloadGuard, type OverloadOptions } from "./overload.ts";
import { RelayPolicy } from "./relay_policy.ts";
import { type NextHop, selectNextHop } from "./route.ts";
import { answerOptions, isOptionsForGateway } from "./self_options.ts";
import { type Rejection, validateRequest } from "./validation.ts";
import { isWsFlow, WsFlows, wsSourceOfFlow } from "./ws_flows.ts";
import { hackWsVia, restoreVias, rewriteContacts, wsSourceOf } from "./ws_rewrite.ts";

/** RFC 3261 16.6 step 11: Timer C, greater than 3 minutes. */
const TIMER_C_MS = 181_000;

/** SIP-side transports, in the order a Contact of a browser-to-browser request prefers them. */
const SIP_SIDE = ["udp", "tcp", "tls"] as const;
type SipSideProtocol = typeof SIP_SIDE[number];

/** Options of {@linkcode SipProxy}. */
export interface SipProxyOptions extends LocalAddressesOptions {
  /**
   * Name of this gateway instance inside flow tokens (several instances share a domain).
   * @default {a random id drawn at construction}
   */
  instanceId?: string;
  /**
   * HMAC key of flow tokens (config `flow-token-secret`).
   * @default {32 random bytes drawn at construction}
   */
  flowTokenSecret?: string | Uint8Array;
  /**
   * Allowed SIP-side destinations (config `allowed-destinations`, see relay_policy.ts), or a
   * ready policy.
   * @default {[] (forward anywhere)}
   */
  allowedDestinations?: readonly string[] | RelayPolicy;
  /**
   * Timer C (RFC 3261 16.6 step 11): an INVITE still without a final response this long after
   * its last provisional one is cancelled and answered 408. Milliseconds, more than 3 minutes.
   * @default {181000}
   */
  timerC?: number;
  /**
   * Overload protection (overload.ts): 503 + Retry-After for new requests past
   * `maxInFlight` requests in flight or `maxLagMs` of event-loop lag.
   * @default {{ maxInFlight: 10000, maxLagMs: 0 (no lag probe), retryAfter: 5 }}
   */
  overload?: OverloadOptions;
}

/** What {@linkcode SipProxy} works with. */
export interface SipProxyDeps {
  transports: ProxyTransports;
  transactions: ProxyTransactions;
  resolver: ProxyResolver;
  log: ProxyLog;
  options?: SipProxyOptions;
  /** Clock of Timer C. @default {systemClock of the transaction layer} */
  clock?: Clock;
}

/** Counters of what the proxy did. */
export interface SipProxyCounters {
  /** Requests forwarded (each attempt of a failover counts once). */
  forwarded: number;
  /** Requests answered by the proxy itself with an error (4xx-6xx). */
  rejected: number;
  /** ACKs for 2xx forwarded statelessly. */
  acksForwarded: number;
  /** Responses relayed back through a server transaction. */
  responsesRelayed: number;
  /** Messages dropped (logged): stray responses with no way back, ACKs with no destination. */
  dropped: number;
  /** Requests refused with 503 because the gateway was overloaded (also in `rejected`). */
  overloaded: number;
}

/** Where a request goes. */
type Destination =
  | { kind: "flow"; flow: Flow }
  | { kind: "sip"; hop: NextHop }
  | { kind: "reject"; rejection: Rejection };

/** One proxied request: its server transaction and what happened downstream. */
interface ProxyState {
  readonly tx: ProxyServerTransaction;
  readonly key: string;
  client?: ProxyClientTransaction;
  timerC?: number;
  outFlow?: Flow;
  cancelled: boolean;
  final: boolean;
  /** Overload accounting ticket (OverloadGuard.enter). */
  ticket?: number;
}

/** The SIP Proxy module. */
export class SipProxy implements ProxyTransactionUser {
  #transports: ProxyTransports;
  #transactions: ProxyTransactions;
  #resolver: ProxyResolver;
  #log: ProxyLog;
  #clock: Clock;
  #options: SipProxyOptions;
  #local: LocalAddresses | undefined;
  #signer: FlowTokenSigner;
  #policy: RelayPolicy;
  #instanceId: string;
  #wsFlows = new WsFlows();
  /** Pending INVITEs by the key of their top Via (CANCEL matching). */
  #invites = new Map<string, ProxyState>();
  #closed = false;
  #counters: SipProxyCounters = {
    forwarded: 0,
    rejected: 0,
    acksForwarded: 0,
    responsesRelayed: 0,
    dropped: 0,
    overloaded: 0,
  };
  #overload: OverloadGuard;

  constructor(deps: SipProxyDeps) {
    this.#transports = deps.transports;
    this.#transactions = deps.transactions;
    this.#resolver = deps.resolver;
    this.#log = deps.log;
    this.#clock = deps.clock ?? systemClock;
    this.#options = deps.options ?? {};
    this.#signer = new FlowTokenSigner({ secret: this.#options.flowTokenSecret });
    const allowed = this.#options.allowedDestinations ?? [];
    this.#policy = allowed instanceof RelayPolicy ? allowed : new RelayPolicy(allowed);
    this.#instanceId = this.#options.instanceId ?? crypto.randomUUID().slice(0, 8);
    this.#overload = new OverloadGuard(this.#clock, this.#options.overload);
  }

  /** Reads the gateway's addresses from the open transports; call once they listen. */
  start(): void {
    this.#local = new LocalAddresses(this.#transports.transports, this.#options);
    this.#log.info("SIP proxy started", {
      instance: this.#instanceId,
      transports: this.#local.protocols().join(","),
      openRelay: this.#policy.open,
    });
  }

  /** Stops taking requests (new ones get 503). */
  close(): void {
    this.#closed = true;
    this.#overload.close();
    for (const state of this.#invites.values()) {
      if (state.timerC !== undefined) this.#clock.clearTimeout(state.timerC);
    }
    this.#invites.clear();
  }

  /** Counters (a live read-only view). */
  get counters(): Readonly<SipProxyCounters> {
    return this.#counters;
  }

  /** Requests in flight and the last event-loop lag measured (overload protection). */
  get load(): { inFlight: number; lagMs: number } {
    return { inFlight: this.#overload.inFlight, lagMs: this.#overload.lagMs };
  }

  /** The instance id written in flow tokens. */
  get instanceId(): string {
    return this.#instanceId;
  }

  /** The flow token naming `flow` (what Path and Record-Route carry). */
  flowToken(flow: Flow): string {
    return this.#signer.sign({ flowId: flow.id, instanceId: this.#instanceId });
  }

  /** The gateway's addresses. */
  get local(): LocalAddresses {
    this.#local ??= new LocalAddresses(this.#transports.transports, this.#options);
    return this.#local;
  }

  // --- ProxyTransactionUser -------------------------------------------------------------

  onRequest(tx: ProxyServerTransaction): void {
    this.#wsFlows.note(tx.flow);
    try {
      this.#handleRequest(tx);
    } catch (error) {
      const bad = error instanceof SyntaxError;
      this.#log.warn("Cannot proxy request", {
        method: tx.request.method,
        error: String(error),
      });
      this.#reject(
        tx,
        bad ? { status: 400, reason: "Bad Request" } : {
          status: 500,
          reason: "Server Internal Error",
        },
      );
    }
  }

  onAck(ack: SipRequest, flow: Flow): void {
    this.#wsFlows.note(flow);
    this.#forwardAck(ack, flow).catch((error) => {
      this.#counters.dropped++;
      this.#log.debug("ACK not forwarded", { error: String(error) });
    });
  }

  onStrayResponse(response: SipResponse, flow: Flow): void {
    this.#forwardStray(response, flow).catch((error) => {
      this.#counters.dropped++;
      this.#log.debug("Stray response not forwarded", { error: String(error) });
    });
  }

  onFlowClosed(flow: Flow): void {
    this.#wsFlows.forget(flow);
    this.#transactions.failFlow(flow.id);
  }

  onServerFailure(tx: ProxyServerTransaction, reason: "timeout" | "transport-error"): void {
    if (tx.request.method !== "INVITE") return;
    const state = this.#invites.get(viaKey(tx.request));
    if (state === undefined || state.tx !== tx || state.final) return;
    this.#log.debug("Upstream gone, cancelling downstream INVITE", { reason });
    state.cancelled = true;
    this.#settle(state);
    state.client?.cancel();
  }

  // --- requests -------------------------------------------------------------------------

  #handleRequest(tx: ProxyServerTransaction): void {
    const request = tx.request;
    const local = this.local;
    if (this.#closed) return this.#reject(tx, { status: 503, reason: "Service Unavailable" });
    if (request.method === "CANCEL") return this.#handleCancel(tx);
    if (this.#overload.refuse(request)) {
      this.#counters.overloaded++;
      return this.#reject(tx, {
        status: 503,
        reason: "Service Unavailable",
        headers: [["Retry-After", this.#overload.retryAfter]],
      });
    }
    if (isOptionsForGateway(request, local)) return this.#respond(tx, answerOptions(request));
    const rejection = validateRequest(request, local);
    if (rejection) return this.#reject(tx, rejection);
    if (request.method === "INVITE") tx.respond(createResponse(request, 100));

    const out = cloneRequest(request);
    const hop = selectNextHop(out, (uri) => this.#isOwnUri(uri));
    // The loop key covers the request as it leaves: it comes back unchanged only in a loop.
    const state: ProxyState = { tx, key: loopKey(out), cancelled: false, final: false };
    state.ticket = this.#overload.enter();
    if (request.method === "INVITE") this.#invites.set(viaKey(request), state);
    let destination: Destination;
    try {
      decrementMaxForwards(out);
      destination = this.#destination(hop, tx.flow);
      if (destination.kind === "reject") return this.#finish(state, destination.rejection);
      if (isWsFlow(tx.flow)) hackWsVia(out, wsSourceOfFlow(tx.flow));
      if (destination.kind === "flow") {
        this.#sendToFlow(state, out, destination.flow);
        return;
      }
    } catch (error) {
      this.#settle(state); // onRequest() answers it
      throw error;
    }
    this.#sendToSipSide(state, out, destination.hop).catch((error) => {
      this.#log.error("Forwarding failed", { method: request.method, error: String(error) });
      this.#finish(state, { status: 500, reason: "Server Internal Error" });
    });
  }

  #handleCancel(tx: ProxyServerTransaction): void {
    const state = this.#invites.get(viaKey(tx.request));
    if (state === undefined || state.final) {
      return this.#reject(tx, { status: 481, reason: "Call/Transaction Does Not Exist" });
    }
    this.#respond(tx, createResponse(tx.request, 200));
    state.cancelled = true;
    if (state.client) state.client.cancel();
    else this.#finish(state, { status: 487, reason: "Request Terminated" });
  }

  /**
   * Where a request goes after route processing. A browser's route set always starts with
   * the gateway's entry facing that browser (its own flow token, perhaps of a flow it had
   * before reconnecting): for a request from a WebSocket the first token is skipped, further
   * ones name destinations.
   */
  #destination(hop: NextHop, inFlow: Flow): Destination {
    let skipOwnToken = isWsFlow(inFlow);
    for (const own of hop.ownRoutes) {
      if (own.user === undefined || own.user === "") continue;
      if (skipOwnToken) {
        skipOwnToken = false;
        continue;
      }
      const payload = this.#signer.verify(own.user);
      if (payload === undefined) {
        return { kind: "reject", rejection: { status: 403, reason: "Invalid Flow Token" } };
      }
      if (payload.instanceId === this.#instanceId && payload.flowId === inFlow.id) continue;
      const flow = payload.instanceId === this.#instanceId
        ? this.#transports.flow(payload.flowId)
        : undefined;
      if (flow === undefined || flow.closed) {
        return { kind: "reject", rejection: { status: 430, reason: "Flow Failed" } };
      }
      return { kind: "flow", flow };
    }
    if (hop.from === "request-uri" && this.#isOwnUri(hop.target)) {
      const source = wsSourceOf(hop.target);
      if (source === undefined) {
        return { kind: "reject", rejection: { status: 404, reason: "Not Found" } };
      }
      const flow = this.#wsFlows.find(source);
      if (flow === undefined) {
        return { kind: "reject", rejection: { status: 480, reason: "Temporarily Unavailable" } };
      }
      return { kind: "flow", flow };
    }
    return { kind: "sip", hop };
  }

  #sendToFlow(state: ProxyState, prepared: SipRequest, flow: Flow): void {
    const out = this.#finishOutgoing(state, prepared, flow.protocol, flow, true);
    state.outFlow = flow;
    this.#counters.forwarded++;
    state.client = this.#transactions.sendRequest(out, flow, {
      onResponse: (response) => this.#relayResponse(state, response),
      onTimeout: () => this.#finish(state, { status: 408, reason: "Request Timeout" }),
      onTransportError: () => this.#finish(state, { status: 430, reason: "Flow Failed" }),
    });
    this.#armTimerC(state);
    if (state.cancelled) state.client.cancel();
  }

  async #sendToSipSide(state: ProxyState, prepared: SipRequest, hop: NextHop): Promise<void> {
    const uri = hop.target;
    const byName = this.#policy.allowsHost(uri.host);
    if (!byName && !this.#policy.hasAddressEntries) {
      return this.#finish(state, { status: 403, reason: "Destination Not Allowed" });
    }
    const transports = SIP_SIDE.filter((p) => this.local.advertised(p) !== undefined);
    let targets: Target[];
    try {
      targets = await this.#resolver(uri, { transports });
    } catch (error) {
      this.#log.info("Cannot resolve destination", { host: uri.host, error: String(error) });
      return this.#finish(state, { status: 503, reason: "Cannot Resolve Destination" });
    }
    if (!byName) targets = targets.filter((t) => this.#policy.allowsAddress(t.host));
    if (targets.length === 0) {
      return this.#finish(state, { status: 403, reason: "Destination Not Allowed" });
    }
    if (state.cancelled || state.final) return;
    await this.#tryTarget(state, prepared, targets, 0);
  }

  /** Sends to `targets[index]`, moving to the next one on failure (RFC 3263 4.3). */
  async #tryTarget(
    state: ProxyState,
    prepared: SipRequest,
    targets: Target[],
    index: number,
  ): Promise<void> {
    const target = targets[index];
    const next = (rejection: Rejection) => {
      if (index + 1 < targets.length && !state.cancelled && !state.final) {
        this.#log.debug("Trying next target", { host: target.host, status: rejection.status });
        this.#tryTarget(state, prepared, targets, index + 1).catch((error) => {
          this.#log.error("Forwarding failed", { error: String(error) });
          this.#finish(state, { status: 500, reason: "Server Internal Error" });
        });
      } else this.#finish(state, rejection);
    };
    let flow: Flow;
    try {
      flow = await this.#transports.flowTo(target.protocol, {
        host: target.host,
        port: target.port,
      });
    } catch (error) {
      this.#log.debug("Cannot reach target", { host: target.host, error: String(error) });
      return next({ status: 503, reason: "Service Unavailable" });
    }
    if (state.cancelled || state.final) return;
    const last = index + 1 >= targets.length;
    const out = this.#finishOutgoing(state, prepared, target.protocol, flow, last);
    state.outFlow = flow;
    let provisional = false;
    const events: ProxyClientEvents = {
      onResponse: (response) => {
        if (response.status >= 101 && response.status < 200) provisional = true;
        if (response.status === 503 && !provisional && index + 1 < targets.length) {
          return next({ status: 503, reason: "Service Unavailable" });
        }
        this.#relayResponse(state, response);
      },
      onTimeout: () => {
        if (provisional) return this.#finish(state, { status: 408, reason: "Request Timeout" });
        next({ status: 408, reason: "Request Timeout" });
      },
      onTransportError: () => {
        if (provisional) return this.#finish(state, { status: 503, reason: "Service Unavailable" });
        next({ status: 503, reason: "Service Unavailable" });
      },
    };
    this.#counters.forwarded++;
    state.client = this.#transactions.sendRequest(out, flow, events);
    this.#armTimerC(state);
    if (state.cancelled) state.client.cancel();
  }

  /**
   * The per-hop part of forwarding (RFC 3261 16.6 steps 4, 8): Contact of a browser, Record-
   * Route, Path, our Via. `prepared` is left untouched (failover builds again from it)
   * unless `consume` says no other attempt will need it.
   */
  #finishOutgoing(
    state: ProxyState,
    prepared: SipRequest,
    outProtocol: TransportProtocol,
    outFlow: Flow,
    consume: boolean,
  ): SipRequest {
    const out = consume ? prepared : cloneRequest(prepared);
    const inFlow = state.tx.flow;
    const contactProtocol = this.#sipSideFor(isWsFlow(outFlow) ? undefined : outProtocol);
    if (isWsFlow(inFlow) && contactProtocol !== undefined) {
      rewriteContacts(
        out,
        wsSourceOfFlow(inFlow),
        contactProtocol,
        this.#address(contactProtocol, outFlow),
      );
    }
    if (needsRecordRoute(out, toTagOf(out))) {
      addRecordRoutes(out, this.#routeEntry(inFlow), this.#routeEntry(outFlow, outProtocol));
    }
    if (isWsFlow(inFlow) && !isWsFlow(outFlow) && wantsPath(out)) {
      addPath(
        out,
        gatewayRouteUri(outProtocol, this.#address(outProtocol, outFlow), this.flowToken(inFlow)),
      );
    }
    addOwnVia(out, outProtocol, this.#address(outProtocol, outFlow), newBranch(state.key));
    return out;
  }

  /** The gateway's Record-Route entry facing `flow` (with the flow token on WebSocket). */
  #routeEntry(flow: Flow, protocol: TransportProtocol = flow.protocol): string {
    const token = isWsFlow(flow) ? this.flowToken(flow) : undefined;
    return gatewayRouteUri(protocol, this.#address(protocol, flow), token);
  }

  /** Advertised address for `protocol`, else the flow's local address. */
  #address(protocol: TransportProtocol, flow: Flow): Endpoint {
    return this.local.advertised(protocol) ?? flow.local;
  }

  /** `protocol` when it is a SIP-side one we listen on, else our first SIP-side protocol. */
  #sipSideFor(protocol: TransportProtocol | undefined): SipSideProtocol | undefined {
    if (protocol !== undefined && (SIP_SIDE as readonly string[]).includes(protocol)) {
      return protocol as SipSideProtocol;
    }
    return SIP_SIDE.find((p) => this.local.advertised(p) !== undefined);
  }

  #isOwnUri(uri: SipUri): boolean {
    if (uri.scheme !== "sip" && uri.scheme !== "sips") return false;
    return this.local.isLocal(
      uri.host,
      uri.port,
      uri.scheme,
      uri.params.get("transport") ?? undefined,
    );
  }

  // --- responses ------------------------------------------------------------------------

  #relayResponse(state: ProxyState, response: SipResponse): void {
    response.headers.removeFirst("Via");
    if (response.status < 101) return;
    if (state.final && !(response.status >= 200 && response.status < 300)) return;
    const inFlow = state.tx.flow;
    if (isWsFlow(inFlow)) restoreVias(response, state.tx.request.headers.getAll("Via"));
    const outFlow = state.outFlow;
    if (outFlow !== undefined && isWsFlow(outFlow)) {
      const protocol = this.#sipSideFor(isWsFlow(inFlow) ? undefined : inFlow.protocol);
      if (protocol !== undefined) {
        rewriteContacts(
          response,
          wsSourceOfFlow(outFlow),
          protocol,
          this.#address(protocol, inFlow),
        );
      }
    }
    if (response.status >= 200) this.#settle(state);
    else this.#armTimerC(state);
    this.#counters.responsesRelayed++;
    state.tx.respond(response);
  }

  /** (Re)starts Timer C of a pending INVITE. */
  #armTimerC(state: ProxyState): void {
    if (state.tx.request.method !== "INVITE" || state.final) return;
    if (state.timerC !== undefined) this.#clock.clearTimeout(state.timerC);
    state.timerC = this.#clock.setTimeout(() => {
      state.timerC = undefined;
      if (state.final) return;
      this.#log.debug("Timer C fired, cancelling INVITE");
      state.cancelled = true;
      state.client?.cancel();
      this.#finish(state, { status: 408, reason: "Request Timeout" });
    }, this.#options.timerC ?? TIMER_C_MS);
  }

  /** Answers `state`'s request with an error of the proxy's own, once. */
  #finish(state: ProxyState, rejection: Rejection): void {
    if (state.final) return;
    this.#settle(state);
    this.#reject(state.tx, rejection);
  }

  #settle(state: ProxyState): void {
    if (!state.final && state.ticket !== undefined) this.#overload.leave(state.ticket);
    state.final = true;
    if (state.timerC !== undefined) this.#clock.clearTimeout(state.timerC);
    state.timerC = undefined;
    if (state.tx.request.method === "INVITE") {
      const key = viaKey(state.tx.request);
      if (this.#invites.get(key) === state) this.#invites.delete(key);
    }
  }

  #reject(tx: ProxyServerTransaction, rejection: Rejection): void {
    const response = createResponse(tx.request, rejection.status, rejection.reason);
    for (const [name, value] of rejection.headers ?? []) response.headers.append(name, value);
    this.#counters.rejected++;
    this.#respond(tx, response);
  }

  #respond(tx: ProxyServerTransaction, response: SipResponse): void {
    try {
      tx.respond(response);
    } catch (error) {
      this.#log.warn("Cannot send response", { status: response.status, error: String(error) });
    }
  }

  // --- stateless ------------------------------------------------------------------------

  async #forwardAck(ack: SipRequest, inFlow: Flow): Promise<void> {
    if (validateRequest(ack, this.local) !== undefined) {
      throw new Error("ACK failed validation");
    }
    const out = cloneRequest(ack);
    const hop = selectNextHop(out, (uri) => this.#isOwnUri(uri));
    const key = loopKey(out);
    decrementMaxForwards(out);
    const destination = this.#destination(hop, inFlow);
    if (destination.kind === "reject") throw new Error(destination.rejection.reason);
    if (isWsFlow(inFlow)) hackWsVia(out, wsSourceOfFlow(inFlow));
    let flow: Flow;
    let protocol: TransportProtocol;
    if (destination.kind === "flow") {
      flow = destination.flow;
      protocol = flow.protocol;
    } else {
      const uri = destination.hop.target;
      const transports = SIP_SIDE.filter((p) => this.local.advertised(p) !== undefined);
      const targets = (await this.#resolver(uri, { transports })).filter((t) =>
        this.#policy.allowsHost(uri.host) || this.#policy.allowsAddress(t.host)
      );
      const target = targets[0];
      if (target === undefined) throw new Error("Destination not allowed");
      protocol = target.protocol;
      flow = await this.#transports.flowTo(protocol, { host: target.host, port: target.port });
    }
    addOwnVia(out, protocol, this.#address(protocol, flow), newBranch(key));
    await this.#transports.send(out, flow);
    this.#counters.acksForwarded++;
  }

  async #forwardStray(response: SipResponse, flow: Flow): Promise<void> {
    const top = response.headers.get("Via");
    if (top === undefined) throw new Error("No Via");
    const ours = parseVia(top);
    if (!this.local.isLocal(ours.host, ours.port, "sip", ours.transport)) {
      throw new Error("Top Via is not ours");
    }
    response.headers.removeFirst("Via");
    const nextText = response.headers.get("Via");
    if (nextText === undefined) throw new Error("No Via below ours");
    const next = parseVia(nextText);
    if (next.params.has("ws-hacked")) {
      throw new Error(`No transaction for a response to a browser (from ${flow.remote.host})`);
    }
    const protocol = next.transport.toLowerCase() as TransportProtocol;
    const host = next.params.get("received") ?? bareHost(next.host);
    const rport = next.params.get("rport");
    const port = rport ? Number(rport) : next.port ?? (protocol === "tls" ? 5061 : 5060);
    const out = await this.#transports.flowTo(protocol, { host, port });
    await this.#transports.send(response, out);
    this.#counters.responsesRelayed++;
  }
}

/**
 * Copy of a request (RFC 3261 16.6 step 1): header lines copied with their raw text (byte-
 * exact), grouped by name in order of first appearance (the order of fields of one name is
 * kept, which is all RFC 3261 7.3.1 makes significant); the body is shared, never modified;
 * parsed views are shared, never modified in place (ws_rewrite.ts parses its own).
 */
function cloneRequest(request: SipRequest): SipRequest {
  return request.copy();
}

/** RFC 3261 16.6 step 3. */
function decrementMaxForwards(request: SipRequest): void {
  const value = request.headers.get("Max-Forwards");
  const next = value === undefined ? 70 : Math.max(0, Number(value.trim()) - 1);
  request.headers.set("Max-Forwards", String(next));
}

/** Branch and sent-by of the top Via: matches a CANCEL to its INVITE (RFC 3261 9.2). */
function viaKey(request: SipRequest): string {
  const via = getVias(request.headers)[0];
  if (via === undefined) return "";
  return `${via.params.get("branch") ?? ""} ${via.host.toLowerCase()}:${via.port ?? ""} ${
    request.headers.get("Call-ID") ?? ""
  }`;
}

function toTagOf(request: SipRequest): string | undefined {
  return getTo(request.headers)?.params.get("tag") ?? undefined;
}
