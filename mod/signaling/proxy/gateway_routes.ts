/**
 * The Record-Route (RFC 3261 16.6 step 4, RFC 5658 double Record-Route) and Path (RFC 3327,
 * RFC 5626 5.1) entries the gateway inserts. An entry facing a WebSocket carries the flow
 * token of the browser's flow in its user part, so that requests from the SIP side come back
 * to that flow; `ob` marks flow-token URIs (RFC 5626 5.1).
 *
 * @module
 */

import type { SipRequest } from "../message/mod.ts";
import type { Endpoint, TransportProtocol } from "../transport/transport.ts";
import { uriHost } from "./local_addresses.ts";

/** `<sip:[token@]host:port;transport=proto;lr[;ob]>` for one of the gateway's addresses. */
export function gatewayRouteUri(
  protocol: TransportProtocol,
  address: Endpoint,
  token?: string,
): string {
  const user = token === undefined ? "" : `${token}@`;
  const ob = token === undefined ? "" : ";ob";
  return `<sip:${user}${uriHost(address.host)}:${address.port};transport=${protocol};lr${ob}>`;
}

/** Methods whose out-of-dialog requests create a dialog (RFC 3261 12, RFC 6665, RFC 3515). */
export const DIALOG_FORMING_METHODS = new Set(["INVITE", "SUBSCRIBE", "REFER", "NOTIFY"]);

/** Whether the gateway must Record-Route `request`: dialog-forming and without a To tag. */
export function needsRecordRoute(request: SipRequest, toTag: string | undefined): boolean {
  return DIALOG_FORMING_METHODS.has(request.method) && (toTag === undefined || toTag === "");
}

/**
 * Inserts the gateway's Record-Route entries: `inbound` (the side the request came from)
 * first, then `outbound` on top (RFC 5658 4: the topmost entry faces the next hop). When
 * both are the same string only one is inserted.
 */
export function addRecordRoutes(request: SipRequest, inbound: string, outbound: string): void {
  request.headers.prepend("Record-Route", inbound);
  if (outbound !== inbound) request.headers.prepend("Record-Route", outbound);
}

/**
 * Whether a REGISTER asks for a Path (RFC 3327 4: `Supported: path`) or uses outbound
 * (RFC 5626: `Supported: outbound`).
 */
export function wantsPath(request: SipRequest): boolean {
  if (request.method !== "REGISTER") return false;
  return request.headers.getAll("Supported").some((value) => {
    const option = value.trim().toLowerCase();
    return option === "path" || option === "outbound";
  });
}

/** Puts the gateway's Path entry on top (RFC 3327 5.1: each proxy prepends). */
export function addPath(request: SipRequest, entry: string): void {
  request.headers.prepend("Path", entry);
}
