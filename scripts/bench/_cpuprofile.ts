/**
 * Summary of a V8 `.cpuprofile` (Deno `--cpu-prof`): self time per function and per file.
 * Usage alone: `deno run -A scripts/bench/_cpuprofile.ts FILE.cpuprofile [top]`.
 *
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** The parts of a V8 CPU profile this summary reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const i = url.indexOf("/mod/");
  if (i >= 0) return url.slice(i + 1);
  const j = url.lastIndexOf("/");
  return j >= 0 ? url.slice(j + 1) : url || "(native)";
}

/** Self time per function and per file, the `top` largest of each, as text. */
export function summarizeProfile(profile: CpuProfile, top = 40): string {
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
    total += dt;
  }
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const file = shortUrl(frame.url);
    const fn = `${frame.functionName || "(anon)"} ${file}:${frame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!frame.url.includes("/mod/") && !frame.url.includes("/scripts/")) continue;
      const fn = `${frame.functionName || "(anon)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
    }
  }
  const lines = [`total ${(total / 1000).toFixed(0)} ms sampled`];
  const fmt = (entries: Map<string, number>) =>
    [...entries].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) =>
      `${(100 * us / total).toFixed(1).padStart(5)}% ${
        (us / 1000).toFixed(0).padStart(6)
      } ms  ${name}`
    );
  lines.push("-- self time by function", ...fmt(byFn), "-- self time by file", ...fmt(byFile));
  lines.push("-- inclusive time of our functions", ...fmt(inclusive));
  return lines.join("\n");
}

if (import.meta.main) {
  const text = await Deno.readTextFile(Deno.args[0]);
  const out = summarizeProfile(JSON.parse(text), Number(Deno.args[1] ?? 40));
  Deno.stdout.writeSync(new TextEncoder().encode(out + "\n"));
}
