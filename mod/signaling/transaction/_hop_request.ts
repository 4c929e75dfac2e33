/**
 * Shared builder of CANCEL and non-2xx ACK.
 *
 * @module
 */

import { Headers } from "../message/headers.ts";
import { SipRequest } from "../message/message.ts";
import { parseCSeq } from "../message/cseq.ts";

/** Default Max-Forwards when the original request had none (RFC 3261 8.1.1.6). */
const MAX_FORWARDS = "70";

/**
 * A hop-by-hop request built from `original` (CANCEL, ACK for non-2xx): a single Via equal to
 * the original's top Via, the Route fields, Max-Forwards, From, To (or `to`), Call-ID and
 * the CSeq number with `method`.
 */
export function hopRequest(
  method: string,
  original: SipRequest,
  to: string | undefined,
): SipRequest {
  const source = original.headers;
  const topVia = source.get("via");
  if (topVia === undefined) {
    throw new TypeError(`Cannot build ${method}: the ${original.method} has no Via`);
  }
  const cseq = source.get("cseq");
  if (cseq === undefined) {
    throw new TypeError(`Cannot build ${method}: the ${original.method} has no CSeq`);
  }
  const { seq } = parseCSeq(cseq);
  const headers = new Headers();
  headers.append("Via", topVia);
  for (const route of source.getAll("route")) headers.append("Route", route);
  headers.append("Max-Forwards", source.get("max-forwards") ?? MAX_FORWARDS);
  appendIfPresent(headers, "From", source.get("from"));
  if (to !== undefined) headers.append("To", to);
  else appendIfPresent(headers, "To", source.get("to"));
  appendIfPresent(headers, "Call-ID", source.get("call-id"));
  headers.append("CSeq", `${seq} ${method}`);
  return new SipRequest(method, original.uri, headers);
}

function appendIfPresent(headers: Headers, name: string, value: string | undefined): void {
  if (value !== undefined) headers.append(name, value);
}
