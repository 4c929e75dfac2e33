/**
 * SIP over TCP (RFC 3261 18): a listener, the connections it accepted and the ones it
 * opened, reused by remote address ({@linkcode TcpTransport.flowTo}). TLS builds on it.
 *
 * @module
 */

import { endpointKey, normalizeHost } from "./_flow_id.ts";
import { StreamConnection } from "./stream_connection.ts";
import type { Endpoint, Flow, Transport, TransportSink } from "./transport.ts";

/** Where a TCP transport listens. */
export interface TcpListenOptions {
  /** Address to bind.
   * @default {"0.0.0.0"} */
  hostname?: string;
  /** Port to bind; 0 picks a free one.
   * @default {5060} */
  port?: number;
  /** Share the port with other processes (SO_REUSEPORT, Linux).
   * @default {false} */
  reusePort?: boolean;
}

/** How a stream transport opens and accepts connections (TCP or TLS). */
export interface StreamDriver {
  readonly protocol: "tcp" | "tls";
  /** Opens a connection; `handshake` (TLS) must finish before it is read. */
  connect(dest: Endpoint): Promise<{ conn: Deno.Conn; handshake?: Promise<unknown> }>;
  /** Prepares an accepted connection; `handshake` (TLS) must finish before it is read. */
  accept(conn: Deno.Conn): { handshake?: Promise<unknown> };
}

/** Opens a TCP listener and starts accepting. */
export function listenTcp(sink: TransportSink, options: TcpListenOptions = {}): TcpTransport {
  const listener = Deno.listen({
    transport: "tcp",
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 5060,
    reusePort: options.reusePort ?? false,
  });
  return new TcpTransport(listener, sink, tcpDriver(sink));
}

/** The plain TCP driver: connect within the handshake timeout. */
export function tcpDriver(sink: TransportSink): StreamDriver {
  return {
    protocol: "tcp",
    async connect(dest) {
      const conn = await withTimeout(
        Deno.connect({ transport: "tcp", hostname: dest.host, port: dest.port }),
        sink,
        `Cannot connect to ${endpointKey(dest.host, dest.port)} over TCP: timed out`,
        (late) => late.close(),
      );
      return { conn };
    },
    accept() {
      return {};
    },
  };
}

/** Races `promise` against the sink's handshake timeout; `discard` releases a late result. */
export function withTimeout<T>(
  promise: Promise<T>,
  sink: TransportSink,
  message: string,
  discard: (late: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = sink.clock.setTimeout(() => {
      timedOut = true;
      sink.count("handshakeTimeouts");
      reject(new Error(message));
    }, sink.limits.handshakeTimeoutMs);
    promise.then(
      (value) => {
        if (timedOut) return discard(value);
        sink.clock.clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        sink.clock.clearTimeout(timer);
        if (!timedOut) reject(error);
      },
    );
  });
}

/** A TCP (or, with the TLS driver, TLS) listener and its connections. */
export class TcpTransport implements Transport {
  readonly protocol: "tcp" | "tls";
  readonly local: Endpoint;
  readonly #listener: Deno.Listener;
  readonly #sink: TransportSink;
  readonly #driver: StreamDriver;
  readonly #byRemote = new Map<string, StreamConnection>();
  readonly #connecting = new Map<string, Promise<StreamConnection>>();
  readonly #loop: Promise<void>;
  #closed = false;

  constructor(listener: Deno.Listener, sink: TransportSink, driver: StreamDriver) {
    const addr = listener.addr as Deno.NetAddr;
    this.local = { host: addr.hostname, port: addr.port };
    this.protocol = driver.protocol;
    this.#listener = listener;
    this.#sink = sink;
    this.#driver = driver;
    this.#loop = this.#acceptLoop();
  }

  /** Live connections of this transport. */
  get connections(): number {
    return this.#byRemote.size;
  }

  flowTo(dest: Endpoint): Promise<Flow> {
    if (this.#closed) {
      return Promise.reject(new Error(`Cannot reach flow: ${this.protocol} transport closed`));
    }
    const key = endpointKey(dest.host, dest.port);
    const existing = this.#byRemote.get(key);
    if (existing && !existing.closed) return Promise.resolve(existing);
    let pending = this.#connecting.get(key);
    if (!pending) {
      pending = this.#connect(dest).finally(() => this.#connecting.delete(key));
      this.#connecting.set(key, pending);
    }
    return pending;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    const connections = [...this.#byRemote.values()];
    for (const connection of connections) connection.close();
    await Promise.all([this.#loop, ...connections.map((c) => c.done)]);
  }

  async #connect(dest: Endpoint): Promise<StreamConnection> {
    const { conn, handshake } = await this.#driver.connect(dest);
    if (this.#closed) {
      conn.close();
      throw new Error(`Cannot reach flow: ${this.protocol} transport closed`);
    }
    const connection = this.#track(conn, false, handshake);
    await connection.ready;
    if (connection.closed) {
      throw new Error(`Cannot connect to ${endpointKey(dest.host, dest.port)}: closed`);
    }
    return connection;
  }

  #track(conn: Deno.Conn, inbound: boolean, handshake?: Promise<unknown>): StreamConnection {
    const connection = new StreamConnection(conn, this.protocol, this.#sink, {
      inbound,
      handshake,
    });
    const key = endpointKey(connection.remote.host, connection.remote.port);
    this.#byRemote.set(key, connection);
    connection.done.then(() => {
      if (this.#byRemote.get(key) === connection) this.#byRemote.delete(key);
    });
    return connection;
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closed) return;
        this.#sink.log.warn("Accept failed", { local: this.local, error: String(error) });
        continue;
      }
      const remote = conn.remoteAddr as Deno.NetAddr;
      if (!this.#sink.admit(normalizeHost(remote.hostname))) {
        this.#sink.count("refusedConnections");
        conn.close();
        continue;
      }
      try {
        const { handshake } = this.#driver.accept(conn);
        this.#track(conn, true, handshake);
      } catch (error) {
        this.#sink.log.warn("Connection setup failed", { error: String(error) });
        conn.close();
      }
    }
  }
}
