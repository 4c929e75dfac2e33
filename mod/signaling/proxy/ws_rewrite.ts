/**
 * Browser-side rewriting, compatible with the original webrtc2sip (RFC 7118 clients send
 * `.invalid` hosts that nobody on the SIP side can reach):
 *
 * - the browser's Via `SIP/2.0/WS xxx.invalid;branch=B` becomes
 *   `SIP/2.0/TCP <peer-ip>:<peer-port>;branch=B;ws-hacked=WS` (WSS for secure sockets); the
 *   original Via is put back on responses ({@linkcode restoreVias});
 * - Contact URIs get the gateway's SIP-side host/port and `transport=`, plus `ws-src-ip`,
 *   `ws-src-port` and `ws-src-proto` naming the browser's connection, so that requests from the
 *   SIP side find the browser again ({@linkcode wsSourceOf}).
 *
 * @module
 */

import {
  formatNameAddr,
  formatVia,
  getVias,
  parseNameAddr,
  parseVia,
  type SipMessage,
  type SipUri,
  type Via,
} from "../message/mod.ts";
import type { Endpoint, TransportProtocol } from "../transport/transport.ts";
import { bareHost, uriHost } from "./local_addresses.ts";

/** A browser's WebSocket connection, as named by the `ws-src-*` Contact parameters. */
export interface WsSource {
  protocol: "ws" | "wss";
  /** The browser's address as the gateway sees it (IPv6 without brackets). */
  remote: Endpoint;
}

/** Via parameter marking a rewritten browser Via; its value is WS or WSS. */
export const WS_HACKED = "ws-hacked";

/**
 * Rewrites the topmost Via of a request that arrived on a WebSocket: transport TCP, sent-by
 * the peer's address, `ws-hacked=WS|WSS`, other parameters kept, an empty `rport` filled with
 * the peer's port (RFC 3581). Returns the Via value as it was.
 */
export function hackWsVia(message: SipMessage, source: WsSource): string | undefined {
  const original = message.headers.get("Via");
  if (original === undefined) return undefined;
  const top = topViaOf(message, original);
  const params = new Map(top.params); // a copy: the cached view stays unchanged
  if (params.has("rport") && params.get("rport") === null) {
    params.set("rport", String(source.remote.port));
  }
  params.set(WS_HACKED, source.protocol.toUpperCase());
  const via: Via = {
    protocol: top.protocol,
    transport: "TCP",
    host: uriHost(source.remote.host),
    port: source.remote.port,
    params,
  };
  message.headers.removeFirst("Via");
  message.headers.prepend("Via", formatVia(via));
  return original;
}

/** The parsed top Via: the message layer's cached view, else `top` parsed. */
function topViaOf(message: SipMessage, top: string): Via {
  try {
    const vias = getVias(message.headers);
    if (vias.length > 0) return vias[0];
  } catch {
    // a lower Via is malformed: only the top one matters here
  }
  return parseVia(top);
}

/**
 * Puts back the Vias the browser sent (RFC 3261 16.7 step 9 sends the response with the
 * Vias that remain below ours; the browser checks its own Via, e.g. JsSIP drops responses
 * whose Via host is not its `.invalid` name).
 */
export function restoreVias(message: SipMessage, originalVias: readonly string[]): void {
  message.headers.delete("Via");
  for (const via of originalVias) message.headers.append("Via", via);
}

/**
 * Makes every Contact URI of `message` reachable through the gateway: host/port of the
 * gateway's SIP-side address for `sipProtocol`, `transport=` that protocol, and the
 * `ws-src-*` parameters naming `source`. `*` and non-SIP URIs are left alone.
 */
export function rewriteContacts(
  message: SipMessage,
  source: WsSource,
  sipProtocol: TransportProtocol,
  sipSide: Endpoint,
): void {
  const values = message.headers.getAll("Contact");
  if (values.length === 0) return;
  let changed = false;
  const rewritten = values.map((value) => {
    if (value.trim() === "*") return value;
    const contact = parseNameAddr(value);
    if (contact.uri.scheme !== "sip" && contact.uri.scheme !== "sips") return value;
    rewriteContactUri(contact.uri, source, sipProtocol, sipSide);
    contact.bracketed = true;
    changed = true;
    return formatNameAddr(contact);
  });
  if (changed) message.headers.set("Contact", rewritten.join(", "));
}

/** The URI part of {@linkcode rewriteContacts}. */
export function rewriteContactUri(
  uri: SipUri,
  source: WsSource,
  sipProtocol: TransportProtocol,
  sipSide: Endpoint,
): void {
  uri.host = uriHost(sipSide.host);
  uri.port = sipSide.port;
  uri.params.set("transport", sipProtocol);
  uri.params.set("ws-src-ip", bareHost(source.remote.host));
  uri.params.set("ws-src-port", String(source.remote.port));
  uri.params.set("ws-src-proto", source.protocol);
}

/** The browser connection a URI names by its `ws-src-*` parameters, if it names one. */
export function wsSourceOf(uri: SipUri): WsSource | undefined {
  const ip = uri.params.get("ws-src-ip");
  const portText = uri.params.get("ws-src-port");
  const proto = uri.params.get("ws-src-proto")?.toLowerCase() ?? "ws";
  if (ip == null || ip === "" || portText == null) return undefined;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return undefined;
  if (proto !== "ws" && proto !== "wss") return undefined;
  return { protocol: proto, remote: { host: bareHost(ip), port: Number(portText) } };
}

/** Key naming a browser connection: `proto host port`. */
export function wsSourceKey(source: WsSource): string {
  return `${source.protocol} ${bareHost(source.remote.host)} ${source.remote.port}`;
}
