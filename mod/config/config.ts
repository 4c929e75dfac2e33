/**
 * The typed configuration, as read from config.xml (see docs/configuration.md for every
 * element, its values, default and meaning).
 * @module
 */

import type { LogLevel, Secret } from "../log.ts";

/** Protocols a `<transport>` can listen on (c2c/c2cs of the original are not supported). */
export type ListenProtocol = "udp" | "tcp" | "tls" | "ws" | "wss";

/** One `<transport>proto;ip;port</transport>`. */
export interface TransportConfig {
  protocol: ListenProtocol;
  /** Address to bind: `*` becomes `0.0.0.0`; IPv6 without brackets (`::`). */
  host: string;
  /** Port to bind; 0 when `*` (the system picks one). */
  port: number;
}

/** `<video-size-pref>` values (Doubango's tmedia_pref_video_size_t names). */
export type VideoSize =
  | "sqcif"
  | "qcif"
  | "qvga"
  | "cif"
  | "hvga"
  | "vga"
  | "4cif"
  | "svga"
  | "480p"
  | "xga"
  | "720p"
  | "16cif"
  | "1080p"
  | "2160p";

/** `<srtp-mode>`. */
export type SrtpMode = "none" | "optional" | "mandatory";
/** Entries of `<srtp-type>`. */
export type SrtpType = "sdes" | "dtls";
/** `<dtmf-type>`. */
export type DtmfType = "rfc4733" | "rfc2833";

/** Codec names of `<codecs>` (the original's list plus opus). */
export type CodecName =
  | "opus"
  | "pcma"
  | "pcmu"
  | "amr-nb-be"
  | "amr-nb-oa"
  | "speex-nb"
  | "speex-wb"
  | "speex-uwb"
  | "g729"
  | "gsm"
  | "g722"
  | "ilbc"
  | "h264-bp"
  | "h264-mp"
  | "vp8"
  | "h263"
  | "h263+"
  | "theora"
  | "mp4v-es";

/** `<stun-server>host;port[;user;password]`. */
export interface StunServerConfig {
  host: string;
  port: number;
  user?: string;
  password?: Secret<string>;
}

/** One `<nameserver>`: `ip`, `ip:port` or `[v6]:port`. */
export interface NameserverConfig {
  host: string;
  /** Absent: 53. */
  port?: number;
}

/** `<ssl-certificates>priv.pem;pub.pem;ca.pem[;yes|no]`. */
export interface SslCertificatesConfig {
  /** Path to the PEM private key. */
  privateKey: string;
  /** Path to the PEM certificate (chain). */
  publicCert: string;
  /** Path to the CA file used to verify peers; absent when `*` or empty. */
  ca?: string;
  /** Whether peers' certificates are verified (the 4th field, default no). */
  verify: boolean;
}

/** One entry of `<allowed-destinations>`. */
export type DestinationRule =
  /** `*`: anywhere. */
  | { type: "any" }
  /** An IP network (`10.0.0.0/8`, `::1`, `192.0.2.7` is a /32). */
  | { type: "network"; family: 4 | 6; address: string; prefixLength: number }
  /** A host name; `*.example.com` matches its subdomains (not example.com itself). */
  | { type: "domain"; name: string; subdomains: boolean };

/** `<sip-timers>t1;t2;t4` in milliseconds (RFC 3261 17.1.1.1). */
export interface SipTimersConfig {
  t1: number;
  t2: number;
  t4: number;
}

/** The whole configuration. Every field has a value (defaults applied). */
export interface Config {
  /** `<debug-level>`. */
  debugLevel: LogLevel;
  /** `<transport>` (repeatable). */
  transports: TransportConfig[];
  /** `<enable-rtp-symetric>` / `<enable-rtp-symmetric>`. */
  rtpSymmetric: boolean;
  /** `<enable-100rel>`. */
  enable100rel: boolean;
  /** `<enable-media-coder>`. */
  mediaCoder: boolean;
  /** `<enable-videojb>`. */
  videoJb: boolean;
  /** `<video-size-pref>`. */
  videoSizePref: VideoSize;
  /** `<rtp-buffsize>` (bytes, SO_RCVBUF/SO_SNDBUF of RTP sockets). */
  rtpBuffSize: number;
  /** `<avpf-tail-length>min;max` (packets kept to answer NACKs). */
  avpfTailLength: { min: number; max: number };
  /** `<srtp-mode>`. */
  srtpMode: SrtpMode;
  /** `<srtp-type>`. */
  srtpType: SrtpType[];
  /** `<dtmf-type>`. */
  dtmfType: DtmfType;
  /** `<codecs>`, in preference order. */
  codecs: CodecName[];
  /** `<codec-opus-maxrates>playback;capture` (Hz). */
  opusMaxRates: { playback: number; capture: number };
  /** `<stun-server>`; absent: no STUN server. */
  stunServer?: StunServerConfig;
  /** `<enable-icestun>`. */
  iceStun: boolean;
  /** `<max-fds>` (-1: system limit). */
  maxFds: number;
  /** `<nameserver>` (repeatable); empty: the system resolver. */
  nameservers: NameserverConfig[];
  /** `<ssl-certificates>`; absent: no TLS/WSS certificates. */
  sslCertificates?: SslCertificatesConfig;

  // Elements new in this product.

  /** `<public-address>`: host/IP written in Via, Record-Route, Path and Contact. */
  publicAddress?: string;
  /** `<rtp-port-range>min;max`: local UDP ports for media. */
  rtpPortRange: { min: number; max: number };
  /** `<allowed-destinations>`: where requests may be forwarded. */
  allowedDestinations: DestinationRule[];
  /** `<flow-token-secret>`: HMAC key of flow tokens (random per start when absent). */
  flowTokenSecret: Secret<string>;
  /** `<max-message-size>` (bytes). */
  maxMessageSize: number;
  /** `<max-connections-per-ip>` (0: no limit). */
  maxConnectionsPerIp: number;
  /** `<udp-receive-buffer>`: bytes asked for each SIP UDP socket's kernel receive buffer (0:
   * the system default). */
  udpReceiveBuffer: number;
  /** `<max-requests-in-flight>`: requests being proxied above which new ones get 503 (0: no
   * limit). */
  maxRequestsInFlight: number;
  /** `<ws-handshake-timeout>`, converted to milliseconds. */
  wsHandshakeTimeoutMs: number;
  /** `<idle-timeout>`, converted to milliseconds (0: never). */
  idleTimeoutMs: number;
  /** `<websocket-ping-interval>`, converted to milliseconds (0: no pings). */
  websocketPingIntervalMs: number;
  /** `<sip-timers>t1;t2;t4` (ms). */
  sipTimers: SipTimersConfig;
  /** `<rtcweb-breaker>`: `client` (per client, as the original) or `always`. */
  rtcwebBreaker: "client" | "always";
  /** `<media-workers>`: number of media Workers, or `auto` (one per core). */
  mediaWorkers: number | "auto";
  /** `<signaling-instances>`: gateway instances in one process (instance 0 in the main
   * isolate, the others in Workers), or `auto` (one per core). */
  signalingInstances: number | "auto";
}

/** A non-fatal finding: unknown or unsupported element, risky setting. */
export interface ConfigWarning {
  /** Element name as written, when the warning is about one. */
  element?: string;
  /** 1-based line of the element. */
  line?: number;
  /** Full sentence, e.g. `config.xml line 40: <database> is not supported; ignored`. */
  message: string;
}
