/**
 * What a WebSocket send costs before the frame: the bytes of serializeMessage() decoded back to
 * a string (the runtime encodes it again for the text frame), against serializeMessageText().
 * Both then encode the string as the runtime does for a text frame (which also flattens the
 * concatenated string serializeMessageText() returns).
 */
import {
  parseMessage,
  serializeMessage,
  serializeMessageText,
} from "../../../mod/signaling/message/mod.ts";

const enc = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });
const message = parseMessage(enc.encode(
  [
    "MESSAGE sip:bob@example.com SIP/2.0",
    "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;rport",
    "Max-Forwards: 69",
    "From: <sip:alice@example.com>;tag=49583",
    "To: <sip:bob@example.com>",
    "Call-ID: asd88asd77a@1.2.3.4",
    "CSeq: 1 MESSAGE",
    "Content-Type: text/plain",
    "Content-Length: 18",
    "",
    "hello from alice !",
  ].join("\r\n"),
));
message.headers.prepend("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKw2sAbCdEfGhIjKl.0;rport");

Deno.bench("serializeMessage() + UTF-8 decode (before)", { group: "ws", baseline: true }, () => {
  if (enc.encode(strict.decode(serializeMessage(message))).length === 0) throw new Error("empty");
});

Deno.bench("serializeMessageText()", { group: "ws" }, () => {
  if (enc.encode(serializeMessageText(message)).length === 0) throw new Error("empty");
});
