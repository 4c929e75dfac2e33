import type { TransportProtocol } from "./transport.ts";

let lastFlowId = 0;

/** A flow id unique in this process, e.g. `ws-12`. */
export function nextFlowId(protocol: TransportProtocol): string {
  lastFlowId++;
  return `${protocol}-${lastFlowId}`;
}

/** `host:port`, IPv6 hosts in brackets: the key of a remote address. */
export function endpointKey(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, seen on dual-stack `::` sockets) as the
 * IPv4 address it is; other hosts unchanged. */
export function normalizeHost(host: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(host) ? host.slice(7) : host;
}
