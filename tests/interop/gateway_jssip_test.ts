/**
 * JsSIP through the real gateway: the client's socket is the gateway's ws:// URL, its
 * registrar Kamailio on UDP (the SIP domain is Kamailio's own address, so no DNS is needed,
 * and the gateway reaches it by the Request-URI). Digest auth is challenged by Kamailio and
 * answered by JsSIP end to end; SIPp calls and messages the AoR through Kamailio, which
 * routes back to the gateway by the registered Path / Contact.
 */

import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { gatewayLog, startTestGateway, withLogs } from "./_gateway.ts";
import { createJsSipClient } from "./_jssip.ts";
import { type Kamailio, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { firstReason } from "./_process.ts";
import { runSipp, sippSkipReason, startSippUas } from "./_sipp.ts";

const skip = firstReason(kamailioSkipReason(), sippSkipReason());
const test = { ignore: !!skip };
const suffix = skip ? ` (skipped: ${skip})` : "";

function udp(k: Kamailio) {
  return { host: k.host, port: k.udpPort };
}

function kamailioLog(k: Kamailio) {
  return { name: "kamailio", log: () => k.log() };
}

Deno.test({
  ...test,
  name:
    `startGateway() relays JsSIP's REGISTER with digest auth to Kamailio and SIPp's calls back${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: false });
    await using gw = await startTestGateway({ transports: ["udp", "ws"] });
    await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
      await using alice = await createJsSipClient({
        wsUrl: gw.wsUrl!,
        uri: `sip:alice@${k.address}`,
        password: k.password,
      });
      await alice.register();
      const log = await k.log();
      // Kamailio challenged the REGISTER arriving from the gateway's UDP socket, and the
      // client's answer (relayed as is) passed: the 200 reached JsSIP.
      assertStringIncludes(log, `challenging REGISTER from 127.0.0.1:${gw.port("udp")}`);

      // Call 1: SIPp -> Kamailio -> gateway -> JsSIP; SIPp hangs up.
      const caller = runSipp({
        scenario: "uac_invite",
        remote: udp(k),
        domain: k.address,
        service: "alice",
        pauseMs: 300,
        traceMessages: true,
      });
      const session = await alice.nextCall();
      await alice.answer(session);
      const end = await alice.ended(session);
      assertEquals(end.originator, "remote");
      const result = await caller;
      assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
      assertEquals(result.successful, 1);
      // The 200 that reached SIPp came through the gateway: its Record-Route on the SIP side
      // and JsSIP's Contact rewritten to the gateway's UDP address with the ws-src-* naming
      // the client's WebSocket.
      const ok = result.messages.split(/^-{10,}.*$/m).find((m) => m.includes("SIP/2.0 200 OK"));
      assert(ok, result.messages);
      assertStringIncludes(ok, `Record-Route: <sip:127.0.0.1:${gw.port("udp")};transport=udp;lr>`);
      const contact = ok.match(/^Contact: <([^>]+)>/m)?.[1] ?? "";
      assertStringIncludes(contact, `@127.0.0.1:${gw.port("udp")};`);
      assertStringIncludes(contact, "ws-src-proto=ws");

      // Call 2: JsSIP sends the BYE.
      const caller2 = runSipp({
        scenario: "uac_invite_wait_bye",
        remote: udp(k),
        domain: k.address,
        service: "alice",
      });
      const session2 = await alice.nextCall();
      await alice.answer(session2);
      await alice.hangup(session2);
      const result2 = await caller2;
      assertEquals(result2.code, 0, result2.errors || result2.stdout.slice(-1500));
      assertEquals(result2.successful, 1);
      await alice.unregister();
    });
  },
});

Deno.test({
  ...test,
  name: `startGateway() carries MESSAGEs both ways between JsSIP and SIPp${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: false });
    await using gw = await startTestGateway({ transports: ["udp", "ws"] });
    await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
      await using alice = await createJsSipClient({
        wsUrl: gw.wsUrl!,
        uri: `sip:alice@${k.address}`,
        password: k.password,
      });
      await alice.register();
      // JsSIP -> gateway -> UDP -> SIPp directly (the Request-URI is SIPp's allowed address).
      await using bob = await startSippUas({
        scenario: "uas_message",
        calls: 1,
        traceMessages: true,
      });
      await alice.sendMessage(`sip:bob@127.0.0.1:${bob.port}`, "hello-from-jssip");
      const received = await bob.result;
      assertEquals(received.code, 0, received.errors || received.stdout.slice(-1500));
      assertStringIncludes(received.messages, "hello-from-jssip");
      // It came from the gateway (its Via on top), not from Kamailio.
      const via = received.messages.match(/^Via: SIP\/2\.0\/UDP ([^;\s]+)/m)?.[1];
      assertEquals(via, `127.0.0.1:${gw.port("udp")}`);

      // SIPp -> Kamailio (UDP) -> location + Path -> gateway -> WS -> JsSIP.
      const sent = await runSipp({
        scenario: "uac_message",
        remote: udp(k),
        domain: k.address,
        service: "alice",
        calls: 2,
        keys: { body: "hello-from-sipp" },
      });
      assertEquals(sent.code, 0, sent.errors || sent.stdout.slice(-1500));
      assertEquals(sent.successful, 2);
      const first = await alice.nextMessage();
      const second = await alice.nextMessage();
      assertEquals([first.body.trim(), second.body.trim()], [
        "hello-from-sipp 1",
        "hello-from-sipp 2",
      ]);
      assert(first.from.startsWith("sip:sipp@"), first.from);
    });
  },
});
