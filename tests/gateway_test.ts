// startGateway() as a whole: malformed input (the RFC 4475 invalid corpus, random garbage) over
// UDP, WS and TCP never stops it: a stateless error comes back when a Via is readable, nothing
// when not (checked against the transport counters), and a valid OPTIONS still gets 200.

import { parseConfig } from "../mod/config/mod.ts";
import { type RunningGateway, startGateway } from "../mod/gateway.ts";
import { createLogger } from "../mod/log.ts";
import {
  parseMessage,
  SipParseError,
  statelessErrorResponse,
} from "../mod/signaling/message/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type DnsServer, startDnsServer } from "./interop/_dns_server.ts";
import { delay, waitFor, withTimeout } from "./interop/_process.ts";
import { RFC4475_CORPUS } from "./fixtures/rfc4475.ts";
import { optionsText } from "./_sip_text.ts";

const CORPUS = RFC4475_CORPUS;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** How long "nothing comes back" is watched for. */
const SILENCE_MS = 250;
/** Longer than Timer F with the test's sip-timers (64 x 50 ms). */
const WAIT_MS = 5000;

interface Expectation {
  /** Status of the stateless answer, or undefined when nothing may come back. */
  status?: number;
  /** "answered" / "dropped": which malformed counter grows; "parsed": none does. */
  counter: "answeredMalformed" | "droppedMalformed" | "parsed";
  /** A parsed request: some final response comes back (the proxy handles it). */
  request: boolean;
}

/** What the gateway must do with these bytes as one datagram, from the message parser. */
function expectationOf(bytes: Uint8Array): Expectation {
  try {
    const message = parseMessage(bytes);
    return { counter: "parsed", request: message.kind === "request" };
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    const answer = statelessErrorResponse(error);
    return answer
      ? { status: error.status, counter: "answeredMalformed", request: false }
      : { counter: "droppedMalformed", request: false };
  }
}

interface Corpus {
  name: string;
  bytes: Uint8Array;
}

async function invalidCorpus(): Promise<Corpus[]> {
  const table = await Deno.readTextFile(new URL("expectations.tsv", CORPUS));
  const files = table.split("\n").slice(1).filter((line) => line.trim() !== "")
    .map((line) => line.split("\t"))
    .filter(([, , verdict]) => verdict === "invalid")
    .map(([file]) => file);
  return await Promise.all(
    files.map(async (name) => ({ name, bytes: await Deno.readFile(new URL(name, CORPUS)) })),
  );
}

/** Deterministic garbage: random bytes, random SIP-ish text, valid messages cut and flipped. */
function garbage(count: number, seed: number): Corpus[] {
  let state = seed >>> 0;
  const next = () => { // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  // Max-Forwards 0: the gateway answers it itself (no forwarding of what survives mutation)
  const valid = encoder.encode(
    optionsText("sip:127.0.0.1:9", "SIP/2.0/UDP 127.0.0.1:9").replace(
      "Max-Forwards: 70",
      "Max-Forwards: 0",
    ),
  );
  const pieces = ["INVITE ", "sip:", "SIP/2.0", "\r\n", "Via: ", ";branch=", ":", " ", "<", ">"];
  const result: Corpus[] = [];
  for (let i = 0; i < count; i++) {
    let bytes: Uint8Array;
    const kind = i % 3;
    if (kind === 0) {
      bytes = crypto.getRandomValues(new Uint8Array(1 + int(600)));
      for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
    } else if (kind === 1) {
      let text = "";
      for (let j = 0, n = 1 + int(40); j < n; j++) text += pieces[int(pieces.length)];
      bytes = encoder.encode(text);
    } else {
      bytes = valid.slice(0, 1 + int(valid.length));
      for (let j = 0, n = int(4); j < n; j++) bytes[int(bytes.length)] = int(256);
    }
    result.push({ name: `garbage #${i} (${["bytes", "tokens", "mutated"][kind]})`, bytes });
  }
  return result;
}

function statusOf(text: string): number | undefined {
  const match = text.match(/^SIP\/2\.0 (\d{3})/);
  return match ? Number(match[1]) : undefined;
}

/**
 * How long to listen: until a final response (`final`), or, when none is expected, until
 * `settled()` says the gateway has dealt with the input (a counter grew) plus a short grace,
 * or {@link SILENCE_MS} without such a signal.
 */
type Wait = { final: true } | { final: false; settled?: () => boolean };

/** A client of one transport: sends bytes on a fresh connection, collects what comes back. */
interface Client {
  /** Sends `bytes`; resolves with the first final response, or none after silence. */
  exchange(bytes: Uint8Array, wait: Wait): Promise<Reply>;
}

/** What came back: the first final response; `closed` when the gateway closed the stream. */
interface Reply {
  response?: string;
  closed: boolean;
}

const GRACE_MS = 30;

/** Corpus files whose head or body is incomplete as a stream (RFC 4475 3.1.2.2; baddn.dat has
 * no empty line after its headers): a stream transport waits for more. */
const STREAM_NEEDS_MORE = new Set(["clerr.dat", "baddn.dat"]);
/** Corpus files with a Content-Length no stream can be framed by (RFC 4475 3.1.2.3). */
const STREAM_FATAL = new Set(["ncl.dat"]);

/** Collects responses pushed by `subscribe` until a final one or the time is up. */
function collect(
  wait: Wait,
  subscribe: (push: (text: string) => void, end: () => void) => void,
): Promise<Reply> {
  return new Promise((resolve) => {
    let first: string | undefined;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const finish = (closed = false) => {
      timers.forEach(clearTimeout);
      resolve({ response: first, closed });
    };
    timers.push(setTimeout(() => finish(), wait.final ? WAIT_MS : SILENCE_MS));
    if (!wait.final && wait.settled) {
      const settled = wait.settled;
      const poll = () => {
        if (settled()) timers.push(setTimeout(() => finish(), GRACE_MS));
        else timers.push(setTimeout(poll, 5));
      };
      poll();
    }
    subscribe((text) => {
      const status = statusOf(text) ?? 0;
      if (status < 200) return;
      first ??= text;
      if (wait.final) finish();
    }, () => finish(true));
  });
}

function udpClient(port: number): Client {
  return {
    async exchange(bytes, wait) {
      const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      try {
        await socket.send(bytes, { transport: "udp", hostname: "127.0.0.1", port });
        return await collect(wait, (push) => {
          (async () => {
            for (;;) push(decoder.decode((await socket.receive())[0]));
          })().catch(() => {});
        });
      } finally {
        socket.close();
      }
    },
  };
}

function wsClient(port: number): Client {
  return {
    async exchange(bytes, wait) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, "sip");
      ws.binaryType = "arraybuffer";
      const inbox: string[] = [];
      let listener: ((text: string) => void) | undefined;
      ws.onmessage = (event) => {
        const text = typeof event.data === "string" ? event.data : decoder.decode(event.data);
        if (listener) listener(text);
        else inbox.push(text);
      };
      const closed = new Promise((resolve) => ws.onclose = resolve);
      try {
        await withTimeout(
          "WebSocket open",
          new Promise((resolve, reject) => {
            ws.onopen = resolve;
            ws.onerror = () => reject(new Error("WebSocket error"));
          }),
          WAIT_MS,
        );
        ws.send(bytes);
        return await collect(wait, (push) => {
          inbox.forEach(push);
          listener = push;
        });
      } finally {
        ws.close();
        await withTimeout("WebSocket close", closed, WAIT_MS).catch(() => {});
      }
    },
  };
}

function tcpClient(port: number): Client {
  return {
    async exchange(bytes, wait) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await conn.write(bytes);
        return await collect(wait, (push, closed) => {
          (async () => {
            let text = "";
            const buffer = new Uint8Array(4096);
            for (;;) {
              const read = await conn.read(buffer);
              if (read === null) return closed();
              text += decoder.decode(buffer.subarray(0, read));
              let end: number;
              while ((end = text.indexOf("\r\n\r\n")) >= 0) {
                const length = Number(text.match(/^(?:Content-Length|l)\s*:\s*(\d+)/im)?.[1] ?? 0);
                if (text.length < end + 4 + length) break;
                push(text.slice(0, end + 4 + length));
                text = text.slice(end + 4 + length);
              }
            }
          })().catch(() => {});
        });
      } finally {
        conn.close();
      }
    },
  };
}

interface Counters {
  transport: Record<string, number>;
  transaction: Record<string, number>;
}

function countersOf(gateway: RunningGateway): Counters {
  return structuredClone(gateway.stats()) as unknown as Counters;
}

async function startTestGateway(dns: DnsServer): Promise<RunningGateway> {
  const { config } = parseConfig(
    `<config>
      <transport>udp;127.0.0.1;*</transport>
      <transport>tcp;127.0.0.1;*</transport>
      <transport>ws;127.0.0.1;*</transport>
      <allowed-destinations>127.0.0.1</allowed-destinations>
      <nameserver>127.0.0.1:${dns.port}</nameserver>
      <sip-timers>50;400;500</sip-timers>
    </config>`,
  );
  return await startGateway(config, createLogger("gateway", { level: "FATAL" }));
}

/** Runs `fn` with a gateway (see {@linkcode startTestGateway}) on a DNS server of its own. */
async function withTestGateway(fn: (gateway: RunningGateway) => Promise<void>): Promise<void> {
  const dns = await startDnsServer({});
  const gateway = await startTestGateway(dns);
  try {
    await fn(gateway);
  } finally {
    await gateway.close();
    await dns.close();
  }
}

function portOf(gateway: RunningGateway, protocol: string): number {
  return gateway.transports.find((t) => t.protocol === protocol)!.local.port;
}

/** One datagram-like exchange (UDP, WS: one message per datagram / frame) checked exactly. */
async function checkExact(
  gateway: RunningGateway,
  client: Client,
  input: Corpus,
): Promise<void> {
  const expected = expectationOf(input.bytes);
  const before = countersOf(gateway).transport;
  const handled = (c: Record<string, number>) =>
    c.received + c.answeredMalformed + c.droppedMalformed;
  const { response } = await client.exchange(
    input.bytes,
    expected.status !== undefined || expected.request ? { final: true } : {
      final: false,
      settled: () => handled(countersOf(gateway).transport) > handled(before),
    },
  );
  const after = countersOf(gateway).transport;
  const what = `${input.name}: got ${response?.split("\r\n")[0] ?? "nothing"}`;
  if (expected.status !== undefined) {
    assertEquals(response && statusOf(response), expected.status, what);
  } else if (expected.request) {
    assert(response !== undefined && statusOf(response)! >= 300, what);
  } else {
    assertEquals(response, undefined, what);
  }
  for (const name of ["answeredMalformed", "droppedMalformed"] as const) {
    const grew = after[name] - before[name];
    assertEquals(grew, expected.counter === name ? 1 : 0, `${input.name}: ${name} +${grew}`);
  }
}

async function assertOptions200(client: Client, via: string, port: number): Promise<void> {
  const { response } = await client.exchange(
    encoder.encode(optionsText(`sip:127.0.0.1:${port}`, via)),
    { final: true },
  );
  assertEquals(response && statusOf(response), 200, `OPTIONS: ${response ?? "nothing"}`);
}

async function assertQuiescent(gateway: RunningGateway): Promise<void> {
  // Timers H/J with sip-timers 50;400;500 end every transaction within ~3.2 s
  await waitFor("every transaction to end", () => {
    const { transaction } = countersOf(gateway);
    return transaction.clientTransactions === 0 && transaction.serverTransactions === 0;
  }, { timeoutMs: 10_000, intervalMs: 100 });
}

Deno.test("startGateway() answers the RFC 4475 invalid corpus over UDP statelessly and keeps serving", async (t) => {
  await withTestGateway(async (gateway) => {
    const port = portOf(gateway, "udp");
    const client = udpClient(port);
    const corpus = await invalidCorpus();
    assert(corpus.length >= 20, `corpus has ${corpus.length} invalid files`);
    for (const input of corpus) {
      await t.step(input.name, () => checkExact(gateway, client, input));
    }
    await assertOptions200(client, "SIP/2.0/UDP 127.0.0.1:9", port);
    await assertQuiescent(gateway);
  });
});

Deno.test("startGateway() answers the RFC 4475 invalid corpus over WS statelessly and keeps serving", async (t) => {
  await withTestGateway(async (gateway) => {
    const port = portOf(gateway, "ws");
    const client = wsClient(port);
    for (const input of await invalidCorpus()) {
      await t.step(input.name, () => checkExact(gateway, client, input));
    }
    await assertOptions200(client, "SIP/2.0/WS abc.invalid", port);
    await assertQuiescent(gateway);
    await waitFor("every WebSocket flow to close", () => countersOf(gateway).transport.flows === 0);
  });
});

Deno.test("startGateway() survives the RFC 4475 invalid corpus over TCP", async () => {
  await withTestGateway(async (gateway) => {
    const port = portOf(gateway, "tcp");
    const client = tcpClient(port);
    for (const input of await invalidCorpus()) {
      const expected = expectationOf(input.bytes);
      const what = (reply: Reply) =>
        `${input.name}: got ${reply.response?.split("\r\n")[0] ?? "nothing"}${
          reply.closed ? ", closed" : ""
        }`;
      if (STREAM_NEEDS_MORE.has(input.name)) {
        // a stream waits for the rest of the message: nothing back, connection kept
        const reply = await client.exchange(input.bytes, { final: false });
        assertEquals(reply, { response: undefined, closed: false }, what(reply));
      } else if (STREAM_FATAL.has(input.name)) {
        // unrecoverable framing: the connection is closed (a 400 first is allowed)
        const reply = await client.exchange(input.bytes, { final: true });
        assert(reply.closed, what(reply));
        if (reply.response) assertEquals(statusOf(reply.response), 400, what(reply));
      } else if (expected.status !== undefined) {
        const reply = await client.exchange(input.bytes, { final: true });
        assertEquals(reply.response && statusOf(reply.response), expected.status, what(reply));
        assert(!reply.closed, what(reply));
      } else if (expected.request) {
        const reply = await client.exchange(input.bytes, { final: true });
        assert(reply.response && statusOf(reply.response)! >= 300, what(reply));
      } else {
        const reply = await client.exchange(input.bytes, { final: false });
        assertEquals(reply.response, undefined, what(reply));
      }
    }
    await assertOptions200(client, "SIP/2.0/TCP 127.0.0.1:9", port);
    await assertQuiescent(gateway);
    await waitFor("every TCP flow to close", () => countersOf(gateway).transport.flows === 0);
  });
});

Deno.test("startGateway() survives random garbage over UDP, WS and TCP", async (t) => {
  await withTestGateway(async (gateway) => {
    const inputs = garbage(150, 4475);
    await t.step("udp: exact answers and counters", async () => {
      const client = udpClient(portOf(gateway, "udp"));
      for (const input of inputs) await checkExact(gateway, client, input);
    });
    await t.step("ws: exact answers and counters", async () => {
      const client = wsClient(portOf(gateway, "ws"));
      for (const input of inputs.slice(0, 60)) await checkExact(gateway, client, input);
    });
    await t.step("tcp: all garbage on one connection, then a fresh one works", async () => {
      const port = portOf(gateway, "tcp");
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      for (const input of inputs) {
        const wrote = await conn.write(input.bytes).then(() => true, () => false);
        if (!wrote) break; // the gateway closed the connection on a framing error
      }
      await delay(SILENCE_MS);
      conn.close();
    });
    await t.step("a valid OPTIONS still gets 200 on every transport", async () => {
      await assertOptions200(
        udpClient(portOf(gateway, "udp")),
        "SIP/2.0/UDP 127.0.0.1:9",
        portOf(gateway, "udp"),
      );
      await assertOptions200(
        wsClient(portOf(gateway, "ws")),
        "SIP/2.0/WS abc.invalid",
        portOf(gateway, "ws"),
      );
      await assertOptions200(
        tcpClient(portOf(gateway, "tcp")),
        "SIP/2.0/TCP 127.0.0.1:9",
        portOf(gateway, "tcp"),
      );
    });
    const { transport } = countersOf(gateway);
    assert(
      transport.answeredMalformed + transport.droppedMalformed >= 150,
      `malformed counters: ${JSON.stringify(transport)}`,
    );
    await assertQuiescent(gateway);
  });
});
