/**
 * The gateway's own addresses: what it writes into Via, Record-Route, Path and Contact for
 * each transport (the advertised address), and how it recognises a URI or a Via that points
 * at itself (Route popping, loop detection, OPTIONS to the gateway).
 *
 * @module
 */

import type { Endpoint, TransportProtocol } from "../transport/transport.ts";

/** One listening transport: its protocol and bound address. */
export interface ListenAddress {
  readonly protocol: TransportProtocol;
  readonly local: Endpoint;
}

/** Options of {@linkcode LocalAddresses}. */
export interface LocalAddressesOptions {
  /**
   * Host or IP written in Via, Record-Route, Path and Contact (config `public-address`).
   * @default {the bound address of each transport; for a wildcard bind, the first of `interfaceAddresses`}
   */
  publicAddress?: string;
  /**
   * Addresses of this machine, used for wildcard binds (`0.0.0.0`, `::`): such a transport
   * is reachable at every one of them.
   * @default {["127.0.0.1", "::1"]}
   */
  interfaceAddresses?: readonly string[];
  /** More names that mean this gateway (its DNS names, a load balancer's name). */
  aliases?: readonly string[];
}

const WILDCARDS = new Set(["0.0.0.0", "::", "*"]);

/** Port a SIP URI without a port means (RFC 3261 19.1.2, RFC 7118 for ws). */
export function defaultPort(scheme: string, transport?: string): number {
  const t = transport?.toLowerCase();
  if (t === "ws") return 80;
  if (t === "wss") return 443;
  return scheme === "sips" || t === "tls" ? 5061 : 5060;
}

/** Lower case host without IPv6 brackets. */
export function bareHost(host: string): string {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return h.toLowerCase();
}

/** Host as written in a URI or Via: IPv6 in brackets. */
export function uriHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** The gateway's listening and advertised addresses. */
export class LocalAddresses {
  #advertised = new Map<TransportProtocol, Endpoint>();
  #hosts = new Set<string>();
  #ports = new Set<number>();

  constructor(listen: readonly ListenAddress[], options: LocalAddressesOptions = {}) {
    const interfaces = options.interfaceAddresses ?? ["127.0.0.1", "::1"];
    for (const address of interfaces) this.#hosts.add(bareHost(address));
    for (const alias of options.aliases ?? []) this.#hosts.add(bareHost(alias));
    if (options.publicAddress !== undefined) this.#hosts.add(bareHost(options.publicAddress));
    for (const { protocol, local } of listen) {
      const wildcard = WILDCARDS.has(local.host);
      if (!wildcard) this.#hosts.add(bareHost(local.host));
      this.#ports.add(local.port);
      if (this.#advertised.has(protocol)) continue;
      const host = options.publicAddress ??
        (wildcard ? (interfaces.find((a) => !a.includes(":")) ?? interfaces[0]) : local.host);
      if (host === undefined) continue;
      this.#advertised.set(protocol, { host: bareHost(host), port: local.port });
    }
  }

  /** Address written for `protocol` (host bare, IPv6 without brackets); undefined if not listening. */
  advertised(protocol: TransportProtocol): Endpoint | undefined {
    return this.#advertised.get(protocol);
  }

  /** Protocols the gateway listens on. */
  protocols(): TransportProtocol[] {
    return [...this.#advertised.keys()];
  }

  /** Whether `host` (any form) is one of this gateway's names or addresses. */
  isLocalHost(host: string): boolean {
    return this.#hosts.has(bareHost(host));
  }

  /**
   * Whether host:port names this gateway. `port` undefined is the default port of the
   * scheme / transport.
   */
  isLocal(host: string, port: number | undefined, scheme = "sip", transport?: string): boolean {
    if (!this.isLocalHost(host)) return false;
    return this.#ports.has(port ?? defaultPort(scheme, transport));
  }
}
