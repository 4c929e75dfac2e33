import { assert, assertEquals } from "../../_assert.ts";
import { parseNameAddr, parseUri, parseVia } from "../../../mod/signaling/message/mod.ts";
import {
  hackWsVia,
  restoreVias,
  rewriteContacts,
  wsSourceKey,
  wsSourceOf,
} from "../../../mod/signaling/proxy/ws_rewrite.ts";
import { browserInvite, jssipRegister, response, sipml5Register } from "./_messages.ts";

const source = { protocol: "ws" as const, remote: { host: "127.0.0.1", port: 40123 } };

Deno.test("hackWsVia() turns the browser's WS Via into TCP peer-ip:port with ws-hacked", () => {
  const req = sipml5Register();
  const original = hackWsVia(req, source);
  assertEquals(original, "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKaaaa1111;rport");
  assertEquals(
    req.headers.get("Via"),
    "SIP/2.0/TCP 127.0.0.1:40123;branch=z9hG4bKaaaa1111;rport=40123;ws-hacked=WS",
  );
  assertEquals(req.headers.count("Via"), 1);
});

Deno.test("hackWsVia() marks WSS and brackets an IPv6 peer", () => {
  const req = jssipRegister();
  hackWsVia(req, { protocol: "wss", remote: { host: "::1", port: 5 } });
  const via = parseVia(req.headers.get("Via")!);
  assertEquals([via.transport, via.host, via.port], ["TCP", "[::1]", 5]);
  assertEquals(via.params.get("ws-hacked"), "WSS");
  assertEquals(via.params.get("branch"), "z9hG4bK1234567");
  assertEquals(via.params.has("rport"), false);
});

Deno.test("restoreVias() puts back the Vias the browser sent", () => {
  const res = response([
    "SIP/2.0 200 OK",
    "Via: SIP/2.0/TCP 127.0.0.1:40123;branch=z9hG4bKaaaa1111;rport=40123;ws-hacked=WS",
    "From: <sip:alice@example.com>;tag=ftag1",
    "To: <sip:alice@example.com>;tag=t",
    "Call-ID: reg-call-1",
    "CSeq: 1 REGISTER",
  ]);
  restoreVias(res, ["SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKaaaa1111;rport"]);
  assertEquals(res.headers.getAll("Via"), [
    "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKaaaa1111;rport",
  ]);
});

Deno.test("rewriteContacts() points the Contact at the gateway with ws-src-* parameters", () => {
  const req = sipml5Register();
  rewriteContacts(req, source, "udp", { host: "192.0.2.1", port: 5060 });
  const contact = parseNameAddr(req.headers.get("Contact")!);
  assertEquals(contact.uri.user, "alice");
  assertEquals(contact.uri.host, "192.0.2.1");
  assertEquals(contact.uri.port, 5060);
  assertEquals(contact.uri.params.get("transport"), "udp");
  assertEquals(contact.uri.params.get("ws-src-ip"), "127.0.0.1");
  assertEquals(contact.uri.params.get("ws-src-port"), "40123");
  assertEquals(contact.uri.params.get("ws-src-proto"), "ws");
  assertEquals(contact.uri.params.get("rtcweb-breaker"), "no");
  assertEquals(contact.params.get("expires"), "200");
  assertEquals(contact.params.get("language"), '"en,fr"');
});

Deno.test("rewriteContacts() keeps JsSIP's outbound parameters and leaves * alone", () => {
  const req = jssipRegister();
  rewriteContacts(req, { protocol: "wss", remote: { host: "::1", port: 7 } }, "tcp", {
    host: "::1",
    port: 5070,
  });
  const contact = parseNameAddr(req.headers.get("Contact")!);
  assertEquals(contact.uri.host, "[::1]");
  assertEquals(contact.params.get("reg-id"), "1");
  assertEquals(contact.params.get("+sip.instance"), '"<urn:uuid:5a1b>"');
  assertEquals(contact.uri.params.get("ws-src-proto"), "wss");
  assertEquals(wsSourceOf(contact.uri), { protocol: "wss", remote: { host: "::1", port: 7 } });

  const star = sipml5Register();
  star.headers.set("Contact", "*");
  rewriteContacts(star, source, "udp", { host: "192.0.2.1", port: 5060 });
  assertEquals(star.headers.get("Contact"), "*");
});

Deno.test("rewriteContacts() rewrites an INVITE's Contact and keeps the body", () => {
  const req = browserInvite();
  const body = req.body.slice();
  rewriteContacts(req, source, "tcp", { host: "gw.example.net", port: 5060 });
  const uri = parseNameAddr(req.headers.get("Contact")!).uri;
  assertEquals([uri.host, uri.params.get("transport")], ["gw.example.net", "tcp"]);
  assertEquals(req.body, body);
});

Deno.test("wsSourceOf() reads ws-src-* and refuses incomplete or bad ones", () => {
  const good = parseUri("sip:a@192.0.2.1:5060;ws-src-ip=10.0.0.7;ws-src-port=443;ws-src-proto=WSS");
  const found = wsSourceOf(good);
  assert(found);
  assertEquals(wsSourceKey(found), "wss 10.0.0.7 443");
  assertEquals(
    wsSourceOf(parseUri("sip:a@h;ws-src-ip=10.0.0.7;ws-src-port=1")),
    { protocol: "ws", remote: { host: "10.0.0.7", port: 1 } },
  );
  for (
    const bad of [
      "sip:a@h",
      "sip:a@h;ws-src-ip=1.2.3.4",
      "sip:a@h;ws-src-ip=1.2.3.4;ws-src-port=99999",
      "sip:a@h;ws-src-ip=1.2.3.4;ws-src-port=x",
      "sip:a@h;ws-src-ip=1.2.3.4;ws-src-port=5;ws-src-proto=udp",
    ]
  ) assertEquals(wsSourceOf(parseUri(bad)), undefined, bad);
});
