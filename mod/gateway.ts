/**
 * The running gateway: wires the layers together from a parsed configuration.
 *
 * transport layer (config `<transport>`s, limits) -> transaction layer (`<sip-timers>`) ->
 * SIP proxy (`<allowed-destinations>`, `<public-address>`, `<flow-token-secret>`, RFC 3263
 * through `<nameserver>`s). Each layer only knows the one below it; this file is the only
 * place that knows them all.
 *
 * @module
 */

import type { Config } from "./config/config.ts";
import type { Logger } from "./log.ts";
import { DnsLookup } from "./signaling/dns/mod.ts";
import {
  dnsResolver,
  type OverloadOptions,
  proxyOptionsFromConfig,
  SipProxy,
  TransactionBridge,
} from "./signaling/proxy/mod.ts";
import { TransactionLayer } from "./signaling/transaction/mod.ts";
import {
  type Flow,
  limitsFromConfig,
  listenConfigsFromConfig,
  type Transport,
  TransportLayer,
} from "./signaling/transport/mod.ts";

/**
 * Overload protection of the SIP proxy (mod/signaling/proxy/overload.ts): 503 + Retry-After
 * for new requests past `<max-requests-in-flight>` requests in flight, or when the event loop
 * lags more than 200 ms (well below T1 = 500 ms, before UDP peers retransmit).
 */
function overloadOptions(config: Config): OverloadOptions {
  return {
    maxInFlight: config.maxRequestsInFlight === 0 ? Infinity : config.maxRequestsInFlight,
    maxLagMs: 200,
    retryAfter: 5,
  };
}

/** A running gateway. */
export interface RunningGateway {
  /** The open transports, with their bound addresses (port 0 resolved). */
  readonly transports: readonly Transport[];
  /** Counters of each layer, for operators and tests. */
  stats(): Record<string, unknown>;
  /** Stops taking traffic and closes every socket. */
  close(): Promise<void>;
}

/** Starts the gateway: listens on every configured transport and starts the SIP proxy. */
export async function startGateway(config: Config, logger: Logger): Promise<RunningGateway> {
  const bridge = new TransactionBridge();
  const transports = new TransportLayer({
    onMessage: (message, flow) => transactions.receive(message, flow),
    onFlowClosed: (flow) => bridge.user?.onFlowClosed(flow),
  }, { limits: limitsFromConfig(config), log: logger.child("transport") });
  const transactions = new TransactionLayer(
    {
      send: (message, flow) => transports.send(message, flow as Flow),
      isReliable: (flow) => (flow as Flow).reliable,
    },
    bridge,
    { timers: config.sipTimers, log: logger.child("transaction") },
  );
  try {
    for (const listen of await listenConfigsFromConfig(config)) {
      const transport = await transports.listen(listen);
      logger.info("listening", {
        protocol: transport.protocol,
        address: `${transport.local.host}:${transport.local.port}`,
      });
    }
  } catch (error) {
    await transports.close();
    throw error;
  }
  const dns = new DnsLookup({ nameservers: config.nameservers });
  const proxy = new SipProxy({
    transports,
    transactions: bridge.attach(transactions),
    resolver: dnsResolver(dns),
    log: logger.child("proxy"),
    options: { ...proxyOptionsFromConfig(config), overload: overloadOptions(config) },
  });
  bridge.user = proxy;
  proxy.start();
  return {
    get transports() {
      return transports.transports;
    },
    stats: () => ({
      transport: { ...transports.counters, flows: transports.flowCount },
      transaction: transactions.stats,
      proxy: { ...proxy.counters, ...proxy.load },
    }),
    async close() {
      proxy.close();
      transactions.close();
      await transports.close();
      logger.info("stopped");
    },
  };
}
