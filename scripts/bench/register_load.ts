/**
 * Benchmark: REGISTERs per second through a target to Kamailio as registrar, and the target's
 * memory per registered WebSocket client.
 *
 * `--clients` WebSocket clients (distinct AoRs `reg<N>@127.0.0.1`, no authentication) each
 * REGISTER once, all at once ("initial"), then refresh in closed loop for `--duration` seconds
 * ("refresh"), then stay registered and idle while the bench reads the target's memory:
 * (VmRSS and Pss of the target's process tree when holding - before the clients connected) /
 * clients. Figures only, no asserts.
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
 *   [--targets kamailio,gateway] [--json out.json]`
 *
 * @module
 */

import { cpuTimeMs, fixed, type TreeMemory, treeMemory } from "./_stats.ts";
import type { WsLoadResult } from "./_ws_load.ts";
import {
  freePort,
  gatewayMissing,
  parseFlags,
  type Peer,
  print,
  runGenerator,
  startGateway,
  startKamailio,
} from "./message_relay.ts";

interface Row {
  target: string;
  path: string;
  result: WsLoadResult;
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
  const before = treeMemory(pid);
  const cpu0 = cpuTimeMs(pid);
  let holding = before;
  let cpu1 = cpu0;
  const result = await runGenerator({
    url,
    ruri,
    mode: "register",
    clients,
    durationS,
    holdS: 60,
    onHolding: async () => {
      cpu1 = cpuTimeMs(pid);
      await sleep(2000); // let the target settle with every client idle
      holding = treeMemory(pid);
    },
  });
  const regs = (result.initial?.ok ?? 0) + (durationS > 0 ? result.main.ok : 0);
  const row = {
    target,
    path,
    result,
    before,
    holding,
    cpuMsPerReg: regs > 0 ? (cpu1 - cpu0) / regs : NaN,
  };
  const initial = result.initial!;
  print(
    `  ${target}: ${result.registered}/${clients} registered; initial ${
      fixed(initial.okPerS, 0)
    } REG/s (p99 ${fixed(initial.latency.p99Ms, 1)} ms), refresh ${
      fixed(result.main.okPerS, 0)
    } REG/s (p50 ${fixed(result.main.latency.p50Ms, 2)} ms, p99 ${
      fixed(result.main.latency.p99Ms, 2)
    } ms); memory +${fixed((holding.rssKb - before.rssKb) / clients, 1)} KB RSS/client`,
  );
  return row;
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
    const r = row.result;
    const init = r.initial!;
    const errors = init.non200 + init.timeouts + r.main.non200 + r.main.timeouts +
      r.connectErrors + init.sendErrors + r.main.sendErrors;
    const cells = [
      row.target,
      `${r.registered}/${clients}`,
      fixed(init.okPerS, 0),
      fixed(init.latency.p99Ms, 1),
      fixed(r.main.okPerS, 0),
      fixed(r.main.latency.p50Ms, 2),
      fixed(r.main.latency.p99Ms, 2),
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

async function main(): Promise<void> {
  const f = parseFlags(Deno.args);
  const clients = Number(f.clients ?? 1000);
  const durationS = Number(f.duration ?? 10);
  const targets = (f.targets ?? "kamailio,gateway").split(",").map((t) => t.trim());
  const workDir = await Deno.makeTempDir({ prefix: "bench_register_load_" });
  const peers: Peer[] = [];
  const rows: Row[] = [];
  print(
    `REGISTER load: ${clients} WS clients (distinct AoRs), refresh loop ${durationS} s, ` +
      `Kamailio registrar; load average ${Deno.loadavg().map((v) => fixed(v, 2)).join(" ")}`,
  );
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
          gateway = await startGateway({ wsPort: gwWs, udpPort: freePort("udp") }, workDir);
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
    for (const peer of peers.reverse()) await peer.stop();
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
  print();
  printTable(rows, clients);
  print(
    "KB/cl: (memory of the target's process tree while every client is registered and idle" +
      " - before they connected) / clients; cpu ms/REG: target CPU / REGISTERs answered 200",
  );
  if (f.json) await Deno.writeTextFile(f.json, JSON.stringify(rows, null, 2));
}

if (import.meta.main) await main();
