/**
 * The proxy on real loopback sockets: the transport layer (UDP + WS), the transaction layer
 * and a browser-like WebSocket client, against a UDP "registrar" the test plays.
 */
import { assert, assertEquals } from "../../_assert.ts";
import {
  parseMessage,
  parseNameAddr,
  parseVia,
  serializeMessage,
  type SipMessage,
  type SipRequest,
} from "../../../mod/signaling/message/mod.ts";
import { answer } from "./_proxy_fixture.ts";
import { request, wire } from "./_messages.ts";
import { Inbox } from "../../interop/_inbox.ts";
import { openSipWebSocket } from "../../interop/_websocket.ts";
import { realStack, udpPeer } from "./_real_stack.ts";

const decoder = new TextDecoder();

Deno.test("SipProxy relays REGISTER and MESSAGE between a WebSocket and UDP on loopback", async () => {
  await using stack = await realStack();
  await using registrar = udpPeer(stack.udp.local.port);
  const socket = await openSipWebSocket(`ws://127.0.0.1:${stack.ws.local.port}`, 5000);
  const atBrowser = new Inbox<SipMessage>();
  socket.onmessage = (e) => atBrowser.push(parseMessage(new TextEncoder().encode(String(e.data))));
  try {
    socket.send(decoder.decode(wire([
      `REGISTER sip:127.0.0.1:${registrar.port} SIP/2.0`,
      "Via: SIP/2.0/WS abc.invalid;branch=z9hG4bKreg1",
      "From: <sip:bob@example.com>;tag=b1",
      "To: <sip:bob@example.com>",
      "Call-ID: real-1",
      "CSeq: 1 REGISTER",
      "Max-Forwards: 70",
      'Contact: <sip:bob@abc.invalid;transport=ws>;reg-id=1;+sip.instance="<urn:uuid:1>"',
      "Supported: path, outbound",
    ])));
    const register = await registrar.inbox.next("REGISTER") as SipRequest;
    assertEquals(register.method, "REGISTER");
    const top = parseVia(register.headers.get("Via")!);
    assertEquals([top.transport, top.host, top.port], ["UDP", "127.0.0.1", stack.udp.local.port]);
    const path = register.headers.get("Path")!;
    const contact = register.headers.get("Contact")!;
    assertEquals(parseNameAddr(contact).uri.params.get("ws-src-proto"), "ws");
    await registrar.send(answer(register, 200));
    const ok = await atBrowser.next("200 to REGISTER");
    assert(ok.kind === "response" && ok.status === 200);
    assertEquals(ok.headers.getAll("Via"), ["SIP/2.0/WS abc.invalid;branch=z9hG4bKreg1"]);

    // The registrar reaches bob through the Path and the registered Contact.
    const contactUri = contact.slice(contact.indexOf("<") + 1, contact.indexOf(">"));
    const message = request([
      `MESSAGE ${contactUri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${registrar.port};branch=z9hG4bKmsg1;rport`,
      `Route: ${path}`,
      "From: <sip:alice@example.com>;tag=a1",
      "To: <sip:bob@example.com>",
      "Call-ID: real-2",
      "CSeq: 1 MESSAGE",
      "Max-Forwards: 70",
      "Content-Type: text/plain",
    ], "hi bob");
    await registrar.send(message);
    const delivered = await atBrowser.next("MESSAGE at the browser");
    assert(delivered.kind === "request" && delivered.method === "MESSAGE");
    assertEquals(decoder.decode(delivered.body), "hi bob");
    socket.send(decoder.decode(serializeMessage(answer(delivered, 200))));
    const reply = await registrar.inbox.next("200 to MESSAGE");
    assert(reply.kind === "response" && reply.status === 200);
    assertEquals(reply.headers.getAll("Via"), message.headers.getAll("Via"));

    // Bob's WebSocket goes away: the next request through his Path gets 430 at once.
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
    for (let i = 0; i < 50 && stack.transports.flowCount > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    message.headers.set("Via", `SIP/2.0/UDP 127.0.0.1:${registrar.port};branch=z9hG4bKmsg2;rport`);
    message.headers.set("Call-ID", "real-3");
    await registrar.send(message);
    const failed = await registrar.inbox.next("430");
    assert(failed.kind === "response");
    assertEquals(failed.status, 430);
  } finally {
    if (socket.readyState !== WebSocket.CLOSED) socket.close();
  }
});
