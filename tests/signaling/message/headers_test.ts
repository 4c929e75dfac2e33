import { assertEquals, assertThrows } from "../../_assert.ts";
import {
  getVias,
  Headers,
  parseMessage,
  parseVia,
  serializeMessage,
  SipRequest,
} from "../../../mod/signaling/message/mod.ts";

function sample(): Headers {
  return new Headers([
    ["Via", "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2"],
    ["v", "SIP/2.0/TCP c;branch=z9hG4bK3"],
    ["From", '"Doe, John" <sip:j@example.com>;tag=1'],
    ["WWW-Authenticate", 'Digest realm="x", nonce="y"'],
    ["Contact", '"A, B" <sip:a@b;x=1,2>, <sip:c@d>'],
  ]);
}

Deno.test("Headers.get() is case-insensitive and maps compact forms", () => {
  const h = sample();
  assertEquals(h.get("VIA"), "SIP/2.0/UDP a;branch=z9hG4bK1");
  assertEquals(h.get("f"), '"Doe, John" <sip:j@example.com>;tag=1');
  assertEquals(h.get("x-missing"), undefined);
});

Deno.test("Headers.getAll() splits list headers outside quotes and <>", () => {
  const h = sample();
  assertEquals(h.getAll("via").length, 3);
  assertEquals(h.getAll("contact"), ['"A, B" <sip:a@b;x=1,2>', "<sip:c@d>"]);
});

Deno.test("Headers.getAll() does not split auth headers, From or Date", () => {
  const h = sample();
  assertEquals(h.getAll("www-authenticate"), ['Digest realm="x", nonce="y"']);
  assertEquals(h.getAll("from").length, 1);
});

Deno.test("Headers.set() replaces every field at the place of the first", () => {
  const h = sample();
  h.set("Via", "SIP/2.0/WS x;branch=z9hG4bK9");
  assertEquals([...h.entries()].map(([n]) => n), ["Via", "From", "WWW-Authenticate", "Contact"]);
  assertEquals(h.getAll("v"), ["SIP/2.0/WS x;branch=z9hG4bK9"]);
  h.set("Max-Forwards", "70");
  assertEquals([...h.entries()].at(-1), ["Max-Forwards", "70"]);
});

Deno.test("Headers.prepend() and append() place new fields", () => {
  const h = sample();
  h.prepend("Record-Route", "<sip:p1;lr>");
  h.append("Record-Route", "<sip:p2;lr>");
  assertEquals([...h.entries()][0], ["Record-Route", "<sip:p1;lr>"]);
  assertEquals(h.getAll("record-route"), ["<sip:p1;lr>", "<sip:p2;lr>"]);
  assertEquals(h.count("record-route"), 2);
});

Deno.test("Headers.removeFirst() pops one value and keeps the rest of the line", () => {
  const h = sample();
  assertEquals(h.removeFirst("via"), "SIP/2.0/UDP a;branch=z9hG4bK1");
  assertEquals(h.getAll("via"), ["SIP/2.0/UDP b;branch=z9hG4bK2", "SIP/2.0/TCP c;branch=z9hG4bK3"]);
  assertEquals(h.count("via"), 2);
  h.removeFirst("via");
  h.removeFirst("via");
  assertEquals(h.has("via"), false);
  assertEquals(h.removeFirst("via"), undefined);
});

Deno.test("Headers.delete() removes every field of a name", () => {
  const h = sample();
  h.delete("V");
  assertEquals(h.has("via"), false);
  assertEquals(h.has("from"), true);
});

Deno.test("Headers.append() refuses CR, LF and non-token names", () => {
  const h = new Headers();
  assertThrows(() => h.append("X", "a\r\nVia: evil"), TypeError);
  assertThrows(() => h.append("Bad Name", "v"), TypeError);
  assertThrows(() => h.set("X:", "v"), TypeError);
});

Deno.test("Headers.typed() caches parsed values until the header changes", () => {
  const h = sample();
  const a = h.typed("via", parseVia);
  assertEquals(a.length, 3);
  assertEquals(h.typed("via", parseVia) === a, true);
  h.removeFirst("via");
  const b = h.typed("via", parseVia);
  assertEquals(b === a, false);
  assertEquals(b.map((v) => v.host), ["b", "c"]);
});

Deno.test("Headers.copyFrom() copies the fields of one name", () => {
  const h = new Headers();
  h.copyFrom(sample(), "via");
  assertEquals(h.getAll("via").length, 3);
  assertEquals(h.has("from"), false);
});

Deno.test("Headers.get() returns empty values of non-list headers", () => {
  const h = new Headers([["Subject", ""], ["Supported", ""]]);
  assertEquals(h.get("subject"), "");
  assertEquals(h.get("supported"), undefined);
  assertEquals(h.getAll("k"), []);
});

Deno.test("Headers.groupedCopy() groups fields by name, keeps raw text and shares views until changed", () => {
  const h = parseMessage(
    new TextEncoder().encode(
      "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nTo:  <sip:a@b>\r\n" +
        "Call-ID: c\r\nv: SIP/2.0/UDP b;branch=z9hG4bK2\r\nFrom: <sip:c@d>;tag=1\r\n" +
        "CSeq: 1 OPTIONS\r\n\r\n",
    ),
  ).headers;
  const copy = h.groupedCopy();
  assertEquals([...copy.entries()].map(([n]) => n), ["Via", "v", "To", "Call-ID", "From", "CSeq"]);
  assertEquals(getVias(copy), getVias(h));
  assertEquals(getVias(copy)[0] === getVias(h)[0], true);
  copy.removeFirst("Via");
  assertEquals(getVias(copy).map((v) => v.host), ["b"]);
  assertEquals(getVias(h).map((v) => v.host), ["a", "b"]);
  const request = new SipRequest("OPTIONS", "sip:a@b", copy);
  assertEquals(
    new TextDecoder().decode(serializeMessage(request)).includes("To:  <sip:a@b>\r\n"),
    true,
  );
});

Deno.test("Headers.cachedTyped() returns a view only once parsed, until the header changes", () => {
  const h = sample();
  assertEquals(h.cachedTyped("via", parseVia), undefined);
  const vias = h.typed("Via", parseVia);
  assertEquals(h.cachedTyped("v", parseVia) === vias, true);
  h.prepend("Via", "SIP/2.0/UDP z");
  assertEquals(h.cachedTyped("via", parseVia), undefined);
});
