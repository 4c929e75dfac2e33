import { assert, assertEquals } from "../../_assert.ts";
import { parseVia, type SipMessage } from "../../../mod/signaling/message/mod.ts";
import type { Flow } from "../../../mod/signaling/transport/transport.ts";
import { TransactionLayer } from "../../../mod/signaling/transaction/mod.ts";
import { SipProxy } from "../../../mod/signaling/proxy/proxy_core.ts";
import { TransactionBridge } from "../../../mod/signaling/proxy/transaction_bridge.ts";
import type { Target } from "../../../mod/signaling/dns/types.ts";
import {
  type LoopFlow,
  LoopTransport,
  LoopTransports,
  MemoryLog,
  settle,
} from "./_loop_transport.ts";
import { FakeClock } from "../../_fake_clock.ts";
import { answer } from "./_proxy_fixture.ts";
import { browserCancel, browserInvite, request } from "./_messages.ts";

const GW = "192.0.2.1";

function stack(targets: Target[]) {
  const clock = new FakeClock();
  const udp = new LoopTransport("udp", { host: GW, port: 5060 });
  const ws = new LoopTransport("ws", { host: GW, port: 10060 });
  const transports = new LoopTransports([udp, ws]);
  const bridge = new TransactionBridge();
  const silent = { debug() {}, warn() {} };
  const layer = new TransactionLayer(
    {
      send: (message, flow) => transports.send(message, flow as Flow),
      isReliable: (flow) => (flow as Flow).reliable,
    },
    bridge,
    { clock, log: silent },
  );
  const log = new MemoryLog();
  const proxy = new SipProxy({
    transports,
    transactions: bridge.attach(layer),
    resolver: () => Promise.resolve(targets),
    log,
    clock,
    options: { instanceId: "gw1", flowTokenSecret: "k", interfaceAddresses: [] },
  });
  bridge.user = proxy;
  proxy.start();
  const browser = ws.accept({ host: "127.0.0.1", port: 40123 });
  return { clock, udp, ws, transports, layer, proxy, browser };
}

function statuses(flow: LoopFlow): (number | string)[] {
  return flow.sent.map((m: SipMessage) => m.kind === "response" ? m.status : m.method);
}

const pbx: Target = { protocol: "udp", host: "10.0.0.5", port: 5060, serverName: "example.com" };

/** The browser's INVITE relayed by `s` to {@linkcode pbx}: that flow and the INVITE sent on it. */
async function relayInvite(s: ReturnType<typeof stack>) {
  s.layer.receive(browserInvite(), s.browser);
  await settle();
  const sip = s.udp.flows.get("10.0.0.5:5060")!;
  const invite = sip.sent[0];
  assert(invite.kind === "request");
  return { sip, invite };
}

Deno.test("TransactionBridge runs a browser INVITE through the real transaction layer", async () => {
  const s = stack([pbx]);
  const { sip, invite } = await relayInvite(s);
  assertEquals(statuses(sip), ["INVITE"]);
  s.layer.receive(answer(invite, 180), sip);
  s.layer.receive(answer(invite, 200), sip);
  assertEquals(statuses(s.browser), [100, 180, 200]);
  for (const m of s.browser.sent) {
    assertEquals(m.headers.getAll("Via"), [
      "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKinv1;rport",
    ]);
  }
  s.layer.close();
});

Deno.test("TransactionBridge CANCEL is answered 200, sent downstream, and 487 comes back", async () => {
  const s = stack([pbx]);
  const { sip, invite } = await relayInvite(s);
  s.layer.receive(answer(invite, 180), sip);
  s.layer.receive(
    browserCancel(),
    s.browser,
  );
  await settle();
  assertEquals(statuses(sip), ["INVITE", "CANCEL"]);
  assertEquals(
    parseVia(sip.sent[1].headers.get("Via")!).params.get("branch"),
    parseVia(invite.headers.get("Via")!).params.get("branch"),
  );
  s.layer.receive(answer(invite, 487), sip);
  await settle();
  assertEquals(statuses(s.browser), [100, 180, 200, 487]);
  assertEquals(statuses(sip), ["INVITE", "CANCEL", "ACK"]);
  s.layer.close();
});

Deno.test("TransactionBridge Timer B on the fake clock fails over, then answers 408", async () => {
  const second: Target = { ...pbx, host: "10.0.0.6" };
  const s = stack([pbx, second]);
  s.layer.receive(browserInvite(), s.browser);
  await settle();
  s.clock.advance(32_000);
  await settle();
  const first = s.udp.flows.get("10.0.0.5:5060")!;
  const next = s.udp.flows.get("10.0.0.6:5060")!;
  assertEquals(statuses(first).every((m) => m === "INVITE"), true);
  assertEquals(statuses(first).length, 7); // RFC 3261 17.1.1.2: sent at 0, .5, 1.5, 3.5, 7.5, 15.5, 31.5 s
  assert(next.sent.length >= 1);
  s.clock.advance(32_000);
  await settle();
  assertEquals(statuses(s.browser), [100, 408]);
  s.layer.close();
});

Deno.test("TransactionBridge a browser flow that closes fails the SIP side's INVITE with 430", async () => {
  const s = stack([pbx]);
  const sip = s.udp.accept({ host: "10.0.0.5", port: 5060 });
  const token = s.proxy.flowToken(s.browser);
  s.layer.receive(
    request([
      `INVITE sip:alice@${GW};ws-src-ip=127.0.0.1;ws-src-port=40123 SIP/2.0`,
      "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKin1",
      `Route: <sip:${token}@${GW}:5060;transport=udp;lr;ob>`,
      "From: <sip:carol@example.com>;tag=c",
      "To: <sip:alice@example.com>",
      "Call-ID: in-1",
      "CSeq: 1 INVITE",
      "Max-Forwards: 70",
    ]),
    sip,
  );
  await settle();
  assertEquals(statuses(s.browser), ["INVITE"]);
  s.browser.close();
  s.proxy.onFlowClosed(s.browser);
  await settle();
  assertEquals(statuses(sip), [100, 430]);
  s.layer.close();
});

Deno.test("TransactionBridge passes the browser's ACK for a 2xx on statelessly", async () => {
  const s = stack([pbx]);
  const { sip, invite } = await relayInvite(s);
  s.layer.receive(answer(invite, 200, ["Contact: <sip:bob@10.0.0.5:5060>"]), sip);
  const ok = s.browser.sent.at(-1)!;
  assert(ok.kind === "response" && ok.status === 200);
  const routes = invite.headers.getAll("Record-Route").reverse();
  s.layer.receive(
    request([
      "ACK sip:bob@10.0.0.5:5060 SIP/2.0",
      "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKack77",
      ...routes.map((r) => `Route: ${r}`),
      'From: "Alice" <sip:alice@example.com>;tag=atag',
      `To: ${ok.headers.get("To")}`,
      "Call-ID: inv-call-1",
      "CSeq: 10 ACK",
      "Max-Forwards: 70",
    ]),
    s.browser,
  );
  await settle();
  assertEquals(statuses(sip), ["INVITE", "ACK"]);
  const ack = sip.sent[1];
  assertEquals(ack.headers.has("Route"), false);
  assertEquals(ack.headers.count("Via"), 2);
  s.layer.close();
});
