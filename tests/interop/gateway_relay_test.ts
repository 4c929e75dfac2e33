// No open relay: with <allowed-destinations> 127.0.0.1 the gateway answers 403 to a browser's
// request for any other destination (by Request-URI, by Route, by a name resolving elsewhere)
// and sends nothing anywhere; a request for an allowed peer passes.

import { parseConfig } from "../../mod/config/mod.ts";
import { type RunningGateway, startGateway } from "../../mod/gateway.ts";
import { createLogger } from "../../mod/log.ts";
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { startDnsServer } from "./_dns_server.ts";
import { withTimeout } from "./_process.ts";
import { statusOf, UdpSipPeer } from "./_udp_peer.ts";
import { answerText, browserMessageText } from "../_sip_text.ts";
import { openSipWebSocket } from "./_websocket.ts";

const WAIT_MS = 5000;

/** A raw SIP-over-WebSocket client: sends text, waits for the final response of a Call-ID. */
class WsSipClient {
  #ws: WebSocket;
  #received: string[] = [];
  #waiters: (() => void)[] = [];
  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      this.#received.push(String(event.data));
      for (const wake of this.#waiters.splice(0)) wake();
    };
  }
  static async connect(url: string): Promise<WsSipClient> {
    return new WsSipClient(await openSipWebSocket(url, WAIT_MS));
  }
  /** Sends a request; resolves with its first final response. */
  request(text: string): Promise<string> {
    const callId = text.match(/^Call-ID:\s*(.+)$/im)![1].trim();
    this.#ws.send(text);
    return withTimeout(
      `final response to ${callId}`,
      new Promise<string>((resolve) => {
        const check = () => {
          const found = this.#received.find((m) =>
            /^SIP\/2\.0 [2-6]\d\d /.test(m) && m.includes(callId)
          );
          if (found) resolve(found);
          else this.#waiters.push(check);
        };
        check();
      }),
      WAIT_MS,
    );
  }
  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.#ws.onclose = resolve);
    this.#ws.close();
    await withTimeout("WebSocket close", closed, WAIT_MS).catch(() => {});
  }
}

interface Snapshot {
  transport: { sendErrors: number };
  transaction: { clientCreated: number };
  proxy: { forwarded: number; rejected: number };
}

function snapshot(gateway: RunningGateway): Snapshot {
  return structuredClone(gateway.stats()) as unknown as Snapshot;
}

Deno.test("startGateway() is no open relay: 403 and nothing sent outside allowed-destinations", async (t) => {
  const dns = await startDnsServer({
    "elsewhere.test": { A: ["192.0.2.1"] },
    "peer.test": { A: ["127.0.0.1"] },
  });
  const { config } = parseConfig(
    `<config>
      <transport>ws;127.0.0.1;*</transport>
      <transport>udp;127.0.0.1;*</transport>
      <allowed-destinations>127.0.0.1</allowed-destinations>
      <nameserver>127.0.0.1:${dns.port}</nameserver>
      <sip-timers>50;400;500</sip-timers>
    </config>`,
  );
  const gateway = await startGateway(config, createLogger("gateway", { level: "FATAL" }));
  await using peer = new UdpSipPeer();
  const wsPort = gateway.transports.find((tr) => tr.protocol === "ws")!.local.port;
  const client = await WsSipClient.connect(`ws://127.0.0.1:${wsPort}`);
  try {
    const refused = async (text: string, expectDns: boolean) => {
      const before = snapshot(gateway);
      const queries = dns.queries;
      const response = await client.request(text);
      const after = snapshot(gateway);
      assertEquals(statusOf(response), 403, response.split("\r\n")[0]);
      assertEquals(after.proxy.forwarded, before.proxy.forwarded, "nothing forwarded");
      assertEquals(after.transaction.clientCreated, before.transaction.clientCreated);
      assertEquals(after.proxy.rejected - before.proxy.rejected, 1);
      assertEquals(after.transport.sendErrors, before.transport.sendErrors);
      assertEquals(dns.queries > queries, expectDns, `DNS queries ${queries} -> ${dns.queries}`);
    };
    await t.step("an IP address outside the list (TEST-NET-1)", async () => {
      await refused(browserMessageText("sip:x@192.0.2.1"), false);
    });
    await t.step("an allowed Request-URI behind a Route to elsewhere", async () => {
      await refused(
        browserMessageText(`sip:x@127.0.0.1:${peer.port}`, ["Route: <sip:192.0.2.1;lr>"]),
        false,
      );
    });
    await t.step("a name that resolves outside the list", async () => {
      await refused(browserMessageText("sip:x@elsewhere.test"), true);
    });
    await t.step("from the SIP side too (UDP in, TEST-NET out)", async () => {
      const before = snapshot(gateway);
      const udpPort = gateway.transports.find((tr) => tr.protocol === "udp")!.local.port;
      const text = browserMessageText("sip:x@192.0.2.1")
        .replace(
          /^Via: .*$/m,
          `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKudp${Date.now()}`,
        );
      const response = await peer.request(text, { host: "127.0.0.1", port: udpPort });
      assertEquals(statusOf(response), 403, response.split("\r\n")[0]);
      assertEquals(snapshot(gateway).proxy.forwarded, before.proxy.forwarded);
    });
    await t.step("an allowed peer gets the request and its 200 comes back", async () => {
      const before = snapshot(gateway);
      const pending = client.request(browserMessageText(`sip:bob@127.0.0.1:${peer.port}`));
      const { text, from } = await peer.receive((m) => m.startsWith("MESSAGE "));
      assertStringIncludes(text, `MESSAGE sip:bob@127.0.0.1:${peer.port} SIP/2.0`);
      await peer.send(answerText(text, 200, "OK"), { host: from.hostname, port: from.port });
      assertEquals(statusOf(await pending), 200);
      assertEquals(snapshot(gateway).proxy.forwarded - before.proxy.forwarded, 1);
    });
    await t.step("a name that resolves to the allowed address passes", async () => {
      const pending = client.request(browserMessageText(`sip:bob@peer.test:${peer.port}`));
      const { text, from } = await peer.receive((m) => m.startsWith("MESSAGE "));
      await peer.send(answerText(text, 200, "OK"), { host: from.hostname, port: from.port });
      assertEquals(statusOf(await pending), 200);
      assert(dns.log.some((q) => q.name.toLowerCase() === "peer.test" && q.type === "A"));
    });
  } finally {
    await client.close();
    await gateway.close();
    await dns.close();
  }
});
