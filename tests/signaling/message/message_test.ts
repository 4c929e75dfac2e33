import { assertEquals } from "../../_assert.ts";
import { Headers, SipRequest, SipResponse } from "../../../mod/signaling/message/mod.ts";

Deno.test("SipRequest() defaults to SIP/2.0, empty headers and body", () => {
  const r = new SipRequest("OPTIONS", "sip:a@b");
  assertEquals([r.kind, r.method, r.uri, r.version], ["request", "OPTIONS", "sip:a@b", "SIP/2.0"]);
  assertEquals(r.body.length, 0);
  assertEquals([...r.headers.entries()], []);
});

Deno.test("SipResponse() takes the default reason phrase of its status", () => {
  assertEquals(new SipResponse(404).reason, "Not Found");
  assertEquals(new SipResponse(430).reason, "Flow Failed");
  assertEquals(new SipResponse(299).reason, "");
  const h = new Headers([["Call-ID", "x"]]);
  const r = new SipResponse(200, "Fine", h);
  assertEquals([r.kind, r.status, r.reason, r.headers.get("i")], ["response", 200, "Fine", "x"]);
});

Deno.test("SipRequest.requestUri() parses the Request-URI and follows changes", () => {
  const r = new SipRequest("INVITE", "sip:bob@example.com;transport=tcp");
  const first = r.requestUri();
  assertEquals(first.params.get("transport"), "tcp");
  assertEquals(r.requestUri() === first, true);
  r.uri = "sips:bob@example.org";
  assertEquals(r.requestUri().host, "example.org");
});

Deno.test("SipRequest.copy() shares the parsed Request-URI until uri changes", () => {
  const r = new SipRequest("MESSAGE", "sip:a@b;lr", new Headers([["Via", "SIP/2.0/UDP h"]]));
  r.version = "SIP/2.0";
  const parsed = r.requestUri();
  const copy = r.copy();
  assertEquals([copy.method, copy.uri, copy.version, copy.body], [
    r.method,
    r.uri,
    r.version,
    r.body,
  ]);
  assertEquals(copy.requestUri() === parsed, true);
  copy.uri = "sip:c@d";
  assertEquals(copy.requestUri().host, "d");
  assertEquals(r.requestUri().host, "b");
});
