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
  findHeadEnd,
  parseMessage,
  parseMessageText,
  serializeMessage,
  serializeMessageText,
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

const CRLFCRLF = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();

const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => Number(setTimeout(callback, ms)),
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
    keepalivesSent: 0,
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

  /** Number of stream and WebSocket flows whose socket is still held (a flow closed during
   * a TLS handshake is held until the peer acts: Deno cannot abort the handshake). */
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
    if (flow) return flow.closed ? undefined : flow;
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
    let sent: Promise<void>;
    if (message instanceof Uint8Array) sent = flow.send(message);
    else {
      // a WebSocket flow takes text: no encode + decode round trip
      const text = flow.sendText === undefined ? undefined : serializeMessageText(message);
      sent = text === undefined ? flow.send(serializeMessage(message)) : flow.sendText!(text);
    }
    return sent.catch((error) => {
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
      receiveText: (text, flow) => this.#receive(text, flow),
      reject: (error, flow) => this.#reject(error, flow),
      admit: (host) =>
        this.limits.maxConnectionsPerIp === 0 ||
        (this.#perIp.get(host) ?? 0) < this.limits.maxConnectionsPerIp,
      flowOpened: (flow) => {
        this.#flows.set(flow.id, flow);
        if (!flow.inbound) return;
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
    if (flow.inbound) {
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

  /** Parses a message received as bytes, or as text (its UTF-8 encoding is the message). */
  #receive(data: Uint8Array | string, flow: Flow): void {
    let message: SipMessage;
    try {
      message = typeof data === "string"
        ? parseMessageText(data, { maxSize: this.limits.maxMessageSize })
        : parseMessage(data, { maxSize: this.limits.maxMessageSize });
    } catch (error) {
      if (error instanceof SipParseError) {
        const bytes = typeof data === "string" ? encoder.encode(data) : data;
        this.#reject(this.#oversize(bytes) ?? error, flow).catch(() => {});
      } else {
        this.#counters.droppedMalformed++;
        this.#log.warn("Parser failed", { flow: flow.id, error: String(error) });
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

  /** For a message over the size limit: a 513 error carrying what its header section says
   * (Via, From, To, Call-ID, CSeq) so that it can be answered; undefined for other errors. */
  #oversize(bytes: Uint8Array): SipParseError | undefined {
    const max = this.limits.maxMessageSize;
    if (bytes.length <= max) return undefined;
    const tooLarge = new SipParseError(
      `Cannot parse message: ${bytes.length} bytes exceed the limit of ${max}`,
      { status: 513 },
    );
    const headEnd = findHeadEnd(bytes.subarray(0, max), 0);
    if (headEnd < 0) return tooLarge;
    let head: SipMessage;
    try {
      // the header section alone: it parses, or fails with what it could read
      head = parseMessage(bytes.subarray(0, headEnd + 4), { maxSize: max });
    } catch (headError) {
      if (!(headError instanceof SipParseError)) return tooLarge;
      Object.assign(tooLarge, {
        vias: headError.vias,
        callId: headError.callId,
        from: headError.from,
        to: headError.to,
        cseq: headError.cseq,
        isRequest: headError.isRequest,
      });
      return tooLarge;
    }
    tooLarge.isRequest = head.kind === "request";
    tooLarge.vias = head.headers.getAll("via");
    tooLarge.callId = head.headers.get("call-id");
    tooLarge.from = head.headers.get("from");
    tooLarge.to = head.headers.get("to");
    tooLarge.cseq = head.headers.get("cseq");
    return tooLarge;
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

  /** Closes TCP and TLS connections idle for longer than the idle timeout. Connections the
   * gateway opened get a CRLFCRLF ping (RFC 5626 3.5.1) once idle for half of it: a peer that
   * answers with CRLF keeps them open. */
  #sweepIdle(): void {
    const now = this.#clock.now();
    const idle = this.limits.idleTimeoutMs;
    for (const flow of this.#flows.values()) {
      if (flow.closed || (flow.protocol !== "tcp" && flow.protocol !== "tls")) continue;
      const quiet = now - flow.lastActivity;
      if (quiet >= idle) {
        this.#counters.idleClosed++;
        this.#log.debug("Closing idle connection", { flow: flow.id });
        flow.close();
      } else if (!flow.inbound && quiet >= idle / 2) {
        this.#counters.keepalivesSent++;
        flow.send(CRLFCRLF).catch(() => {});
      }
    }
  }
}
