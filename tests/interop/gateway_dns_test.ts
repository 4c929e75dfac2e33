// RFC 3263 through the whole gateway: a browser's MESSAGE to sip:user@<domain> is resolved with
// the configured <nameserver> (NAPTR -> SRV -> A) and tried on the SRV targets in priority
// order, moving on when the first one answers 503 or does not answer at all (Timer F).

import { parseConfig } from "../../mod/config/mod.ts";
import { startGateway } from "../../mod/gateway.ts";
import { createLogger } from "../../mod/log.ts";
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { type DnsServerRecords, startDnsServer } from "./_dns_server.ts";
import { withTimeout } from "./_process.ts";
import { statusOf, UdpSipPeer } from "./_udp_peer.ts";
import { answerText, browserMessageText } from "../_sip_text.ts";

/** sip-timers of the test: T1 50 ms, so Timer F (64 x T1) fires after 3.2 s. */
const TIMERS = "50;400;500";
const TIMER_F_MS = 64 * 50;

/** Sends one request over a fresh WebSocket and resolves with its final response. */
async function wsRequest(url: string, text: string, timeoutMs: number): Promise<string> {
  const ws = new WebSocket(url, "sip");
  const closed = new Promise((resolve) => ws.onclose = resolve);
  try {
    const final = new Promise<string>((resolve, reject) => {
      ws.onmessage = (event) => {
        if (/^SIP\/2\.0 [2-6]\d\d /.test(String(event.data))) resolve(String(event.data));
      };
      ws.onerror = () => reject(new Error("WebSocket error"));
    });
    await withTimeout("WebSocket open", new Promise((resolve) => ws.onopen = resolve), 5000);
    ws.send(text);
    return await withTimeout("the final response", final, timeoutMs);
  } finally {
    ws.close();
    await withTimeout("WebSocket close", closed, 5000).catch(() => {});
  }
}

/** NAPTR (SIP+D2U, and SIP+D2T the gateway cannot use) -> SRV 10 and 20 -> A 127.0.0.1. */
function domainRecords(domain: string, first: number, second: number): DnsServerRecords {
  return {
    [domain]: {
      NAPTR: [
        // better order, but the gateway has no TCP transport: skipped (RFC 3263 4.1)
        {
          order: 5,
          preference: 10,
          flags: "s",
          services: "SIP+D2T",
          replacement: `_sip._tcp.${domain}`,
        },
        {
          order: 10,
          preference: 10,
          flags: "s",
          services: "SIP+D2U",
          replacement: `_sip._udp.${domain}`,
        },
      ],
    },
    [`_sip._tcp.${domain}`]: {
      SRV: [{ priority: 1, weight: 1, port: 9, target: `tcp.${domain}` }],
    },
    [`_sip._udp.${domain}`]: {
      SRV: [
        { priority: 20, weight: 10, port: second, target: `second.${domain}` },
        { priority: 10, weight: 10, port: first, target: `first.${domain}` },
      ],
    },
    [`first.${domain}`]: { A: ["127.0.0.1"] },
    [`second.${domain}`]: { A: ["127.0.0.1"] },
    [`tcp.${domain}`]: { A: ["127.0.0.1"] },
  };
}

Deno.test("startGateway() follows NAPTR -> SRV -> A and fails over to the priority 20 target", async (t) => {
  await using first503 = new UdpSipPeer();
  await using firstSilent = new UdpSipPeer();
  await using second = new UdpSipPeer();
  const dns = await startDnsServer({
    ...domainRecords("busy.test", first503.port, second.port),
    ...domainRecords("silent.test", firstSilent.port, second.port),
    "dropped.test": { behaviour: "drop" },
  });
  const { config } = parseConfig(
    `<config>
      <transport>ws;127.0.0.1;*</transport>
      <transport>udp;127.0.0.1;*</transport>
      <allowed-destinations>busy.test;silent.test;dropped.test;127.0.0.1</allowed-destinations>
      <nameserver>127.0.0.1:${dns.port}</nameserver>
      <sip-timers>${TIMERS}</sip-timers>
    </config>`,
  );
  const gateway = await startGateway(config, createLogger("gateway", { level: "FATAL" }));
  const url = `ws://127.0.0.1:${gateway.transports.find((tr) => tr.protocol === "ws")!.local.port}`;
  const queried = (name: string, type: string) =>
    dns.log.some((q) => q.name.toLowerCase() === name && q.type === type);
  try {
    await t.step(
      "the priority 10 target answers 503: the request goes on to priority 20",
      async () => {
        const pending = wsRequest(url, browserMessageText("sip:user@busy.test"), 5000);
        const atFirst = await first503.receive((m) => m.startsWith("MESSAGE "));
        assertStringIncludes(atFirst.text, "MESSAGE sip:user@busy.test SIP/2.0");
        await first503.send(answerText(atFirst.text, 503, "Service Unavailable"), {
          host: atFirst.from.hostname,
          port: atFirst.from.port,
        });
        const atSecond = await second.receive((m) => m.startsWith("MESSAGE "));
        await second.send(answerText(atSecond.text, 200, "OK"), {
          host: atSecond.from.hostname,
          port: atSecond.from.port,
        });
        assertEquals(statusOf(await pending), 200);
        for (
          const [name, type] of [
            ["busy.test", "NAPTR"],
            ["_sip._udp.busy.test", "SRV"],
            ["first.busy.test", "A"],
            ["second.busy.test", "A"],
          ]
        ) assert(queried(name, type), `${type} ${name} queried: ${JSON.stringify(dns.log)}`);
        assert(!queried("_sip._tcp.busy.test", "SRV"), "SIP+D2T skipped without a TCP transport");
        const stats = gateway.stats() as { proxy: { forwarded: number } };
        assertEquals(stats.proxy.forwarded, 2, "one attempt per target");
      },
    );

    await t.step("the priority 10 target never answers: Timer F, then priority 20", async () => {
      const started = performance.now();
      const pending = wsRequest(url, browserMessageText("sip:user@silent.test"), TIMER_F_MS + 5000);
      const atFirst = await firstSilent.receive((m) => m.startsWith("MESSAGE "));
      assertStringIncludes(atFirst.text, "MESSAGE sip:user@silent.test SIP/2.0");
      const atSecond = await second.receive(
        (m) => m.startsWith("MESSAGE ") && m.includes("silent.test"),
        TIMER_F_MS + 5000,
      );
      const waited = performance.now() - started;
      assert(
        waited >= TIMER_F_MS - 100,
        `failover after ${waited.toFixed(0)} ms, not before Timer F`,
      );
      await second.send(answerText(atSecond.text, 200, "OK"), {
        host: atSecond.from.hostname,
        port: atSecond.from.port,
      });
      assertEquals(statusOf(await pending), 200);
      // the silent target saw the request and its retransmissions (Timer E)
      let copies = 0;
      while (
        await firstSilent.receive((m) => m.startsWith("MESSAGE "), 50).then(() => true, () => false)
      ) {
        copies++;
      }
      assert(copies >= 3, `retransmissions to the silent target: ${copies}`);
      assert(queried("_sip._udp.silent.test", "SRV"));
    });

    await t.step("a name whose queries are dropped gets 503 within the DNS timeout", async () => {
      const response = await wsRequest(url, browserMessageText("sip:user@dropped.test"), 15_000);
      assertEquals(statusOf(response), 503, response.split("\r\n")[0]);
      assert(queried("dropped.test", "NAPTR"));
    });
  } finally {
    await gateway.close();
    await dns.close();
  }
});
