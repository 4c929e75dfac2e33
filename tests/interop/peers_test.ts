/**
 * Proves the interop peers against Kamailio's own WebSocket listener (the stand-in for the
 * gateway): JsSIP and SIP.js register with digest auth, answer SIPp's calls, and exchange
 * MESSAGEs with SIPp. The gateway interop tests copy these with the gateway in the middle.
 */

import { assert, assertEquals } from "./_assert.ts";
import { createJsSipClient } from "./_jssip.ts";
import { kamailioSkipReason, type Kamailio, startKamailio } from "./_kamailio.ts";
import { firstReason } from "./_process.ts";
import { runSipp, sippSkipReason, startSippUas } from "./_sipp.ts";

const skip = firstReason(kamailioSkipReason(), sippSkipReason());
const test = { ignore: !!skip, sanitizeOps: false, sanitizeResources: false };
const suffix = skip ? ` (skipped: ${skip})` : "";

function udp(k: Kamailio) {
  return { host: k.host, port: k.udpPort };
}

Deno.test({
  ...test,
  name: `createJsSipClient() registers over WS and answers a SIPp call through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using alice = await createJsSipClient({
      wsUrl: k.wsUrl!,
      uri: `sip:alice@${k.domain}`,
      password: k.password,
    });
    await alice.register();
    const caller = runSipp({
      scenario: "uac_invite",
      remote: udp(k),
      domain: k.domain,
      service: "alice",
      pauseMs: 300,
    });
    const session = await alice.nextCall();
    await alice.answer(session);
    const end = await alice.ended(session);
    assertEquals(end.originator, "remote");
    const result = await caller;
    assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
    assertEquals(result.successful, 1);
    await alice.unregister();
  },
});
