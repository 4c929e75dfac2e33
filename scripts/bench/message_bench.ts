/**
 * Message core benchmark: parse and serialize of a WebRTC INVITE (JsSIP / Chrome, ~2 KB SDP)
 * and a REGISTER. Target: >= 100,000 INVITE parses per second on one core.
 *
 *   deno bench -A scripts/bench/message_bench.ts
 */
import {
  getVias,
  parseMessage,
  serializeMessage,
  StreamFramer,
} from "../../mod/signaling/message/mod.ts";
import { relayMessage, relayResponse } from "./_relay_messages.ts";

const invite = Deno.readFileSync(
  new URL("../../tests/fixtures/invite_webrtc.sip", import.meta.url),
);
const register = Deno.readFileSync(
  new URL("../../tests/fixtures/register_webrtc.sip", import.meta.url),
);
const parsedInvite = parseMessage(invite);
// The 278-byte MESSAGE of message_relay.ts's load (sipML5-style Via) and its 200 OK.
const message = relayMessage(1);

Deno.bench("parseMessage() WebRTC INVITE", { group: "parse", baseline: true }, () => {
  parseMessage(invite);
});

// Throughput: 1,000 parses per iteration, so timer overhead and preemption weigh less.
// Parses per second = 1,000 x iter/s.
Deno.bench("parseMessage() 1,000 WebRTC INVITEs", { group: "throughput" }, () => {
  for (let i = 0; i < 1000; i++) parseMessage(invite);
});

Deno.bench("parseMessage() MESSAGE (278 bytes)", { group: "parse" }, () => {
  parseMessage(message);
});

const ok = relayResponse(1);

Deno.bench("parseMessage() 200 OK to the MESSAGE (2 Vias)", { group: "parse" }, () => {
  parseMessage(ok);
});

Deno.bench("parseMessage() WebRTC REGISTER", { group: "parse" }, () => {
  parseMessage(register);
});

Deno.bench("serializeMessage() untouched INVITE", { group: "serialize" }, () => {
  serializeMessage(parsedInvite);
});

Deno.bench("proxy hop: parse, prepend Via, pop Route, serialize INVITE", () => {
  const msg = parseMessage(invite);
  getVias(msg.headers);
  msg.headers.prepend("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabcdef0123");
  msg.headers.removeFirst("Route");
  serializeMessage(msg);
});

const stream = new Uint8Array(invite.length * 10);
for (let i = 0; i < 10; i++) stream.set(invite, i * invite.length);
Deno.bench("StreamFramer.push() 10 INVITEs in 1400-byte chunks", () => {
  const framer = new StreamFramer();
  for (let i = 0; i < stream.length; i += 1400) framer.push(stream.subarray(i, i + 1400));
});
