/**
 * The transport contract (docs/internals.md): a {@linkcode Transport} owns one listening socket
 * and hands out {@linkcode Flow}s; the {@linkcode TransportLayer} owns the transports.
 *
 * A transport does no SIP parsing: it delivers the bytes of each whole message (one datagram,
 * one framed stream message, one WebSocket frame) to a {@linkcode TransportSink}, which the
 * transport layer implements.
 *
 * @module
 */

import type { SipMessage, SipParseError } from "../message/mod.ts";
import type { Limits } from "./limits.ts";

/** The transports the gateway speaks (RFC 3261 18, RFC 7118). */
export type TransportProtocol = "udp" | "tcp" | "tls" | "ws" | "wss";

/** An IP address (IPv6 without brackets) and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

/** One connection (stream or WebSocket) or one UDP remote address. */
export interface Flow {
  /** Unique per process, stable for the flow's life. */
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** False only for UDP. */
  readonly reliable: boolean;
  readonly closed: boolean;
  /** Rejects when the flow is closed or the write fails. */
  send(bytes: Uint8Array): Promise<void>;
  /** Sends a whole message given as text (its UTF-8 encoding is the wire form), for transports
   * that frame text themselves (WebSocket text frames): saves encoding it to bytes and
   * decoding them back. Optional: the transport layer falls back to `send()`. */
  sendText?(text: string): Promise<void>;
  close(): void;
}

/** A listening socket of one protocol. */
export interface Transport {
  readonly protocol: TransportProtocol;
  /** Bound address (port resolved when 0 was asked). */
  readonly local: Endpoint;
  /** Flow to reach `dest`: an existing connection is reused, else one is opened (tcp, tls);
   * UDP flows are virtual; WebSocket transports only reuse connections browsers opened. */
  flowTo(dest: Endpoint): Promise<Flow>;
  close(): Promise<void>;
}

/** What the layer above receives. */
export interface TransportEvents {
  /** Parsed messages only. */
  onMessage(message: SipMessage, flow: Flow): void;
  onFlowClosed?(flow: Flow): void;
}

/** Counters of the transport layer; input that is dropped is always counted. */
export interface TransportCounters {
  /** Messages parsed and handed to {@linkcode TransportEvents.onMessage}. */
  received: number;
  /** Unparseable messages answered with a stateless error response (400, 505, 513...). */
  answeredMalformed: number;
  /** Unparseable messages dropped: no Via could be read, or a response. */
  droppedMalformed: number;
  /** Messages larger than {@linkcode Limits.maxMessageSize}. */
  droppedOversize: number;
  /** Inbound connections refused by {@linkcode Limits.maxConnectionsPerIp}. */
  refusedConnections: number;
  /** HTTP requests on a WebSocket port that were not a valid SIP WebSocket upgrade. */
  refusedUpgrades: number;
  /** TLS handshakes or WebSocket upgrades that did not finish within the handshake timeout. */
  handshakeTimeouts: number;
  /** Stream connections closed by {@linkcode Limits.idleTimeoutMs}. */
  idleClosed: number;
  /** CRLFCRLF keepalives answered with CRLF (RFC 5626 3.5.1). */
  keepalivePings: number;
  /** CRLFCRLF keepalives sent on idle connections the gateway opened (RFC 5626 3.5.1). */
  keepalivesSent: number;
  /** Writes that failed. */
  sendErrors: number;
}

/** The names of {@linkcode TransportCounters}. */
export type TransportCounterName = keyof TransportCounters;

/** Timers, injectable so tests use a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** Structural logger (satisfied by mod/log.ts loggers). Never given secrets. */
export interface TransportLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** A flow whose last traffic time is tracked (stream and WebSocket flows). */
export interface TrackedFlow extends Flow {
  /** Clock time of the last bytes received, keepalives included. */
  readonly lastActivity: number;
  /** Opened by the peer: counts against the per-IP limit. */
  readonly inbound: boolean;
}

/** Implemented by the transport layer; what transports report to. */
export interface TransportSink {
  readonly limits: Limits;
  readonly clock: Clock;
  readonly log: TransportLog;
  /** Bytes of one whole message: a datagram, a framed stream message, a WebSocket frame. */
  receive(bytes: Uint8Array, flow: Flow): void;
  /** One whole message received as text (a WebSocket text frame) whose UTF-8 encoding is the
   * message: the same as `receive` of those bytes, without encoding them. Optional: transports
   * encode the text and call `receive` without it. */
  receiveText?(text: string, flow: Flow): void;
  /** Answers (when it can) and counts a message that could not be framed or parsed. */
  reject(error: SipParseError, flow: Flow): Promise<void>;
  /** Whether one more inbound connection from `host` is allowed. */
  admit(host: string): boolean;
  /** A stream or WebSocket flow opened; inbound ones count against the per-IP limit. */
  flowOpened(flow: TrackedFlow): void;
  /** A stream or WebSocket flow closed (called once per flow). */
  flowClosed(flow: TrackedFlow): void;
  count(name: TransportCounterName): void;
}
