/**
 * Proves the interop peers against Kamailio's own WebSocket listener (the stand-in for the
 * gateway): JsSIP and SIP.js register with digest auth, answer SIPp's calls, and exchange
 * MESSAGEs with SIPp. The gateway interop tests run the same scenarios (`_scenarios.ts`) with
 * the gateway in the middle.
 */

import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { startClientProcess } from "./_client_process.ts";
import { createJsSipClient } from "./_jssip.ts";
import { createSipJsClient } from "./_sipjs.ts";
import { type Kamailio, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { skipWhen } from "./_process.ts";
import {
  answerSippCall,
  answerSippCallAndHangUp,
  callSippAndHangUp,
  messagesFromSipp,
  messageToSipp,
  sippToKamailio,
} from "./_scenarios.ts";
import { sippSkipReason } from "./_sipp.ts";

const { test, suffix } = skipWhen(kamailioSkipReason(), sippSkipReason());

/** JsSIP as alice@<Kamailio's domain>, on Kamailio's own ws:// listener. */
function jssipAt(k: Kamailio) {
  return createJsSipClient({ wsUrl: k.wsUrl!, uri: `sip:alice@${k.domain}`, password: k.password });
}

/** SIP.js as bob@<Kamailio's domain>, on Kamailio's own ws:// listener. */
function sipjsAt(k: Kamailio) {
  return createSipJsClient({ wsUrl: k.wsUrl!, uri: `sip:bob@${k.domain}`, password: k.password });
}

/** A client process as user@<Kamailio's domain>, on Kamailio's wss:// listener with its CA. */
function clientProcessAt(k: Kamailio, stack: "jssip" | "sipjs", user: string) {
  return startClientProcess({
    stack,
    wsUrl: k.wssUrl!,
    uri: `sip:${user}@${k.domain}`,
    password: k.password,
    caCert: k.certs!.caCert,
  });
}

Deno.test({
  ...test,
  name: `createJsSipClient() registers over WS and answers a SIPp call through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using alice = await createJsSipClient({
      wsUrl: k.wsUrl!,
      uri: `sip:alice@${k.address}`, // the domain is Kamailio's own address: no DNS needed
      password: k.password,
    });
    await alice.register();
    const { end } = await answerSippCall(alice, sippToKamailio(k), "alice");
    assertEquals(end.originator, "remote");
    await alice.unregister();
  },
});

Deno.test({
  ...test,
  name: `createJsSipClient() exchanges MESSAGEs with SIPp through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using alice = await jssipAt(k);
    await alice.register();
    // SIPp -> Kamailio (UDP) -> location -> WS -> JsSIP
    await messagesFromSipp(alice, sippToKamailio(k, k.domain), "alice", "hello-from-sipp", 2);
    // JsSIP -> WS -> Kamailio -> UDP -> SIPp
    await messageToSipp(alice, "bob", "hello-from-jssip");
  },
});

Deno.test({
  ...test,
  name: `createJsSipClient() calls a SIPp UAS through Kamailio and hangs up${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using alice = await jssipAt(k);
    await callSippAndHangUp(alice, "bob", (session) => assert(session.isEstablished()));
  },
});

Deno.test({
  ...test,
  name: `createSipJsClient() registers over WS and answers a SIPp call through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using bob = await sipjsAt(k);
    await bob.register();
    await answerSippCall(bob, sippToKamailio(k, k.domain), "bob");
  },
});

Deno.test({
  ...test,
  name: `createSipJsClient() exchanges MESSAGEs with SIPp through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using bob = await sipjsAt(k);
    await bob.register();
    await messagesFromSipp(bob, sippToKamailio(k, k.domain), "bob", "hello-from-sipp");
    await messageToSipp(bob, "carol", "hello-from-sipjs");
  },
});

Deno.test({
  ...test,
  name: `createSipJsClient() calls a SIPp UAS through Kamailio and hangs up${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using bob = await sipjsAt(k);
    await callSippAndHangUp(bob, "carol");
  },
});

Deno.test({
  ...test,
  name:
    `startClientProcess() runs JsSIP over WSS with the test CA and answers a SIPp call${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: true });
    await using alice = await clientProcessAt(k, "jssip", "alice");
    await alice.register();
    await answerSippCallAndHangUp(alice, sippToKamailio(k, k.domain), "alice");
  },
});

Deno.test({
  ...test,
  name: `startClientProcess() runs SIP.js over WSS and exchanges MESSAGEs with SIPp${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: true });
    await using bob = await clientProcessAt(k, "sipjs", "bob");
    await bob.register();
    await messagesFromSipp(bob, sippToKamailio(k, k.domain), "bob", "over-wss");
    await messageToSipp(bob, "carol", "back-over-wss");
  },
});

Deno.test({
  ...test,
  name: `startClientProcess() without the test CA fails to connect over WSS${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: true });
    await assertRejects(
      () =>
        startClientProcess({
          stack: "jssip",
          wsUrl: k.wssUrl!,
          uri: `sip:alice@${k.domain}`,
          password: k.password,
          timeoutMs: 3000,
        }),
      "did not start",
    );
  },
});
