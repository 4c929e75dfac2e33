/**
 * The table of config.xml elements: names (case-insensitive, aliases for the original's
 * misspelling), syntax, and one parser/validator each writing into the draft configuration.
 * docs/configuration.md describes each element; keep both in step.
 * @module
 */

import type {
  CodecName,
  Config,
  DtmfType,
  ListenProtocol,
  SrtpMode,
  SrtpType,
  TransportConfig,
  VideoSize,
} from "./config.ts";
import { LOG_LEVELS, parseLogLevel, Secret } from "../log.ts";
import { parseDestinationRule } from "./allowed_destinations.ts";
import {
  InvalidValue,
  parseBoolean,
  parseChoice,
  parseHost,
  parseHostPort,
  parseInteger,
  parsePort,
  parseSecondsToMs,
  splitValue,
} from "./_values.ts";

/** What an element parser can reach while it runs. */
export interface ElementContext {
  /** The configuration being built; fields not set here get their defaults afterwards. */
  draft: Partial<Config>;
  /** Records a warning about this element (parse.ts adds source, line and element). */
  warn(message: string): void;
  /** 1-based line of the element being parsed. */
  line: number;
  /** Line of every transport, for checks made once all elements are read. */
  transportLines: Map<TransportConfig, number>;
}

/** One element of config.xml. */
export interface ElementSpec {
  /** Canonical name, lower case. */
  readonly name: string;
  /** Other accepted names, lower case (the original's misspelling). */
  readonly aliases?: readonly string[];
  /** May appear more than once; values accumulate. */
  readonly repeatable?: boolean;
  /** Value never shown in messages. */
  readonly secret?: boolean;
  /** Gives the value as shown in messages, secret parts replaced (when only a part is). */
  readonly redact?: (value: string) => string;
  /** Reason the element is accepted but ignored (click-to-call service of the original). */
  readonly unsupported?: string;
  /** Syntax of the value, for messages and --help. */
  readonly syntax: string;
  /** Parses `value` (untrimmed element text) into `ctx.draft`; throws InvalidValue. */
  apply(value: string, ctx: ElementContext): void;
}

/** `<video-size-pref>` values, smallest first. */
export const VIDEO_SIZES = [
  "sqcif",
  "qcif",
  "qvga",
  "cif",
  "hvga",
  "vga",
  "4cif",
  "svga",
  "480p",
  "xga",
  "720p",
  "16cif",
  "1080p",
  "2160p",
] as const satisfies readonly VideoSize[];

/** `<codecs>` names (the original's list plus opus). */
export const CODEC_NAMES = [
  "opus",
  "pcma",
  "pcmu",
  "amr-nb-be",
  "amr-nb-oa",
  "speex-nb",
  "speex-wb",
  "speex-uwb",
  "g729",
  "gsm",
  "g722",
  "ilbc",
  "h264-bp",
  "h264-mp",
  "vp8",
  "h263",
  "h263+",
  "theora",
  "mp4v-es",
] as const satisfies readonly CodecName[];

/** Opus sampling rates (RFC 7587 maxplaybackrate / sprop-maxcapturerate values). */
export const OPUS_RATES = [8000, 12000, 16000, 24000, 48000] as const;

const LISTEN_PROTOCOLS = [
  "udp",
  "tcp",
  "tls",
  "ws",
  "wss",
] as const satisfies readonly ListenProtocol[];
const CLICK_TO_CALL_PROTOCOLS = ["c2c", "c2cs"] as const;
const INT32_MAX = 2147483647;
const CLICK_TO_CALL = "the click-to-call service of the original is not supported";

function single(value: string, what: string): string {
  const fields = splitValue(value);
  if (fields.length !== 1 || fields[0] === "") throw new InvalidValue(what);
  return fields[0];
}

function fieldCount(fields: string[], min: number, max: number, syntax: string): void {
  if (fields.length < min || fields.length > max) {
    throw new InvalidValue(`${syntax} (${min === max ? min : `${min} to ${max}`} fields)`);
  }
}

function booleanElement(name: string, key: keyof Config, aliases?: string[]): ElementSpec {
  return {
    name,
    aliases,
    syntax: "yes|no",
    apply(value, ctx) {
      (ctx.draft as Record<string, unknown>)[key] = parseBoolean(single(value, "yes or no"));
    },
  };
}

function secondsElement(name: string, key: keyof Config, max: number): ElementSpec {
  return {
    name,
    syntax: "seconds",
    apply(value, ctx) {
      const text = single(value, `seconds from 0 to ${max}`);
      (ctx.draft as Record<string, unknown>)[key] = parseSecondsToMs(text, max, "a duration");
    },
  };
}

/** The range of an integer element: `unit` and `what` name it in the syntax and in errors,
 * `zero` says what 0 means when it is allowed. */
interface IntegerRange {
  unit: string;
  what: string;
  min: number;
  max: number;
  zero?: string;
}

const COUNT: IntegerRange = {
  unit: "count",
  what: "a count",
  min: 0,
  max: 1000000,
  zero: "no limit",
};
const BYTES = { unit: "bytes", what: "a size in bytes" };

/** An element holding one integer of `range`. */
function integerElement(name: string, key: keyof Config, range: IntegerRange): ElementSpec {
  const { unit, what, min, max, zero } = range;
  return {
    name,
    syntax: zero === undefined ? unit : `${unit} (0: ${zero})`,
    apply(value, ctx) {
      const text = single(value, `${what} from ${min}${zero ? ` (${zero})` : ""} to ${max}`);
      (ctx.draft as Record<string, unknown>)[key] = parseInteger(text, min, max, what);
    },
  };
}

function unsupported(name: string): ElementSpec {
  return { name, syntax: "(ignored)", unsupported: CLICK_TO_CALL, secret: true, apply() {} };
}

/** Every element, in the order of docs/configuration.md. */
export const ELEMENTS: readonly ElementSpec[] = [
  {
    name: "debug-level",
    syntax: LOG_LEVELS.join("|"),
    apply(value, ctx) {
      const expected = `one of ${LOG_LEVELS.join(", ")}`;
      const level = parseLogLevel(single(value, expected));
      if (level === undefined) throw new InvalidValue(expected);
      ctx.draft.debugLevel = level;
    },
  },
  {
    name: "transport",
    repeatable: true,
    syntax: "udp|tcp|tls|ws|wss;ip|*;port|*",
    apply(value, ctx) {
      const syntax = "proto;ip;port with proto udp, tcp, tls, ws or wss, ip an address or *, " +
        "port 1-65535 or *";
      const fields = splitValue(value);
      fieldCount(fields, 3, 3, syntax);
      const proto = fields[0].toLowerCase();
      if ((CLICK_TO_CALL_PROTOCOLS as readonly string[]).includes(proto)) {
        ctx.warn(`transport ${proto} (${CLICK_TO_CALL}); ignored`);
        return;
      }
      const protocol = parseChoice(proto, LISTEN_PROTOCOLS, "proto");
      const host = fields[1] === "*" ? "0.0.0.0" : parseHost(fields[1], "ip");
      const port = parsePort(fields[2], "port", true);
      const transport: TransportConfig = { protocol, host, port };
      (ctx.draft.transports ??= []).push(transport);
      ctx.transportLines.set(transport, ctx.line);
    },
  },
  booleanElement("enable-rtp-symetric", "rtpSymmetric", ["enable-rtp-symmetric"]),
  booleanElement("enable-100rel", "enable100rel"),
  booleanElement("enable-media-coder", "mediaCoder"),
  booleanElement("enable-videojb", "videoJb"),
  {
    name: "video-size-pref",
    syntax: VIDEO_SIZES.join("|"),
    apply(value, ctx) {
      const text = single(value, `one of ${VIDEO_SIZES.join(", ")}`);
      ctx.draft.videoSizePref = parseChoice(text, VIDEO_SIZES, "a size");
    },
  },
  {
    name: "rtp-buffsize",
    syntax: "bytes",
    apply(value, ctx) {
      const text = single(value, `a size in bytes from 1 to ${INT32_MAX}`);
      ctx.draft.rtpBuffSize = parseInteger(text, 1, INT32_MAX, "a size in bytes");
    },
  },
  {
    name: "avpf-tail-length",
    syntax: "min;max",
    apply(value, ctx) {
      const fields = splitValue(value);
      fieldCount(fields, 2, 2, "min;max");
      const min = parseInteger(fields[0], 1, INT32_MAX, "min");
      const max = parseInteger(fields[1], 1, INT32_MAX, "max");
      if (min > max) throw new InvalidValue(`min;max with min <= max, got ${min} > ${max}`);
      ctx.draft.avpfTailLength = { min, max };
    },
  },
  {
    name: "srtp-mode",
    syntax: "none|optional|mandatory",
    apply(value, ctx) {
      const modes = ["none", "optional", "mandatory"] as const satisfies readonly SrtpMode[];
      ctx.draft.srtpMode = parseChoice(
        single(value, "none, optional or mandatory"),
        modes,
        "a mode",
      );
    },
  },
  {
    name: "srtp-type",
    syntax: "sdes;dtls",
    apply(value, ctx) {
      const types = ["sdes", "dtls"] as const satisfies readonly SrtpType[];
      const fields = splitValue(value);
      if (fields.length === 0) throw new InvalidValue("sdes, dtls or sdes;dtls");
      const list = fields.map((field) => parseChoice(field, types, "sdes or dtls"));
      ctx.draft.srtpType = [...new Set(list)];
    },
  },
  {
    name: "dtmf-type",
    syntax: "rfc4733|rfc2833",
    apply(value, ctx) {
      const types = ["rfc4733", "rfc2833"] as const satisfies readonly DtmfType[];
      ctx.draft.dtmfType = parseChoice(single(value, "rfc4733 or rfc2833"), types, "a type");
    },
  },
  {
    name: "codecs",
    syntax: "codec;codec;...",
    apply(value, ctx) {
      const fields = splitValue(value);
      if (fields.length === 0) throw new InvalidValue(`codec names (${CODEC_NAMES.join(", ")})`);
      const list = fields.map((field) => parseChoice(field, CODEC_NAMES, "codec names"));
      ctx.draft.codecs = [...new Set(list)];
    },
  },
  {
    name: "codec-opus-maxrates",
    syntax: "playback;capture",
    apply(value, ctx) {
      const fields = splitValue(value);
      fieldCount(fields, 2, 2, "playback;capture");
      const rates = fields.map((field) => {
        const rate = OPUS_RATES.find((r) => String(r) === field);
        if (rate === undefined) {
          throw new InvalidValue(`rates among ${OPUS_RATES.join(", ")}, got "${field}"`);
        }
        return rate;
      });
      ctx.draft.opusMaxRates = { playback: rates[0], capture: rates[1] };
    },
  },
  {
    name: "stun-server",
    syntax: "host;port[;user;password]",
    redact(value) {
      const fields = value.trim().split(";");
      return fields.map((field, i) => i >= 3 ? "[redacted]" : field).join(";");
    },
    apply(value, ctx) {
      const fields = splitValue(value);
      if (fields.length === 0) {
        delete ctx.draft.stunServer;
        return;
      }
      fieldCount(fields, 2, 4, "host;port[;user;password]");
      const host = parseHost(fields[0], "host");
      const port = parsePort(fields[1], "port");
      const user = fields[2] === undefined || fields[2] === "" ? undefined : fields[2];
      const password = fields[3] === undefined ? undefined : new Secret(fields[3]);
      ctx.draft.stunServer = {
        host,
        port,
        ...(user ? { user } : {}),
        ...(password ? { password } : {}),
      };
    },
  },
  booleanElement("enable-icestun", "iceStun"),
  {
    name: "max-fds",
    syntax: "-1|count",
    apply(value, ctx) {
      const text = single(value, `-1 or a count up to ${INT32_MAX}`);
      const n = parseInteger(text, -1, INT32_MAX, "-1 or a count");
      if (n === 0) throw new InvalidValue("-1 (system limit) or a positive count, got 0");
      ctx.draft.maxFds = n;
    },
  },
  {
    name: "nameserver",
    repeatable: true,
    syntax: "ip[:port]",
    apply(value, ctx) {
      const fields = splitValue(value);
      if (fields.length === 0) throw new InvalidValue("ip, ip:port or [IPv6]:port");
      for (const field of fields) {
        (ctx.draft.nameservers ??= []).push(parseHostPort(field, "a nameserver", false));
      }
    },
  },
  {
    name: "ssl-certificates",
    syntax: "priv.pem;pub.pem[;ca.pem|*[;yes|no]]",
    apply(value, ctx) {
      const fields = splitValue(value);
      if (fields.length === 0) {
        delete ctx.draft.sslCertificates;
        return;
      }
      fieldCount(fields, 2, 4, "private-key.pem;certificate.pem[;ca.pem or *[;verify yes|no]]");
      if (fields[0] === "" || fields[1] === "") {
        throw new InvalidValue("paths of the private key and of the certificate");
      }
      const ca = fields[2] === undefined || fields[2] === "" || fields[2] === "*"
        ? undefined
        : fields[2];
      const verify = fields[3] === undefined ? false : parseBoolean(fields[3]);
      ctx.draft.sslCertificates = {
        privateKey: fields[0],
        publicCert: fields[1],
        ...(ca ? { ca } : {}),
        verify,
      };
    },
  },
  unsupported("database"),
  unsupported("account-mail"),
  unsupported("account-sip-caller"),
  unsupported("account-http-domain"),
  unsupported("account-recaptcha"),

  // Elements new in this product.
  {
    name: "public-address",
    syntax: "host",
    apply(value, ctx) {
      const fields = splitValue(value);
      if (fields.length === 0) {
        delete ctx.draft.publicAddress;
        return;
      }
      fieldCount(fields, 1, 1, "one host name or IP address");
      ctx.draft.publicAddress = parseHost(fields[0], "a host name or IP address");
    },
  },
  {
    name: "rtp-port-range",
    syntax: "min;max",
    apply(value, ctx) {
      const fields = splitValue(value);
      fieldCount(fields, 2, 2, "min;max");
      const min = parseInteger(fields[0], 1024, 65535, "min");
      const max = parseInteger(fields[1], 1024, 65535, "max");
      if (max - min < 1) throw new InvalidValue(`min;max with min < max, got ${min};${max}`);
      ctx.draft.rtpPortRange = { min, max };
    },
  },
  {
    name: "allowed-destinations",
    repeatable: true,
    syntax: "*|host|*.domain|ip|cidr;...",
    apply(value, ctx) {
      const fields = splitValue(value).filter((field) => field !== "");
      if (fields.length === 0) {
        throw new InvalidValue("at least one of *, host, *.domain, IP address or CIDR network");
      }
      (ctx.draft.allowedDestinations ??= []).push(...fields.map(parseDestinationRule));
    },
  },
  {
    name: "flow-token-secret",
    syntax: "text (16+ characters)",
    secret: true,
    apply(value, ctx) {
      const text = value.trim();
      if (text.length < 16 || text.length > 4096) {
        throw new InvalidValue("a secret of 16 to 4096 characters");
      }
      ctx.draft.flowTokenSecret = new Secret(text);
    },
  },
  integerElement("max-message-size", "maxMessageSize", { ...BYTES, min: 1024, max: 16777216 }),
  integerElement("max-connections-per-ip", "maxConnectionsPerIp", COUNT),
  integerElement("udp-receive-buffer", "udpReceiveBuffer", {
    ...BYTES,
    min: 0,
    max: 268435456,
    zero: "system default",
  }),
  integerElement("max-requests-in-flight", "maxRequestsInFlight", COUNT),
  secondsElement("ws-handshake-timeout", "wsHandshakeTimeoutMs", 3600),
  secondsElement("idle-timeout", "idleTimeoutMs", 86400),
  secondsElement("websocket-ping-interval", "websocketPingIntervalMs", 86400),
  {
    name: "sip-timers",
    syntax: "t1;t2;t4 (ms)",
    apply(value, ctx) {
      const fields = splitValue(value);
      fieldCount(fields, 3, 3, "t1;t2;t4 in milliseconds");
      const t1 = parseInteger(fields[0], 1, 60000, "t1 (ms)");
      const t2 = parseInteger(fields[1], 1, 600000, "t2 (ms)");
      const t4 = parseInteger(fields[2], 1, 600000, "t4 (ms)");
      if (t2 < t1) throw new InvalidValue(`t1;t2;t4 with t2 >= t1, got ${t1};${t2}`);
      ctx.draft.sipTimers = { t1, t2, t4 };
    },
  },
  {
    name: "rtcweb-breaker",
    syntax: "client|always",
    apply(value, ctx) {
      const text = single(value, "client or always");
      ctx.draft.rtcwebBreaker = parseChoice(text, ["client", "always"] as const, "a mode");
    },
  },
  {
    name: "media-workers",
    syntax: "auto|count",
    apply(value, ctx) {
      const text = single(value, "auto or a count from 1 to 256");
      ctx.draft.mediaWorkers = text.toLowerCase() === "auto"
        ? "auto"
        : parseInteger(text, 1, 256, "auto or a count");
    },
  },
  {
    name: "signaling-instances",
    syntax: "auto|count",
    apply(value, ctx) {
      const text = single(value, "auto or a count from 1 to 64");
      ctx.draft.signalingInstances = text.toLowerCase() === "auto"
        ? "auto"
        : parseInteger(text, 1, 64, "auto or a count");
    },
  },
];

const BY_NAME: ReadonlyMap<string, ElementSpec> = new Map(
  ELEMENTS.flatMap((spec) => [spec.name, ...(spec.aliases ?? [])].map((n) => [n, spec])),
);

/** The element named `name` (case-insensitive, aliases included), or undefined. */
export function findElement(name: string): ElementSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}
