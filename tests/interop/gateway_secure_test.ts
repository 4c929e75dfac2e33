/**
 * The gateway over WSS toward the client (a JsSIP client in a subprocess trusting the test
 * CA) and over TCP and TLS toward Kamailio (the client's registrar URI carries
 * `;transport=tcp` / `;transport=tls`, so the gateway uses that transport). SIPp always calls
 * over UDP to Kamailio, which reaches the gateway again over whatever the registration used.
 */

import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { startClientProcess } from "./_client_process.ts";
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

/** The one message of SIPp's trace that starts with `firstLine`. */
function traced(messages: string, firstLine: string): string {
  const found = messages.split(/^-{10,}.*$/m).find((m) => m.includes(firstLine));
  assert(found, `no "${firstLine}" in SIPp's trace:\n${messages.slice(-3000)}`);
  return found;
}

Deno.test({
  ...test,
  name: `startGateway() serves JsSIP over WSS with the test CA and relays SIPp's call${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: true });
    await using gw = await startTestGateway({ transports: ["udp", "wss"], certs: k.certs });
    await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
      await using alice = await startClientProcess({
        stack: "jssip",
        wsUrl: gw.wssUrl!,
        uri: `sip:alice@${k.address}`,
        password: k.password,
        caCert: k.certs!.caCert,
      });
      await alice.register();
      assertStringIncludes(await k.log(), `challenging REGISTER from 127.0.0.1:${gw.port("udp")}`);
      const caller = runSipp({
        scenario: "uac_invite_wait_bye",
        remote: udp(k),
        domain: k.address,
        service: "alice",
        traceMessages: true,
      });
      const id = await alice.nextCall();
      await alice.answer(id);
      await alice.hangup(id);
      const result = await caller;
      assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
      assertEquals(result.successful, 1);
      const contact = traced(result.messages, "SIP/2.0 200 OK").match(/^Contact: <([^>]+)>/m)
        ?.[1];
      assertStringIncludes(contact ?? "", "ws-src-proto=wss");
    });
  },
});

Deno.test({
  ...test,
  name: `startGateway() carries MESSAGEs both ways for SIP.js over WSS${suffix}`,
  async fn() {
    await using k = await startKamailio({ tls: true });
    await using gw = await startTestGateway({ transports: ["udp", "wss"], certs: k.certs });
    await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
      await using bob = await startClientProcess({
        stack: "sipjs",
        wsUrl: gw.wssUrl!,
        uri: `sip:bob@${k.address}`,
        password: k.password,
        caCert: k.certs!.caCert,
      });
      await bob.register();
      const sent = await runSipp({
        scenario: "uac_message",
        remote: udp(k),
        domain: k.address,
        service: "bob",
        keys: { body: "over-wss" },
      });
      assertEquals(sent.code, 0, sent.errors || sent.stdout.slice(-1500));
      assertEquals((await bob.nextMessage()).body.trim(), "over-wss 1");
      await using carol = await startSippUas({ scenario: "uas_message", traceMessages: true });
      await bob.sendMessage(`sip:carol@127.0.0.1:${carol.port}`, "back-over-wss");
      const received = await carol.result;
      assertEquals(received.code, 0, received.errors || received.stdout.slice(-1500));
      const message = traced(received.messages, "MESSAGE sip:carol@");
      assertStringIncludes(message, "back-over-wss");
      assertStringIncludes(message, "ws-hacked=WSS");
    });
  },
});

for (const proto of ["tcp", "tls"] as const) {
  Deno.test({
    ...test,
    name:
      `startGateway() registers over ${proto.toUpperCase()} to Kamailio and takes SIPp's call back over it${suffix}`,
    async fn() {
      await using k = await startKamailio({ tls: true });
      await using gw = await startTestGateway({
        transports: ["udp", proto, "ws"],
        certs: k.certs,
        verify: true,
      });
      const kamailioPort = proto === "tcp" ? k.tcpPort : k.tlsPort!;
      await withLogs([gatewayLog(gw), kamailioLog(k)], async () => {
        await using alice = await createJsSipClient({
          wsUrl: gw.wsUrl!,
          uri: `sip:alice@${k.address}`,
          password: k.password,
          config: { registrar_server: `sip:127.0.0.1:${kamailioPort};transport=${proto}` },
        });
        await alice.register();
        assert(
          /challenging REGISTER from 127\.0\.0\.1:\d+/.test(await k.log()),
          "Kamailio did not challenge the REGISTER",
        );
        const caller = runSipp({
          scenario: "uac_invite_wait_bye",
          remote: udp(k),
          domain: k.address,
          service: "alice",
          traceMessages: true,
        });
        const session = await alice.nextCall();
        await alice.answer(session);
        await alice.hangup(session);
        const result = await caller;
        assertEquals(result.code, 0, result.errors || result.stdout.slice(-1500));
        assertEquals(result.successful, 1);
        // The gateway's leg toward Kamailio used the registration's transport: its
        // Record-Route and the client's rewritten Contact name it and the gateway's port.
        const ok = traced(result.messages, "SIP/2.0 200 OK");
        assertStringIncludes(
          ok,
          `Record-Route: <sip:127.0.0.1:${gw.port(proto)};transport=${proto};lr>`,
        );
        const contact = ok.match(/^Contact: <([^>]+)>/m)?.[1] ?? "";
        assertStringIncludes(contact, `@127.0.0.1:${gw.port(proto)};`);
        assertStringIncludes(contact, `transport=${proto}`);
        const stats = gw.gateway.stats() as { transport: { flows: number } };
        assert(stats.transport.flows >= 2, `flows: ${JSON.stringify(stats)}`);
      });
    },
  });
}
