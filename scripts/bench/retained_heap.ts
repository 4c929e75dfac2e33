/**
 * JS heap the gateway keeps per request and per registered client, measured in-process: the real
 * gateway (tests/interop/_gateway.ts: mod/gateway.ts on a parsed config), a UDP UAS answering 200
 * to everything and raw WebSocket clients, all in this process, with forced GCs.
 *
 * - `message`: N MESSAGEs, 20 at a time, over one WebSocket; heap delta per request while the
 *   client transactions wait for Timer K (5 s), then after it.
 * - `register`: N WebSocket clients each REGISTER once and stay; heap delta per client after
 *   Timer K, against the same N clients on a bare `Deno.serve` WebSocket server (`bare`).
 *
 * Usage: `deno run -A --v8-flags=--expose-gc scripts/bench/retained_heap.ts [message|register|bare]
 *   [N]`. Figures only. Bounded: every wait has a deadline.
 *
 * @module
 */

import { startTestGateway } from "../../tests/interop/_gateway.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const gc = (globalThis as { gc?: () => void }).gc;

function print(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function heapUsed(): number {
  gc!();
  gc!();
  return Deno.memoryUsage().heapUsed;
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer = 0;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = Number(setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms));
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A UDP UAS on 127.0.0.1 answering 200 to every request (tag added to To). */
function startUas(): { port: number; close(): void } {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  (async () => {
    const buffer = new Uint8Array(65536);
    for (;;) {
      let received: [Uint8Array, Deno.Addr];
      try {
        received = await socket.receive(buffer);
      } catch {
        return;
      }
      const head = decoder.decode(received[0]).split("\r\n\r\n")[0].split("\r\n");
      const copied = head.filter((l) => /^(via|from|to|call-id|cseq|contact|path):/i.test(l))
        .map((l) => /^to:/i.test(l) ? `${l};tag=uas` : l);
      const answer = ["SIP/2.0 200 OK", ...copied, "Content-Length: 0", "", ""].join("\r\n");
      await socket.send(encoder.encode(answer), received[1]).catch(() => {});
    }
  })();
  return { port: (socket.addr as Deno.NetAddr).port, close: () => socket.close() };
}

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, "sip");
  return withDeadline(
    new Promise((resolve, reject) => {
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error("WebSocket failed"));
    }),
    10_000,
    "WebSocket open",
  );
}

async function main(): Promise<void> {
  if (gc === undefined) throw new Error("Run with --v8-flags=--expose-gc");
  const mode = Deno.args[0] ?? "message";
  const n = Number(Deno.args[1] ?? (mode === "message" ? 3000 : 1000));
  const uas = startUas();
  const sockets: WebSocket[] = [];
  let closeServer: () => Promise<void>;
  let url: string;
  if (mode === "bare") {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req, { protocol: "sip" });
      socket.onmessage = () => {};
      return response;
    });
    url = `ws://127.0.0.1:${server.addr.port}`;
    closeServer = () => server.shutdown();
  } else {
    const gateway = await startTestGateway({
      level: "ERROR",
      extraXml: "<max-connections-per-ip>0</max-connections-per-ip>",
    });
    url = gateway.wsUrl!;
    closeServer = () => gateway.close();
  }
  try {
    if (mode === "message") {
      const ws = await open(url);
      sockets.push(ws);
      const waiting = new Map<string, () => void>();
      ws.onmessage = (event) => {
        const branch = /branch=(z9hG4bKh\d+)/.exec(String(event.data))?.[1];
        if (branch) waiting.get(branch)?.();
      };
      let next = 0;
      const one = () => {
        const i = next++;
        const branch = `z9hG4bKh${i}`;
        ws.send([
          `MESSAGE sip:uas@127.0.0.1:${uas.port} SIP/2.0`,
          `Via: SIP/2.0/WS h.invalid;branch=${branch}`,
          "Max-Forwards: 70",
          "From: <sip:a@example.com>;tag=h",
          "To: <sip:uas@127.0.0.1>",
          `Call-ID: heap${i}@h`,
          "CSeq: 1 MESSAGE",
          "Content-Type: text/plain",
          "Content-Length: 5",
          "",
          "hello",
        ].join("\r\n"));
        return withDeadline(
          new Promise<void>((resolve) => waiting.set(branch, resolve)),
          5000,
          "MESSAGE",
        ).finally(() => waiting.delete(branch));
      };
      const batch = async (count: number) => {
        for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: 20 }, one));
      };
      await batch(500);
      await sleep(6000); // warm-up transactions end (Timer K)
      const before = heapUsed();
      const t0 = performance.now();
      await batch(n);
      const wall = performance.now() - t0;
      const during = heapUsed();
      await sleep(6000);
      const after = heapUsed();
      print(
        `message: ${((during - before) / n / 1024).toFixed(2)} KB/request kept during Timer K, ` +
          `${((after - before) / 1024).toFixed(0)} KB left after it (${n} requests, ` +
          `${(wall * 1000 / n).toFixed(0)} us/request wall, one client, 20 in flight)`,
      );
    } else {
      const clients = async (from: number, count: number) => {
        for (let i = from; i < from + count; i += 50) {
          await Promise.all(Array.from({ length: Math.min(50, from + count - i) }, async (_, k) => {
            const ws = await open(url);
            sockets.push(ws);
            if (mode === "bare") return;
            const id = i + k;
            const ok = new Promise<void>((resolve) => {
              ws.onmessage = (e) => String(e.data).startsWith("SIP/2.0 200") && resolve();
            });
            ws.send([
              `REGISTER sip:127.0.0.1:${uas.port} SIP/2.0`,
              `Via: SIP/2.0/WS c${id}.invalid;branch=z9hG4bKreg${id}`,
              "Max-Forwards: 70",
              `From: <sip:reg${id}@127.0.0.1>;tag=t${id}`,
              `To: <sip:reg${id}@127.0.0.1>`,
              `Call-ID: reg${id}@c`,
              "CSeq: 1 REGISTER",
              `Contact: <sip:reg${id}@c${id}.invalid;transport=ws>;expires=600`,
              "Supported: path, outbound",
              "Content-Length: 0",
              "",
              "",
            ].join("\r\n"));
            await withDeadline(ok, 10_000, "REGISTER");
          }));
        }
      };
      await clients(-10, 10);
      await sleep(500);
      const before = heapUsed();
      await clients(0, n);
      await sleep(6000); // Timer K
      const after = heapUsed();
      print(
        `${mode}: ${((after - before) / n / 1024).toFixed(2)} KB of JS heap per ` +
          `${mode === "bare" ? "connected" : "registered"} idle client (clients in this process ` +
          `too: compare with 'bare')`,
      );
    }
  } finally {
    for (const ws of sockets) ws.close();
    await sleep(300);
    uas.close();
    await closeServer();
  }
}

if (import.meta.main) await main();
