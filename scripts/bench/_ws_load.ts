/**
 * SIP-over-WebSocket load generator (RFC 7118 clients without a SIP stack).
 *
 * N raw WebSocket clients (subprotocol `sip`) send pre-built requests whose branch, Call-ID and
 * CSeq change per request; the top Via branch of each final response finds its request.
 *
 * Modes:
 * - `closed`: each client sends its next MESSAGE when the previous one got its final response
 *   (or timed out), for `durationS` seconds.
 * - `open`: MESSAGEs at a fixed `rate` per second, spread round-robin over the clients, for
 *   `durationS` seconds, whatever the answers (sends are paced by a ~1-2 ms timer tick).
 * - `register`: each client REGISTERs once (distinct AoRs, all at once: the "initial" figures),
 *   then refreshes in closed loop for `durationS` seconds, then holds its idle registered
 *   WebSocket until released (stdin closed or a line on stdin, at most `holdS` seconds) so the
 *   caller can measure the target's memory.
 *
 * Latency = final response arrival - send time. Everything is bounded: `maxRequests` requests,
 * `durationS` of sending, `timeoutMs` per request, a drain of at most `timeoutMs` at the end.
 *
 * Run as its own process so it does not share an isolate with the target:
 * `deno run -A scripts/bench/_ws_load.ts --url ws://127.0.0.1:8080 --mode open --rate 5000
 *  --duration 20 --clients 50 --ruri sip:uas@127.0.0.1:5090`. It prints JSON lines on stdout:
 * `{"event":"holding",...}` (register mode) and a last `{"event":"result",...}`. `--trace FILE`
 * writes the send time (ms since the epoch) and latency of each 200 of the main phase to FILE
 * as a JSON array of pairs (`scripts/bench/tail_windows.ts` reads it).
 *
 * @module
 */

import { cpuTimeMs, LatencyHistogram, type LatencySummary } from "./_stats.ts";

/** How the generator offers load. */
export type WsLoadMode = "closed" | "open" | "register";

/** Options of {@link runWsLoad}. */
export interface WsLoadOptions {
  /** WebSocket URL of the target, e.g. `ws://127.0.0.1:10060`. */
  url: string;
  mode: WsLoadMode;
  /** Request-URI: `sip:uas@127.0.0.1:5090` (MESSAGE) or `sip:127.0.0.1:5070` (REGISTER). */
  ruri: string;
  /** @default {50} */
  clients?: number;
  /** Seconds of sending (closed/open) or of refreshing (register). @default {20} */
  durationS?: number;
  /** Requests per second in open mode. @default {5000} */
  rate?: number;
  /** A request without a final response after this is a timeout. @default {2000} */
  timeoutMs?: number;
  /** Hard cap on requests sent. @default {2_000_000} */
  maxRequests?: number;
  /** Domain of the REGISTER AoRs (To/From host). @default {"127.0.0.1"} */
  domain?: string;
  /** Register mode: hold the registered connections at most this long. @default {60} */
  holdS?: number;
  /** Register mode: resolves when the caller has measured (release the connections). */
  release?: () => Promise<void>;
  /** Register mode: called once every client is registered and idle. */
  onHolding?: (info: { registered: number }) => void;
  /** WebSocket connections opened in parallel. @default {100} */
  connectConcurrency?: number;
  /** Keep each 200's send time and latency: {@link WsLoadResult.trace}. */
  trace?: boolean;
}

/** Figures of one phase of load. */
export interface PhaseResult {
  sent: number;
  ok: number;
  non200: number;
  timeouts: number;
  /** Requests that could not be sent (socket closed). */
  sendErrors: number;
  elapsedS: number;
  /** Final 200 responses per second over the phase. */
  okPerS: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
}

/** What {@link runWsLoad} measured. */
export interface WsLoadResult {
  mode: WsLoadMode;
  clients: number;
  connected: number;
  connectErrors: number;
  /** Message of the first failed connection, when any failed. */
  firstConnectError?: string;
  /** register mode: the one REGISTER per client sent at once. */
  initial?: PhaseResult;
  /** register mode: clients whose last REGISTER got a 200. */
  registered?: number;
  main: PhaseResult;
  /** CPU time (user + system) of the generator's own process over the run, in ms. */
  generatorCpuMs: number;
  /** With `trace`: send time (ms since the epoch) and latency (ms) of each 200 of the main
   * phase, in pairs, in the order the 200s arrived. */
  trace?: number[];
}

interface Pending {
  client: number;
  sentAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function buildMessage(ruri: string, run: string, client: number, seq: number): string {
  const tid = `${run}x${client}x${seq}`;
  const body = "hello";
  return `MESSAGE ${ruri} SIP/2.0\r\n` +
    `Via: SIP/2.0/WS bench.invalid;branch=z9hG4bK${tid};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `To: <${ruri}>\r\n` +
    `From: <sip:load${client}@bench.invalid>;tag=f${run}x${client}\r\n` +
    `Call-ID: ${tid}@bench.invalid\r\n` +
    `CSeq: ${seq} MESSAGE\r\n` +
    `Content-Type: text/plain\r\n` +
    `Content-Length: ${body.length}\r\n\r\n${body}`;
}

function buildRegister(
  ruri: string,
  domain: string,
  run: string,
  client: number,
  seq: number,
): string {
  const aor = `sip:reg${client}@${domain}`;
  return `REGISTER ${ruri} SIP/2.0\r\n` +
    `Via: SIP/2.0/WS bench.invalid;branch=z9hG4bK${run}x${client}x${seq};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `To: <${aor}>\r\n` +
    `From: <${aor}>;tag=r${run}x${client}\r\n` +
    `Call-ID: reg${run}x${client}@bench.invalid\r\n` +
    `CSeq: ${seq} REGISTER\r\n` +
    `Contact: <sip:reg${client}@bench.invalid;transport=ws>;expires=600\r\n` +
    `Supported: path\r\n` +
    `Expires: 600\r\n` +
    `Content-Length: 0\r\n\r\n`;
}

/** Transaction key (the part after the magic cookie) of the first branch in `text`. */
function branchOf(text: string): string | undefined {
  const at = text.indexOf("branch=z9hG4bK");
  if (at < 0) return undefined;
  const start = at + 14;
  let end = start;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    // stop at ; , space CR LF tab
    if (c === 59 || c === 44 || c === 32 || c === 13 || c === 10 || c === 9) break;
    end++;
  }
  return text.slice(start, end);
}

class Phase {
  sent = 0;
  ok = 0;
  non200 = 0;
  timeouts = 0;
  sendErrors = 0;
  histogram = new LatencyHistogram();
  statuses: Record<string, number> = {};
  /** Send time (epoch ms), latency (ms) pairs of the 200s, when traced. */
  trace: number[] | undefined;
  #start = performance.now();
  #end = 0;

  finish(): void {
    this.#end = performance.now();
  }

  result(): PhaseResult {
    const elapsedS = ((this.#end || performance.now()) - this.#start) / 1000;
    return {
      sent: this.sent,
      ok: this.ok,
      non200: this.non200,
      timeouts: this.timeouts,
      sendErrors: this.sendErrors,
      elapsedS,
      okPerS: elapsedS > 0 ? this.ok / elapsedS : 0,
      latency: this.histogram.summary(),
      statuses: this.statuses,
    };
  }
}

function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "sip");
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`WebSocket connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      if (ws.protocol !== "sip") {
        ws.close();
        reject(new Error(`WebSocket subprotocol is '${ws.protocol}', expected 'sip'`));
        return;
      }
      resolve(ws);
    };
    ws.onerror = (e) => {
      clearTimeout(timer);
      reject(new Error(`WebSocket connect failed: ${(e as ErrorEvent).message ?? "error"}`));
    };
  });
}

async function connectAll(
  url: string,
  count: number,
  concurrency: number,
): Promise<{ sockets: (WebSocket | undefined)[]; errors: string[] }> {
  const sockets: (WebSocket | undefined)[] = new Array(count).fill(undefined);
  const errors: string[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const i = next++;
      try {
        sockets[i] = await openSocket(url, 5000);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { sockets, errors };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one bounded load and reports its figures. Closes every socket it opened. */
export async function runWsLoad(options: WsLoadOptions): Promise<WsLoadResult> {
  const clients = options.clients ?? 50;
  const durationS = options.durationS ?? 20;
  const rate = options.rate ?? 5000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxRequests = options.maxRequests ?? 2_000_000;
  const domain = options.domain ?? "127.0.0.1";
  const holdS = options.holdS ?? 60;
  const mode = options.mode;
  const run = Math.random().toString(36).slice(2, 8);
  const cpuStart = cpuTimeMs(Deno.pid);

  const { sockets, errors } = await connectAll(
    options.url,
    clients,
    options.connectConcurrency ?? 100,
  );
  const connected = sockets.filter((s) => s !== undefined).length;
  const pending = new Map<string, Pending>();
  const seqs = new Uint32Array(clients);
  const lastOk = new Uint8Array(clients);
  let phase = new Phase();
  let sending = false;
  let total = 0;
  let onFinal: (client: number) => void = () => {};

  function send(client: number): void {
    const ws = sockets[client];
    if (!ws || total >= maxRequests) return;
    const seq = ++seqs[client];
    const text = mode === "register"
      ? buildRegister(options.ruri, domain, run, client, seq)
      : buildMessage(options.ruri, run, client, seq);
    const key = `${run}x${client}x${seq}`;
    total++;
    phase.sent++;
    if (ws.readyState !== WebSocket.OPEN) {
      phase.sendErrors++;
      return;
    }
    pending.set(key, { client, sentAt: performance.now() });
    try {
      ws.send(text);
    } catch {
      pending.delete(key);
      phase.sendErrors++;
    }
  }

  function onData(data: unknown): void {
    const text = typeof data === "string"
      ? data
      : decoder.decode(data instanceof ArrayBuffer ? new Uint8Array(data) : data as Uint8Array);
    if (!text.startsWith("SIP/2.0 ")) return; // requests towards the client are ignored
    const status = Number(text.slice(8, 11));
    if (status < 200) return;
    const key = branchOf(text);
    if (key === undefined) return;
    const entry = pending.get(key);
    if (!entry) return; // late answer of a timed-out request
    pending.delete(key);
    const latency = performance.now() - entry.sentAt;
    if (latency >= timeoutMs) {
      // answered after the timeout, before the sweeper saw it (a starved event loop)
      phase.timeouts++;
      lastOk[entry.client] = 0;
      onFinal(entry.client);
      return;
    }
    phase.statuses[status] = (phase.statuses[status] ?? 0) + 1;
    if (status === 200) {
      phase.ok++;
      phase.histogram.record(latency);
      phase.trace?.push(performance.timeOrigin + entry.sentAt, latency);
      lastOk[entry.client] = 1;
    } else {
      phase.non200++;
      lastOk[entry.client] = 0;
    }
    onFinal(entry.client);
  }

  for (const ws of sockets) {
    if (!ws) continue;
    ws.binaryType = "arraybuffer";
    ws.onmessage = (e) => onData(e.data);
    ws.onerror = () => {};
  }

  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const [key, entry] of pending) {
      if (now - entry.sentAt < timeoutMs) continue;
      pending.delete(key);
      phase.timeouts++;
      lastOk[entry.client] = 0;
      onFinal(entry.client);
    }
  }, 50);

  async function drain(): Promise<void> {
    const until = performance.now() + timeoutMs + 100;
    while (pending.size > 0 && performance.now() < until) await sleep(10);
  }

  async function closedLoop(seconds: number): Promise<PhaseResult> {
    phase = new Phase();
    if (options.trace) phase.trace = [];
    sending = true;
    onFinal = (client) => {
      if (sending) send(client);
    };
    for (let c = 0; c < clients; c++) send(c);
    await sleep(seconds * 1000);
    sending = false;
    phase.finish(); // rate over the sending window; answers in the drain still count below
    await drain();
    return phase.result();
  }

  async function openLoop(seconds: number): Promise<PhaseResult> {
    phase = new Phase();
    if (options.trace) phase.trace = [];
    onFinal = () => {};
    const live = sockets.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
    if (live.length === 0) return phase.result();
    const start = performance.now();
    const end = start + seconds * 1000;
    const target = Math.min(maxRequests, Math.floor(rate * seconds));
    let issued = 0;
    while (issued < target) {
      const now = performance.now();
      const due = Math.min(target, Math.floor(((now - start) * rate) / 1000));
      while (issued < due) send(live[issued++ % live.length]);
      if (now >= end) break;
      await sleep(1);
    }
    phase.finish();
    await drain();
    return phase.result();
  }

  let result: WsLoadResult;
  try {
    if (mode === "register") {
      // initial registrations: one per client, all at once
      phase = new Phase();
      let answered = 0;
      const allAnswered = Promise.withResolvers<void>();
      onFinal = () => {
        if (++answered >= connected) allAnswered.resolve();
      };
      for (let c = 0; c < clients; c++) send(c);
      if (connected === 0) allAnswered.resolve();
      await Promise.race([allAnswered.promise, sleep(timeoutMs + 1000)]);
      phase.finish();
      const initial = phase.result();
      const main = durationS > 0 ? await closedLoop(durationS) : initial;
      const registered = lastOk.reduce((n, v) => n + v, 0);
      options.onHolding?.({ registered });
      await Promise.race([options.release?.() ?? Promise.resolve(), sleep(holdS * 1000)]);
      result = {
        mode,
        clients,
        connected,
        connectErrors: errors.length,
        initial,
        registered,
        main,
        generatorCpuMs: 0,
      };
    } else {
      const main = mode === "closed" ? await closedLoop(durationS) : await openLoop(durationS);
      result = { mode, clients, connected, connectErrors: errors.length, main, generatorCpuMs: 0 };
    }
  } finally {
    clearInterval(sweeper);
    for (const ws of sockets) ws?.close();
  }
  result.generatorCpuMs = cpuTimeMs(Deno.pid) - cpuStart;
  result.trace = phase.trace;
  if (errors.length > 0) {
    result.firstConnectError = errors[0];
  }
  return result;
}

function parseArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) out[arg.slice(2, eq)] = arg.slice(eq + 1);
    else out[arg.slice(2)] = args[++i] ?? "";
  }
  return out;
}

function writeLine(value: unknown): void {
  Deno.stdout.writeSync(encoder.encode(JSON.stringify(value) + "\n"));
}

async function stdinReleased(): Promise<void> {
  const reader = Deno.stdin.readable.getReader();
  try {
    await reader.read(); // a line or EOF: either one releases
  } finally {
    reader.releaseLock();
  }
}

async function main(): Promise<void> {
  const a = parseArgs(Deno.args);
  if (!a.url || !a.ruri) {
    throw new Error("Usage: _ws_load.ts --url ws://HOST:PORT --ruri SIP-URI [--mode ...]");
  }
  const mode = (a.mode ?? "closed") as WsLoadMode;
  if (!["closed", "open", "register"].includes(mode)) throw new Error(`Unknown mode '${mode}'`);
  const durationS = Number(a.duration ?? 20);
  const holdS = Number(a.hold ?? 60);
  const timeoutMs = Number(a.timeout ?? 2000);
  // a hard stop, whatever happens: connects + sending + drain + hold + margin
  const hardStop = setTimeout(() => {
    writeLine({ event: "error", message: "hard time limit reached" });
    Deno.exit(3);
  }, (durationS + holdS + 60) * 1000 + timeoutMs * 3);
  const result = await runWsLoad({
    url: a.url,
    ruri: a.ruri,
    mode,
    clients: Number(a.clients ?? 50),
    durationS,
    rate: Number(a.rate ?? 5000),
    timeoutMs,
    maxRequests: a["max-requests"] ? Number(a["max-requests"]) : undefined,
    domain: a.domain,
    holdS,
    release: stdinReleased,
    onHolding: (info) => writeLine({ event: "holding", ...info }),
    trace: a.trace !== undefined,
  });
  clearTimeout(hardStop);
  const { trace, ...figures } = result;
  if (a.trace !== undefined) await Deno.writeTextFile(a.trace, JSON.stringify(trace ?? []));
  writeLine({ event: "result", ...figures });
}

if (import.meta.main) {
  await main();
  // stdin may still be read by the release reader: leave right away
  Deno.exit(0);
}
