/** serializeMessage(): message to wire bytes (RFC 3261 7). */
import { headerFields } from "./headers.ts";
import type { SipMessage } from "./message.ts";
import { encodeLatin1, isLatin1 } from "./_encoding.ts";

const encoder = new TextEncoder();

/**
 * Serializes a message. Header lines that were not modified come out byte for byte as
 * received (folding included); Content-Length is set to the body length (added when absent).
 */
export function serializeMessage(msg: SipMessage): Uint8Array {
  const body = msg.body;
  let head = msg.kind === "request"
    ? `${msg.method} ${msg.uri} ${msg.version}\r\n`
    : `${msg.version} ${msg.status} ${msg.reason}\r\n`;
  let lengthDone = false;
  for (const f of headerFields(msg.headers)) {
    if (f.key === "content-length") {
      if (lengthDone) continue;
      lengthDone = true;
      if (f.raw !== undefined && /^\d+$/.test(f.value) && Number(f.value) === body.length) {
        head += f.raw + "\r\n";
      } else head += `${f.name}: ${body.length}\r\n`;
      continue;
    }
    head += (f.raw ?? `${f.name}: ${f.value}`) + "\r\n";
  }
  if (!lengthDone) head += `Content-Length: ${body.length}\r\n`;
  head += "\r\n";
  const h = isLatin1(msg.headers) ? encodeLatin1(head) : encoder.encode(head);
  if (body.length === 0) return h;
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
}
