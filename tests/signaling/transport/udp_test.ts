import { ok, strictEqual } from "node:assert/strict";
import { TransportLayer, UdpTransport } from "../../../mod/signaling/transport/mod.ts";
import {
  bigRequest,
  encoder,
  eventually,
  GARBAGE_WITHOUT_VIA,
  hasIpv6,
  Inbox,
  malformedWithVia,
  optionsRequest,
  receiveText,
} from "./_helpers.ts";

async function roundTrip(host: string): Promise<void> {
  const inbox = new Inbox();
  const layer = new TransportLayer(inbox);
  const client = Deno.listenDatagram({ transport: "udp", hostname: host, port: 0 });
  try {
    const transport = await layer.listen({ protocol: "udp", hostname: host, port: 0 });
    ok(transport.local.port > 0);
    strictEqual(transport.local.host, host);
    const to = { transport: "udp" as const, hostname: host, port: transport.local.port };
    await client.send(encoder.encode(optionsRequest("UDP")), to);
    const { message, flow } = await inbox.message();
    strictEqual(message.kind, "request");
    strictEqual(message.kind === "request" && message.method, "OPTIONS");
    strictEqual(message.headers.get("call-id"), "z9hG4bK-t1@test");
    strictEqual(flow.protocol, "udp");
    strictEqual(flow.reliable, false);
    strictEqual(flow.remote.host, host);
    strictEqual(flow.remote.port, (client.addr as Deno.NetAddr).port);
    strictEqual(layer.flow(flow.id)?.remote.port, flow.remote.port);
    strictEqual(layer.flowCount, 0, "UDP flows are virtual, not kept");

    await layer.send(encoder.encode("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), flow);
    strictEqual(await receiveText(client), "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  } finally {
    client.close();
    await layer.close();
  }
}

Deno.test("listenUdp() delivers a parsed OPTIONS and replies reach the sender over IPv4", () =>
  roundTrip("127.0.0.1"));

Deno.test({
  name: "listenUdp() delivers a parsed OPTIONS and replies reach the sender over IPv6",
  ignore: !hasIpv6(), // no IPv6 loopback on this machine
  fn: () => roundTrip("::1"),
});

Deno.test("listenUdp() answers a malformed request with a Via and survives garbage", async () => {
  const inbox = new Inbox();
  const layer = new TransportLayer(inbox);
  const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const transport = await layer.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 });
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: transport.local.port };
    await client.send(encoder.encode(GARBAGE_WITHOUT_VIA), to);
    await client.send(new Uint8Array([0, 255, 13, 10, 13, 10]), to);
    await client.send(encoder.encode(malformedWithVia("UDP")), to);
    const answer = await receiveText(client);
    ok(answer.startsWith("SIP/2.0 400 "), answer);
    ok(answer.includes("branch=z9hG4bK-bad"), answer);
    await client.send(encoder.encode(optionsRequest("UDP", "z9hG4bK-after")), to);
    const { message } = await inbox.message();
    strictEqual(message.headers.get("call-id"), "z9hG4bK-after@test");
    strictEqual(layer.counters.droppedMalformed, 2);
    strictEqual(layer.counters.answeredMalformed, 1);
    strictEqual(layer.counters.received, 1);
  } finally {
    client.close();
    await layer.close();
  }
});

Deno.test("listenUdp() drops an oversize datagram and answers 513 when it can", async () => {
  const inbox = new Inbox();
  const layer = new TransportLayer(inbox, { limits: { maxMessageSize: 1000 } });
  const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const transport = await layer.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 });
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: transport.local.port };
    await client.send(encoder.encode(bigRequest("UDP", 1200)), to);
    const answer = await receiveText(client);
    ok(answer.startsWith("SIP/2.0 513 "), answer);
    await eventually(() => layer.counters.droppedOversize === 1, "the oversize counter");
    strictEqual(inbox.messages.length, 0);
  } finally {
    client.close();
    await layer.close();
  }
});

Deno.test("UdpTransport.flowById() rebuilds a flow from its id and refuses foreign ids", async () => {
  const layer = new TransportLayer(new Inbox());
  try {
    const transport = await layer.listen({ protocol: "udp", hostname: "127.0.0.1", port: 0 });
    ok(transport instanceof UdpTransport);
    const flow = await transport.flowTo({ host: "::1", port: 5060 });
    const again = transport.flowById(flow.id);
    strictEqual(again?.remote.host, "::1");
    strictEqual(again?.remote.port, 5060);
    strictEqual(transport.flowById("udp999/127.0.0.1:5060"), undefined);
    strictEqual(layer.flow("tcp-1"), undefined);
  } finally {
    await layer.close();
  }
});

Deno.test({
  name: "listenUdp() on '::' serves IPv4 peers under their IPv4 address",
  ignore: !hasIpv6(), // no IPv6 on this machine: a '::' socket cannot be opened
  async fn() {
    const inbox = new Inbox();
    const layer = new TransportLayer(inbox);
    const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const transport = await layer.listen({ protocol: "udp", hostname: "::", port: 0 });
      strictEqual(layer.transport("udp", "127.0.0.1"), transport, "dual stack reaches IPv4");
      const to = { transport: "udp" as const, hostname: "127.0.0.1", port: transport.local.port };
      await client.send(encoder.encode(optionsRequest("UDP")), to);
      const { flow } = await inbox.message();
      strictEqual(flow.remote.host, "127.0.0.1");
      await flow.send(encoder.encode("pong"));
      strictEqual(await receiveText(client), "pong");
    } finally {
      client.close();
      await layer.close();
    }
  },
});
