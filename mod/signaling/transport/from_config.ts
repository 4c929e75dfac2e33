/**
 * From the parsed config.xml (mod/config) to what the transport layer takes: the limits and
 * one {@linkcode ListenConfig} per `<transport>`, TLS/WSS with the `<ssl-certificates>` files.
 *
 * @module
 */

import type { Config } from "../../config/config.ts";
import type { Limits } from "./limits.ts";
import { loadTlsCredentials, type TlsCredentials } from "./tls.ts";
import type { ListenConfig } from "./transport_layer.ts";

/** The limits set by config.xml (`<max-message-size>`, `<max-connections-per-ip>`, ...). */
export function limitsFromConfig(
  config: Pick<
    Config,
    | "maxMessageSize"
    | "maxConnectionsPerIp"
    | "wsHandshakeTimeoutMs"
    | "idleTimeoutMs"
    | "websocketPingIntervalMs"
    | "udpReceiveBuffer"
  >,
): Partial<Limits> {
  return {
    maxMessageSize: config.maxMessageSize,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    handshakeTimeoutMs: config.wsHandshakeTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    wsPingIntervalMs: config.websocketPingIntervalMs,
    udpReceiveBuffer: config.udpReceiveBuffer,
  };
}

/** One listen configuration per `<transport>`; reads the certificate files when a TLS or
 * WSS transport needs them, and throws when `<ssl-certificates>` is missing then. */
export async function listenConfigsFromConfig(
  config: Pick<Config, "transports" | "sslCertificates">,
): Promise<ListenConfig[]> {
  let tls: TlsCredentials | undefined;
  const result: ListenConfig[] = [];
  for (const { protocol, host, port } of config.transports) {
    const hostname = host === "*" ? "0.0.0.0" : host;
    if (protocol === "tls" || protocol === "wss") {
      if (!config.sslCertificates) {
        throw new Error(
          `Cannot listen on ${protocol} ${host}:${port}: <ssl-certificates> is not configured`,
        );
      }
      const ssl = config.sslCertificates;
      tls ??= await loadTlsCredentials(
        { key: ssl.privateKey, cert: ssl.publicCert, ca: ssl.ca },
        ssl.verify,
      );
      result.push({ protocol, hostname, port, tls });
    } else {
      result.push({ protocol, hostname, port });
    }
  }
  return result;
}
