// startGateway() answers an OPTIONS addressed to itself on every transport (udp, tcp, tls, ws,
// wss, udp over IPv6 loopback) with raw clients, and to a real client (JsSIP over WS).

import * as JsSIP from "jssip";
import { parseConfig } from "../mod/config/mod.ts";
import { startGateway } from "../mod/gateway.ts";
import { createLogger } from "../mod/log.ts";
import type { Transport } from "../mod/signaling/transport/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { makeTestCerts } from "./interop/_certs.ts";
import { createJsSipClient } from "./interop/_jssip.ts";
import { startDnsServer } from "./interop/_dns_server.ts";
import { withTimeout } from "./interop/_process.ts";
import { openSipWebSocket } from "./interop/_websocket.ts";
import { udpOptions } from "./_sip_ping.ts";
import { optionsText } from "./_sip_text.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const WAIT_MS = 5000;

function ipv6LoopbackWorks(): boolean {
  try {
    Deno.listenDatagram({ transport: "udp", hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}
const IPV6 = ipv6LoopbackWorks();

function assertMatch(text: string, pattern: RegExp, message?: string): void {
  assert(pattern.test(text), message ?? `${JSON.stringify(text.slice(0, 200))} !~ ${pattern}`);
}

function find(transports: readonly Transport[], protocol: string, host = "127.0.0.1"): Transport {
  const transport = transports.find((t) =>
    t.protocol === protocol && t.local.host.replace(/^\[|\]$/g, "") === host
  );
  if (!transport) throw new Error(`No ${protocol} transport on ${host}`);
  return transport;
}

/** Reads one whole SIP message (head + Content-Length body) from a stream connection. */
async function readMessage(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(4096);
  for (;;) {
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const length = Number(text.match(/^(?:Content-Length|l)\s*:\s*(\d+)/im)?.[1] ?? 0);
      if (text.length >= end + 4 + length) return text.slice(0, end + 4 + length);
    }
    const read = await conn.read(buffer);
    if (read === null) throw new Error(`Connection closed after ${JSON.stringify(text)}`);
    text += decoder.decode(buffer.subarray(0, read));
  }
}

async function streamOptions(conn: Deno.Conn, protocol: "TCP" | "TLS", port: number) {
  try {
    const local = (conn.localAddr as Deno.NetAddr).port;
    const scheme = protocol === "TLS" ? "sips" : "sip";
    const text = optionsText(
      `${scheme}:127.0.0.1:${port}`,
      `SIP/2.0/${protocol} 127.0.0.1:${local}`,
    );
    await conn.write(encoder.encode(text));
    return await withTimeout(`${protocol} response`, readMessage(conn), WAIT_MS);
  } finally {
    conn.close();
  }
}

async function wsOptions(url: string, port: number): Promise<string> {
  const ws = await openSipWebSocket(url, WAIT_MS);
  try {
    assertEquals(ws.protocol, "sip");
    const reply = new Promise<string>((resolve) => {
      ws.onmessage = (event) => resolve(String(event.data));
    });
    ws.send(optionsText(`sip:127.0.0.1:${port};transport=ws`, "SIP/2.0/WS abcdef.invalid"));
    return await withTimeout("WebSocket response", reply, WAIT_MS);
  } finally {
    const closed = new Promise((resolve) => ws.onclose = resolve);
    ws.close();
    await withTimeout("WebSocket close", closed, WAIT_MS).catch(() => {});
  }
}

/** A masked client frame (RFC 6455 5.2), text opcode unless given. */
function wsFrame(payload: Uint8Array, opcode = 1): Uint8Array {
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const head = payload.length < 126 ? 2 : 4;
  const frame = new Uint8Array(head + 4 + payload.length);
  frame[0] = 0x80 | opcode;
  if (payload.length < 126) frame[1] = 0x80 | payload.length;
  else {
    frame[1] = 0x80 | 126;
    frame[2] = payload.length >> 8;
    frame[3] = payload.length & 0xff;
  }
  frame.set(mask, head);
  for (let i = 0; i < payload.length; i++) frame[head + 4 + i] = payload[i] ^ mask[i % 4];
  return frame;
}

/** WSS by hand: TLS with the test CA, the HTTP upgrade, one masked text frame, one reply. */
async function wssOptions(port: number, caCert: string): Promise<string> {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [await Deno.readTextFile(caCert)],
  });
  try {
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await conn.write(encoder.encode(
      [
        "GET / HTTP/1.1",
        `Host: 127.0.0.1:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${key}`,
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: sip",
        "",
        "",
      ].join("\r\n"),
    ));
    let buffered = new Uint8Array(0);
    const buffer = new Uint8Array(4096);
    const more = async () => {
      const read = await conn.read(buffer);
      if (read === null) throw new Error("WSS connection closed");
      const joined = new Uint8Array(buffered.length + read);
      joined.set(buffered);
      joined.set(buffer.subarray(0, read), buffered.length);
      buffered = joined;
    };
    const exchange = async () => {
      let end: number;
      while ((end = decoder.decode(buffered).indexOf("\r\n\r\n")) < 0) await more();
      const head = decoder.decode(buffered).slice(0, end);
      assertMatch(head, /^HTTP\/1\.1 101 /);
      assertMatch(head, /^Sec-WebSocket-Protocol:\s*sip\s*$/im);
      buffered = buffered.subarray(end + 4);
      await conn.write(wsFrame(encoder.encode(
        optionsText(`sips:127.0.0.1:${port};transport=ws`, "SIP/2.0/WSS abcdef.invalid"),
      )));
      for (;;) {
        while (buffered.length < 2) await more();
        let length = buffered[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          while (buffered.length < 4) await more();
          length = (buffered[2] << 8) | buffered[3];
          offset = 4;
        }
        while (buffered.length < offset + length) await more();
        const opcode = buffered[0] & 0x0f;
        const payload = buffered.subarray(offset, offset + length);
        buffered = buffered.subarray(offset + length);
        if (opcode === 1 || opcode === 2) return decoder.decode(payload);
      }
    };
    const reply = await withTimeout("WSS response", exchange(), WAIT_MS);
    await conn.write(wsFrame(new Uint8Array([0x03, 0xe8]), 8)).catch(() => {});
    return reply;
  } finally {
    conn.close();
  }
}

function assert200(response: string, protocol: string): void {
  assertMatch(response, /^SIP\/2\.0 200 /, `${protocol}: ${response.split("\r\n")[0]}`);
  assertMatch(response, /^Allow:.*\bMESSAGE\b/im, `${protocol}: no Allow`);
  assertMatch(response, /^CSeq:\s*1 OPTIONS/im);
}

Deno.test("startGateway() answers OPTIONS for itself with 200 on udp, tcp, tls, ws and wss", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gateway_options_" });
  const dns = await startDnsServer({});
  const certs = await makeTestCerts(dir);
  const { config } = parseConfig(
    `<config>
      <debug-level>ERROR</debug-level>
      ${
      ["udp", "tcp", "tls", "ws", "wss"].map((p) => `<transport>${p};127.0.0.1;*</transport>`)
        .join("\n")
    }
      ${IPV6 ? "<transport>udp;[::1];*</transport>" : ""}
      <ssl-certificates>${certs.key};${certs.cert};*;no</ssl-certificates>
      <allowed-destinations>127.0.0.1</allowed-destinations>
      <nameserver>127.0.0.1:${dns.port}</nameserver>
    </config>`,
  );
  const gateway = await startGateway(config, createLogger("gateway", { level: "FATAL" }));
  try {
    const ts = gateway.transports;
    assertEquals(ts.length, IPV6 ? 6 : 5);
    for (const transport of ts) assert(transport.local.port > 0, "port read back");

    await t.step("udp", async () => {
      assert200(await udpOptions("127.0.0.1", find(ts, "udp").local.port, WAIT_MS), "udp");
    });
    await t.step("tcp", async () => {
      const port = find(ts, "tcp").local.port;
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      assert200(await streamOptions(conn, "TCP", port), "tcp");
    });
    await t.step("tls", async () => {
      const port = find(ts, "tls").local.port;
      const conn = await Deno.connectTls({
        hostname: "127.0.0.1",
        port,
        caCerts: [await Deno.readTextFile(certs.caCert)],
      });
      assert200(await streamOptions(conn, "TLS", port), "tls");
    });
    await t.step("ws", async () => {
      const port = find(ts, "ws").local.port;
      assert200(await wsOptions(`ws://127.0.0.1:${port}`, port), "ws");
    });
    await t.step("wss", async () => {
      assert200(await wssOptions(find(ts, "wss").local.port, certs.caCert), "wss");
    });
    await t.step({
      name: `udp on [::1]${IPV6 ? "" : " (ignored: IPv6 loopback is not available here)"}`,
      ignore: !IPV6,
      async fn() {
        assert200(await udpOptions("::1", find(ts, "udp", "::1").local.port, WAIT_MS), "udp6");
      },
    });
    const stats = gateway.stats() as { transaction: { serverCreated: number } };
    assert(stats.transaction.serverCreated >= (IPV6 ? 6 : 5), "one server transaction each");
    assertEquals(dns.queries, 0, "OPTIONS for the gateway needs no DNS");
  } finally {
    await gateway.close();
    await dns.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startGateway() answers 200 to a JsSIP OPTIONS over WS", async () => {
  const dns = await startDnsServer({});
  const { config } = parseConfig(
    `<config>
      <transport>ws;127.0.0.1;*</transport>
      <transport>udp;127.0.0.1;*</transport>
      <allowed-destinations>127.0.0.1</allowed-destinations>
      <nameserver>127.0.0.1:${dns.port}</nameserver>
    </config>`,
  );
  const gateway = await startGateway(config, createLogger("gateway", { level: "FATAL" }));
  try {
    const port = gateway.transports.find((t) => t.protocol === "ws")!.local.port;
    await using client = await createJsSipClient({
      wsUrl: `ws://127.0.0.1:${port}`,
      uri: "sip:alice@127.0.0.1",
    });
    // JsSIP.UA.sendOptions() exists at run time but is missing from its type declarations
    const ua = client.ua as unknown as {
      sendOptions(target: InstanceType<typeof JsSIP.URI>, body: undefined, options: unknown): void;
    };
    type Reply = { status_code: number; getHeader(name: string): string };
    const response = await withTimeout(
      "JsSIP OPTIONS",
      new Promise<Reply>((resolve, reject) => {
        // a URI object: JsSIP reads a ';transport=ws' target string as a user part
        const target = new JsSIP.URI("sip", undefined as unknown as string, "127.0.0.1", port, {
          transport: "ws",
        });
        ua.sendOptions(target, undefined, {
          eventHandlers: {
            succeeded: (e: { response: Reply }) => resolve(e.response),
            failed: (e: { response: Reply | null; cause: string }) =>
              e.response ? resolve(e.response) : reject(new Error(`JsSIP OPTIONS ${e.cause}`)),
          },
        });
      }),
      WAIT_MS,
    );
    assertEquals(response.status_code, 200);
    assertMatch(response.getHeader("Allow"), /\bINVITE\b/);
    const stats = gateway.stats() as { proxy: { forwarded: number } };
    assertEquals(stats.proxy.forwarded, 0, "answered by the gateway, not relayed");
  } finally {
    await gateway.close();
    await dns.close();
  }
});
