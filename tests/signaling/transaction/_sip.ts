/** SIP messages for transaction tests, parsed from text like real input. */

import { parseMessage } from "../../../mod/signaling/message/parse.ts";
import type { SipRequest, SipResponse } from "../../../mod/signaling/message/message.ts";

const encoder = new TextEncoder();

export interface RequestOptions {
  method?: string;
  branch?: string;
  sentBy?: string;
  uri?: string;
  callId?: string;
  cseq?: number;
  cseqMethod?: string;
  fromTag?: string;
  toTag?: string;
  route?: string[];
}

export function request(options: RequestOptions = {}): SipRequest {
  const method = options.method ?? "INVITE";
  const branch = options.branch === undefined ? "z9hG4bK-1" : options.branch;
  const via = `SIP/2.0/UDP ${options.sentBy ?? "192.0.2.1:5060"}` +
    (branch === "" ? "" : `;branch=${branch}`);
  const lines = [
    `${method} ${options.uri ?? "sip:bob@example.com"} SIP/2.0`,
    `Via: ${via}`,
    `Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-lower`,
    ...(options.route ?? []).map((r) => `Route: ${r}`),
    "Max-Forwards: 69",
    `From: Alice <sip:alice@example.com>;tag=${options.fromTag ?? "a1"}`,
    `To: Bob <sip:bob@example.com>${options.toTag ? `;tag=${options.toTag}` : ""}`,
    `Call-ID: ${options.callId ?? "call-1@192.0.2.1"}`,
    `CSeq: ${options.cseq ?? 1} ${options.cseqMethod ?? method}`,
    "Contact: <sip:alice@192.0.2.1>",
    "Content-Length: 0",
    "",
    "",
  ];
  return parseMessage(encoder.encode(lines.join("\r\n"))) as SipRequest;
}

export function response(
  status: number,
  options: { branch?: string; method?: string; toTag?: string } = {},
): SipResponse {
  const lines = [
    `SIP/2.0 ${status} Whatever`,
    `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${options.branch ?? "z9hG4bK-1"}`,
    "From: Alice <sip:alice@example.com>;tag=a1",
    `To: Bob <sip:bob@example.com>${options.toTag ? `;tag=${options.toTag}` : ""}`,
    "Call-ID: call-1@192.0.2.1",
    `CSeq: 1 ${options.method ?? "INVITE"}`,
    "Content-Length: 0",
    "",
    "",
  ];
  return parseMessage(encoder.encode(lines.join("\r\n"))) as SipResponse;
}
