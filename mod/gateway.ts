/**
 * The running gateway: wires the layers together from a parsed configuration.
 *
 * transport layer (config `<transport>`s, limits) -> transaction layer (`<sip-timers>`) ->
 * SIP proxy (`<allowed-destinations>`, `<public-address>`, `<flow-token-secret>`, RFC 3263
 * through `<nameserver>`s). Each layer only knows the one below it; this file is the only
 * place that knows them all.
 *
 * With `<signaling-instances>` N > 1, instance 0 runs here and instances 1..N-1 each in a
 * Worker (instance_config.ts, instance_pool.ts, instance_worker.ts).
 *
 * @module
 */

import type { Config } from "./config/config.ts";
import type { Logger } from "./log.ts";
import {
  instanceCount,
  instanceTransports,
  isSharedPortProtocol,
  serializeConfig,
  transportKey,
} from "./instance_config.ts";
import { type InstanceWorker, startInstanceWorker } from "./instance_pool.ts";
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
  /** Counters of each layer, for operators and tests (of instance 0 when there are several,
   * with `instances`: their number). */
  stats(): Record<string, unknown>;
  /** Counters of every signaling instance, instance 0 first. */
  instanceStats(): Promise<Record<string, unknown>[]>;
  /** Stops taking traffic and closes every socket. */
  close(): Promise<void>;
}

/** Options of {@linkcode startGatewayInstance}. */
export interface GatewayInstanceOptions {
  /** Name of the instance inside flow tokens. @default {a random id} */
  instanceId?: string;
  /** WS/WSS listen with `reusePort` (shared with the other instances). @default {false} */
  reusePort?: boolean;
}

/**
 * Starts the gateway: listens on every configured transport and starts the SIP proxy, in
 * `<signaling-instances>` instances (instance_config.ts says who listens where).
 */
export async function startGateway(config: Config, logger: Logger): Promise<RunningGateway> {
  const count = instanceCount(config);
  if (count === 1) return await startGatewayInstance(config, logger);
  const baseId = crypto.randomUUID().slice(0, 8);
  const first = await startGatewayInstance(config, logger, {
    instanceId: `${baseId}-0`,
    reusePort: true,
  });
  // WS/WSS ports asked as * are shared too: the others bind the port instance 0 got
  const sharedPorts = new Map<string, number>();
  config.transports.forEach((transport, i) => {
    if (isSharedPortProtocol(transport.protocol)) {
      sharedPorts.set(transportKey(transport), first.transports[i].local.port);
    }
  });
  const workers: InstanceWorker[] = [];
  try {
    for (let index = 1; index < count; index++) {
      const variant = {
        ...config,
        transports: instanceTransports(config.transports, index, sharedPorts),
      };
      workers.push(
        await startInstanceWorker(
          { index, instanceId: `${baseId}-${index}`, config: serializeConfig(variant) },
          logger,
        ),
      );
      logger.info("signaling instance listening", {
        instance: index,
        transports: workers[index - 1].transports.map((t) => `${t.protocol} ${t.host}:${t.port}`)
          .join(", "),
      });
    }
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.close()));
    await first.close();
    throw error;
  }
  return {
    get transports() {
      return first.transports;
    },
    stats: () => ({ ...first.stats(), instances: count }),
    async instanceStats() {
      return [first.stats(), ...await Promise.all(workers.map((worker) => worker.stats()))];
    },
    async close() {
      await Promise.all([...workers.map((worker) => worker.close()), first.close()]);
    },
  };
}

/** Starts one gateway instance: its transports, transaction layer and SIP proxy. */
export async function startGatewayInstance(
  config: Config,
  logger: Logger,
  options: GatewayInstanceOptions = {},
): Promise<RunningGateway> {
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
      const transport = await transports.listen(
        options.reusePort && (listen.protocol === "ws" || listen.protocol === "wss")
          ? { ...listen, reusePort: true }
          : listen,
      );
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
    options: {
      ...proxyOptionsFromConfig(config, { instanceId: options.instanceId }),
      overload: overloadOptions(config),
    },
  });
  bridge.user = proxy;
  proxy.start();
  const stats = () => ({
    transport: { ...transports.counters, flows: transports.flowCount },
    transaction: transactions.stats,
    proxy: { ...proxy.counters, ...proxy.load },
  });
  return {
    get transports() {
      return transports.transports;
    },
    stats,
    instanceStats: () => Promise.resolve([stats()]),
    async close() {
      proxy.close();
      transactions.close();
      await transports.close();
      logger.info("stopped");
    },
  };
}
