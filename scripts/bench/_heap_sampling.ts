/**
 * V8's sampling heap profiler over the inspector protocol: which code allocates the objects
 * that outlive a young-generation GC (`includeObjectsCollectedByMinorGC: false`), i.e. what
 * the scavenger copies and promotes. Used by profile_gateway.ts `--heap-sample`.
 *
 * @module
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface SamplingNode {
  callFrame: CallFrame;
  selfSize: number;
  children: SamplingNode[];
}

/** Connects to an inspector listening on `hostPort` (the first target). */
async function connect(hostPort: string): Promise<WebSocket> {
  const list = await (await fetch(`http://${hostPort}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  return ws;
}

/** Samples for `seconds` and returns the profile summarized by allocating function and file. */
export async function sampleSurvivors(
  hostPort: string,
  seconds: number,
  top = 30,
): Promise<string> {
  const ws = await connect(hostPort);
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  };
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("HeapProfiler.enable");
  await call("HeapProfiler.startSampling", {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: Deno.env.get("HEAP_LIVE") === undefined,
    includeObjectsCollectedByMinorGC: false,
  });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const result = await call("HeapProfiler.getSamplingProfile") as {
    profile: { head: SamplingNode };
  };
  await call("HeapProfiler.stopSampling");
  ws.close();
  return summarize(result.profile.head, top);
}

function summarize(head: SamplingNode, top: number): string {
  const byFunction = new Map<string, number>();
  const byStack = new Map<string, number>();
  let total = 0;
  const walk = (node: SamplingNode, stack: string[]) => {
    const frame = node.callFrame;
    const file = frame.url.replace(/^.*\/main\//, "");
    const name = `${frame.functionName || "(anon)"} ${file}:${frame.lineNumber + 1}`;
    const here = [...stack, name].slice(-4);
    if (node.selfSize > 0) {
      total += node.selfSize;
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
      const key = here.join(" < ");
      byStack.set(key, (byStack.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, []);
  const lines = [`sampled bytes surviving a scavenge: ${(total / 1e6).toFixed(1)} MB`];
  const table = (title: string, map: Map<string, number>) => {
    lines.push(`-- ${title}`);
    for (const [name, size] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      lines.push(`${(100 * size / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  table("by allocating function", byFunction);
  table("by stack (innermost last, 4 frames)", byStack);
  return lines.join("\n");
}
