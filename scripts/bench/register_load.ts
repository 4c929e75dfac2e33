/**
 * Benchmark: REGISTERs per second through a target to Kamailio as registrar, and the target's
 * memory per registered WebSocket client.
 *
 * Per target, after a warm-up (50 clients, 1 s): pass 1, `--clients` WebSocket clients
 * (distinct AoRs `reg<N>@127.0.0.1`, no authentication) each REGISTER once, all at once
 * ("initial" REG/s), then stay registered and idle while the bench reads the target's memory:
 * (VmRSS and Pss of the target's process tree when holding - before the clients connected) /
 * clients. Pass 2: the same number of clients register and refresh in closed loop for
 * `--duration` seconds ("refresh" REG/s, target CPU per REGISTER). Figures only, no asserts.
 *
 * Targets, side by side in one run:
 * - `gateway`: WS -> gateway (`main.ts`, generated config.xml) -> UDP -> Kamailio registrar
 *   (use_path: the gateway's Path is kept). Memory is the gateway's.
 * - `kamailio`: the baseline has no WebSocket proxy in between: the clients REGISTER directly
 *   over WS to Kamailio-as-registrar (its own WS listener). Memory is Kamailio's whole process
 *   tree (Pss is the fair figure there: its workers share memory), and it includes the
 *   location records, which the gateway does not hold.
 *
 * Usage: `deno run -A scripts/bench/register_load.ts [--clients 1000] [--duration 10]
 *   [--targets kamailio,gateway] [--json out.json] [--rmem BYTES] [--gateway-v8-flags=FLAGS]`
 *   (the gateway runs with the V8 flags of `deno task start` unless `--gateway-v8-flags` says
 *   otherwise, `none` for none)
 *
 * `--rmem BYTES`: the host's `net.core.rmem_default` for the run (root only, restored at the
 * end; see scripts/bench/_rmem.ts).
 *
 * @module
 */

import { describeRmem, type RmemSetting } from "./_rmem.ts";
import { cpuTimeMs, fixed, type TreeMemory, treeMemory } from "./_stats.ts";
import type { PhaseResult, WsLoadResult } from "./_ws_load.ts";
import {
  benchMain,
  freePort,
  gatewayMissing,
  gatewayV8Flags,
  type Peer,
  print,
  runGenerator,
  startGateway,
  startKamailio,
  stopPeers,
} from "./message_relay.ts";

interface Row {
  target: string;
  path: string;
  /** Pass 1: one REGISTER per client, then holding (memory). */
  registration: WsLoadResult;
  /** Pass 2: refreshes in closed loop (REGISTERs per second, CPU). */
  refresh: WsLoadResult;
  before: TreeMemory;
  holding: TreeMemory;
  cpuMsPerReg: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function measure(
  target: string,
  path: string,
  url: string,
  ruri: string,
  pid: number,
  clients: number,
  durationS: number,
): Promise<Row> {
  // warm-up (JIT, first allocations) with a few clients, so the baseline is not a cold process
  await runGenerator({
    url,
    ruri,
    mode: "register",
    clients: Math.min(50, clients),
    durationS: 1,
    holdS: 0,
  });
  await sleep(1000);
  // pass 1: every client registers once, then all hold: the initial burst and the memory
  const before = treeMemory(pid);
  let holding = before;
  const registration = await runGenerator({
    url,
    ruri,
    mode: "register",
    clients,
    durationS: 0,
    holdS: 60,
    onHolding: async () => {
      await sleep(2000); // let the target settle with every client idle
      holding = treeMemory(pid);
    },
  });
  await sleep(1000);
  // pass 2: the same clients refresh in closed loop for durationS: REGISTERs per second, CPU
  const cpu0 = cpuTimeMs(pid);
  let cpu1 = cpu0;
  const refresh = await runGenerator({
    url,
    ruri,
    mode: "register",
    clients,
    durationS,
    holdS: 0,
    onHolding: () => {
      cpu1 = cpuTimeMs(pid);
      return Promise.resolve();
    },
  });
  const regs = (refresh.initial?.ok ?? 0) + refresh.main.ok;
  const row = {
    target,
    path,
    registration,
    refresh,
    before,
    holding,
    cpuMsPerReg: regs > 0 ? (cpu1 - cpu0) / regs : NaN,
  };
  const initial = registration.initial!;
  print(
    `  ${target}: ${registration.registered}/${clients} registered; initial ${
      fixed(initial.okPerS, 0)
    } REG/s (p99 ${fixed(initial.latency.p99Ms, 1)} ms), refresh ${
      fixed(refresh.main.okPerS, 0)
    } REG/s (p50 ${fixed(refresh.main.latency.p50Ms, 2)} ms, p99 ${
      fixed(refresh.main.latency.p99Ms, 2)
    } ms); memory +${fixed((holding.rssKb - before.rssKb) / clients, 1)} KB RSS/client`,
  );
  return row;
}

function errorsOf(r: WsLoadResult, phases: PhaseResult[]): number {
  return r.connectErrors + phases.reduce((n, p) => n + p.non200 + p.timeouts + p.sendErrors, 0);
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function printTable(rows: Row[], clients: number): void {
  const header = [
    "target",
    "registered",
    "init REG/s",
    "init p99",
    "refr REG/s",
    "refr p50",
    "refr p99",
    "errors",
    "cpu ms/REG",
    "RSS KB/cl",
    "Pss KB/cl",
    "RSS idle MB",
  ];
  const widths = [9, 11, 11, 9, 11, 9, 9, 7, 11, 10, 10, 11];
  print(header.map((h, i) => pad(h, widths[i])).join(" "));
  for (const row of rows) {
    const r = row.registration;
    const init = r.initial!;
    const errors = errorsOf(r, [init]) +
      errorsOf(row.refresh, [row.refresh.initial!, row.refresh.main]);
    const cells = [
      row.target,
      `${r.registered}/${clients}`,
      fixed(init.okPerS, 0),
      fixed(init.latency.p99Ms, 1),
      fixed(row.refresh.main.okPerS, 0),
      fixed(row.refresh.main.latency.p50Ms, 2),
      fixed(row.refresh.main.latency.p99Ms, 2),
      String(errors),
      fixed(row.cpuMsPerReg, 3),
      fixed((row.holding.rssKb - row.before.rssKb) / clients, 1),
      fixed((row.holding.pssKb - row.before.pssKb) / clients, 1),
      fixed(row.before.rssKb / 1024, 1),
    ];
    print(cells.map((c, i) => pad(c, widths[i])).join(" "));
  }
  for (const row of rows) print(`${row.target}: ${row.path}`);
}

async function run(f: Record<string, string>, peers: Peer[], rmem: RmemSetting): Promise<void> {
  const clients = Number(f.clients ?? 1000);
  const durationS = Number(f.duration ?? 10);
  const targets = (f.targets ?? "kamailio,gateway").split(",").map((t) => t.trim());
  const workDir = await Deno.makeTempDir({ prefix: "bench_register_load_" });
  const rows: Row[] = [];
  print(
    `REGISTER load: ${clients} WS clients (distinct AoRs), refresh loop ${durationS} s, ` +
      `Kamailio registrar; load average ${Deno.loadavg().map((v) => fixed(v, 2)).join(" ")}`,
  );
  print(describeRmem(rmem));
  try {
    const udpPort = freePort("udp");
    const wsPort = freePort("tcp");
    let kamailio: Peer;
    try {
      kamailio = await startKamailio({
        udpPort,
        wsPort,
        children: Number(f["kamailio-children"] ?? 2),
        tcpChildren: Number(f["kamailio-tcp-children"] ?? 2),
        memManager: f["kamailio-mem"] ?? "tlsf",
      }, workDir);
    } catch (e) {
      print(`kamailio: not available (${(e as Error).message}): no registrar, nothing to measure`);
      return;
    }
    peers.push(kamailio);
    const ruri = `sip:127.0.0.1:${udpPort}`;
    for (const target of targets) {
      if (target === "kamailio") {
        rows.push(
          await measure(
            "kamailio",
            "WS -> Kamailio registrar directly (no proxy in between)",
            `ws://127.0.0.1:${wsPort}`,
            ruri,
            kamailio.pid,
            clients,
            durationS,
          ),
        );
      } else if (target === "gateway") {
        const missing = gatewayMissing();
        if (missing) {
          print(`gateway: not available (${missing})`);
          continue;
        }
        const gwWs = freePort("tcp");
        let gateway: Peer;
        try {
          gateway = await startGateway({
            wsPort: gwWs,
            udpPort: freePort("udp"),
            v8Flags: gatewayV8Flags(f["gateway-v8-flags"]),
          }, workDir);
        } catch (e) {
          print(`gateway: not available (${(e as Error).message})`);
          continue;
        }
        peers.push(gateway);
        try {
          rows.push(
            await measure(
              "gateway",
              "WS -> gateway -> UDP -> Kamailio registrar",
              `ws://127.0.0.1:${gwWs}`,
              ruri,
              gateway.pid,
              clients,
              durationS,
            ),
          );
        } catch (e) {
          print(`gateway: failed during the run (${(e as Error).message}; ${gateway.tail()})`);
        }
        await gateway.stop();
      } else {
        print(`unknown target '${target}' (kamailio, gateway)`);
      }
    }
  } finally {
    await stopPeers(peers);
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
  print();
  print(describeRmem(rmem));
  printTable(rows, clients);
  print(
    "KB/cl: (memory of the target's process tree while every client is registered and idle" +
      " - before they connected) / clients; cpu ms/REG: target CPU / REGISTERs answered 200",
  );
  if (f.json) await Deno.writeTextFile(f.json, JSON.stringify(rows, null, 2));
}

if (import.meta.main) await benchMain(run);
