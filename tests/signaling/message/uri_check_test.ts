/** checkUri() has exactly parseUri()'s accept set (property tests and the RFC 4475 corpus). */
import fc from "fast-check";
import { assert, assertEquals } from "../../_assert.ts";
import { checkUri, parseUri, SipParseError } from "../../../mod/signaling/message/mod.ts";
import { scanUri, UriShape } from "../../../mod/signaling/message/_uri_scan.ts";
import { rfc4475Messages } from "../../fixtures/rfc4475.ts";
import { mutated } from "./_mutate.ts";

/** parseUri()'s verdict: the error message, or whether the URI has headers. */
function parsed(text: string): string | boolean {
  try {
    return parseUri(text).headers.size > 0;
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    return e.message;
  }
}

function checked(text: string): string | boolean {
  try {
    return checkUri(text);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    return e.message;
  }
}

/** The scanner alone (checkUri() asks parseUri() for the message of a rejected URI). */
function scanned(text: string): string | boolean {
  const shape = scanUri(text);
  return shape === UriShape.Invalid ? "invalid" : shape === UriShape.WithHeaders;
}

function assertSameVerdict(text: string): void {
  const expected = parsed(text);
  assertEquals(checked(text), expected, JSON.stringify(text));
  assertEquals(scanned(text), typeof expected === "string" ? "invalid" : expected, text);
}

/** Pieces URIs are made of, delimiters and edge cases weighted up. */
const PIECES = [
  "sip:",
  "SIP:",
  "sips:",
  "sIpS:",
  "tel:",
  "TEL:",
  "urn:",
  "x+y-z.1:",
  "1ab:",
  "\u212Aip:", // KELVIN SIGN lower-cases to "k"
  "s\u0130p:", // I WITH DOT ABOVE lower-cases to two chars
  ":",
  "@",
  ";",
  "?",
  "&",
  "=",
  "[",
  "]",
  "[::1]",
  "[2001:db8::1]",
  "%41",
  "%",
  "%zz",
  "alice",
  "a",
  "A",
  "_",
  "-",
  ".",
  "example.com",
  "127.0.0.1",
  "0",
  "5060",
  "65535",
  "65536",
  "123456",
  "lr",
  "transport=tcp",
  "maddr=[::1]",
  "x=",
  "=y",
  " ",
  "\t",
  "<",
  ">",
  '"',
  "\x7f",
  "\x00",
  "\\",
  "/",
  ",",
  "+1-212-555-0101",
  "\u00e9",
  "\u4e2d",
  "\ud83d\ude00",
  "\ud800",
];

const pieceUri = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((a) => a.join(""));

const sipLike = fc.tuple(
  fc.constantFrom("sip:", "sips:", "tel:", "SIP:", "im:"),
  fc.option(fc.constantFrom("alice@", "a:pw@", ":pw@", "@", "a;b=c@", "a?b@", "%61@"), {
    nil: "",
  }),
  fc.constantFrom("host", "h.example.com", "[::1]", "[::1", "ex_ample", "", "h:", "h:0"),
  fc.option(fc.constantFrom(":5060", ":", ":65536", ":123456", ":5x", ":00005"), { nil: "" }),
  fc.array(fc.constantFrom(";lr", ";", ";=x", ";a=b", ";a=", ";transport=ws", ";a@b"), {
    maxLength: 3,
  }),
  fc.option(fc.constantFrom("?a=b", "?a=b&c=d", "?", "?=b", "?a", "?a=b&", "?a=b;c=d"), {
    nil: "",
  }),
).map((parts) => parts.flat().join(""));

Deno.test("checkUri() throws iff parseUri() throws, with its message, over generated URIs", () => {
  fc.assert(
    fc.property(
      fc.oneof(pieceUri, sipLike, mutated(sipLike, ':@;?&=[]% <>"\t\x7fa1.\u00e9')),
      assertSameVerdict,
    ),
    { numRuns: 5000 },
  );
});

Deno.test("checkUri() gives parseUri()'s verdict on the URIs of the RFC 4475 messages", () => {
  const texts = new Set<string>();
  for (const { bytes } of rfc4475Messages()) {
    const text = new TextDecoder("latin1").decode(bytes);
    // Request-URIs, <...> contents, and every whitespace-, comma- or ;-split word.
    for (const line of text.split(/\r?\n/)) {
      const words = line.split(/[ \t]+/);
      if (words.length === 3) texts.add(words[1]);
      for (const m of line.matchAll(/<([^>]*)>/g)) texts.add(m[1]);
      for (const w of words) {
        texts.add(w);
        for (const part of w.split(/[,<>]/)) texts.add(part);
      }
    }
  }
  let accepted = 0;
  for (const text of texts) {
    assertSameVerdict(text);
    if (typeof parsed(text) === "boolean") accepted++;
  }
  assert(accepted > 50, `only ${accepted} URIs accepted`);
});

Deno.test("checkUri() reports headers only for sip and sips URIs", () => {
  assertEquals(checkUri("sip:a@b?subject=x"), true);
  assertEquals(checkUri("SIPS:b?x=y&z=w"), true);
  assertEquals(checkUri("sip:a?b@c"), false);
  assertEquals(checkUri("tel:+1?x=y"), false);
  assertEquals(checkUri("http://a/?b=c"), false);
});
