/**
 * The messages of the MESSAGE relay load (message_relay.ts), as bytes, for the parse benchmarks:
 * the 278-byte MESSAGE a WS client sends (sipML5-style Via) and the 200 OK the gateway gets back
 * from the UAS (its own Via and the browser's rewritten one). `i` varies branch, tags, Call-ID.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Request `i` of the load. */
export function relayMessage(i: number): Uint8Array {
  return encoder.encode([
    "MESSAGE sip:uas@127.0.0.1:5090 SIP/2.0",
    `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${i}abcdef;rport`,
    "Max-Forwards: 70",
    `From: <sip:c${i % 50}@127.0.0.1>;tag=t${i}`,
    "To: <sip:uas@127.0.0.1:5090>",
    `Call-ID: m${i}-abcdefgh`,
    "CSeq: 1 MESSAGE",
    "Content-Type: text/plain",
    "Content-Length: 5",
    "",
    "hello",
  ].join("\r\n"));
}

/** The 200 OK to {@linkcode relayMessage}(`i`) as the gateway receives it (two Vias). */
export function relayResponse(i: number): Uint8Array {
  return encoder.encode([
    "SIP/2.0 200 OK",
    "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKw2sAbCdEfGhIjKl.0123456789abcdef;rport=5062",
    `Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK${i}abcdef;rport=40000;ws-hacked=WS`,
    `From: <sip:c${i % 50}@127.0.0.1>;tag=t${i}`,
    `To: <sip:uas@127.0.0.1:5090>;tag=${i}SIPpTag01`,
    `Call-ID: m${i}-abcdefgh`,
    "CSeq: 1 MESSAGE",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"));
}
