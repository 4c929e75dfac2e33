/**
 * JsSIP (a real browser SIP stack, run under Deno) through the proxy on loopback, against a
 * UDP registrar / PBX played by the test: REGISTER with Path, MESSAGE both ways, a call with
 * double Record-Route and the PBX's BYE coming back through the flow token.
 */
import { assert, assertEquals } from "../../_assert.ts";
import { parseNameAddr, type SipRequest } from "../../../mod/signaling/message/mod.ts";
import { createJsSipClient } from "../../interop/_jssip.ts";
import { answer } from "./_proxy_fixture.ts";
import { realStack, udpPeer } from "./_real_stack.ts";
import { request } from "./_messages.ts";

Deno.test("SipProxy carries JsSIP's REGISTER, MESSAGE and a call to a UDP PBX and back", async () => {
  await using stack = await realStack();
  await using pbx = udpPeer(stack.udp.local.port);
  const domain = `127.0.0.1:${pbx.port}`;
  await using client = await createJsSipClient({
    wsUrl: `ws://127.0.0.1:${stack.ws.local.port}`,
    uri: `sip:bob@${domain}`,
    timeoutMs: 5000,
  });

  // REGISTER: the registrar sees Path (JsSIP says Supported: path, outbound) and answers.
  const registering = client.register();
  const register = await pbx.inbox.next("REGISTER") as SipRequest;
  const path = register.headers.get("Path");
  assert(path !== undefined);
  const contact = register.headers.get("Contact")!;
  await pbx.send(answer(register, 200, [`Contact: ${contact};expires=600`]));
  await registering;

  // MESSAGE from the SIP side through Path + registered Contact.
  const contactUri = parseNameAddr(contact).uri;
  const target = contact.slice(contact.indexOf("<") + 1, contact.indexOf(">"));
  await pbx.send(request([
    `MESSAGE ${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bKpm1;rport`,
    `Route: ${path}`,
    `From: <sip:alice@${domain}>;tag=al`,
    `To: <sip:bob@${domain}>`,
    "Call-ID: js-msg-1",
    "CSeq: 1 MESSAGE",
    "Max-Forwards: 70",
    "Content-Type: text/plain",
  ], "hello JsSIP"));
  const received = await client.nextMessage();
  assertEquals(received.body, "hello JsSIP");
  const ok = await pbx.inbox.next("200 to MESSAGE");
  assert(ok.kind === "response" && ok.status === 200);
  assertEquals(contactUri.user !== undefined, true);

  // MESSAGE from JsSIP.
  const sending = client.sendMessage(`sip:alice@${domain}`, "hi alice");
  const out = await pbx.inbox.next("MESSAGE from JsSIP") as SipRequest;
  await pbx.send(answer(out, 202));
  await sending;

  // A call from JsSIP, answered by the PBX, then hung up by the PBX.
  const calling = client.call(`sip:alice@${domain}`);
  const invite = await pbx.inbox.next("INVITE") as SipRequest;
  assertEquals(invite.method, "INVITE");
  const rr = invite.headers.getAll("Record-Route");
  assertEquals(rr.length, 2);
  const sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
    "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  const pbxContact = `<sip:alice@127.0.0.1:${pbx.port}>`;
  const okInvite = answer(invite, 200, [
    ...rr.map((r) => `Record-Route: ${r}`),
    `Contact: ${pbxContact}`,
    "Content-Type: application/sdp",
  ]);
  okInvite.body = new TextEncoder().encode(sdp);
  await pbx.send(okInvite);
  const session = await calling;
  const ack = await pbx.inbox.next("ACK") as SipRequest;
  assertEquals(ack.method, "ACK");
  assertEquals(ack.headers.has("Route"), false);

  const ended = client.ended(session);
  const toTag = parseNameAddr(okInvite.headers.get("To")!).params.get("tag");
  const jsContact = invite.headers.get("Contact")!;
  await pbx.send(request([
    `BYE ${jsContact.slice(jsContact.indexOf("<") + 1, jsContact.indexOf(">"))} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${pbx.port};branch=z9hG4bKbye9;rport`,
    ...rr.map((r) => `Route: ${r}`),
    `From: <sip:alice@${domain}>;tag=${toTag}`,
    `To: ${invite.headers.get("From")}`,
    `Call-ID: ${invite.headers.get("Call-ID")}`,
    "CSeq: 1 BYE",
    "Max-Forwards: 70",
  ]));
  const byeOk = await pbx.inbox.next("200 to BYE");
  assert(byeOk.kind === "response" && byeOk.status === 200);
  const end = await ended;
  assertEquals(end.originator, "remote");
});
