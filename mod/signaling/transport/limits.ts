/**
 * Resource limits of the transports, with their defaults.
 *
 * @module
 */

/** Limits applied by every transport. */
export interface Limits {
  /** Largest SIP message accepted, in bytes (datagram, framed message or WebSocket frame).
   * @default {65536} */
  maxMessageSize: number;
  /** Largest UDP datagram read; bigger ones are truncated by the kernel and then dropped.
   * @default {65535} */
  maxDatagramSize: number;
  /** Live inbound stream and WebSocket connections allowed from one IP address; 0: no limit.
   * @default {100} */
  maxConnectionsPerIp: number;
  /** Time allowed for a TLS handshake or a WebSocket upgrade, in milliseconds.
   * @default {10000} */
  handshakeTimeoutMs: number;
  /** A TCP or TLS connection with no bytes received (keepalives count) for this long is
   * closed, in milliseconds; connections the gateway opened are pinged with CRLFCRLF after
   * half of it. 0: never. WebSocket liveness uses pings instead ({@linkcode wsPingIntervalMs}).
   * @default {300000} */
  idleTimeoutMs: number;
  /** Interval of the WebSocket pings; a connection that does not answer one with a pong
   * within this time is closed. 0 disables pings.
   * @default {30000} */
  wsPingIntervalMs: number;
  /** Kernel receive buffer asked for on each UDP socket (`SO_RCVBUF`, mod/udp_buffer.ts), in
   * bytes; the kernel caps it at `net.core.rmem_max` and doubles it. 0 keeps the system
   * default (config.xml `<udp-receive-buffer>` asks for 4 MiB).
   * @default {0} */
  udpReceiveBuffer: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageSize: 65536,
  maxDatagramSize: 65535,
  maxConnectionsPerIp: 100,
  handshakeTimeoutMs: 10000,
  idleTimeoutMs: 300000,
  wsPingIntervalMs: 30000,
  udpReceiveBuffer: 0,
});

/** Fills the missing limits with their defaults; throws a RangeError on a negative or
 * non-integer value. */
export function resolveLimits(limits: Partial<Limits> = {}): Limits {
  const resolved: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`Cannot use limit ${key}: ${value} is not a non-negative integer`);
    }
    resolved[key] = value;
  }
  return resolved;
}
