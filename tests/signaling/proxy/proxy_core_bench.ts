/**
 * CPU cost of proxying a MESSAGE from a browser to the SIP side and its 200 back, through the
 * real transaction layer on loop transports (no sockets, no DNS: a numeric Request-URI).
 */
import { parseMessage, serializeMessage } from "../../../mod/signaling/message/mod.ts";
import type { Flow } from "../../../mod/signaling/transport/transport.ts";
import { TransactionLayer } from "../../../mod/signaling/transaction/mod.ts";
import { SipProxy } from "../../../mod/signaling/proxy/proxy_core.ts";
import { TransactionBridge } from "../../../mod/signaling/proxy/transaction_bridge.ts";
import { LoopTransport, LoopTransports, MemoryLog } from "./_loop_transport.ts";
import { FakeClock } from "../../_fake_clock.ts";
import { answer } from "./_proxy_fixture.ts";
import { wire } from "./_messages.ts";

const clock = new FakeClock();
const udp = new LoopTransport("udp", { host: "192.0.2.1", port: 5060 });
const ws = new LoopTransport("ws", { host: "192.0.2.1", port: 10060 });
const transports = new LoopTransports([udp, ws]);
const bridge = new TransactionBridge();
const layer = new TransactionLayer(
  {
    send: (message, flow) => transports.send(message, flow as Flow),
    isReliable: (flow) => (flow as Flow).reliable,
  },
  bridge,
  { clock, log: { debug() {}, warn() {} } },
);
const proxy = new SipProxy({
  transports,
  transactions: bridge.attach(layer),
  resolver: (uri) =>
    Promise.resolve([{
      protocol: "udp",
      host: uri.host,
      port: uri.port ?? 5060,
      serverName: uri.host,
    }]),
  log: new MemoryLog(),
  clock,
  options: { instanceId: "b", flowTokenSecret: "k", interfaceAddresses: [] },
});
bridge.user = proxy;
proxy.start();
const browser = ws.accept({ host: "127.0.0.1", port: 40000 });
let n = 0;

Deno.bench("SipProxy relays a browser MESSAGE to UDP and its 200 back", async () => {
  n++;
  const bytes = wire([
    "MESSAGE sip:bob@10.0.0.5 SIP/2.0",
    `Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKb${n}`,
    "From: <sip:alice@example.com>;tag=a",
    "To: <sip:bob@example.com>",
    `Call-ID: bench-${n}`,
    "CSeq: 1 MESSAGE",
    "Max-Forwards: 70",
    "Content-Type: text/plain",
  ], "hello");
  layer.receive(parseMessage(bytes), browser);
  await Promise.resolve();
  await Promise.resolve();
  const sip = udp.flows.get("10.0.0.5:5060")!;
  const out = sip.sent.pop()!;
  if (out.kind !== "request") throw new Error("no request");
  layer.receive(parseMessage(serializeMessage(answer(out, 200))), sip);
  browser.sent.length = 0;
  clock.advance(40_000);
});
