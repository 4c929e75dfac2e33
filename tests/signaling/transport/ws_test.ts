import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { createResponse } from "../../../mod/signaling/message/mod.ts";
import { offersSip, TransportLayer, WsTransport } from "../../../mod/signaling/transport/mod.ts";
import { FakeClock } from "../../_fake_clock.ts";
import {
  bigRequest,
  encoder,
  eventually,
  GARBAGE_WITHOUT_VIA,
  Inbox,
  makeCertificates,
  malformedWithVia,
  optionsRequest,
  rawHttp,
  upgradeRequest,
  WsClient,
} from "./_helpers.ts";

async function wsLayer(
  inbox: Inbox,
  options: ConstructorParameters<typeof TransportLayer>[1] = {},
): Promise<{ layer: TransportLayer; port: number; url: string }> {
  const layer = new TransportLayer(inbox, options);
  const transport = await layer.listen({ protocol: "ws", hostname: "127.0.0.1", port: 0 });
  const port = transport.local.port;
  return { layer, port, url: `ws://127.0.0.1:${port}` };
}

/** Runs `fn` with a WS layer and a client connected to it; closes both afterwards. */
async function withWsClient(
  fn: (s: { inbox: Inbox; layer: TransportLayer; client: WsClient }) => Promise<void>,
  options: ConstructorParameters<typeof TransportLayer>[1] = {},
): Promise<void> {
  const inbox = new Inbox();
  const { layer, url } = await wsLayer(inbox, options);
  const client = new WsClient(url);
  try {
    await client.opened;
    await fn({ inbox, layer, client });
  } finally {
    await client.close();
    await layer.close();
  }
}

Deno.test("listenWs() delivers an OPTIONS text frame and replies with a text frame", async () => {
  await withWsClient(async ({ inbox, layer, client }) => {
    strictEqual(client.socket.protocol, "sip");
    client.socket.send(optionsRequest("WS"));
    const { message, flow } = await inbox.message();
    strictEqual(message.kind === "request" && message.method, "OPTIONS");
    strictEqual(flow.protocol, "ws");
    strictEqual(flow.reliable, true);
    strictEqual(layer.flowCount, 1);
    strictEqual(await layer.transport("ws")!.flowTo(flow.remote), flow);
    await layer.send(encoder.encode("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), flow);
    strictEqual(await client.frame(), "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  });
});

Deno.test("listenWs() accepts binary frames and sends non-UTF-8 bytes as binary", async () => {
  await withWsClient(async ({ inbox, client }) => {
    client.socket.send(encoder.encode(optionsRequest("WS")));
    const { message, flow } = await inbox.message();
    strictEqual(message.headers.get("call-id"), "z9hG4bK-t1@test");
    const bytes = new Uint8Array([...encoder.encode("SIP/2.0 200 OK\r\n\r\n"), 0xff, 0xfe]);
    await flow.send(bytes);
    const frame = await client.frame();
    ok(frame instanceof Uint8Array, "binary frame");
    deepStrictEqual(frame, bytes);
  });
});

Deno.test("TransportLayer.send() writes a message to a WS flow as a text frame, binary when not UTF-8", async () => {
  await withWsClient(async ({ inbox, layer, client }) => {
    client.socket.send(optionsRequest("WS"));
    const { message, flow } = await inbox.message();
    if (message.kind !== "request") throw new Error("expected a request");
    ok(typeof flow.sendText === "function", "WS flows take text");
    const ok200 = createResponse(message, 200);
    ok200.body = encoder.encode("caf\u00e9");
    await layer.send(ok200, flow);
    const text = await client.frame();
    strictEqual(typeof text, "string");
    ok((text as string).endsWith("\r\n\r\ncaf\u00e9"), String(text));
    ok200.body = new Uint8Array([0xff, 0x00]);
    await layer.send(ok200, flow);
    const binary = await client.frame(1);
    ok(binary instanceof Uint8Array, "binary frame");
    deepStrictEqual(binary.subarray(binary.length - 2), ok200.body);
  });
});

Deno.test("listenWs() answers a CRLFCRLF keepalive frame with CRLF", async () => {
  await withWsClient(async ({ inbox, layer, client }) => {
    client.socket.send("\r\n\r\n");
    strictEqual(await client.frame(), "\r\n");
    client.socket.send(encoder.encode("\r\n\r\n"));
    strictEqual(await client.frame(1), "\r\n");
    strictEqual(layer.counters.keepalivePings, 2);
    strictEqual(inbox.messages.length, 0);
  });
});

Deno.test("listenWs() answers a plain HTTP GET with a 426 page", async () => {
  const { layer, port } = await wsLayer(new Inbox());
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    strictEqual(response.status, 426);
    const text = await response.text();
    ok(text.includes("SIP over WebSocket"), text);
    ok(text.includes("'sip'"), text);
    strictEqual(layer.counters.refusedUpgrades, 1);
    strictEqual(layer.flowCount, 0);
  } finally {
    await layer.close();
  }
});

Deno.test("listenWs() refuses an upgrade without the sip subprotocol with a 400", async () => {
  const { layer, port } = await wsLayer(new Inbox());
  try {
    const answer = await rawHttp(port, upgradeRequest([]));
    ok(answer.startsWith("HTTP/1.1 400"), answer);
    ok(answer.includes("subprotocol 'sip'"), answer);
    const other = await rawHttp(port, upgradeRequest(["chat", "mqtt"]));
    ok(other.startsWith("HTTP/1.1 400"), other);
    const noKey = await rawHttp(
      port,
      upgradeRequest(["sip"]).replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
    );
    ok(noKey.startsWith("HTTP/1.1 400"), noKey);
    ok(noKey.includes("cannot upgrade to WebSocket"), noKey);
    const sip = await rawHttp(port, upgradeRequest(["chat", "sip"]));
    ok(sip.startsWith("HTTP/1.1 101"), sip);
    ok(/sec-websocket-protocol: sip\r\n/i.test(sip), sip);
    await eventually(() => layer.flowCount === 0, "the raw connection's flow to close");
    strictEqual(layer.counters.refusedUpgrades, 3);
  } finally {
    await layer.close();
  }
});

Deno.test("offersSip() finds the sip token in Sec-WebSocket-Protocol", () => {
  strictEqual(offersSip("sip"), true);
  strictEqual(offersSip("chat, sip"), true);
  strictEqual(offersSip("SIP"), false, "subprotocol tokens are case-sensitive");
  strictEqual(offersSip("sips"), false);
  strictEqual(offersSip(null), false);
});

Deno.test("listenWs() answers a malformed frame with a Via and drops one without", async () => {
  await withWsClient(async ({ inbox, layer, client }) => {
    client.socket.send(malformedWithVia("WS"));
    const answer = await client.frame();
    ok(typeof answer === "string" && answer.startsWith("SIP/2.0 400 "), String(answer));
    client.socket.send(GARBAGE_WITHOUT_VIA);
    await eventually(() => layer.counters.droppedMalformed === 1, "the malformed counter");
    client.socket.send(optionsRequest("WS"));
    await inbox.message();
    strictEqual(layer.counters.answeredMalformed, 1);
    strictEqual(client.received.length, 1);
  });
});

Deno.test("listenWs() drops an oversize frame and answers 513", async () => {
  await withWsClient(async ({ inbox, layer, client }) => {
    client.socket.send(bigRequest("WS", 2000));
    const answer = await client.frame();
    ok(typeof answer === "string" && answer.startsWith("SIP/2.0 513 "), String(answer));
    strictEqual(layer.counters.droppedOversize, 1);
    strictEqual(inbox.messages.length, 0);
  }, { limits: { maxMessageSize: 1500 } });
});

Deno.test("listenWs() refuses upgrades over the per-IP limit with a 503", async () => {
  const { layer, port, url } = await wsLayer(new Inbox(), { limits: { maxConnectionsPerIp: 1 } });
  const client = new WsClient(url);
  try {
    await client.opened;
    const answer = await rawHttp(port, upgradeRequest(["sip"]));
    ok(answer.startsWith("HTTP/1.1 503"), answer);
    strictEqual(layer.counters.refusedConnections, 1);
    strictEqual(layer.flowCount, 1);
  } finally {
    await client.close();
    await layer.close();
  }
});

Deno.test("listenWs() removes flows when browsers disconnect", async () => {
  const inbox = new Inbox();
  const { layer, url } = await wsLayer(inbox);
  try {
    const clients = Array.from({ length: 10 }, () => new WsClient(url));
    await Promise.all(clients.map((client) => client.opened));
    await eventually(() => layer.flowCount === 10, "ten flows");
    const ids = new Set([...layer.flows()].map((flow) => flow.id));
    strictEqual(ids.size, 10, "flow ids are unique");
    const transport = layer.transport("ws");
    ok(transport instanceof WsTransport);
    strictEqual(transport.connections, 10);
    await Promise.all(clients.map((client) => client.close()));
    await inbox.until(() => inbox.closedFlows.length === 10, "ten onFlowClosed");
    strictEqual(layer.flowCount, 0);
    strictEqual(transport.connections, 0);
    for (const id of ids) strictEqual(layer.flow(id), undefined);
  } finally {
    await layer.close();
  }
});

Deno.test("listenWs() keeps an opened connection past the handshake timeout", async () => {
  const inbox = new Inbox();
  const clock = new FakeClock();
  const { layer, url } = await wsLayer(inbox, { clock });
  const client = new WsClient(url);
  try {
    await client.opened;
    clock.advance(layer.limits.handshakeTimeoutMs);
    strictEqual(layer.flowCount, 1, "an open connection is not timed out");
    strictEqual(layer.counters.handshakeTimeouts, 0);
  } finally {
    await client.close();
    await layer.close();
  }
});

Deno.test("listenWs() serves WSS with a certificate from the test CA", async () => {
  const { ca, cert, key, dir } = await makeCertificates();
  const inbox = new Inbox();
  const layer = new TransportLayer(inbox);
  try {
    const transport = await layer.listen({
      protocol: "wss",
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert, key },
    });
    strictEqual(transport.protocol, "wss");
    const client = new WsClient(`wss://127.0.0.1:${transport.local.port}`, { caCerts: [ca] });
    try {
      await client.opened;
      client.socket.send(optionsRequest("WSS"));
      const { message, flow } = await inbox.message();
      strictEqual(message.headers.get("cseq"), "1 OPTIONS");
      strictEqual(flow.protocol, "wss");
      await flow.send(encoder.encode("SIP/2.0 200 OK\r\n\r\n"));
      strictEqual(await client.frame(), "SIP/2.0 200 OK\r\n\r\n");
    } finally {
      await client.close();
    }
  } finally {
    await layer.close();
    await Deno.remove(dir, { recursive: true });
  }
});
