/** Property tests (fast-check): round trip, robustness on random and mutated input, framing. */
import fc from "fast-check";
import { assert, assertEquals } from "../../_assert.ts";
import {
  parseMessage,
  serializeMessage,
  serializeMessageText,
  SipParseError,
  StreamFramer,
} from "../../../mod/signaling/message/mod.ts";
import { RFC4475_CORPUS } from "../../fixtures/rfc4475.ts";

const enc = new TextEncoder();

const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
const tokenChar = fc.constantFrom(..."abcdefghijkXYZ0123456789-.!%*_+`'~");
const word = (min = 1, max = 12) =>
  fc.array(alnum, { minLength: min, maxLength: max }).map((a) => a.join(""));
const token = fc.array(tokenChar, { minLength: 1, maxLength: 10 }).map((a) => a.join(""));
const host = fc.array(word(1, 8), { minLength: 1, maxLength: 3 }).map((a) => a.join("."));
const sipUri = fc.record({
  user: fc.option(word(), { nil: undefined }),
  host,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  params: fc.array(fc.tuple(word(1, 6), fc.option(word(1, 6), { nil: undefined })), {
    maxLength: 3,
  }),
}).map((u) =>
  `sip:${u.user === undefined ? "" : u.user + "@"}${u.host}${
    u.port === undefined ? "" : ":" + u.port
  }` +
  u.params.map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`)).join("")
);
/** Printable ASCII and UTF-8 text without CR/LF, not starting or ending with whitespace. */
const opaqueValue = fc.string({
  unit: fc.constantFrom(..." !#$%&'()*+,-./:;<=>?@[]^_`{|}~az09\u00e9\u4e2d"),
  maxLength: 30,
})
  .map((s) => s.trim());
/** Optional whitespace around a header colon, as senders write it. */
const colon = fc.constantFrom(": ", ":", " : ", ":   ", "\t: ");
const quoted = fc.string({ unit: fc.constantFrom(...'ab ,;<>@\\"'), maxLength: 10 }).map((s) =>
  `"${s.replace(/["\\]/g, "\\$&")}"`
);
const nameAddr = fc.tuple(
  fc.option(quoted, { nil: undefined }),
  sipUri,
  fc.option(token, { nil: undefined }),
)
  .map(([dn, uri, tag]) =>
    `${dn === undefined ? "" : dn + " "}<${uri}>${tag === undefined ? "" : ";tag=" + tag}`
  );
const via = fc.tuple(fc.constantFrom("UDP", "TCP", "TLS", "WS", "WSS"), host, token).map((
  [t, h, b],
) => `SIP/2.0/${t} ${h};branch=z9hG4bK${b}`);

function fold(value: string, at: number): string {
  const sp = value.indexOf(" ", at % Math.max(1, value.length));
  return sp <= 0 ? value : value.slice(0, sp) + "\r\n " + value.slice(sp + 1);
}

const message = fc.record({
  method: fc.oneof(fc.constantFrom("INVITE", "REGISTER", "OPTIONS", "BYE", "MESSAGE"), token),
  uri: sipUri,
  vias: fc.array(via, { minLength: 1, maxLength: 3 }),
  viaName: fc.constantFrom("Via", "v", "VIA"),
  from: nameAddr,
  to: nameAddr,
  callId: word(4, 20),
  seq: fc.integer({ min: 0, max: 4294967295 }),
  maxForwards: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
  extra: fc.array(fc.tuple(token, opaqueValue), { maxLength: 4 }),
  colons: fc.array(colon, { minLength: 12, maxLength: 12 }),
  folds: fc.array(fc.nat(40), { minLength: 12, maxLength: 12 }),
  foldMask: fc.nat(4095),
  body: fc.uint8Array({ maxLength: 300 }),
  response: fc.option(fc.integer({ min: 100, max: 699 }), { nil: undefined }),
}).map((m) => {
  const lines: [string, string][] = [
    ...m.vias.map((v): [string, string] => [m.viaName, v]),
    ["From", m.from],
    ["To", m.to],
    ["Call-ID", m.callId],
    ["CSeq", `${m.seq} ${m.method}`],
    ...(m.maxForwards === undefined ? [] : [["Max-Forwards", String(m.maxForwards)]] as [
      string,
      string,
    ][]),
    ...m.extra.map(([n, v]): [string, string] => [`X-${n}`, v]),
  ];
  let head = m.response === undefined
    ? `${m.method} ${m.uri} SIP/2.0\r\n`
    : `SIP/2.0 ${m.response} Some Reason\r\n`;
  lines.forEach(([n, v], i) => {
    const folded = (m.foldMask >> (i % 12)) & 1 ? fold(v, m.folds[i % 12]) : v;
    head += `${n}${m.colons[i % 12]}${folded}\r\n`;
  });
  head += `Content-Length: ${m.body.length}\r\n\r\n`;
  const h = enc.encode(head);
  const out = new Uint8Array(h.length + m.body.length);
  out.set(h);
  out.set(m.body, h.length);
  return out;
});

Deno.test("serializeMessage() of parseMessage() gives back well-formed input byte for byte", () => {
  fc.assert(
    fc.property(message, (bytes) => {
      assertEquals(serializeMessage(parseMessage(bytes)), bytes);
    }),
    { numRuns: 400 },
  );
});

Deno.test("serializeMessageText() is the UTF-8 text of serializeMessage(), or undefined", () => {
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let texts = 0;
  fc.assert(
    fc.property(message, (bytes) => {
      const parsed = parseMessage(bytes);
      const text = serializeMessageText(parsed);
      const wire = serializeMessage(parsed);
      if (text === undefined) {
        assert(!isUtf8(strict, wire), "undefined for valid UTF-8");
      } else {
        texts++;
        assertEquals(enc.encode(text), wire);
      }
    }),
    { numRuns: 400 },
  );
  assert(texts > 0, "no message had a text form");
});

function isUtf8(decoder: TextDecoder, bytes: Uint8Array): boolean {
  try {
    decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function onlySipParseError(bytes: Uint8Array): void {
  let once: Uint8Array;
  try {
    once = serializeMessage(parseMessage(bytes));
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    assert(e.status === 0 || (e.status >= 400 && e.status <= 599), `status ${e.status}`);
    return;
  }
  // What parses must serialize to bytes that parse and serialize the same again.
  assertEquals(serializeMessage(parseMessage(once)), once);
}

Deno.test("parseMessage() throws nothing but SipParseError on random bytes", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), onlySipParseError), { numRuns: 500 });
  const sipish = fc.string({
    unit: fc.constantFrom(...'SIP/2.0 INVITE sip:@;<>",:\r\n\t vVlf=0123%?'),
    maxLength: 300,
  });
  fc.assert(fc.property(sipish, (s) => onlySipParseError(enc.encode(s))), { numRuns: 500 });
});

const CORPUS = RFC4475_CORPUS;
function corpusFiles(): Uint8Array[] {
  try {
    return [...Deno.readDirSync(CORPUS)].filter((e) => e.name.endsWith(".dat"))
      .map((e) => Deno.readFileSync(new URL(e.name, CORPUS)));
  } catch {
    return [];
  }
}
const files = corpusFiles();

Deno.test({
  name: "parseMessage() throws nothing but SipParseError on mutated corpus files",
  ignore: files.length === 0,
  fn() {
    const mutation = fc.record({
      file: fc.nat(files.length - 1),
      edits: fc.array(
        fc.tuple(
          fc.nat(4000),
          fc.constantFrom("flip", "insert", "delete", "cut"),
          fc.integer({
            min: 0,
            max: 255,
          }),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ file, edits }) => {
        let b = Array.from(files[file]);
        for (const [pos, op, byte] of edits) {
          const at = pos % (b.length + 1);
          if (op === "flip") b[at] = byte;
          else if (op === "insert") b.splice(at, 0, byte);
          else if (op === "delete") b.splice(at, 1);
          else b = b.slice(0, at);
        }
        onlySipParseError(new Uint8Array(b));
      }),
      { numRuns: 1500 },
    );
  },
});

Deno.test("StreamFramer.push() frames generated messages whatever the chunking", () => {
  fc.assert(
    fc.property(
      fc.array(message, { minLength: 1, maxLength: 4 }),
      fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 10 }),
      (msgs, sizes) => {
        const total = msgs.reduce((n, m) => n + m.length, 0);
        const stream = new Uint8Array(total);
        let at = 0;
        for (const m of msgs) {
          stream.set(m, at);
          at += m.length;
        }
        const framer = new StreamFramer();
        const out: Uint8Array[] = [];
        for (let i = 0, k = 0; i < stream.length; k++) {
          const n = sizes[k % sizes.length];
          for (const e of framer.push(stream.subarray(i, i + n))) {
            assert(e.type === "message", e.type);
            out.push(e.bytes);
          }
          i += n;
        }
        assertEquals(out, msgs);
      },
    ),
    { numRuns: 200 },
  );
});
