/**
 * Signaling on several cores (DESIGN.md, "Using every core, then more machines"): what each
 * of the `<signaling-instances>` gateway instances of one process runs with.
 *
 * - Every instance listens on the same WS/WSS ports with `reusePort`: the kernel spreads the
 *   browsers' connections over them.
 * - Each SIP-side transport (udp, tcp, tls) of instance `i` listens on its configured port +
 *   {@link SIP_PORT_STEP} x `i`, so that udp/tcp 5060 and tls 5061 of instance 1 become 5070
 *   and 5071 without colliding; a port `*` (0) stays a system choice. Each instance writes its
 *   own port in Via, Record-Route, Path and Contact, so the SIP side reaches the instance that
 *   holds the flow by plain RFC 3261/5626 routing.
 * - One flow-token secret for all, distinct instance ids inside the tokens.
 *
 * Workers receive the configuration by structured clone, which drops the {@link Secret}
 * wrappers: {@link serializeConfig} unwraps them and {@link deserializeConfig} wraps them again.
 *
 * @module
 */

import type { Config, ListenProtocol, TransportConfig } from "./config/config.ts";
import { Secret } from "./log.ts";

/** Port distance between the SIP-side transports of consecutive instances. */
export const SIP_PORT_STEP = 10;

/** Protocols whose port is shared by every instance (`reusePort`). */
const SHARED_PORT_PROTOCOLS: readonly ListenProtocol[] = ["ws", "wss"];

/** Whether every instance listens on the configured port of `protocol` (WS, WSS). */
export function isSharedPortProtocol(protocol: ListenProtocol): boolean {
  return SHARED_PORT_PROTOCOLS.includes(protocol);
}

/** The number of instances `<signaling-instances>` asks for (`auto`: one per core). */
export function instanceCount(
  config: Pick<Config, "signalingInstances">,
  cores: number = navigator.hardwareConcurrency,
): number {
  const wanted = config.signalingInstances;
  return wanted === "auto" ? Math.max(1, Math.min(64, cores)) : wanted;
}

/**
 * The transports of instance `index`: SIP-side ports moved by {@link SIP_PORT_STEP} x `index`
 * (0 stays 0), WS/WSS on the port instance 0 bound (`sharedPorts`, keyed by
 * `protocol host port` of the configured transport) or on the configured one.
 */
export function instanceTransports(
  transports: readonly TransportConfig[],
  index: number,
  sharedPorts: ReadonlyMap<string, number> = new Map(),
): TransportConfig[] {
  return transports.map((transport) => {
    if (isSharedPortProtocol(transport.protocol)) {
      const port = sharedPorts.get(transportKey(transport)) ?? transport.port;
      return { ...transport, port };
    }
    if (transport.port === 0) return { ...transport };
    const port = transport.port + SIP_PORT_STEP * index;
    if (port > 65535) {
      throw new RangeError(
        `Cannot start signaling instance ${index}: ${transport.protocol} port ` +
          `${transport.port} + ${SIP_PORT_STEP} x ${index} is above 65535`,
      );
    }
    return { ...transport, port };
  });
}

/** Key of a configured transport in `sharedPorts` of {@link instanceTransports}. */
export function transportKey(transport: TransportConfig): string {
  return `${transport.protocol} ${transport.host} ${transport.port}`;
}

/** A {@link Config} that survives structured clone: secrets as plain strings. */
export type SerializedConfig = Omit<Config, "flowTokenSecret" | "stunServer"> & {
  flowTokenSecret: string;
  stunServer?: Omit<NonNullable<Config["stunServer"]>, "password"> & { password?: string };
};

/** Unwraps the secrets of `config` for postMessage to an instance Worker. */
export function serializeConfig(config: Config): SerializedConfig {
  const { flowTokenSecret, stunServer, ...rest } = config;
  const serialized: SerializedConfig = { ...rest, flowTokenSecret: flowTokenSecret.reveal() };
  if (stunServer) {
    const { password, ...server } = stunServer;
    serialized.stunServer = password === undefined
      ? server
      : { ...server, password: password.reveal() };
  }
  return serialized;
}

/** Wraps the secrets of a {@link SerializedConfig} again. */
export function deserializeConfig(serialized: SerializedConfig): Config {
  const { flowTokenSecret, stunServer, ...rest } = serialized;
  const config: Config = { ...rest, flowTokenSecret: new Secret(flowTokenSecret) };
  if (stunServer) {
    const { password, ...server } = stunServer;
    config.stunServer = password === undefined
      ? server
      : { ...server, password: new Secret(password) };
  }
  return config;
}
