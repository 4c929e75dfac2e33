import { assert, assertEquals } from "../../_assert.ts";
import {
  type FramerEvent,
  statelessErrorResponse,
  StreamFramer,
} from "../../../mod/signaling/message/mod.ts";

const enc = new TextEncoder();

function message(body: string, extra = ""): Uint8Array {
  return enc.encode(
    `MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n${extra}` +
      `Content-Length: ${enc.encode(body).length}\r\n\r\n${body}`,
  );
}

function kinds(events: FramerEvent[]): string[] {
  return events.map((e) => e.type);
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("StreamFramer.push() yields whole messages split across chunks", () => {
  const a = message("hello");
  const b = message("a\r\n\r\nb\0\r");
  const stream = cat(a, b);
  for (const size of [1, 3, 7, 64, stream.length]) {
    const f = new StreamFramer();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += size) {
      for (const e of f.push(stream.subarray(i, i + size))) {
        assert(e.type === "message", `chunk size ${size}: ${e.type}`);
        out.push(e.bytes);
      }
    }
    assertEquals(out, [a, b], `chunk size ${size}`);
    assertEquals(f.buffered, 0);
  }
});

Deno.test("StreamFramer.push() reports CRLFCRLF as ping and CRLF as pong", () => {
  const f = new StreamFramer();
  assertEquals(kinds(f.push(enc.encode("\r\n\r\n"))), ["ping"]);
  assertEquals(kinds(f.push(enc.encode("\r\n"))), ["pong"]);
  assertEquals(kinds(f.push(cat(enc.encode("\r\n\r\n"), message("x")))), ["ping", "message"]);
  assertEquals(kinds(f.push(cat(enc.encode("\r\n"), message("y")))), ["pong", "message"]);
});

Deno.test("StreamFramer.push() waits for the rest of a split keepalive", () => {
  const f = new StreamFramer();
  assertEquals(kinds(f.push(enc.encode("\r"))), []);
  assertEquals(kinds(f.push(enc.encode("\n\r"))), []);
  assertEquals(kinds(f.push(enc.encode("\n"))), ["ping"]);
});

Deno.test("StreamFramer.push() treats a message without Content-Length as empty-bodied", () => {
  const f = new StreamFramer();
  const bytes = enc.encode("OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n");
  const ev = f.push(bytes);
  assertEquals(kinds(ev), ["message"]);
});

Deno.test("StreamFramer.push() fails fatally on a bad Content-Length", () => {
  for (const cl of ["Content-Length: -999", "Content-Length: five", "l: 5\r\nContent-Length: 13"]) {
    const f = new StreamFramer();
    const ev = f.push(enc.encode(`OPTIONS sip:b@x SIP/2.0\r\n${cl}\r\n\r\nabcde`));
    assertEquals(ev.length, 1, cl);
    const e = ev[0];
    assert(e.type === "error" && e.fatal, cl);
    assertEquals(e.error.status, 400);
    assertEquals(f.push(message("more")), [], "nothing after a fatal error");
  }
});

Deno.test("StreamFramer.push() fails fatally over maxMessageSize", () => {
  const f = new StreamFramer({ maxMessageSize: 100 });
  const ev = f.push(message("x".repeat(200)));
  assert(ev[0].type === "error" && ev[0].fatal);
  const g = new StreamFramer({ maxMessageSize: 100 });
  const head = g.push(enc.encode("OPTIONS sip:b@x SIP/2.0\r\nX: " + "a".repeat(200)));
  assert(head[0]?.type === "error" && head[0].fatal, "endless header section");
  assertEquals(new StreamFramer().push(message("x".repeat(200)))[0].type, "message");
});

Deno.test("StreamFramer.push() frames binary bodies by length only", () => {
  const body = "\r\n\r\nINVITE sip:x SIP/2.0\r\n\r\n";
  const f = new StreamFramer();
  const ev = f.push(message(body));
  assertEquals(kinds(ev), ["message"]);
});

Deno.test("StreamFramer.push() gives a too-large request's Via to answer 513", () => {
  const f = new StreamFramer({ maxMessageSize: 150 });
  const ev = f.push(message("x".repeat(200), "Call-ID: big1\r\nCSeq: 1 MESSAGE\r\n"));
  const e = ev[0];
  assert(e.type === "error" && e.fatal);
  assertEquals(e.error.status, 513);
  assertEquals(e.error.vias, ["SIP/2.0/TCP h;branch=z9hG4bK1"]);
  assertEquals(e.error.isRequest, true);
  const answer = new TextDecoder().decode(statelessErrorResponse(e.error));
  assert(answer.startsWith("SIP/2.0 513 Message Too Large\r\n"), answer);
  assert(answer.includes("Call-ID: big1\r\n"));
});

Deno.test("StreamFramer.push() frames a large body arriving in small chunks", () => {
  const body = "b".repeat(30000);
  const bytes = message(body);
  const f = new StreamFramer();
  const out: FramerEvent[] = [];
  for (let i = 0; i < bytes.length; i += 7) {
    out.push(...f.push(bytes.subarray(i, i + 7)));
    if (i + 7 < bytes.length) assertEquals(f.buffered, i + 7);
  }
  assertEquals(kinds(out), ["message"]);
  assertEquals(out[0].type === "message" ? out[0].bytes : undefined, bytes);
  assertEquals(f.buffered, 0);
});
