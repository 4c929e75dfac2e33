/**
 * SIP over WebSocket and secure WebSocket (RFC 7118) through `Deno.serve` and
 * `Deno.upgradeWebSocket`. The upgrade must offer the `sip` subprotocol, which the answer
 * names. One SIP message per frame, text or binary; a frame that is only CRLFCRLF is a
 * keepalive answered with CRLF. Liveness uses WebSocket pings (`wsPingIntervalMs`).
 *
 * @module
 */

import { endpointKey, nextFlowId, normalizeHost } from "./_flow_id.ts";
import type { TlsCredentials } from "./tls.ts";
import type { Endpoint, Flow, TrackedFlow, Transport, TransportSink } from "./transport.ts";

/** Where a WS (or, with `tls`, WSS) transport listens. */
export interface WsListenOptions {
  /** Address to bind.
   * @default {"0.0.0.0"} */
  hostname?: string;
  /** Port to bind; 0 picks a free one.
   * @default {10060} */
  port?: number;
  /** Share the port with other processes (SO_REUSEPORT, Linux).
   * @default {false} */
  reusePort?: boolean;
  /** Serve WSS with this certificate; WS without. */
  tls?: TlsCredentials;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const CRLF = "\r\n";
const CRLFCRLF = "\r\n\r\n";

const UPGRADE_REQUIRED = "426 Upgrade Required: this is a SIP over WebSocket endpoint " +
  "(RFC 7118), connect with subprotocol 'sip'\n";
const SUBPROTOCOL_MISSING = "400 Bad Request: the WebSocket upgrade must offer the subprotocol " +
  "'sip' in Sec-WebSocket-Protocol (RFC 7118)\n";
const TOO_MANY = "503 Service Unavailable: too many connections from this address\n";

/** Starts serving WebSocket upgrades; resolves once the port is bound. */
export async function listenWs(
  sink: TransportSink,
  options: WsListenOptions = {},
): Promise<WsTransport> {
  const transport = new WsTransport(sink, options);
  await transport.listening;
  return transport;
}

/** Whether a Sec-WebSocket-Protocol header value offers `sip`. */
export function offersSip(header: string | null): boolean {
  if (!header) return false;
  // tokens are case-sensitive (RFC 6455 4.1); the registered one is "sip" (RFC 7118 7)
  return header.split(",").some((token) => token.trim() === "sip");
}

/** A WS or WSS listener and its connections, indexed by remote address. */
export class WsTransport implements Transport {
  readonly protocol: "ws" | "wss";
  /** Resolves once the port is bound. */
  readonly listening: Promise<void>;
  #local: Endpoint = { host: "", port: 0 };
  readonly #sink: TransportSink;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #byRemote = new Map<string, WsFlow>();
  readonly #flowClosed = (flow: WsFlow) => this.#forget(flow);
  #allClosed: (() => void) | undefined;
  #closed = false;

  constructor(sink: TransportSink, options: WsListenOptions = {}) {
    this.protocol = options.tls ? "wss" : "ws";
    this.#sink = sink;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.listening = promise;
    const serveOptions: Deno.ServeTcpOptions = {
      hostname: options.hostname ?? "0.0.0.0",
      port: options.port ?? 10060,
      reusePort: options.reusePort ?? false,
      onListen: (addr) => {
        this.#local = { host: addr.hostname, port: addr.port };
        resolve();
      },
      onError: (error) => {
        sink.log.warn("WebSocket HTTP handler failed", { error: String(error) });
        return new Response("500 Internal Server Error\n", { status: 500 });
      },
    };
    const handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
      this.#handle(req, info);
    this.#server = options.tls
      ? Deno.serve({ ...serveOptions, cert: options.tls.cert, key: options.tls.key }, handler)
      : Deno.serve(serveOptions, handler);
  }

  get local(): Endpoint {
    return this.#local;
  }

  /** Live connections of this transport. */
  get connections(): number {
    return this.#byRemote.size;
  }

  /** The connection a browser opened from `dest`; WebSocket flows cannot be opened outward. */
  flowTo(dest: Endpoint): Promise<Flow> {
    const flow = this.#byRemote.get(endpointKey(dest.host, dest.port));
    if (flow && !flow.closed) return Promise.resolve(flow);
    return Promise.reject(
      new Error(
        `Cannot reach ${endpointKey(dest.host, dest.port)} over ${this.protocol}: no connection`,
      ),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const allClosed = new Promise<void>((resolve) => {
      this.#allClosed = resolve;
      if (this.#byRemote.size === 0) resolve();
    });
    for (const flow of this.#byRemote.values()) flow.close();
    await Promise.all([this.#server.shutdown(), allClosed]);
  }

  #forget(flow: WsFlow): void {
    const key = endpointKey(flow.remote.host, flow.remote.port);
    if (this.#byRemote.get(key) === flow) this.#byRemote.delete(key);
    if (this.#byRemote.size === 0) this.#allClosed?.();
  }

  #handle(req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response {
    const sink = this.#sink;
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      sink.count("refusedUpgrades");
      return new Response(UPGRADE_REQUIRED, {
        status: 426,
        headers: { "content-type": "text/plain; charset=utf-8", upgrade: "websocket" },
      });
    }
    if (!offersSip(req.headers.get("sec-websocket-protocol"))) {
      sink.count("refusedUpgrades");
      return new Response(SUBPROTOCOL_MISSING, {
        status: 400,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const remote = { host: normalizeHost(info.remoteAddr.hostname), port: info.remoteAddr.port };
    if (this.#closed || !sink.admit(remote.host)) {
      sink.count("refusedConnections");
      return new Response(TOO_MANY, {
        status: 503,
        headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "5" },
      });
    }
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(req, {
        protocol: "sip",
        idleTimeout: Math.ceil(sink.limits.wsPingIntervalMs / 1000),
      });
    } catch (error) {
      sink.count("refusedUpgrades");
      return new Response(`400 Bad Request: cannot upgrade to WebSocket: ${errorText(error)}\n`, {
        status: 400,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const { socket, response } = upgraded;
    const flow = new WsFlow(
      socket,
      this.protocol,
      {
        local: this.#local,
        remote,
      },
      sink,
      this.#flowClosed,
    );
    this.#byRemote.set(endpointKey(remote.host, remote.port), flow);
    return response;
  }
}

/** One WebSocket connection. Lean on purpose (idle browsers are many): no closures, no
 * promise and no timer per connection once it is open. */
export class WsFlow implements TrackedFlow {
  readonly id: string;
  readonly protocol: "ws" | "wss";
  readonly reliable = true;
  readonly inbound = true;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  #lastActivity: number;
  #closed = false;
  #reported = false;
  #handshakeTimer: number | undefined;
  readonly #socket: WebSocket;
  readonly #sink: TransportSink;
  readonly #onClosed: (flow: WsFlow) => void;

  /** `onClosed` is called once, after the sink was told. */
  constructor(
    socket: WebSocket,
    protocol: "ws" | "wss",
    endpoints: { local: Endpoint; remote: Endpoint },
    sink: TransportSink,
    onClosed: (flow: WsFlow) => void,
  ) {
    this.id = nextFlowId(protocol);
    this.protocol = protocol;
    this.local = endpoints.local;
    this.remote = endpoints.remote;
    this.#socket = socket;
    this.#sink = sink;
    this.#onClosed = onClosed;
    this.#lastActivity = sink.clock.now();
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", this);
    socket.addEventListener("message", this);
    socket.addEventListener("close", this);
    this.#handshakeTimer = sink.clock.setTimeout(() => {
      this.#handshakeTimer = undefined;
      sink.count("handshakeTimeouts");
      this.close();
      this.#report();
    }, sink.limits.handshakeTimeoutMs);
    sink.flowOpened(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** Sends one frame: text when the bytes are valid UTF-8 (browsers expect text frames), else
   * binary. */
  send(bytes: Uint8Array): Promise<void> {
    let text: string | undefined;
    try {
      text = strictDecoder.decode(bytes);
    } catch {
      text = undefined;
    }
    return this.#sendFrame(text ?? bytes);
  }

  /** Sends one text frame (the transport layer's path for serialized messages). */
  sendText(text: string): Promise<void> {
    return this.#sendFrame(text);
  }

  #sendFrame(data: string | Uint8Array): Promise<void> {
    if (this.#closed || this.#socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`Cannot send on flow ${this.id}: connection closed`));
    }
    try {
      this.#socket.send(data);
      return Promise.resolve();
    } catch (error) {
      this.#sink.count("sendErrors");
      return Promise.reject(error);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket.close(1000);
    } catch {
      // not open yet or already closing: the close event reports it
    }
  }

  /** The socket's events (EventListener object: one listener, no closure per connection). */
  handleEvent(event: Event): void {
    switch (event.type) {
      case "open":
        this.#clearHandshakeTimer();
        break;
      case "message":
        this.#onMessage((event as MessageEvent).data);
        break;
      case "close":
        this.#closed = true;
        this.#report();
        break;
    }
  }

  #onMessage(data: unknown): void {
    this.#lastActivity = this.#sink.clock.now();
    if (typeof data === "string") {
      if (data === CRLFCRLF) {
        this.#sink.count("keepalivePings");
        this.sendText(CRLF).catch(() => {});
        return;
      }
      if (data === CRLF) return;
      // text as it is: the transport layer parses ASCII text without a byte round trip
      if (this.#sink.receiveText !== undefined) this.#sink.receiveText(data, this);
      else this.#sink.receive(encoder.encode(data), this);
    } else if (data instanceof ArrayBuffer) {
      const bytes = new Uint8Array(data);
      if (isKeepalive(bytes, 4)) {
        this.#sink.count("keepalivePings");
        this.sendText(CRLF).catch(() => {});
        return;
      }
      if (isKeepalive(bytes, 2)) return;
      this.#sink.receive(bytes, this);
    }
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer === undefined) return;
    this.#sink.clock.clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
  }

  #report(): void {
    this.#clearHandshakeTimer();
    if (this.#reported) return;
    this.#reported = true;
    this.#sink.flowClosed(this);
    this.#onClosed(this);
  }
}

function isKeepalive(bytes: Uint8Array, length: 2 | 4): boolean {
  if (bytes.length !== length) return false;
  for (let i = 0; i < length; i++) if (bytes[i] !== (i % 2 === 0 ? 13 : 10)) return false;
  return true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
