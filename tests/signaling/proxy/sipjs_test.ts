/**
 * SIP.js (a real browser SIP stack, run under Deno) through the proxy on loopback, against a
 * UDP registrar / PBX played by the test: REGISTER, a MESSAGE from the SIP side, and a call
 * from the SIP side that SIP.js answers and hangs up (its BYE crosses the Record-Route set).
 */
import { assert, assertEquals } from "../../_assert.ts";
import { parseNameAddr, type SipRequest } from "../../../mod/signaling/message/mod.ts";
import { createSipJsClient } from "../../interop/_sipjs.ts";
import { answer } from "./_proxy_fixture.ts";
import { realStack, udpPeer } from "./_real_stack.ts";
import { request } from "./_messages.ts";

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
  "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

function uriOf(nameAddr: string): string {
  return nameAddr.slice(nameAddr.indexOf("<") + 1, nameAddr.indexOf(">"));
}

Deno.test("SipProxy carries SIP.js's REGISTER, an incoming MESSAGE and an incoming call", async () => {
  await using stack = await realStack();
  await using pbx = udpPeer(stack.udp.local.port);
  const domain = `127.0.0.1:${pbx.port}`;
  await using client = await createSipJsClient({
    wsUrl: `ws://127.0.0.1:${stack.ws.local.port}`,
    uri: `sip:carol@${domain}`,
    timeoutMs: 5000,
  });

  const registering = client.register();
  const register = await pbx.inbox.next("REGISTER") as SipRequest;
  const contact = register.headers.get("Contact")!;
  assert(parseNameAddr(contact).uri.params.has("ws-src-ip"));
  const path = register.headers.get("Path");
  await pbx.send(answer(register, 200, [`Contact: ${contact};expires=600`]));
  await registering;
  // Without Path (SIP.js may not ask for it) the registered Contact alone leads back.
  const routeLines = path === undefined ? [] : [`Route: ${path}`];

  await pbx.send(request([
    `MESSAGE ${uriOf(contact)} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bKsm1;rport`,
    ...routeLines,
    `From: <sip:dave@${domain}>;tag=dv`,
    `To: <sip:carol@${domain}>`,
    "Call-ID: sj-msg-1",
    "CSeq: 1 MESSAGE",
    "Max-Forwards: 70",
    "Content-Type: text/plain",
  ], "hello SIP.js"));
  assertEquals((await client.nextMessage()).body, "hello SIP.js");
  const okMessage = await pbx.inbox.next("200 to MESSAGE");
  assert(okMessage.kind === "response" && okMessage.status === 200);

  // Incoming call.
  const pbxContact = `<sip:dave@127.0.0.1:${pbx.port}>`;
  const invite = request([
    `INVITE ${uriOf(contact)} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bKsi1;rport`,
    ...routeLines,
    `From: <sip:dave@${domain}>;tag=dvcall`,
    `To: <sip:carol@${domain}>`,
    "Call-ID: sj-call-1",
    "CSeq: 1 INVITE",
    `Contact: ${pbxContact}`,
    "Max-Forwards: 70",
    "Content-Type: application/sdp",
  ], SDP);
  await pbx.send(invite);
  const invitation = await client.nextCall();
  const answering = client.answer(invitation);
  let ok = await pbx.inbox.next("100/180/200 to INVITE");
  while (ok.kind === "response" && ok.status < 200) ok = await pbx.inbox.next("200 to INVITE");
  assert(ok.kind === "response" && ok.status === 200);
  assertEquals(ok.headers.getAll("Via"), invite.headers.getAll("Via"));
  const rr = ok.headers.getAll("Record-Route");
  assertEquals(rr.length, 2);
  const carolContact = ok.headers.get("Contact")!;
  assert(parseNameAddr(carolContact).uri.params.has("ws-src-port"));
  await pbx.send(request([
    `ACK ${uriOf(carolContact)} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bKsa1;rport`,
    ...[...rr].reverse().map((r) => `Route: ${r}`),
    `From: <sip:dave@${domain}>;tag=dvcall`,
    `To: ${ok.headers.get("To")}`,
    "Call-ID: sj-call-1",
    "CSeq: 1 ACK",
    "Max-Forwards: 70",
  ]));
  await answering;

  // SIP.js hangs up: its BYE follows the route set through the gateway to the PBX Contact.
  const hangingUp = client.hangup(invitation);
  const bye = await pbx.inbox.next("BYE") as SipRequest;
  assertEquals(bye.method, "BYE");
  assertEquals(bye.uri, uriOf(pbxContact));
  assertEquals(bye.headers.has("Route"), false);
  await pbx.send(answer(bye, 200));
  await hangingUp;

  const unregistering = client.unregister();
  const unregister = await pbx.inbox.next("REGISTER Expires 0") as SipRequest;
  assertEquals(unregister.method, "REGISTER");
  await pbx.send(answer(unregister, 200));
  await unregistering;
});
