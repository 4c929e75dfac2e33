/**
 * A SipProxy on loop transports (udp, tcp on 192.0.2.1:5060, ws on 192.0.2.1:10060) with a
 * fake transaction layer and a table-driven resolver.
 *
 * @module
 */

import { formatUri, type SipResponse, type SipUri } from "../../../mod/signaling/message/mod.ts";
import { SipProxy, type SipProxyOptions } from "../../../mod/signaling/proxy/proxy_core.ts";
import type { Target } from "../../../mod/signaling/dns/types.ts";
import {
  FakeServerTransaction,
  FakeTransactions,
  type LoopFlow,
  LoopTransport,
  LoopTransports,
  MemoryLog,
} from "./_loop_transport.ts";
import { response } from "./_messages.ts";
import { FakeClock } from "../../_fake_clock.ts";
import type { SipRequest } from "../../../mod/signaling/message/mod.ts";

export const GW = "192.0.2.1";

export interface Fixture {
  proxy: SipProxy;
  transports: LoopTransports;
  transactions: FakeTransactions;
  log: MemoryLog;
  clock: FakeClock;
  resolved: string[];
  /** host -> targets the resolver answers; missing: throws. */
  dns: Map<string, Target[]>;
  browser: LoopFlow;
  /** Delivers a request from `flow` as a new server transaction. */
  receive(request: SipRequest, flow: LoopFlow): FakeServerTransaction;
}

/** One UDP target named `serverName` at `host:port`, as the resolver answers it. */
export function udpTarget(serverName: string, host: string, port = 5060): Target {
  return { protocol: "udp", host, port, serverName };
}

export function fixture(options: SipProxyOptions = {}): Fixture {
  const udp = new LoopTransport("udp", { host: GW, port: 5060 });
  const tcp = new LoopTransport("tcp", { host: GW, port: 5060 });
  const ws = new LoopTransport("ws", { host: GW, port: 10060 });
  const transports = new LoopTransports([udp, tcp, ws]);
  const transactions = new FakeTransactions();
  const log = new MemoryLog();
  const resolved: string[] = [];
  const dns = new Map<string, Target[]>();
  const resolver = (uri: SipUri) => {
    resolved.push(formatUri(uri));
    const host = uri.host.replace(/^\[|\]$/g, "");
    const found = dns.get(host);
    if (found) return Promise.resolve(found);
    if (/^[\d.]+$/.test(host)) {
      const t = uri.params.get("transport");
      const protocol = t === "tcp" || t === "tls" ? t : "udp";
      return Promise.resolve([
        { protocol, host, port: uri.port ?? 5060, serverName: host } as Target,
      ]);
    }
    return Promise.reject(new Error(`Cannot resolve ${host}`));
  };
  const clock = new FakeClock();
  const proxy = new SipProxy({
    transports,
    transactions,
    resolver,
    log,
    clock,
    options: {
      instanceId: "gw1",
      flowTokenSecret: "test-secret",
      interfaceAddresses: [],
      ...options,
    },
  });
  proxy.start();
  const browser = ws.accept({ host: "127.0.0.1", port: 40123 });
  return {
    proxy,
    transports,
    transactions,
    log,
    clock,
    resolved,
    dns,
    browser,
    receive(request, flow) {
      const tx = new FakeServerTransaction(request, flow);
      proxy.onRequest(tx);
      return tx;
    },
  };
}

/** The response a UAS would send to `request` as it arrived (all its Vias copied). */
export function answer(request: SipRequest, status: number, extra: string[] = []): SipResponse {
  const lines = [`SIP/2.0 ${status} Whatever`];
  for (const via of request.headers.getAll("Via")) lines.push(`Via: ${via}`);
  const to = request.headers.get("To")!;
  lines.push(`From: ${request.headers.get("From")}`);
  lines.push(`To: ${to}${status > 100 && !/tag=/.test(to) ? ";tag=uas" : ""}`);
  lines.push(`Call-ID: ${request.headers.get("Call-ID")}`);
  lines.push(`CSeq: ${request.headers.get("CSeq")}`);
  return response([...lines, ...extra]);
}
