/**
 * parseMessage(): one SIP message from a datagram (RFC 3261 7, 18.3), with the validation a
 * proxy needs before it takes responsibility for a request (RFC 3261 16.3, RFC 4475).
 *
 * Header lines are split at parse time; the typed views that validation needs (Via, From,
 * To, CSeq, Contact) are parsed once and stay cached in the Headers. A response's Vias are
 * checked without being built (only its top Via is read, by the transaction layer).
 */
import { SipParseError } from "./errors.ts";
import { type HeaderField, headersFromFields, seedView } from "./headers.ts";
import { headerKey } from "./header_names.ts";
import { SipMessage, SipRequest, SipResponse } from "./message.ts";
import { type NameAddr, parseContact, parseNameAddr } from "./name_addr.ts";
import { type CSeq, parseCSeq } from "./cseq.ts";
import { parseContentLength, parseMaxForwards } from "./numbers.ts";
import { checkUri } from "./uri.ts";
import { checkVia, parseVia, type Via } from "./via.ts";
import { isToken, splitList, trimLws } from "./_scan.ts";
import { decodeLatin1, markLatin1 } from "./_encoding.ts";

/** Options of {@linkcode parseMessage}. */
export interface ParseOptions {
  /** Largest accepted message in bytes. @default {65536} */
  maxSize?: number;
}

const utf8 = new TextDecoder("utf-8");
const encoder = new TextEncoder();

/** Index of the CRLFCRLF that ends the header section at or after `from`, or -1. */
export function findHeadEnd(bytes: Uint8Array, from: number): number {
  let i = from;
  const n = bytes.length - 3;
  while (i < n) {
    i = bytes.indexOf(13, i);
    if (i < 0 || i >= n) return -1;
    if (bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
    i++;
  }
  return -1;
}

function fail(detail: string, status = 400): never {
  throw new SipParseError(`Cannot parse message: ${detail}`, { status });
}

/** Splits the header section into logical lines (folded continuations stay in their line). */
function splitLines(head: string): string[] {
  const lines: string[] = [];
  let from = 0;
  for (;;) {
    const cr = head.indexOf("\r", from);
    const lf = head.indexOf("\n", from);
    const end = cr < 0 ? head.length : cr;
    if (lf !== (cr < 0 ? -1 : cr + 1)) fail("bare CR or LF in a header line");
    const line = head.slice(from, end);
    const c = line.charCodeAt(0);
    if ((c === 32 || c === 9) && lines.length > 0) lines[lines.length - 1] += "\r\n" + line;
    else lines.push(line);
    if (cr < 0) return lines;
    from = end + 2;
  }
}

function toField(line: string): HeaderField {
  const colon = line.indexOf(":");
  if (colon < 0) fail(`header line "${line.slice(0, 40)}" has no colon`);
  let nameEnd = colon;
  while (nameEnd > 0) {
    const c = line.charCodeAt(nameEnd - 1);
    if (c !== 32 && c !== 9) break;
    nameEnd--;
  }
  const name = line.slice(0, nameEnd);
  if (!isToken(name)) fail(`invalid header name "${name.slice(0, 40)}"`);
  let value = line.slice(colon + 1);
  if (value.indexOf("\r\n") >= 0) value = value.replace(/[ \t]*\r\n[ \t]+/g, " ");
  return { name, key: headerKey(name), value: trimLws(value), raw: line };
}

/** Logical lines of a header section; a lenient split when it has bare CRs or LFs. */
function headLines(head: Uint8Array): string[] {
  const text = decodeLatin1(head);
  try {
    return splitLines(text);
  } catch {
    return text.split(/\r?\n(?![ \t])/);
  }
}

/**
 * Fills `err` with the Via, Call-ID, From, To and CSeq values and the kind of message read
 * from a header section (bytes before the empty line), for a stateless answer.
 */
export function fillErrorContext(err: SipParseError, head: Uint8Array): void {
  let i = 0;
  while (i + 1 < head.length && head[i] === 13 && head[i + 1] === 10) i += 2;
  const isResponse = (head[i] | 0x20) === 115 && (head[i + 1] | 0x20) === 105 &&
    (head[i + 2] | 0x20) === 112 && head[i + 3] === 47;
  err.isRequest = !isResponse;
  fillContext(err, headLines(head.subarray(i)));
}

/** Reads Via, Call-ID, From, To and CSeq from raw lines, for a stateless error answer. */
function fillContext(err: SipParseError, lines: string[]): void {
  const vias: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon < 0) continue;
    const key = headerKey(lines[i].slice(0, colon).trim());
    const value = trimLws(lines[i].slice(colon + 1).replace(/[ \t]*\r\n[ \t]+/g, " "));
    if (/[\r\n]/.test(value)) continue; // never echo line breaks into an answer
    if (key === "via") {
      for (const v of value.split(",")) if (v.trim() !== "") vias.push(v.trim());
    } else if (key === "call-id") err.callId ??= value;
    else if (key === "from") err.from ??= value;
    else if (key === "to") err.to ??= value;
    else if (key === "cseq") err.cseq ??= value;
  }
  if (vias.length > 0) err.vias = vias;
}

const VERSION = /^SIP\/\d+\.\d+$/i;

/**
 * Parses one message from a datagram. Content-Length bounds the body and trailing bytes are
 * ignored; without Content-Length the body is the rest of the datagram. Throws
 * SipParseError (status 400, 505, 513; 0 = discard, for responses). The body is a view
 * into `bytes`.
 */
export function parseMessage(bytes: Uint8Array, options: ParseOptions = {}): SipMessage {
  const maxSize = options.maxSize ?? 65536;
  let start = 0;
  while (start + 1 < bytes.length && bytes[start] === 13 && bytes[start + 1] === 10) start += 2;
  // "SIP/" in any case starts a status line.
  const isResponse = (bytes[start] | 0x20) === 115 && (bytes[start + 1] | 0x20) === 105 &&
    (bytes[start + 2] | 0x20) === 112 && bytes[start + 3] === 47;
  let lines: string[] = [];
  try {
    if (bytes.length - start > maxSize) {
      // Read the header section (if it fits) so that the 513 can be answered.
      const end = findHeadEnd(bytes.subarray(0, start + maxSize), start);
      if (end >= 0) lines = headLines(bytes.subarray(start, end));
      fail(`${bytes.length - start} bytes exceed the limit of ${maxSize}`, 513);
    }
    if (start >= bytes.length) fail("empty input");
    const headEnd = findHeadEnd(bytes, start);
    let headBytes: Uint8Array;
    let bodyStart: number;
    if (headEnd < 0) {
      let end = bytes.length;
      if (bytes[end - 2] === 13 && bytes[end - 1] === 10) end -= 2;
      headBytes = bytes.subarray(start, end);
      bodyStart = bytes.length;
    } else {
      headBytes = bytes.subarray(start, headEnd);
      bodyStart = headEnd + 4;
    }
    let head = utf8.decode(headBytes);
    let isLatin1 = false;
    if (head.indexOf("\uFFFD") >= 0) {
      head = decodeLatin1(headBytes);
      isLatin1 = true;
    }
    lines = splitLines(head);
    const { msg, length } = parseHead(lines, isResponse, isLatin1);
    const available = bytes.length - bodyStart;
    // The body is a view into `bytes` (no copy).
    if (length === undefined) msg.body = bytes.subarray(bodyStart);
    else if (length > available) {
      fail(`Content-Length ${length} exceeds the ${available} bytes received`);
    } else msg.body = bytes.subarray(bodyStart, bodyStart + length);
    return msg;
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    e.isRequest = !isResponse;
    if (lines.length === 0) {
      const limit = Math.min(bytes.length, start + maxSize);
      const end = findHeadEnd(bytes.subarray(0, limit), start);
      lines = headLines(bytes.subarray(start, end < 0 ? limit : end));
    }
    if (isResponse) {
      e.status = 0;
      e.reason = "Discard";
    }
    fillContext(e, lines);
    throw e;
  }
}

/** The message of a header section split in lines, validated; Content-Length if any. */
function parseHead(
  lines: string[],
  isResponse: boolean,
  isLatin1: boolean,
): { msg: SipMessage; length: number | undefined } {
  const msg = parseStartLine(lines[0], isResponse);
  const fields: HeaderField[] = new Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) fields[i - 1] = toField(lines[i]);
  if (msg instanceof SipParseError) throw msg;
  msg.headers = headersFromFields(fields);
  if (isLatin1) markLatin1(msg.headers);
  return { msg, length: validate(msg, fields) };
}

/**
 * Parses one message received as text (a WebSocket text frame, RFC 7118), whose UTF-8 encoding
 * is the message: the same result and the same errors as `parseMessage` of those bytes. Text
 * that is only ASCII (one byte per char, so Content-Length and `maxSize` count chars) is
 * parsed as it is, without encoding it to bytes and decoding the header section back; only
 * the body is encoded. Other text, and text that fails to parse, goes through `parseMessage`.
 */
export function parseMessageText(text: string, options: ParseOptions = {}): SipMessage {
  const maxSize = options.maxSize ?? 65536;
  let start = 0;
  while (
    start + 1 < text.length && text.charCodeAt(start) === 13 && text.charCodeAt(start + 1) === 10
  ) {
    start += 2;
  }
  if (start >= text.length || text.length - start > maxSize || !isAscii(text)) {
    return parseMessage(encoder.encode(text), options);
  }
  const isResponse = (text.charCodeAt(start) | 0x20) === 115 &&
    (text.charCodeAt(start + 1) | 0x20) === 105 && (text.charCodeAt(start + 2) | 0x20) === 112 &&
    text.charCodeAt(start + 3) === 47;
  const headEnd = text.indexOf("\r\n\r\n", start);
  let head: string;
  let bodyStart: number;
  if (headEnd < 0) {
    let end = text.length;
    if (text.charCodeAt(end - 2) === 13 && text.charCodeAt(end - 1) === 10) end -= 2;
    head = text.slice(start, end);
    bodyStart = text.length;
  } else {
    head = text.slice(start, headEnd);
    bodyStart = headEnd + 4;
  }
  let parsed: { msg: SipMessage; length: number | undefined };
  try {
    parsed = parseHead(splitLines(head), isResponse, false);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    // the byte path throws the identical error, with what it could read for an answer
    return parseMessage(encoder.encode(text), options);
  }
  const { msg, length } = parsed;
  const available = text.length - bodyStart;
  if (length !== undefined && length > available) {
    return parseMessage(encoder.encode(text), options);
  }
  const bodyEnd = length === undefined ? text.length : bodyStart + length;
  if (bodyEnd > bodyStart) msg.body = encoder.encode(text.slice(bodyStart, bodyEnd));
  return msg;
}

/** Whether every char of `text` is ASCII (below 0x80). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function parseStartLine(line: string, isResponse: boolean): SipMessage | SipParseError {
  if (isResponse) {
    const sp1 = line.indexOf(" ");
    const version = sp1 < 0 ? line : line.slice(0, sp1);
    if (version.toUpperCase() !== "SIP/2.0") fail(`unsupported version ${version.slice(0, 20)}`, 0);
    let sp2 = line.indexOf(" ", sp1 + 1);
    if (sp2 < 0) sp2 = line.length;
    const code = line.slice(sp1 + 1, sp2);
    if (!/^[1-6]\d\d$/.test(code)) fail(`invalid status code "${code.slice(0, 20)}"`, 0);
    return new SipResponse(Number(code), line.slice(sp2 + 1));
  }
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 < 0 ? -1 : line.indexOf(" ", sp1 + 1);
  if (
    sp1 <= 0 || sp2 < 0 || sp2 === sp1 + 1 || sp2 === line.length - 1 ||
    line.indexOf(" ", sp2 + 1) >= 0
  ) {
    fail("malformed Request-Line");
  }
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) fail(`method "${method.slice(0, 20)}" is not a token`);
  if (!VERSION.test(version)) fail(`invalid SIP-Version "${version.slice(0, 20)}"`);
  const req = new SipRequest(method, uri);
  req.version = version;
  if (version.toUpperCase() !== "SIP/2.0") {
    // Reported after the headers were read so that a 505 can be answered.
    return new SipParseError(`Cannot parse message: unsupported version ${version}`, {
      status: 505,
    });
  }
  return req;
}

/** Checks the rules of RFC 3261 8.1.1 / 16.3 / RFC 4475; returns Content-Length if any. */
function validate(msg: SipMessage, fields: HeaderField[]): number | undefined {
  const isRequest = msg.kind === "request";
  let callIds = 0, maxForwards = 0, viaCount = 0;
  let length: number | undefined;
  const froms: NameAddr[] = [];
  const tos: NameAddr[] = [];
  const cseqs: CSeq[] = [];
  const vias: Via[] = [];
  const contacts: (NameAddr | "*")[] = [];
  for (const f of fields) {
    switch (f.key) {
      case "call-id":
        callIds++;
        if (f.value === "" || f.value.indexOf(" ") >= 0 || f.value.indexOf("\t") >= 0) {
          fail("invalid Call-ID");
        }
        break;
      case "from":
        froms.push(parseNameAddr(f.value));
        break;
      case "to":
        tos.push(parseNameAddr(f.value));
        break;
      case "cseq":
        cseqs.push(parseCSeq(f.value));
        break;
      case "via":
        f.values ??= splitList(f.value);
        // A request's Vias are all read (loop detection); of a response's, only the top.
        if (isRequest) { for (const v of f.values) vias.push(parseVia(v)); }
        else for (const v of f.values) checkVia(v);
        viaCount += f.values.length;
        break;
      case "contact":
        f.values ??= splitList(f.value);
        for (const v of f.values) contacts.push(parseContact(v));
        break;
      case "max-forwards":
        maxForwards++;
        parseMaxForwards(f.value);
        break;
      case "content-length": {
        const n = parseContentLength(f.value);
        if (length !== undefined && length !== n) fail("conflicting Content-Length values");
        length = n;
        break;
      }
    }
  }
  if (callIds === 0) fail("Call-ID header is missing");
  if (froms.length === 0) fail("From header is missing");
  if (tos.length === 0) fail("To header is missing");
  if (cseqs.length === 0) fail("CSeq header is missing");
  if (viaCount === 0) fail("Via header is missing");
  if (callIds > 1) fail("more than one Call-ID header");
  if (froms.length > 1) fail("more than one From header");
  if (tos.length > 1) fail("more than one To header");
  if (cseqs.length > 1) fail("more than one CSeq header");
  if (maxForwards > 1) fail("more than one Max-Forwards header");
  // The views the proxy reads first are cached now (same parsers as views.ts uses).
  const h = msg.headers;
  seedView(h, "from", parseNameAddr, froms);
  seedView(h, "to", parseNameAddr, tos);
  seedView(h, "cseq", parseCSeq, cseqs);
  if (isRequest) seedView(h, "via", parseVia, vias);
  if (contacts.length > 0) seedView(h, "contact", parseContact, contacts);
  const cseq = cseqs[0];
  if (msg.kind === "request") {
    if (cseq.method !== msg.method) fail(`CSeq method ${cseq.method} differs from ${msg.method}`);
    // checked, built on first use by requestUri()
    if (checkUri(msg.uri)) fail("Request-URI must not contain headers");
  }
  return length;
}
