/**
 * SIP.js through the real gateway: registers over the gateway's ws:// URL with Kamailio (UDP)
 * as registrar and digest auth end to end, answers a SIPp call routed back by Kamailio, and
 * exchanges MESSAGEs with SIPp both ways.
 */

import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { gatewayLog, startTestGateway, withLogs } from "./_gateway.ts";
import { type Kamailio, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { firstReason } from "./_process.ts";
import { createSipJsClient } from "./_sipjs.ts";
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
      await bob.register();
      assertStringIncludes(await k.log(), `challenging REGISTER from 127.0.0.1:${gw.port("udp")}`);

      // SIPp -> Kamailio -> gateway -> SIP.js; SIPp hangs up.
      const caller = runSipp({
        scenario: "uac_invite",
        remote: udp(k),
        domain: k.address,
        service: "bob",
        pauseMs: 300,
        traceMessages: true,
      });
      const invitation = await bob.nextCall();
      await bob.answer(invitation);
      await bob.ended(invitation);
      const result = await caller;
      assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
      assertEquals(result.successful, 1);
      assertStringIncludes(
        result.messages,
        `Record-Route: <sip:127.0.0.1:${gw.port("udp")};transport=udp;lr>`,
      );

      // SIPp -> Kamailio -> gateway -> SIP.js
      const sent = await runSipp({
        scenario: "uac_message",
        remote: udp(k),
        domain: k.address,
        service: "bob",
        keys: { body: "hello-from-sipp" },
      });
      assertEquals(sent.code, 0, sent.errors || sent.stdout.slice(-1500));
      assertEquals((await bob.nextMessage()).body.trim(), "hello-from-sipp 1");

      // SIP.js -> gateway -> SIPp directly
      await using carol = await startSippUas({ scenario: "uas_message", traceMessages: true });
      await bob.sendMessage(`sip:carol@127.0.0.1:${carol.port}`, "hello-from-sipjs");
      const received = await carol.result;
      assertEquals(received.code, 0, received.errors || received.stdout.slice(-1500));
      assertStringIncludes(received.messages, "hello-from-sipjs");
      assertEquals(
        received.messages.match(/^Via: SIP\/2\.0\/UDP ([^;\s]+)/m)?.[1],
        `127.0.0.1:${gw.port("udp")}`,
      );
      await bob.unregister();
    });
  },
});
