import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import type { SipParseError } from "../../../mod/signaling/message/mod.ts";
import {
  resolveLimits,
  StreamConnection,
  type TrackedFlow,
  type TransportCounterName,
  type TransportSink,
} from "../../../mod/signaling/transport/mod.ts";
import { FakeClock } from "../../_fake_clock.ts";
import { closeQuietly, encoder, eventually, optionsRequest, readUntil } from "./_helpers.ts";

/** A sink that records what a connection reports. */
class RecordingSink implements TransportSink {
  readonly limits = resolveLimits({ maxMessageSize: 4096 });
  readonly clock = new FakeClock();
  readonly log = { debug() {}, info() {}, warn() {} };
  readonly received: string[] = [];
  readonly rejected: SipParseError[] = [];
  readonly opened: TrackedFlow[] = [];
  readonly closed: TrackedFlow[] = [];
  readonly counts = new Map<TransportCounterName, number>();

  receive(bytes: Uint8Array): void {
    this.received.push(new TextDecoder().decode(bytes));
  }
  reject(error: SipParseError): Promise<void> {
    this.rejected.push(error);
    return Promise.resolve();
  }
  admit(): boolean {
    return true;
  }
  flowOpened(flow: TrackedFlow): void {
    this.opened.push(flow);
  }
  flowClosed(flow: TrackedFlow): void {
    this.closed.push(flow);
  }
  count(name: TransportCounterName): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}

/** A connected TCP pair: the connection under test and its raw peer. */
async function pair(
  sink: RecordingSink,
  inbound = true,
): Promise<{ connection: StreamConnection; peer: Deno.Conn; close(): Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [peer, accepted] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }),
    listener.accept(),
  ]);
  listener.close();
  const connection = new StreamConnection(accepted, "tcp", sink, { inbound });
  return {
    connection,
    peer,
    async close() {
      connection.close();
      closeQuietly(peer);
      await connection.done;
    },
  };
}

Deno.test("StreamConnection reports itself opened and closed exactly once", async () => {
  const sink = new RecordingSink();
  const { connection, peer, close } = await pair(sink, false);
  try {
    strictEqual(sink.opened[0], connection);
    strictEqual(connection.inbound, false);
    ok(connection.id.startsWith("tcp-"));
    peer.close();
    await connection.done;
    deepStrictEqual(sink.closed, [connection]);
    strictEqual(connection.closed, true);
    connection.close();
    strictEqual(sink.closed.length, 1);
  } finally {
    await close();
  }
});

Deno.test("StreamConnection hands over framed messages and answers CRLFCRLF", async () => {
  const sink = new RecordingSink();
  const { connection, peer, close } = await pair(sink);
  try {
    const two = optionsRequest("TCP", "z9hG4bK-1") + "\r\n\r\n" +
      optionsRequest("TCP", "z9hG4bK-2");
    await peer.write(encoder.encode(two));
    await eventually(() => sink.received.length === 2, "two messages");
    ok(sink.received[1].includes("z9hG4bK-2"));
    strictEqual(await readUntil(peer, (text) => text.length >= 2), "\r\n");
    strictEqual(sink.counts.get("keepalivePings"), 1);
    ok(connection.lastActivity >= 0);
  } finally {
    await close();
  }
});

Deno.test("StreamConnection.send() never interleaves concurrent writes", async () => {
  const sink = new RecordingSink();
  const { connection, peer, close } = await pair(sink);
  try {
    const messages = ["a", "b", "c", "d"].map((letter) => letter.repeat(300_000));
    const total = messages.reduce((sum, m) => sum + m.length, 0);
    const reading = readUntil(peer, (text) => text.length >= total, 10000);
    await Promise.all(messages.map((m) => connection.send(encoder.encode(m))));
    strictEqual(await reading, messages.join(""));
  } finally {
    await close();
  }
});

Deno.test("StreamConnection.send() rejects once the connection is closed", async () => {
  const sink = new RecordingSink();
  const { connection, close } = await pair(sink);
  try {
    connection.close();
    await rejects(connection.send(encoder.encode("x")), /closed/);
    await connection.done;
    strictEqual(sink.closed.length, 1);
  } finally {
    await close();
  }
});

Deno.test("StreamConnection closes after a fatal framing error, once the sink answered", async () => {
  const sink = new RecordingSink();
  const { connection, peer, close } = await pair(sink);
  try {
    await peer.write(encoder.encode(`OPTIONS sip:a@b SIP/2.0\r\nX: ${"y".repeat(5000)}`));
    await connection.done;
    strictEqual(sink.rejected.length, 1);
    strictEqual(sink.rejected[0].status, 513);
    strictEqual(sink.received.length, 0);
  } finally {
    await close();
  }
});
