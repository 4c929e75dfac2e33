/**
 * JS heap the gateway keeps per request and per registered client, measured in-process: the real
 * gateway (tests/interop/_gateway.ts: mod/gateway.ts on a parsed config), a UDP UAS answering 200
 * to everything and raw WebSocket clients, all in this process, with forced GCs.
 *
 * - `message`: N MESSAGEs, 20 at a time, over one WebSocket; heap delta per request while the
 *   client transactions wait for Timer K (5 s), then after it.
 * - `register`: N WebSocket clients each REGISTER once and stay; heap delta per client after
 *   Timer K, against the same N clients on a bare `Deno.serve` WebSocket server (`bare`).
 * - `incoming`: the other direction. One WebSocket client registers (sipML5 style: its Contact
 *   rewritten with `ws-src-*`), then N MESSAGEs from a UDP client to that Contact, 20 at a time,
 *   each answered 200 by the WebSocket client; heap delta per request while the server
 *   transactions wait for Timer J (32 s), then after it.
 *
 * Usage: `deno run -A --v8-flags=--expose-gc scripts/bench/retained_heap.ts
 *   [message|register|bare|incoming] [N]`. Figures only. Bounded: every wait has a deadline.
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

/** A UDP UAS on 127.0.0.1 answering 200 to every request (tag added to To); keeps the Contact
 * of the last REGISTER. */
function startUas(): { port: number; lastContact: string | undefined; close(): void } {
  let lastContact: string | undefined;
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
      if (head[0].startsWith("REGISTER ")) {
        lastContact = head.find((l) => /^contact:/i.test(l))?.replace(/^contact:\s*/i, "");
      }
      const copied = head.filter((l) => /^(via|from|to|call-id|cseq|contact|path):/i.test(l))
        .map((l) => /^to:/i.test(l) ? `${l};tag=uas` : l);
      const answer = ["SIP/2.0 200 OK", ...copied, "Content-Length: 0", "", ""].join("\r\n");
      await socket.send(encoder.encode(answer), received[1]).catch(() => {});
    }
  })();
  return {
    port: (socket.addr as Deno.NetAddr).port,
    get lastContact() {
      return lastContact;
    },
    close: () => socket.close(),
  };
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
  let gatewayUdpPort = 0;
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
    gatewayUdpPort = gateway.port("udp");
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
      await measureKept("message", "K", 6000, n, one, "one client");
    } else if (mode === "incoming") {
      await incoming(url, uas, gatewayUdpPort, n, sockets);
    } else {
      const clients = async (from: number, count: number) => {
        for (let i = from; i < from + count; i += 50) {
          await Promise.all(Array.from({ length: Math.min(50, from + count - i) }, async (_, k) => {
            const ws = await open(url);
            sockets.push(ws);
            if (mode === "bare") return;
            await register(ws, `reg${i + k}`, uas.port, true);
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

/** REGISTERs `user` over `ws` to the registrar on `port` and waits for the 200; `outbound`:
 * with `Supported: path, outbound` (a flow token in Path), else sipML5 style. */
async function register(ws: WebSocket, user: string, port: number, outbound: boolean) {
  const ok = new Promise<void>((resolve) => {
    ws.onmessage = (e) => String(e.data).startsWith("SIP/2.0 200") && resolve();
  });
  ws.send([
    `REGISTER sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/WS ${user}.invalid;branch=z9hG4bK${user}`,
    "Max-Forwards: 70",
    `From: <sip:${user}@127.0.0.1>;tag=t${user}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${user}@c`,
    "CSeq: 1 REGISTER",
    `Contact: <sip:${user}@${user}.invalid;transport=ws>;expires=600`,
    ...(outbound ? ["Supported: path, outbound"] : []),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"));
  await withDeadline(ok, 10_000, "REGISTER");
}

/**
 * Sends 500 requests with `one`, 20 at a time, waits `waitMs` for their transactions to end
 * (Timer `timer`), then prints the heap kept per request by `n` more while their transactions
 * wait, and what is left once they ended.
 */
async function measureKept(
  mode: string,
  timer: string,
  waitMs: number,
  n: number,
  one: () => Promise<void>,
  what: string,
): Promise<void> {
  const batch = async (count: number) => {
    for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: 20 }, one));
  };
  await batch(500);
  await sleep(waitMs);
  const before = heapUsed();
  const t0 = performance.now();
  await batch(n);
  const wall = performance.now() - t0;
  const during = heapUsed();
  await sleep(waitMs);
  const after = heapUsed();
  print(
    `${mode}: ${((during - before) / n / 1024).toFixed(2)} KB/request kept during Timer ` +
      `${timer}, ${((after - before) / 1024).toFixed(0)} KB left after it (${n} requests, ` +
      `${(wall * 1000 / n).toFixed(0)} us/request wall, ${what}, 20 in flight)`,
  );
}

/** The `incoming` mode (see the module doc). */
async function incoming(
  url: string,
  uas: ReturnType<typeof startUas>,
  gatewayUdpPort: number,
  n: number,
  sockets: WebSocket[],
): Promise<void> {
  const ws = await open(url);
  sockets.push(ws);
  // sipML5 style: no Path, the gateway rewrites the Contact with ws-src-*
  await register(ws, "in", uas.port, false);
  const contact = /<([^>]+)>/.exec(uas.lastContact ?? "")?.[1];
  if (contact === undefined) throw new Error("The REGISTER reached the registrar without Contact");
  // the browser answers every request with 200
  ws.onmessage = (e) => {
    const text = String(e.data);
    if (text.startsWith("SIP/2.0")) return;
    const head = text.split("\r\n\r\n")[0].split("\r\n");
    const copied = head.filter((l) => /^(via|from|to|call-id|cseq):/i.test(l))
      .map((l) => /^to:/i.test(l) ? `${l};tag=ws` : l);
    ws.send(["SIP/2.0 200 OK", ...copied, "Content-Length: 0", "", ""].join("\r\n"));
  };
  const uac = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const uacPort = (uac.addr as Deno.NetAddr).port;
  const waiting = new Map<string, () => void>();
  const reading = (async () => {
    const buffer = new Uint8Array(65536);
    for (;;) {
      let data: Uint8Array;
      try {
        [data] = await uac.receive(buffer);
      } catch {
        return;
      }
      const text = decoder.decode(data);
      if (!text.startsWith("SIP/2.0 200")) continue;
      const branch = /branch=(z9hG4bKu\d+)/.exec(text)?.[1];
      if (branch) waiting.get(branch)?.();
    }
  })();
  let next = 0;
  const one = () => {
    const i = next++;
    const branch = `z9hG4bKu${i}`;
    const answered = withDeadline(
      new Promise<void>((resolve) => waiting.set(branch, resolve)),
      5000,
      "incoming MESSAGE",
    ).finally(() => waiting.delete(branch));
    const message = [
      `MESSAGE ${contact} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${uacPort};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: <sip:uac@127.0.0.1>;tag=u${i}`,
      "To: <sip:in@127.0.0.1>",
      `Call-ID: in${i}@uac`,
      "CSeq: 1 MESSAGE",
      "Content-Type: text/plain",
      "Content-Length: 5",
      "",
      "hello",
    ].join("\r\n");
    uac.send(encoder.encode(message), {
      transport: "udp",
      hostname: "127.0.0.1",
      port: gatewayUdpPort,
    }).catch(() => {});
    return answered;
  };
  try {
    await measureKept("incoming", "J", 33_000, n, one, "UDP -> one WebSocket client");
  } finally {
    uac.close();
    await reading;
  }
}

if (import.meta.main) await main();
