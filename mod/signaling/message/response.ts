/** Building responses to requests (RFC 3261 8.2.6, 16.3). */
import type { SipParseError } from "./errors.ts";
import { Headers } from "./headers.ts";
import { SipRequest, SipResponse } from "./message.ts";
import { parseNameAddr } from "./name_addr.ts";
import { randomHex } from "./random_id.ts";
import { REASON_PHRASES } from "./reasons.ts";

const encoder = new TextEncoder();

/** A random To tag (RFC 3261 19.3: at least 32 bits of randomness): 64 bits, 16 hex digits. */
export function randomTag(): string {
  return randomHex(8);
}

/**
 * Response to `req`: copies every Via, From, To (adding a tag when status > 100 and none is
 * there), Call-ID and CSeq (RFC 3261 8.2.6.2); Timestamp too for 100 (8.2.6.1).
 */
export function createResponse(req: SipRequest, status: number, reason?: string): SipResponse {
  const h = new Headers();
  h.copyFrom(req.headers, "via");
  h.copyFrom(req.headers, "from");
  const to = req.headers.get("to");
  if (
    to !== undefined && status > 100 &&
    !req.headers.typed("to", parseNameAddr)[0]?.params.has("tag")
  ) {
    h.append("To", `${to};tag=${randomTag()}`);
  } else h.copyFrom(req.headers, "to");
  h.copyFrom(req.headers, "call-id");
  h.copyFrom(req.headers, "cseq");
  if (status === 100) h.copyFrom(req.headers, "timestamp");
  return new SipResponse(status, reason ?? REASON_PHRASES[status] ?? "", h);
}

/**
 * Wire bytes of a stateless error response (400, 505, 513...) to a request that could not be
 * parsed, built from what the parser could read; undefined when no Via could be read, when
 * the input was a response, or when the error says to discard.
 */
export function statelessErrorResponse(err: SipParseError): Uint8Array | undefined {
  if (err.isRequest !== true || err.status < 300 || !err.vias || err.vias.length === 0) {
    return undefined;
  }
  const unsafe = /[\r\n]/;
  if (err.vias.some((v) => unsafe.test(v))) return undefined;
  let text = `SIP/2.0 ${err.status} ${err.reason}\r\n`;
  for (const v of err.vias) text += `Via: ${v}\r\n`;
  if (err.from !== undefined && !unsafe.test(err.from)) text += `From: ${err.from}\r\n`;
  if (err.to !== undefined && !unsafe.test(err.to)) {
    const tag = /;\s*tag\s*=/i.test(err.to) ? "" : `;tag=${randomTag()}`;
    text += `To: ${err.to}${tag}\r\n`;
  }
  if (err.callId !== undefined && !unsafe.test(err.callId)) text += `Call-ID: ${err.callId}\r\n`;
  if (err.cseq !== undefined && !unsafe.test(err.cseq)) text += `CSeq: ${err.cseq}\r\n`;
  text += "Content-Length: 0\r\n\r\n";
  return encoder.encode(text);
}
