/**
 * One TCP or TLS connection as a {@linkcode Flow}: reads bytes through a
 * {@linkcode StreamFramer}, answers RFC 5626 CRLFCRLF keepalives with CRLF, serializes
 * writes, and reports to the {@linkcode TransportSink}.
 *
 * @module
 */

import { StreamFramer } from "../message/mod.ts";
import { nextFlowId, normalizeHost } from "./_flow_id.ts";
import type { Endpoint, TrackedFlow, TransportSink } from "./transport.ts";

const CRLF = new Uint8Array([13, 10]);
const READ_SIZE = 8192;

/** Options of {@linkcode StreamConnection}. */
export interface StreamConnectionOptions {
  /** Opened by the peer (counts against the per-IP limit).
   * @default {true} */
  inbound?: boolean;
  /** A TLS handshake: awaited before the first read, bounded by the handshake timeout; its
   * failure closes the connection. */
  handshake?: Promise<unknown>;
}

/** A TCP or TLS connection. */
export class StreamConnection implements TrackedFlow {
  readonly id: string;
  readonly protocol: "tcp" | "tls";
  readonly reliable = true;
  readonly inbound: boolean;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Resolves once the connection can carry messages (after the TLS handshake); rejects when
   * the handshake fails or times out. */
  readonly ready: Promise<void>;
  /** Resolves when the connection is closed and reported to the sink. */
  readonly done: Promise<void>;
  #lastActivity: number;
  readonly #conn: Deno.Conn;
  readonly #sink: TransportSink;
  readonly #framer: StreamFramer;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    conn: Deno.Conn,
    protocol: "tcp" | "tls",
    sink: TransportSink,
    options: StreamConnectionOptions = {},
  ) {
    this.id = nextFlowId(protocol);
    this.protocol = protocol;
    const local = conn.localAddr as Deno.NetAddr;
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.local = { host: normalizeHost(local.hostname), port: local.port };
    this.remote = { host: normalizeHost(remote.hostname), port: remote.port };
    this.#conn = conn;
    this.#sink = sink;
    this.#framer = new StreamFramer({ maxMessageSize: sink.limits.maxMessageSize });
    this.#lastActivity = sink.clock.now();
    this.inbound = options.inbound ?? true;
    sink.flowOpened(this);
    this.ready = options.handshake ? this.#bound(options.handshake) : Promise.resolve();
    this.ready.catch(() => {}); // failures are handled by the read loop and by flowTo()
    this.done = this.#readLoop(options.handshake);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** Writes all bytes; writes are queued so messages never interleave. */
  send(bytes: Uint8Array): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new Error(`Cannot send on flow ${this.id}: connection closed`));
    }
    const write = this.#writing.then(() => this.#writeAll(bytes));
    this.#writing = write.catch(() => {});
    return write;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed by the runtime: nothing left to release
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error(`Cannot send on flow ${this.id}: connection closed`);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
    } catch (error) {
      this.#sink.count("sendErrors");
      this.close();
      throw error;
    }
  }

  /** The handshake, rejected and the connection closed when it outlasts the timeout. Deno
   * releases the socket of a pending TLS handshake only once the peer sends or leaves, so
   * the flow stays counted (per-IP limit) until then. */
  #bound(handshake: Promise<unknown>): Promise<void> {
    const sink = this.#sink;
    return new Promise((resolve, reject) => {
      const timer = sink.clock.setTimeout(() => {
        sink.count("handshakeTimeouts");
        reject(new Error(`TLS handshake on flow ${this.id} timed out`));
        this.close();
      }, sink.limits.handshakeTimeoutMs);
      handshake.then(
        () => {
          sink.clock.clearTimeout(timer);
          resolve();
        },
        (error) => {
          sink.clock.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  async #readLoop(handshake?: Promise<unknown>): Promise<void> {
    try {
      if (handshake) await handshake;
      const buffer = new Uint8Array(READ_SIZE);
      while (!this.#closed) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#lastActivity = this.#sink.clock.now();
        if (await this.#handle(buffer.slice(0, n))) break;
      }
    } catch (error) {
      if (!this.#closed) {
        this.#sink.log.debug("Stream connection failed", {
          flow: this.id,
          error: String(error),
        });
      }
    } finally {
      this.close();
      this.#sink.flowClosed(this);
    }
  }

  /** Handles one chunk; true when the connection must close. */
  async #handle(chunk: Uint8Array): Promise<boolean> {
    for (const event of this.#framer.push(chunk)) {
      switch (event.type) {
        case "message":
          this.#sink.receive(event.bytes, this);
          break;
        case "ping":
          this.#sink.count("keepalivePings");
          await this.send(CRLF).catch(() => {});
          break;
        case "pong":
          break;
        case "error":
          await this.#sink.reject(event.error, this);
          if (event.fatal) return true;
          break;
      }
    }
    return false;
  }
}
