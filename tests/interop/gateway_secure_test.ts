/**
 * The gateway over WSS toward the client (a JsSIP client in a subprocess trusting the test
 * CA) and over TCP and TLS toward Kamailio (the client's registrar URI carries
 * `;transport=tcp` / `;transport=tls`, so the gateway uses that transport). SIPp always calls
 * over UDP to Kamailio, which reaches the gateway again over whatever the registration used.
 */

import { assert, assertStringIncludes } from "../_assert.ts";
import { startClientProcess } from "./_client_process.ts";
import { gatewayLog, startTestGateway, withLogs } from "./_gateway.ts";
import { createJsSipClient } from "./_jssip.ts";
import { kamailioLog, kamailioSkipReason, startKamailio } from "./_kamailio.ts";
import { skipWhen } from "./_process.ts";
import {
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
      await registerThroughGateway(alice, k, gw);
      const result = await answerSippCallAndHangUp(alice, sippToKamailio(k), "alice", {
        traceMessages: true,
      });
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
      await messagesFromSipp(bob, sippToKamailio(k), "bob", "over-wss");
      const received = await messageToSipp(bob, "carol", "back-over-wss");
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
        const result = await answerSippCallAndHangUp(alice, sippToKamailio(k), "alice", {
          traceMessages: true,
        });
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
