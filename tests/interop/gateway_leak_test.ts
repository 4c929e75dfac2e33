// Issue: "when a WebSocket closes, pending client transactions toward it fail with 408/430
// upstream, and nothing leaks (fds, timers, transactions) - verified by a test that opens and
// drops 1,000 connections".
//
// The gateway runs in a child process (this same file, run with GATEWAY_LEAK_CHILD=1) so that
// its open file descriptors can be counted in /proc/<pid>/fd. The child answers "stats" on
// stdin with one JSON line of gateway.stats(), and "close" by closing the gateway and exiting.
// The test plays both sides: 1,000 raw SIP WebSocket clients and a SIP UDP peer (registrar and
// UAS) that answers them and sends MESSAGEs back to them.

import { parseConfig } from "../../mod/config/mod.ts";
import { startGateway } from "../../mod/gateway.ts";
import { createLogger } from "../../mod/log.ts";
import { assert, assertEquals } from "../_assert.ts";
import { type ChildProcess, startProcess, tail, waitFor, withTimeout } from "./_process.ts";
import { answerText } from "../_sip_text.ts";
import { openSipWebSocket } from "./_websocket.ts";

const CONNECTIONS = 1000;
const BATCH = 50;
/** Extra fds tolerated after the run (runtime internals: epoll, timers, worker pipes). */
const FD_TOLERANCE = 8;
const WAIT_MS = 10_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// --- the child: the gateway -------------------------------------------------------------

async function childMain(): Promise<void> {
  const { config } = parseConfig(
    `<config>
      <transport>ws;127.0.0.1;*</transport>
      <transport>udp;127.0.0.1;*</transport>
      <allowed-destinations>127.0.0.1</allowed-destinations>
      <nameserver>127.0.0.1:9</nameserver>
      <max-connections-per-ip>0</max-connections-per-ip>
      <sip-timers>50;400;500</sip-timers>
    </config>`,
  );
  const gateway = await startGateway(
    config,
    createLogger("gateway", {
      level: "FATAL",
      sink: (line) => Deno.stderr.writeSync(encoder.encode(line + "\n")),
    }),
  );
  const write = (value: unknown) =>
    Deno.stdout.writeSync(encoder.encode(JSON.stringify(value) + "\n"));
  const ports = Object.fromEntries(gateway.transports.map((t) => [t.protocol, t.local.port]));
  write({ ready: ports });
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk);
    let end: number;
    while ((end = pending.indexOf("\n")) >= 0) {
      const command = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      if (command === "stats") write({ stats: gateway.stats() });
      if (command === "close") {
        await gateway.close();
        write({ closed: true });
        return;
      }
    }
  }
  await gateway.close();
}

if (Deno.env.get("GATEWAY_LEAK_CHILD") === "1") {
  await childMain();
  Deno.exit(0);
}

// --- the test side ------------------------------------------------------------------------

interface GatewayStats {
  transport: { flows: number; sendErrors: number; refusedConnections: number };
  transaction: {
    clientTransactions: number;
    serverTransactions: number;
    timers: number;
    transportErrors: number;
    timeouts: number;
  };
  proxy: Record<string, number>;
}

/** The gateway child: commands on stdin, JSON lines on stdout. */
class GatewayChild {
  #process: ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: string[] = [];
  #waiters: (() => void)[] = [];
  #reading: Promise<void>;

  constructor(process: ChildProcess) {
    this.#process = process;
    this.#writer = process.stdin!.getWriter();
    this.#reading = (async () => {
      let pending = "";
      for await (const chunk of process.stdout!) {
        pending += decoder.decode(chunk);
        let end: number;
        while ((end = pending.indexOf("\n")) >= 0) {
          this.#lines.push(pending.slice(0, end));
          pending = pending.slice(end + 1);
          for (const wake of this.#waiters.splice(0)) wake();
        }
      }
    })().catch(() => {});
  }

  /** The child's stderr (its log) so far. */
  log(): Promise<string> {
    return this.#process.log();
  }

  get pid(): number {
    return this.#process.pid;
  }

  /** The next JSON line having `key`. */
  async next<T>(key: string): Promise<T> {
    const found = () => {
      const index = this.#lines.findIndex((line) => line.startsWith(`{"${key}"`));
      return index >= 0 ? JSON.parse(this.#lines.splice(index, 1)[0])[key] as T : undefined;
    };
    let stopped = false;
    const poll = async () => {
      while (!stopped) {
        const value = found();
        if (value !== undefined) return value;
        if (this.#process.done) {
          throw new Error(`gateway child exited:\n${tail(await this.#process.log())}`);
        }
        // woken by the next line, or after 200 ms to look at `done` again
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          this.#waiters.push(resolve);
          timer = setTimeout(resolve, 200);
        });
        clearTimeout(timer);
      }
      throw new Error("stopped");
    };
    try {
      return await withTimeout(`the gateway child's ${key}`, poll(), WAIT_MS);
    } finally {
      stopped = true;
    }
  }

  async stats(): Promise<GatewayStats> {
    await this.#writer.write(encoder.encode("stats\n"));
    return await this.next<GatewayStats>("stats");
  }

  /** Open file descriptors of the child, from /proc. */
  fds(): number {
    let count = 0;
    for (const _ of Deno.readDirSync(`/proc/${this.pid}/fd`)) count++;
    return count;
  }

  async close(): Promise<Deno.CommandStatus> {
    await this.#writer.write(encoder.encode("close\n")).catch(() => {});
    await this.next("closed").catch(() => {});
    await this.#writer.close().catch(() => {});
    const status = await withTimeout("gateway child exit", this.#process.exited, WAIT_MS)
      .catch(() => this.#process.stop());
    await this.#reading;
    return status;
  }

  async stop(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#process.stop();
  }
}

function startChild(): GatewayChild {
  const self = new URL(import.meta.url).pathname;
  return new GatewayChild(
    startProcess(Deno.execPath(), ["run", "-A", self], {
      name: "gateway-child",
      cwd: new URL("../..", import.meta.url).pathname,
      env: {
        GATEWAY_LEAK_CHILD: "1",
        NO_COLOR: "1",
      },
      interactive: true,
    }),
  );
}

function header(text: string, name: string, compact: string): string | undefined {
  const re = new RegExp(`^(?:${name}|${compact})[ \\t]*:[ \\t]*(.*)$`, "im");
  return text.match(re)?.[1].trim();
}

/**
 * The SIP-side peer: answers REGISTER 200 (remembering Contact and Path), answers MESSAGE 200
 * unless its Call-ID is held back, and sends MESSAGEs towards registered browsers.
 */
class SipPeer {
  readonly #socket: Deno.DatagramConn;
  readonly port: number;
  #gateway: Deno.NetAddr | undefined;
  readonly #waiters = new Map<string, (text: string) => void>();
  readonly #held = new Map<string, string>();
  readonly #reading: Promise<void>;

  constructor() {
    this.#socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    this.port = (this.#socket.addr as Deno.NetAddr).port;
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const [data, from] = await this.#socket.receive();
        this.#handle(decoder.decode(data), from as Deno.NetAddr);
      }
    } catch {
      // closed
    }
  }

  #handle(text: string, from: Deno.NetAddr): void {
    this.#gateway = from;
    const callId = header(text, "Call-ID", "i") ?? "";
    if (text.startsWith("SIP/2.0 ")) {
      if (/^SIP\/2\.0 [2-6]/.test(text)) this.#waiters.get(callId)?.(text);
      return;
    }
    if (text.startsWith("ACK ")) return;
    if (callId.startsWith("hold-")) {
      if (!this.#held.has(callId)) this.#held.set(callId, text);
      this.#waiters.get(callId)?.(text);
      return;
    }
    this.#waiters.get(callId)?.(text);
    this.#send(answerText(text, 200, "OK"), from);
  }

  #send(text: string, to: Deno.NetAddr): void {
    this.#socket.send(encoder.encode(text), to).catch(() => {});
  }

  /** Resolves with the next message (request or final response) of `callId`. */
  expect(callId: string, what: string): Promise<string> {
    return withTimeout(
      `${what} (${callId})`,
      new Promise<string>((resolve) => {
        this.#waiters.set(callId, (text) => {
          this.#waiters.delete(callId);
          resolve(text);
        });
      }),
      WAIT_MS,
    );
  }

  /** Answers a held-back request now. */
  release(callId: string): void {
    const request = this.#held.get(callId);
    if (request && this.#gateway) this.#send(answerText(request, 200, "OK"), this.#gateway);
    this.#held.delete(callId);
  }

  /** Sends a MESSAGE to a registered browser (Request-URI its Contact, Route its Path). */
  sendMessage(gatewayPort: number, contact: string, path: string | undefined, callId: string) {
    const text = [
      `MESSAGE ${contact} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${callId}`,
      "Max-Forwards: 70",
      ...(path ? [`Route: ${path}`] : []),
      "From: <sip:peer@127.0.0.1>;tag=p1",
      `To: <${contact}>`,
      `Call-ID: ${callId}`,
      "CSeq: 1 MESSAGE",
      "Content-Type: text/plain",
      "Content-Length: 2",
      "",
      "hi",
    ].join("\r\n");
    this.#send(text, { transport: "udp", hostname: "127.0.0.1", port: gatewayPort });
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#reading;
  }
}

/** A raw SIP WebSocket client (one connection). */
class WsClient {
  readonly #ws: WebSocket;
  readonly #inbox: string[] = [];
  #waiter: (() => void) | undefined;
  readonly closed: Promise<unknown>;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      this.#inbox.push(String(event.data));
      this.#waiter?.();
    };
    this.closed = new Promise((resolve) => ws.onclose = resolve);
  }

  static async open(url: string): Promise<WsClient> {
    return new WsClient(await openSipWebSocket(url, WAIT_MS));
  }

  send(text: string): void {
    this.#ws.send(text);
  }

  /** The next received message matching `accept`. */
  receive(accept: (text: string) => boolean, what: string): Promise<string> {
    return withTimeout(
      what,
      new Promise<string>((resolve) => {
        const check = () => {
          const index = this.#inbox.findIndex(accept);
          if (index >= 0) {
            this.#waiter = undefined;
            resolve(this.#inbox.splice(index, 1)[0]);
          } else this.#waiter = check;
        };
        check();
      }),
      WAIT_MS,
    );
  }

  async close(): Promise<void> {
    this.#ws.close();
    await withTimeout("WebSocket close", this.closed, WAIT_MS).catch(() => {});
  }
}

function browserRequest(
  method: "REGISTER" | "MESSAGE",
  peerPort: number,
  index: number,
  callId: string,
): string {
  const user = `u${index}`;
  const uri = method === "REGISTER" ? `sip:127.0.0.1:${peerPort}` : `sip:bob@127.0.0.1:${peerPort}`;
  const body = method === "MESSAGE" ? "hello" : "";
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/WS c${index}.invalid;branch=z9hG4bK${crypto.randomUUID().slice(0, 12)}`,
    "Max-Forwards: 70",
    `From: <sip:${user}@127.0.0.1>;tag=f${index}`,
    `To: <${method === "REGISTER" ? `sip:${user}@127.0.0.1` : `sip:bob@127.0.0.1`}>`,
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    ...(method === "REGISTER"
      ? [
        `Contact: <sip:${user}@c${index}.invalid;transport=ws>;expires=600`,
        "Supported: path, outbound",
      ]
      : ["Content-Type: text/plain"]),
    `Content-Length: ${body.length}`,
    "",
    body,
  ].join("\r\n");
}

/** What happened to the requests sent towards browsers whose WebSocket closed. */
interface Outcome {
  /** Final statuses the peer got for MESSAGEs to a browser that closed without answering. */
  closedWhilePending: number[];
  /** Final statuses the peer got for MESSAGEs to a browser gone before they were sent. */
  sentAfterClose: number[];
}

/**
 * One connection's life, by `index % 4`:
 * 0: MESSAGE out, 200 back, close.
 * 1: REGISTER, then the peer's MESSAGE reaches the browser, which closes without answering:
 *    the peer gets a final error (430 / 480 / 408).
 * 2: MESSAGE out, the browser closes before the peer answers; the late 200 goes nowhere.
 * 3: REGISTER, close, then the peer's MESSAGE to the closed browser gets an error.
 */
async function oneConnection(
  url: string,
  peer: SipPeer,
  gatewayUdpPort: number,
  index: number,
  outcome: Outcome,
): Promise<void> {
  const client = await WsClient.open(url);
  try {
    const kind = index % 4;
    const callId = `${kind === 2 ? "hold" : "c"}-${index}-${crypto.randomUUID().slice(0, 8)}`;
    const method = kind === 1 || kind === 3 ? "REGISTER" : "MESSAGE";
    const sent = performance.now();
    const atPeer = peer.expect(callId, `${method} at the peer`);
    client.send(browserRequest(method, peer.port, index, callId));
    const forwarded = await atPeer;
    if (kind === 2) {
      await client.close();
      peer.release(callId);
      return;
    }
    const final = await client.receive((m) => /^SIP\/2\.0 [2-6]/.test(m), "final response");
    assert(
      final.startsWith("SIP/2.0 200 "),
      `${final.split("\r\n")[0]} to ${method} ${callId} after ${
        (performance.now() - sent).toFixed(0)
      } ms`,
    );
    if (kind === 0) return;
    const contact = header(forwarded, "Contact", "m")!.match(/<([^>]+)>/)![1];
    const path = header(forwarded, "Path", "Path");
    const toBrowser = `in-${index}-${crypto.randomUUID().slice(0, 8)}`;
    if (kind === 3) await client.close();
    const peerFinal = peer.expect(toBrowser, "final response to the peer's MESSAGE");
    peer.sendMessage(gatewayUdpPort, contact, path, toBrowser);
    if (kind === 1) {
      await client.receive((m) => m.startsWith("MESSAGE "), "the peer's MESSAGE at the browser");
      await client.close();
    }
    const status = Number((await peerFinal).slice(8, 11));
    (kind === 1 ? outcome.closedWhilePending : outcome.sentAfterClose).push(status);
  } finally {
    await client.close();
  }
}

Deno.test({
  name:
    `startGateway() leaks no flows, transactions, timers or fds over ${CONNECTIONS} WebSocket connections`,
  // the child process and its pipes are ours and stopped in finally
  sanitizeResources: false,
  async fn() {
    const peer = new SipPeer();
    const child = startChild();
    try {
      const ports = await child.next<Record<string, number>>("ready");
      const url = `ws://127.0.0.1:${ports.ws}`;
      const outcome: Outcome = { closedWhilePending: [], sentAfterClose: [] };

      // warm-up: the first connections load code and allocate runtime resources once
      for (let i = 0; i < 8; i++) await oneConnection(url, peer, ports.udp, i, outcome);
      await quiescent(child);
      const baseline = child.fds();

      // the count is live: BATCH open connections show in it
      const open = await Promise.all(
        Array.from({ length: BATCH }, () => WsClient.open(url)),
      );
      await waitFor(
        "the open connections to show as flows",
        async () => (await child.stats()).transport.flows === BATCH,
      );
      const peakFds = child.fds();
      await Promise.all(open.map((client) => client.close()));
      // one fd per connection; the runtime may close one of its own meanwhile
      assert(
        peakFds >= baseline + BATCH - 3,
        `fds with ${BATCH} connections open: ${peakFds} (baseline ${baseline})`,
      );

      const started = performance.now();
      for (let first = 0; first < CONNECTIONS; first += BATCH) {
        const batch = [];
        for (let i = first; i < Math.min(first + BATCH, CONNECTIONS); i++) {
          batch.push(oneConnection(url, peer, ports.udp, i, outcome));
        }
        const results = await Promise.allSettled(batch);
        const failed = results.filter((r) => r.status === "rejected");
        assertEquals(
          failed.length,
          0,
          `batch at ${first}: ${(failed[0] as PromiseRejectedResult | undefined)?.reason}`,
        );
      }
      const elapsed = performance.now() - started;

      const stats = await quiescent(child);
      const after = child.fds();
      const statuses = [...outcome.closedWhilePending, ...outcome.sentAfterClose];
      // the measured figures, for the record (the assertions follow)
      createLogger("leak-test").info(
        `${CONNECTIONS} connections in ${elapsed.toFixed(0)} ms; fds baseline ${baseline}, ` +
          `with ${BATCH} open ${peakFds}, after ${after}; statuses closed-while-pending ` +
          `${summary(outcome.closedWhilePending)}, sent-after-close ` +
          `${summary(outcome.sentAfterClose)}; transaction ${JSON.stringify(stats.transaction)}`,
      );
      assert(outcome.closedWhilePending.length >= CONNECTIONS / 4, "pending cases ran");
      for (const status of statuses) {
        assert([408, 430, 480].includes(status), `final status upstream: ${status}`);
      }
      assert(
        after <= baseline + FD_TOLERANCE,
        `fds after the run: ${after} (baseline ${baseline}, peak ${peakFds})`,
      );
      const status = await child.close();
      assertEquals(status.code, 0);
    } finally {
      await child.stop();
      await peer.close();
    }
  },
});

/** Waits until the gateway holds no flow, transaction or timer; returns its stats. */
async function quiescent(child: GatewayChild): Promise<GatewayStats> {
  let last: GatewayStats | undefined;
  try {
    return await waitFor("the gateway to hold no flow, transaction or timer", async () => {
      last = await child.stats();
      const { transport, transaction } = last;
      return transport.flows === 0 && transaction.clientTransactions === 0 &&
        transaction.serverTransactions === 0 && transaction.timers === 0 && last;
    }, { timeoutMs: 15_000, intervalMs: 200 });
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${JSON.stringify(last)}`);
  }
}

function summary(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status}x${n}`).join(" ") || "none";
}
