/**
 * Building CANCEL (RFC 3261 9.1).
 *
 * @module
 */

import type { SipRequest } from "../message/message.ts";
import { hopRequest } from "./_hop_request.ts";

/**
 * CANCEL for a request (RFC 3261 9.1): same Request-URI, Call-ID, To, From and CSeq number,
 * CSeq method CANCEL, a single Via equal to the request's top Via (same branch), the Route
 * header fields copied, no body.
 */
export function createCancel(request: SipRequest): SipRequest {
  if (request.method === "ACK" || request.method === "CANCEL") {
    throw new TypeError(`Cannot build CANCEL: a ${request.method} cannot be cancelled`);
  }
  return hopRequest("CANCEL", request, undefined);
}
