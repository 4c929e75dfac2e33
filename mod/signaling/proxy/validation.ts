/**
 * Request validation of a proxy (RFC 3261 16.3): Max-Forwards, URI scheme, loops,
 * Proxy-Require. Syntax and Content-Length were checked by the message layer.
 *
 * @module
 */

import type { SipRequest } from "../message/mod.ts";
import type { LocalAddresses } from "./local_addresses.ts";
import { isLoop } from "./own_via.ts";

/** Why a request is refused: the status, reason and extra headers of the answer. */
export interface Rejection {
  status: number;
  reason: string;
  headers?: [string, string][];
}

/** URI schemes the proxy routes (RFC 3261 16.3 step 2; tel only behind a Route). */
export const ROUTABLE_SCHEMES = new Set(["sip", "sips"]);

/**
 * Checks `request` as received; undefined when it may be proxied. Max-Forwards 0 is left to
 * the caller for OPTIONS (answered by the gateway itself, RFC 3261 16.3 step 3).
 */
export function validateRequest(request: SipRequest, local: LocalAddresses): Rejection | undefined {
  const maxForwards = request.headers.get("Max-Forwards")?.trim();
  if (maxForwards !== undefined) {
    const value = Number(maxForwards);
    if (!/^\d+$/.test(maxForwards)) {
      return { status: 400, reason: "Bad Max-Forwards" };
    }
    if (value === 0 && request.method !== "OPTIONS") {
      return { status: 483, reason: "Too Many Hops" };
    }
  }
  let scheme: string;
  try {
    scheme = request.requestUri().scheme;
  } catch {
    return { status: 400, reason: "Bad Request-URI" };
  }
  if (!ROUTABLE_SCHEMES.has(scheme) && !(scheme === "tel" && request.headers.has("Route"))) {
    return { status: 416, reason: "Unsupported URI Scheme" };
  }
  if (isLoop(request, local)) return { status: 482, reason: "Loop Detected" };
  if (!request.headers.has("Proxy-Require")) return undefined;
  const required = request.headers.getAll("Proxy-Require").map((v) => v.trim()).filter((v) => v);
  if (required.length > 0 && request.method !== "CANCEL" && request.method !== "ACK") {
    return {
      status: 420,
      reason: "Bad Extension",
      headers: [["Unsupported", required.join(", ")]],
    };
  }
  return undefined;
}
