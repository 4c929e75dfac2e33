import { notStrictEqual, ok, strictEqual } from "node:assert/strict";
import { TcpTransport } from "../../../mod/signaling/transport/mod.ts";
import {
  closeQuietly,
  encoder,
  eventually,
  GARBAGE_WITHOUT_VIA,
  Inbox,
  malformedWithVia,
  optionsRequest,
  readUntil,
  tcpLayer,
  withTcpConnection,
} from "./_helpers.ts";

Deno.test("listenTcp() frames an OPTIONS sent in pieces and replies on the connection", async () => {
  await withTcpConnection(async ({ inbox, layer, conn }) => {
    const bytes = encoder.encode(optionsRequest("TCP"));
    await conn.write(bytes.subarray(0, 40));
    await conn.write(bytes.subarray(40));
    const { message, flow } = await inbox.message();
    strictEqual(message.kind === "request" && message.method, "OPTIONS");
    strictEqual(flow.protocol, "tcp");
    strictEqual(flow.reliable, true);
    strictEqual(flow.remote.port, (conn.localAddr as Deno.NetAddr).port);
    strictEqual(layer.flowCount, 1);
    strictEqual(layer.flow(flow.id), flow);
    await layer.send(encoder.encode("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), flow);
    const answer = await readUntil(conn, (text) => text.endsWith("\r\n\r\n"));
    strictEqual(answer, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  });
});

Deno.test("listenTcp() answers a CRLFCRLF keepalive with CRLF", async () => {
  await withTcpConnection(async ({ layer, conn }) => {
    await conn.write(encoder.encode("\r\n\r\n"));
    strictEqual(await readUntil(conn, (text) => text.length >= 2), "\r\n");
    strictEqual(layer.counters.keepalivePings, 1);
  });
});

Deno.test("listenTcp() answers a malformed request with its Via and keeps the connection", async () => {
  await withTcpConnection(async ({ inbox, layer, conn }) => {
    await conn.write(encoder.encode(malformedWithVia("TCP")));
    const answer = await readUntil(conn, (text) => text.includes("\r\n\r\n"));
    ok(answer?.startsWith("SIP/2.0 400 "), answer ?? "closed");
    ok(answer?.includes("branch=z9hG4bK-bad"), answer ?? "closed");
    strictEqual(layer.counters.answeredMalformed, 1);
    await conn.write(encoder.encode(optionsRequest("TCP", "z9hG4bK-after")));
    const { message } = await inbox.message();
    strictEqual(message.headers.get("call-id"), "z9hG4bK-after@test");
  });
});

Deno.test("listenTcp() counts and drops input without a Via, and serves the next peer", async () => {
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  try {
    const bad = await Deno.connect({ hostname: "127.0.0.1", port });
    await bad.write(encoder.encode(GARBAGE_WITHOUT_VIA));
    await eventually(() => layer.counters.droppedMalformed === 1, "the malformed counter");
    bad.close();
    const good = await Deno.connect({ hostname: "127.0.0.1", port });
    await good.write(encoder.encode(optionsRequest("TCP")));
    await inbox.message();
    good.close();
    strictEqual(layer.counters.answeredMalformed, 0);
  } finally {
    await layer.close();
  }
});

Deno.test("listenTcp() closes a connection that sends an oversize message", async () => {
  await withTcpConnection(async ({ inbox, layer, conn }) => {
    const big = optionsRequest("TCP").replace(
      "Content-Length: 0",
      `X-Pad: ${"p".repeat(3000)}\r\nContent-Length: 0`,
    );
    await conn.write(encoder.encode(big)).catch(() => 0);
    // whatever the stack answers first (a 513 or nothing), the connection ends
    await readUntil(conn, () => false, 5000);
    await eventually(() => layer.flowCount === 0, "the flow to close");
    strictEqual(layer.counters.droppedOversize, 1);
    strictEqual(inbox.messages.length, 0);
  }, { limits: { maxMessageSize: 2000 } });
});

Deno.test("listenTcp() removes the flow when the peer closes the connection", async () => {
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  try {
    for (let i = 0; i < 5; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(encoder.encode(optionsRequest("TCP", `z9hG4bK-${i}`)));
      await inbox.message(i);
      strictEqual(layer.flowCount, 1);
      conn.close();
      await inbox.until(() => inbox.closedFlows.length === i + 1, "onFlowClosed");
    }
    strictEqual(layer.flowCount, 0);
    strictEqual([...layer.flows()].length, 0);
    ok(inbox.closedFlows.every((flow) => flow.closed));
  } finally {
    await layer.close();
  }
});

Deno.test("listenTcp() refuses connections over the per-IP limit", async () => {
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox, { limits: { maxConnectionsPerIp: 2 } });
  const conns: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      await conn.write(encoder.encode(optionsRequest("TCP", `z9hG4bK-${i}`)));
      await inbox.message(i);
    }
    const third = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(third);
    strictEqual(await readUntil(third, () => false), null, "refused: closed without a byte");
    strictEqual(layer.counters.refusedConnections, 1);
    strictEqual(layer.flowCount, 2);
    conns[0].close();
    await inbox.until(() => inbox.closedFlows.length === 1, "onFlowClosed");
    const fourth = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(fourth);
    await fourth.write(encoder.encode(optionsRequest("TCP", "z9hG4bK-4")));
    await inbox.message(2);
  } finally {
    closeQuietly(...conns);
    await layer.close();
  }
});

Deno.test("TcpTransport.flowTo() opens one connection and reuses it", async () => {
  const serverInbox = new Inbox();
  const { layer: server, port } = await tcpLayer(serverInbox);
  const { layer: client } = await tcpLayer(new Inbox());
  try {
    const dest = { host: "127.0.0.1", port };
    const [a, b] = await Promise.all([client.flowTo("tcp", dest), client.flowTo("tcp", dest)]);
    strictEqual(a, b, "concurrent flowTo() share one connect");
    const c = await client.flowTo("tcp", dest);
    strictEqual(c.id, a.id);
    await client.send(encoder.encode(optionsRequest("TCP", "z9hG4bK-1")), a);
    await client.send(encoder.encode(optionsRequest("TCP", "z9hG4bK-2")), c);
    await serverInbox.message(1);
    strictEqual(serverInbox.messages[0].flow, serverInbox.messages[1].flow);
    strictEqual(server.flowCount, 1);
    strictEqual(client.flowCount, 1);
    a.close();
    await eventually(() => client.flowCount === 0, "the client flow to close");
    const d = await client.flowTo("tcp", dest);
    notStrictEqual(d.id, a.id, "a closed connection is replaced");
    ok(client.transport("tcp") instanceof TcpTransport);
  } finally {
    await client.close();
    await server.close();
  }
});
