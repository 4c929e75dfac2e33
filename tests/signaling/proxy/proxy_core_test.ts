import { assert, assertEquals, assertMatch } from "../../_assert.ts";
import { parseNameAddr, parseUri, parseVia } from "../../../mod/signaling/message/mod.ts";
import { answer, fixture, GW, udpTarget } from "./_proxy_fixture.ts";
import {
  browserCancel,
  browserInvite,
  jssipRegister,
  request,
  sipml5Register,
} from "./_messages.ts";
import { settle } from "./_loop_transport.ts";

const SIPML5_ROUTE = "<sip:10.0.0.5:5070;lr;sipml5-outbound;transport=tcp>";

function sipSideInvite(uri: string, route?: string, extra: string[] = []) {
  return request([
    `INVITE ${uri} SIP/2.0`,
    "Via: SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKkam1;rport",
    "From: <sip:carol@example.com>;tag=ctag",
    "To: <sip:bob@example.com>",
    "Contact: <sip:carol@10.0.0.7:5060>",
    "Call-ID: sip-side-call",
    "CSeq: 1 INVITE",
    "Max-Forwards: 69",
    ...(route ? [`Route: ${route}`] : []),
    ...extra,
  ]);
}

Deno.test("SipProxy forwards a sipML5 REGISTER to its outbound Route with the original's rewriting", async () => {
  const f = fixture();
  const tx = f.receive(sipml5Register({ route: SIPML5_ROUTE }), f.browser);
  await settle();
  const client = f.transactions.last();
  assertEquals([client.flow.protocol, client.flow.remote], ["tcp", {
    host: "10.0.0.5",
    port: 5070,
  }]);
  const out = client.request;
  const vias = out.headers.getAll("Via").map(parseVia);
  assertEquals([vias[0].transport, vias[0].host, vias[0].port], ["TCP", GW, 5060]);
  assertMatch(vias[0].params.get("branch")!, /^z9hG4bKw2s/);
  assertEquals(
    out.headers.getAll("Via")[1],
    "SIP/2.0/TCP 127.0.0.1:40123;branch=z9hG4bKaaaa1111;rport=40123;ws-hacked=WS",
  );
  const contact = parseNameAddr(out.headers.get("Contact")!).uri;
  assertEquals([contact.host, contact.port, contact.params.get("transport")], [GW, 5060, "tcp"]);
  assertEquals(
    [
      contact.params.get("ws-src-ip"),
      contact.params.get("ws-src-port"),
      contact.params.get("ws-src-proto"),
    ],
    ["127.0.0.1", "40123", "ws"],
  );
  assertEquals(out.headers.has("Route"), false);
  assertEquals(out.headers.has("Path"), false);
  assertEquals(out.headers.has("Record-Route"), false);
  assertEquals(out.headers.get("Max-Forwards"), "69");
  assertEquals(out.uri, "sip:example.com");

  client.events.onResponse(
    answer(out, 200, [`Contact: ${out.headers.get("Contact")};expires=200`]),
  );
  assertEquals(tx.statuses, [200]);
  assertEquals(tx.last().headers.getAll("Via"), [
    "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKaaaa1111;rport",
  ]);
});

Deno.test("SipProxy resolves the Request-URI (not the To header) when there is no Route", async () => {
  const f = fixture();
  f.dns.set("pbx.example.org", [udpTarget("pbx.example.org", "10.0.0.9")]);
  f.receive(browserInvite({ uri: "sip:bob@pbx.example.org" }), f.browser);
  await settle();
  assertEquals(f.resolved, ["sip:bob@pbx.example.org"]);
  assertEquals(f.transactions.last().flow.remote, { host: "10.0.0.9", port: 5060 });
});

Deno.test("SipProxy adds a Path with a flow token to a JsSIP REGISTER and routes requests back by it", async () => {
  const f = fixture();
  f.dns.set("example.com", [udpTarget("example.com", "10.0.0.5")]);
  f.receive(jssipRegister(), f.browser);
  await settle();
  const register = f.transactions.last().request;
  const path = parseNameAddr(register.headers.get("Path")!).uri;
  assertEquals([path.host, path.port, path.params.get("transport")], [GW, 5060, "udp"]);
  assert(path.params.has("lr") && path.params.has("ob"));
  assert(path.user && path.user.length > 10);
  const contact = register.headers.get("Contact")!;

  // The registrar routes an INVITE for bob through the Path to the registered Contact.
  const contactUri = parseNameAddr(contact).uri;
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
  const invite = sipSideInvite(
    `sip:${contactUri.user}@${GW}:5060;transport=udp;ws-src-ip=127.0.0.1;ws-src-port=40123;ws-src-proto=ws`,
    register.headers.get("Path")!,
  );
  const tx = f.receive(invite, sip);
  await settle();
  assertEquals(tx.statuses, [100]);
  const toBrowser = f.transactions.last();
  assertEquals(toBrowser.flow, f.browser);
  const out = toBrowser.request;
  const via = parseVia(out.headers.get("Via")!);
  assertEquals([via.transport, via.host, via.port], ["WS", GW, 10060]);
  assertEquals(out.headers.has("Route"), false);
  const rr = out.headers.getAll("Record-Route").map((v) => parseNameAddr(v).uri);
  assertEquals(rr.map((u) => [u.params.get("transport"), u.port]), [["ws", 10060], ["udp", 5060]]);
  assert(rr[0].user !== undefined && rr[1].user === undefined);

  // The browser answers: its Contact is made reachable through the gateway (udp side).
  toBrowser.events.onResponse(
    answer(out, 200, ["Contact: <sip:q3sn1mmi@3cnu6qgsp0a2.invalid;transport=ws>"]),
  );
  const ok = tx.last();
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.getAll("Via"), invite.headers.getAll("Via"));
  const answered = parseNameAddr(ok.headers.get("Contact")!).uri;
  assertEquals([
    answered.host,
    answered.params.get("transport"),
    answered.params.get("ws-src-port"),
  ], [GW, "udp", "40123"]);
});

Deno.test("SipProxy answers 403 to a forged flow token and 430 when the token's flow closed", async () => {
  const f = fixture();
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
  const forged = f.receive(
    sipSideInvite(
      "sip:bob@example.com",
      `<sip:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@${GW}:5060;lr;ob>`,
    ),
    sip,
  );
  assertEquals(forged.statuses, [100, 403]);

  const token = f.proxy.flowToken(f.browser);
  f.browser.close();
  f.proxy.onFlowClosed(f.browser);
  const gone = f.receive(
    sipSideInvite("sip:bob@example.com", `<sip:${token}@${GW}:5060;transport=udp;lr;ob>`),
    sip,
  );
  assertEquals(gone.statuses, [100, 430]);
  await settle();
  assertEquals(f.transactions.clients.length, 0);
});

Deno.test("SipProxy rejects a token signed by another gateway's key", () => {
  const other = fixture({ flowTokenSecret: "another" });
  const f = fixture();
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
  const token = other.proxy.flowToken(other.browser);
  const tx = f.receive(sipSideInvite("sip:bob@example.com", `<sip:${token}@${GW};lr;ob>`), sip);
  assertEquals(tx.statuses, [100, 403]);
});

Deno.test("SipProxy routes by ws-src-* in the Request-URI and answers 480 once that browser left", async () => {
  const f = fixture();
  f.receive(sipml5Register({ route: SIPML5_ROUTE }), f.browser); // the proxy learns the flow
  await settle();
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
  const uri =
    `sip:alice@${GW}:5060;transport=udp;ws-src-ip=127.0.0.1;ws-src-port=40123;ws-src-proto=ws`;
  const message = request([
    `MESSAGE ${uri} SIP/2.0`,
    "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKm1",
    "From: <sip:carol@example.com>;tag=c",
    "To: <sip:alice@example.com>",
    "Call-ID: m1",
    "CSeq: 1 MESSAGE",
    "Max-Forwards: 70",
    "Content-Type: text/plain",
  ], "hello, \u00e9t\u00e9");
  const tx = f.receive(message, sip);
  await settle();
  assertEquals(tx.statuses, []);
  const client = f.transactions.last();
  assertEquals(client.flow, f.browser);
  assertEquals(client.request.body, message.body);
  assertEquals(client.request.headers.has("Record-Route"), false);

  f.browser.close();
  f.proxy.onFlowClosed(f.browser);
  const again = f.receive(message, sip);
  assertEquals(again.statuses, [480]);
});

Deno.test("SipProxy Record-Routes a browser INVITE twice and answers 100 Trying", async () => {
  const f = fixture();
  const tx = f.receive(
    browserInvite({ route: SIPML5_ROUTE.replace("transport=tcp", "transport=udp") }),
    f.browser,
  );
  assertEquals(tx.statuses, [100]);
  await settle();
  const out = f.transactions.last().request;
  const rr = out.headers.getAll("Record-Route").map((v) => parseNameAddr(v).uri);
  assertEquals(rr.map((u) => [u.params.get("transport"), u.port]), [["udp", 5060], ["ws", 10060]]);
  assertEquals(rr[0].user, undefined);
  assertEquals(rr[1].user, f.proxy.flowToken(f.browser));
  assert(rr[1].params.has("ob"));
});

Deno.test("SipProxy routes in-dialog requests through its Record-Route entries in both directions", async () => {
  const f = fixture();
  const token = f.proxy.flowToken(f.browser);
  const sip = f.transports.get("udp").accept({ host: "10.0.0.7", port: 5060 });
  // From the SIP side: the callee's BYE follows the Record-Route set.
  const bye = request([
    `BYE sip:alice@${GW}:5060;transport=udp;ws-src-ip=127.0.0.1;ws-src-port=40123;ws-src-proto=ws SIP/2.0`,
    "Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKbye1",
    `Route: <sip:${GW}:5060;transport=udp;lr>, <sip:${token}@${GW}:10060;transport=ws;lr;ob>`,
    "From: <sip:bob@example.com>;tag=uas",
    "To: <sip:alice@example.com>;tag=atag",
    "Call-ID: inv-call-1",
    "CSeq: 1 BYE",
    "Max-Forwards: 70",
  ]);
  f.receive(bye, sip);
  await settle();
  assertEquals(f.transactions.last().flow, f.browser);
  assertEquals(f.transactions.last().request.headers.has("Route"), false);

  // From the browser: its own token is skipped and the Request-URI (callee Contact) is the target.
  const byeOut = request([
    "BYE sip:bob@10.0.0.7:5060 SIP/2.0",
    "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKbye2",
    `Route: <sip:${token}@${GW}:10060;transport=ws;lr;ob>, <sip:${GW}:5060;transport=udp;lr>`,
    "From: <sip:alice@example.com>;tag=atag",
    "To: <sip:bob@example.com>;tag=uas",
    "Call-ID: inv-call-1",
    "CSeq: 11 BYE",
    "Max-Forwards: 70",
  ]);
  f.receive(byeOut, f.browser);
  await settle();
  const client = f.transactions.last();
  assertEquals([client.flow.protocol, client.flow.remote], ["udp", {
    host: "10.0.0.7",
    port: 5060,
  }]);
  assertEquals(client.request.headers.has("Route"), false);
  assertEquals(client.request.headers.has("Record-Route"), false);
});

Deno.test("SipProxy answers CANCEL 200 hop by hop and cancels the pending client transaction", async () => {
  const f = fixture();
  const invite = browserInvite({ route: SIPML5_ROUTE });
  const tx = f.receive(invite, f.browser);
  await settle();
  const client = f.transactions.last();
  client.events.onResponse(answer(client.request, 180));
  const cancel = browserCancel();
  const cancelTx = f.receive(cancel, f.browser);
  assertEquals(cancelTx.statuses, [200]);
  assert(client.cancelled);
  client.events.onResponse(answer(client.request, 487));
  assertEquals(tx.statuses, [100, 180, 487]);
  assertEquals(f.receive(cancel, f.browser).statuses, [481]);
});

Deno.test("SipProxy answers 481 to a CANCEL that matches nothing", () => {
  const f = fixture();
  const cancel = request([
    "CANCEL sip:bob@example.com SIP/2.0",
    "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKnone",
    "From: <sip:alice@example.com>;tag=atag",
    "To: <sip:bob@example.com>",
    "Call-ID: x",
    "CSeq: 1 CANCEL",
  ]);
  assertEquals(f.receive(cancel, f.browser).statuses, [481]);
});

Deno.test("SipProxy validates requests (483, 482, 420, 416)", async () => {
  const f = fixture();
  const tooMany = browserInvite({ route: SIPML5_ROUTE });
  tooMany.headers.set("Max-Forwards", "0");
  assertEquals(f.receive(tooMany, f.browser).statuses, [483]);

  const ext = browserInvite({ route: SIPML5_ROUTE });
  ext.headers.set("Proxy-Require", "foo, bar");
  const extTx = f.receive(ext, f.browser);
  assertEquals(extTx.statuses, [420]);
  assertEquals(extTx.last().headers.get("Unsupported"), "foo");
  assertEquals(extTx.last().headers.getAll("Unsupported"), ["foo", "bar"]);

  const scheme = browserInvite({ uri: "mailto:bob@example.com" });
  assertEquals(f.receive(scheme, f.browser).statuses, [416]);

  // A request that comes back with our Via and the same routing fields is a loop.
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5070 });
  f.receive(
    browserInvite({ route: SIPML5_ROUTE.replace("transport=tcp", "transport=udp") }),
    f.browser,
  );
  await settle();
  const sent = f.transactions.last().request;
  const looped = request([
    `${sent.method} ${sent.uri} SIP/2.0`,
    ...sent.headers.getAll("Via").map((v) => `Via: ${v}`),
    ...[...sent.headers.entries()].filter(([n]) => !/^via$/i.test(n)).map(([n, v]) => `${n}: ${v}`),
  ]);
  assertEquals(f.receive(looped, sip).statuses.at(-1), 482);
});

Deno.test("SipProxy answers OPTIONS for itself with Allow, Accept and Supported", () => {
  const f = fixture();
  const options = request([
    `OPTIONS sip:${GW}:5060 SIP/2.0`,
    "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKo1",
    "From: <sip:ping@example.com>;tag=p",
    `To: <sip:${GW}>`,
    "Call-ID: o1",
    "CSeq: 1 OPTIONS",
    "Max-Forwards: 70",
  ]);
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
  const tx = f.receive(options, sip);
  assertEquals(tx.statuses, [200]);
  assertMatch(tx.last().headers.getAll("Allow").join(","), /INVITE/);
  assertEquals(tx.last().headers.getAll("Allow").length, 14);
  assertEquals(tx.last().headers.get("Accept"), "application/sdp");
  assertEquals(tx.last().headers.getAll("Supported"), ["path", "outbound"]);

  const zero = browserInvite({ route: SIPML5_ROUTE });
  zero.method = "OPTIONS";
  zero.headers.set("CSeq", "10 OPTIONS");
  zero.headers.set("Max-Forwards", "0");
  assertEquals(f.receive(zero, f.browser).statuses, [200]);
  assertEquals(f.transactions.clients.length, 0);
});

Deno.test("SipProxy refuses destinations outside allowed-destinations with 403, before DNS", async () => {
  const f = fixture({ allowedDestinations: ["example.com"] });
  const tx = f.receive(browserInvite({ uri: "sip:bob@evil.example.net" }), f.browser);
  await settle();
  assertEquals(tx.statuses, [100, 403]);
  assertEquals(f.resolved, []);
  f.dns.set("example.com", [udpTarget("example.com", "10.0.0.5")]);
  f.receive(browserInvite({ uri: "sip:bob@example.com" }), f.browser);
  await settle();
  assertEquals(f.transactions.clients.length, 1);
});

Deno.test("SipProxy checks resolved addresses against CIDR entries", async () => {
  const f = fixture({ allowedDestinations: ["10.0.0.0/8"] });
  f.dns.set("pbx.example.org", [udpTarget("pbx.example.org", "10.1.1.1")]);
  f.dns.set("far.example.org", [udpTarget("far.example.org", "203.0.113.1")]);
  const far = f.receive(browserInvite({ uri: "sip:bob@far.example.org" }), f.browser);
  const near = f.receive(browserInvite({ uri: "sip:bob@pbx.example.org" }), f.browser);
  await settle();
  assertEquals(far.statuses, [100, 403]);
  assertEquals(near.statuses, [100]);
  assertEquals(f.transactions.last().flow.remote.host, "10.1.1.1");
});

Deno.test("SipProxy fails over to the next target on 503, timeout and transport error", async () => {
  const f = fixture();
  f.dns.set("example.com", [
    { protocol: "udp", host: "10.0.0.1", port: 5060, serverName: "example.com" },
    { protocol: "tcp", host: "10.0.0.2", port: 5060, serverName: "example.com" },
    { protocol: "udp", host: "10.0.0.3", port: 5060, serverName: "example.com" },
  ]);
  f.transports.get("tcp").unreachable.add("10.0.0.2:5060");
  const tx = f.receive(browserInvite(), f.browser);
  await settle();
  assertEquals(f.transactions.clients.length, 1);
  f.transactions.last().events.onResponse(answer(f.transactions.last().request, 503));
  await settle();
  // 10.0.0.2 refuses the connection, so 10.0.0.3 is next.
  assertEquals(f.transactions.clients.map((c) => c.flow.remote.host), ["10.0.0.1", "10.0.0.3"]);
  f.transactions.last().events.onTimeout();
  await settle();
  assertEquals(tx.statuses, [100, 408]);
});

Deno.test("SipProxy answers 503 when the destination cannot be resolved", async () => {
  const f = fixture();
  const tx = f.receive(browserInvite({ uri: "sip:bob@nowhere.invalid" }), f.browser);
  await settle();
  assertEquals(tx.statuses, [100, 503]);
});

Deno.test("SipProxy fails pending transactions toward a closed browser flow with 430", async () => {
  const f = fixture();
  f.receive(sipml5Register({ route: SIPML5_ROUTE }), f.browser);
  await settle();
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
  const tx = f.receive(
    sipSideInvite(`sip:alice@${GW};ws-src-ip=127.0.0.1;ws-src-port=40123;ws-src-proto=ws`),
    sip,
  );
  await settle();
  assertEquals(f.transactions.last().flow, f.browser);
  f.browser.close();
  f.proxy.onFlowClosed(f.browser);
  assertEquals(tx.statuses, [100, 430]);
});

Deno.test("SipProxy absorbs 100 Trying from downstream and relays 18x with the browser's Via", async () => {
  const f = fixture();
  const tx = f.receive(browserInvite({ route: SIPML5_ROUTE }), f.browser);
  await settle();
  const client = f.transactions.last();
  client.events.onResponse(answer(client.request, 100));
  client.events.onResponse(answer(client.request, 183));
  client.events.onResponse(answer(client.request, 200));
  client.events.onResponse(answer(client.request, 200)); // 2xx retransmission
  assertEquals(tx.statuses, [100, 183, 200, 200]);
  for (const r of tx.responses) {
    assertEquals(r.headers.getAll("Via"), [
      "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKinv1;rport",
    ]);
  }
});

Deno.test("SipProxy forwards the ACK for a 2xx statelessly along the route", async () => {
  const f = fixture();
  const ack = request([
    "ACK sip:bob@10.0.0.7:5060 SIP/2.0",
    "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKack1",
    `Route: <sip:${
      f.proxy.flowToken(f.browser)
    }@${GW}:10060;transport=ws;lr;ob>, <sip:${GW}:5060;transport=udp;lr>`,
    "From: <sip:alice@example.com>;tag=atag",
    "To: <sip:bob@example.com>;tag=uas",
    "Call-ID: inv-call-1",
    "CSeq: 10 ACK",
    "Max-Forwards: 70",
  ]);
  f.proxy.onAck(ack, f.browser);
  await settle();
  const flow = f.transports.get("udp").flows.get("10.0.0.7:5060")!;
  assertEquals(flow.sent.length, 1);
  const sent = flow.sent[0];
  assert(sent.kind === "request");
  assertEquals(sent.method, "ACK");
  assertEquals(sent.headers.count("Via"), 2);
  assertEquals(parseVia(sent.headers.get("Via")!).host, GW);
  assertEquals(f.proxy.counters.acksForwarded, 1);
  assertEquals(f.transactions.clients.length, 0);
});

Deno.test("SipProxy sends a stray response on by the Via below its own", async () => {
  const f = fixture();
  const sip = f.transports.get("udp").accept({ host: "10.0.0.7", port: 5060 });
  const stray = request([
    "INVITE sip:x@y SIP/2.0",
    `Via: SIP/2.0/UDP ${GW}:5060;branch=z9hG4bKw2sXXXXXXXXXXXX.k`,
    "Via: SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKup;received=10.0.0.55;rport=5099",
    "From: <sip:a@x>;tag=1",
    "To: <sip:b@y>",
    "Call-ID: s1",
    "CSeq: 1 INVITE",
  ]);
  f.proxy.onStrayResponse(answer(stray, 200), sip);
  await settle();
  const flow = f.transports.get("udp").flows.get("10.0.0.55:5099")!;
  assertEquals(flow.sent.length, 1);
  assertEquals(flow.sent[0].headers.count("Via"), 1);
});

Deno.test("SipProxy relays every method with its body untouched", async () => {
  const f = fixture();
  const methods = [
    "REGISTER",
    "INVITE",
    "BYE",
    "OPTIONS",
    "MESSAGE",
    "SUBSCRIBE",
    "NOTIFY",
    "PUBLISH",
    "INFO",
    "UPDATE",
    "PRACK",
    "REFER",
  ];
  for (const method of methods) {
    const body = `body of ${method} \u00fc`;
    const req = request([
      `${method} sip:bob@10.0.0.9 SIP/2.0`,
      `Via: SIP/2.0/WSS x.invalid;branch=z9hG4bK${method}`,
      "From: <sip:alice@example.com>;tag=a",
      "To: <sip:bob@example.com>",
      `Call-ID: ${method}-1`,
      `CSeq: 1 ${method}`,
      "Max-Forwards: 70",
      "Content-Type: text/plain",
    ], body);
    f.receive(req, f.browser);
    await settle();
    const out = f.transactions.last().request;
    assertEquals(out.method, method);
    assertEquals(new TextDecoder().decode(out.body), body);
    assertEquals(parseUri(out.uri).host, "10.0.0.9");
  }
  assertEquals(f.transactions.clients.length, methods.length);
});

Deno.test("SipProxy cancels an INVITE when Timer C fires after the last provisional response", async () => {
  const f = fixture({ timerC: 200_000 });
  const tx = f.receive(browserInvite({ route: SIPML5_ROUTE }), f.browser);
  await settle();
  const client = f.transactions.last();
  client.events.onResponse(answer(client.request, 180));
  f.clock.advance(150_000);
  client.events.onResponse(answer(client.request, 183)); // restarts Timer C
  f.clock.advance(150_000);
  assertEquals(client.cancelled, false);
  f.clock.advance(50_000);
  assert(client.cancelled);
  assertEquals(tx.statuses, [100, 180, 183, 408]);
  assertEquals(f.clock.pending, 0);
});

Deno.test("SipProxy stops Timer C on the final response", async () => {
  const f = fixture();
  f.receive(browserInvite({ route: SIPML5_ROUTE }), f.browser);
  await settle();
  assertEquals(f.clock.pending, 1);
  const client = f.transactions.last();
  client.events.onResponse(answer(client.request, 486));
  assertEquals(f.clock.pending, 0);
});

Deno.test("SipProxy routes a reconnected browser's in-dialog BYE despite its stale own flow token", async () => {
  const f = fixture();
  const oldFlow = f.transports.get("ws").accept({ host: "127.0.0.1", port: 40999 });
  const staleToken = f.proxy.flowToken(oldFlow);
  oldFlow.close();
  f.proxy.onFlowClosed(oldFlow);
  const tx = f.receive(
    request([
      "BYE sip:bob@10.0.0.7:5060 SIP/2.0",
      "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKbye3",
      `Route: <sip:${staleToken}@${GW}:10060;transport=ws;lr;ob>, <sip:${GW}:5060;transport=udp;lr>`,
      "From: <sip:alice@example.com>;tag=atag",
      "To: <sip:bob@example.com>;tag=uas",
      "Call-ID: inv-call-1",
      "CSeq: 12 BYE",
      "Max-Forwards: 70",
    ]),
    f.browser,
  );
  await settle();
  assertEquals(tx.statuses, []);
  assertEquals(f.transactions.last().flow.remote, { host: "10.0.0.7", port: 5060 });
});

Deno.test("SipProxy forwards browser to browser by the second flow token of the route set", async () => {
  const f = fixture();
  const other = f.transports.get("ws").accept({ host: "127.0.0.1", port: 40200 });
  const route = `<sip:${f.proxy.flowToken(f.browser)}@${GW}:10060;transport=ws;lr;ob>, ` +
    `<sip:${f.proxy.flowToken(other)}@${GW}:10060;transport=ws;lr;ob>`;
  f.receive(
    request([
      "BYE sip:carol@192.0.2.1:5060;ws-src-ip=127.0.0.1;ws-src-port=40200 SIP/2.0",
      "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKbye4",
      `Route: ${route}`,
      "From: <sip:alice@example.com>;tag=atag",
      "To: <sip:carol@example.com>;tag=ctag",
      "Call-ID: b2b-1",
      "CSeq: 2 BYE",
      "Max-Forwards: 70",
    ]),
    f.browser,
  );
  await settle();
  assertEquals(f.transactions.last().flow, other);
});

Deno.test({
  name: "SipProxy forwards a request whose flow token names another gateway instance to it",
  ignore: true, // Known gap: instances share no address book; such a request gets 430 today.
  fn: async () => {
    const other = fixture({ instanceId: "gw2" });
    const f = fixture({ instanceId: "gw1", flowTokenSecret: "test-secret" });
    const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
    const token = other.proxy.flowToken(other.browser);
    const tx = f.receive(sipSideInvite("sip:bob@example.com", `<sip:${token}@${GW};lr;ob>`), sip);
    await settle();
    assertEquals(tx.statuses, [100]);
  },
});

Deno.test("SipProxy answers 430 to a genuine flow token of another instance", () => {
  const other = fixture({ instanceId: "gw2" });
  const f = fixture({ instanceId: "gw1" });
  const sip = f.transports.get("udp").accept({ host: "10.0.0.5", port: 5060 });
  const token = other.proxy.flowToken(other.browser);
  const tx = f.receive(sipSideInvite("sip:bob@example.com", `<sip:${token}@${GW};lr;ob>`), sip);
  assertEquals(tx.statuses, [100, 430]);
});
