// Memory per idle SIP WebSocket connection: a bare Deno.serve + Deno.upgradeWebSocket server
// against the gateway's WS transport, each in its own process, measured side by side.
//
//   deno run -A scripts/bench/ws_memory.ts [--connections=1000] [--rounds=1]
//
// For each server: start it, open and close a few connections (warm-up), force a GC, read its RSS (/proc/<pid>/status VmRSS), open the
// connections (subprotocol sip), wait until the server holds them all, let it settle, GC,
// read the RSS again. Prints KB per connection for both and the ratio gateway / bare.
// Bounded: every wait has a deadline; the servers are killed by PID at the end.

const SERVER = new URL("./_ws_memory_server.ts", import.meta.url).pathname;
const encoder = new TextEncoder();

function option(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`Cannot use --${name}`);
  return value;
}

const CONNECTIONS = option("connections", 1000);
const ROUNDS = option("rounds", 1);
const BATCH = 100;
const WARMUP = 20;
const SETTLE_MS = 2000;
const DEADLINE_MS = 60_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rssKb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`Cannot read VmRSS of process ${pid}`);
  return Number(match[1]);
}

/** A server process and a line-oriented conversation with it. */
class ServerProcess {
  readonly child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;

  constructor(kind: string) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-net", "--v8-flags=--expose-gc", SERVER, kind],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#lines = this.child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(
      lineSplitter(),
    )[Symbol.asyncIterator]();
  }

  async line(): Promise<string> {
    let timer = 0;
    const timeout = new Promise<never>((_, reject) => {
      timer = Number(
        setTimeout(() => reject(new Error("Bench server did not answer")), DEADLINE_MS),
      );
    });
    try {
      const next = await Promise.race([this.#lines.next(), timeout]);
      if (next.done) throw new Error("Bench server exited");
      return next.value;
    } finally {
      clearTimeout(timer);
    }
  }

  async ask(command: string): Promise<string> {
    await this.#writer.write(encoder.encode(command + "\n"));
    return await this.line();
  }

  async stop(): Promise<void> {
    await this.#writer.close().catch(() => {});
    const exited = await Promise.race([this.child.status, sleep(5000).then(() => undefined)]);
    if (!exited) {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await this.child.status;
    }
  }
}

function lineSplitter(): TransformStream<string, string> {
  let pending = "";
  return new TransformStream({
    transform(chunk, controller) {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf("\n")) >= 0) {
        controller.enqueue(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    },
  });
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ["sip"]);
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error("WebSocket failed to open"));
  });
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((socket) =>
    new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(resolve, 5000);
      socket.onclose = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.close();
    })
  ));
}

interface Measure {
  kind: string;
  beforeKb: number;
  afterKb: number;
  perConnectionKb: number;
  /** JS heap used, committed and external memory per connection (after a GC). */
  heapUsedKb: number;
  heapTotalKb: number;
  externalKb: number;
}

async function measure(kind: string): Promise<Measure> {
  const server = new ServerProcess(kind);
  const sockets: WebSocket[] = [];
  try {
    const port = Number((await server.line()).replace("port ", ""));
    const url = `ws://127.0.0.1:${port}`;
    // warm up: the code paths of a connection are compiled before the first measure
    const warm = await Promise.all(Array.from({ length: WARMUP }, () => openSocket(url)));
    await closeAll(warm);
    await sleep(500);
    await server.ask("gc");
    await sleep(200);
    const beforeKb = rssKb(server.child.pid);
    const heapBefore = (await server.ask("heap")).split(" ").slice(1).map(Number);
    for (let i = 0; i < CONNECTIONS; i += BATCH) {
      const count = Math.min(BATCH, CONNECTIONS - i);
      sockets.push(...await Promise.all(Array.from({ length: count }, () => openSocket(url))));
    }
    const deadline = Date.now() + DEADLINE_MS;
    while (Number((await server.ask("flows")).replace("flows ", "")) < CONNECTIONS) {
      if (Date.now() > deadline) throw new Error(`${kind}: connections did not all open`);
      await sleep(100);
    }
    await sleep(SETTLE_MS);
    await server.ask("gc");
    await sleep(200);
    const afterKb = rssKb(server.child.pid);
    const heapAfter = (await server.ask("heap")).split(" ").slice(1).map(Number);
    const heapKb = heapAfter.map((after, i) => (after - heapBefore[i]) / 1024 / CONNECTIONS);
    return {
      kind,
      beforeKb,
      afterKb,
      perConnectionKb: (afterKb - beforeKb) / CONNECTIONS,
      heapUsedKb: heapKb[0],
      heapTotalKb: heapKb[1],
      externalKb: heapKb[2],
    };
  } finally {
    await closeAll(sockets);
    await server.stop();
  }
}

const results: Record<string, number[]> = { bare: [], gateway: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const kind of ["bare", "gateway"]) {
    const m = await measure(kind);
    results[kind].push(m.perConnectionKb);
    await Deno.stdout.write(encoder.encode(
      `round ${round} ${kind.padEnd(7)} RSS ${m.beforeKb} kB -> ${m.afterKb} kB with ` +
        `${CONNECTIONS} idle connections: ${m.perConnectionKb.toFixed(1)} KB per connection ` +
        `(JS heap used ${m.heapUsedKb.toFixed(2)}, heap committed ${m.heapTotalKb.toFixed(2)}, ` +
        `external ${m.externalKb.toFixed(2)} KB)\n`,
    ));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const bare = median(results.bare);
const gateway = median(results.gateway);
await Deno.stdout.write(encoder.encode(
  `bare ${bare.toFixed(1)} KB/connection, gateway ${gateway.toFixed(1)} KB/connection, ` +
    `ratio ${(gateway / bare).toFixed(2)}x (target <= 1.25x)\n`,
));
