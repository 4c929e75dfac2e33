/**
 * StreamFramer: cuts a byte stream (TCP, TLS) into SIP messages by Content-Length (RFC 3261
 * 18.3), and recognises RFC 5626 3.5.1 keepalives between messages: CRLFCRLF is a ping (answer
 * with CRLF), a lone CRLF is a pong. Bodies are never scanned. Every error is fatal (close
 * the connection); a 513 for a message whose header section was read carries its Via,
 * Call-ID... so that statelessErrorResponse() can answer before closing.
 */
import { SipParseError } from "./errors.ts";
import { headerKey } from "./header_names.ts";
import { parseContentLength } from "./numbers.ts";
import { fillErrorContext, findHeadEnd } from "./parse.ts";

/** What {@linkcode StreamFramer.push} found. */
export type FramerEvent =
  | { type: "message"; bytes: Uint8Array }
  | { type: "ping" }
  | { type: "pong" }
  | { type: "error"; error: SipParseError; fatal: boolean };

/** Options of {@linkcode StreamFramer}. */
export interface StreamFramerOptions {
  /** Largest message (header section + body) in bytes; larger is a fatal error. @default {65536} */
  maxMessageSize?: number;
}

const latin1 = new TextDecoder("latin1");

/** Incremental framer for one connection. After a fatal error it yields nothing more. */
export class StreamFramer {
  #max: number;
  #buf = new Uint8Array(0);
  #len = 0;
  #scanFrom = 0;
  /** End offset (in the buffer) of a message whose head was read and whose body is awaited. */
  #pendingEnd: number | undefined;
  #failed = false;

  constructor(options: StreamFramerOptions = {}) {
    this.#max = options.maxMessageSize ?? 65536;
  }

  /** Bytes buffered and not yet returned as a message. */
  get buffered(): number {
    return this.#len;
  }

  /** Feeds bytes; returns the messages, keepalives and errors now complete. */
  push(chunk: Uint8Array): FramerEvent[] {
    if (this.#failed) return [];
    this.#append(chunk);
    const events: FramerEvent[] = [];
    let pos = 0;
    const buf = this.#buf;
    while (pos < this.#len) {
      if (this.#pendingEnd !== undefined) {
        if (this.#pendingEnd > this.#len) break;
        events.push({ type: "message", bytes: buf.slice(pos, this.#pendingEnd) });
        pos = this.#pendingEnd;
        this.#scanFrom = pos;
        this.#pendingEnd = undefined;
        continue;
      }
      if (buf[pos] === 13) {
        // Between messages, RFC 5626 3.5.1: CRLFCRLF is a ping, a lone CRLF a pong.
        const left = this.#len - pos;
        if (left < 2) break; // CR: wait for the LF
        if (buf[pos + 1] !== 10) {
          this.#fail(events, "bare CR between messages");
          return events;
        }
        if (left >= 4 && buf[pos + 2] === 13 && buf[pos + 3] === 10) {
          events.push({ type: "ping" });
          pos += 4;
        } else if (left === 3 && buf[pos + 2] === 13) {
          break; // CRLF CR: wait for the LF
        } else {
          events.push({ type: "pong" });
          pos += 2;
        }
        continue;
      }
      const headEnd = findHeadEnd(buf.subarray(0, this.#len), Math.max(pos, this.#scanFrom));
      if (headEnd < 0) {
        if (this.#len - pos > this.#max) {
          this.#fail(events, `header section exceeds ${this.#max} bytes`, 513);
          return events;
        }
        this.#scanFrom = Math.max(pos, this.#len - 3);
        break;
      }
      let length: number;
      try {
        length = contentLength(latin1.decode(buf.subarray(pos, headEnd)));
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
        this.#failed = true;
        events.push({ type: "error", error: e, fatal: true });
        return events;
      }
      const end = headEnd + 4 + length;
      if (end - pos > this.#max) {
        const head = buf.slice(pos, headEnd);
        this.#fail(events, `message of ${end - pos} bytes exceeds ${this.#max}`, 513);
        const error = (events[events.length - 1] as { error: SipParseError }).error;
        fillErrorContext(error, head);
        return events;
      }
      if (end > this.#len) {
        this.#pendingEnd = end; // the head is complete; wait for the body
        break;
      }
      events.push({ type: "message", bytes: buf.slice(pos, end) });
      pos = end;
      this.#scanFrom = end;
    }
    this.#consume(pos);
    return events;
  }

  #fail(events: FramerEvent[], detail: string, status = 400): void {
    this.#failed = true;
    const error = new SipParseError(`Cannot frame stream: ${detail}`, { status });
    events.push({ type: "error", error, fatal: true });
    this.#buf = new Uint8Array(0);
    this.#len = 0;
  }

  #append(chunk: Uint8Array): void {
    const need = this.#len + chunk.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2, 4096));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(chunk, this.#len);
    this.#len = need;
  }

  #consume(n: number): void {
    if (n === 0) return;
    this.#buf.copyWithin(0, n, this.#len);
    this.#len -= n;
    this.#scanFrom = Math.max(0, this.#scanFrom - n);
    if (this.#pendingEnd !== undefined) this.#pendingEnd -= n;
    if (this.#len === 0 && this.#buf.length > 65536) this.#buf = new Uint8Array(4096);
  }
}

/** Content-Length of a header section (0 when absent); conflicting or invalid values throw. */
function contentLength(head: string): number {
  let length: number | undefined;
  let from = 0;
  while (from < head.length) {
    let end = head.indexOf("\r\n", from);
    if (end < 0) end = head.length;
    const line = head.slice(from, end);
    from = end + 2;
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const c0 = line.charCodeAt(0);
    if (c0 === 32 || c0 === 9) continue;
    const key = headerKey(line.slice(0, colon).trim());
    if (key !== "content-length") continue;
    let value = line.slice(colon + 1);
    while (from < head.length && (head.charCodeAt(from) === 32 || head.charCodeAt(from) === 9)) {
      let next = head.indexOf("\r\n", from);
      if (next < 0) next = head.length;
      value += " " + head.slice(from, next);
      from = next + 2;
    }
    const n = parseContentLength(value);
    if (length !== undefined && n !== length) {
      throw new SipParseError("Cannot frame stream: conflicting Content-Length values");
    }
    length = n;
  }
  return length ?? 0;
}
