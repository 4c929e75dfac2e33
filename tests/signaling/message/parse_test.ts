import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import {
  getContacts,
  getVias,
  parseMessage,
  SipParseError,
  SipRequest,
  SipResponse,
} from "../../../mod/signaling/message/mod.ts";

const enc = new TextEncoder();

function msg(lines: string[], body = ""): Uint8Array {
  return enc.encode(lines.join("\r\n") + "\r\n\r\n" + body);
}

const BASE = [
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9",
  "Max-Forwards: 70",
  "From: Alice <sip:alice@example.com>;tag=9fxced76sl",
  "To: Bob <sip:bob@example.com>",
  "Call-ID: 3848276298220188511@192.0.2.1",
  "CSeq: 1 OPTIONS",
];

function request(extra: string[] = [], start = "OPTIONS sip:bob@example.com SIP/2.0"): Uint8Array {
  return msg([start, ...BASE, ...extra, "Content-Length: 0"]);
}

function rejects(bytes: Uint8Array, status = 400, includes?: string): SipParseError {
  const e = assertThrows(() => parseMessage(bytes), SipParseError, includes);
  assertEquals(e.status, status, e.message);
  return e;
}

Deno.test("parseMessage() reads a request", () => {
  const m = parseMessage(request());
  assert(m instanceof SipRequest);
  assertEquals(m.kind, "request");
  assertEquals(m.method, "OPTIONS");
  assertEquals(m.uri, "sip:bob@example.com");
  assertEquals(m.version, "SIP/2.0");
  assertEquals(m.headers.get("call-id"), "3848276298220188511@192.0.2.1");
  assertEquals(m.body.length, 0);
});

Deno.test("parseMessage() reads a response with an empty reason", () => {
  const m = parseMessage(msg(["SIP/2.0 180 ", ...BASE, "Content-Length: 0"]));
  assert(m instanceof SipResponse);
  assertEquals(m.status, 180);
  assertEquals(m.reason, "");
});

Deno.test("parseMessage() keeps folded header values joined by one space", () => {
  const m = parseMessage(request(["Subject: first\r\n  second\r\n\tthird"]));
  assertEquals(m.headers.get("subject"), "first second third");
});

Deno.test("parseMessage() frames the body by Content-Length and ignores trailing bytes", () => {
  const bytes = msg([
    "MESSAGE sip:bob@example.com SIP/2.0",
    ...BASE.slice(0, 5),
    "CSeq: 1 MESSAGE",
    "Content-Length: 5",
  ], "a\r\0\nbTRAILING");
  const m = parseMessage(bytes);
  assertEquals([...m.body], [97, 13, 0, 10, 98]);
});

Deno.test("parseMessage() takes the rest of the datagram without Content-Length", () => {
  const m = parseMessage(
    msg(["MESSAGE sip:b@x SIP/2.0", ...BASE.slice(0, 5), "CSeq: 2 MESSAGE"], "hello"),
  );
  assertEquals(new TextDecoder().decode(m.body), "hello");
});

Deno.test("parseMessage() skips CRLFs before the start line", () => {
  const bytes = new Uint8Array([13, 10, 13, 10, ...request()]);
  assertEquals((parseMessage(bytes) as SipRequest).method, "OPTIONS");
});

Deno.test("parseMessage() caches Via and Contact views while validating", () => {
  const m = parseMessage(request(["Contact: <sip:a@b;ob>, *"]));
  assertEquals(getVias(m.headers)[0].params.get("branch"), "z9hG4bK74bf9");
  assertEquals(getContacts(m.headers).length, 2);
});

Deno.test("parseMessage() rejects a malformed start line with 400", () => {
  rejects(request([], "OPTIONS  sip:bob@example.com SIP/2.0"), 400, "Request-Line");
  rejects(request([], "OPTIONS sip:bob@example.com SIP/2.0 "), 400, "Request-Line");
  rejects(request([], "OPTIONS sip:bob@example.com"), 400, "Request-Line");
  rejects(request([], "OPTIONS sip:bob@example.com HTTP/1.1"), 400, "SIP-Version");
  rejects(request([], "OPTIONS <sip:bob@example.com> SIP/2.0"), 400);
  rejects(request([], "OPT,IONS sip:bob@example.com SIP/2.0"), 400, "not a token");
});

Deno.test("parseMessage() answers other SIP versions with 505 and keeps the Via", () => {
  const e = rejects(request([], "OPTIONS sip:bob@example.com SIP/3.0"), 505);
  assertEquals(e.vias, ["SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9"]);
  assertEquals(e.isRequest, true);
  assertEquals(e.callId, "3848276298220188511@192.0.2.1");
});

Deno.test("parseMessage() rejects escaped headers in the Request-URI", () => {
  rejects(request([], "OPTIONS sip:bob@example.com?Route=%3Csip:x%3E SIP/2.0"), 400, "headers");
});

Deno.test("parseMessage() accepts unknown Request-URI schemes as opaque", () => {
  const m = parseMessage(request([], "OPTIONS urn:service:sos SIP/2.0"));
  assertEquals((m as SipRequest).uri, "urn:service:sos");
});

Deno.test("parseMessage() rejects missing and repeated key headers", () => {
  for (const name of ["Via", "From", "To", "Call-ID", "CSeq"]) {
    const lines = BASE.filter((l) => !l.startsWith(name + ":"));
    rejects(msg(["OPTIONS sip:b@x SIP/2.0", ...lines]), 400, "missing");
  }
  for (const line of BASE.slice(1)) {
    rejects(request([line]), 400, "more than one");
  }
});

Deno.test("parseMessage() rejects bad scalars", () => {
  const noMf = BASE.filter((l) => !l.startsWith("Max-Forwards"));
  rejects(msg(["OPTIONS sip:b@x SIP/2.0", ...noMf, "Max-Forwards: 256"]), 400, "above 255");
  rejects(msg(["OPTIONS sip:b@x SIP/2.0", ...BASE.slice(0, 5), "CSeq: 4294967296 OPTIONS"]), 400);
  rejects(msg(["INVITE sip:b@x SIP/2.0", ...BASE]), 400, "CSeq method");
});

Deno.test("parseMessage() rejects bad Content-Length values", () => {
  const head = ["OPTIONS sip:b@x SIP/2.0", ...BASE];
  rejects(msg([...head, "Content-Length: -1"]), 400);
  rejects(msg([...head, "Content-Length: five"]), 400);
  rejects(msg([...head, "Content-Length: 3", "l: 4"], "abcd"), 400, "conflicting");
  rejects(msg([...head, "Content-Length: 99"], "short"), 400, "exceeds");
  assertEquals(parseMessage(msg([...head, "Content-Length: 3", "l: 3"], "abc")).body.length, 3);
});

Deno.test("parseMessage() rejects header lines without a colon or with a bad name", () => {
  rejects(request(["Foobar roobar"]), 400, "no colon");
  rejects(request(["Bad Name: x"]), 400, "invalid header name");
  rejects(request(["X-A: a\nX-B: b"]), 400, "bare CR or LF");
});

Deno.test("parseMessage() discards bad responses with status 0", () => {
  const e = rejects(msg(["SIP/2.0 4294967301 big", ...BASE]), 0);
  assertEquals(e.isRequest, false);
  assertEquals(e.discard, true);
  rejects(msg(["SIP/2.0 99 low", ...BASE]), 0);
  rejects(msg(["SIP/2.0 700 high", ...BASE]), 0);
  rejects(msg(["SIP/3.0 200 OK", ...BASE]), 0);
  assertEquals(rejects(msg(["sip/2.0 2x0 OK", ...BASE]), 0).isRequest, false);
  rejects(msg(["SIP/2.0 200 OK", ...BASE.slice(1)]), 0, "Via header is missing");
});

Deno.test("parseMessage() rejects input over maxSize with 513", () => {
  const big = msg([
    "MESSAGE sip:b@x SIP/2.0",
    ...BASE.slice(0, 5),
    "CSeq: 1 MESSAGE",
    "Content-Length: 2000",
  ], "a".repeat(2000));
  const e = assertThrows(() => parseMessage(big, { maxSize: 1000 }), SipParseError, "exceed");
  assertEquals(e.status, 513);
  assertEquals(e.vias, ["SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9"]);
  assertEquals(e.callId, "3848276298220188511@192.0.2.1");
  assertEquals(parseMessage(big).kind, "request");
});
