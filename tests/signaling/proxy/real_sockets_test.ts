/**
 * The proxy on real loopback sockets: the transport layer (UDP + WS), the transaction layer
 * and a browser-like WebSocket client, against a UDP "registrar" the test plays.
 */
import { assert, assertEquals } from "./_assert.ts";
import {
  parseMessage,
  parseNameAddr,
  parseVia,
  serializeMessage,
  type SipMessage,
  type SipRequest,
} from "../../../mod/signaling/message/mod.ts";
import { type Flow, TransportLayer } from "../../../mod/signaling/transport/mod.ts";
import { TransactionLayer } from "../../../mod/signaling/transaction/mod.ts";
import { dnsResolver, SipProxy, TransactionBridge } from "../../../mod/signaling/proxy/mod.ts";
import { MemoryLog } from "./_loop_transport.ts";
import { answer } from "./_proxy_fixture.ts";
import { wire } from "./_messages.ts";

const decoder = new TextDecoder();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Queue of messages from a callback source, with a bounded wait. */
class Inbox {
  #items: SipMessage[] = [];
  #waiters: ((m: SipMessage) => void)[] = [];
  push(m: SipMessage): void {
    const w = this.#waiters.shift();
    if (w) w(m);
    else this.#items.push(m);
  }
  next(what: string, ms = 3000): Promise<SipMessage> {
    const item = this.#items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
      this.#waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }
}

Deno.test("SipProxy relays REGISTER and MESSAGE between a WebSocket and UDP on loopback", async () => {
  const bridge = new TransactionBridge();
  const transports = new TransportLayer({
    onMessage: (message, flow) => layer.receive(message, flow),
    onFlowClosed: (flow) => bridge.user?.onFlowClosed(flow),
  }, { log: silent });
  const layer = new TransactionLayer(
    {
      send: (message, flow) => transports.send(message, flow as Flow),
      isReliable: (flow) => (flow as Flow).reliable,
    },
    bridge,
    { log: silent },
  );
  const udp = await transports.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 });
  const ws = await transports.listen({ protocol: "ws", hostname: "127.0.0.1", port: 0 });
  const proxy = new SipProxy({
    transports,
    transactions: bridge.attach(layer),
    resolver: dnsResolver(() => Promise.reject(new Error("no DNS in this test"))),
    log: new MemoryLog(),
    options: { flowTokenSecret: "k", interfaceAddresses: ["127.0.0.1"] },
  });
  bridge.user = proxy;
  proxy.start();

  const registrar = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const regPort = (registrar.addr as Deno.NetAddr).port;
  const atRegistrar = new Inbox();
  let lastPeer: Deno.NetAddr | undefined;
  const reading = (async () => {
    try {
      for await (const [bytes, addr] of registrar) {
        lastPeer = addr as Deno.NetAddr;
        atRegistrar.push(parseMessage(bytes));
      }
    } catch { /* closed */ }
  })();
  const sendFromRegistrar = (m: SipMessage) => registrar.send(serializeMessage(m), lastPeer!);

  const socket = new WebSocket(`ws://127.0.0.1:${ws.local.port}`, "sip");
  const atBrowser = new Inbox();
  socket.onmessage = (e) => atBrowser.push(parseMessage(new TextEncoder().encode(String(e.data))));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  try {
    socket.send(decoder.decode(wire([
      `REGISTER sip:127.0.0.1:${regPort} SIP/2.0`,
      "Via: SIP/2.0/WS abc.invalid;branch=z9hG4bKreg1",
      "From: <sip:bob@example.com>;tag=b1",
      "To: <sip:bob@example.com>",
      "Call-ID: real-1",
      "CSeq: 1 REGISTER",
      "Max-Forwards: 70",
      'Contact: <sip:bob@abc.invalid;transport=ws>;reg-id=1;+sip.instance="<urn:uuid:1>"',
      "Supported: path, outbound",
    ])));
    const register = await atRegistrar.next("REGISTER") as SipRequest;
    assertEquals(register.method, "REGISTER");
    const top = parseVia(register.headers.get("Via")!);
    assertEquals([top.transport, top.host, top.port], ["UDP", "127.0.0.1", udp.local.port]);
    const path = register.headers.get("Path")!;
    const contact = parseNameAddr(register.headers.get("Contact")!).uri;
    assertEquals(contact.params.get("ws-src-proto"), "ws");
    sendFromRegistrar(answer(register, 200));
    const ok = await atBrowser.next("200 to REGISTER");
    assert(ok.kind === "response" && ok.status === 200);
    assertEquals(ok.headers.getAll("Via"), ["SIP/2.0/WS abc.invalid;branch=z9hG4bKreg1"]);

    // The registrar reaches bob through the Path and the registered Contact.
    const message = parseMessage(wire([
      `MESSAGE sip:bob@127.0.0.1:${udp.local.port};${
        [...contact.params].map(([k, v]) => v === null ? k : `${k}=${v}`).join(";")
      } SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${regPort};branch=z9hG4bKmsg1;rport`,
      `Route: ${path}`,
      "From: <sip:alice@example.com>;tag=a1",
      "To: <sip:bob@example.com>",
      "Call-ID: real-2",
      "CSeq: 1 MESSAGE",
      "Max-Forwards: 70",
      "Content-Type: text/plain",
    ], "hi bob")) as SipRequest;
    sendFromRegistrar(message);
    const delivered = await atBrowser.next("MESSAGE at the browser");
    assert(delivered.kind === "request" && delivered.method === "MESSAGE");
    assertEquals(decoder.decode(delivered.body), "hi bob");
    socket.send(decoder.decode(serializeMessage(answer(delivered, 200))));
    const reply = await atRegistrar.next("200 to MESSAGE");
    assert(reply.kind === "response" && reply.status === 200);
    assertEquals(reply.headers.getAll("Via"), message.headers.getAll("Via"));

    // Bob's WebSocket goes away: the next request through his Path gets 430 at once.
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
    for (let i = 0; i < 50 && transports.flowCount > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    message.headers.set("Via", `SIP/2.0/UDP 127.0.0.1:${regPort};branch=z9hG4bKmsg2;rport`);
    message.headers.set("Call-ID", "real-3");
    sendFromRegistrar(message);
    const failed = await atRegistrar.next("430");
    assert(failed.kind === "response");
    assertEquals(failed.status, 430);
  } finally {
    if (socket.readyState !== WebSocket.CLOSED) socket.close();
    registrar.close();
    await reading;
    proxy.close();
    layer.close();
    await transports.close();
  }
});
