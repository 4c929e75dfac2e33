import { assertEquals } from "../../_assert.ts";
import {
  Headers,
  parseMessage,
  serializeMessage,
  serializeMessageText,
  SipRequest,
} from "../../../mod/signaling/message/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

const INVITE = [
  "INVITE sip:bob@example.com SIP/2.0",
  "v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1 ,SIP/2.0/TCP  192.0.2.2;branch=z9hG4bK2",
  "MaX-fOrWaRdS: 0068",
  "From: Alice <sip:alice@example.com>;tag=1",
  "To: <sip:bob@example.com>",
  "Call-ID: abc",
  "CSeq: 0009\r\n  INVITE",
  "Subject: folded\r\n\tvalue",
  "l: 4",
  "",
  "body",
].join("\r\n");

Deno.test("serializeMessage() is byte-exact for untouched messages", () => {
  const bytes = enc.encode(INVITE);
  assertEquals(serializeMessage(parseMessage(bytes)), bytes);
});

Deno.test("serializeMessage() keeps untouched lines when others change", () => {
  const m = parseMessage(enc.encode(INVITE));
  m.headers.prepend("Via", "SIP/2.0/WSS gw.example.net;branch=z9hG4bK0");
  m.headers.set("Max-Forwards", "67");
  const out = dec.decode(serializeMessage(m));
  const lines = out.split("\r\n");
  assertEquals(lines[1], "Via: SIP/2.0/WSS gw.example.net;branch=z9hG4bK0");
  assertEquals(lines[3], "Max-Forwards: 67");
  assertEquals(out.includes("CSeq: 0009\r\n  INVITE\r\n"), true);
  assertEquals(out.includes("Subject: folded\r\n\tvalue\r\n"), true);
});

Deno.test("serializeMessage() rewrites Content-Length to the body length", () => {
  const m = parseMessage(enc.encode(INVITE));
  m.body = enc.encode("longer body");
  const out = dec.decode(serializeMessage(m));
  assertEquals(out.includes("\r\nl: 11\r\n"), true);
  assertEquals(out.endsWith("\r\n\r\nlonger body"), true);
});

Deno.test("serializeMessage() adds Content-Length when absent", () => {
  const req = new SipRequest("OPTIONS", "sip:a@b", new Headers([["Call-ID", "x"]]));
  assertEquals(
    dec.decode(serializeMessage(req)),
    "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n",
  );
});

Deno.test("serializeMessage() keeps bytes of a head that is not UTF-8", () => {
  const head = enc.encode(INVITE.replace("Subject: folded", "Subject: caf\u00e9"));
  const bytes = new Uint8Array(head);
  const at = bytes.indexOf(0xc3);
  bytes[at] = 0xe9; // latin1 é, invalid UTF-8
  const fixed = new Uint8Array([...bytes.subarray(0, at + 1), ...bytes.subarray(at + 2)]);
  assertEquals(serializeMessage(parseMessage(fixed)), fixed);
  fixed[at] = 0x80; // windows-1252 would read this as U+20AC
  assertEquals(serializeMessage(parseMessage(fixed)), fixed);
});

Deno.test("serializeMessageText() gives the message as text, changed lines included", () => {
  const m = parseMessage(enc.encode(INVITE.replace("body", "b\u00e9y")));
  m.headers.set("Max-Forwards", "67");
  const text = serializeMessageText(m);
  assertEquals(text, dec.decode(serializeMessage(m)));
  assertEquals(text?.endsWith("\r\n\r\nb\u00e9y"), true);
});

Deno.test("serializeMessageText() is undefined for a binary body or a latin1 head", () => {
  const binary = parseMessage(enc.encode(INVITE));
  binary.body = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
  assertEquals(serializeMessageText(binary), undefined);
  const head = enc.encode(INVITE.replace("Subject: folded", "Subject: caf?"));
  head[head.indexOf(0x3f)] = 0xe9; // a raw latin1 byte: not valid UTF-8
  const latin1 = parseMessage(head);
  assertEquals(serializeMessageText(latin1), undefined);
  assertEquals(serializeMessage(latin1), head);
});
