/**
 * SIP over UDP (RFC 3261 18): one socket per configured address, IPv4 or IPv6. A flow is
 * virtual: the remote address; it is never closed by the peer. Flow objects are reused per
 * address (a bounded cache), nothing else is kept per flow.
 *
 * @module
 */

import { setUdpReceiveBuffer } from "../../udp_buffer.ts";
import { endpointKey, normalizeHost } from "./_flow_id.ts";
import type { Endpoint, Flow, Transport, TransportSink } from "./transport.ts";

/** Where a UDP transport listens. */
export interface UdpListenOptions {
  /** Address to bind: `0.0.0.0`, `::` (dual stack), `127.0.0.1`...
   * @default {"0.0.0.0"} */
  hostname?: string;
  /** Port to bind; 0 picks a free one (read it back from `local`).
   * @default {5060} */
  port?: number;
}

let lastUdpTransport = 0;

/** Remote addresses whose flow objects a UDP transport keeps for reuse. */
const FLOW_CACHE_SIZE = 1024;

/** Opens a UDP socket and starts its receive loop. */
export function listenUdp(sink: TransportSink, options: UdpListenOptions = {}): UdpTransport {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 5060,
  });
  const transport = new UdpTransport(socket, sink);
  if (sink.limits.udpReceiveBuffer > 0) {
    const result = setUdpReceiveBuffer(socket.addr as Deno.NetAddr, sink.limits.udpReceiveBuffer);
    const local = endpointKey(transport.local.host, transport.local.port);
    if (result.ok) {
      sink.log.info("UDP receive buffer set", {
        local,
        requested: result.requested,
        effective: result.effective,
        before: result.before,
      });
    } else {
      sink.log.warn("UDP receive buffer left at the system default", {
        local,
        reason: result.reason,
      });
    }
  }
  return transport;
}

/** A UDP socket. Flow ids are `udp<n>/<host>:<port>`, so a flow can be found again by id. */
export class UdpTransport implements Transport {
  readonly protocol = "udp" as const;
  readonly local: Endpoint;
  readonly #socket: Deno.DatagramConn;
  readonly #sink: TransportSink;
  readonly #prefix: string;
  readonly #loop: Promise<void>;
  /** Flows by remote address (bounded: cleared when full, spoofed sources cannot grow it). */
  readonly #flows = new Map<string, UdpFlow>();
  #closed = false;

  constructor(socket: Deno.DatagramConn, sink: TransportSink) {
    const addr = socket.addr as Deno.NetAddr;
    this.local = { host: addr.hostname, port: addr.port };
    this.#socket = socket;
    this.#sink = sink;
    lastUdpTransport++;
    this.#prefix = `udp${lastUdpTransport}/`;
    this.#loop = this.#receiveLoop();
  }

  /** Whether the socket is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether this socket can reach `host` (an IPv6 socket bound to `::` reaches both). */
  canReach(host: string): boolean {
    const v6 = this.local.host.includes(":");
    return host.includes(":") ? v6 : !v6 || this.local.host === "::";
  }

  flowTo(dest: Endpoint): Promise<Flow> {
    if (this.#closed) return Promise.reject(new Error("Cannot reach flow: UDP transport closed"));
    return Promise.resolve(this.flow(dest));
  }

  /** The (virtual) flow to a remote address; the same object for the same address while it
   * is among the last {@linkcode FLOW_CACHE_SIZE} addresses seen (a flow holds nothing but
   * its address, so sharing it changes nothing but the allocations: one per datagram before,
   * kept alive by each transaction waiting for Timer K). */
  flow(remote: Endpoint): UdpFlow {
    const key = endpointKey(remote.host, remote.port);
    let flow = this.#flows.get(key);
    if (flow === undefined) {
      if (this.#flows.size >= FLOW_CACHE_SIZE) this.#flows.clear();
      flow = new UdpFlow(this, this.#prefix + key, { host: remote.host, port: remote.port });
      this.#flows.set(key, flow);
    }
    return flow;
  }

  /** The flow of an id this transport handed out, or undefined. */
  flowById(id: string): UdpFlow | undefined {
    if (!id.startsWith(this.#prefix)) return undefined;
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(id.slice(this.#prefix.length));
    if (!match) return undefined;
    return this.flow({ host: match[1] ?? match[2], port: Number(match[3]) });
  }

  /** Sends one datagram. */
  async sendTo(bytes: Uint8Array, remote: Endpoint): Promise<void> {
    if (this.#closed) throw new Error("Cannot send on UDP: transport closed");
    await this.#socket.send(bytes, { transport: "udp", hostname: remote.host, port: remote.port });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    await this.#loop;
  }

  async #receiveLoop(): Promise<void> {
    const buffer = new Uint8Array(this.#sink.limits.maxDatagramSize);
    while (!this.#closed) {
      let bytes: Uint8Array;
      let addr: Deno.NetAddr;
      try {
        const [data, from] = await this.#socket.receive(buffer);
        bytes = data.slice();
        addr = from as Deno.NetAddr;
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) return;
        // ICMP errors of earlier sends surface here on some platforms: keep receiving.
        this.#sink.log.warn("UDP receive failed", { local: this.local, error: String(error) });
        continue;
      }
      if (isKeepalive(bytes)) continue; // CRLF keepalives (RFC 5626 3.5.1 style): no answer
      try {
        this.#sink.receive(
          bytes,
          this.flow({ host: normalizeHost(addr.hostname), port: addr.port }),
        );
      } catch (error) {
        this.#sink.log.warn("UDP datagram handling failed", { error: String(error) });
      }
    }
  }
}

/** A remote address reached through a UDP socket. */
export class UdpFlow implements Flow {
  readonly protocol = "udp" as const;
  readonly reliable = false;
  readonly id: string;
  readonly remote: Endpoint;
  readonly #transport: UdpTransport;

  constructor(transport: UdpTransport, id: string, remote: Endpoint) {
    this.#transport = transport;
    this.id = id;
    this.remote = remote;
  }

  get local(): Endpoint {
    return this.#transport.local;
  }

  /** True once the socket is closed; the peer never closes a UDP flow. */
  get closed(): boolean {
    return this.#transport.closed;
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.#transport.sendTo(bytes, this.remote);
  }

  /** Nothing to close: a UDP flow is virtual. */
  close(): void {}
}

/** Whether a datagram holds only CR and LF bytes (or nothing). */
function isKeepalive(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 13 && byte !== 10) return false;
  return true;
}
