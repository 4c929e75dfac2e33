/**
 * OPTIONS addressed to the gateway itself (RFC 3261 11, 16.3 step 3): a Request-URI naming
 * one of the gateway's addresses with no user part (and no browser named by `ws-src-*`), or
 * Max-Forwards 0. Answered 200 with what the gateway relays.
 *
 * @module
 */

import { createResponse, type SipRequest, type SipResponse } from "../message/mod.ts";
import type { LocalAddresses } from "./local_addresses.ts";

/** Methods the proxy relays (bodies untouched). */
export const PROXIED_METHODS = [
  "REGISTER",
  "INVITE",
  "ACK",
  "BYE",
  "CANCEL",
  "OPTIONS",
  "MESSAGE",
  "SUBSCRIBE",
  "NOTIFY",
  "PUBLISH",
  "INFO",
  "UPDATE",
  "PRACK",
  "REFER",
] as const;

/** Option tags the gateway supports (RFC 3327 path, RFC 5626 outbound). */
export const SUPPORTED_OPTIONS = ["path", "outbound"] as const;

/** Whether an OPTIONS request is for the gateway itself rather than to be relayed. */
export function isOptionsForGateway(request: SipRequest, local: LocalAddresses): boolean {
  if (request.method !== "OPTIONS") return false;
  if (request.headers.get("Max-Forwards")?.trim() === "0") return true;
  if (request.headers.has("Route")) return false;
  try {
    const uri = request.requestUri();
    if (uri.scheme !== "sip" && uri.scheme !== "sips") return false;
    if (uri.user !== undefined && uri.user !== "") return false;
    if (uri.params.has("ws-src-ip")) return false;
    return local.isLocal(uri.host, uri.port, uri.scheme, uri.params.get("transport") ?? undefined);
  } catch {
    return false;
  }
}

/** The gateway's 200 to an OPTIONS for itself. */
export function answerOptions(request: SipRequest): SipResponse {
  const response = createResponse(request, 200);
  response.headers.append("Allow", PROXIED_METHODS.join(", "));
  response.headers.append("Accept", "application/sdp");
  response.headers.append("Supported", SUPPORTED_OPTIONS.join(", "));
  return response;
}
