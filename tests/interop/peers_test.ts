/**
 * Proves the interop peers against Kamailio's own WebSocket listener (the stand-in for the
 * gateway): JsSIP and SIP.js register with digest auth, answer SIPp's calls, and exchange
 * MESSAGEs with SIPp. The gateway interop tests copy these with the gateway in the middle.
 */

import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_assert.ts";
import { startClientProcess } from "./_client_process.ts";
import { createJsSipClient } from "./_jssip.ts";
import { createSipJsClient } from "./_sipjs.ts";
import { type Kamailio, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { firstReason } from "./_process.ts";
import { runSipp, sippSkipReason, startSippUas } from "./_sipp.ts";

const skip = firstReason(kamailioSkipReason(), sippSkipReason());
const test = { ignore: !!skip };
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
      uri: `sip:alice@${k.address}`, // the domain is Kamailio's own address: no DNS needed
      password: k.password,
    });
    await alice.register();
    const caller = runSipp({
      scenario: "uac_invite",
      remote: udp(k),
      domain: k.address,
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

Deno.test({
  ...test,
  name: `createJsSipClient() exchanges MESSAGEs with SIPp through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using alice = await createJsSipClient({
      wsUrl: k.wsUrl!,
      uri: `sip:alice@${k.domain}`,
      password: k.password,
    });
    await alice.register();
    // SIPp -> Kamailio (UDP) -> location -> WS -> JsSIP
    const sent = await runSipp({
      scenario: "uac_message",
      remote: udp(k),
      domain: k.domain,
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
    // JsSIP -> WS -> Kamailio -> UDP -> SIPp
    await using bob = await startSippUas({
      scenario: "uas_message",
      calls: 1,
      traceMessages: true,
    });
    await alice.sendMessage(`sip:bob@127.0.0.1:${bob.port}`, "hello-from-jssip");
    const received = await bob.result;
    assertEquals(received.code, 0, received.errors || received.stdout.slice(-1500));
    assertStringIncludes(received.messages, "hello-from-jssip");
  },
});

Deno.test({
  ...test,
  name: `createJsSipClient() calls a SIPp UAS through Kamailio and hangs up${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using alice = await createJsSipClient({
      wsUrl: k.wsUrl!,
      uri: `sip:alice@${k.domain}`,
      password: k.password,
    });
    await using bob = await startSippUas({ scenario: "uas_answer", calls: 1 });
    const session = await alice.call(`sip:bob@127.0.0.1:${bob.port}`);
    assert(session.isEstablished());
    await alice.hangup(session);
    const result = await bob.result;
    assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
    assertEquals(result.successful, 1);
  },
});

Deno.test({
  ...test,
  name: `createSipJsClient() registers over WS and answers a SIPp call through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using bob = await createSipJsClient({
      wsUrl: k.wsUrl!,
      uri: `sip:bob@${k.domain}`,
      password: k.password,
    });
    await bob.register();
    const caller = runSipp({
      scenario: "uac_invite",
      remote: udp(k),
      domain: k.domain,
      service: "bob",
      pauseMs: 300,
    });
    const invitation = await bob.nextCall();
    await bob.answer(invitation);
    await bob.ended(invitation);
    const result = await caller;
    assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
    assertEquals(result.successful, 1);
  },
});

Deno.test({
  ...test,
  name: `createSipJsClient() exchanges MESSAGEs with SIPp through Kamailio${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using bob = await createSipJsClient({
      wsUrl: k.wsUrl!,
      uri: `sip:bob@${k.domain}`,
      password: k.password,
    });
    await bob.register();
    const sent = await runSipp({
      scenario: "uac_message",
      remote: udp(k),
      domain: k.domain,
      service: "bob",
      keys: { body: "hello-from-sipp" },
    });
    assertEquals(sent.code, 0, sent.errors || sent.stdout.slice(-1500));
    assertEquals((await bob.nextMessage()).body.trim(), "hello-from-sipp 1");
    await using carol = await startSippUas({ scenario: "uas_message", traceMessages: true });
    await bob.sendMessage(`sip:carol@127.0.0.1:${carol.port}`, "hello-from-sipjs");
    const received = await carol.result;
    assertEquals(received.code, 0, received.errors || received.stdout.slice(-1500));
    assertStringIncludes(received.messages, "hello-from-sipjs");
  },
});

Deno.test({
  ...test,
  name: `createSipJsClient() calls a SIPp UAS through Kamailio and hangs up${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: false });
    await using bob = await createSipJsClient({
      wsUrl: k.wsUrl!,
      uri: `sip:bob@${k.domain}`,
      password: k.password,
    });
    await using carol = await startSippUas({ scenario: "uas_answer" });
    const session = await bob.call(`sip:carol@127.0.0.1:${carol.port}`);
    await bob.hangup(session);
    const result = await carol.result;
    assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
  },
});

Deno.test({
  ...test,
  name:
    `startClientProcess() runs JsSIP over WSS with the test CA and answers a SIPp call${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: true });
    await using alice = await startClientProcess({
      stack: "jssip",
      wsUrl: k.wssUrl!,
      uri: `sip:alice@${k.domain}`,
      password: k.password,
      caCert: k.certs!.caCert,
    });
    await alice.register();
    const caller = runSipp({
      scenario: "uac_invite_wait_bye",
      remote: udp(k),
      domain: k.domain,
      service: "alice",
    });
    const id = await alice.nextCall();
    await alice.answer(id);
    await alice.hangup(id);
    const result = await caller;
    assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
    assertEquals(result.successful, 1);
  },
});

Deno.test({
  ...test,
  name: `startClientProcess() runs SIP.js over WSS and exchanges MESSAGEs with SIPp${suffix}`,
  async fn() {
    await using k = await startKamailio({ ws: true, tls: true });
    await using bob = await startClientProcess({
      stack: "sipjs",
      wsUrl: k.wssUrl!,
      uri: `sip:bob@${k.domain}`,
      password: k.password,
      caCert: k.certs!.caCert,
    });
    await bob.register();
    const sent = await runSipp({
      scenario: "uac_message",
      remote: udp(k),
      domain: k.domain,
      service: "bob",
      keys: { body: "over-wss" },
    });
    assertEquals(sent.code, 0, sent.errors || sent.stdout.slice(-1500));
    assertEquals((await bob.nextMessage()).body.trim(), "over-wss 1");
    await using carol = await startSippUas({ scenario: "uas_message", traceMessages: true });
    await bob.sendMessage(`sip:carol@127.0.0.1:${carol.port}`, "back-over-wss");
    const received = await carol.result;
    assertEquals(received.code, 0, received.errors || received.stdout.slice(-1500));
    assertStringIncludes(received.messages, "back-over-wss");
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
