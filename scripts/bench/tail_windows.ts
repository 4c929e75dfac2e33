/**
 * Where a latency tail comes from: reads the traces `message_relay.ts --trace-dir DIR` writes
 * (send time and latency of each answered request) and prints, per file, the windows of send
 * time that hold the requests at or above p99. A tail made of a few windows of long latencies is
 * a stall (a GC pause, a descheduled process); one spread over many windows is queueing.
 *
 * Usage: `deno run --allow-read scripts/bench/tail_windows.ts [--window 100] [--top 8]
 *   FILE.json...`. Lay the windows' times next to a GC trace (`--v8-flags=--trace-gc`) of the
 * same milliseconds to name the stalls.
 *
 * @module
 */

import { parseFlags } from "./message_relay.ts";

/** Requests at or above p99 sent within one window. */
export interface TailWindow {
  /** Start of the window, ms after the first request. */
  startMs: number;
  /** Requests at or above p99 sent in it. */
  count: number;
  /** Largest latency of a request sent in it, ms. */
  maxMs: number;
}

/** p99 of `pairs` (send time, latency), and the windows holding the requests at or above it,
 * most of them first. */
export function tailWindows(
  pairs: readonly number[],
  windowMs: number,
): { requests: number; p99Ms: number; windows: TailWindow[] } {
  const sent: number[] = [];
  const latencies: number[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    sent.push(pairs[i]);
    latencies.push(pairs[i + 1]);
  }
  if (sent.length === 0) return { requests: 0, p99Ms: NaN, windows: [] };
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99Ms = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
  const start = Math.min(...sent);
  const byWindow = new Map<number, TailWindow>();
  for (let i = 0; i < sent.length; i++) {
    if (latencies[i] < p99Ms) continue;
    const index = Math.floor((sent[i] - start) / windowMs);
    const window = byWindow.get(index) ?? { startMs: index * windowMs, count: 0, maxMs: 0 };
    window.count++;
    window.maxMs = Math.max(window.maxMs, latencies[i]);
    byWindow.set(index, window);
  }
  const windows = [...byWindow.values()].sort((a, b) => b.count - a.count);
  return { requests: sent.length, p99Ms, windows };
}

async function main(): Promise<void> {
  const files = Deno.args.filter((a, i) =>
    !a.startsWith("--") && !Deno.args[i - 1]?.startsWith("--")
  );
  const f = parseFlags(Deno.args);
  const windowMs = Number(f.window ?? 100);
  const top = Number(f.top ?? 8);
  for (const file of files) {
    const { requests, p99Ms, windows } = tailWindows(
      JSON.parse(await Deno.readTextFile(file)),
      windowMs,
    );
    const tail = windows.reduce((n, w) => n + w.count, 0);
    console.log(
      `${file}: ${requests} requests, p99 ${p99Ms.toFixed(1)} ms; the ${tail} at or above it ` +
        `were sent in ${windows.length} window(s) of ${windowMs} ms`,
    );
    for (const w of windows.slice(0, top)) {
      console.log(
        `  from ${(w.startMs / 1000).toFixed(1)} s: ${w.count} requests, up to ${
          w.maxMs.toFixed(1)
        } ms`,
      );
    }
  }
}

if (import.meta.main) await main();
