/**
 * Profiles the gateway under MESSAGE load: SIPp UAS, the gateway started with `--cpu-prof`
 * (V8 CPU profile written when it stops), the closed-loop generator for `--duration` s, then a
 * summary of the profile by self time per function and per file.
 *
 * Usage: `deno run -A scripts/bench/profile_gateway.ts [--duration 10] [--clients 50]
 *   [--mode closed|open] [--rate 5000] [--dir /tmp/prof] [--top 40] [--trace-gc]
 *   [--v8 V8FLAGS] [--no-cpu-prof] [--config-extra XML]
 *   [--heap-sample survivors|live|all] [--heap-count]`
 *
 * - The gateway runs with the V8 flags of `deno task start` (deno.json). `--trace-gc`: GC trace in
 *   DIR/gc.log; `--v8`: more V8 flags, comma-separated (e.g. `--max-semi-space-size=64`,
 *   `--trace-gc-nvp`; later ones win), `--v8 none`: no V8 flag at all; `--no-cpu-prof`: no CPU
 *   profile (its cost changes the figures at high rates).
 * - `--config-extra`: elements added to the gateway's config.xml (e.g.
 *   `'<sip-timers>500;4000;1</sip-timers>'`).
 * - `--heap-sample KIND` (inspector, from a third of the run for a third of it): V8's sampling
 *   heap profiler by allocating function: `survivors` = objects that outlived a scavenge,
 *   `live` = still alive at the end, `all` = every allocation. `--heap-count`: a heap
 *   snapshot at a third of the run, objects counted by constructor. The inspector slows the
 *   gateway: use moderate rates.
 *
 * @module
 */

import { countObjects, type HeapSampleKind, sampleHeap } from "./_heap_sampling.ts";
import { cpuTimeMs, fixed, udpDrops } from "./_stats.ts";
import {
  freePort,
  parseFlags,
  Peer,
  print,
  ROOT,
  runGenerator,
  shippedV8Flags,
  startSippUas,
} from "./message_relay.ts";
import { summarizeProfile } from "./_cpuprofile.ts";

async function main(): Promise<void> {
  const f = parseFlags(Deno.args);
  const durationS = Number(f.duration ?? 10);
  const clients = Number(f.clients ?? 50);
  const mode = (f.mode ?? "closed") as "closed" | "open";
  const dir = f.dir ?? "/tmp/prof";
  const top = Number(f.top ?? 40);
  const heapSample = f["heap-sample"] === "true" ? "survivors" : f["heap-sample"];
  // the shipped V8 flags (deno task start), then --trace-gc and --v8 (`--v8 none`: no flag)
  const v8Flags = [
    f.v8 === "none" ? undefined : shippedV8Flags(),
    f["trace-gc"] ? "--trace-gc" : undefined,
    f.v8 === "none" ? undefined : f.v8,
  ].filter((x): x is string => x !== undefined);
  await Deno.mkdir(dir, { recursive: true });
  const workDir = await Deno.makeTempDir({ prefix: "bench_profile_" });
  const peers: Peer[] = [];
  try {
    const sippPort = freePort("udp");
    const sipp = await startSippUas(sippPort, workDir);
    peers.push(sipp);
    const wsPort = freePort("tcp");
    const config = `<?xml version="1.0" encoding="utf-8" ?>
<config>
  <debug-level>ERROR</debug-level>
  <transport>ws;127.0.0.1;${wsPort}</transport>
  <transport>udp;127.0.0.1;${freePort("udp")}</transport>
  <allowed-destinations>127.0.0.1</allowed-destinations>
  <max-connections-per-ip>0</max-connections-per-ip>
${f["config-extra"] ?? ""}
</config>
`;
    await Deno.writeTextFile(`${workDir}/config.xml`, config);
    const before = new Set([...Deno.readDirSync(dir)].map((e) => e.name));
    const denoArgs = [
      "run",
      "-A",
      ...(v8Flags.length > 0 ? [`--v8-flags=${v8Flags.join(",")}`] : []),
      ...(heapSample || f["heap-count"] ? [`--inspect=127.0.0.1:${freePort("tcp")}`] : []),
      ...(f["no-cpu-prof"] ? [] : ["--cpu-prof", `--cpu-prof-dir=${dir}`]),
      `${ROOT}main.ts`,
      "--config",
      `${workDir}/config.xml`,
    ];
    // with --trace-gc the gateway's output goes to DIR/gc.log (exec: same pid)
    const gateway = f["trace-gc"]
      ? new Peer("gateway", "sh", [
        "-c",
        `exec "$0" "$@" > ${dir}/gc.log 2>&1`,
        Deno.execPath(),
        ...denoArgs,
      ], ROOT)
      : new Peer("gateway", Deno.execPath(), denoArgs, ROOT);
    peers.push(gateway);
    await gateway.waitForPort("tcp", wsPort, 30000);
    const inspect = denoArgs.find((a) => a.startsWith("--inspect="))?.slice("--inspect=".length);
    const sampled = inspect === undefined ? undefined : (async () => {
      await new Promise((resolve) => setTimeout(resolve, (durationS * 1000) / 3));
      if (f["heap-count"]) return await countObjects(inspect, top);
      return await sampleHeap(inspect, durationS / 3, heapSample as HeapSampleKind, top);
    })();
    const cpu0 = cpuTimeMs(gateway.pid);
    const drops0 = [udpDrops(gateway.pid), udpDrops(sipp.pid)];
    const result = await runGenerator({
      url: `ws://127.0.0.1:${wsPort}`,
      ruri: `sip:uas@127.0.0.1:${sippPort}`,
      mode,
      clients,
      durationS,
      rate: Number(f.rate ?? 5000),
    });
    const cpuMs = cpuTimeMs(gateway.pid) - cpu0;
    const drops = [udpDrops(gateway.pid) - drops0[0], udpDrops(sipp.pid) - drops0[1]];
    print(
      `${mode}: ${fixed(result.main.okPerS, 0)} req/s, p50 ${
        fixed(result.main.latency.p50Ms, 2)
      } ms, ` +
        `p99 ${fixed(result.main.latency.p99Ms, 2)} ms, timeouts ${result.main.timeouts}, ` +
        `gateway CPU ${fixed(cpuMs / Math.max(1, result.main.ok), 3)} ms/req` +
        `${f["no-cpu-prof"] ? "" : " (profiler on)"}, UDP drops gateway ${drops[0]} SIPp ${
          drops[1]
        }`,
    );
    if (sampled !== undefined) print(await sampled);
    await gateway.stop(10000);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      !before.has(n) && n.endsWith(".cpuprofile")
    );
    for (const file of files) {
      print(`profile ${dir}/${file}`);
      print(summarizeProfile(JSON.parse(await Deno.readTextFile(`${dir}/${file}`)), top));
    }
  } finally {
    for (const peer of peers.reverse()) await peer.stop();
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
