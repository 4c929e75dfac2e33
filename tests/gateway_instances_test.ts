// startGateway() with <signaling-instances>2: instance 1 runs in a Worker, both share the WS
// port (reusePort) and the kernel spreads connections over them; each instance has its own
// UDP port in the Path it adds, and a request from the SIP side through that Path reaches the
// browser on the instance that holds its WebSocket. Closing frees every port.

import { parseConfig } from "../mod/config/mod.ts";
import { type RunningGateway, startGateway } from "../mod/gateway.ts";
import { createLogger } from "../mod/log.ts";
import { assert, assertEquals } from "./_assert.ts";
import { Inbox } from "./interop/_inbox.ts";
import { UdpSipPeer } from "./interop/_udp_peer.ts";
import { openSipWebSocket } from "./interop/_websocket.ts";
import { answerText, optionsText } from "./_sip_text.ts";

const WAIT_MS = 5000;
/** Connections opened: all on one instance has probability 2^-39 with a fair kernel hash. */
const CONNECTIONS = 40;

interface Browser {
  ws: WebSocket;
  inbox: Inbox<string>;
}

async function connect(url: string): Promise<Browser> {
  const ws = await openSipWebSocket(url, WAIT_MS);
  const inbox = new Inbox<string>();
  ws.onmessage = (event) => inbox.push(String(event.data));
  return { ws, inbox };
}

async function closeAll(browsers: Browser[]): Promise<void> {
  await Promise.all(browsers.map(({ ws }) => {
    if (ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    ws.close();
    return closed;
  }));
}

function statusOf(text: string): number {
  return Number(text.match(/^SIP\/2\.0 (\d{3}) /)?.[1] ?? 0);
}

function header(text: string, name: string): string | undefined {
  return text.split("\r\n\r\n")[0].match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "im"))?.[1].trim();
}

function registerText(user: string, registrarPort: number): string {
  const aor = `sip:${user}@127.0.0.1`;
  return [
    `REGISTER sip:127.0.0.1:${registrarPort} SIP/2.0`,
    `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${crypto.randomUUID().slice(0, 12)}`,
    "Max-Forwards: 70",
    `From: <${aor}>;tag=${user}`,
    `To: <${aor}>`,
    `Call-ID: ${crypto.randomUUID()}`,
    "CSeq: 1 REGISTER",
    `Contact: <sip:${user}@df7jal23ls0d.invalid;transport=ws>;reg-id=1;` +
    `+sip.instance="<urn:uuid:${crypto.randomUUID()}>";expires=600`,
    "Supported: path, outbound",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

function messageText(contactUri: string, path: string, peerPort: number, body: string): string {
  return [
    `MESSAGE ${contactUri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peerPort};branch=z9hG4bK${crypto.randomUUID().slice(0, 12)}`,
    `Route: ${path}`,
    "Max-Forwards: 70",
    "From: <sip:registrar@127.0.0.1>;tag=r1",
    "To: <sip:user@127.0.0.1>",
    `Call-ID: ${crypto.randomUUID()}`,
    "CSeq: 1 MESSAGE",
    "Content-Type: text/plain",
    `Content-Length: ${body.length}`,
    "",
    body,
  ].join("\r\n");
}

async function startTwoInstances(): Promise<RunningGateway> {
  const { config } = parseConfig(
    `<config>
      <debug-level>ERROR</debug-level>
      <transport>udp;127.0.0.1;*</transport>
      <transport>ws;127.0.0.1;*</transport>
      <allowed-destinations>127.0.0.1</allowed-destinations>
      <signaling-instances>2</signaling-instances>
    </config>`,
  );
  return await startGateway(config, createLogger("gateway", { level: "FATAL" }));
}

function portOf(gateway: RunningGateway, protocol: string): number {
  return gateway.transports.find((t) => t.protocol === protocol)!.local.port;
}

Deno.test("startGateway() spreads WebSocket connections over two signaling instances and routes back by Path", async () => {
  const gateway = await startTwoInstances();
  const browsers: Browser[] = [];
  const registrar = new UdpSipPeer();
  const wsPort = portOf(gateway, "ws");
  try {
    for (let i = 0; i < CONNECTIONS; i++) browsers.push(await connect(`ws://127.0.0.1:${wsPort}`));

    // OPTIONS to the gateway from every connection: 200 from whichever instance holds it
    await Promise.all(browsers.map(async ({ ws, inbox }) => {
      ws.send(optionsText(`sip:127.0.0.1:${wsPort}`, "SIP/2.0/WS df7jal23ls0d.invalid"));
      const response = await inbox.next("200 to OPTIONS", WAIT_MS);
      assertEquals(statusOf(response), 200, response);
    }));
    const stats = await gateway.instanceStats() as {
      transport: { received: number; flows: number };
    }[];
    assertEquals(stats.length, 2);
    assertEquals(stats.reduce((sum, s) => sum + s.transport.flows, 0), CONNECTIONS);
    assertEquals(stats.reduce((sum, s) => sum + s.transport.received, 0), CONNECTIONS);
    for (const [i, s] of stats.entries()) {
      assert(s.transport.flows >= 1, `instance ${i} holds no connection: ${JSON.stringify(stats)}`);
    }
    assertEquals((gateway.stats() as { instances: number }).instances, 2);

    // REGISTER from every browser: the Path names the UDP port of the instance holding it
    const registered = await Promise.all(browsers.map(async (browser, i) => {
      browser.ws.send(registerText(`user${i}`, registrar.port));
      const { text: register, from } = await registrar.receive(
        (t) => t.startsWith("REGISTER ") && t.includes(`tag=user${i}\r\n`),
      );
      await registrar.send(answerText(register, 200, "OK"), {
        host: from.hostname,
        port: from.port,
      });
      const ok = await browser.inbox.next("200 to REGISTER", WAIT_MS);
      assertEquals(statusOf(ok), 200, ok);
      const path = header(register, "Path")!;
      const contact = header(register, "Contact")!;
      const pathPort = Number(path.match(/^<sip:[^@>]*@?127\.0\.0\.1:(\d+)/)?.[1]);
      assertEquals(pathPort, from.port, `Path ${path} names the port it came from`);
      return { browser, path, contactUri: contact.slice(1, contact.indexOf(">")), pathPort };
    }));
    const ports = new Set(registered.map((r) => r.pathPort));
    assertEquals(ports.size, 2, `two instances, two UDP ports: ${[...ports]}`);

    // The registrar reaches each browser through its Path: the instance that holds its flow
    await Promise.all(registered.map(async ({ browser, path, contactUri, pathPort }, i) => {
      const body = `hello ${i}`;
      await registrar.send(messageText(contactUri, path, registrar.port, body), {
        host: "127.0.0.1",
        port: pathPort,
      });
      const delivered = await browser.inbox.next(`MESSAGE at browser ${i}`, WAIT_MS);
      assert(delivered.startsWith("MESSAGE "), delivered);
      assert(delivered.endsWith(`\r\n\r\n${body}`), delivered);
      browser.ws.send(answerText(delivered, 200, "OK"));
    }));
  } finally {
    await closeAll(browsers);
    await registrar.close();
    await gateway.close();
  }
});

Deno.test("startGateway() close() stops the Worker instances and frees their ports", async () => {
  const gateway = await startTwoInstances();
  const wsPort = portOf(gateway, "ws");
  const stats = await gateway.instanceStats();
  assertEquals(stats.length, 2);
  await gateway.close();
  // nobody listens on the shared WS port any more: instance 1's listener went with its Worker
  const refused = await Deno.connect({ hostname: "127.0.0.1", port: wsPort }).then(
    (conn) => {
      conn.close();
      return false;
    },
    () => true,
  );
  assert(refused, `something still listens on ${wsPort}`);
  // the port can be bound again without reusePort
  Deno.listen({ hostname: "127.0.0.1", port: wsPort }).close();
});
