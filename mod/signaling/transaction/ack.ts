/**
 * Building the ACK for a non-2xx final response (RFC 3261 17.1.1.3).
 *
 * @module
 */

import type { SipRequest, SipResponse } from "../message/message.ts";
import { hopRequest } from "./_hop_request.ts";

/**
 * ACK for a 300-699 response to an INVITE, sent by the INVITE client transaction (RFC 3261
 * 17.1.1.3): Request-URI, Call-ID, From and CSeq number of the INVITE, To of the response
 * (with its tag), a single Via equal to the INVITE's top Via, the INVITE's Route header
 * fields, no body.
 */
export function createAck(invite: SipRequest, response: SipResponse): SipRequest {
  if (invite.method !== "INVITE") {
    throw new TypeError(`Cannot build ACK: the request is a ${invite.method}, not an INVITE`);
  }
  return hopRequest("ACK", invite, response.headers.get("to"));
}
