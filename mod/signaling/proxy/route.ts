/**
 * Next-hop selection (RFC 3261 16.4, 16.5, 16.6 steps 6-7): pops the gateway's own Route
 * entries (loose routing), removes the `sipml5-outbound` Route sipML5 adds when an outbound
 * proxy is configured (using it as the destination, as the original did), and picks the first
 * remaining Route or else the Request-URI (never the To header, the original's bug). The
 * resulting URI is then resolved by RFC 3263.
 *
 * @module
 */

import {
  formatNameAddr,
  formatUri,
  parseNameAddr,
  type SipRequest,
  type SipUri,
} from "../message/mod.ts";

/** Route parameter sipML5 puts on the Route of its outbound proxy. */
export const SIPML5_OUTBOUND = "sipml5-outbound";

/** What {@linkcode selectNextHop} decided. */
export interface NextHop {
  /** URIs of the gateway's own Route entries it removed, topmost first (flow tokens live in their user part). */
  ownRoutes: SipUri[];
  /** Where to send the request: resolve this URI by RFC 3263. */
  target: SipUri;
  /** Whether `target` came from a Route or from the Request-URI. */
  from: "route" | "request-uri";
  /** Lower case `transport=` of `target`, when it has one. */
  transport?: string;
}

/**
 * Applies route processing to `request` (modifying its Route header and, for a strict-routed
 * request, its Request-URI) and returns the next hop. `isOwn` tells whether a URI names this
 * gateway. Throws the message layer's SyntaxError when a Route or the Request-URI cannot be
 * parsed.
 */
export function selectNextHop(
  request: SipRequest,
  isOwn: (uri: SipUri) => boolean,
): NextHop {
  const headers = request.headers;
  // RFC 3261 16.4: a strict router before us put our Record-Route URI in the Request-URI.
  const ownRoutes: SipUri[] = [];
  const requestUri = request.requestUri();
  if (isOwn(requestUri) && requestUri.params.has("lr") && headers.has("Route")) {
    const routes = headers.getAll("Route");
    const last = routes[routes.length - 1];
    request.uri = formatUri(parseNameAddr(last).uri);
    headers.delete("Route");
    for (const route of routes.slice(0, -1)) headers.append("Route", route);
    ownRoutes.push(requestUri);
  }
  // sipML5's outbound Route is the destination; it comes first on in-dialog requests too,
  // above the dialog's route set, whose first entries are the gateway's own: those are
  // popped by the same loop.
  let outbound: SipUri | undefined;
  while (true) {
    const top = headers.get("Route");
    if (top === undefined) break;
    const uri = parseNameAddr(top).uri;
    if (isOwn(uri)) {
      headers.removeFirst("Route");
      ownRoutes.push(uri);
      continue;
    }
    if (outbound) break;
    if (uri.params.has(SIPML5_OUTBOUND)) {
      headers.removeFirst("Route");
      outbound = uri;
      continue;
    }
    if (!uri.params.has("lr")) {
      // RFC 3261 16.6 step 6: the next hop is a strict router.
      headers.removeFirst("Route");
      headers.append(
        "Route",
        formatNameAddr({ uri: request.requestUri(), params: new Map(), bracketed: true }),
      );
      request.uri = formatUri(uri);
    }
    return { ownRoutes, target: uri, from: "route", transport: transportOf(uri) };
  }
  if (outbound) {
    return { ownRoutes, target: outbound, from: "route", transport: transportOf(outbound) };
  }
  const target = request.requestUri();
  return { ownRoutes, target, from: "request-uri", transport: transportOf(target) };
}

function transportOf(uri: SipUri): string | undefined {
  return uri.params.get("transport")?.toLowerCase() ?? undefined;
}
