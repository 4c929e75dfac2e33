import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  configureLogging,
  createLogger,
  formatFields,
  isLevelEnabled,
  type LogRecord,
  parseLogLevel,
  redactSip,
  Secret,
} from "../mod/log.ts";

const T0 = new Date("2026-11-27T09:00:00.000Z");

function capture(level: "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL" = "DEBUG") {
  const lines: string[] = [];
  const records: LogRecord[] = [];
  const logger = createLogger("proxy", {
    level,
    clock: () => T0,
    sink: (line, record) => {
      lines.push(line);
      records.push(record);
    },
  });
  return { logger, lines, records };
}

Deno.test("createLogger() writes time, padded level, scope, message and fields", () => {
  const { logger, lines } = capture();
  logger.info("message", { k: "v", n: 3 });
  logger.fatal("down");
  deepStrictEqual(lines, [
    "2026-11-27T09:00:00.000Z INFO  [proxy] message {k=v n=3}",
    "2026-11-27T09:00:00.000Z FATAL [proxy] down",
  ]);
});

Deno.test("Logger.child() nests the scope and shares level and sink", () => {
  const { logger, lines } = capture("INFO");
  const ws = logger.child("ws");
  ws.debug("hidden");
  ws.warn("shown");
  logger.level = "DEBUG";
  ws.debug("now shown");
  deepStrictEqual(lines, [
    "2026-11-27T09:00:00.000Z WARN  [proxy.ws] shown",
    "2026-11-27T09:00:00.000Z DEBUG [proxy.ws] now shown",
  ]);
});

Deno.test("Logger.log() drops records below the level", () => {
  const { logger, lines } = capture("ERROR");
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
  logger.fatal("f");
  equal(lines.length, 2);
  equal(logger.enabled("WARN"), false);
  equal(logger.enabled("FATAL"), true);
});

Deno.test("isLevelEnabled() orders DEBUG < INFO < WARN < ERROR < FATAL", () => {
  ok(isLevelEnabled("INFO", "DEBUG"));
  ok(isLevelEnabled("WARN", "WARN"));
  ok(!isLevelEnabled("WARN", "ERROR"));
  ok(isLevelEnabled("FATAL", "ERROR"));
});

Deno.test("parseLogLevel() is case-insensitive and rejects other words", () => {
  equal(parseLogLevel(" warn "), "WARN");
  equal(parseLogLevel("Fatal"), "FATAL");
  equal(parseLogLevel("WARNING"), undefined);
});

Deno.test("configureLogging() changes loggers created without settings", () => {
  const lines: string[] = [];
  configureLogging({ level: "WARN", sink: (line) => lines.push(line), clock: () => T0 });
  try {
    const logger = createLogger("global");
    logger.info("hidden");
    logger.warn("shown");
    configureLogging({ level: "DEBUG" });
    logger.child("x").debug("later");
    deepStrictEqual(lines, [
      "2026-11-27T09:00:00.000Z WARN  [global] shown",
      "2026-11-27T09:00:00.000Z DEBUG [global.x] later",
    ]);
  } finally {
    configureLogging({ level: "INFO", sink: () => {}, clock: () => new Date() });
  }
});

Deno.test("Secret prints as [redacted] in strings, JSON, inspect and log fields", () => {
  const secret = new Secret("hunter2");
  equal(secret.reveal(), "hunter2");
  equal(String(secret), "[redacted]");
  equal(`${secret}`, "[redacted]");
  equal(JSON.stringify({ secret }), '{"secret":"[redacted]"}');
  ok(!Deno.inspect({ nested: { secret } }).includes("hunter2"));
  const { logger, lines } = capture();
  logger.info(`key ${secret}`, { s: secret, nested: { inner: secret }, list: [secret] });
  ok(!lines[0].includes("hunter2"), lines[0]);
  equal(
    lines[0],
    '2026-11-27T09:00:00.000Z INFO  [proxy] key [redacted] {s=[redacted] nested={"inner":"[redacted]"} list=["[redacted]"]}',
  );
});

Deno.test("formatFields() redacts fields named like secrets whatever their type", () => {
  const text = formatFields({
    password: "pw1",
    ha1: "0123456789abcdef0123456789abcdef",
    authorization: 'Digest response="x"',
    flowTokenSecret: "s3",
    srtpKey: new Uint8Array([1, 2]),
    nested: { password: "pw2", user: "alice" },
    user: "alice",
  });
  for (const secret of ["pw1", "0123456789abcdef", "s3", "pw2", 'response=\\"x']) {
    ok(!text.includes(secret), `${secret} in ${text}`);
  }
  ok(text.includes("user=alice"));
  ok(text.includes('"user":"alice"'));
});

Deno.test("formatFields() quotes values with spaces and shows bytes and errors", () => {
  equal(
    formatFields({ a: "two words", b: new Uint8Array(5), c: new Error("boom"), d: undefined }),
    '{a="two words" b=<5 bytes> c="Error: boom"}',
  );
  equal(formatFields({}), "");
});

const REGISTER = [
  "REGISTER sip:example.com SIP/2.0",
  "Via: SIP/2.0/WS df7jal231s0d.invalid;branch=z9hG4bK1",
  'Contact: "u"<sip:u@x.invalid;rtcweb-breaker=yes;transport=wss>;impi=u;ha1=5f4dcc3b5aa765d61d8327deb882cf99;+sip.ice',
  'Authorization: Digest username="alice", realm="example.com", nonce="abc", uri="sip:example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5',
  "Proxy-Authorization: Basic YWxpY2U6aHVudGVyMg==",
  "authorization:Bearer eyJhbGciOi.secret.token",
  "To: <sip:bob:pa55word@example.com>",
  "",
  "v=0",
  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32",
  "",
].join("\r\n");

Deno.test("redactSip() blanks credentials, ha1, URI passwords and SDES keys", () => {
  const text = redactSip(REGISTER);
  for (
    const secret of [
      "5f4dcc3b5aa765d61d8327deb882cf99",
      "6629fae49393a05397450978507c4ef1",
      "YWxpY2U6aHVudGVyMg==",
      "eyJhbGciOi",
      "pa55word",
      "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
    ]
  ) {
    ok(!text.includes(secret), `${secret} still in output`);
  }
  ok(text.includes('response="[redacted]"'));
  ok(text.includes(";ha1=[redacted];+sip.ice"));
  ok(text.includes("Proxy-Authorization: Basic [redacted]"));
  ok(text.includes("authorization:Bearer [redacted]"));
  ok(text.includes("<sip:bob:[redacted]@example.com>"));
  ok(text.includes("inline:[redacted]|2^20|1:32"));
  // What is not secret stays readable.
  ok(text.includes('username="alice", realm="example.com", nonce="abc"'));
  ok(text.includes("Via: SIP/2.0/WS df7jal231s0d.invalid;branch=z9hG4bK1"));
  equal(text.split("\r\n").length, REGISTER.split("\r\n").length);
});

Deno.test("redactSip() leaves host:port URIs alone", () => {
  const route = "Route: <sip:proxy.example.com:5060;lr>, <sip:10.0.0.1:5080;transport=tcp>";
  equal(redactSip(route), route);
});

Deno.test("Logger redacts SIP text in messages and string fields", () => {
  const { logger, lines } = capture();
  logger.debug(`recv\r\n${REGISTER}`, { message: REGISTER });
  ok(!lines[0].includes("5f4dcc3b5aa765d61d8327deb882cf99"));
  ok(!lines[0].includes("6629fae49393a05397450978507c4ef1"));
  ok(!lines[0].includes("pa55word"));
  ok(lines[0].includes("ha1=[redacted]"));
});
