/**
 * Defaults: the value of every element that a config.xml leaves out, and the EMBEDDED default
 * configuration the gateway runs on when there is no config.xml at all. The repository's
 * `config.xml` is a commented copy of the embedded default (a test keeps them equal).
 * @module
 */

import type { Config, DestinationRule, TransportConfig } from "./config.ts";

/** Name used in messages for the embedded default. */
export const EMBEDDED_SOURCE = "embedded default config";

/** Transports used when a configuration has no `<transport>`. */
export const DEFAULT_TRANSPORTS: readonly Readonly<TransportConfig>[] = [
  { protocol: "udp", host: "0.0.0.0", port: 5060 },
  { protocol: "tcp", host: "0.0.0.0", port: 5060 },
  { protocol: "ws", host: "0.0.0.0", port: 10060 },
];

/** Added to {@link DEFAULT_TRANSPORTS} when `<ssl-certificates>` is given. */
export const DEFAULT_SECURE_TRANSPORT: Readonly<TransportConfig> = {
  protocol: "wss",
  host: "0.0.0.0",
  port: 10062,
};

/**
 * The embedded default allows only loopback destinations: a gateway started without any
 * configuration must not be an open relay that lets any web page place calls or send SIP
 * anywhere on the network (the original had no access control at all). Set
 * `<allowed-destinations>` to your SIP domains or networks to go further.
 */
export const LOOPBACK_DESTINATIONS: readonly DestinationRule[] = [
  { type: "network", family: 4, address: "127.0.0.0", prefixLength: 8 },
  { type: "network", family: 6, address: "::1", prefixLength: 128 },
  { type: "domain", name: "localhost", subdomains: false },
];

/**
 * Values of the elements a configuration leaves out. Not here: `transports` (see
 * {@link DEFAULT_TRANSPORTS}), `allowedDestinations` (absent: anywhere, with a warning) and
 * `flowTokenSecret` (absent: random per start).
 */
export const DEFAULTS: Readonly<
  Omit<
    Config,
    | "transports"
    | "allowedDestinations"
    | "flowTokenSecret"
    | "stunServer"
    | "sslCertificates"
    | "publicAddress"
  >
> = {
  debugLevel: "INFO",
  rtpSymmetric: true,
  enable100rel: false,
  mediaCoder: false,
  videoJb: true,
  videoSizePref: "vga",
  rtpBuffSize: 65535,
  avpfTailLength: { min: 100, max: 400 },
  srtpMode: "optional",
  srtpType: ["sdes", "dtls"],
  dtmfType: "rfc4733",
  codecs: ["opus", "pcma", "pcmu", "g722", "vp8", "h264-bp", "h264-mp"],
  opusMaxRates: { playback: 48000, capture: 48000 },
  iceStun: false,
  maxFds: -1,
  nameservers: [],
  rtpPortRange: { min: 20000, max: 30000 },
  maxMessageSize: 65536,
  maxConnectionsPerIp: 100,
  maxRequestsInFlight: 2000,
  udpReceiveBuffer: 4194304,
  wsHandshakeTimeoutMs: 10_000,
  idleTimeoutMs: 120_000,
  websocketPingIntervalMs: 30_000,
  sipTimers: { t1: 500, t2: 4000, t4: 5000 },
  rtcwebBreaker: "client",
  mediaWorkers: "auto",
  signalingInstances: 1,
};

/**
 * The embedded default configuration: udp and tcp on *:5060, ws on *:10060, loopback
 * destinations only, every other element at its default.
 */
export const DEFAULT_CONFIG_XML = `<?xml version="1.0" encoding="utf-8" ?>
<config>
  <debug-level>INFO</debug-level>
  <transport>udp;*;5060</transport>
  <transport>tcp;*;5060</transport>
  <transport>ws;*;10060</transport>
  <allowed-destinations>127.0.0.0/8;::1;localhost</allowed-destinations>
</config>
`;

/** A random flow-token secret: 32 random bytes, hex. */
export function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
