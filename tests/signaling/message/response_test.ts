import { assert, assertEquals } from "../../_assert.ts";
import {
  createResponse,
  getTo,
  parseMessage,
  serializeMessage,
  SipParseError,
  SipRequest,
  statelessErrorResponse,
} from "../../../mod/signaling/message/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

const REQ = [
  "INVITE sip:bob@example.com SIP/2.0",
  "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1",
  "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK2;received=192.0.2.9",
  "Max-Forwards: 70",
  "From: <sip:alice@example.com>;tag=a1",
  "To:  <sip:bob@example.com>",
  "Call-ID: c1",
  "CSeq: 5 INVITE",
  "Timestamp: 54",
  "Content-Length: 0",
  "",
  "",
].join("\r\n");

function request(): SipRequest {
  const m = parseMessage(enc.encode(REQ));
  assert(m instanceof SipRequest);
  return m;
}

Deno.test("createResponse() copies Via, From, To, Call-ID and CSeq", () => {
  const r = createResponse(request(), 100);
  assertEquals(r.reason, "Trying");
  const text = dec.decode(serializeMessage(r));
  assertEquals(
    text,
    "SIP/2.0 100 Trying\r\n" +
      "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\n" +
      "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK2;received=192.0.2.9\r\n" +
      "From: <sip:alice@example.com>;tag=a1\r\n" +
      "To:  <sip:bob@example.com>\r\n" +
      "Call-ID: c1\r\nCSeq: 5 INVITE\r\nTimestamp: 54\r\nContent-Length: 0\r\n\r\n",
  );
});

Deno.test("createResponse() adds a To tag above 100 when missing", () => {
  const r = createResponse(request(), 486, "Busy");
  assertEquals(r.reason, "Busy");
  const tag = getTo(r.headers)?.params.get("tag");
  assert(tag !== null && tag !== undefined && tag.length >= 8, "tag added");
  assertEquals(r.headers.has("timestamp"), false);
  const other = createResponse(request(), 486);
  assert(getTo(other.headers)?.params.get("tag") !== tag, "tags are random");
});

Deno.test("createResponse() keeps an existing To tag", () => {
  const req = parseMessage(
    enc.encode(REQ.replace("To:  <sip:bob@example.com>", "To: <sip:b@x>;tag=t9")),
  );
  const r = createResponse(req as SipRequest, 200);
  assertEquals(r.headers.get("to"), "<sip:b@x>;tag=t9");
});

function parseError(text: string): SipParseError {
  try {
    parseMessage(enc.encode(text));
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error("expected a parse error");
}

Deno.test("statelessErrorResponse() builds a 400 from what could be read", () => {
  const err = parseError(REQ.replace("CSeq: 5 INVITE", "CSeq: 5 BYE"));
  const bytes = statelessErrorResponse(err);
  assert(bytes !== undefined);
  const text = dec.decode(bytes);
  assert(text.startsWith("SIP/2.0 400 Bad Request\r\n"), text);
  assert(text.includes("Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\n"));
  assert(text.includes("Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK2;received=192.0.2.9\r\n"));
  assert(/To: <sip:bob@example.com>;tag=\w+\r\n/.test(text), text);
  assert(text.includes("Call-ID: c1\r\nCSeq: 5 BYE\r\n"));
  const reparsed = parseMessage(bytes);
  assertEquals(reparsed.kind === "response" ? reparsed.status : 0, 400);
});

Deno.test("statelessErrorResponse() builds a 505 for another version", () => {
  const err = parseError(REQ.replace("SIP/2.0\r\n", "SIP/7.0\r\n"));
  assert(dec.decode(statelessErrorResponse(err)).startsWith("SIP/2.0 505 Version Not Supported"));
});

Deno.test("statelessErrorResponse() gives nothing without a Via or for responses", () => {
  const noVia = parseError(
    REQ.replace(/Via: [^\r]*\r\n/g, "").replace("CSeq: 5 INVITE", "CSeq: x"),
  );
  assertEquals(noVia.vias, undefined);
  assertEquals(statelessErrorResponse(noVia), undefined);
  const resp = parseError(REQ.replace("INVITE sip:bob@example.com SIP/2.0", "SIP/2.0 999 Odd"));
  assertEquals(resp.isRequest, false);
  assertEquals(statelessErrorResponse(resp), undefined);
});

Deno.test("statelessErrorResponse() answers a request with a bare LF, without echoing it", () => {
  const err = parseError(REQ.replace("Timestamp: 54", "Timestamp: 54\nInjected: yes"));
  assertEquals(err.status, 400);
  const text = dec.decode(statelessErrorResponse(err));
  assert(text.startsWith("SIP/2.0 400 Bad Request\r\n"), text);
  assert(text.includes("Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bK1\r\n"));
  assert(!text.includes("Injected"));
  const bad = Object.assign(new SipParseError("x"), {
    isRequest: true,
    vias: ["SIP/2.0/UDP h\r\nX: y"],
  });
  assertEquals(statelessErrorResponse(bad), undefined);
});
