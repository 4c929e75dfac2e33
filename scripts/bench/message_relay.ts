/**
 * Benchmark: SIP MESSAGE relayed WebSocket -> proxy -> UDP to a SIPp UAS answering 200.
 *
 * Targets, side by side in one run with the same load: `kamailio` (a WS listener and a
 * stateful `t_relay`, scripts/bench/kamailio_ws_relay.cfg) and `gateway` (`main.ts` started
 * with a generated config.xml). Each target gets a short warm-up, then a closed loop (each of
 * `--clients` WebSocket clients sends its next MESSAGE when the previous 200 arrives) and an
 * open loop at a fixed `--rate`, each for `--duration` seconds. The load generator
 * (scripts/bench/_ws_load.ts) runs in its own process; each phase of each target gets a SIPp
 * UAS of its own, started for it. Figures only, no asserts.
 *
 * Usage: `deno run -A scripts/bench/message_relay.ts [--duration 20] [--rate 5000]
 *   [--clients 50] [--targets kamailio,gateway] [--modes closed,open] [--warmup 2]
 *   [--kamailio-children 2] [--kamailio-tcp-children 2] [--json out.json] [--rmem BYTES]
 *   [--gateway-instances 1,2] [--gateway-v8-flags=FLAGS] [--trace-dir DIR]`
 *
 * `--gateway-instances N[,M...]` writes `<signaling-instances>N</signaling-instances>` into
 * the gateway's config.xml and benchmarks the gateway once per value (target `gateway` for 1,
 * `gateway xN` otherwise); the load starts once every instance listens (the UDP port of the
 * last one, port + 10 x (N - 1), is bound).
 *
 * The gateway runs with the V8 flags of `deno task start` (deno.json); `--gateway-v8-flags=FLAGS`
 * starts it with `--v8-flags=FLAGS` instead (e.g. `--gateway-v8-flags=--max-semi-space-size=64`;
 * write it with `=`, since a value starting with `--` is read as the next flag), `none` without;
 * Workers (the signaling instances) share the process's V8 flags.
 *
 * `--trace-dir DIR` writes each target's and mode's per-request send times and latencies to
 * `DIR/<target>-<mode>.json`; `scripts/bench/tail_windows.ts` shows in which moments the slowest
 * requests were sent (a few stalls, or spread out).
 *
 * `--rmem BYTES` sets the host's `net.core.rmem_default` (root only) for the whole run and
 * restores it at the end (scripts/bench/_rmem.ts): the gateway's UDP socket gets that receive
 * buffer (Deno cannot set SO_RCVBUF), so both targets run under the same host setting.
 *
 * The helpers that start the peers (SIPp, Kamailio, the gateway, the generator) are exported
 * for scripts/bench/register_load.ts.
 *
 * @module
 */

import { describeRmem, type RmemSetting, withRmem } from "./_rmem.ts";
import { cpuTimeMs, fixed, procNetRows, udpDrops } from "./_stats.ts";
import type { WsLoadResult } from "./_ws_load.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Repository root (scripts/bench/../..). */
export const ROOT = new URL("../../", import.meta.url).pathname;
const BENCH_DIR = new URL("./", import.meta.url).pathname;

/** Writes one line to stdout (benchmarks print figures; no logger involved). */
export function print(line = ""): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** Parses `--name value` and `--name=value` arguments. */
export function parseFlags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) out[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) out[arg.slice(2)] = args[++i];
    else out[arg.slice(2)] = "true";
  }
  return out;
}

/** A free loopback port for `transport` (bound then released: a small race is accepted). */
export function freePort(transport: "tcp" | "udp"): number {
  if (transport === "tcp") {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    return port;
  }
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

function portBound(transport: "tcp" | "udp", port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const cols of procNetRows(transport)) {
    if (cols.length < 4 || !cols[1].endsWith(`:${hex}`)) continue;
    if (transport === "udp" || cols[3] === "0A") return true; // 0A = LISTEN
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A child process started by the bench, stopped by PID at the end. */
export class Peer {
  readonly name: string;
  readonly pid: number;
  #child: Deno.ChildProcess;
  #tail = "";
  #exited = false;
  #status: Promise<Deno.CommandStatus>;

  constructor(name: string, command: string, args: string[], cwd?: string) {
    this.name = name;
    this.#child = new Deno.Command(command, {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#child.pid;
    this.#status = this.#child.status.then((s) => {
      this.#exited = true;
      return s;
    });
    this.#keepTail(this.#child.stdout);
    this.#keepTail(this.#child.stderr);
  }

  async #keepTail(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of stream) {
        this.#tail = (this.#tail + decoder.decode(chunk)).slice(-4000);
      }
    } catch {
      // the process ended
    }
  }

  /** Whether the process has ended. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Last output lines (stdout and stderr mixed), for failure reasons. */
  tail(lines = 5): string {
    return this.#tail.trim().split("\n").slice(-lines).join(" | ");
  }

  /** Waits until `port` is bound, the process ended (throws) or `timeoutMs` passed (throws). */
  async waitForPort(transport: "tcp" | "udp", port: number, timeoutMs = 15000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      if (this.#exited) throw new Error(`${this.name} exited at start: ${this.tail()}`);
      if (portBound(transport, port)) return;
      await sleep(50);
    }
    throw new Error(`${this.name} did not bind ${transport} port ${port} in ${timeoutMs} ms`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          this.#child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, graceMs);
      await this.#status;
      clearTimeout(timer);
    }
    await this.#status;
  }
}

/** Starts the SIPp UAS answering MESSAGE with 200 on 127.0.0.1:`port` (UDP). */
export async function startSippUas(port: number, workDir: string): Promise<Peer> {
  const peer = new Peer("sipp", "sipp", [
    "-sf",
    `${BENCH_DIR}sipp/uas_message.xml`,
    "-i",
    "127.0.0.1",
    "-p",
    String(port),
    "-t",
    "u1",
    "-buff_size",
    "4194304",
    "-nostdin",
    "-max_recv_loops",
    "10000",
    "-timeout_error",
    "-timeout",
    "600",
  ], workDir);
  await peer.waitForPort("udp", port);
  return peer;
}

/** Ports and sizing of a Kamailio started by {@link startKamailio}. */
export interface KamailioOptions {
  udpPort: number;
  wsPort: number;
  /** UDP worker processes. @default {2} */
  children?: number;
  /** TCP (WebSocket) worker processes. @default {2} */
  tcpChildren?: number;
  /** Memory manager (`-x`): qm (Kamailio's default, debug-heavy), fm or tlsf. @default {"tlsf"} */
  memManager?: string;
}

/** Starts Kamailio in the foreground (-DD -E) from the template, in `workDir`. */
export async function startKamailio(options: KamailioOptions, workDir: string): Promise<Peer> {
  const template = await Deno.readTextFile(`${BENCH_DIR}kamailio_ws_relay.cfg`);
  const cfg = template
    .replaceAll("{{UDP_PORT}}", String(options.udpPort))
    .replaceAll("{{WS_PORT}}", String(options.wsPort))
    .replaceAll("{{CHILDREN}}", String(options.children ?? 2))
    .replaceAll("{{TCP_CHILDREN}}", String(options.tcpChildren ?? 2));
  const path = `${workDir}/kamailio.cfg`;
  await Deno.writeTextFile(path, cfg);
  const peer = new Peer("kamailio", "kamailio", [
    "-f",
    path,
    "-DD",
    "-E",
    "-m",
    "1024",
    "-M",
    "32",
    "-x",
    options.memManager ?? "tlsf",
    "-Y",
    workDir,
  ], workDir);
  await peer.waitForPort("tcp", options.wsPort);
  await peer.waitForPort("udp", options.udpPort);
  return peer;
}

/** Ports of a gateway started by {@link startGateway}. */
export interface GatewayOptions {
  wsPort: number;
  /** UDP port of instance 0; instance i listens on udpPort + 10 x i. */
  udpPort: number;
  /** `<signaling-instances>`; absent: the element is not written (the default, 1). */
  instances?: number;
  /** V8 flags passed as `--v8-flags=<v8Flags>` (Workers share the process's V8 flags). */
  v8Flags?: string;
}

/** Why the gateway cannot be benchmarked (main.ts or mod/gateway.ts missing), or undefined. */
export function gatewayMissing(): string | undefined {
  for (const file of ["main.ts", "mod/gateway.ts"]) {
    try {
      Deno.statSync(`${ROOT}${file}`);
    } catch {
      return `${file} is missing`;
    }
  }
  return undefined;
}

/**
 * The V8 flags `deno task start` gives the gateway (deno.json), so that the benchmarks measure
 * the gateway as it is shipped; `--gateway-v8-flags` replaces them (`none`: no V8 flag).
 */
export function shippedV8Flags(): string | undefined {
  const tasks = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks as Record<
    string,
    string
  >;
  return /--v8-flags=(\S+)/.exec(tasks.start ?? "")?.[1];
}

/** V8 flags for a gateway run: `--gateway-v8-flags` (`none`: none) or the shipped ones. */
export function gatewayV8Flags(flag: string | undefined): string | undefined {
  if (flag === "none") return undefined;
  return flag ?? shippedV8Flags();
}

/** Starts `deno run -A main.ts --config <generated config.xml>` in the repository root. */
export async function startGateway(options: GatewayOptions, workDir: string): Promise<Peer> {
  const config = `<?xml version="1.0" encoding="utf-8" ?>
<config>
  <debug-level>ERROR</debug-level>
  <transport>ws;127.0.0.1;${options.wsPort}</transport>
  <transport>udp;127.0.0.1;${options.udpPort}</transport>
  <allowed-destinations>127.0.0.1</allowed-destinations>
  <max-connections-per-ip>0</max-connections-per-ip>
${
    options.instances === undefined
      ? ""
      : `  <signaling-instances>${options.instances}</signaling-instances>\n`
  }</config>
`;
  const path = `${workDir}/config.xml`;
  await Deno.writeTextFile(path, config);
  const peer = new Peer("gateway", Deno.execPath(), [
    "run",
    "-A",
    ...(options.v8Flags ? [`--v8-flags=${options.v8Flags}`] : []),
    `${ROOT}main.ts`,
    "--config",
    path,
  ], ROOT);
  try {
    await peer.waitForPort("tcp", options.wsPort, 30000);
    // instances 1..N-1 start after instance 0: load only once the last one listens
    const last = (options.instances ?? 1) - 1;
    if (last > 0) await peer.waitForPort("udp", options.udpPort + 10 * last, 30000);
  } catch (e) {
    await peer.stop();
    throw e;
  }
  return peer;
}

/** Options of one load generator run (see scripts/bench/_ws_load.ts). */
export interface GeneratorRun {
  url: string;
  ruri: string;
  mode: "closed" | "open" | "register";
  clients: number;
  durationS: number;
  rate?: number;
  holdS?: number;
  domain?: string;
  /** Register mode: called when every client is registered and idle; the generator releases
   * its connections when the returned promise resolves. */
  onHolding?: (info: { registered: number }) => Promise<void>;
  /** Write each 200's send time and latency to this file (`_ws_load.ts --trace`). */
  traceFile?: string;
}

/** Load generator processes still running. */
const generators = new Set<Deno.ChildProcess>();

/** Stops the load generators still running (on SIGINT: they would run to their time limit). */
export function killGenerators(): void {
  for (const child of generators) {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
}

/** Runs scripts/bench/_ws_load.ts in its own process and returns its result. */
export async function runGenerator(run: GeneratorRun): Promise<WsLoadResult> {
  const args = [
    "run",
    "-A",
    `${BENCH_DIR}_ws_load.ts`,
    "--url",
    run.url,
    "--ruri",
    run.ruri,
    "--mode",
    run.mode,
    "--clients",
    String(run.clients),
    "--duration",
    String(run.durationS),
  ];
  if (run.rate !== undefined) args.push("--rate", String(run.rate));
  if (run.holdS !== undefined) args.push("--hold", String(run.holdS));
  if (run.domain !== undefined) args.push("--domain", run.domain);
  if (run.traceFile !== undefined) args.push("--trace", run.traceFile);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  generators.add(child);
  child.status.finally(() => generators.delete(child));
  const stdin = child.stdin.getWriter();
  let errText = "";
  const errDone = (async () => {
    for await (const chunk of child.stderr) {
      errText = (errText + decoder.decode(chunk)).slice(-2000);
    }
  })();
  let result: WsLoadResult | undefined;
  let buffered = "";
  for await (const chunk of child.stdout) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      const event = JSON.parse(line);
      if (event.event === "holding") {
        await run.onHolding?.({ registered: event.registered });
        await stdin.write(encoder.encode("release\n")).catch(() => {});
      } else if (event.event === "result") {
        result = event as WsLoadResult;
      }
    }
  }
  await stdin.close().catch(() => {});
  const status = await child.status;
  await errDone;
  if (!result) {
    throw new Error(`load generator failed (exit ${status.code}): ${errText.trim().slice(-500)}`);
  }
  return result;
}

interface Row {
  target: string;
  mode: string;
  clients: number;
  offered: string;
  result: WsLoadResult;
  cpuMsPerReq: number;
  /** Datagrams the kernel dropped on the target's UDP sockets during the run (buffer full). */
  udpDrops: number;
}

function errorsOf(r: WsLoadResult): number {
  return r.main.non200 + r.main.timeouts + r.main.sendErrors + r.connectErrors;
}

async function benchTarget(
  target: string,
  url: string,
  ruri: string,
  pid: number,
  flags: {
    modes: string[];
    clients: number;
    durationS: number;
    rate: number;
    warmupS: number;
    traceDir?: string;
  },
  sipp: () => Promise<Peer>,
): Promise<Row[]> {
  if (flags.warmupS > 0) {
    const uas = await sipp();
    await runGenerator({
      url,
      ruri,
      mode: "closed",
      clients: flags.clients,
      durationS: flags.warmupS,
    });
    await uas.stop();
  }
  const rows: Row[] = [];
  for (const mode of flags.modes) {
    const uas = await sipp();
    const cpu0 = cpuTimeMs(pid);
    const drops0 = udpDrops(pid);
    const result = await runGenerator({
      url,
      ruri,
      mode: mode as "closed" | "open",
      clients: flags.clients,
      durationS: flags.durationS,
      rate: flags.rate,
      traceFile: flags.traceDir === undefined
        ? undefined
        : `${flags.traceDir}/${target.replaceAll(" ", "-")}-${mode}.json`,
    });
    const cpu1 = cpuTimeMs(pid);
    await uas.stop();
    rows.push({
      target,
      mode,
      clients: flags.clients,
      offered: mode === "open" ? `${flags.rate}/s` : "max",
      result,
      cpuMsPerReq: result.main.ok > 0 ? (cpu1 - cpu0) / result.main.ok : NaN,
      udpDrops: udpDrops(pid) - drops0,
    });
    print(
      `  ${target} ${mode}: ${fixed(result.main.okPerS, 0)} req/s, p50 ${
        fixed(result.main.latency.p50Ms, 2)
      } ms, p99 ${fixed(result.main.latency.p99Ms, 2)} ms, errors ${errorsOf(result)}`,
    );
  }
  return rows;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function printTable(rows: Row[]): void {
  const header = ["target", "mode", "offered", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"]
    .concat(["errors", "udp drops", "cpu ms/req", "gen cpu ms/req"]);
  const widths = [10, 7, 9, 9, 8, 8, 8, 9, 8, 10, 11, 14];
  print(header.map((h, i) => pad(h, widths[i])).join(" "));
  for (const row of rows) {
    const m = row.result.main;
    const cells = [
      row.target,
      row.mode,
      row.offered,
      fixed(m.okPerS, 0),
      fixed(m.latency.p50Ms, 2),
      fixed(m.latency.p90Ms, 2),
      fixed(m.latency.p99Ms, 2),
      fixed(m.latency.maxMs, 1),
      String(errorsOf(row.result)),
      String(row.udpDrops),
      fixed(row.cpuMsPerReq, 3),
      fixed(m.sent > 0 ? row.result.generatorCpuMs / m.sent : NaN, 3),
    ];
    print(cells.map((c, i) => pad(c, widths[i])).join(" "));
  }
}

function printRatios(rows: Row[]): void {
  const modes = [...new Set(rows.map((r) => r.mode))];
  for (const mode of modes) {
    const k = rows.find((r) => r.target === "kamailio" && r.mode === mode);
    if (!k) continue;
    for (const g of rows.filter((r) => r.target.startsWith("gateway") && r.mode === mode)) {
      printRatio(g, k, mode);
    }
  }
}

function printRatio(g: Row, k: Row, mode: string): void {
  const gm = g.result.main;
  const km = k.result.main;
  print(
    `${g.target}/kamailio ${mode}: req/s x${fixed(gm.okPerS / km.okPerS, 2)}, p50 x${
      fixed(gm.latency.p50Ms / km.latency.p50Ms, 2)
    }, p99 x${fixed(gm.latency.p99Ms / km.latency.p99Ms, 2)}, cpu/req x${
      fixed(g.cpuMsPerReq / k.cpuMsPerReq, 2)
    }`,
  );
  if (mode === "open") {
    const met = gm.okPerS >= km.okPerS * 0.99 && gm.latency.p99Ms <= km.latency.p99Ms;
    print(
      `${g.target}: issue target at ${g.offered} (req/s >= Kamailio's, p99 no worse): ${
        met ? "met" : "not met"
      } in this run`,
    );
  }
}

/** What a bench script runs with its flags, the peers it started (stopped on a signal) and the
 * host's UDP buffer setting. */
export type BenchRun = (
  flags: Record<string, string>,
  peers: Peer[],
  rmem: RmemSetting,
) => Promise<void>;

/** Runs a bench script: flags from the command line, `--rmem` applied (and restored), every
 * peer and generator stopped on SIGINT/SIGTERM. */
export async function benchMain(run: BenchRun): Promise<void> {
  const f = parseFlags(Deno.args);
  const peers: Peer[] = [];
  await withRmem(
    f.rmem === undefined ? undefined : Number(f.rmem),
    (rmem) => run(f, peers, rmem),
    { onSignal: () => stopPeers(peers) },
  );
}

/** Stops the load generators and every peer, last started first. */
export async function stopPeers(peers: Peer[]): Promise<void> {
  killGenerators();
  for (const peer of [...peers].reverse()) await peer.stop();
}

async function run(f: Record<string, string>, peers: Peer[], rmem: RmemSetting): Promise<void> {
  const durationS = Number(f.duration ?? 20);
  const rate = Number(f.rate ?? 5000);
  const clients = Number(f.clients ?? 50);
  const warmupS = Number(f.warmup ?? 2);
  const targets = (f.targets ?? "kamailio,gateway").split(",").map((t) => t.trim());
  const modes = (f.modes ?? "closed,open").split(",").map((m) => m.trim());
  const traceDir = f["trace-dir"];
  if (traceDir !== undefined) await Deno.mkdir(traceDir, { recursive: true });
  const flags = { modes, clients, durationS, rate, warmupS, traceDir };
  // undefined: no <signaling-instances> element (the default, 1)
  const gatewayInstances = f["gateway-instances"] === undefined
    ? [undefined]
    : f["gateway-instances"].split(",").map((n) => Number(n.trim()));
  const workDir = await Deno.makeTempDir({ prefix: "bench_message_relay_" });
  const rows: Row[] = [];
  const sippPort = freePort("udp");
  const ruri = `sip:uas@127.0.0.1:${sippPort}`;
  print(
    `MESSAGE relay WS -> target -> UDP SIPp UAS (${ruri}); ${clients} clients, ${durationS} s ` +
      `per mode, open-loop rate ${rate}/s, ${navigator.hardwareConcurrency} cores shared by all, ` +
      `load average ${Deno.loadavg().map((v) => fixed(v, 2)).join(" ")}`,
  );
  print(describeRmem(rmem));
  // Each phase of each target (warm-up, closed loop, open loop) gets a SIPp of its own: a SIPp
  // UAS keeps every finished call for a while (-deadcall_wait) and then purges it, so a shared
  // SIPp would answer the later targets with more state than the first, and the open loop of a
  // target with the purge of its own closed loop (the faster the target, the longer the purge).
  const freshSipp = async (): Promise<Peer> => {
    const sipp = await startSippUas(sippPort, workDir);
    peers.push(sipp);
    return sipp;
  };
  try {
    for (const target of targets) {
      if (target === "kamailio") {
        const wsPort = freePort("tcp");
        let kamailio: Peer;
        try {
          kamailio = await startKamailio({
            udpPort: freePort("udp"),
            wsPort,
            children: Number(f["kamailio-children"] ?? 2),
            tcpChildren: Number(f["kamailio-tcp-children"] ?? 2),
            memManager: f["kamailio-mem"] ?? "tlsf",
          }, workDir);
        } catch (e) {
          print(`kamailio: not available (${(e as Error).message})`);
          continue;
        }
        peers.push(kamailio);
        rows.push(
          ...await benchTarget(
            "kamailio",
            `ws://127.0.0.1:${wsPort}`,
            ruri,
            kamailio.pid,
            flags,
            freshSipp,
          ),
        );
        await kamailio.stop();
      } else if (target === "gateway") {
        const missing = gatewayMissing();
        if (missing) {
          print(`gateway: not available (${missing})`);
          continue;
        }
        for (const instances of gatewayInstances) {
          const name = instances === undefined || instances === 1
            ? "gateway"
            : `gateway x${instances}`;
          const wsPort = freePort("tcp");
          let gateway: Peer;
          try {
            gateway = await startGateway(
              {
                wsPort,
                udpPort: freePort("udp"),
                instances,
                v8Flags: gatewayV8Flags(f["gateway-v8-flags"]),
              },
              workDir,
            );
          } catch (e) {
            print(`${name}: not available (${(e as Error).message})`);
            continue;
          }
          peers.push(gateway);
          try {
            rows.push(
              ...await benchTarget(
                name,
                `ws://127.0.0.1:${wsPort}`,
                ruri,
                gateway.pid,
                flags,
                freshSipp,
              ),
            );
          } catch (e) {
            print(`${name}: failed during the run (${(e as Error).message}; ${gateway.tail()})`);
          }
          await gateway.stop();
        }
      } else {
        print(`unknown target '${target}' (kamailio, gateway)`);
      }
    }
  } finally {
    await stopPeers(peers);
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
  print();
  print(`load average at the end: ${Deno.loadavg().map((v) => fixed(v, 2)).join(" ")}`);
  print(describeRmem(rmem));
  printTable(rows);
  printRatios(rows);
  print(
    "cpu ms/req: user+system CPU of the target's process tree / 200 OKs (from /proc); " +
      "gen cpu ms/req: the load generator's own CPU / requests sent; udp drops: datagrams the " +
      "kernel dropped on the target's UDP sockets (receive buffer full; /proc/net/udp)",
  );
  if (f.json) {
    await Deno.writeTextFile(
      f.json,
      JSON.stringify(rows.map((r) => ({ ...r, result: r.result })), null, 2),
    );
  }
}

if (import.meta.main) await benchMain(run);
