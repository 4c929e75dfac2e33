/**
 * The transport layer: owns the transports, keeps the live stream and WebSocket flows by id,
 * parses what they receive, answers unparseable requests statelessly (RFC 3261 16.3 / 18.2.1:
 * 400, 505, 513... when a Via can be read), counts what it drops, enforces the per-IP
 * connection limit and closes idle stream connections.
 *
 * @module
 */

import { createLogger } from "../../log.ts";
import {
  parseMessage,
  serializeMessage,
  type SipMessage,
  SipParseError,
  statelessErrorResponse,
} from "../message/mod.ts";
import { type Limits, resolveLimits } from "./limits.ts";
import { listenTcp, type TcpListenOptions } from "./tcp.ts";
import { listenTls, type TlsListenOptions } from "./tls.ts";
import type {
  Clock,
  Endpoint,
  Flow,
  TrackedFlow,
  Transport,
  TransportCounterName,
  TransportCounters,
  TransportEvents,
  TransportLog,
  TransportProtocol,
  TransportSink,
} from "./transport.ts";
import { listenUdp, type UdpListenOptions, UdpTransport } from "./udp.ts";
import { listenWs, type WsListenOptions } from "./ws.ts";

/** What {@linkcode TransportLayer.listen} opens. */
export type ListenConfig =
  | ({ protocol: "udp" } & UdpListenOptions)
  | ({ protocol: "tcp" } & TcpListenOptions)
  | ({ protocol: "tls" } & TlsListenOptions)
  | ({ protocol: "ws" } & Omit<WsListenOptions, "tls">)
  | ({ protocol: "wss" } & WsListenOptions & Required<Pick<WsListenOptions, "tls">>);

/** Options of {@linkcode TransportLayer}. */
export interface TransportLayerOptions {
  /** Limits; missing ones take the defaults of limits.ts. */
  limits?: Partial<Limits>;
  /** Clock of the handshake and idle timers.
   * @default {the real clock} */
  clock?: Clock;
  /** @default {createLogger("transport")} */
  log?: TransportLog;
}

const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id),
};

function zeroCounters(): TransportCounters {
  return {
    received: 0,
    answeredMalformed: 0,
    droppedMalformed: 0,
    droppedOversize: 0,
    refusedConnections: 0,
    refusedUpgrades: 0,
    handshakeTimeouts: 0,
    idleClosed: 0,
    keepalivePings: 0,
    sendErrors: 0,
  };
}

/** Owns every transport and every live flow. */
export class TransportLayer {
  /** The limits in force. */
  readonly limits: Readonly<Limits>;
  readonly #events: TransportEvents;
  readonly #clock: Clock;
  readonly #log: TransportLog;
  readonly #counters = zeroCounters();
  readonly #transports: Transport[] = [];
  readonly #flows = new Map<string, TrackedFlow>();
  readonly #inbound = new WeakSet<TrackedFlow>();
  readonly #perIp = new Map<string, number>();
  readonly #sink: TransportSink;
  #sweepTimer: number | undefined;
  #closed = false;

  constructor(events: TransportEvents, options: TransportLayerOptions = {}) {
    this.limits = Object.freeze(resolveLimits(options.limits));
    this.#events = events;
    this.#clock = options.clock ?? REAL_CLOCK;
    this.#log = options.log ?? createLogger("transport");
    this.#sink = this.#createSink();
  }

  /** Counters of received, answered and dropped input (a live read-only view). */
  get counters(): Readonly<TransportCounters> {
    return this.#counters;
  }

  /** Every open transport, in the order they were opened. */
  get transports(): readonly Transport[] {
    return this.#transports;
  }

  /** Number of live stream and WebSocket flows. */
  get flowCount(): number {
    return this.#flows.size;
  }

  /** Live stream and WebSocket flows. */
  flows(): IterableIterator<Flow> {
    return this.#flows.values();
  }

  /** The flow with this id: a live stream or WebSocket flow, or a UDP flow (always
   * reachable while its socket is open); undefined when closed or unknown. */
  flow(id: string): Flow | undefined {
    const flow = this.#flows.get(id);
    if (flow) return flow;
    if (!id.startsWith("udp")) return undefined;
    for (const transport of this.#transports) {
      if (transport instanceof UdpTransport && !transport.closed) {
        const udp = transport.flowById(id);
        if (udp) return udp;
      }
    }
    return undefined;
  }

  /** Opens a transport; the port is read back from `local` when 0 was asked. */
  async listen(config: ListenConfig): Promise<Transport> {
    if (this.#closed) throw new Error("Cannot listen: transport layer closed");
    const hostname = config.hostname === "*" ? "0.0.0.0" : config.hostname;
    let transport: Transport;
    switch (config.protocol) {
      case "udp":
        transport = listenUdp(this.#sink, { ...config, hostname });
        break;
      case "tcp":
        transport = listenTcp(this.#sink, { ...config, hostname });
        break;
      case "tls":
        transport = listenTls(this.#sink, { ...config, hostname });
        break;
      case "ws":
        transport = await listenWs(this.#sink, { ...config, hostname, tls: undefined });
        break;
      case "wss":
        transport = await listenWs(this.#sink, { ...config, hostname });
        break;
    }
    this.#transports.push(transport);
    this.#armSweep();
    this.#log.debug("Listening", { protocol: transport.protocol, local: transport.local });
    return transport;
  }

  /** The first transport of `protocol`; for UDP, one that can reach `host` when given. */
  transport(protocol: TransportProtocol, host?: string): Transport | undefined {
    for (const transport of this.#transports) {
      if (transport.protocol !== protocol) continue;
      if (transport instanceof UdpTransport && host !== undefined && !transport.canReach(host)) {
        continue;
      }
      return transport;
    }
    return undefined;
  }

  /** A flow to `dest` over `protocol`: an existing connection, a new one, or a UDP flow. */
  flowTo(protocol: TransportProtocol, dest: Endpoint): Promise<Flow> {
    const transport = this.transport(protocol, dest.host);
    if (!transport) {
      return Promise.reject(new Error(`Cannot reach ${dest.host}: no ${protocol} transport`));
    }
    return transport.flowTo(dest);
  }

  /** Sends a message (serialized) or bytes on a flow. */
  send(message: SipMessage | Uint8Array, flow: Flow): Promise<void> {
    const bytes = message instanceof Uint8Array ? message : serializeMessage(message);
    return flow.send(bytes).catch((error) => {
      this.#counters.sendErrors++;
      throw error;
    });
  }

  /** Sends bytes to `dest` over `protocol`, connecting when needed; resolves to the flow used. */
  async sendTo(protocol: TransportProtocol, dest: Endpoint, bytes: Uint8Array): Promise<Flow> {
    const flow = await this.flowTo(protocol, dest);
    await this.send(bytes, flow);
    return flow;
  }

  /** Closes every transport and flow. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    await Promise.all(this.#transports.map((transport) => transport.close()));
  }

  #createSink(): TransportSink {
    return {
      limits: this.limits,
      clock: this.#clock,
      log: this.#log,
      receive: (bytes, flow) => this.#receive(bytes, flow),
      reject: (error, flow) => this.#reject(error, flow),
      admit: (host) => (this.#perIp.get(host) ?? 0) < this.limits.maxConnectionsPerIp,
      flowOpened: (flow, inbound) => {
        this.#flows.set(flow.id, flow);
        if (!inbound) return;
        this.#inbound.add(flow);
        this.#perIp.set(flow.remote.host, (this.#perIp.get(flow.remote.host) ?? 0) + 1);
      },
      flowClosed: (flow) => this.#flowClosed(flow),
      count: (name: TransportCounterName) => {
        this.#counters[name]++;
      },
    };
  }

  #flowClosed(flow: TrackedFlow): void {
    if (!this.#flows.delete(flow.id)) return;
    if (this.#inbound.has(flow)) {
      this.#inbound.delete(flow);
      const left = (this.#perIp.get(flow.remote.host) ?? 1) - 1;
      if (left > 0) this.#perIp.set(flow.remote.host, left);
      else this.#perIp.delete(flow.remote.host);
    }
    try {
      this.#events.onFlowClosed?.(flow);
    } catch (error) {
      this.#log.warn("onFlowClosed failed", { flow: flow.id, error: String(error) });
    }
  }

  #receive(bytes: Uint8Array, flow: Flow): void {
    let message: SipMessage;
    try {
      message = parseMessage(bytes, { maxSize: this.limits.maxMessageSize });
    } catch (error) {
      if (error instanceof SipParseError) {
        if (bytes.length > this.limits.maxMessageSize && error.status !== 513) {
          error.status = 513;
          error.reason = "Message Too Large";
        }
        this.#reject(error, flow).catch(() => {});
      } else {
        this.#counters.droppedMalformed++;
        this.#log.warn("Parser failed", { flow: flow.id, error: String(error) });
      }
      return;
    }
    if (bytes.length > this.limits.maxMessageSize) {
      // the parser did not enforce maxSize: answer 513 to a request, drop a response
      this.#counters.droppedOversize++;
      if (message.kind === "request" && message.method !== "ACK") {
        const error = new SipParseError("Cannot parse message: too large", { status: 513 });
        error.vias = message.headers.getAll("via");
        error.isRequest = true;
        error.callId = message.headers.get("call-id");
        error.from = message.headers.get("from");
        error.to = message.headers.get("to");
        error.cseq = message.headers.get("cseq");
        this.#answer(error, flow).catch(() => {});
      }
      return;
    }
    this.#counters.received++;
    try {
      this.#events.onMessage(message, flow);
    } catch (error) {
      this.#log.warn("onMessage failed", { flow: flow.id, error: String(error) });
    }
  }

  /** Counts an unparseable message and answers it when a Via could be read. */
  async #reject(error: SipParseError, flow: Flow): Promise<void> {
    const oversize = error.status === 513;
    if (oversize) this.#counters.droppedOversize++;
    const answered = await this.#answer(error, flow);
    if (!oversize) {
      if (answered) this.#counters.answeredMalformed++;
      else this.#counters.droppedMalformed++;
    }
    this.#log.debug("Unparseable message", {
      flow: flow.id,
      status: error.status,
      answered,
      error: error.message,
    });
  }

  async #answer(error: SipParseError, flow: Flow): Promise<boolean> {
    let response: Uint8Array | undefined;
    try {
      response = statelessErrorResponse(error);
    } catch {
      response = undefined;
    }
    if (!response || flow.closed) return false;
    try {
      await flow.send(response);
      return true;
    } catch {
      this.#counters.sendErrors++;
      return false;
    }
  }

  #armSweep(): void {
    if (this.#sweepTimer !== undefined || this.#closed || this.limits.idleTimeoutMs === 0) return;
    const period = Math.max(1000, Math.floor(this.limits.idleTimeoutMs / 4));
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.#sweepTimer = undefined;
      this.#sweepIdle();
      this.#armSweep();
    }, period);
    if (this.#clock === REAL_CLOCK) Deno.unrefTimer(this.#sweepTimer);
  }

  /** Closes TCP and TLS connections idle for longer than the idle timeout. */
  #sweepIdle(): void {
    const now = this.#clock.now();
    for (const flow of this.#flows.values()) {
      if (flow.protocol !== "tcp" && flow.protocol !== "tls") continue;
      if (now - flow.lastActivity < this.limits.idleTimeoutMs) continue;
      this.#counters.idleClosed++;
      this.#log.debug("Closing idle connection", { flow: flow.id });
      flow.close();
    }
  }
}
