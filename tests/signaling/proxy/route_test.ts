import { assertEquals, assertThrows } from "../../_assert.ts";
import { formatUri, type SipUri } from "../../../mod/signaling/message/mod.ts";
import { selectNextHop } from "../../../mod/signaling/proxy/route.ts";
import { browserInvite, request, sipml5Register } from "./_messages.ts";

const isOwn = (uri: SipUri) => uri.host === "192.0.2.1" && (uri.port ?? 5060) === 5060;

Deno.test("selectNextHop() takes the Request-URI, never the To header, without a Route", () => {
  const req = browserInvite({ uri: "sip:carol@pbx.example.org" });
  const hop = selectNextHop(req, isOwn);
  assertEquals(hop.from, "request-uri");
  assertEquals(hop.target.host, "pbx.example.org");
  assertEquals(hop.ownRoutes, []);
});

Deno.test("selectNextHop() uses sipML5's outbound Route, honours its transport and removes it", () => {
  const req = sipml5Register({ route: "<sip:10.0.0.5:5070;lr;sipml5-outbound;transport=tcp>" });
  const hop = selectNextHop(req, isOwn);
  assertEquals([hop.from, hop.target.host, hop.target.port, hop.transport], [
    "route",
    "10.0.0.5",
    5070,
    "tcp",
  ]);
  assertEquals(req.headers.has("Route"), false);
  assertEquals(req.uri, "sip:example.com");
});

Deno.test("selectNextHop() pops the gateway's own Routes and keeps their URIs", () => {
  const req = browserInvite({
    route:
      "<sip:TOKEN@192.0.2.1;transport=ws;lr;ob>, <sip:192.0.2.1:5060;lr>, <sip:p.example.org;lr>",
  });
  const hop = selectNextHop(req, isOwn);
  assertEquals(hop.ownRoutes.map((u) => u.user), ["TOKEN", undefined]);
  assertEquals([hop.from, hop.target.host], ["route", "p.example.org"]);
  assertEquals(req.headers.getAll("Route"), ["<sip:p.example.org;lr>"]);
});

Deno.test("selectNextHop() falls back to the Request-URI once all Routes were ours", () => {
  const req = browserInvite({ route: "<sip:192.0.2.1;lr>" });
  const hop = selectNextHop(req, isOwn);
  assertEquals([hop.from, hop.target.host, hop.ownRoutes.length], [
    "request-uri",
    "example.com",
    1,
  ]);
  assertEquals(req.headers.has("Route"), false);
});

Deno.test("selectNextHop() handles a strict-routed request whose Request-URI is our Record-Route", () => {
  const req = request([
    "BYE sip:192.0.2.1;lr SIP/2.0",
    "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKs1",
    "From: <sip:a@x>;tag=1",
    "To: <sip:b@y>;tag=2",
    "Call-ID: c",
    "CSeq: 2 BYE",
    "Route: <sip:10.0.0.9;lr>, <sip:alice@192.0.2.1:5060;ws-src-ip=127.0.0.1;ws-src-port=4>",
  ]);
  const hop = selectNextHop(req, isOwn);
  assertEquals(req.uri, "sip:alice@192.0.2.1:5060;ws-src-ip=127.0.0.1;ws-src-port=4");
  assertEquals([hop.from, hop.target.host], ["route", "10.0.0.9"]);
  assertEquals(hop.ownRoutes.length, 1);
});

Deno.test("selectNextHop() rewrites for a strict router as the next hop (RFC 3261 16.6 step 6)", () => {
  const req = browserInvite({ route: "<sip:strict.example.org>" });
  const hop = selectNextHop(req, isOwn);
  assertEquals(req.uri, "sip:strict.example.org");
  assertEquals(req.headers.getAll("Route"), ["<sip:bob@example.com>"]);
  assertEquals(formatUri(hop.target), "sip:strict.example.org");
});

Deno.test("selectNextHop() throws a SyntaxError for an unreadable Route", () => {
  const req = browserInvite({ route: "<sip:>" });
  assertThrows(() => selectNextHop(req, isOwn), SyntaxError);
});
