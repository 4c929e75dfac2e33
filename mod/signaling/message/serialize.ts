/**
 * serializeMessage(): message to wire bytes (RFC 3261 7); serializeMessageText(): the same
 * message as a string, for transports that frame text themselves (WebSocket text frames, RFC
 * 7118 5), without encoding to bytes and decoding back.
 *
 * @module
 */
import { headerFields } from "./headers.ts";
import type { SipMessage } from "./message.ts";
import { encodeLatin1, isLatin1 } from "./_encoding.ts";

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Serializes a message. Header lines that were not modified come out byte for byte as
 * received (folding included); Content-Length is set to the body length (added when absent).
 */
export function serializeMessage(msg: SipMessage): Uint8Array {
  const body = msg.body;
  const head = serializeHead(msg);
  const latin1 = isLatin1(msg.headers);
  if (!latin1) {
    // An ASCII head (the usual case) is one byte per char: written straight into the message's
    // buffer, no intermediate bytes and no copy.
    const out = new Uint8Array(head.length + body.length);
    const { read, written } = encoder.encodeInto(head, out);
    if (read === head.length && written === head.length) {
      if (body.length > 0) out.set(body, written);
      return out;
    }
  }
  const h = latin1 ? encodeLatin1(head) : encoder.encode(head);
  if (body.length === 0) return h;
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
}

/**
 * The message of {@linkcode serializeMessage} as text: the string whose UTF-8 encoding is
 * exactly the bytes `serializeMessage(msg)` returns, or undefined when those bytes are not
 * valid UTF-8 (a head received as latin1 with bytes above 0x7F, a binary body): such a
 * message must go as bytes.
 */
export function serializeMessageText(msg: SipMessage): string | undefined {
  const head = serializeHead(msg);
  // a latin1 head holds bytes that were not valid UTF-8 (unless all of them are ASCII)
  if (isLatin1(msg.headers) && !isAscii(head)) return undefined;
  const body = msg.body;
  if (body.length === 0) return head;
  let text: string;
  try {
    text = strictDecoder.decode(body);
  } catch {
    return undefined;
  }
  return head + text;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Start line, header lines, Content-Length and the empty line. */
function serializeHead(msg: SipMessage): string {
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
  return head;
}
