/** checkVia() has exactly parseVia()'s accept set (property tests and the RFC 4475 corpus). */
import fc from "fast-check";
import { assert, assertEquals } from "../../_assert.ts";
import { checkVia, parseVia, SipParseError } from "../../../mod/signaling/message/mod.ts";
import { splitList } from "../../../mod/signaling/message/_scan.ts";
import { isVia } from "../../../mod/signaling/message/_via_scan.ts";
import { rfc4475Messages } from "../../fixtures/rfc4475.ts";
import { mutated } from "./_mutate.ts";

function verdict(check: (value: string) => unknown, value: string): string {
  try {
    check(value);
    return "ok";
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    return e.message;
  }
}

function assertSameVerdict(value: string): void {
  const expected = verdict(parseVia, value);
  assertEquals(verdict(checkVia, value), expected, JSON.stringify(value));
  // the scanner alone (checkVia() asks parseVia() for the message of a rejected Via)
  assertEquals(isVia(value), expected === "ok", JSON.stringify(value));
}

const PIECES = [
  "SIP",
  "sip",
  "2.0",
  "/",
  " / ",
  "UDP",
  "WS",
  "tls-sctp",
  " ",
  "\t",
  "\r\n ",
  "host",
  "a.b-c_d",
  "[",
  "]",
  "[::1]",
  "[2001:db8::1]",
  ":",
  " : ",
  "5060",
  "65535",
  "65536",
  "000005",
  ";",
  " ; ",
  "branch",
  "=",
  " = ",
  "z9hG4bK776",
  "rport",
  "received=1.2.3.4",
  "maddr=[::1]",
  '"',
  '"quoted ; value"',
  '"a\\"b"',
  '"unterminated\\',
  "\\",
  ",",
  "<",
  "@",
  "\u00e9",
  "\u4e2d",
];

const pieceVia = fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((a) => a.join(""));

const viaLike = fc.tuple(
  fc.constantFrom("SIP/2.0/UDP ", "SIP / 2.0 / TCP\t", "sip/2.0/ws  ", "SIP/2.0/UDP", "SIP//UDP "),
  fc.constantFrom("host", "h.example.com", "[::1]", "[::1", "ex_ample", "", "1.2.3.4"),
  fc.constantFrom("", ":5060", " : 5060", ":", ":65536", ":123456", ":000005", ":5x"),
  fc.array(
    fc.constantFrom(
      ";branch=z9hG4bK1",
      " ; rport",
      ";",
      ";=x",
      ";a=",
      ';x="a;b"',
      ';x="a',
      ';x="a\\',
      ';x="a\\"',
      ";received = 1.2.3.4",
      ";\u00e9=\u00e9",
      " junk",
    ),
    { maxLength: 3 },
  ),
).map(([a, b, c, d]) => a + b + c + d.join(""));

Deno.test("checkVia() throws iff parseVia() throws, with its message, over generated Vias", () => {
  fc.assert(
    fc.property(
      fc.oneof(pieceVia, viaLike, mutated(viaLike, '/:;=[]" \t\\a1.\u00e9')),
      assertSameVerdict,
    ),
    { numRuns: 5000 },
  );
});

Deno.test("checkVia() gives parseVia()'s verdict on the Vias of the RFC 4475 messages", () => {
  const values = new Set<string>();
  for (const { bytes } of rfc4475Messages()) {
    const text = new TextDecoder("latin1").decode(bytes);
    // Every header value (folding joined), split as a list: Vias and everything else.
    const joined = text.replace(/\r?\n[ \t]+/g, " ");
    for (const line of joined.split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      for (const value of splitList(line.slice(colon + 1))) values.add(value);
    }
  }
  let accepted = 0;
  for (const value of values) {
    assertSameVerdict(value);
    if (verdict(parseVia, value) === "ok") accepted++;
  }
  assert(accepted > 30, `only ${accepted} Vias accepted`);
});
