/** Property tests (fast-check): format functions escape so that parsing gives the values back. */
import fc from "fast-check";
import { assertEquals } from "../../_assert.ts";
import {
  formatNameAddr,
  formatUri,
  formatVia,
  type NameAddr,
  parseNameAddr,
  parseUri,
  parseVia,
  type SipUri,
  type Via,
} from "../../../mod/signaling/message/mod.ts";

const anyText = fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 });
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((a) => a.join("."));
const paramName = fc.stringMatching(/^[a-z0-9][a-z0-9.!*_+~-]{0,6}$/);

const uri = fc.record({
  scheme: fc.constantFrom("sip", "sips"),
  user: fc.option(anyText, { nil: undefined }),
  password: fc.option(anyText, { nil: undefined }),
  host,
  port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
  params: fc.uniqueArray(fc.tuple(paramName, fc.option(anyText, { nil: null })), {
    maxLength: 3,
    selector: (p) => p[0],
  }),
  headers: fc.uniqueArray(fc.tuple(anyText, anyText), { maxLength: 2, selector: (h) => h[0] }),
}).map((u): SipUri => ({
  scheme: u.scheme,
  user: u.user,
  password: u.user === undefined ? undefined : u.password,
  host: u.host,
  port: u.port,
  params: new Map(u.params),
  headers: new Map(u.headers),
}));

function plain(u: SipUri): unknown {
  return {
    scheme: u.scheme,
    user: u.user,
    password: u.password,
    host: u.host,
    port: u.port,
    params: [...u.params],
    headers: [...u.headers],
  };
}

Deno.test("formatUri() output parses back to the same values", () => {
  fc.assert(
    fc.property(uri, (u) => {
      assertEquals(plain(parseUri(formatUri(u))), plain(u));
    }),
    { numRuns: 500 },
  );
});

Deno.test("formatNameAddr() output parses back to the same values", () => {
  const nameAddr = fc.record({
    displayName: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
    uri: uri.map((u) => ({ ...u, headers: new Map<string, string>() })),
    params: fc.uniqueArray(fc.tuple(paramName, fc.option(paramName, { nil: null })), {
      maxLength: 3,
      selector: (p) => p[0],
    }),
    bracketed: fc.boolean(),
  }).map((n): NameAddr => ({ ...n, params: new Map(n.params) }));
  fc.assert(
    fc.property(nameAddr, (n) => {
      const back = parseNameAddr(formatNameAddr(n));
      assertEquals(back.displayName, n.displayName);
      assertEquals(plain(back.uri), plain(n.uri));
      assertEquals(back.params, n.params);
    }),
    { numRuns: 500 },
  );
});

Deno.test("formatVia() output parses back to the same values", () => {
  const via = fc.record({
    transport: fc.constantFrom("UDP", "TCP", "TLS", "WS", "WSS", "SCTP"),
    host,
    port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    params: fc.uniqueArray(fc.tuple(paramName, fc.option(paramName, { nil: null })), {
      maxLength: 4,
      selector: (p) => p[0],
    }),
  }).map(({ port, ...v }): Via => ({
    protocol: "SIP/2.0",
    ...v,
    ...(port === undefined ? {} : { port }),
    params: new Map(v.params),
  }));
  fc.assert(
    fc.property(via, (v) => {
      assertEquals(parseVia(formatVia(v)), v);
    }),
    { numRuns: 300 },
  );
});
