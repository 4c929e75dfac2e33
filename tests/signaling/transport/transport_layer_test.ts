import { ok, strictEqual } from "node:assert/strict";
import type { SipMessage } from "../../../mod/signaling/message/mod.ts";
import {
  type Flow,
  type TrackedFlow,
  TransportLayer,
} from "../../../mod/signaling/transport/mod.ts";
import { FakeClock } from "../../_fake_clock.ts";
import {
  closeQuietly,
  encoder,
  eventually,
  Inbox,
  optionsRequest,
  readUntil,
  receiveText,
  tcpLayer,
  withTcpConnection,
} from "./_helpers.ts";

Deno.test("TransportLayer closes TCP connections idle past idleTimeoutMs", async () => {
  const inbox = new Inbox();
  const clock = new FakeClock();
  const { layer, port } = await tcpLayer(inbox, { clock, limits: { idleTimeoutMs: 60000 } });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(optionsRequest("TCP")));
    await inbox.message();
    clock.advance(45000);
    await conn.write(encoder.encode("\r\n\r\n")); // a keepalive counts as traffic
    strictEqual(await readUntil(conn, (text) => text.length >= 2), "\r\n");
    clock.advance(45000);
    strictEqual(layer.flowCount, 1, "kept alive by the keepalive");
    clock.advance(30000);
    strictEqual(await readUntil(conn, () => false), null, "closed after 60 s without traffic");
    await eventually(() => layer.flowCount === 0, "the flow to close");
    strictEqual(layer.counters.idleClosed, 1);
  } finally {
    conn.close();
    await layer.close();
  }
});

Deno.test("TransportLayer.flowTo() rejects when no transport of the protocol is open", async () => {
  const layer = new TransportLayer(new Inbox());
  try {
    let error: unknown;
    await layer.flowTo("tls", { host: "127.0.0.1", port: 5061 }).catch((e) => error = e);
    ok(error instanceof Error && /no tls transport/.test(error.message));
  } finally {
    await layer.close();
  }
});

Deno.test("TransportLayer.sendTo() sends a datagram over UDP to an address", async () => {
  const layer = new TransportLayer(new Inbox());
  const peer = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    await layer.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (peer.addr as Deno.NetAddr).port;
    const flow = await layer.sendTo("udp", { host: "127.0.0.1", port }, encoder.encode("hello"));
    strictEqual(flow.remote.port, port);
    strictEqual(await receiveText(peer), "hello");
  } finally {
    peer.close();
    await layer.close();
  }
});

Deno.test("TransportLayer.send() serializes a SipMessage", async () => {
  await withTcpConnection(async ({ inbox, layer, conn }) => {
    await conn.write(encoder.encode(optionsRequest("TCP")));
    const { message, flow } = await inbox.message();
    await layer.send(message, flow);
    const echoed = await readUntil(conn, (text) => text.endsWith("\r\n\r\n"));
    ok(echoed?.startsWith("OPTIONS sip:gateway@127.0.0.1 SIP/2.0\r\n"), echoed ?? "closed");
    ok(echoed?.includes("CSeq: 1 OPTIONS\r\n"), echoed ?? "closed");
  });
});

Deno.test("TransportLayer survives an onMessage handler that throws", async () => {
  const seen: SipMessage[] = [];
  const layer = new TransportLayer({
    onMessage(message: SipMessage, _flow: Flow) {
      seen.push(message);
      throw new Error("handler bug");
    },
  }, { log: { debug() {}, info() {}, warn() {} } });
  const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const transport = await layer.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 });
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: transport.local.port };
    await client.send(encoder.encode(optionsRequest("UDP", "z9hG4bK-1")), to);
    await client.send(encoder.encode(optionsRequest("UDP", "z9hG4bK-2")), to);
    await eventually(() => seen.length === 2, "both messages");
    strictEqual(layer.counters.received, 2);
  } finally {
    client.close();
    await layer.close();
  }
});

Deno.test("TransportLayer.close() closes every flow and reports each one", async () => {
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  const conns: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      await conn.write(encoder.encode(optionsRequest("TCP", `z9hG4bK-${i}`)));
      await inbox.message(i);
    }
    strictEqual(layer.flowCount, 3);
    await layer.close();
    strictEqual(layer.flowCount, 0);
    strictEqual(inbox.closedFlows.length, 3);
    for (const conn of conns) strictEqual(await readUntil(conn, () => false), null);
    let error: unknown;
    await layer.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 }).catch((e) => error = e);
    ok(error instanceof Error, "a closed layer opens nothing");
  } finally {
    closeQuietly(...conns);
    await layer.close();
  }
});

Deno.test("TransportLayer.listen() reads '*' as every IPv4 address", async () => {
  const layer = new TransportLayer(new Inbox());
  try {
    const transport = await layer.listen({ protocol: "udp", hostname: "*", port: 0 });
    strictEqual(transport.local.host, "0.0.0.0");
    strictEqual(layer.transport("udp"), transport);
    strictEqual(layer.transport("udp", "::1"), undefined, "an IPv4 socket cannot reach IPv6");
  } finally {
    await layer.close();
  }
});

Deno.test("TransportLayer pings idle connections it opened and keeps them while answered", async () => {
  const clock = new FakeClock();
  const limits = { idleTimeoutMs: 60000 };
  const serverInbox = new Inbox();
  const { layer: server, port } = await tcpLayer(serverInbox, { clock, limits });
  const { layer: client } = await tcpLayer(new Inbox(), { clock, limits });
  try {
    const flow = await client.flowTo("tcp", { host: "127.0.0.1", port });
    await client.send(encoder.encode(optionsRequest("TCP")), flow);
    await serverInbox.message();
    const tracked = flow as TrackedFlow;
    for (let ping = 1; ping <= 4; ping++) {
      clock.advance(30000); // half the idle timeout without traffic: the client pings
      strictEqual(client.counters.keepalivesSent, ping);
      // the server's CRLF answer refreshes the client's idle clock
      await eventually(() => tracked.lastActivity === clock.now(), "the CRLF answer");
      strictEqual(server.counters.keepalivePings, ping);
    }
    strictEqual(flow.closed, false, "kept open for 2 minutes by answered pings");
    strictEqual(client.counters.idleClosed, 0);
    strictEqual(server.counters.idleClosed, 0, "the pings count as traffic on the server too");
  } finally {
    await client.close();
    await server.close();
  }
});
