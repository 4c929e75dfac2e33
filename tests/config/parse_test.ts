import { deepStrictEqual, equal, match, ok, throws } from "node:assert/strict";
import fc from "fast-check";
import { parseConfig } from "../../mod/config/parse.ts";
import { ConfigError } from "../../mod/config/config_error.ts";
import { ELEMENTS } from "../../mod/config/elements.ts";
import { DEFAULT_TRANSPORTS, DEFAULTS } from "../../mod/config/defaults.ts";

// webrtc2sip-2.7.0.config.xml.txt is the original's shipped config.xml byte for byte; the .txt
// extension keeps deno fmt from reformatting it (and moving its line numbers).
const FIXTURES = new URL("../fixtures/config/", import.meta.url);

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

function wrap(body: string): string {
  return `<?xml version="1.0"?>\n<config>\n${body}\n</config>\n`;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  throw new Error("expected a ConfigError, nothing was thrown");
}

Deno.test("parseConfig() loads the original webrtc2sip 2.7.0 config.xml as it is", () => {
  const { config, warnings } = parseConfig(fixture("webrtc2sip-2.7.0.config.xml.txt"));
  equal(config.debugLevel, "ERROR");
  deepStrictEqual(config.transports, [
    { protocol: "udp", host: "0.0.0.0", port: 10060 },
    { protocol: "ws", host: "0.0.0.0", port: 10060 },
  ]);
  equal(config.rtpSymmetric, true);
  equal(config.enable100rel, false);
  equal(config.mediaCoder, false);
  equal(config.videoJb, true);
  equal(config.videoSizePref, "vga");
  equal(config.rtpBuffSize, 65535);
  deepStrictEqual(config.avpfTailLength, { min: 100, max: 400 });
  equal(config.srtpMode, "optional");
  deepStrictEqual(config.srtpType, ["sdes", "dtls"]);
  equal(config.dtmfType, "rfc4733");
  deepStrictEqual(config.codecs, [
    "opus",
    "pcma",
    "pcmu",
    "gsm",
    "vp8",
    "h264-bp",
    "h264-mp",
    "h263",
    "h263+",
  ]);
  deepStrictEqual(config.opusMaxRates, { playback: 48000, capture: 48000 });
  equal(config.stunServer?.host, "stun.l.google.com");
  equal(config.stunServer?.port, 19302);
  equal(config.stunServer?.user, "stun-user@doubango.org");
  equal(config.stunServer?.password?.reveal(), "stun-password");
  equal(config.iceStun, true);
  equal(config.maxFds, -1);
  deepStrictEqual(config.nameservers, []);
  equal(config.sslCertificates, undefined);

  const byLine = (line: number) => warnings.filter((w) => w.line === line);
  match(byLine(43)[0].message, /line 43: <transport>.*c2c.*not supported/);
  match(byLine(44)[0].message, /line 44: <transport>.*c2cs.*not supported/);
  match(byLine(45)[0].message, /line 45: <database>.*not supported/);
  match(byLine(9)[0].message, /line 9: <transport> wss needs <ssl-certificates>/);
  ok(warnings.some((w) => w.element === "allowed-destinations" && /open relay/.test(w.message)));
  equal(warnings.length, 5);
});

Deno.test("parseConfig() reads every element of a full configuration", () => {
  const { config, warnings } = parseConfig(fixture("full.xml"), { source: "full.xml" });
  deepStrictEqual(warnings, []);
  const { flowTokenSecret, stunServer, ...rest } = config;
  equal(flowTokenSecret.reveal(), "0123456789abcdef-fixture-secret");
  equal(stunServer?.password?.reveal(), "stun-pass-123");
  deepStrictEqual({ ...stunServer, password: undefined }, {
    host: "127.0.0.1",
    port: 3478,
    user: "alice",
    password: undefined,
  });
  deepStrictEqual(rest, {
    debugLevel: "DEBUG",
    transports: [
      { protocol: "udp", host: "127.0.0.1", port: 5070 },
      { protocol: "tcp", host: "127.0.0.1", port: 5070 },
      { protocol: "tls", host: "::1", port: 5071 },
      { protocol: "ws", host: "::", port: 0 },
      { protocol: "wss", host: "0.0.0.0", port: 10062 },
    ],
    rtpSymmetric: false,
    enable100rel: true,
    mediaCoder: true,
    videoJb: false,
    videoSizePref: "720p",
    rtpBuffSize: 131072,
    avpfTailLength: { min: 50, max: 500 },
    srtpMode: "mandatory",
    srtpType: ["dtls"],
    dtmfType: "rfc2833",
    codecs: ["pcmu", "opus", "g722"],
    opusMaxRates: { playback: 16000, capture: 8000 },
    iceStun: true,
    maxFds: 4096,
    nameservers: [{ host: "127.0.0.53" }, { host: "127.0.0.1", port: 5353 }, {
      host: "::1",
      port: 53,
    }],
    sslCertificates: {
      privateKey: "/tmp/priv.pem",
      publicCert: "/tmp/pub.pem",
      ca: "/tmp/ca.pem",
      verify: true,
    },
    publicAddress: "gw.example.com",
    rtpPortRange: { min: 40000, max: 40999 },
    allowedDestinations: [
      { type: "domain", name: "example.com", subdomains: false },
      { type: "domain", name: "example.org", subdomains: true },
      { type: "network", family: 4, address: "10.0.0.0", prefixLength: 8 },
    ],
    maxMessageSize: 8192,
    maxConnectionsPerIp: 0,
    maxRequestsInFlight: 500,
    udpReceiveBuffer: 1048576,
    wsHandshakeTimeoutMs: 2500,
    idleTimeoutMs: 0,
    websocketPingIntervalMs: 15000,
    sipTimers: { t1: 250, t2: 2000, t4: 2500 },
    rtcwebBreaker: "always",
    mediaWorkers: 3,
    signalingInstances: 2,
  });
});

Deno.test("parseConfig() accepts enable-rtp-symetric and enable-rtp-symmetric", () => {
  const misspelled = parseConfig(wrap("<enable-rtp-symetric>no</enable-rtp-symetric>"));
  equal(misspelled.config.rtpSymmetric, false);
  const correct = parseConfig(wrap("<enable-rtp-symmetric>no</enable-rtp-symmetric>"));
  equal(correct.config.rtpSymmetric, false);
  equal(parseConfig(wrap("")).config.rtpSymmetric, true);
});

Deno.test("parseConfig() reads signaling-instances auto or a count, default 1", () => {
  equal(parseConfig(wrap("<debug-level>INFO</debug-level>")).config.signalingInstances, 1);
  const auto = parseConfig(wrap("<signaling-instances>AUTO</signaling-instances>"));
  equal(auto.config.signalingInstances, "auto");
  const four = parseConfig(wrap("<signaling-instances> 4 </signaling-instances>"));
  equal(four.config.signalingInstances, 4);
});

Deno.test("parseConfig() matches element names case-insensitively", () => {
  const { config, warnings } = parseConfig(
    "<Config><DEBUG-LEVEL>warn</DEBUG-LEVEL><Enable-RTP-Symetric>No</Enable-RTP-Symetric>" +
      "<Transport>WS;*;8080</Transport></Config>",
  );
  equal(config.debugLevel, "WARN");
  equal(config.rtpSymmetric, false);
  deepStrictEqual(config.transports, [{ protocol: "ws", host: "0.0.0.0", port: 8080 }]);
  ok(!warnings.some((w) => /not a known element/.test(w.message)));
});

Deno.test("parseConfig() splits values on ; and trims whitespace and newlines", () => {
  const { config } = parseConfig(wrap(
    "<ssl-certificates>\n    C:/Projects/ssl/priv.pem;\n\t  C:/Projects/ssl/pub.pem;\n" +
      "    C:/Projects/ssl/ca-cert.pem;\n    no\n  </ssl-certificates>\n" +
      "<avpf-tail-length> 10 ;\n 20 ; </avpf-tail-length>",
  ));
  deepStrictEqual(config.sslCertificates, {
    privateKey: "C:/Projects/ssl/priv.pem",
    publicCert: "C:/Projects/ssl/pub.pem",
    ca: "C:/Projects/ssl/ca-cert.pem",
    verify: false,
  });
  deepStrictEqual(config.avpfTailLength, { min: 10, max: 20 });
});

Deno.test("parseConfig() warns about an unknown element with its line", () => {
  const { warnings } = parseConfig(
    wrap("<debug-level>INFO</debug-level>\n  <frobnicate>1</frobnicate>"),
  );
  const warning = warnings.find((w) => w.element === "frobnicate");
  equal(warning?.line, 4);
  equal(warning?.message, "config.xml line 4: <frobnicate> is not a known element; ignored");
});

Deno.test("parseConfig() warns when a single element is repeated and keeps the last", () => {
  const { config, warnings } = parseConfig(
    wrap("<debug-level>INFO</debug-level>\n<debug-level>ERROR</debug-level>"),
  );
  equal(config.debugLevel, "ERROR");
  ok(warnings.some((w) => w.line === 4 && /repeats the one on line 3/.test(w.message)));
});

// [element, value, fragment of "expected"]
const BAD_VALUES: [string, string, RegExp][] = [
  ["debug-level", "LOUD", /one of DEBUG, INFO, WARN, ERROR, FATAL/],
  ["transport", "udp;*", /proto;ip;port/],
  ["transport", "sctp;*;5060", /proto as one of udp, tcp, tls, ws, wss/],
  ["transport", "udp;*;abc", /port from 1 to 65535 or \*, got "abc"/],
  ["transport", "udp;*;70000", /port from 1 to 65535/],
  ["transport", "udp;300.1.1.1;5060", /ip as an IPv4 or IPv6 address/],
  ["enable-rtp-symetric", "maybe", /yes or no/],
  ["enable-100rel", "", /yes or no/],
  ["enable-media-coder", "yes;no", /yes or no/],
  ["enable-videojb", "2", /yes or no/],
  ["video-size-pref", "8k", /one of sqcif/],
  ["rtp-buffsize", "-5", /integer from 1 to 2147483647/],
  ["rtp-buffsize", "big", /integer from 1/],
  ["avpf-tail-length", "100", /min;max/],
  ["avpf-tail-length", "400;100", /min <= max/],
  ["srtp-mode", "sometimes", /none, optional, mandatory/],
  ["srtp-type", "zrtp", /sdes or dtls/],
  ["dtmf-type", "info", /one of rfc4733, rfc2833, got "info"/],
  ["codecs", "opus;mp3", /codec names/],
  ["codecs", "", /codec names/],
  ["codec-opus-maxrates", "48000;44100", /rates among 8000, 12000, 16000, 24000, 48000/],
  ["stun-server", "stun.example.com", /host;port/],
  ["stun-server", "stun.example.com;port", /port from 1 to 65535/],
  ["max-fds", "0", /-1 \(system limit\) or a positive count/],
  ["nameserver", "dns.example.com", /ip, ip:port or \[IPv6\]:port/],
  ["nameserver", "1.2.3.4:99999", /ip, ip:port/],
  ["ssl-certificates", "only-one.pem", /private-key.pem;certificate.pem/],
  ["ssl-certificates", "a.pem;b.pem;*;perhaps", /yes or no/],
  ["public-address", "not a host", /host name or IP address/],
  ["rtp-port-range", "30000;20000", /min < max/],
  ["rtp-port-range", "80;90", /integer from 1024 to 65535/],
  ["allowed-destinations", "10.0.0.0/33", /prefix length 0-32/],
  ["allowed-destinations", "exa mple.com", /CIDR/],
  ["allowed-destinations", "", /at least one/],
  ["max-message-size", "100", /integer from 1024 to 16777216/],
  ["max-connections-per-ip", "-1", /integer from 0/],
  ["max-requests-in-flight", "many", /integer from 0/],
  ["udp-receive-buffer", "4M", /integer from 0 to 268435456/],
  ["ws-handshake-timeout", "ten", /seconds from 0 to 3600/],
  ["idle-timeout", "-3", /seconds/],
  ["websocket-ping-interval", "1e3", /seconds/],
  ["sip-timers", "500;4000", /t1;t2;t4/],
  ["sip-timers", "5000;4000;5000", /t2 >= t1/],
  ["rtcweb-breaker", "sometimes", /one of client, always/],
  ["media-workers", "0", /auto or a count/],
  ["signaling-instances", "0", /auto or a count/],
  ["signaling-instances", "65", /auto or a count/],
];

Deno.test("parseConfig() rejects bad values naming element, line, value and expectation", async (t) => {
  for (const [element, value, expected] of BAD_VALUES) {
    await t.step(`<${element}>${value}</${element}>`, () => {
      const text = wrap(`<debug-level>INFO</debug-level>\n  <${element}>${value}</${element}>`);
      const error = configError(() => parseConfig(text, { source: "gw.xml" }));
      equal(error.element, element);
      equal(error.line, 4);
      equal(error.value, value.trim());
      match(error.expected ?? "", expected);
      ok(error instanceof SyntaxError);
      ok(error.message.startsWith(`Cannot load gw.xml: <${element}> on line 4 has value `));
      ok(error.message.includes(JSON.stringify(value.trim())));
      match(error.message, expected);
    });
  }
});

Deno.test("parseConfig() never shows secret values in errors", () => {
  const error = configError(() =>
    parseConfig(wrap("<flow-token-secret>short-pw</flow-token-secret>"))
  );
  equal(error.value, "[redacted]");
  ok(!error.message.includes("short-pw"));
  const stun = configError(() =>
    parseConfig(wrap("<stun-server>h;1;user;hunter2;extra</stun-server>"))
  );
  ok(!stun.message.includes("hunter2"));
  equal(stun.value, "h;1;user;[redacted];[redacted]");
});

Deno.test("parseConfig() reports malformed XML with its line", () => {
  const error = configError(() =>
    parseConfig(
      "<config>\n<debug-level>INFO</debug-level>\n<transport>udp;*;5060</transprt>\n</config>",
    )
  );
  equal(error.line, 3);
  match(error.message, /^Cannot load config.xml: XML error on line 3: /);
});

Deno.test("parseConfig() requires a <config> root element", () => {
  const error = configError(() =>
    parseConfig("<settings><debug-level>INFO</debug-level></settings>")
  );
  match(error.message, /expected a <config> root element/);
  configError(() => parseConfig(""));
});

Deno.test("parseConfig() rejects a DOCTYPE (no entity expansion)", () => {
  const error = configError(() =>
    parseConfig('<?xml version="1.0"?>\n<!DOCTYPE config [<!ENTITY a "aaaa">]>\n<config/>')
  );
  equal(error.line, 2);
});

Deno.test("parseConfig() rejects child elements inside a value", () => {
  const error = configError(() => parseConfig(wrap("<codecs><opus/></codecs>")));
  equal(error.element, "codecs");
  equal(error.line, 3);
});

Deno.test("parseConfig() rejects two stream transports on one port", () => {
  const error = configError(() =>
    parseConfig(wrap("<transport>tcp;*;5060</transport>\n<transport>ws;*;5060</transport>"))
  );
  equal(error.element, "transport");
  equal(error.line, 4);
  match(error.message, /already used by tcp on line 3/);
  // udp and ws on one port do not clash (the original's own sample does it).
  parseConfig(wrap("<transport>udp;*;5060</transport>\n<transport>ws;*;5060</transport>"));
});

Deno.test("parseConfig() uses the default transports when none is given", () => {
  deepStrictEqual(parseConfig(wrap("")).config.transports, DEFAULT_TRANSPORTS);
  const secure = parseConfig(wrap("<ssl-certificates>k.pem;c.pem</ssl-certificates>"));
  deepStrictEqual(secure.config.transports, [
    ...DEFAULT_TRANSPORTS,
    { protocol: "wss", host: "0.0.0.0", port: 10062 },
  ]);
});

Deno.test("parseConfig() applies the defaults of absent elements", () => {
  const { config } = parseConfig(wrap(""));
  for (const [key, value] of Object.entries(DEFAULTS)) {
    deepStrictEqual(config[key as keyof typeof config], value, key);
  }
});

Deno.test("parseConfig() warns when no ws or wss transport is left", () => {
  const { warnings } = parseConfig(wrap("<transport>udp;*;5060</transport>"));
  ok(warnings.some((w) => /no ws or wss <transport>/.test(w.message)));
});

Deno.test("parseConfig() warns about an open relay without allowed-destinations", () => {
  const open = parseConfig(wrap(""));
  deepStrictEqual(open.config.allowedDestinations, [{ type: "any" }]);
  ok(open.warnings.some((w) => w.element === "allowed-destinations"));
  const closed = parseConfig(wrap("<allowed-destinations>example.com</allowed-destinations>"));
  ok(!closed.warnings.some((w) => w.element === "allowed-destinations"));
});

Deno.test("parseConfig() makes a random flow-token secret per parse when none is set", () => {
  const a = parseConfig(wrap("")).config.flowTokenSecret.reveal();
  const b = parseConfig(wrap("")).config.flowTokenSecret.reveal();
  match(a, /^[0-9a-f]{64}$/);
  ok(a !== b);
  const fixed = parseConfig(wrap(""), { randomSecret: () => "fixed" });
  equal(fixed.config.flowTokenSecret.reveal(), "fixed");
});

Deno.test("parseConfig() checks the ssl-certificates files with checkFile", () => {
  const text = wrap(
    "<transport>wss;*;443</transport>\n<ssl-certificates>k.pem;c.pem</ssl-certificates>",
  );
  const error = configError(() =>
    parseConfig(text, { checkFile: (path) => path === "c.pem" ? "file not found" : undefined })
  );
  equal(error.element, "ssl-certificates");
  equal(error.line, 4);
  equal(error.value, "c.pem");
  match(error.message, /readable PEM file \(file not found\)/);
});

Deno.test("parseConfig() throws nothing but ConfigError for random element values", () => {
  const names = ELEMENTS.flatMap((spec) => [spec.name, ...(spec.aliases ?? [])]);
  const fragment = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("*", ";", " ", "\n", "::", "[::1]", "127.0.0.1", "yes", "0", "-1", "/8", ":"),
    fc.integer({ min: -100000, max: 100000 }).map(String),
  );
  const value = fc.array(fragment, { maxLength: 6 }).map((parts) => parts.join(""));
  fc.assert(
    fc.property(fc.constantFrom(...names), value, fc.boolean(), (name, text, escape) => {
      const body = escape
        ? text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
        : text;
      try {
        parseConfig(wrap(`<${name}>${body}</${name}>`));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
      }
    }),
    { numRuns: 2000 },
  );
});

Deno.test("ConfigError is thrown for non-string garbage too", () => {
  throws(() => parseConfig("<config><transport>udp;*;5060</config>"), ConfigError);
});
