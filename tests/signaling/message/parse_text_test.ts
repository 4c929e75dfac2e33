/**
 * parseMessageText() against parseMessage(): the same message (serialized byte for byte, same
 * body) or the same error (message, status, what a stateless answer needs) for every message
 * of the RFC 4475 corpus that is valid UTF-8, the fixtures, and edge cases of the text path.
 */
import { assert, assertEquals } from "../../_assert.ts";
import {
  parseMessage,
  parseMessageText,
  serializeMessage,
  type SipMessage,
  SipParseError,
} from "../../../mod/signaling/message/mod.ts";
import { rfc4475Messages } from "../../fixtures/rfc4475.ts";

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

type Outcome =
  | { ok: true; kind: string; wire: Uint8Array; body: Uint8Array }
  | { ok: false; error: Record<string, unknown> };

function outcome(parse: () => SipMessage): Outcome {
  try {
    const msg = parse();
    return { ok: true, kind: msg.kind, wire: serializeMessage(msg), body: msg.body.slice() };
  } catch (e) {
    assert(e instanceof SipParseError, `unexpected error ${e}`);
    return {
      ok: false,
      error: {
        message: e.message,
        status: e.status,
        reason: e.reason,
        isRequest: e.isRequest,
        vias: e.vias,
        callId: e.callId,
        from: e.from,
        to: e.to,
        cseq: e.cseq,
      },
    };
  }
}

function assertSame(bytes: Uint8Array, maxSize?: number): void {
  const text = strict.decode(bytes);
  assertEquals(
    outcome(() => parseMessageText(text, { maxSize })),
    outcome(() => parseMessage(bytes, { maxSize })),
  );
}

const MESSAGE = "MESSAGE sip:bob@example.com SIP/2.0\r\n" +
  "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds;rport\r\n" +
  "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=1928301774\r\n" +
  "To: <sip:bob@example.com>\r\nCall-ID: a84b4c76e66710\r\nCSeq: 1 MESSAGE\r\n" +
  "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

Deno.test("parseMessageText() parses like parseMessage() every UTF-8 message of RFC 4475", async (t) => {
  for (const { name, bytes } of rfc4475Messages()) {
    try {
      strict.decode(bytes);
    } catch {
      continue; // not text: a WebSocket text frame cannot carry it
    }
    await t.step(name, () => assertSame(bytes));
  }
});

Deno.test("parseMessageText() parses like parseMessage() the edge cases of the text path", async (t) => {
  const cases: Record<string, string> = {
    "ASCII request with a body": MESSAGE,
    "leading CRLFs": "\r\n\r\n" + MESSAGE,
    "trailing bytes after Content-Length": MESSAGE + "trailing",
    "no Content-Length: body is the rest": MESSAGE.replace("Content-Length: 5\r\n", ""),
    "no empty line": MESSAGE.slice(0, MESSAGE.indexOf("\r\n\r\n")) + "\r\n",
    "Content-Length above what was received": MESSAGE.replace("Length: 5", "Length: 50"),
    "Content-Length counts bytes (non-ASCII body)": MESSAGE.replace("hello", "h\u00e9llo")
      .replace("Length: 5", "Length: 6"),
    "non-ASCII header": MESSAGE.replace("<sip:alice", '"Al\u00efce" <sip:alice'),
    "broken Call-ID": MESSAGE.replace("a84b4c76e66710", "a84b c76"),
    "missing CSeq": MESSAGE.replace("CSeq: 1 MESSAGE\r\n", ""),
    "bad version (505)": MESSAGE.replace("SIP/2.0\r\n", "SIP/7.0\r\n"),
    "response": "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" +
      "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n\r\n",
    "broken response": "SIP/2.0 99 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n",
    "empty": "",
    "only CRLFs": "\r\n\r\n",
  };
  for (const [name, text] of Object.entries(cases)) {
    await t.step(name, () => assertSame(encoder.encode(text)));
  }
  await t.step("over maxSize", () => assertSame(encoder.encode(MESSAGE), 100));
  await t.step("at maxSize", () => assertSame(encoder.encode(MESSAGE), MESSAGE.length));
});
