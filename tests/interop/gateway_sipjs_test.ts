/**
 * SIP.js through the real gateway: registers over the gateway's ws:// URL with Kamailio (UDP)
 * as registrar and digest auth end to end, answers a SIPp call routed back by Kamailio, and
 * exchanges MESSAGEs with SIPp both ways.
 */

import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { gatewayLog, startTestGateway, withLogs } from "./_gateway.ts";
import { kamailioLog, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { skipWhen } from "./_process.ts";
import {
  answerSippCall,
  messagesFromSipp,
  messageToSipp,
  registerThroughGateway,
  sippToKamailio,
} from "./_scenarios.ts";
import { createSipJsClient } from "./_sipjs.ts";
import { sippSkipReason } from "./_sipp.ts";

const { test, suffix } = skipWhen(kamailioSkipReason(), sippSkipReason());

Deno.test({
  ...test,
  name:
    `startGateway() registers SIP.js with Kamailio and delivers SIPp's call and MESSAGEs${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: false });
    await using gw = await startTestGateway({ transports: ["udp", "ws"] });
    await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
      await using bob = await createSipJsClient({
        wsUrl: gw.wsUrl!,
        uri: `sip:bob@${k.address}`,
        password: k.password,
      });
      await registerThroughGateway(bob, k, gw);

      // SIPp -> Kamailio -> gateway -> SIP.js; SIPp hangs up.
      const { result } = await answerSippCall(bob, sippToKamailio(k), "bob", {
        traceMessages: true,
      });
      assertStringIncludes(
        result.messages,
        `Record-Route: <sip:127.0.0.1:${gw.port("udp")};transport=udp;lr>`,
      );

      // SIPp -> Kamailio -> gateway -> SIP.js
      await messagesFromSipp(bob, sippToKamailio(k), "bob", "hello-from-sipp");

      // SIP.js -> gateway -> SIPp directly
      const received = await messageToSipp(bob, "carol", "hello-from-sipjs");
      assertEquals(
        received.messages.match(/^Via: SIP\/2\.0\/UDP ([^;\s]+)/m)?.[1],
        `127.0.0.1:${gw.port("udp")}`,
      );
      await bob.unregister();
    });
  },
});
