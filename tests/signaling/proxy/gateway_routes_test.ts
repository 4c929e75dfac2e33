import { assert, assertEquals } from "../../_assert.ts";
import { parseNameAddr } from "../../../mod/signaling/message/mod.ts";
import {
  addPath,
  addRecordRoutes,
  gatewayRouteUri,
  needsRecordRoute,
  wantsPath,
} from "../../../mod/signaling/proxy/gateway_routes.ts";
import { browserInvite, jssipRegister, sipml5Register } from "./_messages.ts";

Deno.test("gatewayRouteUri() writes lr, transport and, with a token, the user part and ob", () => {
  assertEquals(
    gatewayRouteUri("udp", { host: "192.0.2.1", port: 5060 }),
    "<sip:192.0.2.1:5060;transport=udp;lr>",
  );
  assertEquals(
    gatewayRouteUri("ws", { host: "::1", port: 10060 }, "TOK"),
    "<sip:TOK@[::1]:10060;transport=ws;lr;ob>",
  );
  const parsed = parseNameAddr(
    gatewayRouteUri("tls", { host: "gw.example.net", port: 5061 }, "abc_-1"),
  );
  assertEquals([parsed.uri.user, parsed.uri.host, parsed.uri.port], [
    "abc_-1",
    "gw.example.net",
    5061,
  ]);
});

Deno.test("addRecordRoutes() puts the outbound entry on top, one entry when both are equal", () => {
  const req = browserInvite();
  addRecordRoutes(req, "<sip:in;lr>", "<sip:out;lr>");
  assertEquals(req.headers.getAll("Record-Route"), ["<sip:out;lr>", "<sip:in;lr>"]);
  const single = browserInvite();
  addRecordRoutes(single, "<sip:same;lr>", "<sip:same;lr>");
  assertEquals(single.headers.getAll("Record-Route"), ["<sip:same;lr>"]);
});

Deno.test("needsRecordRoute() is true for dialog-forming requests without a To tag", () => {
  const invite = browserInvite();
  assert(needsRecordRoute(invite, undefined));
  assertEquals(needsRecordRoute(invite, "t1"), false);
  assertEquals(needsRecordRoute(sipml5Register(), undefined), false);
  invite.method = "SUBSCRIBE";
  assert(needsRecordRoute(invite, ""));
});

Deno.test("wantsPath() follows Supported: path or outbound on REGISTER only", () => {
  assert(wantsPath(jssipRegister()));
  assertEquals(wantsPath(sipml5Register()), false);
  const outboundOnly = sipml5Register();
  outboundOnly.headers.set("Supported", "outbound");
  assert(wantsPath(outboundOnly));
  const invite = browserInvite();
  invite.headers.set("Supported", "path");
  assertEquals(wantsPath(invite), false);
});

Deno.test("addPath() prepends the gateway's Path", () => {
  const req = jssipRegister();
  req.headers.set("Path", "<sip:edge.example.org;lr>");
  addPath(req, "<sip:T@192.0.2.1:5060;transport=udp;lr;ob>");
  assertEquals(req.headers.getAll("Path"), [
    "<sip:T@192.0.2.1:5060;transport=udp;lr;ob>",
    "<sip:edge.example.org;lr>",
  ]);
});
