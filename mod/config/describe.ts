/**
 * A short human summary of a configuration, secrets redacted (for --check-config and the
 * startup log).
 * @module
 */

import type { Config } from "./config.ts";
import { formatDestinationRule } from "./allowed_destinations.ts";

function hostPort(host: string, port: number): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return `${shown}:${port === 0 ? "*" : port}`;
}

/** One line per topic: transports, destinations, media, limits, timers. */
export function describeConfig(config: Config): string[] {
  const ssl = config.sslCertificates;
  const stun = config.stunServer;
  const seconds = (ms: number) => `${ms / 1000}s`;
  return [
    `debug-level: ${config.debugLevel}`,
    `transports: ${
      config.transports.map((t) => `${t.protocol} ${hostPort(t.host, t.port)}`).join(", ") ||
      "none"
    }`,
    `public-address: ${config.publicAddress ?? "(the bound address of each transport)"}`,
    `allowed-destinations: ${config.allowedDestinations.map(formatDestinationRule).join(", ")}`,
    `rtcweb-breaker: ${config.rtcwebBreaker}; media-coder: ${config.mediaCoder ? "yes" : "no"}`,
    `codecs: ${config.codecs.join(", ")}`,
    `srtp: ${config.srtpMode} (${config.srtpType.join(", ")}); dtmf: ${config.dtmfType}`,
    `rtp-port-range: ${config.rtpPortRange.min}-${config.rtpPortRange.max}; ` +
    `media-workers: ${config.mediaWorkers}; signaling-instances: ${config.signalingInstances}`,
    `stun-server: ${stun ? hostPort(stun.host, stun.port) : "none"}; ` +
    `ice-stun: ${config.iceStun ? "yes" : "no"}`,
    `nameservers: ${
      config.nameservers.map((n) => hostPort(n.host, n.port ?? 53)).join(", ") || "system"
    }`,
    `ssl-certificates: ${
      ssl
        ? `${ssl.privateKey}, ${ssl.publicCert}, ca ${ssl.ca ?? "none"}, ` +
          `verify ${ssl.verify ? "yes" : "no"}`
        : "none"
    }`,
    `limits: max-message-size ${config.maxMessageSize}, max-connections-per-ip ` +
    `${config.maxConnectionsPerIp || "unlimited"}, ws-handshake-timeout ` +
    `${seconds(config.wsHandshakeTimeoutMs)}, idle-timeout ${seconds(config.idleTimeoutMs)}, ` +
    `websocket-ping-interval ${seconds(config.websocketPingIntervalMs)}`,
    `sip-timers: t1 ${config.sipTimers.t1}ms, t2 ${config.sipTimers.t2}ms, ` +
    `t4 ${config.sipTimers.t4}ms`,
  ];
}
