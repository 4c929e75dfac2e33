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
import { kamailioLog, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { skipWhen } from "./_process.ts";
import {
  answerSippCall,
  answerSippCallAndHangUp,
  messagesFromSipp,
  messageToSipp,
  registerThroughGateway,
  sippToKamailio,
  traced,
} from "./_scenarios.ts";
import { sippSkipReason } from "./_sipp.ts";

const { test, suffix } = skipWhen(kamailioSkipReason(), sippSkipReason());

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
      await registerThroughGateway(alice, k, gw);

      // Call 1: SIPp -> Kamailio -> gateway -> JsSIP; SIPp hangs up.
      const { end, result } = await answerSippCall(alice, sippToKamailio(k), "alice", {
        traceMessages: true,
      });
      assertEquals(end.originator, "remote");
      // The 200 that reached SIPp came through the gateway: its Record-Route on the SIP side
      // and JsSIP's Contact rewritten to the gateway's UDP address with the ws-src-* naming
      // the client's WebSocket.
      const ok = traced(result.messages, "SIP/2.0 200 OK");
      assertStringIncludes(ok, `Record-Route: <sip:127.0.0.1:${gw.port("udp")};transport=udp;lr>`);
      const contact = ok.match(/^Contact: <([^>]+)>/m)?.[1] ?? "";
      assertStringIncludes(contact, `@127.0.0.1:${gw.port("udp")};`);
      assertStringIncludes(contact, "ws-src-proto=ws");

      // Call 2: JsSIP sends the BYE.
      await answerSippCallAndHangUp(alice, sippToKamailio(k), "alice");
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
      const received = await messageToSipp(alice, "bob", "hello-from-jssip");
      // It came from the gateway (its Via on top), not from Kamailio.
      const via = received.messages.match(/^Via: SIP\/2\.0\/UDP ([^;\s]+)/m)?.[1];
      assertEquals(via, `127.0.0.1:${gw.port("udp")}`);

      // SIPp -> Kamailio (UDP) -> location + Path -> gateway -> WS -> JsSIP.
      const [first] = await messagesFromSipp(
        alice,
        sippToKamailio(k),
        "alice",
        "hello-from-sipp",
        2,
      );
      assert(first.from.startsWith("sip:sipp@"), first.from);
    });
  },
});
