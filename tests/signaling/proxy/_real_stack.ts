/**
 * The proxy on real loopback sockets (transport layer UDP + WS, transaction layer, bridge)
 * and a UDP peer the tests play (registrar, PBX), for end-to-end tests.
 *
 * @module
 */

import {
  parseMessage,
  serializeMessage,
  type SipMessage,
} from "../../../mod/signaling/message/mod.ts";
import { type Flow, type Transport, TransportLayer } from "../../../mod/signaling/transport/mod.ts";
import { TransactionLayer } from "../../../mod/signaling/transaction/mod.ts";
import { dnsResolver, SipProxy, TransactionBridge } from "../../../mod/signaling/proxy/mod.ts";
import { Inbox } from "../../interop/_inbox.ts";
import { MemoryLog } from "./_loop_transport.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The gateway's signaling on loopback. */
export interface RealStack extends AsyncDisposable {
  proxy: SipProxy;
  transports: TransportLayer;
  layer: TransactionLayer;
  udp: Transport;
  ws: Transport;
}

export async function realStack(): Promise<RealStack> {
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
  return {
    proxy,
    transports,
    layer,
    udp,
    ws,
    async [Symbol.asyncDispose]() {
      proxy.close();
      layer.close();
      await transports.close();
    },
  };
}

/** A UDP SIP peer on loopback: what it receives is queued; it answers where asked. */
export interface UdpPeer extends AsyncDisposable {
  port: number;
  inbox: Inbox<SipMessage>;
  /** Sends to the gateway (the last address heard from, or `to`). */
  send(message: SipMessage, to?: Deno.NetAddr): Promise<number>;
}

export function udpPeer(gatewayPort: number): UdpPeer {
  const socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const inbox = new Inbox<SipMessage>();
  const reading = (async () => {
    try {
      for await (const [bytes] of socket) inbox.push(parseMessage(bytes));
    } catch { /* closed */ }
  })();
  const gateway: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: gatewayPort };
  return {
    port: (socket.addr as Deno.NetAddr).port,
    inbox,
    send: (message, to) => socket.send(serializeMessage(message), to ?? gateway),
    async [Symbol.asyncDispose]() {
      socket.close();
      await reading;
    },
  };
}
