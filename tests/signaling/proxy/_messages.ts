/**
 * Builders of SIP messages for the proxy tests: browser-style (sipML5, JsSIP) and SIP-side
 * requests as wire text, parsed by the real message layer.
 *
 * @module
 */

import {
  parseMessage,
  type SipRequest,
  type SipResponse,
} from "../../../mod/signaling/message/mod.ts";

const encoder = new TextEncoder();

/** Parses wire text (lines joined with CRLF, blank line and body appended). */
export function wire(lines: string[], body = ""): Uint8Array {
  const head = lines.filter((l) => !/^content-length:/i.test(l));
  head.push(`Content-Length: ${encoder.encode(body).length}`);
  return encoder.encode(head.join("\r\n") + "\r\n\r\n" + body);
}

/** A request from wire lines. */
export function request(lines: string[], body = ""): SipRequest {
  const message = parseMessage(wire(lines, body));
  if (message.kind !== "request") throw new Error("not a request");
  return message;
}

/** A response from wire lines. */
export function response(lines: string[], body = ""): SipResponse {
  const message = parseMessage(wire(lines, body));
  if (message.kind !== "response") throw new Error("not a response");
  return message;
}

/** A sipML5 REGISTER (outbound proxy configured: Route with sipml5-outbound). */
export function sipml5Register(options: { route?: string } = {}): SipRequest {
  return request([
    "REGISTER sip:example.com SIP/2.0",
    "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKaaaa1111;rport",
    "From: <sip:alice@example.com>;tag=ftag1",
    "To: <sip:alice@example.com>",
    'Contact: <sip:alice@df7jal23ls0d.invalid;rtcweb-breaker=no;transport=ws>;expires=200;click2call=no;+g.oma.sip-im;language="en,fr"',
    "Call-ID: reg-call-1",
    "CSeq: 1 REGISTER",
    "Max-Forwards: 70",
    ...(options.route ? [`Route: ${options.route}`] : []),
    "User-Agent: IM-client/OMA1.0 sipML5-v1.2016.03.04",
  ]);
}

/** A JsSIP REGISTER (Supported: path, outbound; reg-id and +sip.instance). */
export function jssipRegister(): SipRequest {
  return request([
    "REGISTER sip:example.com SIP/2.0",
    "Via: SIP/2.0/WSS 3cnu6qgsp0a2.invalid;branch=z9hG4bK1234567",
    "Max-Forwards: 69",
    "To: <sip:bob@example.com>",
    "From: <sip:bob@example.com>;tag=jstag",
    "Call-ID: jssip-call-1",
    "CSeq: 1 REGISTER",
    'Contact: <sip:q3sn1mmi@3cnu6qgsp0a2.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:5a1b>";expires=600',
    "Expires: 600",
    "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY",
    "Supported: path,gruu,outbound",
    "User-Agent: JsSIP 3.13.8",
  ]);
}

/** A browser INVITE (sipML5 style, optional Route). */
export function browserInvite(options: { route?: string; uri?: string } = {}): SipRequest {
  return request(
    [
      `INVITE ${options.uri ?? "sip:bob@example.com"} SIP/2.0`,
      "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKinv1;rport",
      'From: "Alice" <sip:alice@example.com>;tag=atag',
      "To: <sip:bob@example.com>",
      "Contact: <sip:alice@df7jal23ls0d.invalid;rtcweb-breaker=no;transport=ws>;+sip.ice",
      "Call-ID: inv-call-1",
      "CSeq: 10 INVITE",
      "Max-Forwards: 70",
      ...(options.route ? [`Route: ${options.route}`] : []),
      "Content-Type: application/sdp",
    ],
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
  );
}

/** The browser's CANCEL of {@linkcode browserInvite} (same branch, Call-ID, CSeq number). */
export function browserCancel(): SipRequest {
  return request([
    "CANCEL sip:bob@example.com SIP/2.0",
    "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKinv1;rport",
    'From: "Alice" <sip:alice@example.com>;tag=atag',
    "To: <sip:bob@example.com>",
    "Call-ID: inv-call-1",
    "CSeq: 10 CANCEL",
    "Max-Forwards: 70",
  ]);
}
